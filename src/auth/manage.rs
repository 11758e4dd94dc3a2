//! What a person does with their token, shared by the JS `Token` namespace and the CLI:
//! store it, remove it, and report on it.

use std::time::SystemTime;

use serde::Serialize;
use serde_json::Value;

use super::chain::TOKEN_ENV;
use super::command;
use super::keyring::{self, KeyringEnv};
use super::lifecycle::format_time;
use super::profiles::{self, check_name, Profile, Profiles, Store, UNNAMED};
use super::secret::{ApiToken, ResolvedToken};
use super::store::{ConfigFile, EXPIRY_KEY};
use crate::env::Env;
use crate::error::{CalibreError, ErrorCode, TokenSource};

/// Whether `CALIBRE_API_TOKEN` is set (and so wins over a stored token).
pub fn env_token_set(env: &dyn Env) -> bool {
  env.var(TOKEN_ENV).is_some_and(|v| !v.trim().is_empty())
}

/// Where `token set` puts a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
  /// The config file: calibre@7's `token` key, or the profile's entry.
  File,
  /// The OS credential store; the config file records only that it is there.
  Keyring,
  /// A command that prints the token (profiles only); nothing secret is stored.
  Command(String),
}

/// What to store, where, and for which profile (`None`: the unnamed token calibre@7 reads).
pub struct StoreRequest<'a> {
  pub profile: Option<&'a str>,
  pub place: Place,
  /// The profile's API host (profiles only).
  pub host: Option<String>,
}

/// Where a token went.
pub struct Stored {
  pub file: ConfigFile,
  /// `'file' | 'keyring' | 'command'`.
  pub store: &'static str,
  pub profile: Option<String>,
}

/// The profile a request names, `None` for the unnamed token (`default` names it too).
fn named(caller: &str, profile: Option<&str>) -> Result<Option<String>, CalibreError> {
  match profile
    .map(str::trim)
    .filter(|p| !p.is_empty() && *p != UNNAMED)
  {
    Some(name) => {
      check_name(caller, name)?;
      Ok(Some(name.to_owned()))
    }
    None => Ok(None),
  }
}

fn user_token(raw: &str, caller: &str) -> Result<ApiToken, CalibreError> {
  match ApiToken::parse(raw) {
    Ok(Some(token)) => Ok(token),
    Ok(None) => Err(CalibreError::invalid_argument(caller, "the token is empty.")),
    Err(reason) => Err(CalibreError::new(
      ErrorCode::TokenInvalid,
      format!("{caller}: the token {reason}, so it was not stored. Copy it again from Calibre (Account → API Tokens)."),
    )),
  }
}

/// Validates a token typed or pasted by the user (`raw`; none for a command) and stores it as
/// `request` says. A new token's expiry is unknown, so a stored one is dropped. A token moved
/// out of the keyring is deleted there, and a token moved into it is removed from the file.
pub fn store_user_token(
  raw: Option<&str>,
  request: &StoreRequest,
  caller: &str,
  env: &dyn Env,
) -> Result<Stored, CalibreError> {
  let profile = named(caller, request.profile)?;
  let token = match (&request.place, raw) {
    (Place::Command(line), _) => {
      command::split_words(line)
        .map_err(|why| CalibreError::invalid_argument(caller, format!("the command {why}.")))?;
      None
    }
    (_, Some(raw)) => Some(user_token(raw, caller)?),
    (_, None) => {
      return Err(CalibreError::invalid_argument(
        caller,
        "a token is required.",
      ))
    }
  };
  let file = ConfigFile::locate(env)?;
  let keyring_env = KeyringEnv::from_env(env);
  let Some(name) = profile else {
    if request.host.is_some() {
      return Err(CalibreError::invalid_argument(caller, "a host can only be stored with a profile (`--profile NAME`); for the unnamed token set CALIBRE_HOST."));
    }
    let token = token.ok_or_else(|| CalibreError::invalid_argument(caller, "a command can only be stored for a profile (`--profile NAME --command …`); otherwise set CALIBRE_TOKEN_COMMAND."))?;
    let was_in_keyring =
      Profiles::from_map(&file.read()?.unwrap_or_default(), &file)?.unnamed_in_keyring;
    let in_keyring = request.place == Place::Keyring;
    if in_keyring {
      keyring::write(&keyring_env, UNNAMED, token.expose())?;
    }
    file.update(|map| {
      if in_keyring {
        map.insert("token".to_owned(), Value::Null);
      } else {
        map.insert("token".to_owned(), Value::from(token.expose()));
      }
      map.shift_remove(EXPIRY_KEY);
      profiles::set_unnamed_keyring(map, in_keyring, None);
      (true, ())
    })?;
    if was_in_keyring && !in_keyring {
      // Best effort: the file now holds the token; a stale keyring copy only confuses.
      let _ = keyring::delete(&keyring_env, UNNAMED);
    }
    return Ok(Stored {
      file,
      store: if in_keyring { "keyring" } else { "file" },
      profile: None,
    });
  };
  let host = request
    .host
    .as_deref()
    .map(|h| crate::config::base_url(caller, h, "the host"))
    .transpose()?;
  let before = Profiles::from_map(&file.read()?.unwrap_or_default(), &file)?;
  let was_in_keyring = before.get(&name).is_some_and(|p| p.store == Store::Keyring);
  let store = match &request.place {
    Place::File => Store::File,
    Place::Keyring => Store::Keyring,
    Place::Command(line) => Store::Command(line.clone()),
  };
  if store == Store::Keyring {
    let token = token.as_ref().expect("checked above");
    keyring::write(&keyring_env, &name, token.expose())?;
  }
  let entry = Profile {
    name: name.clone(),
    token: (store == Store::File)
      .then(|| token.as_ref().expect("checked above").expose().to_owned()),
    host,
    expires_at: None,
    store: store.clone(),
  };
  file.update(|map| {
    profiles::put(map, &entry);
    (true, ())
  })?;
  if was_in_keyring && store != Store::Keyring {
    let _ = keyring::delete(&keyring_env, &name);
  }
  Ok(Stored {
    file,
    store: store.kind(),
    profile: Some(name),
  })
}

