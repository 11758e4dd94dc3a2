//! Profiles: several tokens (organisations, hosts) on one machine, and where the unnamed token
//! lives when it is not in calibre@7's `token` key. All of it is kept in `calibre.json` under
//! one key calibre@7 ignores, so the official CLI keeps reading and writing its own `token`:
//!
//! ```json
//! { "token": null,
//!   "calibre-native": {
//!     "tokenStore": "keyring",
//!     "default": "work",
//!     "profiles": {
//!       "work": { "store": "keyring", "host": "https://api.calibreapp.com" },
//!       "ci":   { "store": "command", "command": "op read op://Private/Calibre/credential" },
//!       "old":  { "store": "file", "token": "…", "tokenExpiresAt": "2027-01-01T00:00:00.000Z" } } } }
//! ```
//!
//! A keyring-backed entry records only where the token lives, never the token.

use serde_json::{Map, Value};

use super::store::{ConfigFile, EXPIRY_KEY};
use crate::error::{CalibreError, ErrorCode};

/// The key of `calibre.json` that holds everything of ours.
pub const OUR_KEY: &str = "calibre-native";
/// The name that means "no profile": calibre@7's own token (`token use default`).
pub const UNNAMED: &str = "default";

/// Where a profile's token lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Store {
  /// In the config file, in the profile's entry.
  File,
  /// In the OS credential store, account = the profile's name.
  Keyring,
  /// Printed by a command each time it is needed.
  Command(String),
}

impl Store {
  /// `'file' | 'keyring' | 'command'`.
  pub fn kind(&self) -> &'static str {
    match self {
      Store::File => "file",
      Store::Keyring => "keyring",
      Store::Command(_) => "command",
    }
  }
}

/// One profile as stored. `token` is set only for `Store::File`; `Debug` never shows it.
#[derive(Clone, PartialEq)]
pub struct Profile {
  pub name: String,
  pub store: Store,
  pub token: Option<String>,
  pub host: Option<String>,
  pub expires_at: Option<String>,
}

impl std::fmt::Debug for Profile {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("Profile")
      .field("name", &self.name)
      .field("store", &self.store.kind())
      .field("host", &self.host)
      .finish()
  }
}

/// What `calibre.json` says beyond calibre@7's `token`.
#[derive(Clone, Debug, Default)]
pub struct Profiles {
  /// `token use NAME`: the profile used when none is named.
  pub default: Option<String>,
  /// The unnamed token was stored in the keyring (`token set --keyring`).
  pub unnamed_in_keyring: bool,
  /// When the unnamed keyring token expires, if known.
  pub unnamed_expires_at: Option<String>,
  pub profiles: Vec<Profile>,
}

impl Profiles {
  /// Reads our key of the config file's object; a malformed entry is `CALIBRE_CONFIG_CORRUPT`.
  pub fn from_map(map: &Map<String, Value>, file: &ConfigFile) -> Result<Profiles, CalibreError> {
    let corrupt = |what: String| {
      CalibreError::new(
        ErrorCode::ConfigCorrupt,
        format!(
          "The Calibre config file {} has {what}; it was left untouched. Fix that entry, or remove the profile and set it again with `calibre-native token set --profile NAME -`.",
          file.path().display()
        ),
      )
    };
    let ours = match map.get(OUR_KEY) {
      None | Some(Value::Null) => return Ok(Profiles::default()),
      Some(Value::Object(ours)) => ours,
      Some(_) => {
        return Err(corrupt(format!(
          "a \"{OUR_KEY}\" entry that is not an object"
        )))
      }
    };
    let text = |entry: &Map<String, Value>, key: &str, whose: &str| match entry.get(key) {
      None | Some(Value::Null) => Ok(None),
      Some(Value::String(s)) => Ok(Some(s.clone())),
      Some(_) => Err(corrupt(format!(
        "a `{key}` in {whose} that is not a string"
      ))),
    };
    let mut profiles = Vec::new();
    match ours.get("profiles") {
      None | Some(Value::Null) => {}
      Some(Value::Object(entries)) => {
        for (name, entry) in entries {
          let whose = format!("profile \"{name}\"");
          let Value::Object(entry) = entry else {
            return Err(corrupt(format!("a {whose} that is not an object")));
          };
          let store = match text(entry, "store", &whose)?.as_deref() {
            Some("file") | None => Store::File,
            Some("keyring") => Store::Keyring,
            Some("command") => match text(entry, "command", &whose)? {
              Some(command) if !command.trim().is_empty() => Store::Command(command),
              _ => {
                return Err(corrupt(format!(
                  "a {whose} with store \"command\" but no command"
                )))
              }
            },
            Some(other) => {
              return Err(corrupt(format!(
                "a {whose} with an unknown store \"{other}\""
              )))
            }
          };
          profiles.push(Profile {
            name: name.clone(),
            token: text(entry, "token", &whose)?,
            host: text(entry, "host", &whose)?,
            expires_at: text(entry, EXPIRY_KEY, &whose)?,
            store,
          });
        }
      }
      Some(_) => {
        return Err(corrupt(
          "a `profiles` entry that is not an object".to_owned(),
        ))
      }
    }
    Ok(Profiles {
      default: text(ours, "default", OUR_KEY)?.filter(|d| d != UNNAMED),
      unnamed_in_keyring: text(ours, "tokenStore", OUR_KEY)?.as_deref() == Some("keyring"),
      unnamed_expires_at: text(ours, EXPIRY_KEY, OUR_KEY)?,
      profiles,
    })
  }

