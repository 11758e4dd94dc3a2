//! `Device` (calibre@7 `src/api/device.js`): the emulated devices.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Map;

use crate::call::call;
use crate::graphql::{Extract, Operation};

const LIST_QUERY: &str = r#"
  query{
    emulatedDevices {
      tag
      title
      screenWidth
      screenHeight
      type
      isDiscontinued
    }
  }
"#;

/// Lists the emulated devices (`tag` is what `device` arguments take). Runs the anonymous
/// `query { emulatedDevices }` and resolves to `emulatedDevices`.
/// Rejects with a transport/token code or `CALIBRE_GRAPHQL_ERROR`.
#[napi(
  namespace = "Device",
  ts_args_type = "options?: CallOptions",
  ts_return_type = "Promise<EmulatedDevice[]>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Device.list", options, || Ok(list_op()))
}

/// The operation of `Device.list` (also run by the `calibre-native` CLI).
pub(crate) fn list_op() -> Operation {
  Operation::new(LIST_QUERY, Map::new(), Extract::Path(&["emulatedDevices"]))
}
