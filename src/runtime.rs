//! The tokio runtime behind every call, built on the first call rather than at load.
//!
//! Loading the addon starts no thread: a script that only imports the package (or the CLI
//! printing its help) pays nothing for the runtime, and a process that made no call has none
//! to shut down at exit. One worker thread (unless `TOKIO_WORKER_THREADS` asks for more):
//! Node runs JavaScript on one thread, a request costs the worker microseconds, and bodies
//! over 1 MB are decoded off it (`Session::execute`). napi's default, one worker per core,
//! was ~10 µs slower per sequential request on 2 cores (tasks and their I/O wake-ups bounce
//! between workers). See bench/NOTES.md.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{LazyLock, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;

/// The stack of every thread the addon starts, given explicitly: without a size, std's first
/// spawn reads `RUST_MIN_STACK` with getenv, off the JS thread (see env.rs).
pub const THREAD_STACK_SIZE: usize = 2 * 1024 * 1024;

/// The process-wide runtime (shared by every Node environment: main thread and workers).
/// `worker_threads` reads `TOKIO_WORKER_THREADS` of the caller's environment; it is asked
/// only when the runtime is built.
pub fn get(worker_threads: impl FnOnce() -> Option<String>) -> std::io::Result<&'static Runtime> {
  static RUNTIME: OnceLock<Runtime> = OnceLock::new();
  if let Some(runtime) = RUNTIME.get() {
    return Ok(runtime);
  }
  let runtime = build(worker_threads())?;
  // Two environments racing here: the loser's runtime is dropped (it has run nothing).
  Ok(RUNTIME.get_or_init(|| runtime))
}

fn build(worker_threads: Option<String>) -> std::io::Result<Runtime> {
  // The worker outlives any one environment: keep this image mapped even if Node unloads the
  // addon when the worker thread that loaded it exits.
  napi::bindgen_prelude::retain_current_module_for_unload_safety();
  // Given explicitly, so tokio does not read TOKIO_WORKER_THREADS from the process itself.
  let workers = worker_threads
    .and_then(|n| n.trim().parse::<usize>().ok())
    .filter(|n| *n > 0)
    .unwrap_or(1);
  tokio::runtime::Builder::new_multi_thread()
    .worker_threads(workers)
    .thread_name("calibre-native")
    .thread_stack_size(THREAD_STACK_SIZE)
    .enable_all()
    .build()
}

/// A future that turns a panic while polling `F` into `Err(payload)`, so a bug rejects the
/// call's promise instead of leaving it pending forever.
pub struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> CatchUnwind<F> {
  pub fn new(future: F) -> Self {
    CatchUnwind(Box::pin(future))
  }
}

impl<F: Future> Future for CatchUnwind<F> {
  type Output = Result<F::Output, Box<dyn Any + Send>>;

  fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
    let inner = self.0.as_mut();
    match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
      Ok(Poll::Pending) => Poll::Pending,
      Ok(Poll::Ready(out)) => Poll::Ready(Ok(out)),
      Err(payload) => Poll::Ready(Err(payload)),
    }
  }
}

/// The message of a panic payload (`panic!` with a literal or a formatted string).
pub fn panic_message(payload: &(dyn Any + Send)) -> &str {
  payload
    .downcast_ref::<&str>()
    .copied()
    .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
    .unwrap_or("unknown panic")
}

/// How long the runtime's worker stays awake after a call completes (see `stay_awake`).
const STAY_AWAKE: Duration = Duration::from_micros(250);

/// Keeps the runtime's worker busy for `STAY_AWAKE` after the last call completed, polling
/// its I/O and queue instead of going to sleep. A caller awaiting one call after another
/// issues the next within microseconds; finding the worker awake saves two thread wake-ups
/// (for the new task, then for its response), which cost ~20 µs each on a VM: sequential
/// calls on loopback took ~100 µs instead of ~220 µs. Bounded: one spinner at most, stopping
/// `STAY_AWAKE` after the last completion, so at the API's 10 requests per 1.1 s it costs
/// ~0.2% of a core. Each turn of the spin also yields the OS thread (`sched_yield`): on a
/// machine with few cores, the caller's JS thread and the server it talks to need a core while
/// the worker waits, and a spinner that never yields took it from them (sequential calls on a
/// 2-core VM were ~1.4-1.7x faster with the yield). Call it from a task on the runtime. See
/// bench/NOTES.md.
pub fn stay_awake() {
  static EPOCH: LazyLock<Instant> = LazyLock::new(Instant::now);
  static UNTIL_NS: AtomicU64 = AtomicU64::new(0);
  static SPINNING: AtomicBool = AtomicBool::new(false);
  let now = || EPOCH.elapsed().as_nanos() as u64;
  UNTIL_NS.fetch_max(now() + STAY_AWAKE.as_nanos() as u64, SeqCst);
  if SPINNING.swap(true, SeqCst) {
    return;
  }
  tokio::spawn(async move {
    loop {
      while now() < UNTIL_NS.load(SeqCst) {
        // Let another runnable thread have this core first; idle, this returns at once.
        std::thread::yield_now();
        tokio::task::yield_now().await;
      }
      SPINNING.store(false, SeqCst);
      // A completion may have moved the deadline after the loop ended and before the store.
      if now() >= UNTIL_NS.load(SeqCst) || SPINNING.swap(true, SeqCst) {
        break;
      }
    }
  });
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn the_runtime_is_built_once_and_runs_tasks() {
    let runtime = get(|| None).expect("runtime");
    assert!(std::ptr::eq(runtime, get(|| None).expect("runtime")));
    assert_eq!(runtime.block_on(async { 2 + 2 }), 4);
  }

  #[tokio::test]
  async fn a_panic_while_polling_becomes_an_error() {
    let ok = CatchUnwind::new(async { 7 }).await;
    assert_eq!(ok.ok(), Some(7));
    let failed = CatchUnwind::new(async {
      if std::hint::black_box(true) {
        panic!("broken invariant {}", 42);
      }
    })
    .await;
    let payload = failed.expect_err("the panic is caught");
    assert_eq!(panic_message(payload.as_ref()), "broken invariant 42");
  }
}
