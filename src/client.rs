//! The `Calibre` class, the default client the module-level namespaces use, and the call
//! pipeline every API function goes through: resolve the token (on the JS thread, per call),
//! throttle, POST, decode, hand the result text to `JSON.parse`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use napi::bindgen_prelude::*;
// Explicit import: wins over napi's one-parameter `Result` from the glob above.
use napi::{Env, JsValue, Property, ValueType};
use napi_derive::napi;
use serde_json::Value;
use std::result::Result;

use crate::auth::{self, ConfigFile, ProcessEnv, ResolvedToken, TokenLifecycle};
use crate::error::{CalibreError, ErrorCode};
use crate::graphql::Operation;
use crate::js::{self, CallOptions};
use crate::session::{Answer, RefreshInfo, Session, TokenEvent};
use crate::transport::{
  self, HttpSettings, ProxySetting, RetryPolicy, Throttle, DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT,
};

const DEFAULT_HOST: &str = "https://api.calibreapp.com";
const DEFAULT_APP_HOST: &str = "https://calibreapp.com";

/// The namespaces a `Calibre` instance re-exposes, bound to itself.
pub const NAMESPACES: &[&str] = &[
  "Site",
  "Snapshot",
  "Test",
  "PullRequestReview",
  "TestProfile",
  "Agent",
  "Page",
  "Connection",
  "Device",
  "SnapshotMetrics",
  "GraphQL",
  "TimeSeries",
  "Deploy",
  "Integration",
  "MetricBudget",
  "AgentSettings",
  "Crux",
  "Rum",
  "Token",
];

/// Per-client settings. `None` means "decide per call from the environment".
pub struct ClientConfig {
  pub token: Option<String>,
  host: Option<String>,
  app_host: Option<String>,
  timeout: Duration,
  /// `None`: throttling turned off.
  throttle: Option<Arc<Throttle>>,
  retries: RetryPolicy,
  /// `None`: the process-wide HTTP client (environment proxies, no extra CA).
  http: Option<Arc<reqwest::Client>>,
  max_response_bytes: u64,
  /// Known expiries, refreshed successors, the auto-refresh switch.
  lifecycle: Arc<TokenLifecycle>,
  /// `onTokenRefreshed(info)`, called on the JS thread after a refresh.
  on_token_refreshed: Option<FunctionRef<Unknown<'static>, Unknown<'static>>>,
}

static DEFAULT_CLIENT: LazyLock<Arc<ClientConfig>> = LazyLock::new(|| {
  Arc::new(ClientConfig {
    token: None,
    host: None,
    app_host: None,
    timeout: DEFAULT_TIMEOUT,
    throttle: Some(Throttle::process_wide()),
    retries: RetryPolicy::DEFAULT,
    http: None,
    max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
    lifecycle: Arc::new(TokenLifecycle::new(true)),
    on_token_refreshed: None,
  })
});

/// The client behind the module-level namespaces (and the CLI): environment and config file.
pub fn default_client() -> Arc<ClientConfig> {
  Arc::clone(&DEFAULT_CLIENT)
}

