//! The config file the official CLI (configstore) writes:
//! `${XDG_CONFIG_HOME:-$HOME/.config}/configstore/calibre.json`, key `token`.
//!
//! Written the way configstore writes it (tab-indented JSON, no trailing newline, other keys
//! kept, directory 0700, file 0600 through a temp file, fsync and rename) so the official CLI
//! and this package share it both ways. Unlike configstore, a corrupt file is reported and
//! left byte-for-byte untouched, and read-modify-write runs under an advisory lock so
//! concurrent writers never lose keys.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::env::Env;
use crate::error::{CalibreError, ErrorCode};

/// Key beside `token` where a known expiry is kept (ISO 8601). The official CLI ignores
/// keys it does not know.
pub const EXPIRY_KEY: &str = "tokenExpiresAt";

/// The token as stored, with its expiry when one is known. The token is raw text (it is
/// validated into an `ApiToken` by the chain); `Debug` does not show it.
#[derive(Clone, PartialEq)]
pub struct StoredToken {
  pub token: String,
  pub expires_at: Option<String>,
}

impl std::fmt::Debug for StoredToken {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("StoredToken")
      .field("token", &"<redacted>")
      .field("expires_at", &self.expires_at)
      .finish()
  }
}

#[derive(Clone, Debug)]
pub struct ConfigFile {
  path: PathBuf,
}

impl ConfigFile {
  pub fn at(path: PathBuf) -> Self {
    ConfigFile { path }
  }

  /// The file configstore would use for the id `calibre`. A relative `XDG_CONFIG_HOME` is
  /// taken relative to the working directory, as configstore does.
  pub fn locate(env: &dyn Env) -> Result<ConfigFile, CalibreError> {
    let base = match env.var("XDG_CONFIG_HOME").filter(|x| !x.is_empty()) {
      Some(xdg) => PathBuf::from(xdg),
      None => env.home_dir().map(|home| home.join(".config")).ok_or_else(|| {
        CalibreError::new(
          ErrorCode::ConfigAccess,
          "Cannot locate the Calibre config file: neither XDG_CONFIG_HOME nor HOME is set. Set one of them, or use CALIBRE_API_TOKEN instead of a stored token.",
        )
      })?,
    };
    Ok(ConfigFile::at(
      base.join("configstore").join("calibre.json"),
    ))
  }

  pub fn path(&self) -> &Path {
    &self.path
  }

  fn access_error(&self, action: &str, err: &io::Error) -> CalibreError {
    CalibreError::new(
      ErrorCode::ConfigAccess,
      format!(
        "Cannot {action} the Calibre config file {}: {err}. Check its permissions and owner, or use CALIBRE_API_TOKEN instead.",
        self.path.display()
      ),
    )
  }

  fn corrupt(&self, what: &str) -> CalibreError {
    CalibreError::new(
      ErrorCode::ConfigCorrupt,
      format!(
        "The Calibre config file {} {what}; it was left untouched. Fix or delete it, then store the token again with `calibre-native token set -`.",
        self.path.display()
      ),
    )
  }

  /// The whole file as a JSON object; `None` when there is no file. An empty file (what
  /// configstore leaves after clearing a corrupt one) reads as an empty object.
  pub fn read(&self) -> Result<Option<Map<String, Value>>, CalibreError> {
    let text = match fs::read_to_string(&self.path) {
      Ok(text) => text,
      Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
      Err(err) if err.kind() == io::ErrorKind::InvalidData => {
        return Err(self.corrupt("is not valid UTF-8"))
      }
      Err(err) => return Err(self.access_error("read", &err)),
    };
    self.parse(&text).map(Some)
  }

  pub(crate) fn parse(&self, text: &str) -> Result<Map<String, Value>, CalibreError> {
    if text.trim().is_empty() {
      return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
      Ok(Value::Object(map)) => Ok(map),
      Ok(_) => Err(self.corrupt("does not hold a JSON object")),
      Err(err) => Err(self.corrupt(&format!("is not valid JSON ({err})"))),
    }
  }

  /// The stored token as text: strings as they are, numbers as calibre's CLI stores
  /// numeric tokens (`calibre token set 123456`); absent, `null`, `false` or `""` = none.
  pub fn read_token(&self) -> Result<Option<String>, CalibreError> {
    Ok(self.read_entry()?.map(|stored| stored.token))
  }

