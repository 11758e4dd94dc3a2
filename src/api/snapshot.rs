//! `Snapshot` (calibre@7 `src/api/snapshot.js`): create, delete and list Snapshots, and
//! fetch their artifact URLs. `iterate` (not in calibre@7) walks every page of `list`.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use super::paginate::{self, Lister};
use super::vars::{js_number, js_string, required, required_string};
use crate::call::call;
use crate::error::CalibreError;
use crate::graphql::{Extract, Operation};
use crate::js::Args;
use crate::vars;

const CREATE_MUTATION: &str = r#"
  mutation CreateSnapshot(
    $site: String!
    $ref: String
  ) {
    createSnapshot(site: $site, ref: $ref) {
      iid
      ref
      htmlUrl
      createdAt
    }
  }
"#;

const DELETE_MUTATION: &str = r#"
  mutation DeleteSnapshot($site:String!, $id: String!){
    deleteSnapshot(site: $site, iid: $id) {
      iid
    }
  }
"#;

const LIST_QUERY: &str = r#"
  query ListSnapshots(
    $site: String!
    $count: Int!
    $cursor: String
  ) {
    organisation {
      site(slug: $site) {
        snapshotsList(first: $count, after: $cursor) {
          pageInfo {
            hasPreviousPage
            hasNextPage
            endCursor
            startCursor
          }

          edges {
            node {
              iid
              htmlUrl
              ref
              client
              createdAt
              status
            }
          }
        }
      }
    }
  }
"#;

const GET_SNAPSHOT_ARTIFACT_URLS: &str = r#"
  query GetSnapshotArtifacts($site: String!, $id: Int!) {
    organisation {
      site(slug: $site) {
        snapshot(id: $id) {
          iid

          tests {
            status

            har: artifactURL(name: TEST_ARTIFACT_HAR)
            lighthouse: artifactURL(name: TEST_ARTIFACT_LIGHTHOUSE)
            image: mediaURL(name: TEST_MEDIA_IMAGE)
            video: mediaURL(name: TEST_MEDIA_VIDEO)

            page {
              uuid
              name
            }

            testProfile {
              uuid
              name
            }
          }
        }
      }
    }
  }
"#;

/// Starts a Snapshot (tests every Page × Test Profile of the Site). Runs
/// `mutation CreateSnapshot` and resolves to `createSnapshot`. A truthy `ref` is sent as a
/// string (`123` → `"123"`), a falsy one as `null` (calibre@7 behaviour).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Snapshot",
  ts_args_type = "args: SnapshotCreateArgs, options?: CallOptions",
  ts_return_type = "Promise<CreatedSnapshot>"
)]
pub fn create<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Snapshot.create", options, || {
    create_op(&Args::object(
      env,
      "Snapshot.create",
      args,
      "{ site, ref }",
    )?)
  })
}

/// The operation of `Snapshot.create` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn create_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  Ok(Operation::new(
    CREATE_MUTATION,
    vars! { "site" => required_string(args, "site")?, "ref" => Some(snapshot_ref(args)) },
    Extract::Path(&["createSnapshot"]),
  ))
}

/// calibre@7: `ref ? new String(ref) : null`.
fn snapshot_ref(args: &Args) -> Value {
  if args.truthy("ref") {
    Value::String(js_string(args.get("ref").as_ref()))
  } else {
    Value::Null
  }
}

/// Deletes a Snapshot. Runs `mutation DeleteSnapshot` and resolves to `deleteSnapshot`.
/// `id` is sent as `String(id)` (a missing id is sent as `"undefined"`, as calibre@7 does).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Snapshot",
  ts_args_type = "args: SnapshotDestroyArgs, options?: CallOptions",
  ts_return_type = "Promise<DeletedSnapshot>"
)]
pub fn destroy<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Snapshot.destroy", options, || {
    destroy_op(&Args::object(
      env,
      "Snapshot.destroy",
      args,
      "{ site, id }",
    )?)
  })
}

/// The operation of `Snapshot.destroy` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn destroy_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  Ok(Operation::new(
    DELETE_MUTATION,
    vars! {
      "site" => required_string(args, "site")?,
      "id" => Some(Value::String(js_string(args.get("id").as_ref()))),
    },
    Extract::Path(&["deleteSnapshot"]),
  ))
}

