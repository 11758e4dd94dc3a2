//! What the transport reports about its work: the debug log (`CALIBRE_DEBUG`, `NODE_DEBUG`) on
//! stderr and the per-attempt events that `js` publishes on `diagnostics_channel`. Both are off
//! unless asked for; then nothing here is formatted, timed or queued.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::auth::ApiToken;
use crate::env::Env;
use crate::error::TokenSource;

/// How much the debug log says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DebugLevel {
  #[default]
  Off,
  /// One line per attempt, retry decision, throttle wait and token source.
  Lines,
  /// `Lines`, plus request and response bodies (cut at `BODY_EXCERPT` characters, secrets
  /// scrubbed): `CALIBRE_DEBUG=api`, as `GH_DEBUG=api`.
  Bodies,
}

impl DebugLevel {
  /// `CALIBRE_DEBUG` (`api` for bodies; empty, `0`, `false` or `off` for none, anything else for
  /// lines), else `NODE_DEBUG` naming `calibre` the way Node's `util.debuglog` matches sections
  /// (comma-separated, case-insensitive, `*` as a wildcard).
  pub fn from_env(env: &dyn Env) -> DebugLevel {
    if let Some(value) = env.var("CALIBRE_DEBUG") {
      let value = value.trim().to_ascii_lowercase();
      return match value.as_str() {
        "" | "0" | "false" | "off" | "no" => DebugLevel::Off,
        "api" => DebugLevel::Bodies,
        _ => DebugLevel::Lines,
      };
    }
    let named = env.var("NODE_DEBUG").is_some_and(|sections| {
      sections
        .split(',')
        .any(|section| section_matches(&section.trim().to_ascii_lowercase(), "calibre"))
    });
    if named {
      DebugLevel::Lines
    } else {
      DebugLevel::Off
    }
  }
}

/// Node's `NODE_DEBUG` section test: the pattern equals the name, `*` standing for any run.
fn section_matches(pattern: &str, name: &str) -> bool {
  match pattern.split_once('*') {
    None => pattern == name,
    Some((head, tail)) => {
      let Some(rest) = name.strip_prefix(head) else {
        return false;
      };
      (0..=rest.len())
        .any(|skip| rest.is_char_boundary(skip) && section_matches(tail, &rest[skip..]))
    }
  }
}

/// How much of a body `CALIBRE_DEBUG=api` shows.
pub const BODY_EXCERPT: usize = 2000;

/// A `diagnostics_channel` event of one attempt, queued here and published by `js` on the JS
/// thread. `id` ties an attempt's `End` or `Error` to its `Start`.
#[derive(Clone, Debug, PartialEq)]
pub enum RequestEvent {
  Start {
    id: u64,
    method: &'static str,
    url: String,
    operation: Option<String>,
    attempt: u32,
  },
  End {
    id: u64,
    status: u16,
    duration_ms: f64,
    bytes: u64,
  },
  Error {
    id: u64,
    code: &'static str,
    duration_ms: f64,
  },
}

/// The events of one JS environment, waiting for its thread. `wake` asks that thread to take
/// them (`js` makes it a threadsafe function); the thread also takes them before it settles a
/// call, so a call's events are all published before its promise settles.
pub struct EventQueue {
  pending: Mutex<Vec<RequestEvent>>,
  wake: Box<dyn Fn() + Send + Sync>,
}

impl EventQueue {
  pub fn new(wake: Box<dyn Fn() + Send + Sync>) -> EventQueue {
    EventQueue {
      pending: Mutex::new(Vec::new()),
      wake,
    }
  }

  fn push(&self, event: RequestEvent) {
    let first = {
      let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
      pending.push(event);
      pending.len() == 1
    };
    // One wake-up per batch: the thread takes everything queued by then.
    if first {
      (self.wake)();
    }
  }

  /// Everything queued, oldest first.
  pub fn take(&self) -> Vec<RequestEvent> {
    std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()))
  }
}

