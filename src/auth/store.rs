//! The config file the official CLI (configstore) writes:
//! `${XDG_CONFIG_HOME:-$HOME/.config}/configstore/calibre.json`, key `token` (`%USERPROFILE%`
//! for `$HOME` on Windows, as Node's `os.homedir()`).
//!
//! Written the way configstore writes it (tab-indented JSON, no trailing newline, other keys
//! kept, directory 0700, file 0600 through a temp file, fsync and rename) so the official CLI
//! and this package share it both ways. Unlike configstore, a corrupt file is reported and
//! left byte-for-byte untouched, and read-modify-write runs under an advisory lock so
//! concurrent writers never lose keys. A symlinked file (dotfile managers link exactly this
//! file) is written through: the link's target is replaced, the link stays.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::env::{Env, HOME_VAR};
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
          format!("Cannot locate the Calibre config file: neither XDG_CONFIG_HOME nor {HOME_VAR} is set. Set one of them, or use CALIBRE_API_TOKEN instead of a stored token."),
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

  fn in_use_error(&self, err: &io::Error) -> CalibreError {
    CalibreError::new(
      ErrorCode::ConfigAccess,
      format!(
        "Cannot replace the Calibre config file {}: another program kept it open for {} ms ({err}). Close the program holding it (an editor, a sync or antivirus tool) and try again, or use CALIBRE_API_TOKEN instead.",
        self.path.display(),
        REPLACE_RETRY_FOR.as_millis()
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
  /// configstore leaves after clearing a corrupt one) reads as an empty object. Anything but
  /// a regular file (a FIFO would block the JS thread forever, a device never ends) is refused.
  pub fn read(&self) -> Result<Option<Map<String, Value>>, CalibreError> {
    let mut file = match open_for_reading(&self.path) {
      Ok(file) => file,
      Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
      Err(err) => return Err(self.access_error("read", &err)),
    };
    let meta = file.metadata().map_err(|e| self.access_error("read", &e))?;
    if !meta.is_file() {
      return Err(self.not_a_file(&meta));
    }
    let mut text = String::new();
    match file.read_to_string(&mut text) {
      Ok(_) => {}
      Err(err) if err.kind() == io::ErrorKind::InvalidData => {
        return Err(self.corrupt("is not valid UTF-8"))
      }
      Err(err) => return Err(self.access_error("read", &err)),
    }
    self.parse(&text).map(Some)
  }

  fn not_a_file(&self, meta: &fs::Metadata) -> CalibreError {
    CalibreError::new(
      ErrorCode::ConfigAccess,
      format!(
        "The Calibre config file {} is {}, not a regular file; it was not read. Replace it with a regular file (or a symlink to one), or use CALIBRE_API_TOKEN instead.",
        self.path.display(),
        file_kind(meta)
      ),
    )
  }

  /// Where a write lands: the file itself, or the final target of a symlink (chains followed,
  /// relative links taken from the link's directory). The target need not exist yet.
  fn write_target(&self) -> io::Result<PathBuf> {
    let mut path = self.path.clone();
    // Linux's own limit on links followed in one lookup.
    for _ in 0..40 {
      match fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => {
          let link = fs::read_link(&path)?;
          let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
          path = base.join(link);
        }
        Ok(_) => return Ok(path),
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(path),
        Err(err) => return Err(err),
      }
    }
    Err(io::Error::other("too many levels of symbolic links"))
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
    match self.read()? {
      Some(map) => entry_of(&map, self),
      None => Ok(None),
    }
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

  /// Whether `store_token` would succeed, judged the way it writes: the file (through any
  /// symlink) is replaced by a rename in its directory, so that directory must be writable
  /// (or, when missing, the nearest existing one above it, where it would be created), and an
  /// existing file must be a regular file we can read. The file's own write bit does not
  /// matter. Nothing is written, and nothing is opened (a FIFO would block).
  pub fn writable(&self) -> bool {
    let Ok(target) = self.write_target() else {
      return false;
    };
    match fs::metadata(&target) {
      Ok(meta) if !meta.is_file() || !access(&target, AccessMode::Read) => return false,
      Ok(_) => {}
      Err(err) if err.kind() == io::ErrorKind::NotFound => {}
      Err(_) => return false,
    }
    let Some(dir) = target
      .ancestors()
      .skip(1)
      .find(|dir| fs::symlink_metadata(dir).is_ok())
    else {
      return false;
    };
    fs::metadata(dir).is_ok_and(|meta| meta.is_dir()) && access(dir, AccessMode::ReadWriteSearch)
  }

  /// Read-modify-write under an exclusive advisory lock; `change` returns whether to write.
  pub fn update<T>(
    &self,
    change: impl FnOnce(&mut Map<String, Value>) -> (bool, T),
  ) -> Result<T, CalibreError> {
    let own_dir = self.path.parent().expect("config path has a parent");
    create_private_dir(own_dir).map_err(|e| self.access_error("create the directory of", &e))?;
    let target = self
      .write_target()
      .map_err(|e| self.access_error("follow the symlink of", &e))?;
    // The rename happens in the target's directory: lock there, whichever link led to it.
    let dir = target.parent().unwrap_or(own_dir);
    create_private_dir(dir).map_err(|e| self.access_error("create the directory of", &e))?;
    let _lock = WriteLock::acquire(&target).map_err(|e| self.access_error("lock", &e))?;
    let mut map = self.read()?.unwrap_or_default();
    let (write, out) = change(&mut map);
    if write {
      write_atomically(&target, &serialize(&map)).map_err(|e| match e {
        WriteError::StillInUse(e) => self.in_use_error(&e),
        WriteError::Io(e) => self.access_error("write", &e),
      })?;
    }
    Ok(out)
  }
}

/// calibre@7's `token` key of `map` (read from `file`) and its known expiry. Strings as they
/// are, numbers as calibre's CLI stores numeric tokens; absent, `null`, `false` or `""` = none.
pub fn entry_of(
  map: &Map<String, Value>,
  file: &ConfigFile,
) -> Result<Option<StoredToken>, CalibreError> {
  let token = match map.get("token") {
    None | Some(Value::Null) | Some(Value::Bool(false)) => return Ok(None),
    Some(Value::String(s)) => s.clone(),
    Some(Value::Number(n)) if n.as_f64() == Some(0.0) => return Ok(None),
    Some(Value::Number(n)) => n.to_string(),
    Some(_) => return Err(file.corrupt("has a `token` that is neither a string nor a number")),
  };
  let expires_at = map
    .get(EXPIRY_KEY)
    .and_then(Value::as_str)
    .map(str::to_owned);
  Ok(Some(StoredToken { token, expires_at }))
}

/// A secret file's text (`CALIBRE_API_TOKEN_FILE`): a regular file only (a FIFO would block,
/// a device never ends), at most 64 KiB. The error is the reason, never the contents.
pub fn read_secret_file(path: &Path) -> Result<String, String> {
  let file = open_for_reading(path).map_err(|e| e.to_string())?;
  let meta = file.metadata().map_err(|e| e.to_string())?;
  if !meta.is_file() {
    return Err(format!("it is {}, not a regular file", file_kind(&meta)));
  }
  let mut text = String::new();
  file
    .take(64 * 1024)
    .read_to_string(&mut text)
    .map_err(|e| match e.kind() {
      io::ErrorKind::InvalidData => "it is not UTF-8 text".to_owned(),
      _ => e.to_string(),
    })?;
  Ok(text)
}

enum WriteError {
  /// The file could not be replaced because another program held it open, after retrying.
  StillInUse(io::Error),
  Io(io::Error),
}

impl From<io::Error> for WriteError {
  fn from(err: io::Error) -> Self {
    WriteError::Io(err)
  }
}

/// Writes `text` to `path` through a temp file in the same directory, fsync and rename.
fn write_atomically(path: &Path, text: &str) -> Result<(), WriteError> {
  let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
    return Err(WriteError::Io(io::Error::other(format!(
      "{} does not name a file",
      path.display()
    ))));
  };
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
    replace_retrying(|| fs::rename(&temp, path), held_by_another_program)?;
    // Make the rename itself durable (directories cannot be opened or synced on Windows).
    let _ = File::open(dir).and_then(|d| d.sync_all());
    Ok(())
  })();
  if result.is_err() {
    let _ = fs::remove_file(&temp);
  }
  result
}

