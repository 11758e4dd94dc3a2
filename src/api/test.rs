//! `Test`, Single Page Tests (calibre@7 `src/api/test.js`): start a test, list tests, get one,
//! wait for one to finish, and fetch its artifact URLs.

use std::time::{Duration, SystemTime};

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};

use super::poll::{not_found, Wait};
use super::vars::required_string;
use crate::auth::format_time;
use crate::call::{call, run};
use crate::client::client_of;
use crate::error::CalibreError;
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

/// calibre@7's default test lifetime: one year of 365.2425 days (31 556 952 000 ms).
const DEFAULT_EXPIRY: Duration = Duration::from_millis(31_556_952_000);

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
    create_op(&Args::object(
      env,
      "Test.create",
      args,
      "{ url, location, device, ... }",
    )?)
  })
}

/// The `CreateSinglePageTest` operation for `args` (also used by `calibre-native test create`).
pub(crate) fn create_op(args: &Args) -> std::result::Result<Operation, CalibreError> {
  let expires_at = args
    .get("expiresAt")
    .unwrap_or_else(|| Value::String(format_time(SystemTime::now() + DEFAULT_EXPIRY)));
  Ok(Operation::new(
    CREATE_MUTATION,
    vars! {
      "url" => required_string(args, "url")?,
      "location" => required_string(args, "location")?,
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
  call(env, &this, "Test.getList", options, || Ok(list_op()))
}

/// The operation of `Test.getList` (also run by the `calibre-native` CLI).
pub(crate) fn list_op() -> Operation {
  Operation::new(
    LIST_QUERY,
    Map::new(),
    Extract::Path(&["organisation", "singlePageTests"]),
  )
}

/// The `GetSinglePageTest` operation (also polled by `calibre-native test create --wait`).
pub(crate) fn get_op(uuid: String) -> Operation {
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
              .with_token_source_opt(session.token_source()),
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
    js::positional_string(env, "Test.fetchArtifacts", "uuid", uuid).map(fetch_artifacts_op)
  })
}

/// The operation of `Test.fetchArtifacts` (also run by the `calibre-native` CLI).
pub(crate) fn fetch_artifacts_op(uuid: String) -> Operation {
  Operation::new(
    GET_TEST_ARTIFACT_URLS,
    vars! { "uuid" => Some(Value::String(uuid)) },
    Extract::Path(&["organisation", "singlePageTest"]),
  )
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn default_expiry_is_one_gregorian_year_ahead_in_to_iso_string_format() {
    let args = Args::from_map(
      "Test.create",
      serde_json::from_str(r#"{"url":"u","location":"l"}"#).unwrap(),
    );
    let op = create_op(&args).unwrap();
    let sent = op.variables["expiresAt"].as_str().unwrap().to_owned();
    assert_eq!(sent.len(), 24, "{sent}");
    assert!(sent.ends_with('Z') && sent.as_bytes()[19] == b'.');
    let sent = crate::auth::parse_time(&sent).unwrap();
    let expected = SystemTime::now() + DEFAULT_EXPIRY;
    assert!(expected.duration_since(sent).unwrap() < Duration::from_secs(5));
  }

  #[test]
  fn explicit_null_expiry_is_kept() {
    let args = Args::from_map(
      "Test.create",
      serde_json::from_str(r#"{"url":"u","location":"l","expiresAt":null}"#).unwrap(),
    );
    assert_eq!(
      create_op(&args).unwrap().variables["expiresAt"],
      Value::Null
    );
  }
}
