//! `Rum`, Real User Monitoring (calibre@7 `src/api/rum.js`).
//!
//! The filter quirks live in `filter`: calibre@7's `buildFilter` copies only truthy filter
//! arguments, maps `dateBin`/`device` through plain objects (an unmapped value leaves the key
//! with `undefined`, dropped from the JSON body) and sends `filter` only when at least one
//! key was set, so unmapped values alone send `filter: {}`. `metrics` falls back to
//! `DEFAULT_METRICS` when falsy (`metrics || DEFAULT`).

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};

use super::vars::{js_string, put, required_string};
use crate::call::call;
use crate::error::CalibreError;
use crate::graphql::{Extract, Operation};
use crate::js::Args;
use crate::vars;

const DATE_BIN_MAP: &[(&str, &str)] = &[("today", "TODAY"), ("day", "DAY"), ("month", "MONTH")];

const DEVICE_MAP: &[(&str, &str)] = &[
  ("desktop", "DESKTOP"),
  ("mobile", "MOBILE"),
  ("tablet", "TABLET"),
];

const DEFAULT_METRICS: [&str; 6] = ["lcp", "cls", "inp", "ttfb", "fcp", "rtt"];

const SUMMARY_QUERY: &str = r#"
  query GetRumSummary($site: String!, $metrics: [MetricTag!]!, $filter: RumFilterInput) {
    organisation {
      site(slug: $site) {
        rum(metrics: $metrics, filter: $filter) {
          liveVisitors
          distinctCountriesCount
          totalCount
          metrics {
            value
            formatter
          }
          aggregate {
            lcp
            lcpGrading
            cls
            clsGrading
            inp
            inpGrading
            fcp
            fcpGrading
            ttfb
            ttfbGrading
            rtt
            rttGrading
            count
            sessionCount
          }
          uxRating {
            metric
            goodPercentage
            needsImprovementPercentage
            poorPercentage
            count
          }
        }
      }
    }
  }
"#;

const HISTORY_QUERY: &str = r#"
  query GetRumHistory($site: String!, $metrics: [MetricTag!]!, $filter: RumFilterInput) {
    organisation {
      site(slug: $site) {
        rum(metrics: $metrics, filter: $filter) {
          metrics {
            value
            formatter
          }
          history {
            date
            lcp
            lcpGrading
            cls
            clsGrading
            inp
            inpGrading
            fcp
            fcpGrading
            ttfb
            ttfbGrading
            rtt
            rttGrading
            count
            sessionCount
          }
        }
      }
    }
  }
"#;

const PAGES_QUERY: &str = r#"
  query GetRumPages($site: String!, $metrics: [MetricTag!]!, $filter: RumFilterInput, $limit: Int, $offset: Int, $sortBy: String) {
    organisation {
      site(slug: $site) {
        rum(metrics: $metrics, filter: $filter, groupBy: [PATH], limit: $limit, offset: $offset, sortBy: $sortBy) {
          totalCount
          metrics {
            value
            formatter
          }
          aggregate {
            path
            lcp
            lcpGrading
            cls
            clsGrading
            inp
            inpGrading
            fcp
            fcpGrading
            ttfb
            ttfbGrading
            rtt
            rttGrading
            count
            sessionCount
          }
        }
      }
    }
  }
"#;

const CONFIG_QUERY: &str = r#"
  query GetRumConfig($site: String!) {
    organisation {
      site(slug: $site) {
        rumConfig {
          enabled
          sampleRate
          allowedOrigins
          endpoint
          identifier
          dataRetentionMonths
          maxDataRetentionMonths
          excludeEu
          createdAt
          updatedAt
          suspendedAt
          systemSuspended
        }
      }
    }
  }
"#;

