//! A small blocking D-Bus client: what the Secret Service calls need, no more.
//!
//! One connection per operation, to the first `unix:path=` or `unix:abstract=` entry of the bus
//! address that accepts, authenticated with `AUTH EXTERNAL` (the kernel vouches for the uid),
//! then `Hello`. Messages are written little-endian and read in either byte order; replies are
//! matched by serial, and signals and other messages are skipped. Every step (connect, each read
//! and write) waits at most until the connection's deadline.
//!
//! Closing a connection while the service still handles its call is not always safe:
//! gnome-keyring 42 aborts (GLib-ERROR, SIGTRAP) in some such cases. So a connection dropped with
//! a reply pending (the deadline passed) goes to a detached thread that waits for that reply, up
//! to D-Bus's default reply timeout, before closing it.

use std::ffi::OsStr;
use std::fmt;
use std::io::{ErrorKind, Read};
use std::os::unix::ffi::OsStrExt;
use std::time::{Duration, Instant};

use socket2::{Domain, SockAddr, Socket, Type};

/// The longest message sent or read: the Secret Service's answers here are a few hundred bytes.
const MAX_MESSAGE: usize = 1 << 20;
/// How long a dropped connection waits for its pending reply: D-Bus's default reply timeout.
const LINGER: Duration = Duration::from_secs(25);
/// The stack of that thread. Explicit: without one, std reads RUST_MIN_STACK with getenv.
const LINGER_STACK: usize = 128 * 1024;
/// The deepest nesting of containers read (the specification's limit is 64).
const MAX_DEPTH: usize = 64;

// Message types.
const METHOD_CALL: u8 = 1;
const METHOD_RETURN: u8 = 2;
const ERROR: u8 = 3;

// Header field codes.
const PATH: u8 = 1;
const INTERFACE: u8 = 2;
const MEMBER: u8 = 3;
const ERROR_NAME: u8 = 4;
const REPLY_SERIAL: u8 = 5;
const DESTINATION: u8 = 6;
const SIGNATURE: u8 = 8;

#[derive(Debug, PartialEq)]
pub enum Error {
  /// No entry of the address could be connected to: why.
  Connect(String),
  /// The deadline passed.
  TimedOut,
  /// An error reply: its name and first string argument.
  Method { name: String, message: String },
  /// Anything else: authentication refused, the connection lost, a malformed message.
  Failed(String),
}

impl fmt::Display for Error {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match self {
      Error::Connect(error) | Error::Failed(error) => f.write_str(error),
      Error::TimedOut => f.write_str("timed out"),
      Error::Method { name, message } => write!(f, "{name}: {message}"),
    }
  }
}

fn malformed(what: &str) -> Error {
  Error::Failed(format!("malformed D-Bus message: {what}"))
}

fn too_long() -> Error {
  Error::Failed(format!("a D-Bus message longer than {} bytes", MAX_MESSAGE))
}

/// Where a method call goes, and its body's signature.
pub struct Call<'a> {
  pub destination: &'a str,
  pub path: &'a str,
  pub interface: &'a str,
  pub member: &'a str,
  pub signature: &'a str,
}

/// An open, authenticated connection.
pub struct Bus {
  socket: Socket,
  deadline: Instant,
  serial: u32,
  /// The call whose reply has not come when the deadline passed.
  pending: Option<u32>,
  /// What has been read of the next message.
  unread: Vec<u8>,
}

impl Bus {
  /// Connects to the bus at `address`, authenticates and says Hello, all by `deadline`, which
  /// then bounds every call too.
  pub fn connect(address: &str, deadline: Instant) -> Result<Bus, Error> {
    let mut errors = Vec::new();
    for endpoint in endpoints(address) {
      match endpoint
        .map_err(Error::Connect)
        .and_then(|e| open_socket(&e, deadline))
      {
        Ok(socket) => {
          let mut bus = Bus {
            socket,
            deadline,
            serial: 0,
            pending: None,
            unread: Vec::new(),
          };
          bus.authenticate()?;
          return Ok(bus);
        }
        Err(Error::Connect(error)) => errors.push(error),
        Err(other) => return Err(other),
      }
    }
    if errors.is_empty() {
      errors.push("the address is empty".to_owned());
    }
    Err(Error::Connect(errors.join("; ")))
  }