fn env_var(name: &str) -> Option<String> {
  std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn base_url(function: &str, raw: &str, what: &str) -> Result<String, CalibreError> {
  let trimmed = raw.trim().trim_end_matches('/');
  match reqwest::Url::parse(trimmed) {
    Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(trimmed.to_owned()),
    _ => Err(CalibreError::invalid_argument(
      function,
      format!("{what} must be an http(s) URL such as https://api.calibreapp.com, got {raw:?}."),
    )),
  }
}

impl ClientConfig {
  /// Reads `{ token, host, appHost, timeoutMs, throttle }`.
  fn from_options(options: &serde_json::Map<String, Value>) -> Result<ClientConfig, CalibreError> {
    let f = "new Calibre";
    let text = |key: &str| -> Result<Option<String>, CalibreError> {
      match options.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(CalibreError::invalid_argument(
          f,
          format!("`{key}` must be a string, got {}.", js::kind(other)),
        )),
      }
    };
    let token = text("token")?;
    if let Some(raw) = &token {
      // Fail at construction, not on the first call.
      auth::resolve(Some(raw), &NoEnv).map(|_| ()).or_else(|e| {
        if e.code == ErrorCode::TokenMissing {
          Ok(())
        } else {
          Err(e)
        }
      })?;
    }
    let host = text("host")?
      .map(|h| base_url(f, &h, "`host`"))
      .transpose()?;
    let app_host = text("appHost")?
      .map(|h| base_url(f, &h, "`appHost`"))
      .transpose()?;
    let timeout = match options.get("timeoutMs") {
      None | Some(Value::Null) => DEFAULT_TIMEOUT,
      Some(v) => match v.as_f64() {
        Some(ms) if ms > 0.0 && ms.is_finite() => Duration::from_millis(ms as u64),
        _ => {
          return Err(CalibreError::invalid_argument(
            f,
            "`timeoutMs` must be a positive number of milliseconds.",
          ))
        }
      },
    };
    let throttle = match options.get("throttle") {
      None | Some(Value::Null) => Some(Throttle::process_wide()),
      Some(Value::Bool(false)) => None,
      Some(Value::Object(t)) => {
        let limit = t.get("limit").and_then(Value::as_u64).filter(|l| *l > 0);
        let interval = t
          .get("intervalMs")
          .and_then(Value::as_u64)
          .filter(|i| *i > 0);
        match (limit, interval) {
          (Some(limit), Some(interval)) => Some(Arc::new(Throttle::new(
            limit.min(u32::MAX as u64) as u32,
            Duration::from_millis(interval),
          ))),
          _ => {
            return Err(CalibreError::invalid_argument(
              f,
              "`throttle` must be { limit, intervalMs } with positive integers, or false.",
            ))
          }
        }
      }
      Some(_) => {
        return Err(CalibreError::invalid_argument(
          f,
          "`throttle` must be { limit, intervalMs } or false.",
        ))
      }
    };
    let retries = match options.get("retries") {
      None | Some(Value::Null) => RetryPolicy::DEFAULT,
      Some(Value::Bool(false)) => RetryPolicy::NONE,
      Some(Value::Object(r)) => {
        let ms = |key: &str, default: Duration| match r.get(key) {
          None | Some(Value::Null) => Ok(default),
          Some(v) => v
            .as_f64()
            .filter(|ms| *ms >= 0.0 && ms.is_finite())
            .map(|ms| Duration::from_millis(ms as u64))
            .ok_or_else(|| {
              CalibreError::invalid_argument(
                f,
                format!("`retries.{key}` must be a number of milliseconds."),
              )
            }),
        };
        let max_retries = match r.get("max") {
          None | Some(Value::Null) => RetryPolicy::DEFAULT.max_retries,
          Some(v) => v.as_u64().filter(|m| *m <= 20).ok_or_else(|| {
            CalibreError::invalid_argument(f, "`retries.max` must be a whole number from 0 to 20.")
          })? as u32,
        };
        RetryPolicy {
          max_retries,
          base: ms("baseMs", RetryPolicy::DEFAULT.base)?,
          cap: ms("capMs", RetryPolicy::DEFAULT.cap)?,
        }
      }
      Some(_) => {
        return Err(CalibreError::invalid_argument(
          f,
          "`retries` must be { max, baseMs, capMs } or false.",
        ))
      }
    };
    let proxy = match options.get("proxy") {
      None | Some(Value::Null) => ProxySetting::FromEnv,
      Some(Value::Bool(false)) => ProxySetting::Off,
      Some(Value::String(url)) => ProxySetting::Url(url.clone()),
      Some(_) => {
        return Err(CalibreError::invalid_argument(
          f,
          "`proxy` must be a proxy URL such as http://proxy:3128, or false.",
        ))
      }
    };
    let ca_pem = text("ca")?;
    let settings = HttpSettings { proxy, ca_pem };
    let http = if settings == HttpSettings::default() {
      None
    } else {
      Some(Arc::new(
        transport::build_client(&settings).map_err(|why| CalibreError::invalid_argument(f, why))?,
      ))
    };
    let max_response_bytes = match options.get("maxResponseBytes") {
      None | Some(Value::Null) => DEFAULT_MAX_RESPONSE_BYTES,
      Some(v) => v.as_u64().filter(|n| *n > 0).ok_or_else(|| {
        CalibreError::invalid_argument(f, "`maxResponseBytes` must be a positive whole number.")
      })?,
    };
    let auto_refresh = match options.get("autoRefresh") {
      None | Some(Value::Null) => true,
      Some(Value::Bool(b)) => *b,
      Some(_) => {
        return Err(CalibreError::invalid_argument(
          f,
          "`autoRefresh` must be a boolean.",
        ))
      }
    };
    Ok(ClientConfig {
      token,
      host,
      app_host,
      timeout,
      throttle,
      retries,
      http,
      max_response_bytes,
      lifecycle: Arc::new(TokenLifecycle::new(auto_refresh)),
      on_token_refreshed: None,
    })
  }

  /// The GraphQL endpoint: the `host` option, else `CALIBRE_HOST` (read per call).
  fn graphql_url(&self, function: &str) -> Result<String, CalibreError> {
    let host = match &self.host {
      Some(host) => host.clone(),
      None => base_url(
        function,
        &env_var("CALIBRE_HOST").unwrap_or_else(|| DEFAULT_HOST.to_owned()),
        "CALIBRE_HOST",
      )?,
    };
    Ok(format!("{host}/graphql"))
  }

  /// The app host for refresh: option, else `CALIBRE_APP_HOST`, else `CALIBRE_HOST` (so one
  /// local server serves both), else https://calibreapp.com.
  fn app_url(&self, function: &str) -> Result<String, CalibreError> {
    if let Some(host) = &self.app_host {
      return Ok(host.clone());
    }
    if let Some(host) = env_var("CALIBRE_APP_HOST") {
      return base_url(function, &host, "CALIBRE_APP_HOST");
    }
    if let Some(host) = &self.host {
      return Ok(host.clone());
    }
    match env_var("CALIBRE_HOST") {
      Some(host) => base_url(function, &host, "CALIBRE_HOST"),
      None => Ok(DEFAULT_APP_HOST.to_owned()),
    }
  }

  /// This client's own per-request timeout (its `timeoutMs`, default 60 s).
  pub fn request_timeout(&self) -> Duration {
    self.timeout
  }

  /// Resolves this client's token now (option > env > file).
  pub fn resolve_token(&self, token_override: Option<&str>) -> Result<ResolvedToken, CalibreError> {
    auth::resolve(token_override.or(self.token.as_deref()), &ProcessEnv)
  }

  /// Everything one call needs, fixed on the JS thread at call time.
  /// `token_override` beats the client's option (e.g. `Token.refresh({ token })`).
  pub fn session(
    &self,
    function: &'static str,
    options: &CallOptions,
    token_override: Option<&str>,
  ) -> Result<Session, CalibreError> {
    Ok(Session::new(
      function,
      self.resolve_token(token_override)?,
      self.graphql_url(function)?,
      self.app_url(function)?,
      options.timeout.unwrap_or(self.timeout),
      self.throttle.clone(),
      self.retries,
      self.http.clone(),
      self.max_response_bytes,
      Arc::clone(&self.lifecycle),
      ConfigFile::locate(&ProcessEnv).ok(),
    ))
  }
}