  pub fn get(&self, name: &str) -> Option<&Profile> {
    self.profiles.iter().find(|p| p.name == name)
  }

  /// The names, for messages.
  pub fn names(&self) -> String {
    if self.profiles.is_empty() {
      return "none".to_owned();
    }
    let names: Vec<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
    names.join(", ")
  }
}

/// A profile name: letters, digits, `.`, `_`, `-`, at most 64 (it becomes a keyring account).
pub fn check_name(caller: &str, name: &str) -> Result<(), CalibreError> {
  let ok = !name.is_empty()
    && name.len() <= 64
    && name
      .chars()
      .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
  if ok {
    Ok(())
  } else {
    Err(CalibreError::invalid_argument(
      caller,
      format!(
        "the profile name {name:?} is not allowed: use 1 to 64 letters, digits, `.`, `_` or `-`."
      ),
    ))
  }
}

/// Our object inside the config file's, created when missing.
fn ours(map: &mut Map<String, Value>) -> &mut Map<String, Value> {
  if !matches!(map.get(OUR_KEY), Some(Value::Object(_))) {
    map.insert(OUR_KEY.to_owned(), Value::Object(Map::new()));
  }
  match map.get_mut(OUR_KEY) {
    Some(Value::Object(ours)) => ours,
    _ => unreachable!("inserted above"),
  }
}

/// Writes `profile` (replacing one of the same name).
pub fn put(map: &mut Map<String, Value>, profile: &Profile) {
  let ours = ours(map);
  if !matches!(ours.get("profiles"), Some(Value::Object(_))) {
    ours.insert("profiles".to_owned(), Value::Object(Map::new()));
  }
  let Some(Value::Object(entries)) = ours.get_mut("profiles") else {
    unreachable!("inserted above")
  };
  let mut entry = Map::new();
  entry.insert("store".to_owned(), profile.store.kind().into());
  if let Store::Command(command) = &profile.store {
    entry.insert("command".to_owned(), command.as_str().into());
  }
  if let Some(token) = &profile.token {
    entry.insert("token".to_owned(), token.as_str().into());
  }
  if let Some(host) = &profile.host {
    entry.insert("host".to_owned(), host.as_str().into());
  }
  if let Some(at) = &profile.expires_at {
    entry.insert(EXPIRY_KEY.to_owned(), at.as_str().into());
  }
  entries.insert(profile.name.clone(), Value::Object(entry));
}

/// Removes profile `name`; false when there was none. A default pointing at it is cleared.
pub fn remove(map: &mut Map<String, Value>, name: &str) -> bool {
  let Some(Value::Object(ours)) = map.get_mut(OUR_KEY) else {
    return false;
  };
  let removed = match ours.get_mut("profiles") {
    Some(Value::Object(entries)) => entries.shift_remove(name).is_some(),
    _ => false,
  };
  if removed && ours.get("default").and_then(Value::as_str) == Some(name) {
    ours.shift_remove("default");
  }
  removed
}

