//! The JS boundary: the `CalibreError` class, argument conversion with JSON.stringify
//! semantics, `AbortSignal` wiring, and handing results to V8's `JSON.parse`.

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi::{check_status, Env, JsString, JsValue, ValueType};
use serde_json::{Map, Value};

use crate::cancel::{abortable, AbortFlag};
use crate::env::{EnvSnapshot, VARS};
use crate::error::{CalibreError, ErrorCode};
use crate::runtime;

/// Where a JS function of one Node environment is kept: each environment (the main thread or a
/// worker) has a thread of its own.
type FunctionCell = std::thread::LocalKey<RefCell<Option<ObjectRef<false>>>>;

thread_local! {
  static ERROR_CLASS: RefCell<Option<ObjectRef<false>>> = const { RefCell::new(None) };
  static ENV_READER: RefCell<Option<ObjectRef<false>>> = const { RefCell::new(None) };
  // Every call converts its arguments and parses its result: looking these up on the global
  // object each time showed in profiles of back-to-back calls.
  static JSON_PARSE: RefCell<Option<ObjectRef<false>>> = const { RefCell::new(None) };
  static JSON_STRINGIFY: RefCell<Option<ObjectRef<false>>> = const { RefCell::new(None) };
  static SUCCESS_AT_FUNCTION: RefCell<Option<ObjectRef<false>>> = const { RefCell::new(None) };
}

/// The function `script` evaluates to, evaluated by this environment's first use and kept in
/// `cell` after.
fn function_of<'env, Args: JsValuesTupleIntoVec, Return: FromNapiValue>(
  cell: &'static FunctionCell,
  env: &'env Env,
  script: impl FnOnce() -> String,
) -> Result<Function<'env, Args, Return>> {
  cell.with(|cell| {
    let mut cell = cell.borrow_mut();
    let function: Object = match cell.as_ref() {
      Some(function) => function.get_value(env)?,
      None => {
        let function: Unknown = env.run_script(script())?;
        // SAFETY: every script given here evaluates to a function, which is an object.
        let function: Object = unsafe { function.cast() }?;
        *cell = Some(function.create_ref()?);
        function
      }
    };
    // SAFETY: as above, a function.
    unsafe { Function::from_napi_value(env.raw(), function.raw()) }
  })
}

/// The `CalibreError` constructor of this environment.
pub fn error_class(env: &Env) -> Result<Function<'_, FnArgs<(String, Object<'_>)>, Unknown<'_>>> {
  function_of(&ERROR_CLASS, env, || {
    include_str!("calibre_error.js").to_owned()
  })
}

/// Builds the JS `CalibreError` for `err` and wraps it so napi throws or rejects with it.
pub fn error_to_js(env: &Env, err: CalibreError) -> napi::Error {
  match build_error(env, &err) {
    Ok(value) => napi::Error::from(value),
    // Building the object failed (out of memory?): still surface the code and message.
    Err(_) => napi::Error::new(
      Status::GenericFailure,
      format!("{}: {}", err.code.as_str(), err.message),
    ),
  }
}

fn build_error<'env>(env: &'env Env, err: &CalibreError) -> Result<Unknown<'env>> {
  let mut fields = Object::new(env)?;
  fields.set("code", err.code.as_str())?;
  fields.set("status", err.status.map(u32::from))?;
  fields.set("errors", env.to_js_value(&err.errors)?)?;
  if let Some(response) = &err.response {
    let mut headers = Object::new(env)?;
    for (name, value) in &response.headers {
      headers.set(name, value.as_str())?;
    }
    let mut r = Object::new(env)?;
    r.set("status", u32::from(response.status))?;
    r.set("headers", headers)?;
    r.set("body", response.body.as_str())?;
    fields.set("response", r)?;
  }
  if let Some(request) = &err.request {
    let mut r = Object::new(env)?;
    r.set("query", request.query.as_str())?;
    r.set("variables", env.to_js_value(&request.variables)?)?;
    fields.set("request", r)?;
  }
  if let Some(source) = &err.token_source {
    fields.set("tokenSource", source.kind())?;
    if let Some(path) = source.path() {
      fields.set("tokenPath", path.to_string_lossy().as_ref())?;
    }
  }
  fields.set("attempts", err.attempts)?;
  let error = error_class(env)?.new_instance((err.message.clone(), fields).into())?;
  if let Some(cause) = &err.cause {
    set_cause(env, &error, cause)?;
  }
  Ok(error)
}