  /// The stored token and its known expiry (`tokenExpiresAt`).
  pub fn read_entry(&self) -> Result<Option<StoredToken>, CalibreError> {
    let Some(map) = self.read()? else {
      return Ok(None);
    };
    let token = match map.get("token") {
      None | Some(Value::Null) | Some(Value::Bool(false)) => return Ok(None),
      Some(Value::String(s)) => s.clone(),
      Some(Value::Number(n)) if n.as_f64() == Some(0.0) => return Ok(None),
      Some(Value::Number(n)) => n.to_string(),
      Some(_) => return Err(self.corrupt("has a `token` that is neither a string nor a number")),
    };
    let expires_at = map
      .get(EXPIRY_KEY)
      .and_then(Value::as_str)
      .map(str::to_owned);
    Ok(Some(StoredToken { token, expires_at }))
  }

  /// Stores a token and what is known of its expiry (`None` forgets a stale one).
  pub fn store_token(&self, token: &str, expires_at: Option<&str>) -> Result<(), CalibreError> {
    self.update(|map| {
      map.insert("token".to_owned(), Value::from(token));
      match expires_at {
        Some(at) => {
          map.insert(EXPIRY_KEY.to_owned(), Value::from(at));
        }
        None => {
          map.shift_remove(EXPIRY_KEY);
        }
      }
      (true, ())
    })
  }

  /// Whether a token could be stored here: the file (or the nearest existing directory
  /// above it) can be opened for writing. Nothing is written.
  pub fn writable(&self) -> bool {
    if self.path.exists() {
      return OpenOptions::new().append(true).open(&self.path).is_ok();
    }
    self
      .path
      .ancestors()
      .skip(1)
      .find(|dir| dir.exists())
      .and_then(|dir| fs::metadata(dir).ok())
      .is_some_and(|meta| meta.is_dir() && !meta.permissions().readonly())
  }

  /// Read-modify-write under an exclusive advisory lock; `change` returns whether to write.
  pub fn update<T>(
    &self,
    change: impl FnOnce(&mut Map<String, Value>) -> (bool, T),
  ) -> Result<T, CalibreError> {
    let dir = self.path.parent().expect("config path has a parent");
    create_private_dir(dir).map_err(|e| self.access_error("create the directory of", &e))?;
    let _lock = DirLock::acquire(dir).map_err(|e| self.access_error("lock", &e))?;
    let mut map = self.read()?.unwrap_or_default();
    let (write, out) = change(&mut map);
    if write {
      self
        .write_atomically(&serialize(&map))
        .map_err(|e| self.access_error("write", &e))?;
    }
    Ok(out)
  }

  fn write_atomically(&self, text: &str) -> io::Result<()> {
    let dir = self.path.parent().expect("config path has a parent");
    let name = self.path.file_name().expect("config path has a file name");
    let temp = dir.join(format!(
      "{}.tmp-{}-{}",
      name.to_string_lossy(),
      std::process::id(),
      unique_suffix()
    ));
    let result = (|| {
      let mut file = private_file(&temp)?;
      file.write_all(text.as_bytes())?;
      file.sync_all()?;
      drop(file);
      fs::rename(&temp, &self.path)?;
      // Make the rename itself durable.
      File::open(dir).and_then(|d| d.sync_all()).or(Ok(()))
    })();
    if result.is_err() {
      let _ = fs::remove_file(&temp);
    }
    result
  }
}

/// `JSON.stringify(value, undefined, '\t')`: tab indentation, no trailing newline.
pub fn serialize(map: &Map<String, Value>) -> String {
  let mut out = Vec::new();
  let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
  let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
  serde::Serialize::serialize(map, &mut ser).expect("a JSON map always serializes");
  String::from_utf8(out).expect("serde_json writes UTF-8")
}