/// Lists one page of a Site's Snapshots, newest first. Runs `query ListSnapshots` and
/// resolves to `{ snapshots, pageInfo }`; pass `pageInfo.endCursor` as `cursor` for the next
/// page, or use `Snapshot.iterate`. `count` is required (calibre@7 has no default).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `count`), `CALIBRE_GRAPHQL_ERROR`
/// (also when the Site is not found) or a transport/token code.
#[napi(
  namespace = "Snapshot",
  ts_args_type = "args: SnapshotListArgs, options?: CallOptions",
  ts_return_type = "Promise<SnapshotListResult>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Snapshot.list", options, || {
    list_op(&Args::object(
      env,
      "Snapshot.list",
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
      path: &["organisation", "site", "snapshotsList"],
      items: "snapshots",
    },
  ))
}

/// Every Snapshot of a Site, fetched lazily one page (`pageSize`, default 25) per request:
/// `for await (const snapshot of Snapshot.iterate({ site })) { ... }`. Runs
/// `query ListSnapshots` per page, following `pageInfo.endCursor`. Not in calibre@7.
/// `next()` rejects with the codes of `Snapshot.list`; `signal` stops the iteration.
#[napi(
  namespace = "Snapshot",
  ts_args_type = "args: IterateArgs, options?: IterateOptions",
  ts_return_type = "AsyncIterableIterator<SnapshotSummary>"
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
  function: "Snapshot.iterate",
  filters: &[],
  build: list_op,
};

/// The artifact URLs (HAR, Lighthouse report, screenshot, video) of every test of a Snapshot.
/// Runs `query GetSnapshotArtifacts` and resolves to `organisation.site`, i.e.
/// `{ snapshot }` (`snapshot: null` when no Snapshot has that number). `id` is sent as
/// `Number(id)` (calibre@7 behaviour; not a number → `null`). Nothing is downloaded.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Snapshot",
  ts_args_type = "args: SnapshotFetchArtifactsArgs, options?: CallOptions",
  ts_return_type = "Promise<SnapshotArtifactsResult | null>"
)]
pub fn fetch_artifacts<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Snapshot.fetchArtifacts", options, || {
    fetch_artifacts_op(&Args::object(
      env,
      "Snapshot.fetchArtifacts",
      args,
      "{ site, id }",
    )?)
  })
}

/// The operation of `Snapshot.fetchArtifacts` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn fetch_artifacts_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  Ok(Operation::new(
    GET_SNAPSHOT_ARTIFACT_URLS,
    vars! {
      "site" => required_string(args, "site")?,
      "id" => Some(js_number(args.get("id").as_ref())),
    },
    Extract::Path(&["organisation", "site"]),
  ))
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn args(value: Value) -> Args {
    match value {
      Value::Object(map) => Args::from_map("Snapshot.create", map),
      _ => unreachable!(),
    }
  }

  #[test]
  fn ref_is_a_string_when_truthy_else_null() {
    assert_eq!(snapshot_ref(&args(json!({"ref": "v1"}))), json!("v1"));
    assert_eq!(snapshot_ref(&args(json!({"ref": 123}))), json!("123"));
    assert_eq!(snapshot_ref(&args(json!({"ref": 1.5}))), json!("1.5"));
    assert_eq!(snapshot_ref(&args(json!({"ref": true}))), json!("true"));
    for falsy in [
      json!({}),
      json!({"ref": ""}),
      json!({"ref": 0}),
      json!({"ref": null}),
    ] {
      assert_eq!(snapshot_ref(&args(falsy)), Value::Null);
    }
  }

  #[test]
  fn destroy_and_fetch_artifacts_convert_id() {
    assert_eq!(js_string(None), "undefined");
    assert_eq!(js_string(Some(&json!(42))), "42");
    assert_eq!(js_number(Some(&json!("42"))), json!(42));
    assert_eq!(js_number(Some(&json!("x"))), Value::Null);
    assert_eq!(js_number(None), Value::Null);
  }

  #[test]
  fn list_requires_site_and_count() {
    let err = list_op(&args(json!({"site": "s"}))).err().unwrap();
    assert!(
      err.message.contains("`count` is required"),
      "{}",
      err.message
    );
    let op = list_op(&args(json!({"site": "s", "count": 5}))).unwrap();
    assert_eq!(
      Value::Object(op.variables),
      json!({"site": "s", "count": 5})
    );
  }
}