/// The debug log and event queue of one call (cheap to clone).
#[derive(Clone, Default)]
pub struct Trace {
  pub debug: DebugLevel,
  pub events: Option<Arc<EventQueue>>,
}

impl Trace {
  pub fn is_on(&self) -> bool {
    self.debug != DebugLevel::Off || self.events.is_some()
  }

  /// Whether the debug log is on.
  pub fn logs(&self) -> bool {
    self.debug != DebugLevel::Off
  }

  /// Whether request and response bodies are logged.
  pub fn logs_bodies(&self) -> bool {
    self.debug == DebugLevel::Bodies
  }

  /// Which token source the call uses (never the token).
  pub fn token_source(&self, source: &TokenSource) {
    if self.logs() {
      log(&format!(
        "token from {} ({})",
        source.describe(),
        source.kind()
      ));
    }
  }

  /// The start of one attempt; `None` when nothing is traced.
  pub fn attempt(
    &self,
    method: &'static str,
    url: &str,
    operation: Option<&str>,
    attempt: u32,
  ) -> Option<AttemptTrace> {
    if !self.is_on() {
      return None;
    }
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let url = without_query(url).to_owned();
    if let Some(events) = &self.events {
      events.push(RequestEvent::Start {
        id,
        method,
        url: url.clone(),
        operation: operation.map(str::to_owned),
        attempt,
      });
    }
    Some(AttemptTrace {
      trace: self.clone(),
      id,
      line: format!(
        "{method} {url}{}{} attempt {attempt}",
        if operation.is_some() { " " } else { "" },
        operation.unwrap_or("")
      ),
      started: Instant::now(),
      finished: false,
    })
  }

  /// A retry decision: attempt `next` of `what` after `wait`, because of `why`.
  pub fn retry(&self, what: &str, next: u32, wait: Duration, why: &str) {
    if self.logs() {
      log(&format!(
        "retry: {what} attempt {next} in {} ms ({why})",
        wait.as_millis()
      ));
    }
  }

  /// A wait for the throttle before a request could start.
  pub fn throttle_wait(&self, waited: Duration, paused: bool, url: &str) {
    if self.logs() && waited >= Duration::from_millis(1) {
      let why = if paused {
        "starts paused: the API said its rate limit is spent (RateLimit-Remaining: 0)"
      } else {
        "request-start throttle"
      };
      log(&format!(
        "throttle: waited {} ms before {} ({why})",
        waited.as_millis(),
        without_query(url)
      ));
    }
  }

  /// The API said its rate limit is spent: every start waits `pause`.
  pub fn rate_limit_pause(&self, pause: Duration) {
    if self.logs() {
      log(&format!(
        "rate limit: RateLimit-Remaining is 0, request starts pause for {} ms",
        pause.as_millis()
      ));
    }
  }

  /// A request (`>`) or response (`<`) body, for `CALIBRE_DEBUG=api`: cut at `BODY_EXCERPT`
  /// characters, `token` and `secret=` values scrubbed.
  pub fn body(&self, direction: char, body: &[u8], token: Option<&ApiToken>) {
    if !self.logs_bodies() {
      return;
    }
    let text = String::from_utf8_lossy(body);
    let mut shown: String = text.chars().take(BODY_EXCERPT).collect();
    let cut = shown.len() < text.len();
    shown = scrub_secrets(&crate::error::scrub(
      &shown,
      token.map(|t| t as &dyn crate::error::Secret),
    ));
    if cut {
      shown.push_str(&format!("… ({} bytes in all)", body.len()));
    }
    log(&format!("{direction} {shown}"));
  }
}

/// One attempt being traced. Finishing it logs its line and queues its end (or error); an
/// attempt dropped unfinished (its call aborted) is reported as aborted.
pub struct AttemptTrace {
  trace: Trace,
  id: u64,
  line: String,
  started: Instant,
  finished: bool,
}

