//! The environment seam. Every read of an environment variable and of the home directory
//! goes through `Env`, so each can be unit-tested with `EnvSnapshot::from_pairs`.
//!
//! In production the snapshot is taken from `process.env` of the calling JS environment, on
//! its JS thread (`js::capture_env`): a worker started with its own `env` gets its own
//! variables, and no thread ever calls libc `getenv`, which races with Node's `setenv` on
//! the main thread (`process.env.X = ...`) and can crash the process.

use std::path::PathBuf;

/// The variables the package reads. A snapshot holds these and no others.
pub const VARS: &[&str] = &[
  // Token chain and hosts (auth, config).
  "CALIBRE_API_TOKEN",
  "CALIBRE_API_TOKEN_FILE",
  "CALIBRE_TOKEN_COMMAND",
  "CALIBRE_TOKEN_COMMAND_TIMEOUT_MS",
  "CALIBRE_PROFILE",
  "CALIBRE_HOST",
  "CALIBRE_APP_HOST",
  "XDG_CONFIG_HOME",
  "HOME",
  "USERPROFILE",
  // The OS keyring on Linux: the session bus (auth/keyring reads no variable itself).
  "DBUS_SESSION_BUS_ADDRESS",
  "XDG_RUNTIME_DIR",
  // The HTTP client (transport): proxies, extra and system trust roots.
  "HTTPS_PROXY",
  "https_proxy",
  "HTTP_PROXY",
  "http_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  // The debug log (transport::trace).
  "CALIBRE_DEBUG",
  "NODE_DEBUG",
  // The runtime (read once, when the first call starts it).
  "TOKIO_WORKER_THREADS",
  // The command line.
  "CALIBRE_POLL_INTERVAL_MS",
  "CALIBRE_SUPPRESS_DEPRECATIONS",
  "NO_COLOR",
  "TERM",
];

/// The variable that names the home directory, as Node's `os.homedir()` reads it: `HOME` on
/// Unix, `USERPROFILE` on Windows (where `HOME` is ignored, as by Node and calibre@7).
pub const HOME_VAR: &str = if cfg!(windows) { "USERPROFILE" } else { "HOME" };

/// Read access to environment variables.
pub trait Env {
  /// The variable's value when it is set (blank values included).
  fn var(&self, name: &str) -> Option<String>;

  /// The home directory: `HOME_VAR` when set and not empty.
  fn home_dir(&self) -> Option<PathBuf> {
    self
      .var(HOME_VAR)
      .filter(|h| !h.is_empty())
      .map(PathBuf::from)
  }
}

/// The variables of `VARS` as they were when the call started. `Debug` is not derived: it
/// holds `CALIBRE_API_TOKEN`.
#[derive(Clone, Default)]
pub struct EnvSnapshot {
  vars: Vec<(&'static str, String)>,
  /// Ask the OS for the home directory when `HOME_VAR` is unset (as Node's `os.homedir()`
  /// does); off for fakes, so tests never see the real user's home.
  os_home: bool,
}

impl EnvSnapshot {
  /// Builds the production snapshot from `read(name)` for each of `VARS`.
  pub fn capture(mut read: impl FnMut(&'static str) -> Option<String>) -> EnvSnapshot {
    EnvSnapshot {
      vars: VARS
        .iter()
        .filter_map(|name| read(name).map(|value| (*name, value)))
        .collect(),
      os_home: true,
    }
  }

  /// A fake environment holding exactly `pairs` (names outside `VARS` are dropped, as the
  /// production snapshot never reads them).
  #[cfg(test)]
  pub fn from_pairs(pairs: &[(&str, &str)]) -> EnvSnapshot {
    EnvSnapshot {
      vars: pairs
        .iter()
        .filter_map(|(name, value)| {
          let known = VARS.iter().find(|v| *v == name)?;
          Some((*known, (*value).to_owned()))
        })
        .collect(),
      os_home: false,
    }
  }

  /// An environment with nothing in it.
  #[cfg(test)]
  pub fn empty() -> EnvSnapshot {
    EnvSnapshot::default()
  }
}

impl Env for EnvSnapshot {
  fn var(&self, name: &str) -> Option<String> {
    self
      .vars
      .iter()
      .rev()
      .find(|(n, _)| *n == name)
      .map(|(_, v)| v.clone())
  }

