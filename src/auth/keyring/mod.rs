//! The OS keyring: one token per account (`default`, or a profile's name) under the service
//! `calibre-native`.
//!
//! - Linux: the Secret Service (gnome-keyring, KWallet, KeePassXC) over the session bus, an item
//!   with the attributes `service=calibre-native`, `username=ACCOUNT` in the default collection:
//!   `secret-tool lookup service calibre-native username default` finds it. These are the
//!   attributes go-keyring (gh) and Python's keyring use, so their tools find it too.
//! - macOS: the Keychain, a generic password with service `calibre-native` and account `ACCOUNT`.
//! - Windows: the Credential Manager, a generic credential named `ACCOUNT.calibre-native`.
//!
//! macOS and Windows go through the store crates of keyring 4.x (`keyring-core` with
//! `apple-native-keyring-store`, `windows-native-keyring-store`), as its README advises for an
//! application that picks its stores. The `keyring` crate itself is not used: it cannot be built
//! without its `v1` feature, which compiles its Secret Service store on Linux, and that store is
//! unusable here: it connects through `zbus::Connection::session()`, which reads
//! `DBUS_SESSION_BUS_ADDRESS`/`XDG_RUNTIME_DIR` with getenv (off the JS thread, against the rule
//! of env.rs), and it unlocks a locked collection with a prompt, which waits forever without a UI.
//!
//! On Linux this module speaks the seven Secret Service calls it needs itself
//! (`secret_service.rs`) over a small blocking D-Bus client of its own (`dbus.rs`), connected to
//! the address from the snapshot. Written here rather than taken from zbus: zbus (6, as 5 reads
//! `FLATPAK_ID` with getenv at every handshake and message) cost ~770 KB of the addon for these
//! seven calls and needed the async runtime under a blocking call. The client reads no
//! environment variable, runs on the calling thread, and holds the whole operation to one
//! deadline.
//!
//! Sessions are `plain`, as go-keyring's (gh's). secret-tool (libsecret) negotiates
//! `dh-ietf1024-sha256-aes128-cbc-pkcs7`, which keeps the secret out of a bus monitor's view;
//! but only the same user (or root) can monitor the session bus, and they can as well ask the
//! unlocked collection for the secret, so the DH code (a bignum, AES-CBC, HKDF) would buy
//! nothing here.
//!
//! A locked collection is an error, not an unlock prompt: a prompt needs a desktop to show it on
//! (without one gnome-keyring's waits forever), and no one types a password within the bound.
//!
//! Every operation is bounded by `TIMEOUT` as a whole (connect, authentication, session, calls),
//! and no error message holds the token.

use std::time::Duration;

use crate::env::Env;
use crate::error::{CalibreError, ErrorCode};

#[cfg(target_os = "linux")]
mod dbus;
#[cfg(target_os = "linux")]
mod secret_service;
#[cfg(target_os = "linux")]
use secret_service as platform;

/// The service name of every item.
pub const SERVICE: &str = "calibre-native";

/// The bound on one operation, start to end.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// What the OS store needs from the JS-thread environment snapshot: on Linux the session bus's
/// address (never read with getenv off that thread); nothing elsewhere.
#[derive(Clone, Debug, Default)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub struct KeyringEnv {
  session_bus: Option<String>,
  runtime_dir: Option<String>,
}

impl KeyringEnv {
  pub fn from_env(env: &dyn Env) -> KeyringEnv {
    let non_empty = |name| env.var(name).filter(|v| !v.is_empty());
    KeyringEnv {
      session_bus: non_empty("DBUS_SESSION_BUS_ADDRESS"),
      runtime_dir: non_empty("XDG_RUNTIME_DIR"),
    }
  }
}

