//! Which token a call sends, decided here and nowhere else: an ordered list of small named
//! providers (after aws-config's credential chain), each given the environment snapshot. The
//! first that has a token wins:
//!
//! 1. `option`: the `token` option passed in code, a string or a function (`Token.refresh({
//!    token })` too). Present but blank is an error, never a fall-through.
//! 2. `named profile`: a profile named by the `profile` option, `--profile` or
//!    `CALIBRE_PROFILE`. Naming one skips the environment sources below, as the AWS SDK skips
//!    environment credentials when a profile is named; a name with no profile is an error, never
//!    another organisation's token.
//! 3. `CALIBRE_API_TOKEN` (blank counts as unset);
//! 4. `CALIBRE_API_TOKEN_FILE`: the file's contents, trimmed (the Docker/Kubernetes secrets
//!    convention);
//! 5. `CALIBRE_TOKEN_COMMAND`: what a command prints (`auth::command`);
//! 6. `default profile`: the profile `token use NAME` chose;
//! 7. `config file`: calibre@7's `token` key of `calibre.json`, or, when the unnamed token was
//!    stored with `--keyring`, the OS keyring.
//!
//! Deciding never contacts a keyring nor runs a command: that is `Plan::fetch`, done off the JS
//! thread for calls. Resolution runs on every call, so a rotated variable or file is picked up
//! by the next request. The token is parsed once, into `ApiToken`.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};

use super::command::{self, COMMAND_ENV, TIMEOUT_ENV};
use super::keyring::{self, KeyringEnv};
use super::lifecycle::TokenLifecycle;
use super::profiles::{Profile, Profiles, Store, UNNAMED};
use super::secret::{ApiToken, ResolvedToken};
use super::store::ConfigFile;
use crate::env::{Env, HOME_VAR};
use crate::error::{CalibreError, ErrorCode, TokenSource};

pub const TOKEN_ENV: &str = "CALIBRE_API_TOKEN";
pub const TOKEN_FILE_ENV: &str = "CALIBRE_API_TOKEN_FILE";
pub const PROFILE_ENV: &str = "CALIBRE_PROFILE";

/// calibre@7's own message, kept byte for byte (after ours) so existing checks on it keep matching.
const CALIBRE7_MISSING_MESSAGE: &str = "Please set your Calibre API token by running `calibre token set`\n or set the environment variable CALIBRE_API_TOKEN.\n\n See calibreapp.com/docs/api/tokens for help.";

/// The `token` option as a client holds it.
#[derive(Clone, Copy)]
pub enum Given<'a> {
  None,
  Token(&'a ApiToken),
  /// A function: the call layer calls it (on the JS thread) when the call starts.
  Function,
}

/// What the caller asked for: its `token` option and the profile it named, if any.
#[derive(Clone, Copy)]
pub struct Wanted<'a> {
  pub given: Given<'a>,
  pub profile: Option<&'a str>,
}

/// Where the token will come from. `Ready` needs nothing more; the others are fetched.
#[derive(Clone, Debug)]
pub enum Plan {
  Ready(ResolvedToken),
  Function,
  Keyring {
    account: String,
    source: TokenSource,
    expires_at: Option<SystemTime>,
  },
  Command {
    line: String,
    source: TokenSource,
  },
}

/// A profile's own host, and whether the profile was named (then it beats `CALIBRE_HOST`).
#[derive(Clone, Debug)]
pub struct ProfileHost {
  pub url: String,
  pub named: bool,
}

#[derive(Clone, Debug)]
pub struct Decision {
  pub plan: Plan,
  pub host: Option<ProfileHost>,
}

impl Decision {
  fn ready(token: ResolvedToken) -> Decision {
    Decision {
      plan: Plan::Ready(token),
      host: None,
    }
  }
}

/// What fetching a keyring or command token needs from the caller's environment.
#[derive(Clone)]
pub struct FetchEnv {
  pub keyring: KeyringEnv,
  /// The caller's whole `process.env`, for a token command (empty when none will run).
  pub child_env: Vec<(String, String)>,
  pub command_timeout: Duration,
}

