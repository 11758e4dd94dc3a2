//! `Token`: where the token comes from (the chain in `auth::chain`), storing it in the
//! official CLI's config file, the OS keyring or a profile, removing it, listing and choosing
//! profiles, and refreshing it.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::auth::{
  env_token_set, list_profiles, remove_stored_token, status_report, store_user_token, use_profile,
  FetchEnv, Place, ResolvedToken, StoreRequest,
};
use crate::call::{start, start_token, Call};
use crate::client::client_of;
use crate::error::CalibreError;
use crate::js;

/// The token the next call would use and where it came from (`source`: `'option' |
/// 'function' | 'env' | 'env-file' | 'command' | 'keyring' | 'file'`, with `path` and
/// `profile` when they apply), decided by the same chain as every call. Synchronous: it reads
/// the keyring or runs the token command here (each bounded). A `token` function that returns
/// a promise cannot be awaited here: use `await Token.status()`.
/// Throws `CALIBRE_TOKEN_MISSING`, `CALIBRE_TOKEN_INVALID`, `CALIBRE_CONFIG_CORRUPT`,
/// `CALIBRE_CONFIG_ACCESS`, `CALIBRE_KEYRING_UNAVAILABLE` or `CALIBRE_TOKEN_COMMAND_FAILED`.
#[napi(
  namespace = "Token",
  ts_args_type = "",
  ts_return_type = "ResolvedToken"
)]
pub fn resolve<'env>(env: &'env Env, this: This<Unknown>) -> Result<Object<'env>> {
  let client = client_of(&this);
  let vars = js::capture_env(env);
  let resolved = (|| -> std::result::Result<ResolvedToken, CalibreError> {
    let start = start_token(env, &client, &vars, None, "Token.resolve")?;
    if start.promise.is_some() {
      return Err(CalibreError::invalid_argument(
        "Token.resolve",
        "the `token` function returned a promise, which this synchronous function cannot wait for. Use `await Token.status()` to see where the token comes from.",
      ));
    }
    // Ready, or read from the keyring or a command's output here (each bounded).
    start
      .decision
      .plan
      .fetch(&FetchEnv::new(&vars, start.child_env), &client.lifecycle)
  })()
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
  if let Some(profile) = resolved.source.profile() {
    out.set("profile", profile)?;
  }
  Ok(out)
}

/// `{ profile, store, host }` of `Token.set` / `Token.remove`.
fn store_options(
  env: &Env,
  function: &str,
  options: Option<Unknown>,
) -> std::result::Result<(Option<String>, Place, Option<String>), CalibreError> {
  let map = match options.map(|o| js::to_json(env, o)) {
    None | Some(Ok(None)) | Some(Ok(Some(Value::Null))) => serde_json::Map::new(),
    Some(Ok(Some(Value::Object(map)))) => map,
    _ => {
      return Err(CalibreError::invalid_argument(
        function,
        "options must be an object like { store: 'keyring', profile: 'work' }.",
      ))
    }
  };
  let text = |key: &str| match map.get(key) {
    None | Some(Value::Null) => Ok(None),
    Some(Value::String(s)) => Ok(Some(s.clone())),
    Some(other) => Err(CalibreError::invalid_argument(
      function,
      format!("`{key}` must be a string, got {}.", js::kind(other)),
    )),
  };
  let place = match text("store")?.as_deref() {
    None | Some("file") => Place::File,
    Some("keyring") => Place::Keyring,
    Some(other) => {
      return Err(CalibreError::invalid_argument(
        function,
        format!("`store` must be 'file' or 'keyring', got {other:?}."),
      ))
    }
  };
  Ok((text("profile")?, place, text("host")?))
}

/// Stores `token`: by default in the official CLI's config file (`calibre token set` does the
/// same; other keys are kept, the file is written 0600 atomically); with `store: 'keyring'` in
/// the OS credential store (the config file then records only that it is there); with
/// `profile`, as that profile (and its `host`). `shadowedByEnv` is true when
/// `CALIBRE_API_TOKEN` is set and would win over the stored token.
/// Throws `CALIBRE_TOKEN_INVALID`, `CALIBRE_INVALID_ARGUMENT`, `CALIBRE_CONFIG_CORRUPT` (file
/// left untouched), `CALIBRE_CONFIG_ACCESS` or `CALIBRE_KEYRING_UNAVAILABLE`.
#[napi(
  namespace = "Token",
  ts_args_type = "token: string, options?: TokenSetOptions",
  ts_return_type = "TokenSetResult"
)]
pub fn set<'env>(env: &'env Env, token: Unknown, options: Option<Unknown>) -> Result<Object<'env>> {
  let vars = js::capture_env(env);
  let stored = js::positional_string(env, "Token.set", "token", token)
    .and_then(|raw| {
      let (profile, place, host) = store_options(env, "Token.set", options)?;
      let request = StoreRequest {
        profile: profile.as_deref(),
        place,
        host,
      };
      store_user_token(Some(&raw), &request, "Token.set", &vars)
    })
    .map_err(|e| js::throw(env, e))?;
  let mut out = Object::new(env)?;
  out.set("path", stored.file.path().to_string_lossy().as_ref())?;
  out.set("store", stored.store)?;
  if let Some(profile) = &stored.profile {
    out.set("profile", profile.as_str())?;
  }
  out.set("shadowedByEnv", env_token_set(&vars))?;
  Ok(out)
}

/// Removes the stored token the way `calibre token remove` does (the key stays, set to
/// `null`; a keyring item is deleted too), or with `profile`, that profile. `removed` is false,
/// and nothing is written, when there was nothing to remove.
#[napi(
  namespace = "Token",
  ts_args_type = "options?: { profile?: string }",
  ts_return_type = "TokenRemoveResult"
)]
pub fn remove<'env>(env: &'env Env, options: Option<Unknown>) -> Result<Object<'env>> {
  let (file, removed) = store_options(env, "Token.remove", options)
    .and_then(|(profile, _, _)| {
      remove_stored_token(profile.as_deref(), "Token.remove", &js::capture_env(env))
    })
    .map_err(|e| js::throw(env, e))?;
  let mut out = Object::new(env)?;
  out.set("path", file.path().to_string_lossy().as_ref())?;
  out.set("removed", removed)?;
  Ok(out)
}

/// Every profile in the config file, and calibre@7's own token as `default`: where each token
/// lives, masked (keyring items are read for that; commands are not run), its known expiry and
/// host, and which one is used when none is named.
#[napi(namespace = "Token", ts_return_type = "TokenList")]
pub fn list(env: &Env) -> Result<Unknown<'_>> {
  let list = list_profiles(&js::capture_env(env)).map_err(|e| js::throw(env, e))?;
  env.to_js_value(&list)
}

/// Makes `name` the profile used when none is named (`'default'`: calibre@7's own token).
/// Throws `CALIBRE_INVALID_ARGUMENT` when there is no such profile.
#[napi(namespace = "Token", js_name = "use", ts_args_type = "name: string")]
pub fn use_named(env: &Env, name: Unknown) -> Result<()> {
  js::positional_string(env, "Token.use", "name", name)
    .and_then(|name| use_profile(&name, "Token.use", &js::capture_env(env)))
    .map(|_| ())
    .map_err(|e| js::throw(env, e))
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
        let token = session.token().await?;
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
        session.token().await?;
        let outcome = if check {
          Some(session.check_token().await)
        } else {
          None
        };
        // After the check: it may have refreshed the token.
        let token = session.token().await?;
        Ok(status_report(&token, outcome, session.config_file.as_ref()))
      })
    },
    |env, report| env.to_js_value(&report).map_err(js::handoff_error),
  )
}
