//! The request-start throttle: calibre@7's sliding window of starts, and the pause when the
//! API says its rate limit is spent.

use std::collections::VecDeque;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::request::{header_seconds, RawResponse};
use crate::error::{CalibreError, ErrorCode};

/// Longest pause honoured for `RateLimit-Remaining: 0`: one bogus `RateLimit-Reset` must not
/// stall every client of the process for long (the same bound as a retry's longest wait).
pub const MAX_RATE_LIMIT_PAUSE: Duration = Duration::from_secs(20);

/// A sliding window on request starts: at most `limit` starts in any `interval`
/// (calibre@7 uses 10 per 1100 ms, process-wide). It also pauses every start when the
/// server says the rate-limit budget is spent (`RateLimit-Remaining: 0`) until its reset,
/// at most `MAX_RATE_LIMIT_PAUSE`. Calls start in the order they asked, as with calibre@7's
/// p-throttle, so a call's wait is bounded by the calls ahead of it.
pub struct Throttle {
  limit: usize,
  interval: Duration,
  /// Waiters queue here in arrival order (tokio's mutex is fair); only the head watches
  /// the clock, so a later caller can never overtake an earlier one.
  queue: tokio::sync::Mutex<()>,
  state: Mutex<ThrottleState>,
}

#[derive(Default)]
struct ThrottleState {
  starts: VecDeque<Instant>,
  paused_until: Option<Instant>,
}

impl Throttle {
  pub fn new(limit: u32, interval: Duration) -> Self {
    Throttle {
      limit: limit.max(1) as usize,
      interval,
      queue: tokio::sync::Mutex::new(()),
      state: Mutex::new(ThrottleState::default()),
    }
  }

  /// calibre@7's policy, shared by every client that does not configure its own.
  pub fn process_wide() -> Arc<Throttle> {
    static SHARED: LazyLock<Arc<Throttle>> =
      LazyLock::new(|| Arc::new(Throttle::new(10, Duration::from_millis(1100))));
    Arc::clone(&SHARED)
  }

  /// Waits for a free slot, behind every earlier caller, and records the start. Dropping
  /// the future (timeout, abort) leaves the queue.
  pub async fn acquire(&self) {
    let _turn = self.queue.lock().await;
    loop {
      let wait_until = {
        let mut state = self.state.lock().expect("throttle lock");
        let now = Instant::now();
        match state.paused_until {
          Some(until) if until > now => until,
          _ => {
            state.paused_until = None;
            while state
              .starts
              .front()
              .is_some_and(|t| now.duration_since(*t) >= self.interval)
            {
              state.starts.pop_front();
            }
            if state.starts.len() < self.limit {
              state.starts.push_back(now);
              return;
            }
            state.starts[state.starts.len() - self.limit] + self.interval
          }
        }
      };
      tokio::time::sleep_until(wait_until).await;
    }
  }

  /// `acquire`, giving up after `timeout` with `CALIBRE_TIMEOUT`: the wait for the throttle
  /// counts towards a call's `timeoutMs`. Returns the time left for the request itself.
  pub async fn acquire_within(
    &self,
    timeout: Duration,
    url: &str,
  ) -> Result<Duration, CalibreError> {
    let started = Instant::now();
    if tokio::time::timeout(timeout, self.acquire()).await.is_err() {
      let why = if self.is_paused() {
        "the API reported its rate limit spent (RateLimit-Remaining: 0), so requests wait for its reset"
      } else {
        "more calls were queued ahead of it than the throttle starts in that time"
      };
      return Err(CalibreError::new(
        ErrorCode::Timeout,
        format!(
          "Waited {} ms for the request throttle without sending anything to {}: {why}. Raise `timeoutMs`, or make fewer calls at once.",
          timeout.as_millis(),
          url.split('?').next().unwrap_or(url)
        ),
      ));
    }
    Ok(timeout.saturating_sub(started.elapsed()))
  }

  /// Whether starts are paused for the rate limit now.
  pub(super) fn is_paused(&self) -> bool {
    let state = self.state.lock().expect("throttle lock");
    state
      .paused_until
      .is_some_and(|until| until > Instant::now())
  }