  fn authenticate(&mut self) -> Result<(), Error> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    // The bus compares it with the socket's peer credentials: the effective uid, in hex of its
    // decimal digits.
    let hex: String = uid
      .to_string()
      .bytes()
      .map(|b| format!("{b:02x}"))
      .collect();
    send(
      &self.socket,
      self.deadline,
      format!("\0AUTH EXTERNAL {hex}\r\n").as_bytes(),
    )?;
    let line = self.auth_line()?;
    if !line.starts_with(b"OK ") {
      return Err(Error::Failed(format!(
        "the session bus refused authentication as uid {uid} (AUTH EXTERNAL): {}",
        String::from_utf8_lossy(&line)
      )));
    }
    // BEGIN and Hello in one write: after BEGIN the bus reads messages.
    let serial = self.next_serial();
    let hello = Call {
      destination: "org.freedesktop.DBus",
      path: "/org/freedesktop/DBus",
      interface: "org.freedesktop.DBus",
      member: "Hello",
      signature: "",
    };
    let mut out = b"BEGIN\r\n".to_vec();
    out.extend_from_slice(&method_call(serial, &hello, &[]));
    send(&self.socket, self.deadline, &out)?;
    self.reply(serial).map(drop)
  }

  /// The bus's answer to AUTH, without its CRLF. It sends nothing else before BEGIN.
  fn auth_line(&mut self) -> Result<Vec<u8>, Error> {
    let mut line = Vec::new();
    while !line.ends_with(b"\r\n") {
      if line.len() > 1024 {
        return Err(Error::Failed(
          "the session bus sent an overlong authentication line".to_owned(),
        ));
      }
      let mut chunk = [0; 256];
      let n = recv(&self.socket, self.deadline, &mut chunk)?;
      line.extend_from_slice(&chunk[..n]);
    }
    line.truncate(line.len() - 2);
    Ok(line)
  }

  fn next_serial(&mut self) -> u32 {
    self.serial += 1;
    self.serial
  }

  /// Calls a method and waits for its reply; an error reply is `Error::Method`.
  pub fn call(&mut self, call: &Call<'_>, body: &Writer) -> Result<Message, Error> {
    let serial = self.next_serial();
    let message = method_call(serial, call, &body.buf);
    if message.len() > MAX_MESSAGE {
      return Err(too_long());
    }
    send(&self.socket, self.deadline, &message)?;
    self.pending = Some(serial);
    let reply = self.reply(serial);
    if !matches!(reply, Err(Error::TimedOut)) {
      self.pending = None;
    }
    reply
  }

  /// The reply to `serial`, skipping whatever comes before it.
  fn reply(&mut self, serial: u32) -> Result<Message, Error> {
    loop {
      let message = self.read_message()?;
      if message.reply_serial != Some(serial) {
        continue;
      }
      match message.kind {
        METHOD_RETURN => return Ok(message),
        ERROR => return Err(message.error()),
        _ => {}
      }
    }
  }

  fn read_message(&mut self) -> Result<Message, Error> {
    self.fill(16)?;
    let len = message_len(&self.unread)?;
    self.fill(len)?;
    parse(std::mem::take(&mut self.unread))
  }

  /// Reads until `unread` holds `len` bytes; what was read stays there on an error.
  fn fill(&mut self, len: usize) -> Result<(), Error> {
    let mut have = self.unread.len();
    self.unread.resize(len.max(have), 0);
    while have < len {
      match recv(&self.socket, self.deadline, &mut self.unread[have..len]) {
        Ok(n) => have += n,
        Err(error) => {
          self.unread.truncate(have);
          return Err(error);
        }
      }
    }
    Ok(())
  }
}

impl Drop for Bus {
  fn drop(&mut self) {
    let Some(serial) = self.pending else {
      return;
    };
    // Not closed under a call in progress (see the module doc): a thread waits for its reply.
    let Ok(socket) = self.socket.try_clone() else {
      return;
    };
    let mut lingering = Bus {
      socket,
      deadline: Instant::now() + LINGER,
      serial: self.serial,
      pending: None,
      unread: std::mem::take(&mut self.unread),
    };
    // The thread runs the addon's code: keep it mapped should Node unload the addon meanwhile.
    napi::bindgen_prelude::retain_current_module_for_unload_safety();
    // Should the thread not start, the closure and with it the socket are dropped here.
    let _ = std::thread::Builder::new()
      .name("calibre-keyring".to_owned())
      .stack_size(LINGER_STACK)
      .spawn(move || {
        let _ = lingering.reply(serial);
      });
  }
}

/// The time left, or `TimedOut`. Under a millisecond counts as none: a zero socket timeout would
/// mean no timeout at all.
fn remaining(deadline: Instant) -> Result<Duration, Error> {
  deadline
    .checked_duration_since(Instant::now())
    .filter(|left| *left >= Duration::from_millis(1))
    .ok_or(Error::TimedOut)
}

fn lost(error: std::io::Error) -> Error {
  match error.kind() {
    ErrorKind::WouldBlock | ErrorKind::TimedOut => Error::TimedOut,
    _ => Error::Failed(format!("the session bus connection failed: {error}")),
  }
}

fn open_socket(endpoint: &Endpoint, deadline: Instant) -> Result<Socket, Error> {
  let failed = |error: std::io::Error| Error::Connect(error.to_string());
  let address = match endpoint {
    Endpoint::Path(path) => SockAddr::unix(OsStr::from_bytes(path)),
    Endpoint::Abstract(name) => SockAddr::unix(OsStr::from_bytes(&[&[0], &name[..]].concat())),
  }
  .map_err(failed)?;
  let socket = Socket::new(Domain::UNIX, Type::STREAM, None).map_err(failed)?;
  // connect(2) waits while the listener's queue is full, up to the send timeout.
  socket
    .set_write_timeout(Some(remaining(deadline)?))
    .map_err(failed)?;
  match socket.connect(&address) {
    Ok(()) => Ok(socket),
    Err(error) if error.kind() == ErrorKind::WouldBlock => Err(Error::TimedOut),
    Err(error) => Err(failed(error)),
  }
}

fn send(socket: &Socket, deadline: Instant, mut bytes: &[u8]) -> Result<(), Error> {
  while !bytes.is_empty() {
    socket
      .set_write_timeout(Some(remaining(deadline)?))
      .map_err(lost)?;
    // MSG_NOSIGNAL: a closed bus is an error, not SIGPIPE.
    match socket.send_with_flags(bytes, libc::MSG_NOSIGNAL) {
      Ok(0) => return Err(lost(ErrorKind::WriteZero.into())),
      Ok(n) => bytes = &bytes[n..],
      Err(error) if error.kind() == ErrorKind::Interrupted => {}
      Err(error) => return Err(lost(error)),
    }
  }
  Ok(())
}

