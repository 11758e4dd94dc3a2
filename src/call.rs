//! The one call pipeline. Every entry point (the API functions, `Token.*`, the `iterate`
//! helpers, the CLI) goes through it:
//!
//! 1. `Call::begin`, on the JS thread: read the `{ signal, timeoutMs, ... }` options and take
//!    a snapshot of `process.env` (`js::capture_env`);
//! 2. the entry point checks its own arguments (`prepare`);
//! 3. `Call::session`: decide where the token comes from (`auth::chain`; a `token` function
//!    is called here), the URLs and the config path, into a `Session` that shares the
//!    client's config;
//! 4. `launch`: run the work on the runtime, under the call's `AbortSignal`;
//! 5. back on the JS thread: report the session's token events (`report`), then `settle` the
//!    promise (by default `JSON.parse` of the result text).
//!
//! Argument errors reject without starting the runtime; every failure is a `CalibreError`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use napi::bindgen_prelude::*;
// Explicit import: wins over napi's one-parameter `Result` from the glob above.
use napi::{Env, JsValue};
use std::result::Result;

use crate::auth;
use crate::cancel::AbortFlag;
use crate::client::client_of;
use crate::config::{ClientConfig, TokenOption};
use crate::diagnostics;
use crate::env::EnvSnapshot;
use crate::error::{CalibreError, TokenSource};
use crate::graphql::Operation;
use crate::js::{self, CallOptions, SignalHook};
use crate::session::{Answer, Events, PromisedToken, RefreshInfo, Session, TokenEvent};
use crate::token_function;
use crate::transport::EventQueue;

/// Steps 1 and 3: one call's options and environment, read on the JS thread.
pub struct Call {
  /// The JS environment the call started in (a `token` function is called there).
  js: Env,
  pub function: &'static str,
  pub client: Arc<ClientConfig>,
  /// The options object without its signal.
  pub options: CallOptions,
  signal: Option<SignalHook>,
  pub env: EnvSnapshot,
  /// Where the call's HTTP attempts are queued for `diagnostics_channel`, when it has
  /// subscribers.
  events: Option<Arc<EventQueue>>,
}

impl Call {
  /// Reads the options object and the caller's environment.
  pub fn begin(
    env: &Env,
    client: Arc<ClientConfig>,
    function: &'static str,
    options: Option<Unknown>,
  ) -> Result<Call, CalibreError> {
    let mut options = CallOptions::read(env, function, options)?;
    let (vars, events) = Call::environment(env);
    Ok(Call {
      js: *env,
      function,
      client,
      signal: options.signal.take(),
      options,
      env: vars,
      events,
    })
  }

  /// The `process.env` snapshot, and the event queue when a request channel has subscribers
  /// (one JS call for both; nothing more when unobserved).
  fn environment(env: &Env) -> (EnvSnapshot, Option<Arc<EventQueue>>) {
    let (vars, observed) = js::capture_call(env);
    (vars, observed.then(|| diagnostics::queue(env)).flatten())
  }

  /// A call without an options object (the CLI), on `client`.
  pub fn plain(env: &Env, client: Arc<ClientConfig>, function: &'static str) -> Call {
    let (vars, events) = Call::environment(env);
    Call {
      js: *env,
      function,
      client,
      options: CallOptions::default(),
      signal: None,
      env: vars,
      events,
    }
  }

  /// The session for this call; `token_override` beats the client's token option.
  pub fn session(&self, token_override: Option<&str>) -> Result<Session, CalibreError> {
    let token_override = token_override
      .map(|raw| auth::given(raw, TokenSource::Option).map(|t| t.token))
      .transpose()?;
    self.session_for(self.function, token_override.as_ref())
  }

  /// A session named `function` (one CLI run makes its calls under the command's name).
  pub fn session_as(&self, function: &'static str) -> Result<Session, CalibreError> {
    self.session_for(function, None)
  }

  /// Step 3: decides where the token comes from (`auth::chain`), calls a `token` function, and
  /// captures the whole `process.env` for a token command, here on the JS thread.
  fn session_for(
    &self,
    function: &'static str,
    token_override: Option<&auth::ApiToken>,
  ) -> Result<Session, CalibreError> {
    let TokenStart {
      decision,
      promise,
      child_env,
    } = start_token(&self.js, &self.client, &self.env, token_override, function)?;
    Session::new(
      Arc::clone(&self.client),
      function,
      &self.env,
      self.options.timeout,
      decision,
      promise,
      child_env,
    )
    .map(|session| session.with_events(self.events.clone()))
  }

