//! `AgentSettings` (calibre@7 `src/api/agent-settings.js`): a Site's test location and
//! schedule.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use super::vars::required_string;
use crate::call::call;
use crate::graphql::{Extract, Operation};
use crate::js::Args;
use crate::vars;

const UPDATE_MUTATION: &str = r#"
  mutation UpdateAgentSettings($site: String!, $attributes: AgentSettingsInput!) {
    updateAgentSettings(site: $site, attributes: $attributes) {    
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
    }
  }

"#;

const GET: &str = r#"
  query GetAgentSettings($site: String!) {
    organisation{
      site(slug: $site) {
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
      }
    }
  }
"#;

/// Gets a Site's test location and schedule. Runs `query GetAgentSettings` and resolves to
/// `organisation.site.agentSettings`.
/// Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` (also when the
/// Site is not found) or a transport/token code.
#[napi(
  namespace = "AgentSettings",
  ts_args_type = "args: AgentSettingsGetArgs, options?: CallOptions",
  ts_return_type = "Promise<AgentSettingsDetails>"
)]
pub fn get<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "AgentSettings.get", options, || {
    let args = Args::object(env, "AgentSettings.get", args, "{ site }")?;
    Ok(Operation::new(
      GET,
      vars! { "site" => required_string(&args, "site")? },
      Extract::Path(&["organisation", "site", "agentSettings"]),
    ))
  })
}

/// Changes a Site's test location and schedule. Runs `mutation UpdateAgentSettings` and
/// resolves to `updateAgentSettings`, i.e. `{ agentSettings }` (wrapped, unlike `get`; as
/// calibre@7). Rejects with `CALIBRE_INVALID_ARGUMENT` (no `site`), `CALIBRE_GRAPHQL_ERROR` or
/// a transport/token code.
#[napi(
  namespace = "AgentSettings",
  ts_args_type = "args: AgentSettingsUpdateArgs, options?: CallOptions",
  ts_return_type = "Promise<AgentSettingsUpdateResult>"
)]
pub fn update<'env>(
  env: &'env Env,
  this: This<Unknown>,
  args: Unknown,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  call(env, &this, "AgentSettings.update", options, || {
    let args = Args::object(
      env,
      "AgentSettings.update",
      args,
      "{ site, scheduleAnchor, scheduleInterval, location }",
    )?;
    Ok(Operation::new(
      UPDATE_MUTATION,
      vars! {
        "site" => required_string(&args, "site")?,
        "attributes" => Some(Value::Object(vars! {
          "scheduleAnchor" => args.get("scheduleAnchor"),
          "scheduleInterval" => args.get("scheduleInterval"),
          "location" => args.get("location"),
        })),
      },
      Extract::Path(&["updateAgentSettings"]),
    ))
  })
}
