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
//! of env.rs); its `secret-service` crate can take a connection but is built on zbus 5, which
//! also reads `FLATPAK_ID` with getenv at every handshake and message sent; and both unlock a
//! locked collection with a prompt, which waits forever without a UI. So on Linux this module
//! speaks the seven Secret Service calls it needs itself, over zbus 6 (no proxies, no tracing,
//! on tokio, which the addon has already), connected to the address from the snapshot.
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

/// The service name of every item.
pub const SERVICE: &str = "calibre-native";

/// The bound on one operation, start to end.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// What the OS store needs from the JS-thread environment snapshot: on Linux the session bus's
/// address (zbus would read these itself, with getenv) and TOKIO_WORKER_THREADS; nothing
/// elsewhere.
#[derive(Clone, Debug, Default)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub struct KeyringEnv {
  session_bus: Option<String>,
  runtime_dir: Option<String>,
  /// For the addon's runtime, should this call be the one that starts it.
  worker_threads: Option<String>,
}

impl KeyringEnv {
  pub fn from_env(env: &dyn Env) -> KeyringEnv {
    let non_empty = |name| env.var(name).filter(|v| !v.is_empty());
    KeyringEnv {
      session_bus: non_empty("DBUS_SESSION_BUS_ADDRESS"),
      runtime_dir: non_empty("XDG_RUNTIME_DIR"),
      worker_threads: env.var("TOKIO_WORKER_THREADS"),
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

#[cfg(target_os = "linux")]
mod platform {
  //! The Secret Service over zbus, on the addon's runtime (src/runtime.rs): called from the JS
  //! thread or a `spawn_blocking` thread, the caller drives the calls with `block_on` and the
  //! runtime's worker the socket. Not a runtime of its own: tokio's `Builder` reads an
  //! environment variable (TOKIO_UNSTABLE_SHARDED_BLOCKING_QUEUE) with getenv, and the addon's
  //! runtime is built on the JS thread. The whole operation runs under one timeout, whose expiry
  //! drops the connection (zbus aborts its tasks with it), so nothing is left on the bus.

  use std::collections::HashMap;
  use std::future::Future;
  use std::panic::{catch_unwind, AssertUnwindSafe};
  use std::path::Path;

  use zbus::{Connection, OwnedObjectPath, OwnedVariant, Variant};

  use super::{KeyringEnv, Why, SERVICE, TIMEOUT};

  const DEST: &str = "org.freedesktop.secrets";
  const SERVICE_PATH: &str = "/org/freedesktop/secrets";
  const SERVICE_IFACE: &str = "org.freedesktop.Secret.Service";
  const COLLECTION_IFACE: &str = "org.freedesktop.Secret.Collection";
  const ITEM_IFACE: &str = "org.freedesktop.Secret.Item";
  const PROPERTIES_IFACE: &str = "org.freedesktop.DBus.Properties";
  const NO_OBJECT: &str = "/";

  pub(super) fn read(env: &KeyringEnv, account: &str) -> Result<Option<Vec<u8>>, Why> {
    run(env, |ss| async move {
      let (unlocked, locked) = ss.search(account).await?;
      match unlocked.first() {
        Some(item) => ss.secret(item).await.map(Some),
        None if locked.is_empty() => Ok(None),
        None => Err(Why::Locked),
      }
    })
  }

  pub(super) fn write(env: &KeyringEnv, account: &str, token: &str) -> Result<(), Why> {
    run(env, |ss| async move {
      let collection = ss.default_collection().await?;
      if ss.locked(&collection).await? {
        return Err(Why::Locked);
      }
      let item = ss.create(&collection, account, token).await?;
      // `replace` only replaces an item with exactly these attributes: drop the other items
      // that match (e.g. stored by secret-tool, which adds `xdg:schema`) so reads find this one.
      let (unlocked, _) = ss.search(account).await?;
      for other in unlocked.iter().filter(|path| **path != item) {
        ss.delete(other).await?;
      }
      Ok(())
    })
  }

  pub(super) fn delete(env: &KeyringEnv, account: &str) -> Result<bool, Why> {
    run(env, |ss| async move {
      let (unlocked, locked) = ss.search(account).await?;
      if unlocked.is_empty() {
        return if locked.is_empty() {
          Ok(false)
        } else {
          Err(Why::Locked)
        };
      }
      for item in &unlocked {
        ss.delete(item).await?;
      }
      Ok(true)
    })
  }

  /// The session bus's address: `DBUS_SESSION_BUS_ADDRESS`, else `$XDG_RUNTIME_DIR/bus` when
  /// that socket exists (as sd-bus and zbus look for it).
  pub(super) fn bus_address(env: &KeyringEnv) -> Result<String, Why> {
    if let Some(address) = &env.session_bus {
      return Ok(address.clone());
    }
    let socket = env
      .runtime_dir
      .as_ref()
      .map(|dir| Path::new(dir).join("bus"))
      .filter(|path| path.exists())
      .ok_or(Why::NoBus)?;
    Ok(format!("unix:path={}", escape(&socket.to_string_lossy())))
  }

  /// A D-Bus address value: bytes outside `[-0-9A-Za-z_/.\*]` as `%XX`.
  pub(super) fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
      if byte.is_ascii_alphanumeric() || b"-_/.\\*".contains(&byte) {
        out.push(byte as char);
      } else {
        out.push_str(&format!("%{byte:02x}"));
      }
    }
    out
  }

  fn run<T, F, Fut>(env: &KeyringEnv, op: F) -> Result<T, Why>
  where
    F: FnOnce(SecretService) -> Fut,
    Fut: Future<Output = Result<T, Why>>,
  {
    let address = bus_address(env)?;
    let runtime = crate::runtime::get(|| env.worker_threads.clone())
      .map_err(|e| Why::Os(format!("cannot start the I/O thread: {e}")))?;
    let bounded = async {
      let work = async { op(SecretService::open(&address).await?).await };
      tokio::time::timeout(TIMEOUT, work)
        .await
        .unwrap_or(Err(Why::TimedOut))
    };
    // `block_on` panics on an async task (which must not block): an error, not a crash.
    catch_unwind(AssertUnwindSafe(|| runtime.block_on(bounded))).unwrap_or_else(|_| {
      Err(Why::Os(
        "the keyring was called on an async task; call it from spawn_blocking".to_owned(),
      ))
    })
  }

  /// A connection with an open `plain` session.
  struct SecretService {
    conn: Connection,
    session: OwnedObjectPath,
  }

  impl SecretService {
    async fn open(address: &str) -> Result<SecretService, Why> {
      let conn = zbus::connection::Builder::address(address)
        .build()
        .await
        .map_err(|e| Why::Connect {
          address: address.to_owned(),
          error: e.to_string(),
        })?;
      let (_, session): (OwnedVariant, OwnedObjectPath) = call(
        &conn,
        SERVICE_PATH,
        SERVICE_IFACE,
        "OpenSession",
        &("plain", Variant::from("")),
      )
      .await?;
      Ok(SecretService { conn, session })
    }

    /// The items with the account's attributes: (unlocked, locked).
    async fn search(
      &self,
      account: &str,
    ) -> Result<(Vec<OwnedObjectPath>, Vec<OwnedObjectPath>), Why> {
      let attributes: HashMap<&str, &str> = super::attributes(account).into_iter().collect();
      call(
        &self.conn,
        SERVICE_PATH,
        SERVICE_IFACE,
        "SearchItems",
        &(attributes,),
      )
      .await
    }

    async fn secret(&self, item: &OwnedObjectPath) -> Result<Vec<u8>, Why> {
      let (_session, _parameters, value, _content_type): Secret =
        call(&self.conn, item, ITEM_IFACE, "GetSecret", &(&self.session,)).await?;
      Ok(value)
    }

    async fn default_collection(&self) -> Result<OwnedObjectPath, Why> {
      let collection: OwnedObjectPath = call(
        &self.conn,
        SERVICE_PATH,
        SERVICE_IFACE,
        "ReadAlias",
        &("default",),
      )
      .await?;
      if collection.as_str() == NO_OBJECT {
        return Err(Why::NoDefaultCollection);
      }
      Ok(collection)
    }

    async fn locked(&self, collection: &OwnedObjectPath) -> Result<bool, Why> {
      let locked: OwnedVariant = call(
        &self.conn,
        collection,
        PROPERTIES_IFACE,
        "Get",
        &(COLLECTION_IFACE, "Locked"),
      )
      .await?;
      bool::try_from(locked).map_err(|e| Why::Os(format!("unexpected Locked property: {e}")))
    }

    /// Creates (or replaces) the account's item; its path.
    async fn create(
      &self,
      collection: &OwnedObjectPath,
      account: &str,
      token: &str,
    ) -> Result<OwnedObjectPath, Why> {
      let attributes: HashMap<&str, &str> = super::attributes(account).into_iter().collect();
      let label = if account == "default" {
        format!("{SERVICE} API token")
      } else {
        format!("{SERVICE} API token ({account})")
      };
      let mut properties: HashMap<&str, Variant<'_>> = HashMap::new();
      properties.insert("org.freedesktop.Secret.Item.Label", Variant::from(label));
      properties.insert(
        "org.freedesktop.Secret.Item.Attributes",
        Variant::from(attributes),
      );
      let secret = (
        &self.session,
        Vec::<u8>::new(),
        token.as_bytes().to_vec(),
        "text/plain",
      );
      let (item, prompt): (OwnedObjectPath, OwnedObjectPath) = call(
        &self.conn,
        collection,
        COLLECTION_IFACE,
        "CreateItem",
        &(properties, secret, true),
      )
      .await?;
      if item.as_str() == NO_OBJECT || prompt.as_str() != NO_OBJECT {
        return Err(Why::Prompt);
      }
      Ok(item)
    }

    async fn delete(&self, item: &OwnedObjectPath) -> Result<(), Why> {
      let prompt: OwnedObjectPath = call(&self.conn, item, ITEM_IFACE, "Delete", &()).await?;
      if prompt.as_str() != NO_OBJECT {
        return Err(Why::Prompt);
      }
      Ok(())
    }
  }

  /// The Secret Service's `Secret` struct: session, parameters, value, content type.
  type Secret = (OwnedObjectPath, Vec<u8>, Vec<u8>, String);

  async fn call<B, R>(
    conn: &Connection,
    path: &str,
    interface: &str,
    method: &str,
    body: &B,
  ) -> Result<R, Why>
  where
    B: serde::Serialize + zbus::DynamicType,
    R: for<'d> zbus::wire::DynamicDeserialize<'d>,
  {
    let reply = conn
      .call_method(Some(DEST), path, Some(interface), method, body)
      .await
      .map_err(classify)?;
    reply
      .body()
      .deserialize()
      .map_err(|e| Why::Os(format!("unexpected answer to {method}: {e}")))
  }

  /// A D-Bus error as a reason: the service missing, a locked collection, or the error's own
  /// name and text (which say what failed, never the secret).
  pub(super) fn classify(error: zbus::Error) -> Why {
    // zbus turns the bus's own error names (`org.freedesktop.DBus.Error.*`) into `fdo::Error`.
    let name = match &error {
      zbus::Error::MethodError(name, _, _) => Some(name.to_string()),
      zbus::Error::FDO(error) => Some(zbus::DBusError::name(error.as_ref()).to_string()),
      _ => None,
    };
    if let Some(name) = name {
      if name == "org.freedesktop.DBus.Error.ServiceUnknown"
        || name == "org.freedesktop.DBus.Error.NameHasNoOwner"
        || name.starts_with("org.freedesktop.DBus.Error.Spawn")
      {
        return Why::NoService;
      }
      if name == "org.freedesktop.Secret.Error.IsLocked" {
        return Why::Locked;
      }
    }
    Why::Os(error.to_string())
  }
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

    use super::super::platform::{bus_address, classify, escape};
    use super::*;

    const TOKEN: &str = "ct_secret-that-must-not-leak";

    fn env_with(bus: Option<&str>, runtime_dir: Option<&str>) -> KeyringEnv {
      KeyringEnv {
        session_bus: bus.map(str::to_owned),
        runtime_dir: runtime_dir.map(str::to_owned),
        worker_threads: None,
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
      assert!(
        zbus::Address::try_from(address.as_str()).is_ok(),
        "{address}"
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
      let error = |name: &str| {
        let message = zbus::Message::method_call("/", "Ping").build(&()).unwrap();
        let reply = zbus::Message::error(&message.header(), name)
          .build(&("text",))
          .unwrap();
        zbus::Error::from(reply)
      };
      assert_eq!(
        classify(error("org.freedesktop.DBus.Error.ServiceUnknown")),
        Why::NoService
      );
      assert_eq!(
        classify(error("org.freedesktop.Secret.Error.IsLocked")),
        Why::Locked
      );
      assert!(
        matches!(classify(error("org.example.Other")), Why::Os(e) if e.contains("org.example.Other"))
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