impl ClientConfig {
  /// Tells the JS side what happened to tokens during a call: `onTokenRefreshed(info)` for a
  /// refresh, one process warning for a failed automatic refresh.
  pub fn dispatch(&self, env: &Env, events: &Mutex<Vec<TokenEvent>>) {
    let events = std::mem::take(&mut *events.lock().unwrap_or_else(|p| p.into_inner()));
    for event in events {
      let _ = match event {
        TokenEvent::Refreshed(info) => self.notify_refreshed(env, &info),
        TokenEvent::RefreshFailed(err) => js::emit_warning(
          env,
          &format!("Automatic refresh of the Calibre API token failed; the current token is used until it expires. {}", err.message),
          "CALIBRE_TOKEN_REFRESH_FAILED",
        ),
      };
    }
  }

  fn notify_refreshed(&self, env: &Env, info: &RefreshInfo) -> napi::Result<()> {
    let Some(callback) = &self.on_token_refreshed else {
      return Ok(());
    };
    let info = js::refresh_info(env, info)?;
    if callback.borrow_back(env)?.call(info.to_unknown()).is_err() {
      // A throwing callback must not break the call that triggered the refresh.
      js::clear_exception(env);
    }
    Ok(())
  }
}

/// An environment with nothing in it, for validating an option token alone.
struct NoEnv;

