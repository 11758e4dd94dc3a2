//! Where the token comes from, in this order (first found wins):
//!
//! 1. the `token` option passed in code (`new Calibre({ token })`, `Token.refresh({ token })`);
//! 2. the `CALIBRE_API_TOKEN` environment variable (blank counts as unset);
//! 3. the `token` key of the config file the official CLI writes,
//!    `${XDG_CONFIG_HOME:-$HOME/.config}/configstore/calibre.json` (absent or `null` = none).
//!
//! Resolution runs on every call, so a script that rotates the env var or the file is
//! picked up by its next request. The environment is injected so tests never touch the
//! real process environment.

use std::time::SystemTime;

use super::secret::ApiToken;
use super::store::ConfigFile;
use crate::env::{Env, HOME_VAR};
use crate::error::{CalibreError, ErrorCode, TokenSource};

pub const TOKEN_ENV: &str = "CALIBRE_API_TOKEN";

/// calibre@7's own message, kept byte for byte (after ours) so existing checks on it keep matching.
const CALIBRE7_MISSING_MESSAGE: &str = "Please set your Calibre API token by running `calibre token set`\n or set the environment variable CALIBRE_API_TOKEN.\n\n See calibreapp.com/docs/api/tokens for help.";

#[derive(Clone, Debug)]
pub struct ResolvedToken {
  pub token: ApiToken,
  pub source: TokenSource,
  /// When the token expires, if known (kept beside it in the config file, or learned by
  /// this client from a refresh).
  pub expires_at: Option<SystemTime>,
}

fn invalid(source: &TokenSource, reason: &str) -> CalibreError {
  CalibreError::new(
    ErrorCode::TokenInvalid,
    format!(
      "The Calibre API token from {} {reason}, so it was not sent. Copy the token again from Calibre (Account → API Tokens) and store it with `calibre-native token set -`.",
      source.describe()
    ),
  )
  .with_token_source(source.clone())
}

fn checked(raw: &str, source: TokenSource) -> Result<Option<ResolvedToken>, CalibreError> {
  match ApiToken::parse(raw) {
    Ok(Some(token)) => Ok(Some(ResolvedToken {
      token,
      source,
      expires_at: None,
    })),
    Ok(None) => Ok(None),
    Err(reason) => Err(invalid(&source, reason)),
  }
}

/// The `token` option was given but holds no token (`what`: "blank", "null", "undefined").
pub fn blank_option(what: &str) -> CalibreError {
  CalibreError::new(
    ErrorCode::TokenMissing,
    format!(
      "The `token` option is {what}, so no request was made; CALIBRE_API_TOKEN and the config file are not used when a `token` option is present (they may belong to another organisation). Pass a token (is the variable it comes from set?), or leave `token` out to use CALIBRE_API_TOKEN or the config file."
    ),
  )
  .with_token_source(TokenSource::Option)
}

/// Resolves the token for one call. `option` is the per-client `token` option.
pub fn resolve(option: Option<&str>, env: &dyn Env) -> Result<ResolvedToken, CalibreError> {
  let mut looked = Vec::new();
  if let Some(raw) = option {
    // A token given in code but blank (`token: process.env.UNSET_VAR`) must not fall through
    // to CALIBRE_API_TOKEN or the config file: those may belong to another organisation.
    return checked(raw, TokenSource::Option)?.ok_or_else(|| blank_option("blank"));
  }
  match env.var(TOKEN_ENV) {
    Some(raw) => {
      if let Some(found) = checked(&raw, TokenSource::Env)? {
        return Ok(found);
      }
      looked.push(format!("{TOKEN_ENV} (blank)"));
    }
    None => looked.push(format!("{TOKEN_ENV} (not set)")),
  }
  match ConfigFile::locate(env) {
    Ok(file) => {
      let source = TokenSource::File(file.path().to_owned());
      match file.read_entry()? {
        Some(stored) => {
          if let Some(mut found) = checked(&stored.token, source)? {
            found.expires_at = stored.expires_at.as_deref().and_then(super::parse_time);
            return Ok(found);
          }
          looked.push(format!("{} (blank token)", file.path().display()));
        }
        None => looked.push(format!("{} (no token stored)", file.path().display())),
      }
    }
    Err(_) => looked.push(format!(
      "the config file (neither XDG_CONFIG_HOME nor {HOME_VAR} is set)"
    )),
  }
  Err(CalibreError::new(
    ErrorCode::TokenMissing,
    format!(
      "No Calibre API token found. Looked in: {}. Store one with `calibre-native token set -` (reads it from standard input), set CALIBRE_API_TOKEN, or pass one in code with new Calibre({{ token }}).\n\n{CALIBRE7_MISSING_MESSAGE}",
      looked.join(", ")
    ),
  ))
}

