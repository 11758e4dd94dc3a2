//! `Token`: where the token comes from, storing and removing it in the official CLI's
//! config file, and refreshing it.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::auth::{
  env_token_set, remove_stored_token, status_report, store_user_token, ResolvedToken,
};
use crate::call::{start, Call};
use crate::client::client_of;
use crate::error::CalibreError;
use crate::js;

/// The token the next call would use and where it came from: the client's `token`
/// option, else `CALIBRE_API_TOKEN`, else the config file (`path`).
/// Throws `CALIBRE_TOKEN_MISSING`, `CALIBRE_TOKEN_INVALID` or `CALIBRE_CONFIG_CORRUPT`.
#[napi(
  namespace = "Token",
  ts_args_type = "",
  ts_return_type = "ResolvedToken"
)]
pub fn resolve<'env>(env: &'env Env, this: This<Unknown>) -> Result<Object<'env>> {
  let resolved = client_of(&this)
    .resolve_token(None, &js::capture_env(env))
    .map_err(|e| js::throw(env, e))?;
  resolved_to_js(env, &resolved)
}

fn resolved_to_js<'env>(env: &'env Env, resolved: &ResolvedToken) -> Result<Object<'env>> {
  let mut out = Object::new(env)?;
  out.set("token", resolved.token.expose())?;
  out.set("source", resolved.source.kind())?;
  if let Some(path) = resolved.source.path() {
    out.set("path", path.to_string_lossy().as_ref())?;
  }
  Ok(out)
}

/// Stores `token` in the official CLI's config file (`calibre token set` does the same;
/// other keys are kept, the file is written 0600 atomically). `shadowedByEnv` is true when
/// `CALIBRE_API_TOKEN` is set and would win over the stored token.
/// Throws `CALIBRE_TOKEN_INVALID`, `CALIBRE_CONFIG_CORRUPT` (file left untouched) or
/// `CALIBRE_CONFIG_ACCESS`.
#[napi(
  namespace = "Token",
  ts_args_type = "token: string",
  ts_return_type = "TokenSetResult"
)]
pub fn set<'env>(env: &'env Env, token: Unknown) -> Result<Object<'env>> {
  let vars = js::capture_env(env);
  let stored = js::positional_string(env, "Token.set", "token", token)
    .and_then(|raw| store_user_token(&raw, "Token.set", &vars))
    .map_err(|e| js::throw(env, e))?;
  let mut out = Object::new(env)?;
  out.set("path", stored.path().to_string_lossy().as_ref())?;
  out.set("shadowedByEnv", env_token_set(&vars))?;
  Ok(out)
}

/// Removes the stored token the way `calibre token remove` does (the key stays, set to
/// `null`); `removed` is false, and nothing is written, when no token was stored.
#[napi(namespace = "Token", ts_return_type = "TokenRemoveResult")]
pub fn remove(env: &Env) -> Result<Object<'_>> {
  let (file, removed) =
    remove_stored_token(&js::capture_env(env)).map_err(|e| js::throw(env, e))?;
  let mut out = Object::new(env)?;
  out.set("path", file.path().to_string_lossy().as_ref())?;
  out.set("removed", removed)?;
  Ok(out)
}

/// Refreshes the token for the duration it was created with: `POST {appHost}/api/refresh_token`
/// with `Authorization: Token <token>`. The token is `options.token`, else the client's.
/// A token from the config file is rewritten there (with `tokenExpiresAt` when the server
/// says); any token is stored there with `persist: true`. Rejects with the same codes as API
/// calls (`CALIBRE_TOKEN_EXPIRED`, `CALIBRE_IP_NOT_ALLOWED`, `CALIBRE_UNAUTHORIZED`, ...).
#[napi(
  namespace = "Token",
  ts_args_type = "options?: TokenRefreshOptions",
  ts_return_type = "Promise<TokenRefreshResult>"
)]
pub fn refresh<'env>(
  env: &'env Env,
  this: This<Unknown>,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  start(
    env,
    &this,
    "Token.refresh",
    options,
    token_and_persist,
    |session, _, persist| {
      Ok(async move {
        let token = session.token();
        session.refresh(&token, persist).await
      })
    },
    |env, info| {
      let mut out = Object::new(env).map_err(js::handoff_error)?;
      out
        .set("token", info.token.expose())
        .map_err(js::handoff_error)?;
      out
        .set("expiresAt", info.expires_at)
        .map_err(js::handoff_error)?;
      out
        .set("persisted", info.persisted)
        .map_err(js::handoff_error)?;
      Ok(out.to_unknown())
    },
  )
}

/// `Token.refresh`'s own options: `token` (beats the client's) and `persist`.
fn token_and_persist(call: &Call) -> std::result::Result<(Option<String>, bool), CalibreError> {
  let token = match call.options.rest.get("token") {
    None | Some(Value::Null) => None,
    Some(Value::String(s)) => Some(s.clone()),
    Some(other) => {
      return Err(CalibreError::invalid_argument(
        call.function,
        format!("`token` must be a string, got {}.", js::kind(other)),
      ))
    }
  };
  let persist = call.options.rest.get("persist").is_some_and(js::truthy);
  Ok((token, persist))
}

/// What is known about the token the next call would use: `{ source, path, masked,
/// expiresAt, expiresInMs, writable, shadowedByEnv }`. With `check: true` it also makes one
/// cheap authenticated request and reports `check: 'valid' | 'expired' | 'ip-not-allowed' |
/// 'invalid' | 'unreachable'` instead of throwing. Rejects with `CALIBRE_TOKEN_MISSING`
/// (or a config error) when there is no usable token.
#[napi(
  namespace = "Token",
  ts_args_type = "options?: TokenStatusOptions",
  ts_return_type = "Promise<TokenStatus>"
)]
pub fn status<'env>(
  env: &'env Env,
  this: This<Unknown>,
  options: Option<Unknown>,
) -> Result<PromiseRaw<'env, Unknown<'env>>> {
  start(
    env,
    &this,
    "Token.status",
    options,
    |call| Ok((None, call.options.rest.get("check").is_some_and(js::truthy))),
    |session, _, check| {
      Ok(async move {
        let outcome = if check {
          Some(session.check_token().await)
        } else {
          None
        };
        Ok(status_report(
          &session.token(),
          outcome,
          session.config_file.as_ref(),
        ))
      })
    },
    |env, report| env.to_js_value(&report).map_err(js::handoff_error),
  )
}
