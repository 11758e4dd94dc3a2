//! The `iterate` helpers (not in calibre@7): an async iterator over every item of a cursor
//! connection, fetched lazily one page per request with the namespace's own `list`
//! operation, following `pageInfo.endCursor` while `hasNextPage`.
//!
//! The object returned has `next()`, `return()` and `[Symbol.asyncIterator]()`, so
//! `for await (const page of Page.iterate({ site }))` works and `break` stops it. The token
//! and arguments are resolved when `iterate()` is called; a problem found then rejects the
//! first `next()` (as an async generator would). No request is made before that `next()`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::{sys, Env, JsValue};
// Explicit import: wins over napi's one-parameter `Result` from the glob above.
use serde_json::{json, Map, Value};
use std::result::Result;
use tokio::sync::Mutex;

use super::vars::{put, required_string};
use crate::call::{self, Call};
use crate::cancel::abortable;
use crate::client::client_of;
use crate::config::ClientConfig;
use crate::error::{CalibreError, ErrorCode};
use crate::graphql::{Extract, Operation};
use crate::js::{self, Args, SignalHook};
use crate::session::{Events, Session};

const DEFAULT_PAGE_SIZE: u64 = 25;

/// What one namespace's `iterate` needs: its `list` operation builder (given
/// `{ site, count, cursor, ...filters }`), whose `Extract::Connection` names the items key.
pub struct Lister {
  /// `"Page.iterate"`, for messages.
  pub function: &'static str,
  /// Other `args` keys passed on to the list operation (`metric` for MetricBudget).
  pub filters: &'static [&'static str],
  /// The `list` function's own operation builder.
  pub build: fn(&Args) -> Result<Operation, CalibreError>,
}

/// Builds the iterator object. Never throws for bad input: that rejects the first `next()`.
pub fn iterate<'env>(
  env: &'env Env,
  this: &This<Unknown>,
  lister: &'static Lister,
  args: Unknown,
  options: Option<Unknown>,
) -> napi::Result<Object<'env>> {
  let client = client_of(this);
  let f = lister.function;
  let (mut hook, mut flag) = (None, None);
  // The pipeline's first steps run now; each `next()` launches the rest.
  let setup = Call::begin(env, Arc::clone(&client), f, options).and_then(|mut call| {
    flag = call.abort_flag();
    hook = call.take_signal();
    let args = Args::object(env, f, args, "{ site, pageSize }")?;
    let page_size = page_size(
      f,
      args
        .get("pageSize")
        .or(call.options.rest.get("pageSize").cloned()),
    )?;
    let mut base = crate::vars! {
      "site" => required_string(&args, "site")?,
      "count" => Some(json!(page_size)),
    };
    for key in lister.filters {
      put(&mut base, key, args.get(key));
    }
    Ok((call.session(None)?, base))
  });
  let events = setup.as_ref().ok().map(|(s, _)| Arc::clone(&s.events));
  let (session, base, error) = match setup {
    Ok((session, base)) => (Some(session), base, None),
    Err(err) => (None, Map::new(), Some(err)),
  };
  let pager = Arc::new(Mutex::new(Pager {
    lister,
    session,
    base,
    error,
    cursor: None,
    buffer: VecDeque::new(),
    finished: false,
  }));
  let state = Rc::new(IterState {
    closed: Arc::new(AtomicBool::new(false)),
    hook: RefCell::new(hook),
    client,
    events,
  });

  let next_state = Rc::clone(&state);
  let next = env.create_function_from_closure::<(), sys::napi_value, _>("next", move |ctx| {
    let state = Rc::clone(&next_state);
    let (pager, flag, closed) = (Arc::clone(&pager), flag.clone(), Arc::clone(&state.closed));
    let step = async move {
      if closed.load(Ordering::SeqCst) {
        return Ok(None);
      }
      abortable(flag.as_deref(), async move {
        pager.lock().await.next_item().await
      })
      .await
    };
    let events = state.events.clone();
    let report_to = Arc::clone(&state.client);
    let report = move |env: &Env, events| call::dispatch(&report_to, env, events);
    // The step's own error settles here too, so the iteration is closed first.
    let step = async move { Ok(step.await) };
    let promise = call::launch(
      ctx.env,
      None,
      events,
      report,
      step,
      move |env, step| match step {
        Ok(Some(item)) => {
          let value = js::parse_result(env, &item)?;
          result(env, Some(value), false).map_err(unexpected)
        }
        Ok(None) => {
          state.close(env);
          result(env, None, true).map_err(unexpected)
        }
        Err(err) => {
          state.close(env);
          Err(err)
        }
      },
    )?;
    Ok(promise.raw())
  })?;

  let return_state = Rc::clone(&state);
  let stop = env.create_function_from_closure::<(), sys::napi_value, _>("return", move |ctx| {
    return_state.close(ctx.env);
    let value = match ctx.length() {
      0 => None,
      _ => Some(ctx.get::<Unknown>(0)?),
    };
    let done = result(ctx.env, value, true)?;
    // `Promise` and `Symbol` are functions: read them unchecked as objects.
    let promise: Object = ctx
      .env
      .get_global()?
      .get_named_property_unchecked("Promise")?;
    let resolve: Function<Unknown, Unknown> = promise.get_named_property("resolve")?;
    Ok(resolve.apply(promise, done)?.raw())
  })?;

  let itself = env
    .create_function_from_closure::<(), sys::napi_value, _>("[Symbol.asyncIterator]", |ctx| {
      Ok(ctx.this::<Unknown>()?.raw())
    })?;

  let mut iterator = Object::new(env)?;
  iterator.set("next", next)?;
  iterator.set("return", stop)?;
  let symbol: Object = env.get_global()?.get_named_property_unchecked("Symbol")?;
  let async_iterator: Unknown = symbol.get_named_property("asyncIterator")?;
  iterator.set_property(async_iterator, itself)?;
  Ok(iterator)
}

