//! `Test`, Single Page Tests (calibre@7 `src/api/test.js`): start a test, list tests, get one,
//! wait for one to finish, and fetch its artifact URLs.

use std::time::{SystemTime, UNIX_EPOCH};

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};

use super::poll::{not_found, Wait};
use super::vars::required_string;
use crate::client::{call, client_of, run};
use crate::graphql::{Extract, Operation};
use crate::js::{self, Args};
use crate::vars;

const CREATE_MUTATION: &str = r#"
  mutation CreateSinglePageTest($url: URL!, $location: LocationTag!, $device: DeviceTag, $connection: ConnectionTag, $cookies: [CookieInput!], $headers: [HeaderInput!], $isPrivate: Boolean, $webhookUrl: URL, $webhookSecret: String, $expiresAt: ISO8601DateTime, $blockedHosts: [String!]) {
    createTest(url: $url, location: $location, device: $device, connection: $connection, cookies: $cookies, headers: $headers, isPrivate: $isPrivate, webhookUrl: $webhookUrl, webhookSecret: $webhookSecret, expiresAt: $expiresAt, blockedHosts: $blockedHosts) {
      uuid
      formattedTestUrl
    }
  }
"#;

const LIST_QUERY: &str = r#"
  query ListSinglePageTests {
    organisation {
      singlePageTests {
        uuid
        url
        formattedTestUrl
        isPrivate

        device {
          title
        }

        connection {
          title
        }

        location {
          emoji
          shortName
        }

        status
        updatedAt
      }
    }
  }
"#;

const GET_BY_UUID: &str = r#"
  query GetSinglePageTest($uuid: String!) {
    organisation{
      singlePageTest(uuid: $uuid) {
        uuid
        url
        formattedTestUrl
        status
        updatedAt
        isPrivate
        runtimeError: artifact(name: TEST_ARTIFACT_RUNTIME_ERROR)
        markdownReport

        metrics: measurements {
          name
          label
          value
        }

        device {
          title
        }

        connection {
          title
        }

        location {
          name
          emoji
        }
      }
    }
  }
"#;

const GET_TEST_ARTIFACT_URLS: &str = r#"
  query GetSinglePageTestArtifacts($uuid: String!) {
    organisation {
      singlePageTest(uuid: $uuid) {
        uuid

        har: artifactURL(name: TEST_ARTIFACT_HAR)
        lighthouse: artifactURL(name: TEST_ARTIFACT_LIGHTHOUSE)
        image: mediaURL(name: TEST_MEDIA_IMAGE)
        video: mediaURL(name: TEST_MEDIA_VIDEO)
      }
    }
  }
"#;

/// calibre@7's default test lifetime: one year of 365.2425 days.
const DEFAULT_EXPIRY_MS: i64 = 31_556_952_000;

/// Starts a Single Page Test (it does not wait; see `Test.waitForTest`). Runs
/// `mutation CreateSinglePageTest` and resolves to `createTest` (`{ uuid, formattedTestUrl }`).
/// `expiresAt` defaults to now + 1 year (365.2425 days) when omitted; `null` is sent as `null`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `url` or `location`), `CALIBRE_GRAPHQL_ERROR`
/// or a transport/token code.
#[napi(
  namespace = "Test",
  ts_args_type = "args: TestCreateArgs, options?: CallOptions",
  ts_return_type = "Promise<CreatedTest>"
)]
pub fn create<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Test.create", options, || {
    let args = Args::object(env, "Test.create", args, "{ url, location, device, ... }")?;
    let expires_at = args
      .get("expiresAt")
      .unwrap_or_else(|| Value::String(iso_8601(now_ms() + DEFAULT_EXPIRY_MS)));
    Ok(Operation::new(
      CREATE_MUTATION,
      vars! {
        "url" => required_string(&args, "url")?,
        "location" => required_string(&args, "location")?,
        "device" => args.get("device"),
        "connection" => args.get("connection"),
        "cookies" => args.get("cookies"),
        "headers" => args.get("headers"),
        "isPrivate" => args.get("isPrivate"),
        "webhookUrl" => args.get("webhookUrl"),
        "webhookSecret" => args.get("webhookSecret"),
        "expiresAt" => Some(expires_at),
        "blockedHosts" => args.get("blockedHosts"),
      },
      Extract::Path(&["createTest"]),
    ))
  })
}

fn now_ms() -> i64 {
  SystemTime::now()
    .duration_since(UNIX_EPOCH)
    .map(|d| d.as_millis() as i64)
    .unwrap_or(0)
}

/// JS `new Date(ms).toISOString()`: `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, years 0..=9999).
fn iso_8601(ms: i64) -> String {
  let (days, ms) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
  let (year, month, day) = civil_from_days(days);
  format!(
    "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
    ms / 3_600_000,
    ms / 60_000 % 60,
    ms / 1000 % 60,
    ms % 1000
  )
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
  let z = days + 719_468;
  let era = z.div_euclid(146_097);
  let doe = z.rem_euclid(146_097);
  let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  let mp = (5 * doy + 2) / 153;
  let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
  let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
  let year = yoe + era * 400 + i64::from(month <= 2);
  (year, month, day)
}