impl auth::Env for NoEnv {
  fn var(&self, _: &str) -> Option<String> {
    None
  }
}

/// The client behind `this`: a bound namespace function (`client.Site.list()`) is called
/// with `this` = an External holding its client's config; anything else is the default client.
pub fn client_of(this: &This<Unknown>) -> Arc<ClientConfig> {
  if this.get_type().ok() == Some(ValueType::External) {
    if let Ok(config) =
      unsafe { ExternalRef::<Arc<ClientConfig>>::from_napi_value(this.value().env, this.raw()) }
    {
      return Arc::clone(&config);
    }
  }
  default_client()
}

/// The future behind a call, boxed so the pipeline below is compiled once for all functions.
type Work = Pin<Box<dyn Future<Output = Result<Answer, CalibreError>> + Send>>;
/// What `run` is given: the resolved session and call options in, the work out.
type Prepare = Box<dyn FnOnce(Session, CallOptions) -> Result<Work, CalibreError>>;

/// The pipeline behind every GraphQL-backed API function. `build` turns the arguments
/// into an operation; any error becomes a rejected promise with a `CalibreError`.
pub fn call<'env>(
  env: &'env Env,
  this: &This<Unknown>,
  function: &'static str,
  options: Option<Unknown>,
  build: impl FnOnce() -> Result<Operation, CalibreError>,
) -> napi::Result<PromiseRaw<'env, Unknown<'env>>> {
  // Arguments are checked before the token, as calibre@7 destructures before it looks.
  call_operation(env, this, function, options, build())
}

/// The part of `call` that does not depend on the function: one copy in the binary instead
/// of one per API function (each was ~11 KB of inlined pipeline and task harness).
#[inline(never)]
fn call_operation<'env>(
  env: &'env Env,
  this: &This<Unknown>,
  function: &'static str,
  options: Option<Unknown>,
  op: Result<Operation, CalibreError>,
) -> napi::Result<PromiseRaw<'env, Unknown<'env>>> {
  let op = match op {
    Ok(op) => op,
    Err(err) => return js::rejected(env, err),
  };
  start(
    env,
    this,
    function,
    options,
    Box::new(|session, _| Ok(Box::pin(async move { session.execute_for_js(&op).await }))),
  )
}

/// Like `call`, for functions that do more than one request (polling, pagination):
/// `work` gets the resolved session and the call options (without the signal) and returns
/// the future producing the result's JSON text. Abort, errors and `JSON.parse` are handled here.
/// Check arguments before calling this, so argument errors win over a missing token.
pub fn run<'env, Fut>(
  env: &'env Env,
  this: &This<Unknown>,
  function: &'static str,
  options: Option<Unknown>,
  work: impl FnOnce(Session, CallOptions) -> Result<Fut, CalibreError> + 'static,
) -> napi::Result<PromiseRaw<'env, Unknown<'env>>>
where
  Fut: Future<Output = Result<String, CalibreError>> + Send + 'static,
{
  start(
    env,
    this,
    function,
    options,
    Box::new(move |session, options| {
      let work = work(session, options)?;
      Ok(Box::pin(async move { work.await.map(Answer::Text) }) as Work)
    }),
  )
}

/// Resolves the session on the JS thread, runs the work on the runtime and settles the
/// promise with `JSON.parse` of its result (or the `CalibreError`).
#[inline(never)]
fn start<'env>(
  env: &'env Env,
  this: &This<Unknown>,
  function: &'static str,
  options: Option<Unknown>,
  prepare: Prepare,
) -> napi::Result<PromiseRaw<'env, Unknown<'env>>> {
  let client = client_of(this);
  let mut options = match CallOptions::read(env, function, options) {
    Ok(options) => options,
    Err(err) => return js::rejected(env, err),
  };
  let signal = options.signal.take();
  let session = client.session(function, &options, None);
  let events = session.as_ref().ok().map(|s| Arc::clone(&s.events));
  let prepared = session.and_then(|session| prepare(session, options));
  js::spawn(
    env,
    signal,
    async move { prepared?.await },
    move |env, result| {
      if let Some(events) = events {
        client.dispatch(env, &events);
      }
      match result? {
        Answer::Text(text) => js::parse_result(env, &text),
        Answer::Whole { body, path, read } => match js::parse_success_at(env, &body, path)? {
          Some(value) => Ok(value),
          None => js::parse_result(env, &read(body)?),
        },
      }
    },
  )
}

