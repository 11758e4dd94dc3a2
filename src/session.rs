//! One call: its client's settings (shared), what was resolved for it on the JS thread
//! (token, URLs, config path, the HTTP environment), and everything that sends requests for
//! it: the retry loop, GraphQL execution, token refresh (explicit and automatic). Built on
//! the JS thread by the call pipeline (`call`), then moved to the tokio runtime.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::auth::{
  self, parse_refresh_body, parse_time, ApiToken, ConfigFile, Decision, FetchEnv, Plan,
  ResolvedToken,
};
use crate::config::ClientConfig;
use crate::env::Env;
use crate::error::{self, CalibreError, ErrorCode, RequestInfo, ResponseInfo, TokenSource};
use crate::graphql::{self, Context, Extract, Operation};
use crate::transport::{
  self, DebugLevel, EventQueue, FileTarget, HttpClient, HttpEnv, HttpRequest, Method,
  Plan as SendPlan, Progress, RawResponse, Replay, Trace,
};

/// Something the JS side must hear about once the call settles.
pub enum TokenEvent {
  Refreshed(RefreshInfo),
  RefreshFailed(CalibreError),
}

/// A successful refresh, as `Token.refresh()` returns it and `onTokenRefreshed` receives it.
#[derive(Clone, Debug)]
pub struct RefreshInfo {
  pub token: ApiToken,
  pub expires_at: Option<String>,
  /// The server said the token does not expire (see `auth::refresh`).
  pub never_expires: bool,
  pub source: TokenSource,
  pub persisted: bool,
}

/// A response body this large is decoded off the runtime's worker (see `Exchange::read`), or
/// handed to V8 whole (see `Answer::Whole`).
const LARGE_BODY: usize = 1 << 20;

/// What a GraphQL call hands to JavaScript.
pub enum Answer {
  /// The result's JSON text.
  Text(String),
  /// A large 2xx answer, left whole: V8 parses it and takes the result at `path` under `data`.
  /// That is one pass over the body instead of a Rust scan and then V8's pass over the result,
  /// which matters most after a slow download. When the result is not plainly there (errors, a
  /// null on the way, not JSON), `read` reads the body in Rust as usual, for the error.
  Whole {
    body: String,
    path: &'static [&'static str],
    read: Box<dyn FnOnce(String) -> Result<String, CalibreError> + Send>,
  },
}

/// A GraphQL exchange done, its answer not read yet.
struct Exchange {
  response: Result<RawResponse, CalibreError>,
  attempts: u32,
  function: &'static str,
  source: TokenSource,
  /// The token sent: scrubbed from any server text an error keeps.
  token: ApiToken,
  request: RequestInfo,
  extract: Extract,
}

impl Exchange {
  /// The result's JSON text, or the error the answer means.
  fn read(self) -> Result<String, CalibreError> {
    let ctx = Context {
      function: self.function,
      source: &self.source,
      request: &self.request,
      token: Some(&self.token),
    };
    let large = matches!(&self.response, Ok(r) if r.body.len() > LARGE_BODY);
    let extract = self.extract;
    let decode = || {
      self
        .response
        .and_then(|response| graphql::decode(&response, extract, &ctx))
    };
    let multi_thread = tokio::runtime::Handle::try_current()
      .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    // Scanning a body of many MB keeps the worker busy for tens of ms: let another thread
    // run the other calls' I/O meanwhile.
    let result = if large && multi_thread {
      tokio::task::block_in_place(decode)
    } else {
      decode()
    };
    result.map_err(|e| gave_up(e.with_request(self.request.clone()), self.attempts))
  }

  /// `Answer::Whole` for a large 2xx UTF-8 body whose result is `data` or a path in it; else
  /// the text (or error) read here.
  fn into_answer(self) -> Result<Answer, CalibreError> {
    let path = match self.extract {
      Extract::Data => &[][..],
      Extract::Path(path) => path,
      Extract::Connection { .. } => return self.read().map(Answer::Text),
    };
    let Exchange {
      response,
      attempts,
      function,
      source,
      token,
      request,
      extract,
    } = self;
    let rebuild = move |response| Exchange {
      response,
      attempts,
      function,
      source,
      token,
      request,
      extract,
    };
    let RawResponse {
      status,
      headers,
      body,
    } = match response {
      Ok(r) if (200..300).contains(&r.status) && r.body.len() > LARGE_BODY => r,
      other => return rebuild(other).read().map(Answer::Text),
    };
    let body = match String::from_utf8(body) {
      Ok(body) => body,
      Err(e) => {
        let response = RawResponse {
          status,
          headers,
          body: e.into_bytes(),
        };
        return rebuild(Ok(response)).read().map(Answer::Text);
      }
    };
    let read = Box::new(move |body: String| {
      let response = RawResponse {
        status,
        headers,
        body: body.into_bytes(),
      };
      rebuild(Ok(response)).read()
    });
    Ok(Answer::Whole { body, path, read })
  }
}