fn recv(socket: &Socket, deadline: Instant, buf: &mut [u8]) -> Result<usize, Error> {
  loop {
    socket
      .set_read_timeout(Some(remaining(deadline)?))
      .map_err(lost)?;
    match (&*socket).read(buf) {
      Ok(0) => {
        return Err(Error::Failed(
          "the session bus closed the connection".to_owned(),
        ))
      }
      Ok(n) => return Ok(n),
      Err(error) if error.kind() == ErrorKind::Interrupted => {}
      Err(error) => return Err(lost(error)),
    }
  }
}

/// A socket named by a bus address.
#[derive(Debug, PartialEq)]
pub enum Endpoint {
  Path(Vec<u8>),
  Abstract(Vec<u8>),
}

/// The sockets a bus address names, in its order (`;` separates alternatives); an entry that
/// names none we can use is an error in its place.
pub fn endpoints(address: &str) -> Vec<Result<Endpoint, String>> {
  address
    .split(';')
    .filter(|entry| !entry.is_empty())
    .map(endpoint)
    .collect()
}

fn endpoint(entry: &str) -> Result<Endpoint, String> {
  let unsupported = || format!("{entry}: only unix:path= and unix:abstract= are supported");
  let params = entry.strip_prefix("unix:").ok_or_else(unsupported)?;
  let mut found = None;
  for pair in params.split(',').filter(|pair| !pair.is_empty()) {
    let (key, value) = pair
      .split_once('=')
      .ok_or_else(|| format!("{entry}: `{pair}` has no value"))?;
    let value = unescape(value).ok_or_else(|| format!("{entry}: bad %-escape in `{pair}`"))?;
    match key {
      "path" => found = Some(Endpoint::Path(value)),
      "abstract" => found = Some(Endpoint::Abstract(value)),
      _ => {}
    }
  }
  found.ok_or_else(unsupported)
}

/// An address value's bytes: `%XX` is the byte XX.
pub fn unescape(value: &str) -> Option<Vec<u8>> {
  let digit = |byte: Option<u8>| (byte? as char).to_digit(16);
  let mut out = Vec::with_capacity(value.len());
  let mut bytes = value.bytes();
  while let Some(byte) = bytes.next() {
    if byte == b'%' {
      let high = digit(bytes.next())?;
      let low = digit(bytes.next())?;
      out.push((high * 16 + low) as u8);
    } else {
      out.push(byte);
    }
  }
  Some(out)
}

/// An address value: bytes outside `[-0-9A-Za-z_/.\*]` as `%XX`.
pub fn escape(value: &str) -> String {
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

/// A method call: fixed header, header fields, the body 8-aligned after them.
fn method_call(serial: u32, call: &Call<'_>, body: &[u8]) -> Vec<u8> {
  let mut w = Writer::default();
  // Little-endian, a method call, no flags (so the bus may start the service), version 1.
  for byte in [b'l', METHOD_CALL, 0, 1] {
    w.byte(byte);
  }
  w.u32(body.len() as u32);
  w.u32(serial);
  let field = |w: &mut Writer, code: u8, signature: &str, value: &str| {
    w.open_struct();
    w.byte(code);
    w.variant(signature, |w| match signature {
      "g" => w.signature(value),
      _ => w.str(value),
    });
  };
  w.array(8, |w| {
    field(w, PATH, "o", call.path);
    field(w, INTERFACE, "s", call.interface);
    field(w, MEMBER, "s", call.member);
    field(w, DESTINATION, "s", call.destination);
    if !call.signature.is_empty() {
      field(w, SIGNATURE, "g", call.signature);
    }
  });
  w.align(8);
  w.buf.extend_from_slice(body);
  w.buf
}

/// A message's whole length, from its first 16 bytes.
fn message_len(fixed: &[u8]) -> Result<usize, Error> {
  let big_endian = match fixed.first() {
    Some(b'l') => false,
    Some(b'B') => true,
    _ => return Err(malformed("byte order")),
  };
  if fixed.get(3) != Some(&1) {
    return Err(malformed("protocol version"));
  }
  let mut r = Reader::new(fixed, big_endian);
  r.pos = 4;
  let body = u64::from(r.u32()?);
  r.u32()?; // serial
  let fields = u64::from(r.u32()?);
  let len = (16 + fields).next_multiple_of(8) + body;
  if len > MAX_MESSAGE as u64 {
    return Err(too_long());
  }
  Ok(len as usize)
}

/// A message received.
#[derive(Debug, PartialEq)]
pub struct Message {
  kind: u8,
  reply_serial: Option<u32>,
  error_name: Option<String>,
  signature: String,
  big_endian: bool,
  bytes: Vec<u8>,
  body_start: usize,
}

/// A whole message (`message_len` long) read apart.
fn parse(bytes: Vec<u8>) -> Result<Message, Error> {
  if message_len(&bytes)? != bytes.len() {
    return Err(malformed("truncated"));
  }
  let big_endian = bytes[0] == b'B';
  let (mut reply_serial, mut error_name, mut signature) = (None, None, String::new());
  let mut r = Reader::new(&bytes, big_endian);
  r.pos = 12;
  r.array(8, |r| {
    r.open_struct()?;
    let code = r.byte()?;
    let value_signature = r.signature()?;
    match (code, value_signature) {
      (ERROR_NAME, "s") => error_name = Some(r.str()?.to_owned()),
      (REPLY_SERIAL, "u") => reply_serial = Some(r.u32()?),
      (SIGNATURE, "g") => signature = r.signature()?.to_owned(),
      _ => r.skip(value_signature)?,
    }
    Ok(())
  })?;
  r.align(8)?;
  let body_start = r.pos;
  Ok(Message {
    kind: bytes[1],
    reply_serial,
    error_name,
    signature,
    big_endian,
    body_start,
    bytes,
  })
}

impl Message {
  /// The body to read, when it has the expected signature.
  pub fn body(&self, signature: &str) -> Result<Reader<'_>, Error> {
    if self.signature != signature {
      return Err(Error::Failed(format!(
        "the signature is `{}`, not `{signature}`",
        self.signature
      )));
    }
    Ok(Reader::new(&self.bytes[self.body_start..], self.big_endian))
  }

  /// An error reply as an error: its name and its first argument when that is a string.
  fn error(&self) -> Error {
    let mut body = Reader::new(&self.bytes[self.body_start..], self.big_endian);
    let message = if self.signature.starts_with('s') {
      body.str().unwrap_or_default().to_owned()
    } else {
      String::new()
    };
    Error::Method {
      name: self.error_name.clone().unwrap_or_default(),
      message,
    }
  }
}