  /// The call's abort flag (raised by its `AbortSignal`).
  pub fn abort_flag(&self) -> Option<Arc<AbortFlag>> {
    self.signal.as_ref().map(|s| Arc::clone(&s.flag))
  }

  /// Hands the `AbortSignal` listener to an entry point that removes it itself (`iterate`).
  pub fn take_signal(&mut self) -> Option<SignalHook> {
    self.signal.take()
  }
}

/// The part of deciding a call's token that needs the JS thread: the chain's decision, a
/// `token` function called (its string, or the promise it returned), and the whole
/// `process.env` when a token command will run.
pub struct TokenStart {
  pub decision: auth::Decision,
  pub promise: Option<PromisedToken>,
  pub child_env: Vec<(String, String)>,
}

/// Decides `client`'s token for the call named `caller` (see `TokenStart`).
pub fn start_token(
  js: &Env,
  client: &ClientConfig,
  env: &EnvSnapshot,
  token_override: Option<&auth::ApiToken>,
  caller: &str,
) -> Result<TokenStart, CalibreError> {
  let decision = client.decide_token(token_override, env)?;
  let mut promise = None;
  let decision = match (&decision.plan, &client.token) {
    (auth::Plan::Function, TokenOption::Function(function_ref)) => {
      match token_function::call(js, function_ref, caller)? {
        token_function::Called::Now(token) => auth::Decision {
          plan: auth::Plan::Ready(token),
          host: None,
        },
        token_function::Called::Later(later) => {
          promise = Some(later);
          decision
        }
      }
    }
    _ => decision,
  };
  let child_env = if decision.plan.runs_command() {
    js::capture_whole_env(js)
  } else {
    Vec::new()
  };
  Ok(TokenStart {
    decision,
    promise,
    child_env,
  })
}

/// Steps 4 and 5: runs `work` on the runtime under `signal`; back on the JS thread, hands the
/// token events to `report`, then settles with `settle`.
pub fn launch<'env, T, W, R, S>(
  env: &'env Env,
  signal: Option<SignalHook>,
  events: Option<Events>,
  report: R,
  work: W,
  settle: S,
) -> napi::Result<PromiseRaw<'env, Unknown<'env>>>
where
  T: Send + 'static,
  W: Future<Output = Result<T, CalibreError>> + Send + 'static,
  R: FnOnce(&Env, Vec<TokenEvent>) + 'static,
  S: for<'a> FnOnce(&'a Env, T) -> Result<Unknown<'a>, CalibreError> + 'static,
{
  js::spawn(env, signal, work, move |env, result| {
    // Every event of the call's requests is published before the call settles.
    diagnostics::flush(env);
    if let Some(events) = events {
      let events = std::mem::take(&mut *events.lock().unwrap_or_else(|p| p.into_inner()));
      report(env, events);
    }
    settle(env, result?)
  })
}

/// The whole pipeline for a function of the JS API: `prepare` checks the call's own
/// arguments (and may name a token that beats the client's), `work` gets the session and
/// runs on the runtime, `settle` builds the JS result. Token events go to the client
/// (`onTokenRefreshed`, a warning for a failed automatic refresh).
pub fn start<'env, P, T, Fut, S>(
  env: &'env Env,
  this: &This<Unknown>,
  function: &'static str,
  options: Option<Unknown>,
  prepare: impl FnOnce(&Call) -> Result<(Option<String>, P), CalibreError>,
  work: impl FnOnce(Session, CallOptions, P) -> Result<Fut, CalibreError>,
  settle: S,
) -> napi::Result<PromiseRaw<'env, Unknown<'env>>>
where
  T: Send + 'static,
  Fut: Future<Output = Result<T, CalibreError>> + Send + 'static,
  S: for<'a> FnOnce(&'a Env, T) -> Result<Unknown<'a>, CalibreError> + 'static,
{
  let client = client_of(this);
  let mut call = match Call::begin(env, client, function, options) {
    Ok(call) => call,
    Err(err) => return js::rejected(env, err),
  };
  let signal = call.take_signal();
  let client = Arc::clone(&call.client);
  let prepared = prepare(&call).and_then(|(token, input)| {
    let session = call.session(token.as_deref())?;
    let events = Arc::clone(&session.events);
    Ok((work(session, call.options, input)?, events))
  });
  let (work, events) = match prepared {
    Ok((work, events)) => (Ok(work), Some(events)),
    Err(err) => (Err(err), None),
  };
  launch(
    env,
    signal,
    events,
    move |env, events| dispatch(&client, env, events),
    async move { work?.await },
    settle,
  )
}

