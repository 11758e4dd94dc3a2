//! `TestProfile` (calibre@7 `src/api/test-profile.js`): create, list, update and delete a
//! Site's Test Profiles.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use super::vars::required_string;
use crate::call::call;
use crate::graphql::{Extract, Operation};
use crate::js::Args;
use crate::vars;

const CREATE_MUTATION: &str = r#"
  mutation CreateTestProfile($site: String!, $attributes: TestProfileInput!) {
    createTestProfile(site: $site, attributes: $attributes) {
      uuid
      name
      jsIsDisabled
      hasDeviceEmulation
      hasBandwidthEmulation
      isMobile
      position

      device {
        tag
        title
      }

      bandwidth {
        tag
        title
      }

      cookies {
        name
        value
        domain
        path
        secure
        httpOnly
      }

      headers {
        name
        value
      }

      blockedThirdParties {
        name
      }

      updatedAt
      createdAt
    }
  }
"#;

const LIST_QUERY: &str = r#"
  query ListTestProfiles($site: String!) {
    organisation {
      site(slug: $site) {
        testProfiles {
          uuid
          name
          jsIsDisabled
          hasDeviceEmulation
          hasBandwidthEmulation
          isMobile
          position

          device {
            tag
            title
          }

          bandwidth {
            tag
            title
          }

          cookies {
            name
            value
            domain
            path
            secure
            httpOnly
          }

          headers {
            name
            value
          }

          blockedThirdParties {
            name
          }

          updatedAt
          createdAt
        }
      }
    }
  }
"#;

const UPDATE_MUTATION: &str = r#"
  mutation UpdateTestProfile($site: String!, $uuid: String!, $attributes: TestProfileInput!){
    updateTestProfile(site: $site, uuid: $uuid, attributes: $attributes) {
      uuid
      name
      jsIsDisabled
      hasDeviceEmulation
      hasBandwidthEmulation
      isMobile
      position

      device {
        tag
        title
      }

      bandwidth {
        tag
        title
      }

      cookies {
        name
        value
        domain
        path
        secure
        httpOnly
      }

      headers {
        name
        value
      }

      blockedThirdParties {
        name
      }

      updatedAt
      createdAt
    }
  }
"#;

const DELETE_MUTATION: &str = r#"
  mutation DeleteTestProfile($site:String!, $uuid: String!){
    deleteTestProfile(site: $site, uuid: $uuid) {
      name
      uuid
    }
  }
"#;

/// calibre@7 sends `jsIsDisabled: !javascript`: omitting `javascript` disables JavaScript.
fn js_is_disabled(args: &Args) -> Option<Value> {
  Some(Value::Bool(!args.truthy("javascript")))
}

/// Creates a Test Profile. Runs `mutation CreateTestProfile` and resolves to
/// `createTestProfile`. Only `name`, `device`, `connection`, `cookies` and `javascript` are
/// sent (calibre@7 ignores `headers` and the rest here; use `update`); **omitting
/// `javascript` disables JavaScript** (`jsIsDisabled: !javascript`).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "TestProfile",
  ts_args_type = "args: TestProfileCreateArgs, options?: CallOptions",
  ts_return_type = "Promise<TestProfileDetails>"
)]
pub fn create<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "TestProfile.create", options, || {
    create_op(&Args::object(
      env,
      "TestProfile.create",
      args,
      "{ site, name, device, ... }",
    )?)
  })
}

/// The operation of `TestProfile.create` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn create_op(args: &Args) -> std::result::Result<Operation, crate::error::CalibreError> {
  let attributes = vars! {
    "name" => args.get("name"),
    "device" => args.get("device"),
    "connection" => args.get("connection"),
    "cookies" => args.get("cookies"),
    "jsIsDisabled" => js_is_disabled(args),
  };
  Ok(Operation::new(
    CREATE_MUTATION,
    vars! {
      "site" => required_string(args, "site")?,
      "attributes" => Some(Value::Object(attributes)),
    },
    Extract::Path(&["createTestProfile"]),
  ))
}