impl FetchEnv {
  pub fn new(env: &dyn Env, child_env: Vec<(String, String)>) -> FetchEnv {
    FetchEnv {
      keyring: KeyringEnv::from_env(env),
      child_env,
      command_timeout: command::timeout_from(env.var(TIMEOUT_ENV)),
    }
  }
}

impl Plan {
  /// What a fetched token is cached under: the keyring account or the command line.
  pub fn cache_key(&self) -> Option<String> {
    match self {
      Plan::Keyring { account, .. } => Some(format!("keyring:{account}")),
      Plan::Command { line, .. } => Some(format!("command:{line}")),
      _ => None,
    }
  }

  /// Whether fetching runs a command (the call layer then captures the whole `process.env`).
  pub fn runs_command(&self) -> bool {
    matches!(self, Plan::Command { .. })
  }

  /// The token: read from the keyring or printed by the command, unless `lifecycle` still
  /// holds it (until its expiry, or a 401 makes the caller `forget` it). Blocking.
  pub fn fetch(
    &self,
    fetch: &FetchEnv,
    lifecycle: &TokenLifecycle,
  ) -> Result<ResolvedToken, CalibreError> {
    match self {
      Plan::Ready(token) => Ok(token.clone()),
      Plan::Function => unreachable!("the call layer calls token functions"),
      Plan::Keyring {
        account,
        source,
        expires_at,
      } => {
        let key = self.cache_key().expect("a keyring plan has a key");
        if let Some(cached) = lifecycle.cached(&key, SystemTime::now()) {
          return Ok(cached);
        }
        let raw = keyring::read(&fetch.keyring, account)
          .map_err(|e| e.with_token_source(source.clone()))?
          .ok_or_else(|| missing_in_keyring(account, source))?;
        let mut token =
          checked(&raw, source.clone())?.ok_or_else(|| missing_in_keyring(account, source))?;
        token.expires_at = *expires_at;
        lifecycle.remember(&key, &token);
        Ok(token)
      }
      Plan::Command { line, source } => {
        let key = self.cache_key().expect("a command plan has a key");
        if let Some(cached) = lifecycle.cached(&key, SystemTime::now()) {
          return Ok(cached);
        }
        let printed = command::run(line, source, &fetch.child_env, fetch.command_timeout)?;
        let token = ResolvedToken {
          token: printed.token,
          source: source.clone(),
          expires_at: printed.expires_at.as_deref().and_then(super::parse_time),
        };
        lifecycle.remember(&key, &token);
        Ok(token)
      }
    }
  }
}

fn missing_in_keyring(account: &str, source: &TokenSource) -> CalibreError {
  let set = match source.profile() {
    Some(name) => format!("calibre-native token set --profile {name} --keyring -"),
    None => "calibre-native token set --keyring -".to_owned(),
  };
  CalibreError::new(
    ErrorCode::TokenMissing,
    format!(
      "The config file says the token is in the OS keyring, but {} holds none. Store it again with `{set}`.",
      keyring::location(account)
    ),
  )
  .with_token_source(source.clone())
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

/// A token given in code (an option, or what a token function returned).
pub fn given(raw: &str, source: TokenSource) -> Result<ResolvedToken, CalibreError> {
  checked(raw, source)?.ok_or_else(|| blank_option("blank"))
}

/// The config file and what it holds (an empty object when there is no file).
type ConfigRead = (ConfigFile, Map<String, Value>);

/// One decision's view of the environment: the config file is read once, when a provider
/// first needs it.
struct Lookup<'a> {
  env: &'a dyn Env,
  config: Option<Result<ConfigRead, CalibreError>>,
  /// Where the chain looked, for the "no token" message.
  looked: Vec<String>,
}

