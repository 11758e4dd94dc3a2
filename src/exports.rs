//! What napi cannot register by itself: the real `CalibreError` class (native code cannot
//! extend `Error`) and the namespace objects clients bind to.

use napi::bindgen_prelude::*;
use napi_derive::napi;

/// The error every function throws or rejects with: an `Error` with a stable `code`, the
/// HTTP `status`, the GraphQL `errors` (also as `e[0]`, `e.length`), the `response` and the
/// `request` (never the token). Use it with `instanceof`; it is not meant to be constructed.
// A placeholder so the generated loader and typings export the name; `init` swaps in the
// JS class from `calibre_error.js`.
#[napi]
pub struct CalibreError {}

/// Runs once per environment after napi registered every export.
#[napi(module_exports)]
pub fn init(mut exports: Object, env: Env) -> Result<()> {
  crate::client::register_namespaces(&exports)?;
  exports.set("CalibreError", crate::js::error_class(&env)?)?;
  Ok(())
}

/// The runtime behind every call: one worker thread (unless `TOKIO_WORKER_THREADS` asks for
/// more). Node runs JavaScript on one thread, so one worker keeps up with it: a request costs
/// the worker microseconds, and bodies over 1 MB are decoded off it (`Session::execute`).
/// napi's default, one worker per core, costs a thread per core at load and, measured on 2
/// cores, ~10 µs more per sequential request (the task and its I/O wake-ups bounce between
/// workers). See bench/NOTES.md.
#[napi_derive::module_init]
fn init_runtime() {
  // Once per process: worker_threads environments load the module again and share the runtime.
  static ONCE: std::sync::Once = std::sync::Once::new();
  ONCE.call_once(build_runtime);
}

fn build_runtime() {
  let workers = std::env::var("TOKIO_WORKER_THREADS")
    .ok()
    .and_then(|n| n.trim().parse::<usize>().ok())
    .filter(|n| *n > 0)
    .unwrap_or(1);
  if let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
    .worker_threads(workers)
    .enable_all()
    .build()
  {
    napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
  }
}
