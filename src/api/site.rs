//! `Site` (calibre@7 `src/api/site.js`): create, list, get, update and delete Sites.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};

use super::vars::required_string;
use crate::call::call;
use crate::graphql::{Extract, Operation};
use crate::js::Args;
use crate::vars;

const CREATE_MUTATION: &str = r#"
  mutation CreateSite($attributes: SiteInput!){
    createSite(attributes: $attributes) {
      name
      slug

      team {
        name
        slug
      }

      agentSettings {
        location {
          identifier
          name
          shortName
          emoji
          tag
          agents {
            ipv4
          }
        }
        scheduleAnchor
        scheduleInterval
      }

      testProfiles {
        name
        uuid
      }

      pagesList {
        edges {
          node {
            name
            uuid
          }
        }
      }
    }
  }
"#;

const LIST_QUERY: &str = r#"
  query {
    organisation {
      sites {
        name
        slug
        createdAt

        team {
          name
          slug
        }

        monitoringStatus {
          synthetic
          crux
          rum
        }
      }
    }
  }
"#;

const DELETE_MUTATION: &str = r#"
  mutation DeleteSite($slug:String!){
    deleteSite(site: $slug) {
      name
      slug
    }
  }
"#;

const GET_QUERY: &str = r#"
  query GetSite($slug: String!) {
    organisation {
      site(slug: $slug) {
        slug
        name
        canonicalUrl
        createdAt

        team {
          name
          slug
        }

        authenticationSettings {
          required
          url
          username
          password
          formSelector
          usernameSelector
          passwordSelector
          warningMessage
        }

        headers {
          name
          value
        }

        cookies {
          name
          value
          domain
          path
          secure
          httpOnly
        }
      }
    }
  }
"#;

const UPDATE_MUTATION: &str = r#"
  mutation UpdateSiteSettings($slug: String!, $attributes: SiteSettingsInput!){
    updateSiteSettings(site: $slug, attributes: $attributes) {
      slug
      name
      canonicalUrl
      createdAt

      team {
        name
        slug
      }

      authenticationSettings {
        required
        url
        username
        password
        formSelector
        usernameSelector
        passwordSelector
        warningMessage
      }

      headers {
        name
        value
      }


      cookies {
        name
        value
        domain
        path
        secure
        httpOnly
      }
    }
  }
"#;

/// Creates a Site. Runs `mutation CreateSite` and resolves to `createSite`.
/// `agentSettings` is always sent (`{}` when omitted); the deprecated top-level `location`,
/// when truthy, is copied into `agentSettings.location` and wins (calibre@7 behaviour).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (argument not an object), `CALIBRE_GRAPHQL_ERROR`
/// (invalid input) or a transport/token code.
#[napi(
  namespace = "Site",
  ts_args_type = "args: SiteCreateArgs, options?: CallOptions",
  ts_return_type = "Promise<CreatedSite>"
)]
pub fn create<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Site.create", options, || {
    create_op(&Args::object(
      env,
      "Site.create",
      args,
      "{ name, pages, team, agentSettings }",
    )?)
  })
}

/// The operation of `Site.create` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn create_op(args: &Args) -> std::result::Result<Operation, crate::error::CalibreError> {
  let attributes = vars! {
    "name" => args.get("name"),
    "pages" => args.get("pages"),
    "team" => args.get("team"),
    "testProfiles" => args.get("testProfiles"),
    "agentSettings" => Some(agent_settings(args)),
  };
  Ok(Operation::new(
    CREATE_MUTATION,
    vars! { "attributes" => Some(Value::Object(attributes)) },
    Extract::Path(&["createSite"]),
  ))
}

/// calibre@7: `{ ...agentSettings }`, then `location` (deprecated top-level alias) when truthy.
fn agent_settings(args: &Args) -> Value {
  let mut settings = match args.get("agentSettings") {
    Some(Value::Object(map)) => map,
    _ => Map::new(),
  };
  if args.truthy("location") {
    settings.insert(
      "location".to_owned(),
      args.get("location").unwrap_or(Value::Null),
    );
  }
  Value::Object(settings)
}

/// Lists the organisation's Sites. Runs the anonymous `query { organisation { sites } }`
/// and resolves to `organisation.sites`. Rejects with a transport/token code, or
/// `CALIBRE_GRAPHQL_ERROR` when Calibre returns no organisation.
#[napi(
  namespace = "Site",
  ts_args_type = "options?: CallOptions",
  ts_return_type = "Promise<SiteSummary[]>"
)]
pub fn list<'env>(
  env: &'env Env,
  this: This<Unknown>,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Site.list", options, || Ok(list_op()))
}