/// Longest silence in the middle of a download before it is given up.
const DOWNLOAD_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest artifact written (a Lighthouse report, a HAR, a video): a bound on a server that
/// never stops sending.
const MAX_DOWNLOAD_BYTES: u64 = 1 << 30;

/// Token events of one session, read on the JS thread once the call settles.
pub type Events = Arc<Mutex<Vec<TokenEvent>>>;

/// What a `token` function's promise settles with, sent from the JS thread.
pub type PromisedToken = tokio::sync::oneshot::Receiver<Result<ResolvedToken, CalibreError>>;

/// A session's token before it is known.
enum Pending {
  /// A keyring item or a command's output, fetched on first use, off the JS thread.
  Fetch(Plan),
  /// The promise a `token` function returned.
  Promise(PromisedToken),
  /// Fetching failed: every use fails the same way.
  Failed(CalibreError),
}

pub struct Session {
  pub function: &'static str,
  /// The client's settings: throttle, retries, HTTP client, limits, token lifecycle.
  pub config: Arc<ClientConfig>,
  token: Mutex<Option<ResolvedToken>>,
  pending: tokio::sync::Mutex<Option<Pending>>,
  /// How to fetch the token again after a 401 (keyring and command tokens).
  refetch: Option<Plan>,
  fetch_env: FetchEnv,
  url: String,
  app_url: String,
  timeout: Duration,
  /// Where a token is stored (and a refreshed one persisted) for this call's environment.
  pub config_file: Option<ConfigFile>,
  /// Proxies and trust roots for the shared HTTP client (when the client has none of its own).
  http_env: HttpEnv,
  pub events: Events,
  /// The debug log and `diagnostics_channel` events of this call's requests.
  trace: Trace,
  /// Hears the progress of every answer (the CLI's progress line for large transfers).
  progress: Option<Arc<Progress<'static>>>,
}

impl Session {
  /// Everything per call from `env` (a snapshot of the caller's environment): the token as
  /// `decision` says (a `token` function's `promise`, if it returned one), the URLs, the config
  /// file. `child_env` is the whole `process.env` when a token command may run. `timeout` is the
  /// call's own `timeoutMs`, else the client's.
  pub fn new(
    config: Arc<ClientConfig>,
    function: &'static str,
    env: &dyn Env,
    timeout: Option<Duration>,
    decision: Decision,
    promise: Option<PromisedToken>,
    child_env: Vec<(String, String)>,
  ) -> Result<Session, CalibreError> {
    let host = decision.host.as_ref();
    let url = config.graphql_url(function, env, host)?;
    let app_url = config.app_url(function, env, host)?;
    let (token, pending, refetch) = match (decision.plan, promise) {
      (Plan::Ready(token), _) => (Some(config.lifecycle.apply(token)), None, None),
      (Plan::Function, Some(promise)) => (None, Some(Pending::Promise(promise)), None),
      (Plan::Function, None) => unreachable!("the call layer calls token functions"),
      (plan, _) => (None, Some(Pending::Fetch(plan.clone())), Some(plan)),
    };
    Ok(Session {
      function,
      token: Mutex::new(token),
      pending: tokio::sync::Mutex::new(pending),
      refetch,
      fetch_env: FetchEnv::new(env, child_env),
      url,
      app_url,
      timeout: timeout.unwrap_or(config.timeout),
      config_file: ConfigFile::locate(env).ok(),
      http_env: HttpEnv::from_env(env),
      events: Arc::new(Mutex::new(Vec::new())),
      trace: Trace {
        debug: DebugLevel::from_env(env),
        events: None,
      },
      progress: None,
      config,
    })
  }

  /// Reports the progress of every answer this session reads to `progress`.
  pub fn with_progress(mut self, progress: Arc<Progress<'static>>) -> Session {
    self.progress = Some(progress);
    self
  }

  /// Queues an event for `diagnostics_channel` per HTTP attempt (there are subscribers).
  pub fn with_events(mut self, events: Option<Arc<EventQueue>>) -> Session {
    self.trace.events = events;
    self
  }

