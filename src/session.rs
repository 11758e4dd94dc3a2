//! One call's resolved settings and everything that sends requests for it: the retry loop,
//! GraphQL execution, token refresh (explicit and automatic). Built on the JS thread, then
//! moved to the tokio runtime.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::auth::{
  parse_refresh_body, parse_time, ApiToken, ConfigFile, ResolvedToken, TokenLifecycle, TokenSource,
};
use crate::error::{CalibreError, ErrorCode, RequestInfo};
use crate::graphql::{self, Context, Operation};
use crate::transport::{self, HttpRequest, RawResponse, RetryPolicy, Throttle};

/// Something the JS side must hear about once the call settles.
pub enum TokenEvent {
  Refreshed(RefreshInfo),
  RefreshFailed(CalibreError),
}

/// A successful refresh, as `Token.refresh()` returns it and `onTokenRefreshed` receives it.
#[derive(Clone, Debug)]
pub struct RefreshInfo {
  pub token: String,
  pub expires_at: Option<String>,
  /// The server said the token does not expire (see `auth::refresh`).
  pub never_expires: bool,
  pub source: TokenSource,
  pub persisted: bool,
}

/// A response body this large is decoded off the runtime's worker (see `execute`).
const LARGE_BODY: usize = 1 << 20;

pub struct Session {
  pub function: &'static str,
  token: Mutex<ResolvedToken>,
  pub(crate) url: String,
  pub(crate) app_url: String,
  pub(crate) timeout: Duration,
  pub(crate) throttle: Option<Arc<Throttle>>,
  pub(crate) retries: RetryPolicy,
  pub(crate) http: Option<Arc<reqwest::Client>>,
  pub(crate) max_response_bytes: u64,
  pub(crate) lifecycle: Arc<TokenLifecycle>,
  /// Where a refreshed token is stored when the caller asks to persist a non-file token.
  pub(crate) config_file: Option<ConfigFile>,
  pub(crate) events: Arc<Mutex<Vec<TokenEvent>>>,
}

impl Session {
  #[allow(clippy::too_many_arguments)]
  pub(crate) fn new(
    function: &'static str,
    token: ResolvedToken,
    url: String,
    app_url: String,
    timeout: Duration,
    throttle: Option<Arc<Throttle>>,
    retries: RetryPolicy,
    http: Option<Arc<reqwest::Client>>,
    max_response_bytes: u64,
    lifecycle: Arc<TokenLifecycle>,
    config_file: Option<ConfigFile>,
  ) -> Session {
    let token = lifecycle.apply(token);
    Session {
      function,
      token: Mutex::new(token),
      url,
      app_url,
      timeout,
      throttle,
      retries,
      http,
      max_response_bytes,
      lifecycle,
      config_file,
      events: Arc::new(Mutex::new(Vec::new())),
    }
  }

  /// For calls whose `timeoutMs` bounds a whole sequence of requests (the `waitFor*`
  /// helpers): each request gets `timeout` (the client's own) instead.
  pub fn with_request_timeout(mut self, timeout: Duration) -> Session {
    self.timeout = timeout;
    self
  }

  /// The token this session currently uses.
  pub fn token(&self) -> ResolvedToken {
    self.token.lock().unwrap_or_else(|p| p.into_inner()).clone()
  }

