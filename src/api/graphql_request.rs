//! `GraphQL.request`: any document, sent as given.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::call::call;
use crate::graphql::{Extract, Operation};
use crate::js::Args;

/// Sends any GraphQL document to Calibre and resolves to its `data`. Every key except
/// `query` is sent as a variable (keys whose value is `undefined` are dropped).
/// The type parameter describes the expected `data` (it is not checked at run time):
/// `GraphQL.request<{ organisation: { sites: { slug: string }[] } }>({ query })`.
/// Rejects with a `CalibreError` (`CALIBRE_GRAPHQL_ERROR` when the response has `errors`).
#[napi(
  namespace = "GraphQL",
  ts_generic_types = "TData = GraphQLData",
  ts_args_type = "args: GraphQLRequestArgs, options?: CallOptions",
  ts_return_type = "Promise<TData>"
)]
pub fn request<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "GraphQL.request", options, || {
    let mut variables =
      Args::object(env, "GraphQL.request", args, "{ query, ...variables }")?.into_map();
    let query = match variables.shift_remove("query") {
      Some(Value::String(query)) => query,
      _ => {
        return Err(crate::error::CalibreError::invalid_argument(
          "GraphQL.request",
          "`query` must be a GraphQL document string.",
        ))
      }
    };
    Ok(Operation {
      query: query.into(),
      variables,
      extract: Extract::Data,
    })
  })
}
