//! `Crux`, Chrome UX Report data (calibre@7 `src/api/crux.js`). All four resolve to
//! `organisation.site` (not flattened), `null` when the Site is not found, like calibre@7.
//!
//! The enum quirk lives in `enum_var`: calibre@7 sets a variable only when its argument is
//! truthy, and maps it with a `Map` of the lowercase CLI spellings; any other value (e.g.
//! `'PHONE'` or `'SIX_MONTHS'`, as in calibre's own CHANGELOG) maps to `undefined`, so the
//! variable is silently left out and the server's default applies. We send the same.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};

use super::vars::{put, required_string};
use crate::call::call;
use crate::graphql::{Extract, Operation};
use crate::js::Args;

const FORM_FACTOR_MAP: &[(&str, &str)] = &[
  ("desktop", "DESKTOP"),
  ("phone", "PHONE"),
  ("tablet", "TABLET"),
];

const TIME_PERIOD_MAP: &[(&str, &str)] = &[
  ("three-months", "THREE_MONTHS"),
  ("six-months", "SIX_MONTHS"),
  ("nine-months", "NINE_MONTHS"),
  ("twelve-months", "TWELVE_MONTHS"),
  ("eighteen-months", "EIGHTEEN_MONTHS"),
  ("twenty-four-months", "TWENTY_FOUR_MONTHS"),
];

const SUMMARY_QUERY: &str = r#"
  query GetCruxSummary($site: String!, $formFactor: CruxFormFactor) {
    organisation {
      site(slug: $site) {
        cruxCvwAssessment(formFactor: $formFactor)
        cruxFormFactorDensity {
          desktop
          phone
          tablet
        }
        cruxAggregateMetrics(formFactor: $formFactor) {
          name
          value
          grading
          metric {
            label
            formatter
          }
        }
      }
    }
  }
"#;

const HISTORY_QUERY: &str = r#"
  query GetCruxHistory($site: String!, $formFactor: CruxFormFactor, $timePeriod: MonthPeriod) {
    organisation {
      site(slug: $site) {
        cruxHistory(formFactor: $formFactor, timePeriod: $timePeriod) {
          metric {
            name
            label
            formatter
          }
          values {
            collectionPeriodStart
            collectionPeriodEnd
            p75Value
            p75Grading
          }
        }
      }
    }
  }
"#;

const URLS_QUERY: &str = r#"
  query ListCruxUrls($site: String!, $formFactor: CruxFormFactor) {
    organisation {
      site(slug: $site) {
        cruxUrlsList {
          edges {
            node {
              uuid
              url
              name
              status
              cruxCvwAssessment(formFactor: $formFactor)
              cruxAggregateMetrics(formFactor: $formFactor) {
                name
                value
                grading
                metric {
                  label
                  formatter
                }
              }
            }
          }
        }
      }
    }
  }
"#;

const URL_QUERY: &str = r#"
  query GetCruxUrl($site: String!, $uuid: String!, $formFactor: CruxFormFactor, $timePeriod: MonthPeriod) {
    organisation {
      site(slug: $site) {
        cruxUrl(uuid: $uuid) {
          uuid
          url
          name
          status
          cruxCvwAssessment(formFactor: $formFactor)
          cruxFormFactorDensity {
            desktop
            phone
            tablet
          }
          cruxAggregateMetrics(formFactor: $formFactor) {
            name
            value
            grading
            metric {
              label
              formatter
            }
          }
          cruxHistory(formFactor: $formFactor, timePeriod: $timePeriod) {
            metric {
              name
              label
              formatter
            }
            values {
              collectionPeriodStart
              collectionPeriodEnd
              p75Value
              p75Grading
            }
          }
        }
      }
    }
  }
"#;

/// `if (args[key]) variables[key] = MAP.get(args[key])`: `Map.get` matches exact strings only;
/// an unmapped value gives `undefined`, which the JSON body drops.
fn enum_var(variables: &mut Map<String, Value>, args: &Args, key: &str, map: &[(&str, &str)]) {
  if !args.truthy(key) {
    return;
  }
  let mapped = match args.get(key) {
    Some(Value::String(s)) => map.iter().find(|(from, _)| *from == s).map(|(_, to)| *to),
    _ => None,
  };
  put(variables, key, mapped.map(Value::from));
}

/// `{ site, [uuid], formFactor?, timePeriod? }` in calibre@7's key order.
fn crux_vars(
  args: &Args,
  uuid: bool,
  time_period: bool,
) -> std::result::Result<Map<String, Value>, crate::error::CalibreError> {
  let mut variables = crate::vars! { "site" => required_string(args, "site")? };
  if uuid {
    put(&mut variables, "uuid", required_string(args, "uuid")?);
  }
  enum_var(&mut variables, args, "formFactor", FORM_FACTOR_MAP);
  if time_period {
    enum_var(&mut variables, args, "timePeriod", TIME_PERIOD_MAP);
  }
  Ok(variables)
}