/// How an attempt ended, for its trace.
pub enum Ended<'a> {
  /// An answer: its status and the size of its body as received, decoded (the bytes on the
  /// wire of a compressed answer are not known: see `request`).
  Answer { status: u16, bytes: u64 },
  /// No answer: the error's code and message.
  Failed {
    code: &'static str,
    message: &'a str,
  },
}

impl AttemptTrace {
  pub fn finish(mut self, ended: Ended<'_>) {
    self.finished = true;
    let elapsed = self.started.elapsed();
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    let (event, outcome) = match ended {
      Ended::Answer { status, bytes } => (
        RequestEvent::End {
          id: self.id,
          status,
          duration_ms,
          bytes,
        },
        format!("{status}, {bytes} bytes"),
      ),
      Ended::Failed { code, message } => (
        RequestEvent::Error {
          id: self.id,
          code,
          duration_ms,
        },
        format!("failed, {code}: {message}"),
      ),
    };
    self.report(event, &outcome, duration_ms);
  }

  fn report(&self, event: RequestEvent, outcome: &str, duration_ms: f64) {
    if let Some(events) = &self.trace.events {
      events.push(event);
    }
    if self.trace.logs() {
      log(&format!("{} -> {outcome}, {duration_ms:.1} ms", self.line));
    }
  }
}

impl Drop for AttemptTrace {
  fn drop(&mut self) {
    if !self.finished {
      let duration_ms = self.started.elapsed().as_secs_f64() * 1000.0;
      let event = RequestEvent::Error {
        id: self.id,
        code: "CALIBRE_ABORTED",
        duration_ms,
      };
      self.report(event, "abandoned (the call was aborted)", duration_ms);
    }
  }
}