/// `error.cause = <what the user's code threw>`, releasing the reference that kept it. A cause
/// from another JS environment (a worker) is left alone.
fn set_cause(env: &Env, error: &Unknown, cause: &crate::error::JsCause) -> Result<()> {
  if cause.env != env.raw() as usize {
    return Ok(());
  }
  let Some(reference) = cause
    .reference
    .lock()
    .unwrap_or_else(|p| p.into_inner())
    .take()
  else {
    return Ok(());
  };
  let reference = reference as napi::sys::napi_ref;
  let mut value = std::ptr::null_mut();
  let got = unsafe { napi::sys::napi_get_reference_value(env.raw(), reference, &mut value) };
  unsafe { napi::sys::napi_delete_reference(env.raw(), reference) };
  if got == napi::sys::Status::napi_ok && !value.is_null() {
    let mut object: Object = unsafe { Object::from_napi_value(env.raw(), error.raw())? };
    object.set("cause", unsafe {
      Unknown::from_raw_unchecked(env.raw(), value)
    })?;
  }
  Ok(())
}

/// `JSON.parse(text)` in V8: much faster than building objects from serde values.
pub fn json_parse<'env>(env: &'env Env, text: &str) -> Result<Unknown<'env>> {
  let parse: Function<JsString, Unknown> = function_of(&JSON_PARSE, env, || "JSON.parse".into())?;
  parse.call(env.create_string(text)?)
}

/// The value as `JSON.stringify` sees it: `undefined` keys dropped, `null` kept, Dates as
/// ISO strings, `NaN` as null. `None` for `undefined` itself (and functions, symbols).
pub fn to_json(env: &Env, value: Unknown) -> std::result::Result<Option<Value>, String> {
  if value.get_type().map_err(|e| e.reason.clone())? == ValueType::Undefined {
    return Ok(None);
  }
  let stringify: Function<Unknown, Unknown> =
    function_of(&JSON_STRINGIFY, env, || "JSON.stringify".into()).map_err(|e| e.reason.clone())?;
  // A throw here (BigInt, circular structure) is left pending by napi: clear it, report it.
  let text = match stringify.call(value) {
    Ok(text) => text,
    Err(err) => return Err(take_exception(env).unwrap_or(err.reason)),
  };
  if text.get_type().map_err(|e| e.reason.clone())? != ValueType::String {
    return Ok(None);
  }
  let text: String =
    unsafe { String::from_napi_value(env.raw(), text.raw()) }.map_err(|e| e.reason.clone())?;
  serde_json::from_str(&text)
    .map(Some)
    .map_err(|e| e.to_string())
}

/// A function's object argument after JSON conversion; keys absent when they were
/// `undefined`, as they would be on calibre@7's wire.
pub struct Args {
  pub function: &'static str,
  map: Map<String, Value>,
}

impl Args {
  /// Requires a plain object (what calibre@7 destructures).
  pub fn object(
    env: &Env,
    function: &'static str,
    value: Unknown,
    shape: &str,
  ) -> std::result::Result<Args, CalibreError> {
    match to_json(env, value) {
      Ok(Some(Value::Object(map))) => Ok(Args { function, map }),
      Ok(_) => Err(CalibreError::invalid_argument(
        function,
        format!("expects an object argument like {shape}."),
      )),
      Err(why) => Err(CalibreError::invalid_argument(
        function,
        format!("its argument cannot be sent as JSON ({why})."),
      )),
    }
  }

  pub fn from_map(function: &'static str, map: Map<String, Value>) -> Args {
    Args { function, map }
  }

  /// The value, or `None` when the key was absent/undefined.
  pub fn get(&self, key: &str) -> Option<Value> {
    self.map.get(key).cloned()
  }

  /// JS truthiness of the (JSON-converted) value.
  pub fn truthy(&self, key: &str) -> bool {
    self.map.get(key).is_some_and(truthy)
  }