/// Writes values little-endian, aligned from the start of `buf` (a message, or a body, which
/// starts 8-aligned in its message).
#[derive(Default)]
pub struct Writer {
  pub buf: Vec<u8>,
}

impl Writer {
  pub fn align(&mut self, n: usize) {
    self.buf.resize(self.buf.len().next_multiple_of(n), 0);
  }

  /// `y`.
  pub fn byte(&mut self, value: u8) {
    self.buf.push(value);
  }

  /// `b`.
  pub fn bool(&mut self, value: bool) {
    self.u32(value.into());
  }

  /// `u`.
  pub fn u32(&mut self, value: u32) {
    self.align(4);
    self.buf.extend_from_slice(&value.to_le_bytes());
  }

  /// `s` and `o`.
  pub fn str(&mut self, value: &str) {
    self.u32(value.len() as u32);
    self.buf.extend_from_slice(value.as_bytes());
    self.buf.push(0);
  }

  /// `g`.
  pub fn signature(&mut self, value: &str) {
    self.byte(value.len() as u8);
    self.buf.extend_from_slice(value.as_bytes());
    self.buf.push(0);
  }

  /// `ay`.
  pub fn bytes(&mut self, value: &[u8]) {
    self.u32(value.len() as u32);
    self.buf.extend_from_slice(value);
  }

  /// An array of elements aligned to `align` (8 for structs and dict entries), written by
  /// `fill`. The length counts neither itself nor the padding after it.
  pub fn array(&mut self, align: usize, fill: impl FnOnce(&mut Writer)) {
    self.u32(0);
    let at = self.buf.len() - 4;
    self.align(align);
    let start = self.buf.len();
    fill(self);
    let len = (self.buf.len() - start) as u32;
    self.buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
  }

  /// The start of a struct or dict entry (`(..)`, `{..}`).
  pub fn open_struct(&mut self) {
    self.align(8);
  }

  /// `v`: the value's signature, then `fill` writes the value.
  pub fn variant(&mut self, signature: &str, fill: impl FnOnce(&mut Writer)) {
    self.signature(signature);
    fill(self);
  }
}

/// Reads values, aligned from the start of `buf`. Every read is checked against the bytes left.
pub struct Reader<'a> {
  buf: &'a [u8],
  pos: usize,
  big_endian: bool,
}

impl<'a> Reader<'a> {
  fn new(buf: &'a [u8], big_endian: bool) -> Reader<'a> {
    Reader {
      buf,
      pos: 0,
      big_endian,
    }
  }

  fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
    let end = self
      .pos
      .checked_add(n)
      .filter(|end| *end <= self.buf.len())
      .ok_or_else(|| malformed("truncated"))?;
    let bytes = &self.buf[self.pos..end];
    self.pos = end;
    Ok(bytes)
  }

  fn align(&mut self, n: usize) -> Result<(), Error> {
    self.take(self.pos.next_multiple_of(n) - self.pos).map(drop)
  }

  pub fn byte(&mut self) -> Result<u8, Error> {
    Ok(self.take(1)?[0])
  }

  pub fn bool(&mut self) -> Result<bool, Error> {
    match self.u32()? {
      0 => Ok(false),
      1 => Ok(true),
      _ => Err(malformed("a boolean neither 0 nor 1")),
    }
  }

  pub fn u32(&mut self) -> Result<u32, Error> {
    self.align(4)?;
    let b = self.take(4)?;
    let b = [b[0], b[1], b[2], b[3]];
    Ok(if self.big_endian {
      u32::from_be_bytes(b)
    } else {
      u32::from_le_bytes(b)
    })
  }