/// How long a replace is retried while another program holds the file open: as long as
/// configstore's writer (atomically) retries a synchronous write.
const REPLACE_RETRY_FOR: Duration = Duration::from_millis(1000);

/// Runs `rename` until it succeeds, fails for another reason than `busy`, or `REPLACE_RETRY_FOR`
/// has passed, pausing 10 ms, then twice as long each time, 100 ms at most.
fn replace_retrying(
  mut rename: impl FnMut() -> io::Result<()>,
  busy: impl Fn(&io::Error) -> bool,
) -> Result<(), WriteError> {
  let deadline = Instant::now() + REPLACE_RETRY_FOR;
  let mut pause = Duration::from_millis(10);
  loop {
    match rename() {
      Ok(()) => return Ok(()),
      Err(err) if !busy(&err) => return Err(WriteError::Io(err)),
      Err(err) if Instant::now() + pause > deadline => return Err(WriteError::StillInUse(err)),
      Err(_) => {
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(100));
      }
    }
  }
}

/// Windows refuses to replace a file that another program opened without `FILE_SHARE_DELETE`
/// (access denied, or a sharing violation) until it closes it. Elsewhere a rename is never
/// refused for that, and a denial is final.
fn held_by_another_program(err: &io::Error) -> bool {
  /// `ERROR_SHARING_VIOLATION`.
  const SHARING_VIOLATION: i32 = 32;
  cfg!(windows)
    && (err.kind() == io::ErrorKind::PermissionDenied
      || err.raw_os_error() == Some(SHARING_VIOLATION))
}

