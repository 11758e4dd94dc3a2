//! `Deploy` (calibre@7 `src/api/deploy.js`): record, list and delete Deploys. `iterate` (not
//! in calibre@7) walks every page of `list`.
//!
//! `$organisation` is declared in the Create/Delete documents but calibre@7 never sends it;
//! neither do we.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{json, Value};

use super::paginate::{self, Lister};
use super::vars::required_string;
use crate::call::call;
use crate::error::CalibreError;
use crate::graphql::{Extract, Operation};
use crate::js::Args;
use crate::vars;

const CREATE_MUTATION: &str = r#"
  mutation CreateDeploy($organisation: String, $site: String!, $attributes: DeployInput!){
    createDeploy(organisation: $organisation, site: $site, attributes: $attributes) {
      uuid
      revision
      repository
      url
      username
      createdAt
    }
  }
"#;

const DELETE_MUTATION: &str = r#"
  mutation DeleteDeploy($organisation: String, $site:String!, $uuid: String!){
    deleteDeploy(organisation: $organisation, site: $site, uuid: $uuid) {
      uuid
    }
  }
"#;

const LIST_QUERY: &str = r#"
  query ListDeploys(
    $site: String!
    $count: Int!
    $cursor: String
  ) {
    organisation {
      site(slug: $site) {
        deploys(first: $count, after: $cursor) {
          pageInfo {
            hasPreviousPage
            hasNextPage
            endCursor
            startCursor
          }

          edges {
            node {
              uuid
              revision
              repository
              url
              username
              createdAt
            }
          }
        }
      }
    }
  }
"#;

/// Records a Deploy (shown on charts; used to compare before/after). Runs
/// `mutation CreateDeploy` and resolves to `createDeploy`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Deploy",
  ts_args_type = "args: DeployCreateArgs, options?: CallOptions",
  ts_return_type = "Promise<DeployDetails>"
)]
pub fn create<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Deploy.create", options, || {
    create_op(&Args::object(
      env,
      "Deploy.create",
      args,
      "{ site, revision, repository, username, createdAt }",
    )?)
  })
}

/// The operation of `Deploy.create` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn create_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  Ok(Operation::new(
    CREATE_MUTATION,
    vars! {
      "site" => required_string(args, "site")?,
      "attributes" => Some(Value::Object(vars! {
        "revision" => args.get("revision"),
        "repository" => args.get("repository"),
        "username" => args.get("username"),
        "createdAt" => args.get("createdAt"),
      })),
    },
    Extract::Path(&["createDeploy"]),
  ))
}

/// Deletes a Deploy. Runs `mutation DeleteDeploy` and resolves to `deleteDeploy`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `uuid`), `CALIBRE_GRAPHQL_ERROR` or
/// a transport/token code.
#[napi(
  namespace = "Deploy",
  ts_args_type = "args: DeployDestroyArgs, options?: CallOptions",
  ts_return_type = "Promise<DeletedDeploy>"
)]
pub fn destroy<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Deploy.destroy", options, || {
    destroy_op(&Args::object(
      env,
      "Deploy.destroy",
      args,
      "{ site, uuid }",
    )?)
  })
}

/// The operation of `Deploy.destroy` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn destroy_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  Ok(Operation::new(
    DELETE_MUTATION,
    vars! {
      "site" => required_string(args, "site")?,
      "uuid" => required_string(args, "uuid")?,
    },
    Extract::Path(&["deleteDeploy"]),
  ))
}

/// Lists one page of a Site's Deploys. Runs `query ListDeploys` and resolves to
/// `{ deploys, pageInfo }`; `count` defaults to 25 (the only calibre@7 list with a default).
/// Pass `pageInfo.endCursor` as `cursor` for the next page, or use `Deploy.iterate`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` (also when
/// the Site is not found) or a transport/token code.
#[napi(
  namespace = "Deploy",
  ts_args_type = "args: DeployListArgs, options?: CallOptions",
  ts_return_type = "Promise<DeployListResult>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Deploy.list", options, || {
    list_op(&Args::object(
      env,
      "Deploy.list",
      args,
      "{ site, count, cursor }",
    )?)
  })
}

pub(crate) fn list_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  Ok(Operation::new(
    LIST_QUERY,
    vars! {
      "site" => required_string(args, "site")?,
      // calibre@7: `count = 25` (default for undefined only; null is sent).
      "count" => Some(args.get("count").unwrap_or(json!(25))),
      "cursor" => args.get("cursor"),
    },
    Extract::Connection {
      path: &["organisation", "site", "deploys"],
      items: "deploys",
    },
  ))
}

/// Every Deploy of a Site, fetched lazily one page (`pageSize`, default 25) per request:
/// `for await (const deploy of Deploy.iterate({ site })) { ... }`. Runs `query ListDeploys`
/// per page, following `pageInfo.endCursor`. Not in calibre@7.
/// `next()` rejects with the codes of `Deploy.list`; `signal` stops the iteration.
#[napi(
  namespace = "Deploy",
  ts_args_type = "args: IterateArgs, options?: IterateOptions",
  ts_return_type = "AsyncIterableIterator<DeployDetails>"
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
  function: "Deploy.iterate",
  filters: &[],
  build: list_op,
};

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn count_defaults_to_25_only_when_undefined() {
    let vars_of = |v: Value| {
      Value::Object(
        list_op(&Args::from_map(
          "Deploy.list",
          v.as_object().unwrap().clone(),
        ))
        .unwrap()
        .variables,
      )
    };
    assert_eq!(
      vars_of(json!({"site": "s"})),
      json!({"site": "s", "count": 25})
    );
    assert_eq!(
      vars_of(json!({"site": "s", "count": null})),
      json!({"site": "s", "count": null})
    );
    assert_eq!(
      vars_of(json!({"site": "s", "count": 5, "cursor": "c"})),
      json!({"site": "s", "count": 5, "cursor": "c"})
    );
  }
}
