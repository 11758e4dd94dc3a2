//! `Integration` (calibre@7 `src/api/integration.js`): a Site's Slack and webhook
//! Integrations. `iterate` (not in calibre@7) walks every page of `list`.
//!
//! `$organisation` is declared in the Create/Delete documents but calibre@7 never sends it;
//! neither do we.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use super::paginate::{self, Lister};
use super::vars::{required, required_string};
use crate::call::call;
use crate::error::CalibreError;
use crate::graphql::{Extract, Operation};
use crate::js::Args;
use crate::vars;

const CREATE_MUTATION: &str = r#"
  mutation CreateIntegration($organisation: String, $site: String!, $attributes: IntegrationInput!){
    createIntegration(organisation: $organisation, site: $site, attributes: $attributes) {
      uuid
      provider
      events
      url
      secret
      isDisabled
    }
  }
"#;

const DELETE_MUTATION: &str = r#"
  mutation DeleteIntegration($organisation: String, $site:String!, $uuid: String!){
    deleteIntegration(organisation: $organisation, site: $site, uuid: $uuid) {
      uuid
    }
  }
"#;

const UPDATE_MUTATION: &str = r#"
  mutation UpdateIntegration($site:String!, $uuid: String!, $attributes: IntegrationInput!){
    updateIntegration(site: $site, uuid: $uuid, attributes: $attributes) {
      uuid
      provider
      events
      url
      secret
      isDisabled
    }
  }
"#;

const LIST_QUERY: &str = r#"
  query ListIntegrations(
    $site: String!
    $count: Int!
    $cursor: String
  ) {
    organisation {
      site(slug: $site) {
        integrationsList(first: $count, after: $cursor) {
          pageInfo {
            hasPreviousPage
            hasNextPage
            endCursor
            startCursor
          }

          edges {
            node {
              uuid
              provider
              events
              url
              secret
              isDisabled
            }
          }
        }
      }
    }
  }
"#;

/// Adds an Integration (Slack or webhook). Runs `mutation CreateIntegration` and resolves to
/// `createIntegration`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Integration",
  ts_args_type = "args: IntegrationCreateArgs, options?: CallOptions",
  ts_return_type = "Promise<IntegrationDetails>"
)]
pub fn create<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Integration.create", options, || {
    let args = Args::object(
      env,
      "Integration.create",
      args,
      "{ site, provider, url, events, secret, isDisabled }",
    )?;
    Ok(Operation::new(
      CREATE_MUTATION,
      vars! {
        "site" => required_string(&args, "site")?,
        "attributes" => Some(Value::Object(vars! {
          "provider" => args.get("provider"),
          "url" => args.get("url"),
          "events" => args.get("events"),
          "secret" => args.get("secret"),
          "isDisabled" => args.get("isDisabled"),
        })),
      },
      Extract::Path(&["createIntegration"]),
    ))
  })
}

/// Deletes an Integration. Runs `mutation DeleteIntegration` and resolves to
/// `deleteIntegration`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `uuid`), `CALIBRE_GRAPHQL_ERROR` or
/// a transport/token code.
#[napi(
  namespace = "Integration",
  ts_args_type = "args: IntegrationDestroyArgs, options?: CallOptions",
  ts_return_type = "Promise<DeletedIntegration>"
)]
pub fn destroy<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Integration.destroy", options, || {
    let args = Args::object(env, "Integration.destroy", args, "{ site, uuid }")?;
    Ok(Operation::new(
      DELETE_MUTATION,
      vars! {
        "site" => required_string(&args, "site")?,
        "uuid" => required_string(&args, "uuid")?,
      },
      Extract::Path(&["deleteIntegration"]),
    ))
  })
}

/// Updates an Integration. Runs `mutation UpdateIntegration` and resolves to
/// `updateIntegration`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `uuid`), `CALIBRE_GRAPHQL_ERROR` or
/// a transport/token code.
#[napi(
  namespace = "Integration",
  ts_args_type = "args: IntegrationUpdateArgs, options?: CallOptions",
  ts_return_type = "Promise<IntegrationDetails>"
)]
pub fn update<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Integration.update", options, || {
    let args = Args::object(
      env,
      "Integration.update",
      args,
      "{ site, uuid, provider, url, events, secret, isDisabled }",
    )?;
    Ok(Operation::new(
      UPDATE_MUTATION,
      vars! {
        "site" => required_string(&args, "site")?,
        "uuid" => required_string(&args, "uuid")?,
        "attributes" => Some(Value::Object(vars! {
          "provider" => args.get("provider"),
          "url" => args.get("url"),
          "events" => args.get("events"),
          "secret" => args.get("secret"),
          "isDisabled" => args.get("isDisabled"),
        })),
      },
      Extract::Path(&["updateIntegration"]),
    ))
  })
}

/// Lists one page of a Site's integrations. Runs `query ListIntegrations` and resolves to
/// `{ integrations, pageInfo }`; pass `pageInfo.endCursor` as `cursor` for the next page, or use
/// `Integration.iterate`. `count` is required (calibre@7 has no default).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `count`), `CALIBRE_GRAPHQL_ERROR`
/// (also when the Site is not found) or a transport/token code.
#[napi(
  namespace = "Integration",
  ts_args_type = "args: IntegrationListArgs, options?: CallOptions",
  ts_return_type = "Promise<IntegrationListResult>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Integration.list", options, || {
    list_op(&Args::object(
      env,
      "Integration.list",
      args,
      "{ site, count, cursor }",
    )?)
  })
}

fn list_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  Ok(Operation::new(
    LIST_QUERY,
    vars! {
      "site" => required_string(args, "site")?,
      "count" => required(args, "count")?,
      "cursor" => args.get("cursor"),
    },
    Extract::Connection {
      path: &["organisation", "site", "integrationsList"],
      items: "integrations",
    },
  ))
}

/// Every Integration of a Site, fetched lazily one page (`pageSize`, default 25) per request:
/// `for await (const item of Integration.iterate({ site })) { ... }`. Runs `query ListIntegrations` per
/// page, following `pageInfo.endCursor`. Not in calibre@7.
/// `next()` rejects with the codes of `Integration.list`; `signal` stops the iteration.
#[napi(
  namespace = "Integration",
  ts_args_type = "args: IterateArgs, options?: IterateOptions",
  ts_return_type = "AsyncIterableIterator<IntegrationDetails>"
)]
pub fn iterate<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<Object<'env>> {
  paginate::iterate(env, &this, &LISTER, args, options)
}

const LISTER: Lister = Lister {
  function: "Integration.iterate",
  filters: &[],
  build: list_op,
};