/// calibre@7 `buildFilter`; `None` when no key was set (`filter` is then left out).
fn filter(args: &Args) -> Option<Value> {
  let mut filter = Map::new();
  let mut keys = 0;
  let mut set = |key: &str, value: Option<Value>| {
    keys += 1;
    put(&mut filter, key, value);
  };
  let wrap = |key: &str| args.get(key).map(|v| Value::Array(vec![v]));
  if args.truthy("duration") {
    set("duration", args.get("duration"));
  }
  if args.truthy("dateBin") {
    set("dateBin", lookup(args, "dateBin", DATE_BIN_MAP));
  }
  if args.truthy("country") {
    set("countryCode", wrap("country"));
  }
  if args.truthy("path") {
    set("path", wrap("path"));
  }
  if args.truthy("device") {
    set("deviceType", lookup(args, "device", DEVICE_MAP));
  }
  if args.truthy("pageGrouping") {
    set("pageGroupingUuid", wrap("pageGrouping"));
  }
  (keys > 0).then_some(Value::Object(filter))
}

/// `MAP[args[key]]` on a plain object: the property key is `String(value)`.
fn lookup(args: &Args, key: &str, map: &[(&str, &str)]) -> Option<Value> {
  let name = js_string(args.get(key).as_ref());
  map
    .iter()
    .find(|(from, _)| *from == name)
    .map(|(_, to)| Value::from(*to))
}

/// `metrics || DEFAULT_METRICS`.
fn metrics(args: &Args) -> Option<Value> {
  Some(match args.get("metrics") {
    Some(metrics) if args.truthy("metrics") => metrics,
    _ => Value::from(DEFAULT_METRICS.to_vec()),
  })
}

/// `{ site, metrics, filter }`, shared by `summary` and `history`.
fn rum_vars(args: &Args) -> std::result::Result<Map<String, Value>, CalibreError> {
  Ok(vars! {
    "site" => required_string(args, "site")?,
    "metrics" => metrics(args),
    "filter" => filter(args),
  })
}

/// A Site's RUM overview: live visitors, p75 metrics and the share of good/poor experiences.
/// Runs `query GetRumSummary` and resolves to `organisation.site.rum` (`null` when RUM is not
/// enabled for the Site). `metrics` defaults to
/// `['lcp','cls','inp','ttfb','fcp','rtt']`; filters: `duration`, `dateBin`
/// (`'today' | 'day' | 'month'`), `country`, `path`, `device` (`'desktop' | 'mobile' |
/// 'tablet'`), `pageGrouping` (calibre@7 behaviour, other enum values are ignored).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` (also when the
/// Site is not found) or a transport/token code.
#[napi(
  namespace = "Rum",
  ts_args_type = "args: RumSummaryArgs, options?: CallOptions",
  ts_return_type = "Promise<RumSummaryResult | null>"
)]
pub fn summary<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Rum.summary", options, || {
    summary_op(&Args::object(
      env,
      "Rum.summary",
      args,
      "{ site, metrics, ...filters }",
    )?)
  })
}

/// The operation of `Rum.summary` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn summary_op(
  args: &Args,
) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    SUMMARY_QUERY,
    rum_vars(args)?,
    Extract::Path(&["organisation", "site", "rum"]),
  ))
}

/// A Site's RUM metrics per day (or `dateBin`). Runs `query GetRumHistory` and resolves to
/// `organisation.site.rum` (`null` when RUM is not enabled for the Site). `metrics` and
/// filters as in `summary`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` (also when the
/// Site is not found) or a transport/token code.
#[napi(
  namespace = "Rum",
  ts_args_type = "args: RumHistoryArgs, options?: CallOptions",
  ts_return_type = "Promise<RumHistoryResult | null>"
)]
pub fn history<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Rum.history", options, || {
    history_op(&Args::object(
      env,
      "Rum.history",
      args,
      "{ site, metrics, ...filters }",
    )?)
  })
}

/// The operation of `Rum.history` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn history_op(
  args: &Args,
) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    HISTORY_QUERY,
    rum_vars(args)?,
    Extract::Path(&["organisation", "site", "rum"]),
  ))
}