#[cfg(test)]
mod tests {
  use std::fs;
  use std::path::PathBuf;

  use super::*;
  use crate::env::EnvSnapshot;

  /// An injected environment for tests.
  fn fake_env(vars: &[(&'static str, &str)]) -> EnvSnapshot {
    EnvSnapshot::from_pairs(vars)
  }

  fn with_file(dir: &tempfile::TempDir, body: &str) -> PathBuf {
    let path = dir.path().join("configstore/calibre.json");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, body).unwrap();
    path
  }

  #[test]
  fn option_beats_env_and_file() {
    let dir = tempfile::tempdir().unwrap();
    with_file(&dir, r#"{"token":"file"}"#);
    let xdg = dir.path().to_str().unwrap();
    let env = fake_env(&[(TOKEN_ENV, "env"), ("XDG_CONFIG_HOME", xdg)]);
    let got = resolve(Some("opt"), &env).unwrap();
    assert_eq!(
      (got.token.expose(), got.source),
      ("opt", TokenSource::Option)
    );
  }

  #[test]
  fn env_beats_file_and_blank_env_falls_through() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_file(&dir, "{\n\t\"token\": \"file\"\n}");
    let xdg = dir.path().to_str().unwrap();
    let env = fake_env(&[(TOKEN_ENV, " env "), ("XDG_CONFIG_HOME", xdg)]);
    assert_eq!(resolve(None, &env).unwrap().token.expose(), "env");
    let env = fake_env(&[(TOKEN_ENV, "  "), ("XDG_CONFIG_HOME", xdg)]);
    let got = resolve(None, &env).unwrap();
    assert_eq!(
      (got.token.expose(), got.source),
      ("file", TokenSource::File(path))
    );
  }

  #[test]
  fn home_config_is_used_without_xdg() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".config/configstore/calibre.json");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, r#"{"token": 123456}"#).unwrap();
    let env = fake_env(&[(HOME_VAR, dir.path().to_str().unwrap())]);
    let got = resolve(None, &env).unwrap();
    assert_eq!(
      got.token.expose(),
      "123456",
      "calibre's CLI stores numeric tokens as numbers"
    );
    assert_eq!(got.source, TokenSource::File(path));
  }

  #[test]
  fn missing_token_message_keeps_calibre7_first_line_and_says_where_we_looked() {
    let dir = tempfile::tempdir().unwrap();
    with_file(&dir, "{\n\t\"token\": null\n}");
    let env = fake_env(&[("XDG_CONFIG_HOME", dir.path().to_str().unwrap())]);
    let err = resolve(None, &env).unwrap_err();
    assert_eq!(err.code, ErrorCode::TokenMissing);
    assert!(err
      .message
      .starts_with("No Calibre API token found. Looked in: "));
    let ours = err.message.find("calibre-native token set -").unwrap();
    let official = err.message.find("calibre token set").unwrap();
    assert!(ours < official, "our command comes first: {}", err.message);
    assert!(err.message.ends_with(CALIBRE7_MISSING_MESSAGE));
    assert!(err.message.contains("CALIBRE_API_TOKEN (not set)"));
    assert!(err.message.contains("calibre.json (no token stored)"));
  }

  #[test]
  fn no_home_and_no_xdg_is_missing_not_a_temp_dir() {
    let err = resolve(None, &fake_env(&[])).unwrap_err();
    assert_eq!(err.code, ErrorCode::TokenMissing);
    let expected = format!("neither XDG_CONFIG_HOME nor {HOME_VAR}");
    assert!(err.message.contains(&expected), "{}", err.message);
  }

  #[test]
  fn invalid_token_names_the_source_not_the_token() {
    let env = fake_env(&[(TOKEN_ENV, "sec ret")]);
    let err = resolve(None, &env).unwrap_err();
    assert_eq!(err.code, ErrorCode::TokenInvalid);
    assert!(err
      .message
      .contains("CALIBRE_API_TOKEN environment variable"));
    assert!(!err.message.contains("sec ret"));
  }

  #[test]
  fn corrupt_file_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = with_file(&dir, "{\"token\": ");
    let env = fake_env(&[("XDG_CONFIG_HOME", dir.path().to_str().unwrap())]);
    let err = resolve(None, &env).unwrap_err();
    assert_eq!(err.code, ErrorCode::ConfigCorrupt);
    assert!(err.message.contains(path.to_str().unwrap()));
    assert_eq!(
      fs::read_to_string(&path).unwrap(),
      "{\"token\": ",
      "file untouched"
    );
  }
}
