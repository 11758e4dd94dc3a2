//! What every command of `calibre.rs` and `artifacts.rs` shares: the context a command runs in,
//! what it prepares for the runtime, and the one boxed request future.

use std::future::Future;
use std::time::Duration;

use serde_json::Value;

use super::term::Term;
use super::Job;
use crate::call::Call;
use crate::error::CalibreError;
use crate::graphql::Operation;
use crate::session::{self, Session};

pub type Prepared = Result<(Job, Option<session::Events>), CalibreError>;

/// What every command needs, on the JS thread: the call (the default client and a snapshot
/// of `process.env`), the terminal, and the JS environment (for local time, as JS `Date`).
pub struct Ctx<'a> {
  pub call: &'a Call,
  pub term: Term,
  pub js: napi::Env,
}

/// `session.execute_value(op)`, boxed: the request machinery is compiled once for the CLI
/// rather than into each command's future (~10 KB of the addon per command).
pub fn execute<'a>(
  session: &'a Session,
  op: &'a Operation,
) -> std::pin::Pin<Box<dyn Future<Output = Result<Value, CalibreError>> + Send + 'a>> {
  Box::pin(session.execute_value(op))
}

/// `90s`, `20m`, `500ms`; a bare number is seconds.
pub fn parse_duration(function: &str, flag: &str, raw: &str) -> Result<Duration, CalibreError> {
  let raw = raw.trim();
  if let Ok(seconds) = raw.parse::<f64>() {
    if seconds.is_finite() && seconds >= 0.0 {
      return Duration::try_from_secs_f64(seconds).map_err(|_| {
        CalibreError::invalid_argument(function, format!("{flag} {raw:?} is too long a duration."))
      });
    }
  }
  humantime::parse_duration(raw).map_err(|e| {
    CalibreError::invalid_argument(
      function,
      format!("{flag} {raw:?} is not a duration ({e}); e.g. 90s, 20m, 500ms, or seconds."),
    )
  })
}

/// Local time on the JS thread: `new Date(text)`'s local fields, as calibre@7's date-fns
/// `format` reads them (`process.env.TZ` counts, on every platform).
pub struct Clock<'a> {
  js: &'a napi::Env,
}

impl Clock<'_> {
  pub fn new(js: &napi::Env) -> Clock<'_> {
    Clock { js }
  }

  /// `new Date(value)`'s local fields; `None` for an invalid date.
  pub fn local(&self, value: Option<&Value>) -> Option<super::formatters::LocalFields> {
    let literal = match value {
      None => "undefined".to_owned(),
      Some(v) => serde_json::to_string(v).ok()?,
    };
    let script = format!(
      "(() => {{ const d = new Date({literal}); return isNaN(d) ? '' : [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()].join(',') }})()"
    );
    let text = self.js.run_script::<_, String>(script).ok()?;
    let fields: Vec<i32> = text.split(',').filter_map(|f| f.parse().ok()).collect();
    fields.try_into().ok()
  }
}

/// What a command prints once its result is in, run on the JS thread (for local time).
pub type Render = Box<dyn FnOnce(&Clock) + Send>;

/// The one command a `calibre-native` process runs leaves its output here for the JS thread.
static LATER: std::sync::Mutex<Option<Render>> = std::sync::Mutex::new(None);

/// Leaves `render` for the JS thread (see `finish`).
pub fn later(render: Render) {
  *LATER.lock().unwrap_or_else(|p| p.into_inner()) = Some(render);
}

/// Runs what the command left (on the JS thread, when its job is done).
pub fn finish(js: &napi::Env) {
  let render = LATER.lock().unwrap_or_else(|p| p.into_inner()).take();
  if let Some(render) = render {
    render(&Clock::new(js));
  }
}