/// A Site's RUM metrics per path. Runs `query GetRumPages` (grouped by `PATH`) and resolves to
/// `organisation.site.rum` (`null` when RUM is not enabled for the Site). `limit`, `offset`
/// and `sortBy` page and sort the paths; `metrics` and filters as in `summary`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` (also when the
/// Site is not found) or a transport/token code.
#[napi(
  namespace = "Rum",
  ts_args_type = "args: RumPagesArgs, options?: CallOptions",
  ts_return_type = "Promise<RumPagesResult | null>"
)]
pub fn pages<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Rum.pages", options, || {
    pages_op(&Args::object(
      env,
      "Rum.pages",
      args,
      "{ site, metrics, limit, offset, sortBy, ...filters }",
    )?)
  })
}

/// The operation of `Rum.pages` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn pages_op(args: &Args) -> std::result::Result<Operation, crate::error::CalibreError> {
  let mut variables = rum_vars(args)?;
  put(&mut variables, "limit", args.get("limit"));
  put(&mut variables, "offset", args.get("offset"));
  put(&mut variables, "sortBy", args.get("sortBy"));
  Ok(Operation::new(
    PAGES_QUERY,
    variables,
    Extract::Path(&["organisation", "site", "rum"]),
  ))
}

/// A Site's RUM configuration. Runs `query GetRumConfig` and resolves to
/// `organisation.site.rumConfig` (`null` when RUM was never set up).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` (also when the
/// Site is not found) or a transport/token code.
#[napi(
  namespace = "Rum",
  ts_args_type = "args: RumConfigArgs, options?: CallOptions",
  ts_return_type = "Promise<RumConfig | null>"
)]
pub fn config<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Rum.config", options, || {
    config_op(&Args::object(env, "Rum.config", args, "{ site }")?)
  })
}

/// The operation of `Rum.config` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn config_op(args: &Args) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    CONFIG_QUERY,
    vars! { "site" => required_string(args, "site")? },
    Extract::Path(&["organisation", "site", "rumConfig"]),
  ))
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn args(value: Value) -> Args {
    Args::from_map("Rum.summary", value.as_object().unwrap().clone())
  }

  fn body(value: Value) -> String {
    serde_json::to_string(&Value::Object(rum_vars(&args(value)).unwrap())).unwrap()
  }

  #[test]
  fn filter_is_left_out_without_truthy_filter_args() {
    assert_eq!(
      body(json!({"site": "s"})),
      r#"{"site":"s","metrics":["lcp","cls","inp","ttfb","fcp","rtt"]}"#
    );
    assert_eq!(
      body(json!({"site": "s", "duration": 0, "country": "", "device": null})),
      r#"{"site":"s","metrics":["lcp","cls","inp","ttfb","fcp","rtt"]}"#
    );
  }

  #[test]
  fn unmapped_enum_values_alone_send_an_empty_filter() {
    assert_eq!(
      body(json!({"site": "s", "metrics": ["lcp"], "dateBin": "WEEK", "device": "MOBILE"})),
      r#"{"site":"s","metrics":["lcp"],"filter":{}}"#
    );
  }

  #[test]
  fn filter_keys_in_build_filter_order() {
    let all = json!({
      "pageGrouping": "g", "device": "mobile", "path": "/a", "country": "AU",
      "dateBin": "day", "duration": 7, "site": "s", "metrics": []
    });
    assert_eq!(
      body(all),
      r#"{"site":"s","metrics":[],"filter":{"duration":7,"dateBin":"DAY","countryCode":["AU"],"path":["/a"],"deviceType":"MOBILE","pageGroupingUuid":["g"]}}"#
    );
  }

  #[test]
  fn metrics_fall_back_when_falsy() {
    assert_eq!(
      metrics(&args(json!({"metrics": null}))),
      Some(json!(DEFAULT_METRICS))
    );
    assert_eq!(
      metrics(&args(json!({"metrics": ""}))),
      Some(json!(DEFAULT_METRICS))
    );
    assert_eq!(metrics(&args(json!({"metrics": []}))), Some(json!([])));
  }
}