/// `{ value, done }` (`value: undefined` for `None`).
fn result<'env>(env: &'env Env, value: Option<Unknown>, done: bool) -> napi::Result<Unknown<'env>> {
  let mut out = Object::new(env)?;
  match value {
    Some(value) => out.set("value", value)?,
    None => out.set("value", ())?,
  }
  out.set("done", done)?;
  Ok(out.to_unknown())
}

/// A failure to build the `{ value, done }` object (out of memory?).
fn unexpected(err: napi::Error) -> CalibreError {
  CalibreError::new(
    ErrorCode::InvalidResponse,
    format!(
      "The result could not be handed to JavaScript: {}",
      err.reason
    ),
  )
}

/// `pageSize`: a positive integer, default 25.
fn page_size(function: &'static str, value: Option<Value>) -> Result<u64, CalibreError> {
  match value {
    None | Some(Value::Null) => Ok(DEFAULT_PAGE_SIZE),
    Some(v) => v.as_u64().filter(|n| *n > 0).ok_or_else(|| {
      CalibreError::invalid_argument(
        function,
        format!("`pageSize` must be a positive integer (at most 500), got {v}."),
      )
    }),
  }
}

/// JS-thread side of one iterator.
struct IterState {
  /// Set once the iteration ended (done, error, abort or `return()`).
  closed: Arc<AtomicBool>,
  /// The `abort` listener on the caller's signal, removed when the iteration ends. (An
  /// iterator abandoned half-way keeps it until the signal is collected.)
  hook: RefCell<Option<SignalHook>>,
  client: Arc<ClientConfig>,
  /// Token events of the session (an automatic refresh), reported after each `next()`.
  events: Option<Events>,
}

impl IterState {
  fn close(&self, env: &Env) {
    self.closed.store(true, Ordering::SeqCst);
    if let Some(hook) = self.hook.borrow_mut().take() {
      hook.detach(env);
    }
  }
}