/// The account's token, `None` when the keyring holds none. Surrounding whitespace is dropped
/// (`echo TOKEN | secret-tool store …` keeps the newline).
pub fn read(env: &KeyringEnv, account: &str) -> Result<Option<String>, CalibreError> {
  let found = platform::read(env, account).map_err(|why| failure(Op::Read, account, why))?;
  match found {
    None => Ok(None),
    Some(bytes) => match String::from_utf8(bytes) {
      Ok(text) => Ok(Some(text.trim().to_owned())),
      Err(_) => Err(failure(Op::Read, account, Why::NotText)),
    },
  }
}

/// Stores the account's token, replacing the one there.
pub fn write(env: &KeyringEnv, account: &str, token: &str) -> Result<(), CalibreError> {
  platform::write(env, account, token).map_err(|why| failure(Op::Write, account, why))
}

/// Deletes the account's token; `false` when there was none.
pub fn delete(env: &KeyringEnv, account: &str) -> Result<bool, CalibreError> {
  platform::delete(env, account).map_err(|why| failure(Op::Delete, account, why))
}

/// The Secret Service attributes of the account's item (`secret-tool lookup` takes them as
/// arguments; the Keychain's service/account and the Credential Manager's name follow from the
/// same pair: see `location`).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub fn attributes(account: &str) -> [(&'static str, &str); 2] {
  [("service", SERVICE), ("username", account)]
}

/// Where the account's token lives on this OS, and how to look at it, for messages and docs.
pub fn location(account: &str) -> String {
  let quoted = shell_quote(account);
  if cfg!(target_os = "macos") {
    format!(
      "the login keychain, generic password service {SERVICE} account {account} \
       (`security find-generic-password -s {SERVICE} -a {quoted} -w`)"
    )
  } else if cfg!(windows) {
    format!(
      "the Windows Credential Manager, generic credential {account}.{SERVICE} \
       (`cmdkey /list:\"{account}.{SERVICE}\"`)"
    )
  } else {
    format!(
      "the Secret Service item service={SERVICE} username={account} \
       (`secret-tool lookup service {SERVICE} username {quoted}`)"
    )
  }
}

fn shell_quote(word: &str) -> String {
  let plain = |c: char| c.is_ascii_alphanumeric() || "-_.@+/:=".contains(c);
  if !word.is_empty() && word.chars().all(plain) {
    word.to_owned()
  } else {
    format!("'{}'", word.replace('\'', r"'\''"))
  }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
  Read,
  Write,
  Delete,
}

/// Why the keyring could not be used. Never holds the secret.
#[derive(Debug, PartialEq)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
enum Why {
  NoBus,
  Connect {
    address: String,
    error: String,
  },
  NoService,
  NoDefaultCollection,
  Locked,
  Prompt,
  TimedOut,
  NotText,
  /// The store's words on which limit (no value in them).
  // Only the Credential Manager and the Keychain limit a secret's length.
  #[cfg_attr(target_os = "linux", allow(dead_code))]
  TooLong(String),
  Os(String),
}