  /// For calls whose `timeoutMs` bounds a whole sequence of requests (the `waitFor*`
  /// helpers): each request gets `timeout` (the client's own) instead.
  pub fn with_request_timeout(mut self, timeout: Duration) -> Session {
    self.timeout = timeout;
    self
  }

  fn current(&self) -> Option<ResolvedToken> {
    self.token.lock().unwrap_or_else(|p| p.into_inner()).clone()
  }

  /// Where the token in use came from, once known (for errors found after a request).
  pub fn token_source(&self) -> Option<TokenSource> {
    self.current().map(|t| t.source)
  }

  /// The token this session uses: fetched (keyring, command) or awaited (a `token`
  /// function's promise) the first time.
  pub async fn token(&self) -> Result<ResolvedToken, CalibreError> {
    if let Some(token) = self.current() {
      return Ok(token);
    }
    let mut pending = self.pending.lock().await;
    if let Some(token) = self.current() {
      return Ok(token);
    }
    let got = match pending.take() {
      Some(Pending::Fetch(plan)) => self.fetch(plan).await,
      Some(Pending::Promise(promise)) => promise.await.unwrap_or_else(|_| {
        Err(CalibreError::new(
          ErrorCode::TokenMissing,
          format!(
            "{}: the `token` function's promise never settled.",
            self.function
          ),
        ))
      }),
      Some(Pending::Failed(err)) => Err(err),
      None => unreachable!("a session has a token or a way to get one"),
    };
    match got {
      Ok(token) => {
        let token = self.config.lifecycle.apply(token);
        self.set_token(token.clone());
        Ok(token)
      }
      Err(err) => {
        *pending = Some(Pending::Failed(err.clone()));
        Err(err)
      }
    }
  }

  /// Reads the keyring or runs the command on a blocking thread.
  async fn fetch(&self, plan: Plan) -> Result<ResolvedToken, CalibreError> {
    let fetch_env = self.fetch_env.clone();
    let lifecycle = Arc::clone(&self.config.lifecycle);
    tokio::task::spawn_blocking(move || plan.fetch(&fetch_env, &lifecycle))
      .await
      .unwrap_or_else(|e| {
        Err(CalibreError::new(
          ErrorCode::TokenMissing,
          format!("The token could not be fetched: {e}"),
        ))
      })
  }

  fn set_token(&self, token: ResolvedToken) {
    *self.token.lock().unwrap_or_else(|p| p.into_inner()) = Some(token);
  }

  fn push(&self, event: TokenEvent) {
    self
      .events
      .lock()
      .unwrap_or_else(|p| p.into_inner())
      .push(event);
  }

  /// Runs one GraphQL operation; `Ok` is the JSON text of the extracted result.
  pub async fn execute(&self, op: &Operation) -> Result<String, CalibreError> {
    self.exchange(op).await?.read()
  }

  /// Runs one GraphQL operation for JavaScript: as `execute`, but a large answer that looks
  /// like a success is handed over whole, for V8 to parse once (see `Answer::Whole`).
  pub async fn execute_for_js(&self, op: &Operation) -> Result<Answer, CalibreError> {
    self.exchange(op).await?.into_answer()
  }

  /// Sends `op` (with retries) and keeps what is needed to read the answer. A keyring or
  /// command token the server refuses (401) is fetched once more, and the request sent again
  /// when that gave a different token.
  async fn exchange(&self, op: &Operation) -> Result<Exchange, CalibreError> {
    let mut token = self.fresh_token().await?;
    let request = op.request_info();
    let body = graphql::request_body(&op.query, &op.variables);
    let replay = if graphql::has_mutation(&op.query) {
      Replay::Mutation
    } else {
      Replay::Query
    };
    // The operation's name is for the debug log and the events only.
    let operation = if self.trace.is_on() {
      graphql::operation_name(&op.query)
    } else {
      None
    };
    let (mut response, mut attempts) = self
      .post(&self.url, Some(&body), replay, operation, &token)
      .await;
    if matches!(&response, Ok(r) if r.status == 401) {
      if let Some(again) = self.refetched(&token).await {
        token = again;
        let (retried, more) = self
          .post(&self.url, Some(&body), replay, operation, &token)
          .await;
        response = retried;
        attempts += more;
      }
    }
    Ok(Exchange {
      response,
      attempts,
      function: self.function,
      source: token.source,
      token: token.token,
      request,
      extract: op.extract,
    })
  }