  /// Like Node's `os.homedir()`: `HOME_VAR`, else the OS's own record of the user's home.
  /// An empty value means none.
  fn home_dir(&self) -> Option<PathBuf> {
    match self.var(HOME_VAR) {
      Some(home) if home.is_empty() => None,
      Some(home) => Some(PathBuf::from(home)),
      None if self.os_home => os_home_dir(),
      None => None,
    }
  }
}

/// The current user's home directory from the password database (`getpwuid_r`), as libuv
/// does. Not the `dirs` crate: it reads `$HOME` with `getenv` first, from whichever thread
/// asks, which is what the snapshot exists to avoid.
#[cfg(unix)]
fn os_home_dir() -> Option<PathBuf> {
  use std::os::unix::ffi::OsStrExt;
  let mut buffer = vec![0u8; 4096];
  loop {
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; the buffer outlives the use of `entry`.
    let status = unsafe {
      libc::getpwuid_r(
        libc::getuid(),
        &mut entry,
        buffer.as_mut_ptr().cast(),
        buffer.len(),
        &mut found,
      )
    };
    if status == libc::ERANGE && buffer.len() < 1 << 20 {
      buffer.resize(buffer.len() * 2, 0);
      continue;
    }
    if status != 0 || found.is_null() || entry.pw_dir.is_null() {
      return None;
    }
    // SAFETY: `pw_dir` points into `buffer`, NUL-terminated, while `buffer` lives.
    let dir = unsafe { std::ffi::CStr::from_ptr(entry.pw_dir) };
    let dir = std::ffi::OsStr::from_bytes(dir.to_bytes());
    return (!dir.is_empty()).then(|| PathBuf::from(dir));
  }
}

/// The current user's profile folder (`FOLDERID_Profile`), as libuv's
/// `GetUserProfileDirectoryW`; `dirs` reads no environment variable on Windows.
#[cfg(windows)]
fn os_home_dir() -> Option<PathBuf> {
  dirs::home_dir()
}

#[cfg(not(any(unix, windows)))]
fn os_home_dir() -> Option<PathBuf> {
  None
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn a_snapshot_holds_only_the_package_variables() {
    let env = EnvSnapshot::capture(|name| Some(format!("v-{name}")));
    assert_eq!(env.var("CALIBRE_HOST").as_deref(), Some("v-CALIBRE_HOST"));
    assert_eq!(env.var("PATH"), None, "not a variable the package reads");
    let fake = EnvSnapshot::from_pairs(&[("CALIBRE_API_TOKEN", ""), ("PATH", "/bin")]);
    assert_eq!(fake.var("CALIBRE_API_TOKEN").as_deref(), Some(""));
    assert_eq!(fake.var("PATH"), None);
  }

  #[test]
  fn home_is_home_then_nothing_for_fakes() {
    let env = EnvSnapshot::from_pairs(&[("HOME", "/home/a"), ("USERPROFILE", "/profile/a")]);
    let expected = if cfg!(windows) {
      "/profile/a"
    } else {
      "/home/a"
    };
    assert_eq!(env.home_dir(), Some(PathBuf::from(expected)));
    assert_eq!(EnvSnapshot::from_pairs(&[(HOME_VAR, "")]).home_dir(), None);
    assert_eq!(EnvSnapshot::empty().home_dir(), None);
  }

  #[test]
  fn the_other_systems_home_variable_is_ignored() {
    let other = if cfg!(windows) { "HOME" } else { "USERPROFILE" };
    assert_eq!(
      EnvSnapshot::from_pairs(&[(other, "/elsewhere")]).home_dir(),
      None
    );
  }

  #[test]
  fn without_home_the_os_answers() {
    let env = EnvSnapshot::capture(|_| None);
    // Whatever this machine's user is, the answer is an absolute path or nothing.
    assert!(env.home_dir().is_none_or(|home| home.is_absolute()));
    let env = EnvSnapshot::capture(|name| (name == HOME_VAR).then(String::new));
    assert_eq!(env.home_dir(), None, "an empty home variable means none");
  }
}