fn failure(op: Op, account: &str, why: Why) -> CalibreError {
  let what = match op {
    Op::Read => "cannot read",
    Op::Write => "cannot store",
    Op::Delete => "cannot delete",
  };
  let fallback = match op {
    Op::Delete => "",
    _ => "; or keep the token in a file instead (CALIBRE_API_TOKEN_FILE, or the config file)",
  };
  let (reason, todo) = match why {
    Why::NoBus => (
      "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and \
       $XDG_RUNTIME_DIR/bus does not exist)"
        .to_owned(),
      "run inside a desktop session, or start a bus with `dbus-run-session` and a Secret Service \
       such as `gnome-keyring-daemon --unlock --components=secrets`",
    ),
    Why::Connect { address, error } => (
      format!("cannot connect to the D-Bus session bus at {address}: {error}"),
      "check DBUS_SESSION_BUS_ADDRESS, or run inside a desktop session",
    ),
    Why::NoService => (
      "no Secret Service answers on the session bus (org.freedesktop.secrets)".to_owned(),
      "start one: gnome-keyring (`gnome-keyring-daemon --start --components=secrets`), \
       KeePassXC with its Secret Service integration, or KWallet",
    ),
    Why::NoDefaultCollection => (
      "the Secret Service has no default keyring (collection)".to_owned(),
      "create one, e.g. a \"login\" keyring in Seahorse (Passwords and Keys)",
    ),
    Why::Locked if cfg!(target_os = "linux") => (
      "the keyring (Secret Service collection) is locked".to_owned(),
      "unlock it (log in to the desktop session, open Seahorse, or run `secret-tool search \
       --unlock service calibre-native`) and try again: calibre-native shows no unlock prompt",
    ),
    Why::Locked => (
      "the keychain is locked, or access to the item was denied".to_owned(),
      "unlock it (e.g. in Keychain Access) and allow access, then try again",
    ),
    Why::Prompt => (
      "the Secret Service asked for a confirmation prompt".to_owned(),
      "unlock the keyring first: calibre-native does not show prompts",
    ),
    Why::TimedOut => (
      format!("the keyring did not answer within {} s", TIMEOUT.as_secs()),
      "check that the keyring service responds (a stuck session bus or a dialog waiting for an \
       answer)",
    ),
    Why::NotText => (
      "the keyring item is not UTF-8 text".to_owned(),
      "store the token again with `calibre-native token set --keyring -`",
    ),
    Why::TooLong(error) => (
      format!("the OS keyring refused it: {error}"),
      "check the token (the Windows Credential Manager holds 1280 characters at most)",
    ),
    Why::Os(error) => (format!("the OS keyring failed: {error}"), "try again"),
  };
  CalibreError::new(
    ErrorCode::KeyringUnavailable,
    format!(
      "{what} the `{account}` token {where_}: {reason}. To fix: {todo}{fallback}.",
      where_ = if cfg!(target_os = "linux") {
        "in the OS keyring (Secret Service)"
      } else {
        "in the OS keyring"
      },
    ),
  )
}

#[cfg(any(target_os = "macos", windows))]
mod platform {
  //! keyring 4.x's stores. Their calls are local and quick, but the Keychain may show an access
  //! dialog and wait for a click: each runs on a thread of its own, and after `TIMEOUT` the
  //! caller gets an error and the thread is left to finish on its own.

  use std::sync::mpsc;

  use keyring_core::api::CredentialStoreApi;
  use keyring_core::{Entry, Error};

  use super::{KeyringEnv, Why, SERVICE, TIMEOUT};

  pub(super) fn read(_env: &KeyringEnv, account: &str) -> Result<Option<Vec<u8>>, Why> {
    // The password, not the secret: the Credential Manager keeps UTF-16, which only
    // `get_password` decodes.
    bounded(account, |entry| match entry.get_password() {
      Ok(password) => Ok(Some(password.into_bytes())),
      Err(Error::NoEntry) => Ok(None),
      Err(e) => Err(classify(e)),
    })
  }

  pub(super) fn write(_env: &KeyringEnv, account: &str, token: &str) -> Result<(), Why> {
    let token = token.to_owned();
    bounded(account, move |entry| {
      entry.set_password(&token).map_err(classify)
    })
  }

  pub(super) fn delete(_env: &KeyringEnv, account: &str) -> Result<bool, Why> {
    bounded(account, |entry| match entry.delete_credential() {
      Ok(()) => Ok(true),
      Err(Error::NoEntry) => Ok(false),
      Err(e) => Err(classify(e)),
    })
  }