/// Lists a Site's Test Profiles. Runs `query ListTestProfiles` and resolves to
/// `organisation.site.testProfiles`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` (also when the
/// Site is not found) or a transport/token code.
#[napi(
  namespace = "TestProfile",
  ts_args_type = "args: TestProfileListArgs, options?: CallOptions",
  ts_return_type = "Promise<TestProfileDetails[]>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "TestProfile.list", options, || {
    list_op(&Args::object(env, "TestProfile.list", args, "{ site }")?)
  })
}

/// The operation of `TestProfile.list` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn list_op(args: &Args) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    LIST_QUERY,
    vars! { "site" => required_string(args, "site")? },
    Extract::Path(&["organisation", "site", "testProfiles"]),
  ))
}

/// Updates a Test Profile. Runs `mutation UpdateTestProfile` and resolves to
/// `updateTestProfile`. **Omitting `javascript` disables JavaScript**
/// (`jsIsDisabled: !javascript`, calibre@7 behaviour).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `uuid`), `CALIBRE_GRAPHQL_ERROR` or
/// a transport/token code.
#[napi(
  namespace = "TestProfile",
  ts_args_type = "args: TestProfileUpdateArgs, options?: CallOptions",
  ts_return_type = "Promise<TestProfileDetails>"
)]
pub fn update<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "TestProfile.update", options, || {
    update_op(&Args::object(
      env,
      "TestProfile.update",
      args,
      "{ uuid, site, name, ... }",
    )?)
  })
}

/// The operation of `TestProfile.update` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn update_op(args: &Args) -> std::result::Result<Operation, crate::error::CalibreError> {
  let attributes = vars! {
    "name" => args.get("name"),
    "device" => args.get("device"),
    "connection" => args.get("connection"),
    "cookies" => args.get("cookies"),
    "headers" => args.get("headers"),
    "blockedThirdParties" => args.get("blockedThirdParties"),
    "jsIsDisabled" => js_is_disabled(args),
    "position" => args.get("position"),
  };
  Ok(Operation::new(
    UPDATE_MUTATION,
    vars! {
      "uuid" => required_string(args, "uuid")?,
      "site" => required_string(args, "site")?,
      "attributes" => Some(Value::Object(attributes)),
    },
    Extract::Path(&["updateTestProfile"]),
  ))
}

/// Deletes a Test Profile. Runs `mutation DeleteTestProfile` and resolves to
/// `deleteTestProfile`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site` or `uuid`), `CALIBRE_GRAPHQL_ERROR` or
/// a transport/token code.
#[napi(
  namespace = "TestProfile",
  ts_args_type = "args: TestProfileDestroyArgs, options?: CallOptions",
  ts_return_type = "Promise<DeletedTestProfile>"
)]
pub fn destroy<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "TestProfile.destroy", options, || {
    destroy_op(&Args::object(
      env,
      "TestProfile.destroy",
      args,
      "{ site, uuid }",
    )?)
  })
}

/// The operation of `TestProfile.destroy` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn destroy_op(
  args: &Args,
) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    DELETE_MUTATION,
    vars! {
      "site" => required_string(args, "site")?,
      "uuid" => required_string(args, "uuid")?,
    },
    Extract::Path(&["deleteTestProfile"]),
  ))
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn javascript_is_inverted_with_js_truthiness() {
    let with = |v: Value| {
      js_is_disabled(&Args::from_map(
        "TestProfile.create",
        v.as_object().unwrap().clone(),
      ))
    };
    assert_eq!(with(json!({})), Some(json!(true)));
    assert_eq!(with(json!({"javascript": true})), Some(json!(false)));
    assert_eq!(with(json!({"javascript": 1})), Some(json!(false)));
    assert_eq!(with(json!({"javascript": ""})), Some(json!(true)));
    assert_eq!(with(json!({"javascript": null})), Some(json!(true)));
  }
}