/// Sets the default profile (`None` or `"default"`: calibre@7's token again).
pub fn set_default(map: &mut Map<String, Value>, name: Option<&str>) {
  match name.filter(|n| *n != UNNAMED) {
    Some(name) => {
      ours(map).insert("default".to_owned(), name.into());
    }
    None => {
      if let Some(Value::Object(ours)) = map.get_mut(OUR_KEY) {
        ours.shift_remove("default");
      }
    }
  }
}

/// Records whether the unnamed token lives in the keyring, and its known expiry there.
pub fn set_unnamed_keyring(
  map: &mut Map<String, Value>,
  in_keyring: bool,
  expires_at: Option<&str>,
) {
  if in_keyring {
    let ours = ours(map);
    ours.insert("tokenStore".to_owned(), "keyring".into());
    match expires_at {
      Some(at) => ours.insert(EXPIRY_KEY.to_owned(), at.into()),
      None => ours.shift_remove(EXPIRY_KEY),
    };
  } else if let Some(Value::Object(ours)) = map.get_mut(OUR_KEY) {
    ours.shift_remove("tokenStore");
    ours.shift_remove(EXPIRY_KEY);
  }
}

/// Updates the token and expiry of a file-stored profile, or the expiry of another one.
pub fn set_token(
  map: &mut Map<String, Value>,
  name: &str,
  token: Option<&str>,
  expires_at: Option<&str>,
) -> bool {
  let Some(Value::Object(ours)) = map.get_mut(OUR_KEY) else {
    return false;
  };
  let Some(Value::Object(entry)) = ours
    .get_mut("profiles")
    .and_then(|p| p.as_object_mut())
    .and_then(|entries| entries.get_mut(name))
  else {
    return false;
  };
  if let Some(token) = token {
    entry.insert("token".to_owned(), token.into());
  }
  match expires_at {
    Some(at) => entry.insert(EXPIRY_KEY.to_owned(), at.into()),
    None => entry.shift_remove(EXPIRY_KEY),
  };
  true
}

#[cfg(test)]
mod tests {
  use serde_json::json;

  use super::*;

  fn file() -> ConfigFile {
    ConfigFile::at("/x/calibre.json".into())
  }

  fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
  }

  #[test]
  fn round_trips_beside_calibre7s_token() {
    let mut map = obj(json!({ "token": "t7", "other": 1 }));
    let work = Profile {
      name: "work".into(),
      store: Store::Keyring,
      token: None,
      host: Some("https://h.test".into()),
      expires_at: None,
    };
    put(&mut map, &work);
    put(
      &mut map,
      &Profile {
        name: "ci".into(),
        store: Store::Command("op read x".into()),
        token: None,
        host: None,
        expires_at: None,
      },
    );
    set_default(&mut map, Some("work"));
    assert_eq!(map["token"], "t7", "calibre@7's key untouched");
    assert_eq!(map["other"], 1);
    let read = Profiles::from_map(&map, &file()).unwrap();
    assert_eq!(read.default.as_deref(), Some("work"));
    assert_eq!(read.get("work"), Some(&work));
    assert_eq!(
      read.get("ci").unwrap().store,
      Store::Command("op read x".into())
    );
    assert!(remove(&mut map, "work"));
    let read = Profiles::from_map(&map, &file()).unwrap();
    assert_eq!(read.default, None, "the default went with its profile");
    assert!(!remove(&mut map, "work"));
  }

  #[test]
  fn malformed_entries_are_corrupt_not_ignored() {
    for bad in [
      json!({ "calibre-native": 3 }),
      json!({ "calibre-native": { "profiles": [] } }),
      json!({ "calibre-native": { "profiles": { "a": { "store": "vault" } } } }),
      json!({ "calibre-native": { "profiles": { "a": { "store": "command" } } } }),
      json!({ "calibre-native": { "profiles": { "a": { "token": 5 } } } }),
    ] {
      let err = Profiles::from_map(&obj(bad.clone()), &file()).unwrap_err();
      assert_eq!(err.code, ErrorCode::ConfigCorrupt, "{bad}");
    }
  }

  #[test]
  fn names_are_checked() {
    for good in ["work", "a.b_c-1"] {
      assert!(check_name("f", good).is_ok());
    }
    for bad in ["", "a b", "../x", "é", &"x".repeat(65)] {
      assert!(check_name("f", bad).is_err(), "{bad:?}");
    }
  }
}