thread_local! {
  // The module-level namespace objects of this environment, for binding to clients.
  static NAMESPACE_OBJECTS: RefCell<HashMap<&'static str, ObjectRef<false>>> = RefCell::new(HashMap::new());
}

/// Remembers this environment's module-level namespace objects so clients can bind them.
pub fn register_namespaces(exports: &Object) -> napi::Result<()> {
  for name in NAMESPACES {
    if let Ok(Some(namespace)) = exports.get::<Object>(name) {
      let reference = namespace.create_ref::<false>()?;
      NAMESPACE_OBJECTS.with(|m| m.borrow_mut().insert(name, reference));
    }
  }
  Ok(())
}

/// A client with its own token, host, timeout and throttle, exposing the same namespaces
/// as the module (`client.Site.list()`). Options not given fall back to the environment
/// per call: `CALIBRE_API_TOKEN`, the config file, `CALIBRE_HOST`, `CALIBRE_APP_HOST`.
#[napi]
pub struct Calibre {
  config: Arc<ClientConfig>,
}

#[napi]
impl Calibre {
  /// Creates a client. Throws `CALIBRE_TOKEN_INVALID` for a token with bad characters and
  /// `CALIBRE_INVALID_ARGUMENT` for malformed options; never reads the network.
  #[napi(constructor, ts_args_type = "options?: CalibreOptions")]
  pub fn new(env: Env, options: Option<Unknown>) -> napi::Result<Self> {
    let map = match options.map(|o| js::to_json(&env, o)) {
      None | Some(Ok(None)) | Some(Ok(Some(Value::Null))) => serde_json::Map::new(),
      Some(Ok(Some(Value::Object(map)))) => map,
      Some(Ok(Some(_))) | Some(Err(_)) => {
        return Err(js::throw(
          &env,
          CalibreError::invalid_argument(
            "new Calibre",
            "options must be an object like { token, host }.",
          ),
        ))
      }
    };
    let mut config = ClientConfig::from_options(&map).map_err(|e| js::throw(&env, e))?;
    // Functions do not survive the JSON conversion: read the callback from the object itself.
    if let Some(options) = options.filter(|o| o.get_type().ok() == Some(ValueType::Object)) {
      let object: Object = unsafe { Object::from_napi_value(env.raw(), options.raw())? };
      if let Some(callback) = object.get::<Unknown>("onTokenRefreshed")? {
        match callback.get_type()? {
          ValueType::Undefined | ValueType::Null => {}
          ValueType::Function => {
            let function: Function<Unknown, Unknown> =
              unsafe { Function::from_napi_value(env.raw(), callback.raw())? };
            config.on_token_refreshed = Some(function.create_ref()?);
          }
          _ => {
            return Err(js::throw(
              &env,
              CalibreError::invalid_argument(
                "new Calibre",
                "`onTokenRefreshed` must be a function.",
              ),
            ))
          }
        }
      }
    }
    Ok(Calibre {
      config: Arc::new(config),
    })
  }

