//! `SnapshotMetrics` (calibre@7 `src/api/snapshot-metrics.js`): the metrics of one Snapshot.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use super::vars::{required, required_string};
use crate::call::call;
use crate::graphql::{Extract, Operation};
use crate::js::Args;
use crate::vars;

const SNAPSHOT_METRICS_QUERY: &str = r#"
  query GetSnapshotMetrics(
    $site: String!,
    $snapshotId: Int!
  ) {
    organisation {
      site(slug: $site) {
        snapshot(id: $snapshotId) {
          iid

          tests {
            page {
              name
              url
            }

            testProfile {
              uuid
            }

            measurements {
              name
              label
              value
            }
          }
          sequenceId: iid
          htmlUrl
          status
          createdAt
        }

        testProfiles {
          uuid
          name
          device {
            title
          }
          bandwidth {
            title
          }
          isMobile
          jsIsDisabled
          hasDeviceEmulation
          hasBandwidthEmulation
        }
      }
    }
  }
"#;

/// The measurements of every test of a Snapshot, with the Site's Test Profiles. Runs
/// `query GetSnapshotMetrics` and resolves to `organisation.site`, i.e.
/// `{ snapshot, testProfiles }` (`snapshot: null` when no Snapshot has that number, like
/// calibre@7). `snapshotId` is sent unchanged (it must be a number).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `snapshotId`),
/// `CALIBRE_GRAPHQL_ERROR` or a transport/token code.
#[napi(
  namespace = "SnapshotMetrics",
  ts_args_type = "args: SnapshotMetricsSnapshotArgs, options?: CallOptions",
  ts_return_type = "Promise<SnapshotMetricsResult | null>"
)]
pub fn snapshot<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "SnapshotMetrics.snapshot", options, || {
    snapshot_op(&Args::object(
      env,
      "SnapshotMetrics.snapshot",
      args,
      "{ site, snapshotId }",
    )?)
  })
}

/// The operation of `SnapshotMetrics.snapshot` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn snapshot_op(
  args: &Args,
) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    SNAPSHOT_METRICS_QUERY,
    vars! {
      "site" => required_string(args, "site")?,
      "snapshotId" => required(args, "snapshotId")?,
    },
    Extract::Path(&["organisation", "site"]),
  ))
}