/// The future behind a call that settles with JSON, boxed so the pipeline is compiled once
/// for every API function (each copy was ~11 KB of inlined pipeline and task harness).
type JsonWork = Pin<Box<dyn Future<Output = Result<Answer, CalibreError>> + Send>>;
type JsonPrepare = Box<dyn FnOnce(Session, CallOptions) -> Result<JsonWork, CalibreError>>;

/// A call of one GraphQL operation. `build` turns the arguments into the operation; it runs
/// first, as calibre@7 destructures its arguments before it looks for a token.
pub fn call<'env>(
  env: &'env Env,
  this: &This<Unknown>,
  function: &'static str,
  options: Option<Unknown>,
  build: impl FnOnce() -> Result<Operation, CalibreError>,
) -> napi::Result<PromiseRaw<'env, Unknown<'env>>> {
  call_operation(env, this, function, options, build())
}

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
  json_call(
    env,
    this,
    function,
    options,
    Box::new(|session, _| Ok(Box::pin(async move { session.execute_for_js(&op).await }))),
  )
}

/// Like `call`, for functions that do more than one request (polling): `work` gets the
/// session and the call options and returns the future producing the result's JSON text.
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
  json_call(
    env,
    this,
    function,
    options,
    Box::new(move |session, options| {
      let work = work(session, options)?;
      Ok(Box::pin(async move { work.await.map(Answer::Text) }) as JsonWork)
    }),
  )
}

#[inline(never)]
fn json_call<'env>(
  env: &'env Env,
  this: &This<Unknown>,
  function: &'static str,
  options: Option<Unknown>,
  work: JsonPrepare,
) -> napi::Result<PromiseRaw<'env, Unknown<'env>>> {
  start(
    env,
    this,
    function,
    options,
    |_| Ok((None, ())),
    |session, options, ()| work(session, options),
    |env, answer| match answer {
      Answer::Text(text) => js::parse_result(env, &text),
      // A large success is parsed whole by V8; anything else is read in Rust for the error.
      Answer::Whole { body, path, read } => match js::parse_success_at(env, &body, path)? {
        Some(value) => Ok(value),
        None => js::parse_result(env, &read(body)?),
      },
    },
  )
}

/// Tells the JS side what happened to tokens during a call: `onTokenRefreshed(info)` for a
/// refresh, one process warning for a failed automatic refresh.
pub fn dispatch(client: &ClientConfig, env: &Env, events: Vec<TokenEvent>) {
  for event in events {
    let _ = match event {
      TokenEvent::Refreshed(info) => notify_refreshed(client, env, &info),
      TokenEvent::RefreshFailed(err) => js::emit_warning(
        env,
        &format!("Automatic refresh of the Calibre API token failed; the current token is used until it expires. {}", err.message),
        "CALIBRE_TOKEN_REFRESH_FAILED",
      ),
    };
  }
}

fn notify_refreshed(client: &ClientConfig, env: &Env, info: &RefreshInfo) -> napi::Result<()> {
  let Some(callback) = &client.on_token_refreshed else {
    return Ok(());
  };
  let info = refresh_info(env, info)?;
  if callback.borrow_back(env)?.call(info.to_unknown()).is_err() {
    // A throwing callback must not break the call that triggered the refresh.
    js::clear_exception(env);
  }
  Ok(())
}

/// `{ token, expiresAt, persisted }` as `Token.refresh()` returns it (also given to
/// `onTokenRefreshed`, with `source`).
pub fn refresh_info<'env>(env: &'env Env, info: &RefreshInfo) -> napi::Result<Object<'env>> {
  let mut out = Object::new(env)?;
  out.set("token", info.token.expose())?;
  out.set("expiresAt", info.expires_at.as_deref())?;
  out.set("persisted", info.persisted)?;
  out.set("source", info.source.kind())?;
  Ok(out)
}