  fn bind<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
    name: &'static str,
  ) -> napi::Result<Object<'env>> {
    let namespace = NAMESPACE_OBJECTS
      .with(|m| m.borrow().get(name).map(|r| r.get_value(env)))
      .ok_or_else(|| napi::Error::from_reason(format!("namespace {name} is not registered")))??;
    // `this` of every bound function: an External that keeps this client's config alive.
    let carrier = External::new(Arc::clone(&self.config));
    let carrier = unsafe {
      Unknown::from_raw_unchecked(env.raw(), External::to_napi_value(env.raw(), carrier)?)
    };
    let mut bound = Object::new(env)?;
    for key in Object::keys(&namespace)? {
      let function: Function<Unknown, Unknown> = namespace.get_named_property(&key)?;
      bound.set(&key, function.bind(carrier)?)?;
    }
    // Cache on the instance: later reads hit this own property, not the getter.
    let mut target = *this;
    target.define_properties(&[Property::new().with_utf8_name(name)?.with_value(&bound)])?;
    Ok(bound)
  }

  /// `Site` functions bound to this client.
  #[napi(getter, js_name = "Site", ts_return_type = "typeof Site")]
  pub fn site<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Site")
  }

  /// `Snapshot` functions bound to this client.
  #[napi(getter, js_name = "Snapshot", ts_return_type = "typeof Snapshot")]
  pub fn snapshot<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Snapshot")
  }

  /// `Test` functions bound to this client.
  #[napi(getter, js_name = "Test", ts_return_type = "typeof Test")]
  pub fn test<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Test")
  }

  /// `PullRequestReview` functions bound to this client.
  #[napi(
    getter,
    js_name = "PullRequestReview",
    ts_return_type = "typeof PullRequestReview"
  )]
  pub fn pull_request_review<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "PullRequestReview")
  }

  /// `TestProfile` functions bound to this client.
  #[napi(getter, js_name = "TestProfile", ts_return_type = "typeof TestProfile")]
  pub fn test_profile<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "TestProfile")
  }

  /// `Agent` functions bound to this client.
  #[napi(getter, js_name = "Agent", ts_return_type = "typeof Agent")]
  pub fn agent<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Agent")
  }

  /// `Page` functions bound to this client.
  #[napi(getter, js_name = "Page", ts_return_type = "typeof Page")]
  pub fn page<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Page")
  }

  /// `Connection` functions bound to this client.
  #[napi(getter, js_name = "Connection", ts_return_type = "typeof Connection")]
  pub fn connection<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Connection")
  }

  /// `Device` functions bound to this client.
  #[napi(getter, js_name = "Device", ts_return_type = "typeof Device")]
  pub fn device<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Device")
  }

  /// `SnapshotMetrics` functions bound to this client.
  #[napi(
    getter,
    js_name = "SnapshotMetrics",
    ts_return_type = "typeof SnapshotMetrics"
  )]
  pub fn snapshot_metrics<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "SnapshotMetrics")
  }

  /// `GraphQL` functions bound to this client.
  #[napi(getter, js_name = "GraphQL", ts_return_type = "typeof GraphQL")]
  pub fn graphql<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "GraphQL")
  }

  /// `TimeSeries` functions bound to this client.
  #[napi(getter, js_name = "TimeSeries", ts_return_type = "typeof TimeSeries")]
  pub fn time_series<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "TimeSeries")
  }

  /// `Deploy` functions bound to this client.
  #[napi(getter, js_name = "Deploy", ts_return_type = "typeof Deploy")]
  pub fn deploy<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Deploy")
  }

  /// `Integration` functions bound to this client.
  #[napi(getter, js_name = "Integration", ts_return_type = "typeof Integration")]
  pub fn integration<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Integration")
  }

  /// `MetricBudget` functions bound to this client.
  #[napi(
    getter,
    js_name = "MetricBudget",
    ts_return_type = "typeof MetricBudget"
  )]
  pub fn metric_budget<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "MetricBudget")
  }

  /// `AgentSettings` functions bound to this client.
  #[napi(
    getter,
    js_name = "AgentSettings",
    ts_return_type = "typeof AgentSettings"
  )]
  pub fn agent_settings<'env>(
    &self,
    env: &'env Env,
    this: This<Object>,
  ) -> napi::Result<Object<'env>> {
    self.bind(env, this, "AgentSettings")
  }

  /// `Crux` functions bound to this client.
  #[napi(getter, js_name = "Crux", ts_return_type = "typeof Crux")]
  pub fn crux<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Crux")
  }

  /// `Rum` functions bound to this client.
  #[napi(getter, js_name = "Rum", ts_return_type = "typeof Rum")]
  pub fn rum<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Rum")
  }

  /// `Token` functions bound to this client.
  #[napi(getter, js_name = "Token", ts_return_type = "typeof Token")]
  pub fn token<'env>(&self, env: &'env Env, this: This<Object>) -> napi::Result<Object<'env>> {
    self.bind(env, this, "Token")
  }
}