  /// A required string argument.
  pub fn string(&self, key: &str) -> std::result::Result<String, CalibreError> {
    match self.map.get(key) {
      Some(Value::String(s)) => Ok(s.clone()),
      Some(other) => Err(CalibreError::invalid_argument(
        self.function,
        format!("`{key}` must be a string, got {}.", kind(other)),
      )),
      None => Err(CalibreError::invalid_argument(
        self.function,
        format!("`{key}` is required."),
      )),
    }
  }

  pub fn into_map(self) -> Map<String, Value> {
    self.map
  }
}

pub fn truthy(value: &Value) -> bool {
  match value {
    Value::Null => false,
    Value::Bool(b) => *b,
    Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
    Value::String(s) => !s.is_empty(),
    Value::Array(_) | Value::Object(_) => true,
  }
}

pub fn kind(value: &Value) -> &'static str {
  match value {
    Value::Null => "null",
    Value::Bool(_) => "a boolean",
    Value::Number(_) => "a number",
    Value::String(_) => "a string",
    Value::Array(_) => "an array",
    Value::Object(_) => "an object",
  }
}

/// Reads a positional string argument (`Test.getTestByUuid(uuid)`).
pub fn positional_string(
  env: &Env,
  function: &'static str,
  name: &str,
  value: Unknown,
) -> std::result::Result<String, CalibreError> {
  match to_json(env, value) {
    Ok(Some(Value::String(s))) => Ok(s),
    Ok(Some(Value::Number(n))) => Ok(n.to_string()),
    Ok(other) => Err(CalibreError::invalid_argument(
      function,
      format!(
        "`{name}` must be a string, got {}.",
        other.as_ref().map(kind).unwrap_or("undefined")
      ),
    )),
    Err(why) => Err(CalibreError::invalid_argument(function, why)),
  }
}

/// The trailing `{ signal, timeoutMs, ... }` object every function accepts.
#[derive(Default)]
pub struct CallOptions {
  pub timeout: Option<Duration>,
  pub signal: Option<SignalHook>,
  /// Everything else in the object, JSON-converted (e.g. `intervalMs`, `token`, `persist`).
  pub rest: Map<String, Value>,
}

impl CallOptions {
  pub fn read(
    env: &Env,
    function: &'static str,
    options: Option<Unknown>,
  ) -> std::result::Result<CallOptions, CalibreError> {
    // A getter or Proxy trap that throws leaves a JS exception pending, which would throw
    // out of the promise-returning function: take it, and reject with it instead.
    Self::read_options(env, function, options).map_err(|mut err| {
      if let Some(thrown) = take_exception(env) {
        err.message = format!("{function}: the options argument could not be read: {thrown}.");
      }
      err
    })
  }

  fn read_options(
    env: &Env,
    function: &'static str,
    options: Option<Unknown>,
  ) -> std::result::Result<CallOptions, CalibreError> {
    let mut out = CallOptions {
      timeout: None,
      signal: None,
      rest: Map::new(),
    };
    let Some(options) = options else {
      return Ok(out);
    };
    match options.get_type().unwrap_or(ValueType::Undefined) {
      ValueType::Undefined | ValueType::Null => return Ok(out),
      ValueType::Object => {}
      _ => {
        return Err(CalibreError::invalid_argument(
          function,
          "the options argument must be an object like { signal, timeoutMs }.",
        ))
      }
    }
    let object: Object = unsafe { Object::from_napi_value(env.raw(), options.raw()) }
      .map_err(|e| CalibreError::invalid_argument(function, e.reason))?;
    let signal: Option<Unknown> = object
      .get("signal")
      .map_err(|e| CalibreError::invalid_argument(function, e.reason))?;
    if let Some(signal) = signal.filter(|s| s.get_type().ok() == Some(ValueType::Object)) {
      out.signal = Some(SignalHook::attach(env, function, signal)?);
    }
    let json = to_json(env, options).map_err(|why| {
      CalibreError::invalid_argument(
        function,
        format!("the options argument could not be read: {why}."),
      )
    })?;
    if let Some(Value::Object(mut rest)) = json {
      rest.shift_remove("signal");
      if let Some(ms) = rest.shift_remove("timeoutMs") {
        match ms.as_f64() {
          Some(ms) if ms > 0.0 && ms.is_finite() => {
            out.timeout = Some(Duration::from_millis(ms as u64))
          }
          _ => {
            return Err(CalibreError::invalid_argument(
              function,
              "`timeoutMs` must be a positive number of milliseconds.",
            ))
          }
        }
      }
      out.rest = rest;
    }
    Ok(out)
  }
}

