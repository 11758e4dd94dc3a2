//! `MetricBudget` (calibre@7 `src/api/metric-budget.js`): a Site's metric budgets.
//! `iterate` (not in calibre@7) walks every page of `list`.
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
  mutation CreateMetricBudget($organisation: String, $site: String!, $attributes: MetricBudgetInput!){
    createMetricBudget(organisation: $organisation, site: $site, attributes: $attributes) {
      uuid
      measurement
      value
      status

      budgets {
        page {
          uuid
          name
        }
        profile {
          uuid
          name
        }
        lastObservedValue
        withinBudget
      }
    }
  }
"#;

const DELETE_MUTATION: &str = r#"
  mutation DeleteMetricBudget($organisation: String, $site:String!, $uuid: String!){
    deleteMetricBudget(organisation: $organisation, site: $site, uuid: $uuid) {
      uuid
    }
  }
"#;

const UPDATE_MUTATION: &str = r#"
  mutation UpdateMetricBudget($site:String!, $uuid: String!, $attributes: MetricBudgetInput!){
    updateMetricBudget(site: $site, uuid: $uuid, attributes: $attributes) {
      uuid
      measurement
      value
      status

      budgets {
        page {
          uuid
          name
        }
        profile {
          uuid
          name
        }
        lastObservedValue
        withinBudget
      }
    }
  }
"#;

const LIST_QUERY: &str = r#"
  query ListMetricBudgets(
    $site: String!
    $count: Int!
    $cursor: String
    $metric: MetricTag
  ) {
    organisation {
      site(slug: $site) {
        metricBudgetsList(metric: $metric, first: $count, after: $cursor) {
          pageInfo {
            hasPreviousPage
            hasNextPage
            endCursor
            startCursor
          }

          edges {
            node {
              uuid
              measurement
              value
              status

              metric {
                name
                value
              }

              budgets {
                page {
                  uuid
                  name
                }
                profile {
                  uuid
                  name
                }
                lastObservedValue
                withinBudget
              }
            }
          }
        }
      }
    }
  }
"#;

/// Creates a metric budget. Runs `mutation CreateMetricBudget` and resolves to
/// `createMetricBudget`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "MetricBudget",
  ts_args_type = "args: MetricBudgetCreateArgs, options?: CallOptions",
  ts_return_type = "Promise<MetricBudgetDetails>"
)]
pub fn create<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "MetricBudget.create", options, || {
    let args = Args::object(
      env,
      "MetricBudget.create",
      args,
      "{ site, value, measurement, pages, profiles }",
    )?;
    Ok(Operation::new(
      CREATE_MUTATION,
      vars! {
        "site" => required_string(&args, "site")?,
        "attributes" => Some(Value::Object(vars! {
          "value" => args.get("value"),
          "measurement" => args.get("measurement"),
          "pages" => args.get("pages"),
          "profiles" => args.get("profiles"),
        })),
      },
      Extract::Path(&["createMetricBudget"]),
    ))
  })
}

/// Deletes a metric budget. Runs `mutation DeleteMetricBudget` and resolves to
/// `deleteMetricBudget`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `uuid`), `CALIBRE_GRAPHQL_ERROR` or
/// a transport/token code.
#[napi(
  namespace = "MetricBudget",
  ts_args_type = "args: MetricBudgetDestroyArgs, options?: CallOptions",
  ts_return_type = "Promise<DeletedMetricBudget>"
)]
pub fn destroy<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "MetricBudget.destroy", options, || {
    let args = Args::object(env, "MetricBudget.destroy", args, "{ site, uuid }")?;
    Ok(Operation::new(
      DELETE_MUTATION,
      vars! {
        "site" => required_string(&args, "site")?,
        "uuid" => required_string(&args, "uuid")?,
      },
      Extract::Path(&["deleteMetricBudget"]),
    ))
  })
}

/// Updates a metric budget. Runs `mutation UpdateMetricBudget` and resolves to
/// `updateMetricBudget`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `uuid`), `CALIBRE_GRAPHQL_ERROR` or
/// a transport/token code.
#[napi(
  namespace = "MetricBudget",
  ts_args_type = "args: MetricBudgetUpdateArgs, options?: CallOptions",
  ts_return_type = "Promise<MetricBudgetDetails>"
)]
pub fn update<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "MetricBudget.update", options, || {
    let args = Args::object(
      env,
      "MetricBudget.update",
      args,
      "{ site, uuid, value, measurement, pages, profiles }",
    )?;
    Ok(Operation::new(
      UPDATE_MUTATION,
      vars! {
        "site" => required_string(&args, "site")?,
        "uuid" => required_string(&args, "uuid")?,
        "attributes" => Some(Value::Object(vars! {
          "value" => args.get("value"),
          "measurement" => args.get("measurement"),
          "pages" => args.get("pages"),
          "profiles" => args.get("profiles"),
        })),
      },
      Extract::Path(&["updateMetricBudget"]),
    ))
  })
}

/// Lists one page of a Site's metricBudgets. Runs `query ListMetricBudgets` and resolves to
/// `{ metricBudgets, pageInfo }`; pass `pageInfo.endCursor` as `cursor` for the next page, or use
/// `MetricBudget.iterate`. `count` is required (calibre@7 has no default).
/// `metric` filters by metric.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `count`), `CALIBRE_GRAPHQL_ERROR`
/// (also when the Site is not found) or a transport/token code.
#[napi(
  namespace = "MetricBudget",
  ts_args_type = "args: MetricBudgetListArgs, options?: CallOptions",
  ts_return_type = "Promise<MetricBudgetListResult>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "MetricBudget.list", options, || {
    list_op(&Args::object(
      env,
      "MetricBudget.list",
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
      "metric" => args.get("metric"),
      "count" => required(args, "count")?,
      "cursor" => args.get("cursor"),
    },
    Extract::Connection {
      path: &["organisation", "site", "metricBudgetsList"],
      items: "metricBudgets",
    },
  ))
}

/// Every MetricBudget of a Site, fetched lazily one page (`pageSize`, default 25) per request:
/// `for await (const item of MetricBudget.iterate({ site })) { ... }`. Runs `query ListMetricBudgets` per
/// page, following `pageInfo.endCursor`. Not in calibre@7.
/// `next()` rejects with the codes of `MetricBudget.list`; `signal` stops the iteration.
#[napi(
  namespace = "MetricBudget",
  ts_args_type = "args: MetricBudgetIterateArgs, options?: IterateOptions",
  ts_return_type = "AsyncIterableIterator<MetricBudgetListItem>"
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
  function: "MetricBudget.iterate",
  filters: &["metric"],
  build: list_op,
};