  /// `s` and `o`.
  pub fn str(&mut self) -> Result<&'a str, Error> {
    let len = self.u32()? as usize;
    self.text(len)
  }

  /// `g`.
  pub fn signature(&mut self) -> Result<&'a str, Error> {
    let len = usize::from(self.byte()?);
    self.text(len)
  }

  fn text(&mut self, len: usize) -> Result<&'a str, Error> {
    let bytes = self.take(len)?;
    if self.byte()? != 0 {
      return Err(malformed("a string without its NUL"));
    }
    std::str::from_utf8(bytes).map_err(|_| malformed("a string not UTF-8"))
  }

  /// `ay`.
  pub fn bytes(&mut self) -> Result<&'a [u8], Error> {
    let len = self.u32()? as usize;
    self.take(len)
  }

  /// An array of elements aligned to `align`, each read by `each`.
  pub fn array(
    &mut self,
    align: usize,
    mut each: impl FnMut(&mut Self) -> Result<(), Error>,
  ) -> Result<(), Error> {
    let len = self.u32()? as usize;
    self.align(align)?;
    let end = self
      .pos
      .checked_add(len)
      .filter(|end| *end <= self.buf.len())
      .ok_or_else(|| malformed("an array longer than its message"))?;
    while self.pos < end {
      let before = self.pos;
      each(self)?;
      // An element that reads nothing would loop forever; one past the end is malformed.
      if self.pos == before || self.pos > end {
        return Err(malformed("an array's elements overrun it"));
      }
    }
    Ok(())
  }

  pub fn open_struct(&mut self) -> Result<(), Error> {
    self.align(8)
  }

  /// Skips one value of the single complete type `signature`.
  pub fn skip(&mut self, signature: &str) -> Result<(), Error> {
    match self.skip_one(signature.as_bytes(), 0)? {
      [] => Ok(()),
      _ => Err(malformed("a variant of more than one type")),
    }
  }

  /// Skips a value of the first complete type in `signature`; the rest of `signature`.
  fn skip_one<'s>(&mut self, signature: &'s [u8], depth: usize) -> Result<&'s [u8], Error> {
    if depth > MAX_DEPTH {
      return Err(malformed("nested too deep"));
    }
    let (one, rest) = split_type(signature)?;
    match one {
      [b'y'] => self.take(1).map(drop)?,
      [b'n' | b'q'] => self.align(2).and_then(|()| self.take(2)).map(drop)?,
      [b'b' | b'i' | b'u' | b'h'] => self.u32().map(drop)?,
      [b'x' | b't' | b'd'] => self.align(8).and_then(|()| self.take(8)).map(drop)?,
      [b's' | b'o'] => self.str().map(drop)?,
      [b'g'] => self.signature().map(drop)?,
      [b'v'] => {
        let inner = self.signature()?.as_bytes();
        if !self.skip_one(inner, depth + 1)?.is_empty() {
          return Err(malformed("a variant of more than one type"));
        }
      }
      [b'a', element @ ..] => {
        self.array(alignment(element[0]), |r| {
          r.skip_one(element, depth + 1).map(drop)
        })?;
      }
      [b'(' | b'{', fields @ .., _] => {
        self.open_struct()?;
        let mut fields = fields;
        while !fields.is_empty() {
          fields = self.skip_one(fields, depth + 1)?;
        }
      }
      _ => return Err(malformed("an unknown type in a signature")),
    }
    Ok(rest)
  }
}

/// Splits the first complete type off a signature.
fn split_type(signature: &[u8]) -> Result<(&[u8], &[u8]), Error> {
  let mut depth = 0usize;
  for (i, c) in signature.iter().enumerate() {
    match c {
      b'a' => continue,
      b'(' | b'{' => depth += 1,
      b')' | b'}' => {
        depth = depth
          .checked_sub(1)
          .ok_or_else(|| malformed("a signature's brackets"))?
      }
      _ => {}
    }
    if depth == 0 {
      return Ok(signature.split_at(i + 1));
    }
  }
  Err(malformed("an incomplete signature"))
}

/// The alignment of a value whose type starts with `code`.
fn alignment(code: u8) -> usize {
  match code {
    b'n' | b'q' => 2,
    b'b' | b'i' | b'u' | b'h' | b's' | b'o' | b'a' => 4,
    b'x' | b't' | b'd' | b'(' | b'{' => 8,
    _ => 1,
  }
}

#[cfg(test)]
mod tests {
  use std::io::Write;
  use std::os::unix::net::{UnixListener, UnixStream};

  use super::*;