/// `signal.addEventListener('abort', listener)`.
type AddEventListener<'a> = Function<'a, FnArgs<(&'a str, Function<'a, (), ()>)>, Unknown<'a>>;

/// An `abort` listener on the caller's `AbortSignal`, removed when the call settles so a
/// long-lived signal does not collect listeners.
pub struct SignalHook {
  pub flag: Arc<AbortFlag>,
  signal: ObjectRef<false>,
  listener: ObjectRef<false>,
}

impl SignalHook {
  fn attach(
    env: &Env,
    function: &'static str,
    signal: Unknown,
  ) -> std::result::Result<SignalHook, CalibreError> {
    let bad = |why: String| {
      CalibreError::invalid_argument(
        function,
        format!("`signal` must be an AbortSignal ({why})."),
      )
    };
    let signal: Object =
      unsafe { Object::from_napi_value(env.raw(), signal.raw()) }.map_err(|e| bad(e.reason))?;
    let flag = Arc::new(AbortFlag::default());
    if signal
      .get::<bool>("aborted")
      .map_err(|e| bad(e.reason))?
      .unwrap_or(false)
    {
      flag.abort();
    }
    let on_abort = Arc::clone(&flag);
    let listener = env
      .create_function_from_closure::<(), (), _>("onCalibreAbort", move |_| {
        on_abort.abort();
        Ok(())
      })
      .map_err(|e| bad(e.reason))?;
    let add: AddEventListener = signal
      .get_named_property("addEventListener")
      .map_err(|e| bad(e.reason))?;
    add
      .apply(signal, ("abort", listener).into())
      .map_err(|e| bad(e.reason))?;
    let listener: Object =
      unsafe { Object::from_napi_value(env.raw(), listener.raw()) }.map_err(|e| bad(e.reason))?;
    Ok(SignalHook {
      flag,
      signal: signal.create_ref().map_err(|e| bad(e.reason))?,
      listener: listener.create_ref().map_err(|e| bad(e.reason))?,
    })
  }

  pub fn detach(self, env: &Env) {
    let _ = (|| -> Result<()> {
      let signal = self.signal.get_value(env)?;
      let listener = self.listener.get_value(env)?;
      let remove: Function<FnArgs<(&str, Object)>, Unknown> =
        signal.get_named_property("removeEventListener")?;
      remove.apply(signal, ("abort", listener).into())?;
      Ok(())
    })();
    let _ = self.signal.unref(env);
    let _ = self.listener.unref(env);
  }
}

/// Runs `work` on the runtime and settles a promise on the JS thread through `settle` (an
/// `Err` it returns rejects). The abort listener (if any) is removed first. A panic in `work`
/// rejects with a plain `Error` (a bug to report) rather than leaving the promise pending.
pub fn spawn<'env, T, F, C>(
  env: &'env Env,
  signal: Option<SignalHook>,
  work: F,
  settle: C,
) -> Result<PromiseRaw<'env, Unknown<'env>>>
where
  T: Send + 'static,
  F: Future<Output = std::result::Result<T, CalibreError>> + Send + 'static,
  C: for<'a> FnOnce(
      &'a Env,
      std::result::Result<T, CalibreError>,
    ) -> std::result::Result<Unknown<'a>, CalibreError>
    + 'static,
{
  let runtime = runtime::get(|| env_var(env, "TOKIO_WORKER_THREADS")).map_err(|e| {
    napi::Error::from_reason(format!(
      "calibre-native could not start its I/O thread: {e}"
    ))
  })?;
  let mut deferred = std::ptr::null_mut();
  let mut promise = std::ptr::null_mut();
  check_status!(unsafe { napi::sys::napi_create_promise(env.raw(), &mut deferred, &mut promise) })?;
  let completions = completions_start(env)?;
  let deferred = Deferred(deferred);
  let settle = Settle(settle, signal);
  let flag = settle.1.as_ref().map(|s| Arc::clone(&s.flag));
  runtime.spawn(async move {
    let out = runtime::CatchUnwind::new(abortable(flag.as_deref(), work)).await;
    runtime::stay_awake();
    let out = out.map_err(|panic| {
      format!(
        "calibre-native internal error (please report it): {}",
        runtime::panic_message(panic.as_ref())
      )
    });
    completions.push(Box::new(move |env: &Env| {
      let value = match out {
        Ok(out) => settle.run(*env, out),
        Err(message) => Err(napi::Error::from_reason(message)),
      };
      deferred.settle(env, value);
    }));
  });
  Ok(PromiseRaw::new(env.raw(), promise))
}

