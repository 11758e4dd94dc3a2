//! What every command of `calibre.rs` and `artifacts.rs` shares: the context a command runs in,
//! what it prepares for the runtime, and the one boxed request future.

use std::future::Future;

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
