//! `Connection` (calibre@7 `src/api/connection.js`): the emulated connection types.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Map;

use crate::call::call;
use crate::graphql::{Extract, Operation};

const LIST_QUERY: &str = r#"
  query{
    __type(name: "ConnectionTag") {
      enumValues {
        name
      }
    }
  }
"#;

/// Lists the connection tags (`ConnectionTag` enum values) that `connection` arguments take.
/// Runs the anonymous introspection `query { __type(name: "ConnectionTag") }` and resolves to
/// `__type.enumValues`. Rejects with a transport/token code or `CALIBRE_GRAPHQL_ERROR`.
#[napi(
  namespace = "Connection",
  ts_args_type = "options?: CallOptions",
  ts_return_type = "Promise<ConnectionTagInfo[]>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Connection.list", options, || Ok(list_op()))
}

/// The operation of `Connection.list` (also run by the `calibre-native` CLI).
pub(crate) fn list_op() -> Operation {
  Operation::new(
    LIST_QUERY,
    Map::new(),
    Extract::Path(&["__type", "enumValues"]),
  )
}