/// A call's `napi_deferred`: created and settled on the JS thread, carried by the runtime.
struct Deferred(napi::sys::napi_deferred);

// SAFETY: the handle is only passed through the runtime's thread; it is used (once) on the JS
// thread that created it, by the completion that owns it.
unsafe impl Send for Deferred {}

impl Deferred {
  /// Resolves with the value, or rejects with the error's JS value (as napi's `JsDeferred`).
  fn settle(self, env: &Env, value: Result<Unknown<'static>>) {
    let raw = env.raw();
    unsafe {
      match value {
        Ok(value) => {
          napi::sys::napi_resolve_deferred(raw, self.0, value.raw());
        }
        Err(err) => {
          let error = ToNapiValue::to_napi_value(raw, err)
            .or_else(|e| ToNapiValue::to_napi_value(raw, napi::Error::from_reason(e.reason)));
          if let Ok(error) = error {
            napi::sys::napi_reject_deferred(raw, self.0, error);
          }
        }
      }
    }
  }
}

/// Work to finish on the JS thread: a call's settle.
type Completion = Box<dyn FnOnce(&Env) + Send>;

/// The calls of one JS environment that finished on the runtime, waiting for its thread. One
/// queue and one threadsafe function per environment: napi's `JsDeferred` creates a
/// threadsafe function and an environment clean-up hook per call, and releasing it wakes the
/// JS thread a second time, which a caller awaiting one call after another paid on every call.
/// Here the first completion of a batch wakes the thread once and it settles them all.
struct Completions {
  done: std::sync::Mutex<Vec<Completion>>,
  /// Asks the environment's thread to run `drain` (non-blocking).
  wake: Box<dyn Fn() + Send + Sync>,
}

impl Completions {
  fn push(&self, completion: Completion) {
    let first = {
      let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
      done.push(completion);
      done.len() == 1
    };
    if first {
      (self.wake)();
    }
  }

  fn take(&self) -> Vec<Completion> {
    std::mem::take(&mut *self.done.lock().unwrap_or_else(|p| p.into_inner()))
  }
}

/// The JS thread's side of its environment's completions.
struct Settler {
  completions: Arc<Completions>,
  /// The threadsafe function behind `wake`: weak (it does not keep the event loop alive) while
  /// no call is in flight, referenced while one is, as a pending `JsDeferred` was.
  tsfn: napi::sys::napi_threadsafe_function,
  in_flight: usize,
}

thread_local! {
  // One per Node environment (main thread or worker), made by its first call.
  static SETTLER: RefCell<Option<Settler>> = const { RefCell::new(None) };
}

/// A call starts: the environment's completion queue (made on first use), kept referenced
/// until the call settles. Call on the JS thread.
fn completions_start(env: &Env) -> Result<Arc<Completions>> {
  SETTLER.with(|cell| {
    let mut cell = cell.borrow_mut();
    if cell.is_none() {
      *cell = Some(new_settler(env)?);
    }
    let settler = cell.as_mut().expect("made above");
    if settler.in_flight == 0 {
      check_status!(unsafe { napi::sys::napi_ref_threadsafe_function(env.raw(), settler.tsfn) })?;
    }
    settler.in_flight += 1;
    Ok(Arc::clone(&settler.completions))
  })
}

fn new_settler(env: &Env) -> Result<Settler> {
  let callee: Function<(), Unknown> = env.run_script("(function () {})")?;
  let tsfn = callee
    .build_threadsafe_function::<()>()
    .weak::<true>()
    .callee_handled::<false>()
    .build_callback(|ctx| {
      drain(&ctx.env);
      Ok(())
    })?;
  let raw = tsfn.raw();
  Ok(Settler {
    completions: Arc::new(Completions {
      done: std::sync::Mutex::new(Vec::new()),
      wake: Box::new(move || {
        tsfn.call((), ThreadsafeFunctionCallMode::NonBlocking);
      }),
    }),
    tsfn: raw,
    in_flight: 0,
  })
}