#[cfg(unix)]
fn open_for_reading(path: &Path) -> io::Result<File> {
  use std::os::unix::fs::OpenOptionsExt;
  // Non-blocking so that opening a FIFO returns at once; it is then refused as not a file.
  OpenOptions::new()
    .read(true)
    .custom_flags(libc::O_NONBLOCK)
    .open(path)
}

#[cfg(not(unix))]
fn open_for_reading(path: &Path) -> io::Result<File> {
  File::open(path)
}

fn file_kind(meta: &fs::Metadata) -> &'static str {
  #[cfg(unix)]
  {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
      return "a FIFO (named pipe)";
    }
    if kind.is_socket() {
      return "a socket";
    }
    if kind.is_char_device() || kind.is_block_device() {
      return "a device";
    }
  }
  if meta.is_dir() {
    "a directory"
  } else {
    "not a regular file"
  }
}

enum AccessMode {
  Read,
  ReadWriteSearch,
}

/// `access(2)` for the real user: what the kernel would allow, root and read-only mounts
/// included, without opening anything.
#[cfg(unix)]
fn access(path: &Path, mode: AccessMode) -> bool {
  use std::os::unix::ffi::OsStrExt;
  let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
    return false;
  };
  let mode = match mode {
    AccessMode::Read => libc::R_OK,
    AccessMode::ReadWriteSearch => libc::R_OK | libc::W_OK | libc::X_OK,
  };
  // SAFETY: a valid NUL-terminated path; access(2) only reads it.
  unsafe { libc::access(c_path.as_ptr(), mode) == 0 }
}