fn unique_suffix() -> String {
  use std::sync::atomic::{AtomicU64, Ordering};
  static COUNTER: AtomicU64 = AtomicU64::new(0);
  let nanos = std::time::SystemTime::now()
    .duration_since(std::time::UNIX_EPOCH)
    .map(|d| d.subsec_nanos())
    .unwrap_or(0);
  format!("{nanos:08x}{:x}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
  use std::os::unix::fs::DirBuilderExt;
  fs::DirBuilder::new()
    .recursive(true)
    .mode(0o700)
    .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
  fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> io::Result<File> {
  use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
  let file = OpenOptions::new()
    .write(true)
    .create_new(true)
    .mode(0o600)
    .open(path)?;
  // The umask may have narrowed or the mode may be ignored on odd filesystems: set it.
  file.set_permissions(fs::Permissions::from_mode(0o600))?;
  Ok(file)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> io::Result<File> {
  OpenOptions::new().write(true).create_new(true).open(path)
}

/// An exclusive `flock` on the config directory for the length of one read-modify-write.
/// The directory (not the file) is locked because the file is replaced by rename.
struct DirLock(File);

impl DirLock {
  fn acquire(dir: &Path) -> io::Result<DirLock> {
    let handle = File::open(dir)?;
    handle.lock()?;
    Ok(DirLock(handle))
  }
}

impl Drop for DirLock {
  fn drop(&mut self) {
    let _ = self.0.unlock();
  }
}

#[cfg(test)]
mod tests {
  use std::os::unix::fs::PermissionsExt;
  use std::sync::Arc;

  use super::*;

  fn file_in(dir: &tempfile::TempDir) -> ConfigFile {
    ConfigFile::at(dir.path().join("configstore/calibre.json"))
  }

  fn set(file: &ConfigFile, key: &str, value: Value) {
    file
      .update(|map| {
        map.insert(key.to_owned(), value);
        (true, ())
      })
      .unwrap();
  }

  #[test]
  fn writes_like_configstore() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_in(&dir);
    set(&file, "token", Value::from("abc"));
    assert_eq!(
      fs::read_to_string(file.path()).unwrap(),
      "{\n\t\"token\": \"abc\"\n}"
    );
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(file.path()), 0o600);
    assert_eq!(mode(file.path().parent().unwrap()), 0o700);
  }

  #[test]
  fn keeps_other_keys_and_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_in(&dir);
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    fs::write(
      file.path(),
      "{\"z\": {\"a\": [1, 2]}, \"token\": \"old\", \"b\": true}",
    )
    .unwrap();
    set(&file, "token", Value::Null);
    assert_eq!(
      fs::read_to_string(file.path()).unwrap(),
      "{\n\t\"z\": {\n\t\t\"a\": [\n\t\t\t1,\n\t\t\t2\n\t\t]\n\t},\n\t\"token\": null,\n\t\"b\": true\n}"
    );
  }

  #[test]
  fn corrupt_file_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_in(&dir);
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    fs::write(file.path(), "{ not json").unwrap();
    let err = file
      .update(|map| {
        map.insert("token".into(), "x".into());
        (true, ())
      })
      .unwrap_err();
    assert_eq!(err.code, ErrorCode::ConfigCorrupt);
    assert_eq!(fs::read_to_string(file.path()).unwrap(), "{ not json");
    let err = file.read_token().unwrap_err();
    assert_eq!(err.code, ErrorCode::ConfigCorrupt);
  }

  #[test]
  fn empty_file_reads_as_empty_object_and_array_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_in(&dir);
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    fs::write(file.path(), "").unwrap();
    assert_eq!(file.read_token().unwrap(), None);
    fs::write(file.path(), "[1,2]").unwrap();
    assert_eq!(
      file.read_token().unwrap_err().code,
      ErrorCode::ConfigCorrupt
    );
  }

  #[test]
  fn token_values_follow_calibre_truthiness() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_in(&dir);
    for (json, want) in [
      ("{\"token\": \"t\"}", Some("t")),
      ("{\"token\": 42}", Some("42")),
      ("{\"token\": 0}", None),
      ("{\"token\": false}", None),
      ("{\"token\": null}", None),
      ("{}", None),
    ] {
      fs::create_dir_all(file.path().parent().unwrap()).unwrap();
      fs::write(file.path(), json).unwrap();
      assert_eq!(file.read_token().unwrap().as_deref(), want, "{json}");
    }
  }

  #[test]
  fn unreadable_file_is_an_access_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = ConfigFile::at(dir.path().to_path_buf()); // a directory cannot be read as a file
    assert_eq!(file.read().unwrap_err().code, ErrorCode::ConfigAccess);
  }

  #[test]
  fn concurrent_writers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = Arc::new(file_in(&dir));
    let threads: Vec<_> = (0..8)
      .map(|i| {
        let file = Arc::clone(&file);
        std::thread::spawn(move || {
          for j in 0..25 {
            set(&file, &format!("k{i}"), Value::from(j));
            set(&file, "token", Value::from(format!("t{i}-{j}")));
          }
        })
      })
      .collect();
    for t in threads {
      t.join().unwrap();
    }
    let map = file.read().unwrap().unwrap();
    for i in 0..8 {
      assert_eq!(map[&format!("k{i}")], Value::from(24), "key k{i} kept");
    }
    let leftovers: Vec<_> = fs::read_dir(file.path().parent().unwrap())
      .unwrap()
      .map(|e| e.unwrap().file_name())
      .filter(|n| n != "calibre.json")
      .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
  }
}