/// Settles every call that has finished, in the order they finished; the thread-local is not
/// borrowed while they run (a settle may start another call). Runs on the JS thread.
fn drain(env: &Env) {
  let Some(completions) = SETTLER.with(|cell| {
    cell
      .borrow()
      .as_ref()
      .map(|settler| Arc::clone(&settler.completions))
  }) else {
    return;
  };
  let done = completions.take();
  let settled = done.len();
  for completion in done {
    let mut scope = std::ptr::null_mut();
    let opened = unsafe { napi::sys::napi_open_handle_scope(env.raw(), &mut scope) }
      == napi::sys::Status::napi_ok;
    completion(env);
    // A settle that left an exception pending must not break the next one.
    clear_exception(env);
    if opened {
      unsafe { napi::sys::napi_close_handle_scope(env.raw(), scope) };
    }
  }
  SETTLER.with(|cell| {
    if let Some(settler) = cell.borrow_mut().as_mut() {
      settler.in_flight = settler.in_flight.saturating_sub(settled);
      if settler.in_flight == 0 {
        unsafe { napi::sys::napi_unref_threadsafe_function(env.raw(), settler.tsfn) };
      }
    }
  });
}

/// A settle closure and the abort listener to remove, carried to the JS thread. They are
/// only touched there: `drain` runs the completion holding them on the thread of `env`.
struct Settle<C>(C, Option<SignalHook>);

// SAFETY: as napi's own `SendableResolver`: the value only passes through the runtime's
// thread and is run (and dropped) on the JS thread by `drain`. Only
// when the environment is already gone is it dropped unrun where the call finished; its JS
// handles (`ObjectRef<false>`) are then dropped without touching napi.
unsafe impl<C> Send for Settle<C> {}

impl<C> Settle<C> {
  fn run<T>(
    self,
    env: Env,
    result: std::result::Result<T, CalibreError>,
  ) -> Result<Unknown<'static>>
  where
    C: for<'a> FnOnce(
      &'a Env,
      std::result::Result<T, CalibreError>,
    ) -> std::result::Result<Unknown<'a>, CalibreError>,
  {
    let Settle(settle, signal) = self;
    if let Some(signal) = signal {
      signal.detach(&env);
    }
    match settle(&env, result) {
      // SAFETY: the value is handed straight to `napi_resolve_deferred` within the handle
      // scope `drain` opened for this completion; the `'static` is only a type.
      Ok(value) => Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), value.raw()) }),
      Err(err) => Err(error_to_js(&env, err)),
    }
  }
}

/// A promise rejected with `err` (argument errors found before any work). It settles through
/// the deferred's queue, asynchronously like every call, without starting the runtime.
pub fn rejected<'env>(
  env: &'env Env,
  err: CalibreError,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  let (deferred, promise) =
    env.create_deferred::<Unknown<'static>, fn(Env) -> Result<Unknown<'static>>>()?;
  deferred.reject(error_to_js(env, err));
  Ok(PromiseRaw::new(env.raw(), promise.raw()))
}

/// `JSON.parse` for settle closures: a failure to build JS values becomes a CalibreError.
pub fn parse_result<'env>(
  env: &'env Env,
  text: &str,
) -> std::result::Result<Unknown<'env>, CalibreError> {
  json_parse(env, text).map_err(handoff_error)
}

/// Parses a whole GraphQL response and returns `{ value }`, `value` being the result at the
/// dotted `path` under `data`, or `undefined` when the response is not the plain success shape
/// (not JSON, `errors` not empty, `data` null, a step missing or not an object).
const SUCCESS_AT: &str = r#"(function (text, path) {
  let response
  try { response = JSON.parse(text) } catch { return undefined }
  if (response === null || typeof response !== 'object' || Array.isArray(response)) return undefined
  const errors = response.errors
  if (errors != null && !(Array.isArray(errors) && errors.length === 0)) return undefined
  let value = response.data
  if (value == null) return undefined
  for (const step of path ? path.split('.') : []) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, step)) return undefined
    value = value[step]
  }
  return { value }
})"#;

