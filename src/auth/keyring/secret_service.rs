//! The Secret Service on Linux: read, write and delete over seven calls, on a connection of
//! their own (dbus.rs) opened on the calling thread (the JS thread or a blocking one). One
//! deadline, `TIMEOUT` from the start, bounds the whole operation.

use std::path::Path;
use std::time::Instant;

use super::dbus::{self, Bus, Call, Reader, Writer};
use super::{KeyringEnv, Why, SERVICE, TIMEOUT};

const DEST: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE_IFACE: &str = "org.freedesktop.Secret.Service";
const COLLECTION_IFACE: &str = "org.freedesktop.Secret.Collection";
const ITEM_IFACE: &str = "org.freedesktop.Secret.Item";
const PROPERTIES_IFACE: &str = "org.freedesktop.DBus.Properties";
const NO_OBJECT: &str = "/";

pub(super) fn read(env: &KeyringEnv, account: &str) -> Result<Option<Vec<u8>>, Why> {
  run(env, |ss| {
    let (unlocked, locked) = ss.search(account)?;
    match unlocked.first() {
      Some(item) => ss.secret(item).map(Some),
      None if locked.is_empty() => Ok(None),
      None => Err(Why::Locked),
    }
  })
}

pub(super) fn write(env: &KeyringEnv, account: &str, token: &str) -> Result<(), Why> {
  run(env, |ss| {
    let collection = ss.default_collection()?;
    if ss.locked(&collection)? {
      return Err(Why::Locked);
    }
    let item = ss.create(&collection, account, token)?;
    // `replace` only replaces an item with exactly these attributes: drop the other items
    // that match (e.g. stored by secret-tool, which adds `xdg:schema`) so reads find this one.
    let (unlocked, _) = ss.search(account)?;
    for other in unlocked.iter().filter(|path| **path != item) {
      ss.delete(other)?;
    }
    Ok(())
  })
}

pub(super) fn delete(env: &KeyringEnv, account: &str) -> Result<bool, Why> {
  run(env, |ss| {
    let (unlocked, locked) = ss.search(account)?;
    if unlocked.is_empty() {
      return if locked.is_empty() {
        Ok(false)
      } else {
        Err(Why::Locked)
      };
    }
    for item in &unlocked {
      ss.delete(item)?;
    }
    Ok(true)
  })
}

/// The session bus's address: `DBUS_SESSION_BUS_ADDRESS`, else `$XDG_RUNTIME_DIR/bus` when
/// that socket exists (as libdbus and sd-bus look for it).
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
  Ok(format!(
    "unix:path={}",
    dbus::escape(&socket.to_string_lossy())
  ))
}

fn run<T>(
  env: &KeyringEnv,
  op: impl FnOnce(&mut SecretService) -> Result<T, Why>,
) -> Result<T, Why> {
  let address = bus_address(env)?;
  let deadline = Instant::now() + TIMEOUT;
  let bus = Bus::connect(&address, deadline).map_err(|error| match error {
    dbus::Error::Connect(error) => Why::Connect {
      address: address.clone(),
      error,
    },
    other => classify(other),
  })?;
  // The connection closes when `op` is done (dbus.rs: or once a late reply came).
  op(&mut SecretService { bus, session: None })
}

/// A connection, and its `plain` session once a secret has needed one.
struct SecretService {
  bus: Bus,
  session: Option<String>,
}

/// A method of the Secret Service, with its body's signature.
fn method<'a>(path: &'a str, interface: &'a str, member: &'a str, signature: &'a str) -> Call<'a> {
  Call {
    destination: DEST,
    path,
    interface,
    member,
    signature,
  }
}

impl SecretService {
  /// The session, opened on first use: searching and deleting need none. Opened last, it is
  /// also safer: under a burst of new connections gnome-keyring 42 may handle a call before it
  /// has registered the caller, which aborts it in OpenSession (GLib-ERROR on a NULL reply) but
  /// is an error reply in SearchItems.
  fn session(&mut self) -> Result<String, Why> {
    if let Some(session) = &self.session {
      return Ok(session.clone());
    }
    let mut body = Writer::default();
    body.str("plain");
    body.variant("s", |w| w.str(""));
    let open = method(SERVICE_PATH, SERVICE_IFACE, "OpenSession", "sv");
    let session = self.call(open, &body, "vo", |r| {
      r.skip("v")?; // the algorithm's output: nothing for `plain`
      Ok(r.str()?.to_owned())
    })?;
    self.session = Some(session.clone());
    Ok(session)
  }

  /// The items with the account's attributes: (unlocked, locked).
  fn search(&mut self, account: &str) -> Result<(Vec<String>, Vec<String>), Why> {
    let mut body = Writer::default();
    attributes(&mut body, account);
    let search = method(SERVICE_PATH, SERVICE_IFACE, "SearchItems", "a{ss}");
    self.call(search, &body, "aoao", |r| Ok((paths(r)?, paths(r)?)))
  }