/// The fetching side, shared by the `next()` calls (the lock queues overlapping ones).
struct Pager {
  lister: &'static Lister,
  session: Option<Session>,
  /// `{ site, count, ...filters }`; `cursor` is added per page.
  base: Map<String, Value>,
  /// A problem found by `iterate()`: the first `next()` rejects with it.
  error: Option<CalibreError>,
  cursor: Option<Value>,
  buffer: VecDeque<Value>,
  finished: bool,
}

impl Pager {
  /// The next item as JSON text, fetching pages as needed; `None` at the end.
  async fn next_item(&mut self) -> Result<Option<String>, CalibreError> {
    if let Some(err) = self.error.take() {
      self.finished = true;
      return Err(err);
    }
    loop {
      if let Some(item) = self.buffer.pop_front() {
        return Ok(Some(item.to_string()));
      }
      let Some(session) = self.session.as_ref().filter(|_| !self.finished) else {
        return Ok(None);
      };
      let mut variables = self.base.clone();
      put(&mut variables, "cursor", self.cursor.clone());
      let op = (self.lister.build)(&Args::from_map(self.lister.function, variables))?;
      let Extract::Connection { items, .. } = op.extract else {
        unreachable!(
          "{}: a list operation extracts a connection",
          self.lister.function
        )
      };
      let page = session.execute_value(&op).await.inspect_err(|_| {
        self.finished = true;
      })?;
      self.take_page(page, items);
    }
  }

  /// Buffers a page's items (under the connection's `items` key) and moves the cursor on (or
  /// finishes).
  fn take_page(&mut self, mut page: Value, items_key: &str) {
    if let Some(Value::Array(items)) = page.get_mut(items_key).map(Value::take) {
      self.buffer.extend(items);
    }
    let info = &page["pageInfo"];
    let end = info["endCursor"]
      .as_str()
      .map(|c| Value::String(c.to_owned()));
    // A missing or repeated cursor would fetch the same page forever: stop there.
    if info["hasNextPage"] == Value::Bool(true) && end.is_some() && end != self.cursor {
      self.cursor = end;
    } else {
      self.finished = true;
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn build(args: &Args) -> Result<Operation, CalibreError> {
    let variables = crate::vars! { "site" => args.get("site"), "cursor" => args.get("cursor") };
    Ok(Operation::new(
      "query",
      variables,
      Extract::Connection {
        path: &["organisation", "site", "pagesList"],
        items: "pages",
      },
    ))
  }

  static LISTER: Lister = Lister {
    function: "Page.iterate",
    filters: &[],
    build,
  };

  fn pager() -> Pager {
    Pager {
      lister: &LISTER,
      session: None,
      base: Map::new(),
      error: None,
      cursor: None,
      buffer: VecDeque::new(),
      finished: false,
    }
  }

  #[test]
  fn follows_end_cursor_while_has_next_page() {
    let mut p = pager();
    p.take_page(
      json!({"pages": [1, 2], "pageInfo": {"hasNextPage": true, "endCursor": "c1"}}),
      "pages",
    );
    assert_eq!(p.buffer.len(), 2);
    assert_eq!(p.cursor, Some(json!("c1")));
    assert!(!p.finished);
    // The same cursor again would loop: finish.
    p.take_page(
      json!({"pages": [], "pageInfo": {"hasNextPage": true, "endCursor": "c1"}}),
      "pages",
    );
    assert!(p.finished);
    let mut p = pager();
    p.take_page(
      json!({"pages": [3], "pageInfo": {"hasNextPage": false, "endCursor": "c2"}}),
      "pages",
    );
    assert!(p.finished);
    assert_eq!(p.cursor, None);
  }

  #[test]
  fn page_size_defaults_and_validates() {
    assert_eq!(page_size("f", None).unwrap(), 25);
    assert_eq!(page_size("f", Some(json!(100))).unwrap(), 100);
    for bad in [json!(0), json!(-1), json!(1.5), json!("10")] {
      assert!(page_size("f", Some(bad)).is_err());
    }
  }
}