  const CALL: Call<'static> = Call {
    destination: "org.freedesktop.secrets",
    path: "/org/freedesktop/secrets/collection/login",
    interface: "org.freedesktop.Secret.Collection",
    member: "CreateItem",
    signature: "a{sv}(oayays)b",
  };

  /// A CreateItem body, as secret_service.rs writes it.
  fn create_item_body() -> Writer {
    let mut w = Writer::default();
    w.array(8, |w| {
      w.open_struct();
      w.str("org.freedesktop.Secret.Item.Label");
      w.variant("s", |w| w.str("label"));
      w.open_struct();
      w.str("org.freedesktop.Secret.Item.Attributes");
      w.variant("a{ss}", |w| {
        w.array(8, |w| {
          w.open_struct();
          w.str("service");
          w.str("calibre-native");
        })
      });
    });
    w.open_struct();
    w.str("/org/freedesktop/secrets/session/1");
    w.bytes(&[]);
    w.bytes(b"token");
    w.str("text/plain");
    w.bool(true);
    w
  }

  /// A reply to `serial` (an error when `error_name` is given), as a bus would send it.
  fn reply(serial: u32, error_name: Option<&str>, signature: &str, body: &[u8]) -> Vec<u8> {
    let mut w = Writer::default();
    let kind = if error_name.is_some() {
      ERROR
    } else {
      METHOD_RETURN
    };
    for byte in [b'l', kind, 0, 1] {
      w.byte(byte);
    }
    w.u32(body.len() as u32);
    w.u32(1000 + serial);
    w.array(8, |w| {
      w.open_struct();
      w.byte(REPLY_SERIAL);
      w.variant("u", |w| w.u32(serial));
      w.open_struct();
      w.byte(7); // SENDER, which we skip
      w.variant("s", |w| w.str(":1.1"));
      if let Some(name) = error_name {
        w.open_struct();
        w.byte(ERROR_NAME);
        w.variant("s", |w| w.str(name));
      }
      if !signature.is_empty() {
        w.open_struct();
        w.byte(SIGNATURE);
        w.variant("g", |w| w.signature(signature));
      }
    });
    w.align(8);
    w.buf.extend_from_slice(body);
    w.buf
  }

  #[test]
  fn a_method_call_reads_back() {
    let body = create_item_body();
    let bytes = method_call(7, &CALL, &body.buf);
    assert_eq!(&bytes[..4], &[b'l', METHOD_CALL, 0, 1]);
    assert_eq!(message_len(&bytes[..16]).unwrap(), bytes.len());
    let message = parse(bytes).unwrap();
    assert_eq!(message.kind, METHOD_CALL);
    assert_eq!(message.reply_serial, None);
    assert_eq!(message.signature, CALL.signature);
    assert_eq!(message.body_start % 8, 0);

    let mut r = message.body(CALL.signature).unwrap();
    let mut properties = Vec::new();
    r.array(8, |r| {
      r.open_struct()?;
      let key = r.str()?;
      let signature = r.signature()?;
      let value = match signature {
        "s" => r.str()?.to_owned(),
        _ => {
          r.skip(signature)?;
          signature.to_owned()
        }
      };
      properties.push((key, value));
      Ok(())
    })
    .unwrap();
    assert_eq!(
      properties,
      [
        ("org.freedesktop.Secret.Item.Label", "label".to_owned()),
        ("org.freedesktop.Secret.Item.Attributes", "a{ss}".to_owned())
      ]
    );
    r.open_struct().unwrap();
    assert_eq!(r.str().unwrap(), "/org/freedesktop/secrets/session/1");
    assert_eq!(r.bytes().unwrap(), b"");
    assert_eq!(r.bytes().unwrap(), b"token");
    assert_eq!(r.str().unwrap(), "text/plain");
    assert!(r.bool().unwrap());
    assert_eq!(r.pos, body.buf.len());
    assert!(message.body("oo").is_err());
  }

  #[test]
  fn values_are_aligned_from_the_start() {
    let mut w = Writer::default();
    w.byte(1);
    w.u32(2); // 3 bytes of padding
    w.byte(3);
    w.open_struct(); // to 16
    w.signature("b"); // no padding: 1-aligned
    w.bool(true);
    assert_eq!(
      w.buf,
      [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, b'b', 0, 0, 1, 0, 0, 0]
    );

    // An empty array of structs still pads to its elements' alignment; its length is 0.
    let mut w = Writer::default();
    w.array(8, |_| {});
    w.byte(9);
    assert_eq!(w.buf, [0, 0, 0, 0, 0, 0, 0, 0, 9]);

    // The length counts from the first element, after the padding.
    let mut w = Writer::default();
    w.array(8, |w| {
      w.open_struct();
      w.str("k");
      w.str("v");
    });
    assert_eq!(&w.buf[..8], &[14, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(w.buf.len(), 8 + 14);
    let mut r = Reader::new(&w.buf, false);
    let mut pairs = Vec::new();
    r.array(8, |r| {
      r.open_struct()?;
      pairs.push((r.str()?, r.str()?));
      Ok(())
    })
    .unwrap();
    assert_eq!(pairs, [("k", "v")]);
  }

  #[test]
  fn big_endian_replies_read_too() {
    let mut bytes = vec![b'B', METHOD_RETURN, 0, 1];
    bytes.extend_from_slice(&8u32.to_be_bytes()); // body
    bytes.extend_from_slice(&9u32.to_be_bytes()); // serial
    bytes.extend_from_slice(&15u32.to_be_bytes()); // fields
    bytes.extend_from_slice(&[REPLY_SERIAL, 1, b'u', 0]);
    bytes.extend_from_slice(&3u32.to_be_bytes());
    bytes.extend_from_slice(&[SIGNATURE, 1, b'g', 0, 1, b'b', 0, 0]); // + 1 of padding
    bytes.extend_from_slice(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]);
    assert_eq!(message_len(&bytes).unwrap(), bytes.len());
    let message = parse(bytes).unwrap();
    assert_eq!(message.reply_serial, Some(3));
    let mut r = message.body("b").unwrap();
    assert!(r.bool().unwrap());
  }

  #[test]
  fn an_error_reply_has_its_name_and_text() {
    let mut body = Writer::default();
    body.str("Cannot do that");
    let message = parse(reply(4, Some("org.example.Error"), "s", &body.buf)).unwrap();
    assert_eq!(message.kind, ERROR);
    assert_eq!(
      message.error(),
      Error::Method {
        name: "org.example.Error".to_owned(),
        message: "Cannot do that".to_owned()
      }
    );
    let bare = parse(reply(4, Some("org.example.Error"), "", &[])).unwrap();
    assert_eq!(bare.error().to_string(), "org.example.Error: ");
  }

  #[test]
  fn truncated_oversized_and_garbage_messages_are_errors() {
    let good = reply(2, None, "o", &{
      let mut w = Writer::default();
      w.str("/");
      w.buf
    });
    assert!(parse(good.clone()).is_ok());
    for len in 0..good.len() {
      assert!(parse(good[..len].to_vec()).is_err(), "cut at {len}");
    }
    // Over 1 MiB, said by the fixed header alone.
    let mut huge = good.clone();
    huge[4..8].copy_from_slice(&(2u32 << 20).to_le_bytes());
    assert_eq!(message_len(&huge), Err(too_long()));
    huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(message_len(&huge), Err(too_long()));
    // Not D-Bus at all.
    assert!(message_len(b"HTTP/1.1 200 OK\r\n").is_err());

    // An array that says it is longer than the bytes left.
    let mut w = Writer::default();
    w.u32(1000);
    w.str("x");
    assert!(Reader::new(&w.buf, false)
      .array(4, |r| r.str().map(drop))
      .is_err());
    // A string without its NUL, and one that is not UTF-8.
    assert!(Reader::new(&[1, 0, 0, 0, b'x', b'y'], false).str().is_err());
    assert!(Reader::new(&[1, 0, 0, 0, 0xff, 0], false).str().is_err());
    // Variants nested past the limit: an error, not a stack overflow.
    let deep: Vec<u8> = std::iter::repeat_n([1, b'v', 0], 1000).flatten().collect();
    assert!(Reader::new(&deep, false).skip("v").is_err());
    // Unknown types, bad brackets.
    for signature in ["z", "(i", "i)", "a", "(ii}}"] {
      let zeros = [0; 64];
      assert!(
        Reader::new(&zeros, false).skip(signature).is_err(),
        "{signature}"
      );
    }
    // An array of empty structs would loop forever.
    let mut w = Writer::default();
    w.u32(8);
    w.align(8);
    w.buf.extend_from_slice(&[0; 8]);
    assert!(Reader::new(&w.buf, false).skip("a()").is_err());
  }

  /// Random bytes after a valid fixed header: parsed or refused, never a panic.
  #[test]
  fn random_messages_never_panic() {
    let mut rng = fastrand::Rng::with_seed(7);
    let template = reply(2, Some("a.B"), "sv", &{
      let mut w = Writer::default();
      w.str("text");
      w.variant("a{sv}", |w| w.array(8, |_| {}));
      w.buf
    });
    for _ in 0..20_000 {
      let mut bytes = template.clone();
      for _ in 0..rng.usize(1..4) {
        let at = rng.usize(..bytes.len());
        bytes[at] = rng.u8(..);
      }
      bytes.truncate(rng.usize(bytes.len() - 8..=bytes.len()));
      if let Ok(message) = parse(bytes) {
        let _ = message.error();
        if let Ok(mut r) = message.body("sv") {
          let _ = r.str().and_then(|_| r.skip("v"));
        }
      }
    }
  }

  #[test]
  fn addresses_name_unix_sockets_unescaped() {
    assert_eq!(
      endpoints("unix:path=/run/user/1000/bus"),
      [Ok(Endpoint::Path(b"/run/user/1000/bus".to_vec()))]
    );
    assert_eq!(
      endpoints("unix:abstract=/tmp/dbus-Ab%2c%3b,guid=0123;unix:path=/a%20b%25c"),
      [
        Ok(Endpoint::Abstract(b"/tmp/dbus-Ab,;".to_vec())),
        Ok(Endpoint::Path(b"/a b%c".to_vec()))
      ]
    );
    let results = endpoints("tcp:host=localhost,port=1;unix:tmpdir=/tmp;unix:path=/x%zz;;");
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(Result::is_err), "{results:?}");
    assert!(endpoints("").is_empty());
    assert_eq!(unescape("%41%7a%7A-_"), Some(b"Azz-_".to_vec()));
    assert_eq!(unescape("%4"), None);
    assert_eq!(unescape("%"), None);
    assert_eq!(unescape("%ff"), Some(vec![0xff]));
    let name = "/run dir%/ü";
    assert_eq!(escape(name), "/run%20dir%25/%c3%bc");
    assert_eq!(unescape(&escape(name)), Some(name.as_bytes().to_vec()));
  }

  /// A bus on a socket in a temporary directory, served by `serve` on a thread.
  fn fake_bus(
    serve: impl FnOnce(UnixStream) + Send + 'static,
  ) -> (tempfile::TempDir, String, std::thread::JoinHandle<()>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bus");
    let listener = UnixListener::bind(&path).unwrap();
    let server = std::thread::spawn(move || serve(listener.accept().unwrap().0));
    let address = format!(
      "unix:path={};unix:path=/unused",
      escape(path.to_str().unwrap())
    );
    (dir, address, server)
  }

  /// Reads one message from the client (BEGIN\r\n before it, when `begin`).
  fn read_call(stream: &mut UnixStream, begin: bool) -> Message {
    if begin {
      let mut line = [0; 7];
      stream.read_exact(&mut line).unwrap();
      assert_eq!(&line, b"BEGIN\r\n");
    }
    let mut bytes = vec![0; 16];
    stream.read_exact(&mut bytes).unwrap();
    let len = message_len(&bytes).unwrap();
    bytes.resize(len, 0);
    stream.read_exact(&mut bytes[16..]).unwrap();
    parse(bytes).unwrap()
  }

  /// The client's AUTH line, answered with `answer`.
  fn authenticate(stream: &mut UnixStream, answer: &str) -> String {
    let mut line = Vec::new();
    let mut byte = [0];
    while !line.ends_with(b"\r\n") {
      stream.read_exact(&mut byte).unwrap();
      line.push(byte[0]);
    }
    stream.write_all(answer.as_bytes()).unwrap();
    String::from_utf8(line).unwrap()
  }

  /// Answers AUTH and Hello as a bus does, and sends a signal before the Hello reply.
  fn hello(stream: &mut UnixStream) {
    let auth = authenticate(stream, "OK 0123456789abcdef0123456789abcdef\r\n");
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid: String = unsafe { libc::geteuid() }
      .to_string()
      .bytes()
      .map(|b| format!("{b:02x}"))
      .collect();
    assert_eq!(auth, format!("\0AUTH EXTERNAL {uid}\r\n"));
    let hello = read_call(stream, true);
    assert_eq!(hello.kind, METHOD_CALL);
    let mut signal = reply(99, None, "", &[]);
    signal[1] = 4;
    stream.write_all(&signal).unwrap();
    let mut name = Writer::default();
    name.str(":1.42");
    stream.write_all(&reply(1, None, "s", &name.buf)).unwrap();
  }

  #[test]
  fn calls_get_their_replies_and_errors() {
    let (_dir, address, server) = fake_bus(|mut stream| {
      hello(&mut stream);
      let call = read_call(&mut stream, false);
      assert_eq!(call.signature, CALL.signature);
      // Another reply first (not ours), then ours.
      let mut path = Writer::default();
      path.str("/elsewhere");
      stream.write_all(&reply(77, None, "o", &path.buf)).unwrap();
      let mut paths = Writer::default();
      paths.str("/item");
      paths.str("/");
      stream.write_all(&reply(2, None, "oo", &paths.buf)).unwrap();
      read_call(&mut stream, false);
      let mut text = Writer::default();
      text.str("Collection is locked");
      stream
        .write_all(&reply(
          3,
          Some("org.freedesktop.Secret.Error.IsLocked"),
          "s",
          &text.buf,
        ))
        .unwrap();
      // The client closes when done.
      assert_eq!(stream.read(&mut [0; 16]).unwrap(), 0);
    });
    let mut bus = Bus::connect(&address, Instant::now() + Duration::from_secs(5)).unwrap();
    let reply = bus.call(&CALL, &create_item_body()).unwrap();
    let mut r = reply.body("oo").unwrap();
    assert_eq!((r.str().unwrap(), r.str().unwrap()), ("/item", "/"));
    assert_eq!(
      bus.call(&CALL, &Writer::default()),
      Err(Error::Method {
        name: "org.freedesktop.Secret.Error.IsLocked".to_owned(),
        message: "Collection is locked".to_owned()
      })
    );
    drop(bus);
    server.join().unwrap();
  }

  #[test]
  fn a_refused_authentication_says_so() {
    let (_dir, address, server) = fake_bus(|mut stream| {
      authenticate(&mut stream, "REJECTED DBUS_COOKIE_SHA1\r\n");
    });
    let error = Bus::connect(&address, Instant::now() + Duration::from_secs(5))
      .err()
      .unwrap();
    assert!(
      matches!(&error, Error::Failed(e) if e.contains("refused authentication") && e.contains("REJECTED DBUS_COOKIE_SHA1")),
      "{error:?}"
    );
    server.join().unwrap();
  }

  #[test]
  fn no_socket_at_any_address_is_a_connect_error() {
    let dir = tempfile::tempdir().unwrap();
    let address = format!(
      "unix:path={0}/a;tcp:host=x;unix:abstract=calibre-test-none-{1}",
      dir.path().display(),
      std::process::id()
    );
    let error = Bus::connect(&address, Instant::now() + Duration::from_secs(1))
      .err()
      .unwrap();
    let Error::Connect(error) = error else {
      panic!("{error:?}")
    };
    assert_eq!(error.matches("; ").count(), 2, "{error}");
    assert!(error.contains("No such file"), "{error}");
    assert!(error.contains("refused"), "{error}");
  }

  /// At the deadline the caller gets `TimedOut` at once, but the connection stays open until
  /// the late reply comes, then closes.
  #[test]
  fn a_late_reply_is_waited_for_before_the_connection_closes() {
    let (events, seen) = std::sync::mpsc::channel();
    let (_dir, address, server) = fake_bus(move |mut stream| {
      hello(&mut stream);
      read_call(&mut stream, false);
      // Still open a while after the client gave up.
      stream
        .set_read_timeout(Some(Duration::from_millis(700)))
        .unwrap();
      let early = stream.read(&mut [0; 16]);
      events
        .send(format!(
          "before the reply: {:?}",
          early.map_err(|e| e.kind())
        ))
        .unwrap();
      let mut path = Writer::default();
      path.str("/");
      stream.write_all(&reply(2, None, "o", &path.buf)).unwrap();
      stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
      let after = stream.read(&mut [0; 16]);
      events
        .send(format!(
          "after the reply: {:?}",
          after.map_err(|e| e.kind())
        ))
        .unwrap();
    });
    let started = Instant::now();
    let mut bus = Bus::connect(&address, started + Duration::from_millis(300)).unwrap();
    assert_eq!(
      bus.call(&CALL, &Writer::default()).err(),
      Some(Error::TimedOut)
    );
    assert!(started.elapsed() < Duration::from_millis(500));
    drop(bus);
    let timeout = Duration::from_secs(5);
    assert_eq!(
      seen.recv_timeout(timeout).unwrap(),
      "before the reply: Err(WouldBlock)"
    );
    assert_eq!(
      seen.recv_timeout(timeout).unwrap(),
      "after the reply: Ok(0)"
    );
    server.join().unwrap();
  }
}
