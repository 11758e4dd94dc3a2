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
