//! `diagnostics_channel` events for every HTTP attempt: `calibre-native:request:start`,
//! `calibre-native:request:end` and `calibre-native:request:error`, as undici publishes its own
//! for APM and OpenTelemetry instrumentations.
//!
//! A call queues events only when one of the channels had subscribers as it began (the JS
//! reader of `js::capture_call` tells, in the same call that reads `process.env`; then `queue`);
//! the transport records them on the runtime (`transport::Trace`) and they are published here,
//! on the JS thread of the calling environment: woken by a threadsafe function as they come,
//! and in any case before the call's promise settles (`flush`). The `end` or `error` message of
//! an attempt is its `start` message with fields added, so a subscriber can key a `WeakMap` on it.

use std::cell::RefCell;
use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi::Env;

use crate::transport::{EventQueue, RequestEvent};

/// The channels and the publishing helper of one environment (evaluated once per environment).
/// `undefined` without `process.getBuiltinModule` (Node before 20.16): no events there.
const HELPER: &str = r#"(function () {
  const dc = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:diagnostics_channel') : undefined
  if (dc === undefined) return undefined
  const start = dc.channel('calibre-native:request:start')
  const end = dc.channel('calibre-native:request:end')
  const error = dc.channel('calibre-native:request:error')
  const attempts = new Map()
  return {
    wake: () => {},
    publish(kind, id, fields) {
      if (kind === 0) {
        attempts.set(id, fields)
        if (start.hasSubscribers) start.publish(fields)
        return
      }
      const message = attempts.get(id)
      if (message === undefined) return
      attempts.delete(id)
      Object.assign(message, fields)
      const channel = kind === 1 ? end : error
      if (channel.hasSubscribers) channel.publish(message)
    },
  }
})()"#;

/// What one environment keeps: the helper object, and the queue made the first time a call
/// has subscribers.
struct Channels {
  helper: ObjectRef<false>,
  queue: Option<Arc<EventQueue>>,
}

thread_local! {
  // Per JS environment (main thread or worker): `None` until the first call, then `Some(None)`
  // where diagnostics_channel cannot be reached.
  static CHANNELS: RefCell<Option<Option<Channels>>> = const { RefCell::new(None) };
}

/// The queue of this environment, for a call starting now while a request channel has
/// subscribers (`js::capture_call` said so); `None` where `diagnostics_channel` cannot be
/// reached. Call on the JS thread.
pub fn queue(env: &Env) -> Option<Arc<EventQueue>> {
  CHANNELS.with(|cell| {
    let mut cell = cell.borrow_mut();
    let channels = cell.get_or_insert_with(|| load(env)).as_mut()?;
    if channels.queue.is_none() {
      let helper = channels.helper.get_value(env).ok()?;
      channels.queue = wake_up(&helper).map(|wake| Arc::new(EventQueue::new(wake)));
    }
    channels.queue.clone()
  })
}

fn load(env: &Env) -> Option<Channels> {
  let helper: Unknown = env.run_script(HELPER).ok()?;
  if helper.get_type().ok()? != ValueType::Object {
    return None;
  }
  // SAFETY: checked to be an object just above.
  let helper: Object = unsafe { helper.cast() }.ok()?;
  Some(Channels {
    helper: helper.create_ref().ok()?,
    queue: None,
  })
}

/// A function any thread may call to have this environment's thread publish what is queued.
/// Weak: it does not keep the process alive (a pending call does, and flushes as it settles).
fn wake_up(helper: &Object) -> Option<Box<dyn Fn() + Send + Sync>> {
  let wake: Function<(), Unknown> = helper.get_named_property("wake").ok()?;
  let tsfn = wake
    .build_threadsafe_function::<()>()
    .weak::<true>()
    .callee_handled::<false>()
    .build_callback(|ctx| {
      flush(&ctx.env);
      Ok(())
    })
    .ok()?;
  Some(Box::new(move || {
    tsfn.call((), ThreadsafeFunctionCallMode::NonBlocking);
  }))
}

/// Publishes every queued event of this environment, oldest first. Call on the JS thread.
pub fn flush(env: &Env) {
  let found = CHANNELS.with(|cell| {
    let cell = cell.borrow();
    let channels = cell.as_ref()?.as_ref()?;
    let events = channels.queue.as_ref()?.take();
    (!events.is_empty()).then(|| (channels.helper.get_value(env).ok(), events))
  });
  let Some((Some(helper), events)) = found else {
    return;
  };
  let Ok(publish) =
    helper.get_named_property::<Function<FnArgs<(u32, f64, Object)>, Unknown>>("publish")
  else {
    return;
  };
  for event in events {
    if let Ok((kind, id, fields)) = fields(env, &event) {
      // A subscriber that throws must not break the call or the other events.
      if publish.call((kind, id as f64, fields).into()).is_err() {
        crate::js::clear_exception(env);
      }
    }
  }
}

/// The kind (0 start, 1 end, 2 error), the attempt's id and the fields of its message.
fn fields<'env>(env: &'env Env, event: &RequestEvent) -> Result<(u32, u64, Object<'env>)> {
  let mut fields = Object::new(env)?;
  Ok(match event {
    RequestEvent::Start {
      id,
      method,
      url,
      operation,
      attempt,
    } => {
      fields.set("operationName", operation.as_deref())?;
      fields.set("method", *method)?;
      fields.set("url", url.as_str())?;
      fields.set("attempt", *attempt)?;
      (0, *id, fields)
    }
    RequestEvent::End {
      id,
      status,
      duration_ms,
      bytes,
    } => {
      fields.set("status", u32::from(*status))?;
      fields.set("durationMs", *duration_ms)?;
      fields.set("bytes", *bytes as f64)?;
      (1, *id, fields)
    }
    RequestEvent::Error {
      id,
      code,
      duration_ms,
    } => {
      fields.set("code", *code)?;
      fields.set("durationMs", *duration_ms)?;
      (2, *id, fields)
    }
  })
}

#[cfg(test)]
mod tests {
  /// The helper publishes on the channels whose subscribers `js::capture_call` looks for.
  #[test]
  fn the_helper_publishes_on_the_channels_the_call_checks() {
    for name in crate::js::REQUEST_CHANNELS {
      assert!(super::HELPER.contains(&format!("'{name}'")), "{name}");
    }
  }
}