  /// After a 401: forgets the cached keyring or command token and fetches it again; `None`
  /// when there is nothing to fetch or it gave the same token.
  async fn refetched(&self, refused: &ResolvedToken) -> Option<ResolvedToken> {
    let plan = self.refetch.clone()?;
    self.config.lifecycle.forget(&plan.cache_key()?);
    let again = self.fetch(plan).await.ok()?;
    if again.token == refused.token {
      return None;
    }
    self.set_token(again.clone());
    Some(again)
  }

  /// Runs `op` and parses the result into a serde value (for Rust-side logic like polling).
  pub async fn execute_value(&self, op: &Operation) -> Result<Value, CalibreError> {
    let text = self.execute(op).await?;
    serde_json::from_str(&text).map_err(|e| {
      CalibreError::new(
        ErrorCode::InvalidResponse,
        format!("{}: {e}", self.function),
      )
    })
  }

  /// The client's own HTTP client, else the shared one for this call's environment.
  fn http_client(&self) -> Result<Arc<HttpClient>, CalibreError> {
    match &self.config.http {
      Some(own) => Ok(Arc::clone(own)),
      None => transport::shared_client(&self.http_env),
    }
  }

  /// POSTs with `token` and this session's throttle, timeout and retry policy. Returns the
  /// last outcome (a response may still be an error status) and the attempts made.
  pub async fn post(
    &self,
    url: &str,
    body: Option<&str>,
    replay: Replay,
    operation: Option<&str>,
    token: &ResolvedToken,
  ) -> (Result<RawResponse, CalibreError>, u32) {
    let client = match self.http_client() {
      Ok(client) => client,
      Err(error) => return (Err(error.with_token_source(token.source.clone())), 0),
    };
    self.trace.token_source(&token.source);
    let request = HttpRequest {
      client: &client,
      method: Method::Post,
      url,
      token: Some(&token.token),
      body,
      timeout: self.timeout,
      read_timeout: None,
      max_response_bytes: self.config.max_response_bytes,
      progress: self.progress.as_deref(),
    };
    let plan = SendPlan {
      throttle: self.config.throttle.as_deref(),
      retries: self.config.retries,
      replay,
      trace: &self.trace,
      operation,
    };
    let (outcome, attempts) = transport::send(&request, &plan, None).await;
    (
      outcome.map_err(|f| f.error.with_token_source(token.source.clone())),
      attempts,
    )
  }

  /// GETs `url` (a signed artifact URL: no token is sent) into the file `path`, with this
  /// session's HTTP client, timeout and retries (not its throttle, which is for API calls).
  /// Each attempt must finish within the session's timeout, and fails as soon as the server
  /// sends nothing for `DOWNLOAD_READ_TIMEOUT`. `progress` hears the bytes as they arrive.
  pub async fn download(
    &self,
    url: &str,
    path: &std::path::Path,
    progress: &Progress<'_>,
  ) -> Result<(), CalibreError> {
    let client = self.http_client()?;
    let request = HttpRequest {
      client: &client,
      method: Method::Get,
      url,
      token: None,
      body: None,
      timeout: self.timeout,
      read_timeout: Some(DOWNLOAD_READ_TIMEOUT.min(self.timeout)),
      max_response_bytes: MAX_DOWNLOAD_BYTES,
      progress: Some(progress),
    };
    let plan = SendPlan {
      throttle: None,
      retries: self.config.retries,
      replay: Replay::Download,
      trace: &self.trace,
      operation: None,
    };
    let target = FileTarget { path };
    let (outcome, attempts) = transport::send(&request, &plan, Some(&target)).await;
    let response = outcome.map_err(|f| gave_up(f.error, attempts))?;
    if (200..300).contains(&response.status) {
      return Ok(());
    }
    let status = response.status;
    let mut err = CalibreError::new(
      ErrorCode::HttpError,
      format!(
        "Downloading {} failed with HTTP {status}.",
        transport::without_query(url)
      ),
    );
    err.status = Some(status);
    Err(gave_up(err, attempts))
  }