  fn set_token(&self, token: ResolvedToken) {
    *self.token.lock().unwrap_or_else(|p| p.into_inner()) = token;
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
    let token = self.fresh_token().await;
    let request = op.request_info();
    let body = graphql::request_body(&op.query, &op.variables);
    let idempotent = !graphql::has_mutation(&op.query);
    let (response, attempts) = self.post(&self.url, Some(&body), idempotent, &token).await;
    let ctx = Context {
      function: self.function,
      source: &token.source,
      request: &request,
    };
    let large = matches!(&response, Ok(r) if r.body.len() > LARGE_BODY);
    let decode = || response.and_then(|response| graphql::decode(&response, op.extract, &ctx));
    let multi_thread = tokio::runtime::Handle::try_current()
      .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    // Scanning a body of many MB keeps the worker busy for tens of ms: let another thread
    // run the other calls' I/O meanwhile.
    let result = if large && multi_thread {
      tokio::task::block_in_place(decode)
    } else {
      decode()
    };
    result.map_err(|e| gave_up(e.with_request(request.clone()), attempts))
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

  /// POSTs with `token` and this session's throttle, timeout and retry policy. Returns the
  /// last outcome (a response may still be an error status) and the attempts made.
  pub async fn post(
    &self,
    url: &str,
    body: Option<&str>,
    idempotent: bool,
    token: &ResolvedToken,
  ) -> (Result<RawResponse, CalibreError>, u32) {
    let client = self
      .http
      .as_deref()
      .unwrap_or_else(|| transport::shared_client());
    let mut attempts = 0;
    loop {
      attempts += 1;
      if let Some(throttle) = &self.throttle {
        throttle.acquire().await;
      }
      let request = HttpRequest {
        client,
        url,
        token: &token.token,
        body,
        timeout: self.timeout,
        max_response_bytes: self.max_response_bytes,
      };
      let outcome = transport::post(request).await;
      if let (Ok(response), Some(throttle)) = (&outcome, &self.throttle) {
        throttle.observe(response);
      }
      match self.retries.delay(&outcome, idempotent, attempts) {
        Some(wait) => tokio::time::sleep(wait).await,
        None => {
          return (
            outcome.map_err(|f| f.error.with_token_source(token.source.clone())),
            attempts,
          )
        }
      }
    }
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
    let (response, attempts) = self.post(&url, None, false, token).await;
    let response = response.map_err(|e| gave_up(e, attempts))?;
    if !(200..300).contains(&response.status) {
      let request = RequestInfo {
        query: String::new(),
        variables: Value::Object(Default::default()),
      };
      let ctx = Context {
        function: "Token.refresh",
        source: &token.source,
        request: &request,
      };
      let mut err = graphql::classify(&response, Vec::new(), &ctx);
      err.request = None;
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
    let file = match &token.source {
      TokenSource::File(path) => Some(ConfigFile::at(path.clone())),
      _ if persist => self.config_file.clone(),
      _ => None,
    };
    let from_file = matches!(token.source, TokenSource::File(_));
    let mut persisted = false;
    if let Some(file) =
      file.filter(|_| persist || (from_file && (changed || body.expires_at.is_some())))
    {
      file.store_token(new_token.expose(), body.expires_at.as_deref())?;
      persisted = true;
    }
    self
      .lifecycle
      .learned(&token.token, &new_token, expires, from_file && persisted);
    let info = RefreshInfo {
      token: new_token.expose().to_owned(),
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
  async fn fresh_token(&self) -> ResolvedToken {
    let current = self.token();
    if !self.lifecycle.needs_refresh(&current, SystemTime::now()) {
      return current;
    }
    let _flight = self.lifecycle.single_flight().await;
    // Another call may have refreshed while this one waited.
    let mut current = self.lifecycle.apply(self.token());
    if let TokenSource::File(path) = &current.source {
      if let Ok(Some(stored)) = ConfigFile::at(path.clone()).read_entry() {
        if let Ok(Some(token)) = ApiToken::parse(&stored.token) {
          current.token = token;
          current.expires_at = stored.expires_at.as_deref().and_then(parse_time);
        }
      }
    }
    self.set_token(current.clone());
    if !self.lifecycle.needs_refresh(&current, SystemTime::now())
      || !self.lifecycle.claim_attempt(Instant::now())
    {
      return current;
    }
    match self.refresh(&current, false).await {
      Ok(_) => self.token(),
      Err(err) => {
        if self.lifecycle.first_failure() {
          self.push(TokenEvent::RefreshFailed(err));
        }
        current
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