/// `JSON.parse` of a whole GraphQL response and the result at `path` under `data`; `None`
/// when the response is not the plain success shape (the caller reads it in Rust for the error).
pub fn parse_success_at<'env>(
  env: &'env Env,
  body: &str,
  path: &[&str],
) -> std::result::Result<Option<Unknown<'env>>, CalibreError> {
  let found = (|| {
    let success_at: Function<FnArgs<(JsString, JsString)>, Unknown> =
      function_of(&SUCCESS_AT_FUNCTION, env, || SUCCESS_AT.into())?;
    let args = (env.create_string(body)?, env.create_string(path.join("."))?);
    let found = success_at.call(args.into())?;
    if found.get_type()? == ValueType::Undefined {
      return Ok(None);
    }
    // SAFETY: the helper returns `undefined` or an object.
    let found: Object = unsafe { found.cast()? };
    found.get_named_property::<Unknown>("value").map(Some)
  })();
  found.map_err(handoff_error)
}

/// A failure to build the JS result (napi error) as a CalibreError.
pub fn handoff_error(err: napi::Error) -> CalibreError {
  CalibreError::new(
    ErrorCode::InvalidResponse,
    format!(
      "The result could not be handed to JavaScript: {}",
      err.reason
    ),
  )
}

/// The package's variables (`env::VARS`) from `process.env` of this environment: a worker
/// sees its own `env`, and nothing calls libc `getenv` (see `env`). Call on the JS thread.
pub fn capture_env(env: &Env) -> EnvSnapshot {
  capture_call(env).0
}

/// The `diagnostics_channel` channels a call publishes its HTTP attempts on (`diagnostics`).
pub const REQUEST_CHANNELS: [&str; 3] = [
  "calibre-native:request:start",
  "calibre-native:request:end",
  "calibre-native:request:error",
];

/// What a call starts from, read on the JS thread: the environment snapshot (as `capture_env`)
/// and whether any of `REQUEST_CHANNELS` has subscribers.
///
/// Both come from one call of a small JS reader (evaluated once per environment), which returns
/// them in one string, instead of five napi calls per variable and more for the channels: it
/// runs on every call of the API, observed or not.
pub fn capture_call(env: &Env) -> (EnvSnapshot, bool) {
  read_all_vars(env).unwrap_or_else(|| (capture_env_one_by_one(env), false))
}

/// `1` or `0` (whether a request channel has subscribers; always `0` without
/// `process.getBuiltinModule`, Node before 20.16), then `process.env[name]` for each of
/// `env::VARS`, as `\0=value` or `\0\u0001` (not a string). The reader holds the channel
/// objects, so `diagnostics_channel` hands every subscriber these same ones.
fn env_reader_script() -> String {
  let names = serde_json::to_string(VARS).expect("names serialize");
  let channels = serde_json::to_string(&REQUEST_CHANNELS).expect("names serialize");
  format!(
    r#"(function (names, channelNames) {{
      const dc = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:diagnostics_channel') : undefined
      const channels = dc === undefined ? [] : channelNames.map((name) => dc.channel(name))
      return function () {{
        let out = '0'
        for (let i = 0; i < channels.length; i++) {{
          if (channels[i].hasSubscribers) {{ out = '1'; break }}
        }}
        const vars = process.env
        for (let i = 0; i < names.length; i++) {{
          const value = vars[names[i]]
          out += typeof value === 'string' ? '\0=' + value : '\0\u0001'
        }}
        return out
      }}
    }})({names}, {channels})"#
  )
}

fn read_all_vars(env: &Env) -> Option<(EnvSnapshot, bool)> {
  let reader: Result<Function<(), JsString>> = function_of(&ENV_READER, env, env_reader_script);
  let text = reader.ok()?.call(()).ok()?.into_utf8().ok()?;
  let text = text.as_str().ok()?;
  let mut parts = text.split('\0');
  let observed = parts.next()? == "1";
  let values: Vec<&str> = parts.collect();
  // A value holding NUL would shift the rest: then read them one by one.
  if values.len() != VARS.len() {
    return None;
  }
  let mut values = values.into_iter();
  let snapshot = EnvSnapshot::capture(|_| {
    values
      .next()
      .and_then(|v| v.strip_prefix('='))
      .map(str::to_owned)
  });
  Some((snapshot, observed))
}