  fn secret(&mut self, item: &str) -> Result<Vec<u8>, Why> {
    let mut body = Writer::default();
    body.str(&self.session()?);
    let get = method(item, ITEM_IFACE, "GetSecret", "o");
    // The Secret struct: session, parameters, value, content type.
    self.call(get, &body, "(oayays)", |r| {
      r.open_struct()?;
      r.str()?;
      r.bytes()?;
      let value = r.bytes()?.to_vec();
      r.str()?;
      Ok(value)
    })
  }

  fn default_collection(&mut self) -> Result<String, Why> {
    let mut body = Writer::default();
    body.str("default");
    let read_alias = method(SERVICE_PATH, SERVICE_IFACE, "ReadAlias", "s");
    let collection = self.call(read_alias, &body, "o", |r| Ok(r.str()?.to_owned()))?;
    if collection == NO_OBJECT {
      return Err(Why::NoDefaultCollection);
    }
    Ok(collection)
  }

  fn locked(&mut self, collection: &str) -> Result<bool, Why> {
    let mut body = Writer::default();
    body.str(COLLECTION_IFACE);
    body.str("Locked");
    let get = method(collection, PROPERTIES_IFACE, "Get", "ss");
    self.call(get, &body, "v", |r| match r.signature()? {
      "b" => r.bool(),
      other => Err(dbus::Error::Failed(format!(
        "the Locked property is a `{other}`"
      ))),
    })
  }

  /// Creates (or replaces) the account's item; its path.
  fn create(&mut self, collection: &str, account: &str, token: &str) -> Result<String, Why> {
    let label = if account == "default" {
      format!("{SERVICE} API token")
    } else {
      format!("{SERVICE} API token ({account})")
    };
    let session = self.session()?;
    let mut body = Writer::default();
    body.array(8, |w| {
      w.open_struct();
      w.str("org.freedesktop.Secret.Item.Label");
      w.variant("s", |w| w.str(&label));
      w.open_struct();
      w.str("org.freedesktop.Secret.Item.Attributes");
      w.variant("a{ss}", |w| attributes(w, account));
    });
    body.open_struct();
    body.str(&session);
    body.bytes(&[]);
    body.bytes(token.as_bytes());
    body.str("text/plain");
    body.bool(true); // replace
    let create = method(collection, COLLECTION_IFACE, "CreateItem", "a{sv}(oayays)b");
    let (item, prompt) = self.call(create, &body, "oo", |r| {
      Ok((r.str()?.to_owned(), r.str()?.to_owned()))
    })?;
    if item == NO_OBJECT || prompt != NO_OBJECT {
      return Err(Why::Prompt);
    }
    Ok(item)
  }

  fn delete(&mut self, item: &str) -> Result<(), Why> {
    let delete = method(item, ITEM_IFACE, "Delete", "");
    let prompt = self.call(delete, &Writer::default(), "o", |r| Ok(r.str()?.to_owned()))?;
    if prompt != NO_OBJECT {
      return Err(Why::Prompt);
    }
    Ok(())
  }

  /// Calls `call` and reads its reply, of signature `returns`, with `read`.
  fn call<T>(
    &mut self,
    call: Call<'_>,
    body: &Writer,
    returns: &str,
    read: impl FnOnce(&mut Reader<'_>) -> Result<T, dbus::Error>,
  ) -> Result<T, Why> {
    let reply = self.bus.call(&call, body).map_err(classify)?;
    reply
      .body(returns)
      .and_then(|mut r| read(&mut r))
      .map_err(|e| Why::Os(format!("unexpected answer to {}: {e}", call.member)))
  }
}

/// The account's attributes as `a{ss}`.
fn attributes(w: &mut Writer, account: &str) {
  w.array(8, |w| {
    for (key, value) in super::attributes(account) {
      w.open_struct();
      w.str(key);
      w.str(value);
    }
  });
}

/// `ao`.
fn paths(r: &mut Reader<'_>) -> Result<Vec<String>, dbus::Error> {
  let mut paths = Vec::new();
  r.array(4, |r| {
    paths.push(r.str()?.to_owned());
    Ok(())
  })?;
  Ok(paths)
}

/// A D-Bus error as a reason: the service missing, a locked collection, or the error's own
/// name and text (which say what failed, never the secret).
pub(super) fn classify(error: dbus::Error) -> Why {
  match error {
    dbus::Error::TimedOut => Why::TimedOut,
    dbus::Error::Method { name, .. }
      if name == "org.freedesktop.DBus.Error.ServiceUnknown"
        || name == "org.freedesktop.DBus.Error.NameHasNoOwner"
        || name.starts_with("org.freedesktop.DBus.Error.Spawn") =>
    {
      Why::NoService
    }
    dbus::Error::Method { name, .. } if name == "org.freedesktop.Secret.Error.IsLocked" => {
      Why::Locked
    }
    other => Why::Os(other.to_string()),
  }
}
