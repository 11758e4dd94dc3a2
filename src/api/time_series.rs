//! `TimeSeries` (calibre@7 `src/api/time-series.js`): a Site's metrics over time.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use super::vars::required_string;
use crate::call::call;
use crate::graphql::{Extract, Operation};
use crate::js::Args;
use crate::vars;

const TIME_SERIES_QUERY: &str = r#"
  query TimeSeries(
    $site: String!
    $measurements: [MetricTag!]
    $pages: [String!]
    $profiles: [String!]
    $from: String,
    $to: String
  ) {
    organisation {
      site(slug: $site) {
        timeSeries(from: $from, to: $to, measurements: $measurements, pages: $pages, profiles: $profiles) {
          times {
            name
            snapshot
            timestamp
          }

          series {
            name
            profile
            page
            measurement
            values
          }

          pages {
            uuid
            name
            url
          }

          testProfiles {
            uuid
            name
            jsIsDisabled
            hasDeviceEmulation
            hasBandwidthEmulation
            isMobile
          }

          metrics {
            name
            label
            formatter
            docsPath
          }

          csv
        }
      }
    }
  }
"#;

/// Metric values over time for a Site's Pages × Test Profiles, with a CSV rendering. Runs
/// `query TimeSeries` and resolves to `organisation.site.timeSeries`. `measurements`,
/// `pages` and `profiles` default to `[]` (sent, as calibre@7 does); a `Date` in `from`/`to`
/// is sent as its ISO 8601 string.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` (also when the
/// Site is not found) or a transport/token code.
#[napi(
  namespace = "TimeSeries",
  ts_args_type = "args: TimeSeriesListArgs, options?: CallOptions",
  ts_return_type = "Promise<TimeSeriesResult>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "TimeSeries.list", options, || {
    list_op(&Args::object(
      env,
      "TimeSeries.list",
      args,
      "{ site, measurements, pages, from, to }",
    )?)
  })
}

/// The operation of `TimeSeries.list` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn list_op(args: &Args) -> std::result::Result<Operation, crate::error::CalibreError> {
  // calibre@7: `measurements = [], pages = [], profiles = []` (defaults for undefined only).
  let or_empty = |key| Some(args.get(key).unwrap_or(Value::Array(Vec::new())));
  Ok(Operation::new(
    TIME_SERIES_QUERY,
    vars! {
      "site" => required_string(args, "site")?,
      "measurements" => or_empty("measurements"),
      "pages" => or_empty("pages"),
      "profiles" => or_empty("profiles"),
      "from" => args.get("from"),
      "to" => args.get("to"),
    },
    Extract::Path(&["organisation", "site", "timeSeries"]),
  ))
}
