//! Cancellation: the flag an `AbortSignal` raises, and running work until it is raised.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

use crate::error::{CalibreError, ErrorCode};

/// Cancellation shared between the JS `AbortSignal` listener and the running call.
#[derive(Default)]
pub struct AbortFlag {
  aborted: AtomicBool,
  notify: Notify,
}

impl AbortFlag {
  pub fn abort(&self) {
    self.aborted.store(true, Ordering::SeqCst);
    self.notify.notify_waiters();
  }

  pub fn is_aborted(&self) -> bool {
    self.aborted.load(Ordering::SeqCst)
  }

  async fn wait(&self) {
    loop {
      let notified = self.notify.notified();
      if self.is_aborted() {
        return;
      }
      notified.await;
    }
  }
}

pub fn aborted_error() -> CalibreError {
  CalibreError::new(
    ErrorCode::Aborted,
    "The call was aborted by its AbortSignal.",
  )
}

/// Runs `work` until it finishes or the flag is raised; dropping `work` cancels any
/// request in flight.
pub async fn abortable<T>(
  abort: Option<&AbortFlag>,
  work: impl Future<Output = Result<T, CalibreError>>,
) -> Result<T, CalibreError> {
  match abort {
    None => work.await,
    Some(flag) => {
      if flag.is_aborted() {
        return Err(aborted_error());
      }
      tokio::select! {
        biased;
        _ = flag.wait() => Err(aborted_error()),
        result = work => result,
      }
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::Arc;
  use std::time::Duration;

  #[tokio::test]
  async fn abort_wins_over_pending_work() {
    let flag = Arc::new(AbortFlag::default());
    let f2 = Arc::clone(&flag);
    tokio::spawn(async move {
      tokio::time::sleep(Duration::from_millis(10)).await;
      f2.abort();
    });
    let result: Result<(), _> = abortable(Some(&flag), std::future::pending()).await;
    assert_eq!(result.unwrap_err().code, ErrorCode::Aborted);
  }
}