impl Lookup<'_> {
  /// The config file and its object (empty when there is no file).
  fn config(&mut self) -> Result<(ConfigFile, &Map<String, Value>), CalibreError> {
    if self.config.is_none() {
      self.config = Some(ConfigFile::locate(self.env).and_then(|file| {
        let map = file.read()?.unwrap_or_default();
        Ok((file, map))
      }));
    }
    match self.config.as_ref().expect("read above") {
      Ok((file, map)) => Ok((file.clone(), map)),
      Err(err) => Err(err.clone()),
    }
  }

  fn profiles(&mut self) -> Result<(ConfigFile, Profiles), CalibreError> {
    let (file, map) = self.config()?;
    let profiles = Profiles::from_map(map, &file)?;
    Ok((file, profiles))
  }
}

type Provider = fn(&Wanted, &mut Lookup) -> Result<Option<Decision>, CalibreError>;

/// The chain, in order (each provider is named after its source).
const PROVIDERS: &[Provider] = &[
  from_option,
  from_named_profile,
  from_env,
  from_env_file,
  from_command,
  from_default_profile,
  from_config_file,
];

/// Decides where this call's token comes from (see the module doc).
pub fn decide(wanted: &Wanted, env: &dyn Env) -> Result<Decision, CalibreError> {
  let mut lookup = Lookup {
    env,
    config: None,
    looked: Vec::new(),
  };
  for provider in PROVIDERS {
    if let Some(decision) = provider(wanted, &mut lookup)? {
      return Ok(decision);
    }
  }
  Err(CalibreError::new(
    ErrorCode::TokenMissing,
    format!(
      "No Calibre API token found. Looked in: {}. Store one with `calibre-native token set -` (reads it from standard input), set CALIBRE_API_TOKEN, or pass one in code with new Calibre({{ token }}).\n\n{CALIBRE7_MISSING_MESSAGE}",
      lookup.looked.join(", ")
    ),
  ))
}

/// Decides and, for a ready token, returns it: for callers that cannot fetch (tests).
#[cfg(test)]
pub fn resolve(option: Option<&str>, env: &dyn Env) -> Result<ResolvedToken, CalibreError> {
  let token;
  let given = match option {
    Some(raw) => {
      token = given(raw, TokenSource::Option)?.token;
      Given::Token(&token)
    }
    None => Given::None,
  };
  match decide(
    &Wanted {
      given,
      profile: None,
    },
    env,
  )?
  .plan
  {
    Plan::Ready(token) => Ok(token),
    other => panic!("not ready: {other:?}"),
  }
}

fn from_option(wanted: &Wanted, _: &mut Lookup) -> Result<Option<Decision>, CalibreError> {
  Ok(match wanted.given {
    Given::None => None,
    Given::Token(token) => Some(Decision::ready(ResolvedToken {
      token: token.clone(),
      source: TokenSource::Option,
      expires_at: None,
    })),
    Given::Function => Some(Decision {
      plan: Plan::Function,
      host: None,
    }),
  })
}

/// The profile named by the caller, else by `CALIBRE_PROFILE`.
fn named_profile(wanted: &Wanted, lookup: &Lookup) -> Option<String> {
  wanted
    .profile
    .map(str::to_owned)
    .or_else(|| lookup.env.var(PROFILE_ENV))
    .map(|name| name.trim().to_owned())
    .filter(|name| !name.is_empty())
}

fn from_named_profile(
  wanted: &Wanted,
  lookup: &mut Lookup,
) -> Result<Option<Decision>, CalibreError> {
  let Some(name) = named_profile(wanted, lookup) else {
    return Ok(None);
  };
  if name == UNNAMED {
    // calibre@7's own token, named explicitly: the environment is skipped here too.
    return match from_config_file(wanted, lookup)? {
      Some(found) => Ok(Some(found)),
      None => Err(no_token_in_profile(UNNAMED, lookup)),
    };
  }
  let (file, profiles) = lookup.profiles()?;
  let Some(profile) = profiles.get(&name) else {
    return Err(CalibreError::new(
      ErrorCode::TokenMissing,
      format!(
        "There is no profile named \"{name}\" in {} (profiles: {}), so no request was made; the environment's tokens are not used when a profile is named. Create it with `calibre-native token set --profile {name} -`, or name another.",
        file.path().display(),
        profiles.names()
      ),
    ));
  };
  from_profile(profile, &file, true).map(Some)
}

