//! `Token`: where the token comes from, storing and removing it in the official CLI's
//! config file, and refreshing it.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::auth::{
  parse_refresh_body, ApiToken, ConfigFile, ProcessEnv, ResolvedToken, TokenSource,
};
use crate::client::{client_of, gave_up};
use crate::error::{CalibreError, ErrorCode, RequestInfo};
use crate::graphql::{classify, Context};
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
  file.update(|map| {
    map.insert("token".to_owned(), Value::from(token.expose()));
    (true, ())
  })?;
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

struct Refreshed {
  token: String,
  expires_at: Option<String>,
  persisted: bool,
}

/// Refreshes the token for the duration it was created with: `POST {appHost}/api/refresh_token`
/// with `Authorization: Token <token>`. The token is `options.token`, else the client's.
/// When the server sends a new token it is stored in the config file if the old one came
/// from there, or if `persist: true`. Rejects with the same codes as API calls
/// (`CALIBRE_TOKEN_EXPIRED`, `CALIBRE_IP_NOT_ALLOWED`, `CALIBRE_UNAUTHORIZED`, ...).
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
    let session = client.session(F, &options, token_option.as_deref())?;
    Ok((session, persist, config_file().ok()))
  })();
  js::spawn(
    env,
    signal,
    async move {
      let (session, persist, file) = prepared?;
      let url = session.refresh_url();
      // Not idempotent: a refresh the server saw is only retried where that is safe.
      let (response, attempts) = session.post(&url, None, false).await;
      let response = response.map_err(|e| gave_up(e, attempts))?;
      if !(200..300).contains(&response.status) {
        let request = RequestInfo {
          query: String::new(),
          variables: Value::Object(Default::default()),
        };
        let ctx = Context {
          function: F,
          source: &session.token.source,
          request: &request,
        };
        let mut err = classify(&response, Vec::new(), &ctx);
        err.request = None;
        return Err(gave_up(err, attempts));
      }
      let body = parse_refresh_body(&response.text_lossy());
      let new_token = match body.token.as_deref().map(ApiToken::parse) {
        Some(Ok(Some(token))) => Some(token),
        Some(Err(_)) => {
          return Err(CalibreError::new(
            ErrorCode::InvalidResponse,
            format!("{F}: the refreshed token from {url} has invalid characters."),
          ))
        }
        _ => None,
      };
      let changed = new_token
        .as_ref()
        .is_some_and(|t| *t != session.token.token);
      let token = new_token.unwrap_or_else(|| session.token.token.clone());
      let from_file = matches!(session.token.source, TokenSource::File(_));
      let mut persisted = false;
      if persist || (from_file && changed) {
        let file = match (&session.token.source, file) {
          (TokenSource::File(path), _) => ConfigFile::at(path.clone()),
          (_, Some(file)) => file,
          (_, None) => ConfigFile::locate(&ProcessEnv)?,
        };
        file.update(|map| {
          map.insert("token".to_owned(), Value::from(token.expose()));
          (true, ())
        })?;
        persisted = true;
      }
      Ok(Refreshed {
        token: token.expose().to_owned(),
        expires_at: body.expires_at,
        persisted,
      })
    },
    |env, refreshed| {
      let mut out = Object::new(env)?;
      out.set("token", refreshed.token)?;
      out.set("expiresAt", refreshed.expires_at)?;
      out.set("persisted", refreshed.persisted)?;
      Ok(out.to_unknown())
    },
  )
}