/// Lists the organisation's Single Page Tests. Runs `query ListSinglePageTests` and resolves
/// to `organisation.singlePageTests`. Rejects with a transport/token code, or
/// `CALIBRE_GRAPHQL_ERROR`.
#[napi(
  namespace = "Test",
  ts_args_type = "options?: CallOptions",
  ts_return_type = "Promise<SinglePageTestSummary[]>"
)]
pub fn get_list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Test.getList", options, || {
    Ok(Operation::new(
      LIST_QUERY,
      Map::new(),
      Extract::Path(&["organisation", "singlePageTests"]),
    ))
  })
}

fn get_op(uuid: String) -> Operation {
  Operation::new(
    GET_BY_UUID,
    vars! { "uuid" => Some(Value::String(uuid)) },
    Extract::Path(&["organisation", "singlePageTest"]),
  )
}

/// Gets a Single Page Test with its results. Runs `query GetSinglePageTest` and resolves to
/// `organisation.singlePageTest` (`null` when no test has that uuid, like calibre@7).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `uuid`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Test",
  ts_args_type = "uuid: string, options?: CallOptions",
  ts_return_type = "Promise<SinglePageTest | null>"
)]
pub fn get_test_by_uuid<'env>(
  env: &'env Env,
  this: This<Unknown>,
  uuid: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Test.getTestByUuid", options, || {
    js::positional_string(env, "Test.getTestByUuid", "uuid", uuid).map(get_op)
  })
}

/// Waits for a Single Page Test to finish and resolves to it (as `getTestByUuid`). Like
/// calibre@7 it sleeps 5000 ms before each `query GetSinglePageTest` and stops at status
/// `completed`, `errored` or `timeout`. Options: `intervalMs` (sleep, default 5000),
/// `timeoutMs` (bound on the whole wait; default none), `signal`.
/// Rejects with `CALIBRE_TIMEOUT` (naming the last status), `CALIBRE_ABORTED`,
/// `CALIBRE_GRAPHQL_ERROR` (also when no test has that uuid), `CALIBRE_INVALID_ARGUMENT` or
/// a transport/token code of a poll.
#[napi(
  namespace = "Test",
  ts_args_type = "uuid: string, options?: WaitOptions",
  ts_return_type = "Promise<SinglePageTest>"
)]
pub fn wait_for_test<'env>(
  env: &'env Env,
  this: This<Unknown>,
  uuid: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  const F: &str = "Test.waitForTest";
  let uuid = match js::positional_string(env, F, "uuid", uuid) {
    Ok(uuid) => uuid,
    Err(err) => return js::rejected(env, err),
  };
  // `timeoutMs` bounds the whole wait; each poll keeps the client's own request timeout.
  let request_timeout = client_of(&this).request_timeout();
  run(env, &this, F, options, move |session, options| {
    let wait = Wait::from_options(F, &options)?;
    let session = session.with_request_timeout(request_timeout);
    let op = get_op(uuid);
    Ok(async move {
      let (session, op) = (&session, &op);
      let fetch = move || async move {
        let test = session.execute_value(op).await?;
        match test {
          // calibre@7 crashed here (TypeError reading `status`).
          Value::Null => Err(
            not_found(F, "organisation.singlePageTest")
              .with_request(op.request_info())
              .with_token_source(session.token().source),
          ),
          test => Ok(test),
        }
      };
      wait.until_terminal(F, fetch).await
    })
  })
}

/// The artifact URLs (HAR, Lighthouse report, screenshot, video) of a Single Page Test. Runs
/// `query GetSinglePageTestArtifacts` and resolves to `organisation.singlePageTest` (`null`
/// when no test has that uuid). Nothing is downloaded.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `uuid`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Test",
  ts_args_type = "uuid: string, options?: CallOptions",
  ts_return_type = "Promise<SinglePageTestArtifacts | null>"
)]
pub fn fetch_artifacts<'env>(
  env: &'env Env,
  this: This<Unknown>,
  uuid: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Test.fetchArtifacts", options, || {
    let uuid = js::positional_string(env, "Test.fetchArtifacts", "uuid", uuid)?;
    Ok(Operation::new(
      GET_TEST_ARTIFACT_URLS,
      vars! { "uuid" => Some(Value::String(uuid)) },
      Extract::Path(&["organisation", "singlePageTest"]),
    ))
  })
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn iso_8601_matches_js_to_iso_string() {
    assert_eq!(iso_8601(0), "1970-01-01T00:00:00.000Z");
    // new Date(1700000000123).toISOString()
    assert_eq!(iso_8601(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    // Leap day, and the end of a year.
    assert_eq!(iso_8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
    assert_eq!(iso_8601(1_735_689_599_999), "2024-12-31T23:59:59.999Z");
    assert_eq!(iso_8601(-1), "1969-12-31T23:59:59.999Z");
  }

  #[test]
  fn default_expiry_is_one_gregorian_year_ahead() {
    let before = now_ms();
    let sent = iso_8601(now_ms() + DEFAULT_EXPIRY_MS);
    assert_eq!(sent.len(), 24);
    assert!(sent.ends_with('Z'));
    assert!(sent > iso_8601(before + DEFAULT_EXPIRY_MS - 1));
  }
}