/// A Site's Core Web Vitals assessment and p75 metrics from the Chrome UX Report. Runs
/// `query GetCruxSummary` and resolves to `organisation.site`
/// (`{ cruxCvwAssessment, cruxFormFactorDensity, cruxAggregateMetrics }`). `formFactor` is
/// `'desktop' | 'phone' | 'tablet'`; other values are ignored (calibre@7 behaviour).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Crux",
  ts_args_type = "args: CruxSummaryArgs, options?: CallOptions",
  ts_return_type = "Promise<CruxSummary | null>"
)]
pub fn summary<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Crux.summary", options, || {
    summary_op(&Args::object(
      env,
      "Crux.summary",
      args,
      "{ site, formFactor }",
    )?)
  })
}

/// The operation of `Crux.summary` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn summary_op(
  args: &Args,
) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    SUMMARY_QUERY,
    crux_vars(args, false, false)?,
    Extract::Path(&["organisation", "site"]),
  ))
}

/// A Site's Chrome UX Report history per metric. Runs `query GetCruxHistory` and resolves to
/// `organisation.site` (`{ cruxHistory }`). `formFactor` is `'desktop' | 'phone' | 'tablet'`,
/// `timePeriod` `'three-months'` … `'twenty-four-months'`; other values are ignored
/// (calibre@7 behaviour).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Crux",
  ts_args_type = "args: CruxHistoryArgs, options?: CallOptions",
  ts_return_type = "Promise<CruxHistoryResult | null>"
)]
pub fn history<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Crux.history", options, || {
    history_op(&Args::object(
      env,
      "Crux.history",
      args,
      "{ site, formFactor, timePeriod }",
    )?)
  })
}

/// The operation of `Crux.history` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn history_op(
  args: &Args,
) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    HISTORY_QUERY,
    crux_vars(args, false, true)?,
    Extract::Path(&["organisation", "site"]),
  ))
}

/// The Site's URLs tracked in the Chrome UX Report with their assessment and metrics. Runs
/// `query ListCruxUrls` and resolves to `organisation.site` (`{ cruxUrlsList: { edges } }`,
/// not flattened, as calibre@7). `formFactor` as in `summary`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Crux",
  ts_args_type = "args: CruxUrlsArgs, options?: CallOptions",
  ts_return_type = "Promise<CruxUrlsResult | null>"
)]
pub fn urls<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Crux.urls", options, || {
    urls_op(&Args::object(
      env,
      "Crux.urls",
      args,
      "{ site, formFactor }",
    )?)
  })
}

/// The operation of `Crux.urls` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn urls_op(args: &Args) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    URLS_QUERY,
    crux_vars(args, false, false)?,
    Extract::Path(&["organisation", "site"]),
  ))
}

/// One Chrome UX Report URL with its assessment, metrics and history. Runs
/// `query GetCruxUrl` and resolves to `organisation.site` (`{ cruxUrl }`). `formFactor` and
/// `timePeriod` as in `history`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `uuid`), `CALIBRE_GRAPHQL_ERROR` or
/// a transport/token code.
#[napi(
  namespace = "Crux",
  ts_args_type = "args: CruxUrlArgs, options?: CallOptions",
  ts_return_type = "Promise<CruxUrlResult | null>"
)]
pub fn url<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Crux.url", options, || {
    url_op(&Args::object(
      env,
      "Crux.url",
      args,
      "{ site, uuid, formFactor, timePeriod }",
    )?)
  })
}

/// The operation of `Crux.url` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn url_op(args: &Args) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    URL_QUERY,
    crux_vars(args, true, true)?,
    Extract::Path(&["organisation", "site"]),
  ))
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn vars_of(value: Value) -> Value {
    let args = Args::from_map("Crux.url", value.as_object().unwrap().clone());
    Value::Object(crux_vars(&args, true, true).unwrap())
  }

  #[test]
  fn maps_cli_spellings_and_drops_anything_else() {
    assert_eq!(
      vars_of(json!({"timePeriod": "six-months", "formFactor": "phone", "uuid": "u", "site": "s"})),
      json!({"site": "s", "uuid": "u", "formFactor": "PHONE", "timePeriod": "SIX_MONTHS"})
    );
    // The 7.0.0 CHANGELOG spellings are unmapped: left out, as calibre@7 does.
    assert_eq!(
      vars_of(json!({"site": "s", "uuid": "u", "formFactor": "PHONE", "timePeriod": "SIX_MONTHS"})),
      json!({"site": "s", "uuid": "u"})
    );
    assert_eq!(
      vars_of(json!({"site": "s", "uuid": "u", "formFactor": "", "timePeriod": null})),
      json!({"site": "s", "uuid": "u"})
    );
    let order = serde_json::to_string(&vars_of(
      json!({"timePeriod": "nine-months", "formFactor": "desktop", "uuid": "u", "site": "s"}),
    ))
    .unwrap();
    assert_eq!(
      order,
      r#"{"site":"s","uuid":"u","formFactor":"DESKTOP","timePeriod":"NINE_MONTHS"}"#
    );
  }
}