  /// `POST {appHost}/api/refresh_token` for `token`. A new token is stored when `token`
  /// came from the config file (it is rewritten there), or anywhere when `persist`.
  pub async fn refresh(
    &self,
    token: &ResolvedToken,
    persist: bool,
  ) -> Result<RefreshInfo, CalibreError> {
    let url = format!("{}/api/refresh_token", self.app_url);
    // Not idempotent: a refresh the server may have seen is only retried where that is safe.
    let (response, attempts) = self.post(&url, None, Replay::Mutation, None, token).await;
    let response = response.map_err(|e| gave_up(e, attempts))?;
    if !(200..300).contains(&response.status) {
      let answer = ResponseInfo {
        status: response.status,
        body: response.text_lossy(),
        headers: response.headers,
      };
      let err = error::classify(
        "Token.refresh",
        &token.source,
        answer,
        Vec::new(),
        Some(&token.token),
      );
      return Err(gave_up(err, attempts));
    }
    let body = parse_refresh_body(&response.text_lossy());
    let new_token = match body.token.as_deref().map(ApiToken::parse) {
      Some(Ok(Some(new))) => new,
      Some(Err(_)) => {
        return Err(CalibreError::new(
          ErrorCode::InvalidResponse,
          format!("Token.refresh: the refreshed token from {url} has invalid characters."),
        ))
      }
      _ => token.token.clone(),
    };
    let changed = new_token != token.token;
    let expires = body.expires_at.as_deref().and_then(parse_time);
    // A token from a store we can write (config file, keyring) goes back there; with
    // `persist`, any other is stored in the config file.
    let (mut rewritten, mut persisted) = (false, false);
    if persist || changed || body.expires_at.is_some() {
      // On a blocking thread: the keyring's calls block (and refuse to run inside a task).
      let (source, token_back, expires_at) = (
        token.source.clone(),
        new_token.clone(),
        body.expires_at.clone(),
      );
      let (config_file, keyring) = (self.config_file.clone(), self.fetch_env.keyring.clone());
      let done = tokio::task::spawn_blocking(move || {
        auth::write_back(
          &source,
          &token_back,
          expires_at.as_deref(),
          persist,
          config_file.as_ref(),
          &keyring,
        )
      })
      .await
      .map_err(|e| {
        CalibreError::new(
          ErrorCode::ConfigAccess,
          format!("The refreshed token could not be stored: {e}"),
        )
      })??;
      (rewritten, persisted) = (done.rewritten, done.persisted);
    }
    self
      .config
      .lifecycle
      .learned(&token.token, &new_token, expires, rewritten);
    let info = RefreshInfo {
      token: new_token.clone(),
      expires_at: body.expires_at,
      never_expires: body.never_expires,
      source: token.source.clone(),
      persisted,
    };
    self.push(TokenEvent::Refreshed(info.clone()));
    self.set_token(ResolvedToken {
      token: new_token,
      source: token.source.clone(),
      expires_at: expires,
    });
    Ok(info)
  }

  /// One cheap authenticated request, to tell whether the token works.
  pub async fn check_token(&self) -> Result<(), CalibreError> {
    const CHECK: &str = "query TokenStatus { __typename }";
    self
      .execute(&Operation::new(
        CHECK,
        Default::default(),
        graphql::Extract::Data,
      ))
      .await
      .map(|_| ())
  }

  /// The token to send now, refreshed first when its known expiry is near (see
  /// `auth::lifecycle` for the rules). Never fails: a failed refresh keeps the old token.
  async fn fresh_token(&self) -> Result<ResolvedToken, CalibreError> {
    let current = self.token().await?;
    if !self
      .config
      .lifecycle
      .needs_refresh(&current, SystemTime::now())
    {
      return Ok(current);
    }
    let _flight = self.config.lifecycle.single_flight().await;
    // Another call (or process) may have refreshed while this one waited.
    let mut current = self.config.lifecycle.apply(self.token().await?);
    if let Some(stored) = auth::reread(&current.source) {
      current = stored;
    }
    self.set_token(current.clone());
    if !self
      .config
      .lifecycle
      .needs_refresh(&current, SystemTime::now())
      || !self.config.lifecycle.claim_attempt(Instant::now())
    {
      return Ok(current);
    }
    match self.refresh(&current, false).await {
      Ok(_) => self.token().await,
      Err(err) => {
        if self.config.lifecycle.first_failure() {
          self.push(TokenEvent::RefreshFailed(err));
        }
        Ok(current)
      }
    }
  }
}

/// Records how many attempts were made, and says so when there was more than one.
pub fn gave_up(mut err: CalibreError, attempts: u32) -> CalibreError {
  err.attempts = attempts;
  if attempts > 1 {
    err
      .message
      .push_str(&format!(" (gave up after {attempts} attempts)"));
  }
  err
}