/// Writes one debug line to stderr in a single write, so lines from several threads (and
/// Node's own writes) do not interleave within a line.
fn log(message: &str) {
  let time = humantime::format_rfc3339_millis(SystemTime::now());
  let line = format!("calibre-native {time} {message}\n");
  let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// `url` without its query and fragment: signed URLs carry their credentials there.
pub fn without_query(url: &str) -> &str {
  url.split(['?', '#']).next().unwrap_or(url)
}

/// Query-style parameters whose values are credentials.
const SECRET_PARAMETERS: [&str; 6] = [
  "secret",
  "x-amz-signature",
  "x-amz-credential",
  "x-amz-security-token",
  "signature",
  "token",
];

/// `text` with the value of every `name=value` whose name is one of `SECRET_PARAMETERS`
/// (case-insensitive) replaced: signed artifact URLs inside a response, a webhook secret.
pub fn scrub_secrets(text: &str) -> String {
  let mut out = String::with_capacity(text.len());
  let mut rest = text;
  while let Some(eq) = rest.find('=') {
    let (before, after) = rest.split_at(eq);
    let name_start = before
      .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
      .map_or(0, |i| i + 1);
    let name = &before[name_start..];
    out.push_str(before);
    out.push('=');
    let after = &after[1..];
    if SECRET_PARAMETERS
      .iter()
      .any(|secret| name.eq_ignore_ascii_case(secret))
    {
      let end = after
        .find(|c: char| matches!(c, '&' | '"' | '\'' | '#') || c.is_whitespace())
        .unwrap_or(after.len());
      out.push_str("[redacted]");
      rest = &after[end..];
    } else {
      rest = after;
    }
  }
  out.push_str(rest);
  out
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::env::EnvSnapshot;

  #[test]
  fn debug_level_from_calibre_debug_then_node_debug() {
    let level = |pairs: &[(&str, &str)]| DebugLevel::from_env(&EnvSnapshot::from_pairs(pairs));
    assert_eq!(level(&[]), DebugLevel::Off);
    assert_eq!(level(&[("CALIBRE_DEBUG", "1")]), DebugLevel::Lines);
    assert_eq!(level(&[("CALIBRE_DEBUG", "api")]), DebugLevel::Bodies);
    assert_eq!(level(&[("CALIBRE_DEBUG", "API ")]), DebugLevel::Bodies);
    for off in ["", "0", "false"] {
      assert_eq!(level(&[("CALIBRE_DEBUG", off)]), DebugLevel::Off, "{off:?}");
    }
    assert_eq!(level(&[("NODE_DEBUG", "http,calibre")]), DebugLevel::Lines);
    assert_eq!(level(&[("NODE_DEBUG", "CALIBRE")]), DebugLevel::Lines);
    assert_eq!(level(&[("NODE_DEBUG", "cal*")]), DebugLevel::Lines);
    assert_eq!(level(&[("NODE_DEBUG", "*")]), DebugLevel::Lines);
    assert_eq!(level(&[("NODE_DEBUG", "http,net")]), DebugLevel::Off);
    assert_eq!(level(&[("NODE_DEBUG", "calibrex")]), DebugLevel::Off);
    assert_eq!(
      level(&[("NODE_DEBUG", "calibre"), ("CALIBRE_DEBUG", "0")]),
      DebugLevel::Off,
      "CALIBRE_DEBUG decides when set"
    );
  }

  #[test]
  fn urls_lose_their_query_and_secrets_are_scrubbed() {
    assert_eq!(
      without_query("https://s3/a/image.jpg?X-Amz-Signature=abc#x"),
      "https://s3/a/image.jpg"
    );
    assert_eq!(
      scrub_secrets(r#"{"url":"https://h/f?a=1&secret=s3cr3t&X-Amz-Signature=abcd","b":"c=d"}"#),
      r#"{"url":"https://h/f?a=1&secret=[redacted]&X-Amz-Signature=[redacted]","b":"c=d"}"#
    );
    assert_eq!(
      scrub_secrets("webhookSecret=x secret=y"),
      "webhookSecret=x secret=[redacted]"
    );
    assert_eq!(scrub_secrets("no equals"), "no equals");
  }

  #[test]
  fn events_are_queued_in_order_with_one_wake_per_batch() {
    let wakes = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&wakes);
    let queue = Arc::new(EventQueue::new(Box::new(move || {
      counted.fetch_add(1, Ordering::SeqCst);
    })));
    let trace = Trace {
      debug: DebugLevel::Off,
      events: Some(Arc::clone(&queue)),
    };
    let first = trace
      .attempt("POST", "http://h/graphql?x=1", Some("ListSites"), 1)
      .unwrap();
    first.finish(Ended::Answer {
      status: 503,
      bytes: 10,
    });
    drop(trace.attempt("POST", "http://h/graphql", None, 2));
    let events = queue.take();
    assert_eq!(wakes.load(Ordering::SeqCst), 1);
    assert_eq!(events.len(), 4);
    let RequestEvent::Start {
      id,
      url,
      operation,
      attempt,
      ..
    } = &events[0]
    else {
      panic!("{events:?}")
    };
    assert_eq!(
      (url.as_str(), operation.as_deref(), *attempt),
      ("http://h/graphql", Some("ListSites"), 1)
    );
    assert!(
      matches!(events[1], RequestEvent::End { id: end, status: 503, bytes: 10, .. } if end == *id)
    );
    assert!(
      matches!(
        events[3],
        RequestEvent::Error {
          code: "CALIBRE_ABORTED",
          ..
        }
      ),
      "dropped unfinished"
    );
    trace
      .attempt("GET", "http://h/a", None, 1)
      .unwrap()
      .finish(Ended::Failed {
        code: "CALIBRE_TIMEOUT",
        message: "slow",
      });
    assert_eq!(wakes.load(Ordering::SeqCst), 2, "a new batch wakes again");
    assert!(
      Trace::default()
        .attempt("POST", "http://h", None, 1)
        .is_none(),
      "off: nothing"
    );
  }
}