/// The `organisation.sites` query (also used by `calibre-native site list`).
pub(crate) fn list_op() -> Operation {
  Operation::new(
    LIST_QUERY,
    Map::new(),
    Extract::Path(&["organisation", "sites"]),
  )
}

/// Deletes a Site. Runs `mutation DeleteSite` and resolves to `deleteSite`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `slug`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Site",
  ts_args_type = "args: SiteDestroyArgs, options?: CallOptions",
  ts_return_type = "Promise<DeletedSite>"
)]
pub fn destroy<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Site.destroy", options, || {
    destroy_op(&Args::object(env, "Site.destroy", args, "{ slug }")?)
  })
}

/// The operation of `Site.destroy` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn destroy_op(
  args: &Args,
) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    DELETE_MUTATION,
    vars! { "slug" => required_string(args, "slug")? },
    Extract::Path(&["deleteSite"]),
  ))
}

/// Gets a Site's settings. Runs `query GetSite` and resolves to `organisation.site`
/// (`null` when no Site has that slug, like calibre@7).
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `slug`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Site",
  ts_args_type = "args: SiteGetArgs, options?: CallOptions",
  ts_return_type = "Promise<SiteDetails | null>"
)]
pub fn get<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Site.get", options, || {
    get_op(&Args::object(env, "Site.get", args, "{ slug }")?)
  })
}

/// The operation of `Site.get` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn get_op(args: &Args) -> std::result::Result<Operation, crate::error::CalibreError> {
  Ok(Operation::new(
    GET_QUERY,
    vars! { "slug" => required_string(args, "slug")? },
    Extract::Path(&["organisation", "site"]),
  ))
}

/// Updates a Site's settings. Runs `mutation UpdateSiteSettings` and resolves to
/// `updateSiteSettings`. Only the given settings are sent.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `slug`), `CALIBRE_GRAPHQL_ERROR` or a
/// transport/token code.
#[napi(
  namespace = "Site",
  ts_args_type = "args: SiteUpdateArgs, options?: CallOptions",
  ts_return_type = "Promise<SiteDetails>"
)]
pub fn update<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "Site.update", options, || {
    update_op(&Args::object(
      env,
      "Site.update",
      args,
      "{ slug, name, canonicalUrl, ... }",
    )?)
  })
}

/// The operation of `Site.update` for `args` (also run by the `calibre-native` CLI).
pub(crate) fn update_op(args: &Args) -> std::result::Result<Operation, crate::error::CalibreError> {
  let attributes = vars! {
    "name" => args.get("name"),
    "canonicalUrl" => args.get("canonicalUrl"),
    "team" => args.get("team"),
    "authenticationSettings" => args.get("authenticationSettings"),
    "cookies" => args.get("cookies"),
    "headers" => args.get("headers"),
  };
  Ok(Operation::new(
    UPDATE_MUTATION,
    vars! {
      "slug" => required_string(args, "slug")?,
      "attributes" => Some(Value::Object(attributes)),
    },
    Extract::Path(&["updateSiteSettings"]),
  ))
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  fn args(value: Value) -> Args {
    match value {
      Value::Object(map) => Args::from_map("Site.create", map),
      _ => unreachable!(),
    }
  }

  #[test]
  fn agent_settings_always_sent_and_location_alias_wins() {
    assert_eq!(agent_settings(&args(json!({}))), json!({}));
    assert_eq!(
      agent_settings(&args(json!({"agentSettings": null}))),
      json!({})
    );
    assert_eq!(
      agent_settings(&args(json!({"location": "Sydney"}))),
      json!({"location": "Sydney"})
    );
    // An existing key keeps its position, as with JS assignment.
    let both = agent_settings(&args(json!({
      "location": "London",
      "agentSettings": {"location": "Sydney", "scheduleInterval": "daily"}
    })));
    assert_eq!(
      serde_json::to_string(&both).unwrap(),
      r#"{"location":"London","scheduleInterval":"daily"}"#
    );
    // A falsy alias leaves agentSettings alone.
    assert_eq!(
      agent_settings(&args(
        json!({"location": "", "agentSettings": {"location": "Sydney"}})
      )),
      json!({"location": "Sydney"})
    );
  }
}