#[cfg(not(unix))]
fn access(path: &Path, mode: AccessMode) -> bool {
  match mode {
    AccessMode::Read => File::open(path).is_ok(),
    AccessMode::ReadWriteSearch => fs::metadata(path).is_ok_and(|m| !m.permissions().readonly()),
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

/// An exclusive advisory lock for the length of one read-modify-write of `target`, which is
/// replaced by rename, so the file itself cannot carry the lock.
/// - Unix: `flock` on the file's directory; nothing is left behind.
/// - Windows: a directory handle cannot be locked (`LockFileEx` refuses it), so the lock is taken
///   on `<file>.lock` beside it. That file stays: deleting it would let the next two writers lock
///   two different files.
struct WriteLock(File);

impl WriteLock {
  fn acquire(target: &Path) -> io::Result<WriteLock> {
    let handle = lock_handle(target)?;
    handle.lock()?;
    Ok(WriteLock(handle))
  }
}

#[cfg(not(windows))]
fn lock_handle(target: &Path) -> io::Result<File> {
  File::open(target.parent().unwrap_or(Path::new(".")))
}

#[cfg(windows)]
fn lock_handle(target: &Path) -> io::Result<File> {
  let mut name = target.file_name().unwrap_or_default().to_owned();
  name.push(".lock");
  OpenOptions::new()
    .read(true)
    .write(true)
    .create(true)
    .truncate(false)
    .open(target.with_file_name(name))
}

impl Drop for WriteLock {
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
  fn symlinked_file_is_written_through_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let dotfiles = dir.path().join("dotfiles");
    fs::create_dir_all(&dotfiles).unwrap();
    let target = dotfiles.join("calibre.json");
    fs::write(&target, "{\"token\": \"old\", \"keep\": 1}").unwrap();
    let file = file_in(&dir);
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    // Relative, as dotfile managers often make them, and through a second link.
    std::os::unix::fs::symlink("dotfiles/calibre.json", dir.path().join("middle.json")).unwrap();
    std::os::unix::fs::symlink("../middle.json", file.path()).unwrap();
    file.store_token("new", None).unwrap();
    assert!(fs::symlink_metadata(file.path())
      .unwrap()
      .file_type()
      .is_symlink());
    assert_eq!(
      fs::read_to_string(&target).unwrap(),
      "{\n\t\"token\": \"new\",\n\t\"keep\": 1\n}"
    );
    assert_eq!(file.read_token().unwrap().as_deref(), Some("new"));
    let strays: Vec<_> = fs::read_dir(&dotfiles)
      .unwrap()
      .map(|e| e.unwrap().file_name())
      .filter(|n| n != "calibre.json")
      .collect();
    assert!(strays.is_empty(), "temp files left: {strays:?}");
  }

  #[test]
  fn dangling_symlink_creates_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_in(&dir);
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    let target = dir.path().join("elsewhere/calibre.json");
    std::os::unix::fs::symlink(&target, file.path()).unwrap();
    file.store_token("t", None).unwrap();
    assert_eq!(
      fs::read_to_string(&target).unwrap(),
      "{\n\t\"token\": \"t\"\n}"
    );
    assert!(fs::symlink_metadata(file.path())
      .unwrap()
      .file_type()
      .is_symlink());
  }

  #[test]
  fn symlink_loop_is_an_access_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_in(&dir);
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(file.path(), file.path()).unwrap();
    let err = file.store_token("t", None).unwrap_err();
    assert_eq!(err.code, ErrorCode::ConfigAccess);
    assert!(!file.writable());
  }

  fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
  }

  #[test]
  fn fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_in(&dir);
    fs::create_dir_all(file.path().parent().unwrap()).unwrap();
    mkfifo(file.path());
    // Opening a FIFO for reading blocks until a writer comes: this would never return.
    let err = file.read_token().unwrap_err();
    assert_eq!(err.code, ErrorCode::ConfigAccess);
    assert!(err.message.contains("FIFO"), "{}", err.message);
    assert_eq!(
      file.store_token("t", None).unwrap_err().code,
      ErrorCode::ConfigAccess
    );
    assert!(!file.writable());
  }

  #[test]
  fn writable_judges_the_directory_the_rename_happens_in() {
    let dir = tempfile::tempdir().unwrap();
    let file = file_in(&dir);
    assert!(file.writable(), "missing directories are created");
    let blocked = ConfigFile::at(dir.path().join("plain-file/configstore/calibre.json"));
    fs::write(dir.path().join("plain-file"), "").unwrap();
    assert!(
      !blocked.writable(),
      "a regular file where a directory must be"
    );
    assert!(blocked.store_token("t", None).is_err());
  }

  fn access_denied() -> io::Error {
    io::Error::from(io::ErrorKind::PermissionDenied)
  }

  #[test]
  fn a_replace_refused_while_the_file_is_held_is_retried() {
    let mut calls = 0;
    let result = replace_retrying(
      || {
        calls += 1;
        if calls < 4 {
          Err(access_denied())
        } else {
          Ok(())
        }
      },
      |_| true,
    );
    assert!(result.is_ok());
    assert_eq!(calls, 4);
  }

  #[test]
  fn a_file_held_past_the_retry_time_is_reported_as_in_use() {
    let started = Instant::now();
    let mut calls = 0;
    let result = replace_retrying(
      || {
        calls += 1;
        Err(access_denied())
      },
      |_| true,
    );
    assert!(matches!(result, Err(WriteError::StillInUse(_))));
    assert!(started.elapsed() <= REPLACE_RETRY_FOR + Duration::from_millis(500));
    assert!(calls > 3, "retried, {calls} calls");
    let dir = tempfile::tempdir().unwrap();
    let file = file_in(&dir);
    let message = file.in_use_error(&access_denied()).message;
    assert!(message.contains("calibre.json"), "{message}");
    assert!(
      message.contains("another program kept it open"),
      "{message}"
    );
  }

  #[test]
  fn other_failures_are_not_retried() {
    let mut calls = 0;
    let result = replace_retrying(
      || {
        calls += 1;
        Err(access_denied())
      },
      |_| false,
    );
    assert!(matches!(result, Err(WriteError::Io(_))));
    assert_eq!(calls, 1);
    assert_eq!(
      held_by_another_program(&access_denied()),
      cfg!(windows),
      "on Unix a denied rename is final"
    );
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
