//! What a person does with their token, shared by the JS `Token` namespace and the CLI:
//! store it, remove it, and report on it.

use std::time::SystemTime;

use serde::Serialize;
use serde_json::Value;

use super::chain::{ResolvedToken, TOKEN_ENV};
use super::lifecycle::format_time;
use super::secret::ApiToken;
use super::store::{ConfigFile, EXPIRY_KEY};
use crate::env::Env;
use crate::error::{CalibreError, ErrorCode};

/// Whether `CALIBRE_API_TOKEN` is set (and so wins over a stored token).
pub fn env_token_set(env: &dyn Env) -> bool {
  env.var(TOKEN_ENV).is_some_and(|v| !v.trim().is_empty())
}

/// Validates a token typed or pasted by the user and stores it in the config file. A new
/// token's expiry is unknown, so a stored `tokenExpiresAt` is dropped.
pub fn store_user_token(
  raw: &str,
  caller: &str,
  env: &dyn Env,
) -> Result<ConfigFile, CalibreError> {
  let token = match ApiToken::parse(raw) {
    Ok(Some(token)) => token,
    Ok(None) => return Err(CalibreError::invalid_argument(caller, "the token is empty.")),
    Err(reason) => {
      return Err(CalibreError::new(
        ErrorCode::TokenInvalid,
        format!("{caller}: the token {reason}, so it was not stored. Copy it again from Calibre (Account → API Tokens)."),
      ))
    }
  };
  let file = ConfigFile::locate(env)?;
  file.store_token(token.expose(), None)?;
  Ok(file)
}

/// Sets `"token": null` like `calibre token remove`; `false` (nothing written) when no
/// token was stored.
pub fn remove_stored_token(env: &dyn Env) -> Result<(ConfigFile, bool), CalibreError> {
  let file = ConfigFile::locate(env)?;
  if file.read_token()?.is_none() {
    return Ok((file, false));
  }
  let removed = file.update(|map| {
    let had = map.contains_key("token") && !map["token"].is_null();
    if had {
      map.insert("token".to_owned(), Value::Null);
      map.shift_remove(EXPIRY_KEY);
    }
    (had, had)
  })?;
  Ok((file, removed))
}

/// `Token.status()` / `token status`: never contains the token itself.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenStatusReport {
  pub source: &'static str,
  #[serde(skip_serializing_if = "Option::is_none")]
  pub path: Option<String>,
  pub masked: String,
  pub expires_at: Option<String>,
  pub expires_in_ms: Option<f64>,
  pub writable: bool,
  pub shadowed_by_env: bool,
  #[serde(skip_serializing_if = "Option::is_none")]
  pub check: Option<&'static str>,
  #[serde(skip_serializing_if = "Option::is_none")]
  pub check_message: Option<String>,
}

/// The outcome of `check: true` for an error code.
pub fn check_state(code: Option<ErrorCode>) -> &'static str {
  match code {
    None => "valid",
    Some(ErrorCode::TokenExpired) => "expired",
    Some(ErrorCode::IpNotAllowed) => "ip-not-allowed",
    Some(ErrorCode::Unauthorized | ErrorCode::Forbidden | ErrorCode::TokenInvalid) => "invalid",
    Some(_) => "unreachable",
  }
}

/// `config_file` is where a token would be stored (located when the call started).
pub fn status_report(
  token: &ResolvedToken,
  check: Option<Result<(), CalibreError>>,
  config_file: Option<&ConfigFile>,
) -> TokenStatusReport {
  let file = match token.source.path() {
    Some(path) => Some(ConfigFile::at(path.clone())),
    None => config_file.cloned(),
  };
  let expires_in_ms = token
    .expires_at
    .map(|at| match at.duration_since(SystemTime::now()) {
      Ok(left) => left.as_millis() as f64,
      Err(past) => -(past.duration().as_millis() as f64),
    });
  // The stored token is not the one in use while the env var is set.
  let stored = file
    .as_ref()
    .and_then(|f| f.read_token().ok().flatten())
    .is_some();
  let (check, check_message) = match check {
    None => (None, None),
    Some(Ok(())) => (Some(check_state(None)), None),
    Some(Err(err)) => (Some(check_state(Some(err.code))), Some(err.message)),
  };
  TokenStatusReport {
    source: token.source.kind(),
    path: token
      .source
      .path()
      .map(|p| p.to_string_lossy().into_owned()),
    masked: token.token.masked(),
    expires_at: token.expires_at.map(format_time),
    expires_in_ms,
    writable: file.as_ref().is_some_and(|f| f.writable()),
    shadowed_by_env: stored && token.source.kind() == "env",
    check,
    check_message,
  }
}
