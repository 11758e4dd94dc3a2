//! `Page` (calibre@7 `src/api/page.js`): create, list, update and delete a Site's monitored
//! Pages. `iterate` (not in calibre@7) walks every page of `list`.

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
  mutation CreatePage($site: String!, $attributes: PageInput!){
    createPage(site: $site, attributes: $attributes) {
      uuid
      name
      url
      position
    }
  }
"#;

const LIST_QUERY: &str = r#"
  query ListPages(
    $site: String!
    $count: Int!
    $cursor: String
  ) {
    organisation {
      site(slug: $site) {
        pagesList(first: $count, after: $cursor) {
          pageInfo {
            hasPreviousPage
            hasNextPage
            endCursor
            startCursor
          }

          edges {
            node {
              uuid
              name
              url
              position
            }
          }
        }
      }
    }
  }
"#;

const DELETE_MUTATION: &str = r#"
  mutation DeletePage($site:String!, $uuid: String!){
    deletePage(site: $site, uuid: $uuid) {
      name
      uuid
    }
  }
"#;

const UPDATE_MUTATION: &str = r#"
  mutation UpdatePage($site:String!, $uuid: String!, $attributes: PageInput!){
    updatePage(site: $site, uuid: $uuid, attributes: $attributes) {
      uuid
      name
      url
      position
    }
  }
"#;

/// Adds a Page to a Site. Runs `mutation CreatePage` and resolves to `createPage`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Page",
  ts_args_type = "args: PageCreateArgs, options?: CallOptions",
  ts_return_type = "Promise<PageDetails>"
)]
pub fn create<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Page.create", options, || {
    create_op(&Args::object(
      env,
      "Page.create",
      args,
      "{ site, name, url, position }",
    )?)
  })
}

/// The operation of `Page.create` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn create_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  Ok(Operation::new(
    CREATE_MUTATION,
    vars! {
      "site" => required_string(args, "site")?,
      "attributes" => Some(page_attributes(args)),
    },
    Extract::Path(&["createPage"]),
  ))
}

fn page_attributes(args: &Args) -> Value {
  Value::Object(vars! {
    "name" => args.get("name"),
    "url" => args.get("url"),
    "position" => args.get("position"),
  })
}

/// Lists one page of a Site's Pages. Runs `query ListPages` and resolves to
/// `{ pages, pageInfo }`; pass `pageInfo.endCursor` as `cursor` for the next page, or use
/// `Page.iterate`. `count` is required (calibre@7 has no default).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `count`), `CALIBRE_GRAPHQL_ERROR`
/// (also when the Site is not found) or a transport/token code.
#[napi(
  namespace = "Page",
  ts_args_type = "args: PageListArgs, options?: CallOptions",
  ts_return_type = "Promise<PageListResult>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Page.list", options, || {
    list_op(&Args::object(
      env,
      "Page.list",
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
      "count" => required(args, "count")?,
      "cursor" => args.get("cursor"),
    },
    Extract::Connection {
      path: &["organisation", "site", "pagesList"],
      items: "pages",
    },
  ))
}

/// Every Page of a Site, fetched lazily one page (`pageSize`, default 25) per request:
/// `for await (const page of Page.iterate({ site })) { ... }`. Runs `query ListPages` per
/// page, following `pageInfo.endCursor`. Not in calibre@7.
/// `next()` rejects with the codes of `Page.list`; `signal` stops the iteration.
#[napi(
  namespace = "Page",
  ts_args_type = "args: IterateArgs, options?: IterateOptions",
  ts_return_type = "AsyncIterableIterator<PageDetails>"
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
  function: "Page.iterate",
  filters: &[],
  build: list_op,
};

/// Removes a Page from a Site. Runs `mutation DeletePage` and resolves to `deletePage`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `uuid`), `CALIBRE_GRAPHQL_ERROR` or
/// a transport/token code.
#[napi(
  namespace = "Page",
  ts_args_type = "args: PageDestroyArgs, options?: CallOptions",
  ts_return_type = "Promise<DeletedPage>"
)]
pub fn destroy<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Page.destroy", options, || {
    destroy_op(&Args::object(env, "Page.destroy", args, "{ site, uuid }")?)
  })
}

/// The operation of `Page.destroy` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn destroy_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  Ok(Operation::new(
    DELETE_MUTATION,
    vars! {
      "site" => required_string(args, "site")?,
      "uuid" => required_string(args, "uuid")?,
    },
    Extract::Path(&["deletePage"]),
  ))
}

/// Updates a Page. Runs `mutation UpdatePage` and resolves to `updatePage`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `uuid`), `CALIBRE_GRAPHQL_ERROR` or
/// a transport/token code.
#[napi(
  namespace = "Page",
  ts_args_type = "args: PageUpdateArgs, options?: CallOptions",
  ts_return_type = "Promise<PageDetails>"
)]
pub fn update<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Page.update", options, || {
    update_op(&Args::object(
      env,
      "Page.update",
      args,
      "{ site, uuid, name, url, position }",
    )?)
  })
}

/// The operation of `Page.update` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn update_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  Ok(Operation::new(
    UPDATE_MUTATION,
    vars! {
      "site" => required_string(args, "site")?,
      "uuid" => required_string(args, "uuid")?,
      "attributes" => Some(page_attributes(args)),
    },
    Extract::Path(&["updatePage"]),
  ))
}