fn no_token_in_profile(name: &str, lookup: &mut Lookup) -> CalibreError {
  let place = match lookup.config() {
    Ok((file, _)) => file.path().display().to_string(),
    Err(_) => "the config file".to_owned(),
  };
  CalibreError::new(
    ErrorCode::TokenMissing,
    format!("The profile \"{name}\" was named, but {place} holds no token for it. Store one with `calibre-native token set -`."),
  )
}

fn from_profile(
  profile: &Profile,
  file: &ConfigFile,
  named: bool,
) -> Result<Decision, CalibreError> {
  let name = Some(profile.name.clone());
  let expires_at = profile.expires_at.as_deref().and_then(super::parse_time);
  let plan = match &profile.store {
    Store::File => {
      let source = TokenSource::File {
        path: file.path().to_owned(),
        profile: name,
      };
      let mut token = profile
        .token
        .as_deref()
        .map(|raw| checked(raw, source.clone()))
        .transpose()?
        .flatten()
        .ok_or_else(|| {
          CalibreError::new(
            ErrorCode::TokenMissing,
            format!(
              "The profile \"{}\" in {} has no token. Store one with `calibre-native token set --profile {} -`.",
              profile.name,
              file.path().display(),
              profile.name
            ),
          )
        })?;
      token.expires_at = expires_at;
      Plan::Ready(token)
    }
    Store::Keyring => Plan::Keyring {
      account: profile.name.clone(),
      source: TokenSource::Keyring { profile: name },
      expires_at,
    },
    Store::Command(line) => Plan::Command {
      line: line.clone(),
      source: TokenSource::Command { profile: name },
    },
  };
  Ok(Decision {
    plan,
    host: profile.host.clone().map(|url| ProfileHost { url, named }),
  })
}

fn from_env(_: &Wanted, lookup: &mut Lookup) -> Result<Option<Decision>, CalibreError> {
  match lookup.env.var(TOKEN_ENV) {
    Some(raw) => {
      if let Some(found) = checked(&raw, TokenSource::Env)? {
        return Ok(Some(Decision::ready(found)));
      }
      lookup.looked.push(format!("{TOKEN_ENV} (blank)"));
    }
    None => lookup.looked.push(format!("{TOKEN_ENV} (not set)")),
  }
  Ok(None)
}

fn from_env_file(_: &Wanted, lookup: &mut Lookup) -> Result<Option<Decision>, CalibreError> {
  let Some(path) = lookup
    .env
    .var(TOKEN_FILE_ENV)
    .filter(|p| !p.trim().is_empty())
  else {
    return Ok(None);
  };
  let path = PathBuf::from(path);
  let source = TokenSource::EnvFile(path.clone());
  // Read through the config file's reader: it refuses FIFOs and devices (they would block).
  let text = super::store::read_secret_file(&path).map_err(|why| {
    CalibreError::new(
      ErrorCode::ConfigAccess,
      format!(
        "Cannot read the token file {} named by {TOKEN_FILE_ENV}: {why}. Check the path and its permissions, or unset {TOKEN_FILE_ENV}.",
        path.display()
      ),
    )
    .with_token_source(source.clone())
  })?;
  match checked(&text, source.clone())? {
    Some(found) => Ok(Some(Decision::ready(found))),
    // Named deliberately but empty: an error, not a fall-through to another token.
    None => Err(
      CalibreError::new(
        ErrorCode::TokenMissing,
        format!(
          "The token file {} named by {TOKEN_FILE_ENV} is empty, so no request was made. Put the token in it, or unset {TOKEN_FILE_ENV}.",
          path.display()
        ),
      )
      .with_token_source(source),
    ),
  }
}

