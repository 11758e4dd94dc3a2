//! `Token`: where the token comes from, storing and removing it in the official CLI's
//! config file, and refreshing it.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use std::sync::Arc;
use std::time::SystemTime;

use crate::auth::{format_time, ApiToken, ConfigFile, ProcessEnv, ResolvedToken, EXPIRY_KEY};
use crate::client::client_of;
use crate::error::{CalibreError, ErrorCode};
use crate::graphql::{Extract, Operation};
use crate::js::{self, CallOptions};

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
    .resolve_token(None)
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

fn config_file() -> std::result::Result<ConfigFile, CalibreError> {
  ConfigFile::locate(&ProcessEnv)
}

fn env_token_set() -> bool {
  std::env::var("CALIBRE_API_TOKEN").is_ok_and(|v| !v.trim().is_empty())
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
  let stored = store(env, token).map_err(|e| js::throw(env, e))?;
  let mut out = Object::new(env)?;
  out.set("path", stored.path().to_string_lossy().as_ref())?;
  out.set("shadowedByEnv", env_token_set())?;
  Ok(out)
}

fn store(env: &Env, token: Unknown) -> std::result::Result<ConfigFile, CalibreError> {
  let raw = js::positional_string(env, "Token.set", "token", token)?;
  let token = match ApiToken::parse(&raw) {
    Ok(Some(token)) => token,
    Ok(None) => return Err(js::invalid("Token.set", "the token is empty.")),
    Err(reason) => {
      return Err(CalibreError::new(
        ErrorCode::TokenInvalid,
        format!("Token.set: the token {reason}, so it was not stored. Copy it again from Calibre (Account → API Tokens)."),
      ))
    }
  };
  let file = config_file()?;
  // A new token's expiry is unknown: forget the old one's.
  file.store_token(token.expose(), None)?;
  Ok(file)
}

/// Removes the stored token the way `calibre token remove` does (the key stays, set to
/// `null`); `removed` is false, and nothing is written, when no token was stored.
#[napi(namespace = "Token", ts_return_type = "TokenRemoveResult")]
pub fn remove(env: &Env) -> Result<Object<'_>> {
  let (file, removed) = (|| {
    let file = config_file()?;
    let stored = file.read_token()?.is_some();
    let removed = stored
      && file.update(|map| {
        let had = map.get("token").is_some_and(js::truthy);
        if had {
          map.insert("token".to_owned(), Value::Null);
          map.shift_remove(EXPIRY_KEY);
        }
        (had, had)
      })?;
    Ok::<_, CalibreError>((file, removed))
  })()
  .map_err(|e| js::throw(env, e))?;
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
  const F: &str = "Token.refresh";
  let client = client_of(&this);
  let mut options = match CallOptions::read(env, F, options) {
    Ok(options) => options,
    Err(err) => return js::rejected(env, err),
  };
  let signal = options.signal.take();
  let prepared = (|| {
    let token_option = match options.rest.get("token") {
      None | Some(Value::Null) => None,
      Some(Value::String(s)) => Some(s.clone()),
      Some(other) => {
        return Err(js::invalid(
          F,
          format!("`token` must be a string, got {}.", js::kind(other)),
        ))
      }
    };
    let persist = options.rest.get("persist").is_some_and(js::truthy);
    Ok((
      client.session(F, &options, token_option.as_deref())?,
      persist,
    ))
  })();
  let events = prepared
    .as_ref()
    .ok()
    .map(|(session, _)| Arc::clone(&session.events));
  js::spawn(
    env,
    signal,
    async move {
      let (session, persist) = prepared?;
      session.refresh(&session.token(), persist).await
    },
    move |env, result| {
      if let Some(events) = events {
        client.dispatch(env, &events);
      }
      let info = result?;
      let mut out = Object::new(env).map_err(internal)?;
      out.set("token", info.token).map_err(internal)?;
      out.set("expiresAt", info.expires_at).map_err(internal)?;
      out.set("persisted", info.persisted).map_err(internal)?;
      Ok(out.to_unknown())
    },
  )
}

fn internal(err: napi::Error) -> CalibreError {
  CalibreError::new(
    ErrorCode::InvalidResponse,
    format!(
      "The result could not be handed to JavaScript: {}",
      err.reason
    ),
  )
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
  const F: &str = "Token.status";
  const CHECK: &str = "query TokenStatus { __typename }";
  let client = client_of(&this);
  let mut options = match CallOptions::read(env, F, options) {
    Ok(options) => options,
    Err(err) => return js::rejected(env, err),
  };
  let signal = options.signal.take();
  let check = options.rest.get("check").is_some_and(js::truthy);
  let prepared = client.session(F, &options, None);
  js::spawn(
    env,
    signal,
    async move {
      let session = prepared?;
      let outcome = if check {
        let op = Operation::new(CHECK, Default::default(), Extract::Data);
        Some(match session.execute(&op).await {
          Ok(_) => ("valid", None),
          Err(e) => (check_state(e.code), Some(e.message)),
        })
      } else {
        None
      };
      Ok((session.token(), outcome))
    },
    move |env, result| {
      let (token, outcome) = result?;
      status_to_js(env, &token, outcome).map_err(internal)
    },
  )
}

fn check_state(code: ErrorCode) -> &'static str {
  match code {
    ErrorCode::TokenExpired => "expired",
    ErrorCode::IpNotAllowed => "ip-not-allowed",
    ErrorCode::Unauthorized | ErrorCode::Forbidden | ErrorCode::TokenInvalid => "invalid",
    _ => "unreachable",
  }
}

fn status_to_js<'env>(
  env: &'env Env,
  token: &ResolvedToken,
  outcome: Option<(&str, Option<String>)>,
) -> Result<Unknown<'env>> {
  let mut out = Object::new(env)?;
  out.set("source", token.source.kind())?;
  let file = match token.source.path() {
    Some(path) => Some(ConfigFile::at(path.clone())),
    None => config_file().ok(),
  };
  if let Some(path) = token.source.path() {
    out.set("path", path.to_string_lossy().as_ref())?;
  }
  out.set("masked", token.token.masked())?;
  let expires_in = token
    .expires_at
    .map(|at| match at.duration_since(SystemTime::now()) {
      Ok(left) => left.as_millis() as f64,
      Err(past) => -(past.duration().as_millis() as f64),
    });
  out.set("expiresAt", token.expires_at.map(format_time))?;
  out.set("expiresInMs", expires_in)?;
  out.set("writable", file.as_ref().is_some_and(|f| f.writable()))?;
  // The stored token is not the one in use while the env var is set.
  let stored = file
    .as_ref()
    .and_then(|f| f.read_token().ok().flatten())
    .is_some();
  out.set("shadowedByEnv", stored && token.source.kind() == "env")?;
  if let Some((state, message)) = outcome {
    out.set("check", state)?;
    out.set("checkMessage", message)?;
  }
  Ok(out.to_unknown())
}
