//! The polling loop behind `Test.waitForTest` and `PullRequestReview.waitForReviewCompletion`.
//!
//! calibre@7: sleep 5000 ms, then fetch; stop once `status` is `completed`, `errored` or
//! `timeout`; no bound. Here the sleep is `intervalMs` (default 5000), `timeoutMs` bounds the
//! whole wait (`CALIBRE_TIMEOUT`, naming the last status seen) and the caller's signal aborts
//! it (the `run` pipeline races the whole future against it, sleeps included).

use std::future::Future;
use std::time::Duration;

use serde_json::Value;
use tokio::time::{sleep_until, timeout_at, Instant};

use crate::error::{CalibreError, ErrorCode};
use crate::js::CallOptions;

/// Statuses after which a test or review no longer changes.
pub const TERMINAL: [&str; 3] = ["completed", "errored", "timeout"];

/// calibre@7's fixed sleep before each poll.
const DEFAULT_INTERVAL: Duration = Duration::from_millis(5000);

/// How to poll: `intervalMs` and the whole-wait bound `timeoutMs` of the options.
pub struct Wait {
  pub interval: Duration,
  pub limit: Option<Duration>,
}

impl Wait {
  pub fn from_options(function: &str, options: &CallOptions) -> Result<Wait, CalibreError> {
    let interval = match options.rest.get("intervalMs") {
      None | Some(Value::Null) => DEFAULT_INTERVAL,
      Some(v) => match v.as_f64() {
        Some(ms) if ms >= 0.0 && ms.is_finite() => Duration::from_millis(ms as u64),
        _ => {
          return Err(CalibreError::invalid_argument(
            function,
            "`intervalMs` must be a number of milliseconds (0 or more).",
          ))
        }
      },
    };
    Ok(Wait {
      interval,
      limit: options.timeout,
    })
  }

  /// Sleeps, then `fetch`es the current item, until its `status` is terminal; resolves to that
  /// item's JSON text. `fetch` may return `null` (nothing yet: keep polling).
  pub async fn until_terminal<F, Fut>(
    &self,
    function: &str,
    mut fetch: F,
  ) -> Result<String, CalibreError>
  where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Value, CalibreError>>,
  {
    let start = Instant::now();
    // A limit past what an `Instant` can hold is no limit.
    let deadline = self.limit.and_then(|limit| start.checked_add(limit));
    let mut polls = 0u32;
    let mut last: Option<String> = None;
    let timed_out = |polls: u32, last: &Option<String>| {
      let seen = match last {
        Some(status) => format!("the last status was {status:?}"),
        None if polls == 0 => "no status seen yet".to_owned(),
        None => "nothing was found yet".to_owned(),
      };
      CalibreError::new(
        ErrorCode::Timeout,
        format!(
          "{function}: gave up after {} ms (`timeoutMs`) and {polls} completed poll(s); {seen}. Raise `timeoutMs` to wait longer.",
          start.elapsed().as_millis()
        ),
      )
    };
    loop {
      let wake = Instant::now() + self.interval;
      match deadline {
        Some(deadline) if wake >= deadline => {
          sleep_until(deadline).await;
          return Err(timed_out(polls, &last));
        }
        _ => sleep_until(wake).await,
      }
      let item = match deadline {
        Some(deadline) => match timeout_at(deadline, fetch()).await {
          Ok(item) => item?,
          Err(_) => return Err(timed_out(polls, &last)),
        },
        None => fetch().await?,
      };
      polls += 1;
      match item.get("status").and_then(Value::as_str) {
        Some(status) if TERMINAL.contains(&status) => return Ok(item.to_string()),
        Some(status) => last = Some(status.to_owned()),
        None => last = None,
      }
    }
  }
}

/// The not-found error for a `null` where the wait needs an item (calibre@7 crashed with a
/// `TypeError` reading `status`).
pub fn not_found(function: &str, what: &str) -> CalibreError {
  CalibreError::new(
    ErrorCode::GraphqlError,
    format!(
      "{function}: Calibre returned no `{what}`; the item asked for was not found or this token cannot see it."
    ),
  )
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;
  use std::sync::atomic::{AtomicU32, Ordering};

  fn wait(interval: u64, limit: Option<u64>) -> Wait {
    Wait {
      interval: Duration::from_millis(interval),
      limit: limit.map(Duration::from_millis),
    }
  }

  #[tokio::test(start_paused = true)]
  async fn sleeps_before_each_poll_and_stops_at_a_terminal_status() {
    let polls = AtomicU32::new(0);
    let start = Instant::now();
    let statuses = ["queued", "running", "completed"];
    let result = wait(5000, None)
      .until_terminal("Test.waitForTest", || {
        let n = polls.fetch_add(1, Ordering::SeqCst) as usize;
        async move { Ok(json!({"status": statuses[n]})) }
      })
      .await
      .unwrap();
    assert_eq!(result, r#"{"status":"completed"}"#);
    assert_eq!(polls.load(Ordering::SeqCst), 3);
    assert_eq!(start.elapsed(), Duration::from_millis(15000));
  }

  #[tokio::test(start_paused = true)]
  async fn keeps_polling_on_null_and_times_out_with_the_last_status() {
    let polls = AtomicU32::new(0);
    let err = wait(1000, Some(3500))
      .until_terminal("PullRequestReview.waitForReviewCompletion", || {
        let n = polls.fetch_add(1, Ordering::SeqCst);
        async move {
          Ok(if n == 0 {
            Value::Null
          } else {
            json!({"status": "running"})
          })
        }
      })
      .await
      .unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
    assert!(err.message.contains("3500 ms"), "{}", err.message);
    assert!(
      err.message.contains("3 completed poll(s)"),
      "{}",
      err.message
    );
    assert!(err.message.contains("\"running\""), "{}", err.message);
  }

  #[tokio::test(start_paused = true)]
  async fn a_fetch_error_ends_the_wait() {
    let err = wait(10, None)
      .until_terminal("Test.waitForTest", || async {
        Err(not_found("Test.waitForTest", "organisation.singlePageTest"))
      })
      .await
      .unwrap_err();
    assert_eq!(err.code, ErrorCode::GraphqlError);
  }
}