fn from_command(_: &Wanted, lookup: &mut Lookup) -> Result<Option<Decision>, CalibreError> {
  Ok(
    lookup
      .env
      .var(COMMAND_ENV)
      .filter(|line| !line.trim().is_empty())
      .map(|line| Decision {
        plan: Plan::Command {
          line,
          source: TokenSource::Command { profile: None },
        },
        host: None,
      }),
  )
}

fn from_default_profile(_: &Wanted, lookup: &mut Lookup) -> Result<Option<Decision>, CalibreError> {
  let (file, profiles) = match lookup.profiles() {
    Ok(found) => found,
    // No home: the config file step says so.
    Err(_) if ConfigFile::locate(lookup.env).is_err() => return Ok(None),
    Err(err) => return Err(err),
  };
  let Some(name) = &profiles.default else {
    return Ok(None);
  };
  match profiles.get(name) {
    Some(profile) => from_profile(profile, &file, false).map(Some),
    None => Err(CalibreError::new(
      ErrorCode::TokenMissing,
      format!(
        "The default profile \"{name}\" set in {} does not exist (profiles: {}). Choose another with `calibre-native token use NAME`, or `calibre-native token use default` for the unnamed token.",
        file.path().display(),
        profiles.names()
      ),
    )),
  }
}

fn from_config_file(_: &Wanted, lookup: &mut Lookup) -> Result<Option<Decision>, CalibreError> {
  let env = lookup.env;
  let (file, map) = match lookup.config() {
    Ok((file, map)) => (file, map.clone()),
    // No home and no XDG_CONFIG_HOME: say so in the "no token" message.
    Err(_) if ConfigFile::locate(env).is_err() => {
      lookup.looked.push(format!(
        "the config file (neither XDG_CONFIG_HOME nor {HOME_VAR} is set)"
      ));
      return Ok(None);
    }
    Err(err) => return Err(err),
  };
  let map = &map;
  let source = TokenSource::File {
    path: file.path().to_owned(),
    profile: None,
  };
  if let Some(stored) = super::store::entry_of(map, &file)? {
    if let Some(mut found) = checked(&stored.token, source)? {
      found.expires_at = stored.expires_at.as_deref().and_then(super::parse_time);
      return Ok(Some(Decision::ready(found)));
    }
    lookup
      .looked
      .push(format!("{} (blank token)", file.path().display()));
    return Ok(None);
  }
  let profiles = Profiles::from_map(map, &file)?;
  if profiles.unnamed_in_keyring {
    return Ok(Some(Decision {
      plan: Plan::Keyring {
        account: UNNAMED.to_owned(),
        source: TokenSource::Keyring { profile: None },
        expires_at: profiles
          .unnamed_expires_at
          .as_deref()
          .and_then(super::parse_time),
      },
      host: None,
    }));
  }
  lookup
    .looked
    .push(format!("{} (no token stored)", file.path().display()));
  Ok(None)
}

/// The token stored at `source` now, when it is a config file entry (another process may have
/// refreshed it). Anything else, or any failure: `None`.
pub fn reread(source: &TokenSource) -> Option<ResolvedToken> {
  let TokenSource::File { path, profile } = source else {
    return None;
  };
  let file = ConfigFile::at(path.clone());
  let map = file.read().ok()??;
  let (raw, expires_at) = match profile {
    None => {
      let stored = super::store::entry_of(&map, &file).ok()??;
      (stored.token, stored.expires_at)
    }
    Some(name) => {
      let profile = Profiles::from_map(&map, &file).ok()?.get(name)?.clone();
      (profile.token?, profile.expires_at)
    }
  };
  let token = ApiToken::parse(&raw).ok()??;
  Some(ResolvedToken {
    token,
    source: source.clone(),
    expires_at: expires_at.as_deref().and_then(super::parse_time),
  })
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
      (
        "file",
        TokenSource::File {
          path,
          profile: None
        }
      )
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
    assert_eq!(
      got.source,
      TokenSource::File {
        path,
        profile: None
      }
    );
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
