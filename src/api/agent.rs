//! `Agent` (calibre@7 `src/api/location.js`): the test locations and their agent IPs.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Map;

use crate::call::call;
use crate::graphql::{Extract, Operation};

const LIST_QUERY: &str = r#"
  query {
    locations {
      name
      shortName
      emoji
      tag

      agents {
        ipv4
      }
    }
  }
"#;

/// Lists the test locations (`tag` is what `location` arguments take) with their agents' IPv4
/// addresses. Runs the anonymous `query { locations }` and resolves to `locations`.
/// Rejects with a transport/token code or `CALIBRE_GRAPHQL_ERROR`.
#[napi(
  namespace = "Agent",
  ts_args_type = "options?: CallOptions",
  ts_return_type = "Promise<LocationInfo[]>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Agent.list", options, || Ok(list_op()))
}

/// The operation of `Agent.list` (also run by the `calibre-native` CLI).
pub(crate) fn list_op() -> Operation {
  Operation::new(LIST_QUERY, Map::new(), Extract::Path(&["locations"]))
}