/// `token remove`: the unnamed token becomes `"token": null` like `calibre token remove` (and
/// its keyring item is deleted); a profile is removed with its keyring item. `false` (nothing
/// written) when there was nothing to remove.
pub fn remove_stored_token(
  profile: Option<&str>,
  caller: &str,
  env: &dyn Env,
) -> Result<(ConfigFile, bool), CalibreError> {
  let profile = named(caller, profile)?;
  let file = ConfigFile::locate(env)?;
  let keyring_env = KeyringEnv::from_env(env);
  let map = file.read()?.unwrap_or_default();
  let profiles = Profiles::from_map(&map, &file)?;
  match profile {
    None => {
      let from_keyring = profiles.unnamed_in_keyring && keyring::delete(&keyring_env, UNNAMED)?;
      if super::store::entry_of(&map, &file)?.is_none() && !profiles.unnamed_in_keyring {
        return Ok((file, false));
      }
      let removed = file.update(|map| {
        let had = map.contains_key("token") && !map["token"].is_null();
        let marked = profiles.unnamed_in_keyring;
        if had {
          map.insert("token".to_owned(), Value::Null);
          map.shift_remove(EXPIRY_KEY);
        }
        profiles::set_unnamed_keyring(map, false, None);
        (had || marked, had)
      })?;
      Ok((file, removed || from_keyring))
    }
    Some(name) => {
      let Some(entry) = profiles.get(&name) else {
        return Ok((file, false));
      };
      if entry.store == Store::Keyring {
        keyring::delete(&keyring_env, &name)?;
      }
      let removed = file.update(|map| {
        let removed = profiles::remove(map, &name);
        (removed, removed)
      })?;
      Ok((file, removed))
    }
  }
}

/// One line of `token list`: never the token, at most its masked head.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileReport {
  pub name: String,
  /// `'file' | 'keyring' | 'command' | 'none'`.
  pub store: &'static str,
  pub masked: Option<String>,
  pub expires_at: Option<String>,
  pub host: Option<String>,
  pub default: bool,
  /// Why the token could not be read (e.g. the keyring is locked).
  #[serde(skip_serializing_if = "Option::is_none")]
  pub problem: Option<String>,
}

/// `Token.list()` / `token list`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenList {
  pub path: String,
  /// The profile used when none is named (`default`: calibre@7's own token).
  pub default: String,
  pub profiles: Vec<ProfileReport>,
}

/// Every profile, and the unnamed token as `default`. Keyring tokens are read to mask them;
/// commands are not run.
pub fn list_profiles(env: &dyn Env) -> Result<TokenList, CalibreError> {
  let file = ConfigFile::locate(env)?;
  let map = file.read()?.unwrap_or_default();
  let profiles = Profiles::from_map(&map, &file)?;
  let keyring_env = KeyringEnv::from_env(env);
  let mask = |raw: Option<String>| {
    raw
      .and_then(|r| ApiToken::parse(&r).ok().flatten())
      .map(|t| t.masked())
  };
  let from_keyring = |account: &str| match keyring::read(&keyring_env, account) {
    Ok(found) => (mask(found), None),
    Err(err) => (None, Some(err.message)),
  };
  let default = profiles
    .default
    .clone()
    .unwrap_or_else(|| UNNAMED.to_owned());
  let stored = super::store::entry_of(&map, &file)?;
  let (store, masked, expires_at, problem) = match stored {
    Some(stored) => ("file", mask(Some(stored.token)), stored.expires_at, None),
    None if profiles.unnamed_in_keyring => {
      let (masked, problem) = from_keyring(UNNAMED);
      (
        "keyring",
        masked,
        profiles.unnamed_expires_at.clone(),
        problem,
      )
    }
    None => ("none", None, None, None),
  };
  let mut out = vec![ProfileReport {
    name: UNNAMED.to_owned(),
    store,
    masked,
    expires_at,
    host: None,
    default: default == UNNAMED,
    problem,
  }];
  for profile in &profiles.profiles {
    let (masked, problem) = match &profile.store {
      Store::File => (mask(profile.token.clone()), None),
      Store::Keyring => from_keyring(&profile.name),
      Store::Command(_) => (None, None),
    };
    out.push(ProfileReport {
      name: profile.name.clone(),
      store: profile.store.kind(),
      masked,
      expires_at: profile.expires_at.clone(),
      host: profile.host.clone(),
      default: default == profile.name,
      problem,
    });
  }
  Ok(TokenList {
    path: file.path().to_string_lossy().into_owned(),
    default,
    profiles: out,
  })
}