/// Property tests: whatever other keys a tool stored, a write keeps them and reads back
/// equal in configstore's format; no file content makes reading or updating panic, and a
/// file that cannot be parsed is never rewritten.
#[cfg(test)]
mod proptests {
  use proptest::prelude::*;

  use super::*;
  use crate::graphql::proptests::json_object;

  fn config_in(dir: &tempfile::TempDir) -> ConfigFile {
    ConfigFile::at(dir.path().join("configstore/calibre.json"))
  }

  fn seed(file: &ConfigFile, bytes: &[u8]) {
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    fs::write(file.path(), bytes).unwrap();
  }

  proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn set_token_keeps_other_keys_and_reads_back_equal(
      others in json_object(),
      token in "[!-~]{1,48}",
      seeded_with_tabs in any::<bool>(),
    ) {
      let dir = tempfile::tempdir().unwrap();
      let file = config_in(&dir);
      let before = if seeded_with_tabs { serialize(&others) } else { Value::Object(others.clone()).to_string() };
      seed(&file, before.as_bytes());
      file.update(|map| {
        map.insert("token".into(), Value::from(token.clone()));
        (true, ())
      }).unwrap();
      let mut expected = others;
      expected.insert("token".into(), Value::from(token.clone()));
      // Read back through the store and through serde alone: both equal, order kept.
      let text = fs::read_to_string(file.path()).unwrap();
      prop_assert_eq!(file.read().unwrap().unwrap(), expected.clone());
      let parsed: Value = serde_json::from_str(&text).unwrap();
      prop_assert_eq!(&parsed, &Value::Object(expected.clone()));
      prop_assert_eq!(
        parsed.as_object().unwrap().keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
      );
      // configstore's format: JSON.stringify(value, undefined, '\t').
      prop_assert_eq!(&text, &serialize(&expected));
      prop_assert!(!text.ends_with('\n'));
      for line in text.lines() {
        prop_assert!(!line.trim_start_matches('\t').starts_with(' '), "indented with tabs only: {:?}", line);
      }
      prop_assert_eq!(file.read_token().unwrap(), Some(token));
      // Removing writes null and still keeps the rest.
      file.update(|map| {
        map.insert("token".into(), Value::Null);
        (true, ())
      }).unwrap();
      expected.insert("token".into(), Value::Null);
      prop_assert_eq!(file.read().unwrap().unwrap(), expected);
      prop_assert_eq!(file.read_token().unwrap(), None);
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_are_never_rewritten(
      bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
      check_corrupt(&bytes)?;
    }

    #[test]
    fn damaged_json_never_panics_and_is_never_rewritten(
      others in json_object(),
      cut in any::<prop::sample::Index>(),
      junk in prop::collection::vec(any::<u8>(), 0..4),
    ) {
      // A valid file cut short (a crash mid-write by a tool without temp files) plus junk.
      let text = serialize(&others);
      let mut bytes = text.as_bytes()[..cut.index(text.len() + 1)].to_vec();
      bytes.extend(junk);
      check_corrupt(&bytes)?;
    }
  }

  fn check_corrupt(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let file = config_in(&dir);
    seed(&file, bytes);
    let allowed = [ErrorCode::ConfigCorrupt, ErrorCode::ConfigAccess];
    match file.read() {
      Ok(Some(map)) => prop_assert!(serde_json::to_string(&map).is_ok()),
      Ok(None) => prop_assert!(false, "the file exists"),
      Err(err) => {
        prop_assert!(allowed.contains(&err.code), "{:?}", err.code);
        prop_assert!(err.message.contains("calibre.json"));
      }
    }
    if let Err(err) = file.read_token() {
      prop_assert!(allowed.contains(&err.code), "{:?}", err.code);
    }
    let readable = file.read().is_ok();
    let updated = file.update(|map| {
      map.insert("token".into(), Value::from("new"));
      (true, ())
    });
    prop_assert_eq!(updated.is_ok(), readable);
    if updated.is_err() {
      prop_assert_eq!(
        fs::read(file.path()).unwrap(),
        bytes.to_vec(),
        "left untouched"
      );
    } else {
      prop_assert_eq!(file.read_token().unwrap(), Some("new".to_owned()));
    }
    Ok(())
  }
}