  fn bounded<T: Send + 'static>(
    account: &str,
    job: impl FnOnce(Entry) -> Result<T, Why> + Send + 'static,
  ) -> Result<T, Why> {
    let account = account.to_owned();
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
      .name("calibre-keyring".to_owned())
      .stack_size(crate::runtime::THREAD_STACK_SIZE)
      .spawn(move || {
        let result = entry(&account).and_then(job);
        let _ = sender.send(result);
      })
      .map_err(|e| Why::Os(format!("cannot start a thread: {e}")))?;
    receiver.recv_timeout(TIMEOUT).unwrap_or(Err(Why::TimedOut))
  }

  fn entry(account: &str) -> Result<Entry, Why> {
    #[cfg(target_os = "macos")]
    let store = apple_native_keyring_store::keychain::Store::new();
    #[cfg(windows)]
    let store = windows_native_keyring_store::Store::new();
    store
      .and_then(|store| store.build(SERVICE, account, None))
      .map_err(classify)
  }

  /// Explicit arms: `BadEncoding` holds the secret's bytes, so no error is formatted whole
  /// without a look at its kind.
  fn classify(error: Error) -> Why {
    match error {
      Error::NoStorageAccess(_) => Why::Locked,
      Error::BadEncoding(_) => Why::NotText,
      error @ Error::TooLong(..) => Why::TooLong(error.to_string()),
      Error::PlatformFailure(e) => Why::Os(e.to_string()),
      other => Why::Os(other.to_string()),
    }
  }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod platform {
  use super::{KeyringEnv, Why};

  fn unsupported() -> Why {
    Why::Os("this system has no OS keyring support in calibre-native".to_owned())
  }

  pub(super) fn read(_: &KeyringEnv, _: &str) -> Result<Option<Vec<u8>>, Why> {
    Err(unsupported())
  }

  pub(super) fn write(_: &KeyringEnv, _: &str, _: &str) -> Result<(), Why> {
    Err(unsupported())
  }

  pub(super) fn delete(_: &KeyringEnv, _: &str) -> Result<bool, Why> {
    Err(unsupported())
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::env::EnvSnapshot;

  #[test]
  fn the_env_gives_the_bus_and_runtime_dir_and_blank_is_unset() {
    let env = KeyringEnv::from_env(&EnvSnapshot::from_pairs(&[
      ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1/bus"),
      ("XDG_RUNTIME_DIR", ""),
    ]));
    assert_eq!(
      env.session_bus.as_deref(),
      Some("unix:path=/run/user/1/bus")
    );
    assert_eq!(env.runtime_dir, None);
  }

  #[test]
  fn attributes_and_location_name_the_item() {
    assert_eq!(
      attributes("work"),
      [("service", "calibre-native"), ("username", "work")]
    );
    let location = location("my work");
    let quoted = if cfg!(windows) {
      "\"my work.calibre-native\""
    } else {
      "'my work'"
    };
    assert!(location.contains(quoted), "{location}");
    if cfg!(target_os = "linux") {
      assert!(location.contains("secret-tool lookup service calibre-native username 'my work'"));
    }
  }

  #[test]
  fn messages_say_why_and_what_to_do_and_carry_the_code() {
    let error = failure(Op::Write, "default", Why::Locked);
    assert_eq!(error.code, ErrorCode::KeyringUnavailable);
    assert!(error.message.contains("cannot store the `default` token"));
    assert!(error.message.contains("locked"));
    assert!(error.message.contains("unlock"));
    assert!(error.message.contains("CALIBRE_API_TOKEN_FILE"));
    let error = failure(Op::Delete, "work", Why::TimedOut);
    assert!(error.message.contains("within 2 s"), "{}", error.message);
    assert!(!error.message.contains("CALIBRE_API_TOKEN_FILE"));
  }

  /// The Credential Manager (Windows, or Wine: see the module's tests in the report) or the
  /// Keychain, for real, when CALIBRE_TEST_OS_KEYRING=1 says the store may be written.
  #[cfg(any(target_os = "macos", windows))]
  #[test]
  fn the_os_store_round_trips() {
    if std::env::var("CALIBRE_TEST_OS_KEYRING").as_deref() != Ok("1") {
      eprintln!("skipped: writes to the OS keyring only with CALIBRE_TEST_OS_KEYRING=1");
      return;
    }
    let env = KeyringEnv::default();
    let account = format!("test-{}", std::process::id());
    assert_eq!(read(&env, &account).unwrap(), None);
    assert!(!delete(&env, &account).unwrap());
    write(&env, &account, "first").unwrap();
    write(&env, &account, " second\n").unwrap();
    assert_eq!(read(&env, &account).unwrap().as_deref(), Some("second"));
    assert!(delete(&env, &account).unwrap());
    assert_eq!(read(&env, &account).unwrap(), None);
    let error = write(&env, &account, &"x".repeat(3000)).unwrap_err();
    assert!(
      error.message.contains("longer than the platform limit"),
      "{}",
      error.message
    );
  }

  #[cfg(target_os = "linux")]
  mod linux {
    use std::os::unix::net::UnixListener;
    use std::time::Instant;

    use super::super::dbus::{self, endpoints, escape, Endpoint};
    use super::super::platform::{bus_address, classify};
    use super::*;

    const TOKEN: &str = "ct_secret-that-must-not-leak";

    fn env_with(bus: Option<&str>, runtime_dir: Option<&str>) -> KeyringEnv {
      KeyringEnv {
        session_bus: bus.map(str::to_owned),
        runtime_dir: runtime_dir.map(str::to_owned),
      }
    }

    #[test]
    fn the_bus_is_the_variable_else_the_runtime_dir_socket_else_none() {
      let dir = tempfile::tempdir().unwrap();
      let runtime_dir = dir.path().join("run dir%");
      std::fs::create_dir(&runtime_dir).unwrap();
      let runtime_dir = runtime_dir.to_str().unwrap();
      let explicit = env_with(Some("unix:path=/x"), Some(runtime_dir));
      assert_eq!(bus_address(&explicit).unwrap(), "unix:path=/x");
      let without_socket = env_with(None, Some(runtime_dir));
      assert_eq!(bus_address(&without_socket), Err(Why::NoBus));
      let _listener = UnixListener::bind(dir.path().join("run dir%/bus")).unwrap();
      let address = bus_address(&without_socket).unwrap();
      assert_eq!(
        address,
        format!(
          "unix:path={}/run%20dir%25/bus",
          escape(dir.path().to_str().unwrap())
        )
      );
      assert_eq!(
        endpoints(&address),
        [Ok(Endpoint::Path(
          dir
            .path()
            .join("run dir%/bus")
            .into_os_string()
            .into_encoded_bytes()
        ))]
      );
      assert_eq!(bus_address(&env_with(None, None)), Err(Why::NoBus));
    }

    #[test]
    fn no_bus_fails_at_once_and_says_so() {
      let started = Instant::now();
      let error = read(&env_with(None, None), "default").unwrap_err();
      eprintln!("no bus: {:?}: {}", started.elapsed(), error.message);
      assert_eq!(error.code, ErrorCode::KeyringUnavailable);
      assert!(
        error.message.contains("no D-Bus session bus"),
        "{}",
        error.message
      );
      assert!(
        error.message.contains("dbus-run-session"),
        "{}",
        error.message
      );
      assert!(started.elapsed() < Duration::from_millis(100));
    }

    #[test]
    fn a_missing_socket_fails_at_once_naming_the_address() {
      let dir = tempfile::tempdir().unwrap();
      let address = format!("unix:path={}/nothing", dir.path().display());
      let started = Instant::now();
      let error = write(&env_with(Some(&address), None), "default", TOKEN).unwrap_err();
      assert!(
        error
          .message
          .contains("cannot connect to the D-Bus session bus"),
        "{}",
        error.message
      );
      assert!(error.message.contains(&address), "{}", error.message);
      assert!(!error.message.contains(TOKEN));
      assert!(started.elapsed() < Duration::from_secs(1));
    }

    /// A bus that accepts and never answers: bounded by `TIMEOUT` from a plain thread (as the
    /// JS thread) and a `spawn_blocking` thread, and the socket closed after.
    #[test]
    fn a_bus_that_never_answers_times_out_and_lets_go() {
      use std::io::Read;
      let dir = tempfile::tempdir().unwrap();
      let path = dir.path().join("bus");
      let listener = UnixListener::bind(&path).unwrap();
      let (closed, closes) = std::sync::mpsc::channel();
      std::thread::spawn(move || {
        for stream in listener.incoming() {
          let closed = closed.clone();
          // Reads what the client sends, answers nothing, reports the client's hang-up.
          std::thread::spawn(move || {
            let mut stream = stream.unwrap();
            while stream.read(&mut [0; 256]).is_ok_and(|n| n > 0) {}
            let _ = closed.send(());
          });
        }
      });
      let env = env_with(Some(&format!("unix:path={}", path.display())), None);

      let started = Instant::now();
      let error = write(&env, "default", TOKEN).unwrap_err();
      let elapsed = started.elapsed();
      eprintln!("a bus that never answers: {elapsed:?}: {}", error.message);
      assert_eq!(error.code, ErrorCode::KeyringUnavailable);
      assert!(
        error.message.contains("did not answer within 2 s"),
        "{}",
        error.message
      );
      assert!(!error.message.contains(TOKEN));
      assert!(
        elapsed >= TIMEOUT && elapsed < TIMEOUT + Duration::from_millis(500),
        "{elapsed:?}"
      );
      closes
        .recv_timeout(Duration::from_secs(1))
        .expect("the socket is closed");

      let runtime = crate::runtime::get(|| None).unwrap();
      let blocking_env = env.clone();
      let from_blocking = runtime
        .block_on(async {
          tokio::task::spawn_blocking(move || read(&blocking_env, "default")).await
        })
        .unwrap();
      assert!(from_blocking
        .unwrap_err()
        .message
        .contains("did not answer"));
      closes
        .recv_timeout(Duration::from_secs(1))
        .expect("the socket is closed");
    }

    #[test]
    fn dbus_errors_are_classified() {
      let error = |name: &str| dbus::Error::Method {
        name: name.to_owned(),
        message: "text".to_owned(),
      };
      for no_service in [
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
        "org.freedesktop.DBus.Error.Spawn.ChildExited",
      ] {
        assert_eq!(classify(error(no_service)), Why::NoService);
      }
      assert_eq!(
        classify(error("org.freedesktop.Secret.Error.IsLocked")),
        Why::Locked
      );
      assert_eq!(
        classify(error("org.example.Other")),
        Why::Os("org.example.Other: text".to_owned())
      );
      assert_eq!(classify(dbus::Error::TimedOut), Why::TimedOut);
      assert_eq!(
        classify(dbus::Error::Failed(
          "the session bus closed the connection".to_owned()
        )),
        Why::Os("the session bus closed the connection".to_owned())
      );
    }

    /// Round trips against a real Secret Service: `scripts/test-keyring.sh` runs these inside a
    /// private session bus with an unlocked gnome-keyring.
    mod real {
      use std::process::{Command, Stdio};

      use super::*;

      /// The session bus to test against, when the script says there is one.
      fn secret_service(kind: &str) -> Option<KeyringEnv> {
        if std::env::var("CALIBRE_TEST_SECRET_SERVICE").as_deref() != Ok(kind) {
          eprintln!(
            "skipped: needs a Secret Service (CALIBRE_TEST_SECRET_SERVICE={kind}, see scripts/test-keyring.sh)"
          );
          return None;
        }
        Some(KeyringEnv::from_env(&EnvSnapshot::capture(|name| {
          std::env::var(name).ok()
        })))
      }

      fn account(name: &str) -> String {
        format!("test-{name}-{}", std::process::id())
      }

      fn secret_tool(args: &[&str], stdin: Option<&str>) -> String {
        let mut child = Command::new("secret-tool")
          .args(args)
          .stdin(Stdio::piped())
          .stdout(Stdio::piped())
          .stderr(Stdio::piped())
          .spawn()
          .expect("secret-tool");
        if let Some(input) = stdin {
          use std::io::Write;
          child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        }
        drop(child.stdin.take());
        let output = child.wait_with_output().unwrap();
        String::from_utf8(output.stdout).unwrap()
      }

      #[test]
      fn write_read_replace_delete() {
        let Some(env) = secret_service("1") else {
          return;
        };
        let account = account("round-trip");
        assert_eq!(read(&env, &account).unwrap(), None);
        assert!(!delete(&env, &account).unwrap());
        write(&env, &account, "first").unwrap();
        assert_eq!(read(&env, &account).unwrap().as_deref(), Some("first"));
        write(&env, &account, TOKEN).unwrap();
        assert_eq!(read(&env, &account).unwrap().as_deref(), Some(TOKEN));
        assert!(delete(&env, &account).unwrap());
        assert_eq!(read(&env, &account).unwrap(), None);
        assert!(!delete(&env, &account).unwrap());
      }

      #[test]
      fn secret_tool_finds_what_we_store_and_we_find_what_it_stores() {
        let Some(env) = secret_service("1") else {
          return;
        };
        let ours = account("ours");
        write(&env, &ours, TOKEN).unwrap();
        let found = secret_tool(&["lookup", "service", SERVICE, "username", &ours], None);
        assert_eq!(found, TOKEN);

        let theirs = account("theirs");
        secret_tool(
          &[
            "store",
            "--label=by secret-tool",
            "service",
            SERVICE,
            "username",
            &theirs,
          ],
          Some("from-secret-tool\n"),
        );
        assert_eq!(
          read(&env, &theirs).unwrap().as_deref(),
          Some("from-secret-tool")
        );
        // Ours replaces theirs: one item left, ours.
        write(&env, &theirs, "replaced").unwrap();
        let listed = secret_tool(
          &["search", "--all", "service", SERVICE, "username", &theirs],
          None,
        );
        assert_eq!(listed.matches("secret = ").count(), 1, "{listed}");
        assert!(listed.contains("secret = replaced"), "{listed}");
        assert!(delete(&env, &theirs).unwrap() && delete(&env, &ours).unwrap());
        assert_eq!(
          secret_tool(&["lookup", "service", SERVICE, "username", &ours], None),
          ""
        );
      }

      /// A bus with no Secret Service on it (the script's bare dbus-daemon).
      #[test]
      fn no_secret_service_says_so() {
        let Some(env) = secret_service("none") else {
          return;
        };
        let started = Instant::now();
        let error = read(&env, "default").unwrap_err();
        eprintln!(
          "no Secret Service: {:?}: {}",
          started.elapsed(),
          error.message
        );
        assert!(
          error.message.contains("no Secret Service"),
          "{}",
          error.message
        );
        assert!(started.elapsed() < TIMEOUT);
      }

      /// A fresh gnome-keyring (started by D-Bus activation, never unlocked) has no default
      /// collection: nothing to read or delete, and nowhere to write without a prompt.
      #[test]
      fn no_default_collection_reads_nothing_and_cannot_store() {
        let Some(env) = secret_service("empty") else {
          return;
        };
        assert_eq!(read(&env, "default").unwrap(), None);
        assert!(!delete(&env, "default").unwrap());
        let error = write(&env, "default", TOKEN).unwrap_err();
        eprintln!("no default collection: {}", error.message);
        assert!(
          error.message.contains("no default keyring"),
          "{}",
          error.message
        );
      }

      /// The script locked the default collection after storing `locked` (no prompt may show).
      #[test]
      fn a_locked_collection_fails_without_a_prompt() {
        let Some(env) = secret_service("locked") else {
          return;
        };
        for (what, error) in [
          ("read", read(&env, "locked").unwrap_err()),
          ("write", write(&env, "locked", TOKEN).unwrap_err()),
          ("delete", delete(&env, "locked").unwrap_err()),
        ] {
          eprintln!("locked {what}: {}", error.message);
          assert!(error.message.contains("is locked"), "{}", error.message);
          assert!(!error.message.contains(TOKEN));
        }
        let started = Instant::now();
        let _ = read(&env, "locked");
        assert!(
          started.elapsed() < Duration::from_millis(500),
          "{:?}",
          started.elapsed()
        );
      }
    }
  }
}