/// `token use NAME`: the profile used when none is named (`default`: calibre@7's token).
pub fn use_profile(name: &str, caller: &str, env: &dyn Env) -> Result<ConfigFile, CalibreError> {
  let name = named(caller, Some(name))?;
  let file = ConfigFile::locate(env)?;
  if let Some(name) = &name {
    let profiles = Profiles::from_map(&file.read()?.unwrap_or_default(), &file)?;
    if profiles.get(name).is_none() {
      return Err(CalibreError::invalid_argument(
        caller,
        format!(
          "there is no profile named \"{name}\" (profiles: {}). Create it with `calibre-native token set --profile {name} -`.",
          profiles.names()
        ),
      ));
    }
  }
  file.update(|map| {
    profiles::set_default(map, name.as_deref());
    (true, ())
  })?;
  Ok(file)
}

/// Stores a refreshed token back where `source` says it came from: the config file's `token`
/// key or profile entry, or the keyring (its expiry beside it in `config_file`). Sources that
/// cannot be written (an option, a variable, a command, a function) are stored in
/// `config_file` only with `persist`.
pub fn write_back(
  source: &TokenSource,
  token: &ApiToken,
  expires_at: Option<&str>,
  persist: bool,
  config_file: Option<&ConfigFile>,
  keyring_env: &KeyringEnv,
) -> Result<WrittenBack, CalibreError> {
  let rewritten = match source {
    TokenSource::File {
      path,
      profile: None,
    } => {
      ConfigFile::at(path.clone()).store_token(token.expose(), expires_at)?;
      true
    }
    TokenSource::File {
      path,
      profile: Some(name),
    } => ConfigFile::at(path.clone()).update(|map| {
      let done = profiles::set_token(map, name, Some(token.expose()), expires_at);
      (done, done)
    })?,
    TokenSource::Keyring { profile } => {
      keyring::write(
        keyring_env,
        profile.as_deref().unwrap_or(UNNAMED),
        token.expose(),
      )?;
      if let Some(file) = config_file {
        file.update(|map| match profile {
          Some(name) => {
            let done = profiles::set_token(map, name, None, expires_at);
            (done, ())
          }
          None => {
            profiles::set_unnamed_keyring(map, true, expires_at);
            (true, ())
          }
        })?;
      }
      true
    }
    _ => false,
  };
  let mut persisted = rewritten;
  if !rewritten && persist {
    if let Some(file) = config_file {
      file.store_token(token.expose(), expires_at)?;
      persisted = true;
    }
  }
  Ok(WrittenBack {
    rewritten,
    persisted,
  })
}

/// What `write_back` did.
pub struct WrittenBack {
  /// Stored at the token's own source.
  pub rewritten: bool,
  /// Stored anywhere (its source, or the config file with `persist`).
  pub persisted: bool,
}

/// `Token.status()` / `token status`: never contains the token itself.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenStatusReport {
  pub source: &'static str,
  #[serde(skip_serializing_if = "Option::is_none")]
  pub path: Option<String>,
  #[serde(skip_serializing_if = "Option::is_none")]
  pub profile: Option<String>,
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
  let file = match &token.source {
    TokenSource::File { path, .. } => Some(ConfigFile::at(path.clone())),
    _ => config_file.cloned(),
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
    profile: token.source.profile().map(str::to_owned),
    masked: token.token.masked(),
    expires_at: token.expires_at.map(format_time),
    expires_in_ms,
    writable: file.as_ref().is_some_and(|f| f.writable()),
    // An environment source (variable, token file, command) wins over the stored token.
    shadowed_by_env: stored
      && matches!(
        token.source,
        TokenSource::Env | TokenSource::EnvFile(_) | TokenSource::Command { profile: None }
      ),
    check,
    check_message,
  }
}