  /// Reads `RateLimit-Remaining` / `RateLimit-Reset` (seconds) and pauses at zero; returns
  /// the pause it asked for.
  pub fn observe(&self, response: &RawResponse) -> Option<Duration> {
    let remaining = response
      .header("ratelimit-remaining")
      .and_then(|v| v.trim().parse::<u64>().ok());
    let reset = response
      .header("ratelimit-reset")
      .and_then(|v| v.trim().parse::<f64>().ok())
      .filter(|s| s.is_finite());
    if let (Some(0), Some(reset)) = (remaining, reset) {
      let pause = header_seconds(reset).min(MAX_RATE_LIMIT_PAUSE);
      let until = Instant::now() + pause;
      let mut state = self.state.lock().expect("throttle lock");
      if state.paused_until.is_none_or(|p| p < until) {
        state.paused_until = Some(until);
      }
      return Some(pause);
    }
    None
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[tokio::test(start_paused = true)]
  async fn throttle_allows_limit_starts_per_interval() {
    let throttle = Throttle::new(10, Duration::from_millis(1100));
    let t0 = Instant::now();
    let mut starts = Vec::new();
    for _ in 0..25 {
      throttle.acquire().await;
      starts.push(t0.elapsed().as_millis());
    }
    assert!(starts[..10].iter().all(|&t| t == 0));
    assert!(starts[10..20].iter().all(|&t| t == 1100));
    assert!(starts[20..].iter().all(|&t| t == 2200));
  }

  #[tokio::test(start_paused = true)]
  async fn rate_limit_remaining_zero_pauses_starts() {
    let throttle = Throttle::new(10, Duration::from_millis(1100));
    throttle.acquire().await;
    let spent = RawResponse {
      status: 200,
      headers: vec![
        ("ratelimit-remaining".into(), "0".into()),
        ("ratelimit-reset".into(), "2".into()),
      ],
      body: vec![],
    };
    throttle.observe(&spent);
    let t0 = Instant::now();
    throttle.acquire().await;
    assert_eq!(t0.elapsed().as_millis(), 2000);
  }

  /// Serves one request on a loopback port with `body` sent as `Content-Encoding: encoding`;
  /// the task resolves to the request head it read.

  #[tokio::test(start_paused = true)]
  async fn throttle_starts_callers_in_the_order_they_came() {
    let throttle = Arc::new(Throttle::new(3, Duration::from_millis(100)));
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for i in 0..40 {
      let (throttle, order) = (Arc::clone(&throttle), Arc::clone(&order));
      tasks.push(tokio::spawn(async move {
        throttle.acquire().await;
        order.lock().unwrap().push(i);
      }));
      // Let this caller reach the queue before the next one is spawned.
      tokio::task::yield_now().await;
    }
    for task in tasks {
      task.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), (0..40).collect::<Vec<_>>());
  }

  #[tokio::test(start_paused = true)]
  async fn a_newcomer_does_not_overtake_a_waiting_caller() {
    let throttle = Arc::new(Throttle::new(1, Duration::from_millis(100)));
    throttle.acquire().await;
    let order = Arc::new(Mutex::new(Vec::new()));
    let waiting = {
      let (throttle, order) = (Arc::clone(&throttle), Arc::clone(&order));
      tokio::spawn(async move {
        throttle.acquire().await;
        order.lock().unwrap().push("waiting");
      })
    };
    tokio::task::yield_now().await;
    // The slot frees now; the newcomer asks before the sleeping waiter has woken.
    tokio::time::advance(Duration::from_millis(100)).await;
    throttle.acquire().await;
    order.lock().unwrap().push("newcomer");
    waiting.await.unwrap();
    assert_eq!(*order.lock().unwrap(), ["waiting", "newcomer"]);
  }

  #[tokio::test(start_paused = true)]
  async fn a_huge_rate_limit_reset_is_capped() {
    let throttle = Throttle::new(10, Duration::from_millis(1100));
    let spent = RawResponse {
      status: 200,
      headers: vec![
        ("ratelimit-remaining".into(), "0".into()),
        ("ratelimit-reset".into(), "999999".into()),
      ],
      body: vec![],
    };
    throttle.observe(&spent);
    let t0 = Instant::now();
    throttle.acquire().await;
    assert_eq!(t0.elapsed(), MAX_RATE_LIMIT_PAUSE);
  }

  #[tokio::test(start_paused = true)]
  async fn the_throttle_wait_counts_towards_the_timeout() {
    let throttle = Throttle::new(10, Duration::from_millis(1100));
    throttle.observe(&RawResponse {
      status: 200,
      headers: vec![
        ("ratelimit-remaining".into(), "0".into()),
        ("ratelimit-reset".into(), "10".into()),
      ],
      body: vec![],
    });
    let t0 = Instant::now();
    let err = throttle
      .acquire_within(Duration::from_secs(2), "http://h/graphql")
      .await
      .unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
    assert!(
      err.message.contains("RateLimit-Remaining"),
      "{}",
      err.message
    );
    assert_eq!(t0.elapsed(), Duration::from_secs(2));
    // The timed-out caller left the queue: the next one is not stuck behind it.
    let left = throttle
      .acquire_within(Duration::from_secs(60), "http://h/graphql")
      .await
      .unwrap();
    assert_eq!(t0.elapsed(), Duration::from_secs(10));
    assert_eq!(left, Duration::from_secs(52));
  }
}