fn capture_env_one_by_one(env: &Env) -> EnvSnapshot {
  let process_env = env
    .get_global()
    .and_then(|g| g.get_named_property::<Object>("process"))
    .and_then(|p| p.get_named_property::<Object>("env"));
  let Ok(process_env) = process_env else {
    return EnvSnapshot::capture(|_| None);
  };
  EnvSnapshot::capture(|name| {
    let value: Unknown = process_env.get_named_property(name).ok()?;
    match value.get_type().ok()? {
      ValueType::String => unsafe { String::from_napi_value(env.raw(), value.raw()) }.ok(),
      _ => None,
    }
  })
}

/// Every variable of `process.env`, for a token command's child process (which needs `PATH`
/// and the password manager's own variables). Read on the JS thread, only when one will run.
pub fn capture_whole_env(env: &Env) -> Vec<(String, String)> {
  let process_env = env
    .get_global()
    .and_then(|g| g.get_named_property::<Object>("process"))
    .and_then(|p| p.get_named_property::<Object>("env"));
  let Ok(process_env) = process_env else {
    return Vec::new();
  };
  let Ok(keys) = Object::keys(&process_env) else {
    return Vec::new();
  };
  keys
    .into_iter()
    .filter_map(|key| {
      let value: String = process_env.get_named_property(&key).ok()?;
      Some((key, value))
    })
    .collect()
}

/// `process.env[name]` of this environment, read only when asked (on the JS thread).
pub fn env_var(env: &Env, name: &str) -> Option<String> {
  debug_assert!(VARS.contains(&name), "{name} is not in env::VARS");
  let process: Object = env.get_global().ok()?.get_named_property("process").ok()?;
  let vars: Object = process.get_named_property("env").ok()?;
  let value: Unknown = vars.get_named_property(name).ok()?;
  match value.get_type().ok()? {
    ValueType::String => unsafe { String::from_napi_value(env.raw(), value.raw()) }.ok(),
    _ => None,
  }
}

/// `process.emitWarning(message, { code })`.
pub fn emit_warning(env: &Env, message: &str, code: &str) -> Result<()> {
  let process: Object = env.get_global()?.get_named_property("process")?;
  let emit: Function<FnArgs<(&str, Object)>, Unknown> =
    process.get_named_property("emitWarning")?;
  let mut options = Object::new(env)?;
  options.set("code", code)?;
  options.set("type", "CalibreWarning")?;
  emit.apply(process, (message, options).into())?;
  Ok(())
}

/// Whether `value` is an object with an own property `key` (whatever its value). A throwing
/// Proxy trap counts as no.
pub fn has_own(env: &Env, value: Unknown, key: &str) -> bool {
  if value.get_type().ok() != Some(ValueType::Object) {
    return false;
  }
  let Ok(object) = (unsafe { Object::from_napi_value(env.raw(), value.raw()) }) else {
    return false;
  };
  let found = object.has_own_property(key);
  if found.is_err() {
    clear_exception(env);
  }
  found.unwrap_or(false)
}

/// Clears a pending JS exception and returns its text (`String(exception)`), if there is one.
pub fn take_exception(env: &Env) -> Option<String> {
  let mut pending = false;
  unsafe { napi::sys::napi_is_exception_pending(env.raw(), &mut pending) };
  if !pending {
    return None;
  }
  let mut exception = std::ptr::null_mut();
  unsafe { napi::sys::napi_get_and_clear_last_exception(env.raw(), &mut exception) };
  let mut text = std::ptr::null_mut();
  let status = unsafe { napi::sys::napi_coerce_to_string(env.raw(), exception, &mut text) };
  if status != napi::sys::Status::napi_ok {
    // Its `toString` threw too.
    clear_exception(env);
    return Some("an exception".to_owned());
  }
  Some(unsafe { String::from_napi_value(env.raw(), text) }.unwrap_or_default())
}

/// Drops a pending JS exception (from a user callback that threw).
pub fn clear_exception(env: &Env) {
  let mut exception = std::ptr::null_mut();
  unsafe { napi::sys::napi_get_and_clear_last_exception(env.raw(), &mut exception) };
}

/// Throws `err` synchronously (for sync functions and constructors).
pub fn throw(env: &Env, err: CalibreError) -> napi::Error {
  error_to_js(env, err)
}
