//! A `token` function (`new Calibre({ token: async () => getSecret() })`), called on the JS
//! thread when a call starts. A string is used at once; a promise is awaited by the call's
//! session; a throw or a rejection fails that call, with what was thrown as `err.cause`.

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::*;
use napi::{Env, JsValue, ValueType};
// Explicit import: wins over napi's one-parameter `Result` from the glob above.
use std::result::Result;

use crate::auth::{self, ResolvedToken};
use crate::error::{CalibreError, ErrorCode, JsCause, TokenSource};
use crate::session::PromisedToken;

/// What calling the function gave.
pub enum Called {
  Now(ResolvedToken),
  /// A promise: its outcome arrives on the JS thread and is sent to the session.
  Later(PromisedToken),
}

type Sender = Arc<Mutex<Option<tokio::sync::oneshot::Sender<Result<ResolvedToken, CalibreError>>>>>;

fn failed(caller: &str, what: &str) -> CalibreError {
  CalibreError::new(
    ErrorCode::TokenMissing,
    format!("{caller}: the `token` function {what}, so no request was made."),
  )
  .with_token_source(TokenSource::Function)
}

/// `value` kept as the cause of an error (a napi reference, released when the error reaches JS).
fn cause(env: &Env, value: napi::sys::napi_value) -> Option<Arc<JsCause>> {
  let mut reference = std::ptr::null_mut();
  let status = unsafe { napi::sys::napi_create_reference(env.raw(), value, 1, &mut reference) };
  (status == napi::sys::Status::napi_ok).then(|| {
    Arc::new(JsCause {
      env: env.raw() as usize,
      reference: Mutex::new(Some(reference as usize)),
    })
  })
}

/// The token in what the function returned or its promise resolved to.
fn token_from(caller: &str, value: Unknown, env: &Env) -> Result<ResolvedToken, CalibreError> {
  match value.get_type() {
    Ok(ValueType::String) => {
      let text = unsafe { String::from_napi_value(env.raw(), value.raw()) }
        .map_err(|_| failed(caller, "returned a string that could not be read"))?;
      auth::given(&text, TokenSource::Function).map_err(|err| match err.code {
        // `given` speaks of the option; say it was the function's result.
        ErrorCode::TokenMissing => failed(caller, "returned a blank token"),
        _ => err,
      })
    }
    Ok(other) => Err(failed(
      caller,
      &format!(
        "returned {}, not a string (or a promise of one)",
        kind(other)
      ),
    )),
    Err(_) => Err(failed(caller, "returned a value that could not be read")),
  }
}

fn kind(t: ValueType) -> &'static str {
  match t {
    ValueType::Undefined => "undefined",
    ValueType::Null => "null",
    ValueType::Boolean => "a boolean",
    ValueType::Number => "a number",
    ValueType::Object => "an object",
    ValueType::Function => "a function",
    _ => "something else",
  }
}

/// Calls `function` for the call named `caller`.
pub fn call(
  env: &Env,
  function: &FunctionRef<(), Unknown<'static>>,
  caller: &str,
) -> Result<Called, CalibreError> {
  let function = function
    .borrow_back(env)
    .map_err(|_| failed(caller, "is no longer available"))?;
  let value = match function.call(()) {
    Ok(value) => value,
    Err(thrown) => {
      // The thrown value itself, as napi kept it, becomes the cause.
      let raw = unsafe { napi::Error::to_napi_value(env.raw(), thrown) }.ok();
      let mut err = failed(caller, "threw");
      err.cause = raw.and_then(|raw| cause(env, raw));
      return Err(err);
    }
  };
  if !value.is_promise().unwrap_or(false) {
    return token_from(caller, value, env).map(Called::Now);
  }
  let (send, receive) = tokio::sync::oneshot::channel();
  let send: Sender = Arc::new(Mutex::new(Some(send)));
  let deliver = |send: &Sender, outcome| {
    if let Some(send) = send.lock().unwrap_or_else(|p| p.into_inner()).take() {
      let _ = send.send(outcome);
    }
  };
  let promise = unsafe { PromiseRaw::<Unknown>::from_napi_value(env.raw(), value.raw()) }
    .map_err(|_| failed(caller, "returned a promise that could not be read"))?;
  let caller_then = caller.to_owned();
  let send_then = Arc::clone(&send);
  let caller_catch = caller.to_owned();
  let send_catch = send;
  let chained = promise.then(move |ctx| {
    deliver(&send_then, token_from(&caller_then, ctx.value, &ctx.env));
    Ok(())
  });
  let attached = chained.and_then(|then| {
    then.catch(move |ctx: CallbackContext<Unknown>| {
      let mut err = failed(&caller_catch, "rejected");
      err.cause = cause(&ctx.env, ctx.value.raw());
      deliver(&send_catch, Err(err));
      Ok(())
    })
  });
  attached.map_err(|_| failed(caller, "returned a promise that could not be awaited"))?;
  Ok(Called::Later(receive))
}
