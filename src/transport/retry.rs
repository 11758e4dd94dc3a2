//! What may be retried and after how long: full-jitter backoff, the server's own hints.

use std::time::Duration;

use super::request::{Failure, RawResponse};
use crate::error::ErrorCode;

/// When to try again: full-jitter exponential backoff (AWS "standard" style).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
  /// Retries after the first attempt (0 = never retry).
  pub max_retries: u32,
  pub base: Duration,
  /// Longest single wait; a server asking for longer is not retried.
  pub cap: Duration,
}

impl RetryPolicy {
  pub const DEFAULT: RetryPolicy = RetryPolicy {
    max_retries: 3,
    base: Duration::from_millis(500),
    cap: Duration::from_secs(20),
  };
  pub const NONE: RetryPolicy = RetryPolicy {
    max_retries: 0,
    base: Duration::ZERO,
    cap: Duration::ZERO,
  };

  /// The wait before retry number `retry` (1-based), or `None` to stop. `idempotent` is
  /// false for mutations: those are retried only where the server cannot have acted on
  /// them (no connection, 429, 503 with Retry-After).
  pub fn delay(
    &self,
    outcome: &Result<RawResponse, Failure>,
    idempotent: bool,
    retry: u32,
  ) -> Option<Duration> {
    if retry > self.max_retries {
      return None;
    }
    let hint = match outcome {
      Ok(response) => {
        let hint = server_wait_hint(response);
        let retryable = match response.status {
          429 => true,
          // Only Retry-After says the server did not act on it; RateLimit-* come on every answer.
          503 => idempotent || response.header("retry-after").is_some(),
          502 | 504 => idempotent,
          _ => false,
        };
        if !retryable {
          return None;
        }
        hint
      }
      Err(failure) => {
        if failure.permanent {
          return None;
        }
        let network = failure.error.code == ErrorCode::NetworkError;
        if !(network && (failure.not_connected || (idempotent && failure.before_response))) {
          return None;
        }
        None
      }
    };
    match hint {
      Some(wait) if wait > self.cap => None,
      Some(wait) => Some(wait),
      None => {
        let ceiling = self
          .base
          .saturating_mul(1u32 << (retry - 1).min(20))
          .min(self.cap);
        Some(ceiling.mul_f64(fastrand::f64()))
      }
    }
  }
}

/// `Retry-After` (seconds or an HTTP date), else `RateLimit-Reset` (seconds) when the quota
/// is spent (a 429, or `RateLimit-Remaining: 0`): with quota left, the reset of the quota
/// window says nothing about when a failing server is back.
pub(super) fn server_wait_hint(response: &RawResponse) -> Option<Duration> {
  if let Some(value) = response.header("retry-after").map(str::trim) {
    if let Ok(seconds) = value.parse::<f64>() {
      return Some(header_seconds(seconds));
    }
    if let Ok(date) = httpdate::parse_http_date(value) {
      return Some(
        date
          .duration_since(std::time::SystemTime::now())
          .unwrap_or(Duration::ZERO),
      );
    }
  }
  let spent = response.status == 429
    || response
      .header("ratelimit-remaining")
      .and_then(|v| v.trim().parse::<u64>().ok())
      == Some(0);
  if !spent {
    return None;
  }
  response
    .header("ratelimit-reset")
    .and_then(|v| v.trim().parse::<f64>().ok())
    .map(header_seconds)
}

/// Seconds a server sent, as a wait: negative is none, and a value too large for a
/// `Duration` (`1e20`, `inf`) saturates instead of panicking; callers cap it.
pub(super) fn header_seconds(seconds: f64) -> Duration {
  Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::error::CalibreError;
  use crate::transport::Throttle;

  fn response(status: u16, headers: &[(&str, &str)]) -> Result<RawResponse, Failure> {
    Ok(RawResponse {
      status,
      headers: headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
      body: Vec::new(),
    })
  }

  fn network(not_connected: bool, before_response: bool) -> Result<RawResponse, Failure> {
    Err(Failure {
      error: CalibreError::new(ErrorCode::NetworkError, "x"),
      not_connected,
      before_response,
      permanent: false,
    })
  }

  #[test]
  fn retries_only_what_is_safe() {
    let p = RetryPolicy::DEFAULT;
    for status in [429, 502, 503, 504] {
      assert!(
        p.delay(&response(status, &[]), true, 1).is_some(),
        "query {status}"
      );
    }
    for status in [400, 401, 403, 404, 500] {
      assert!(
        p.delay(&response(status, &[]), true, 1).is_none(),
        "query {status}"
      );
    }
    assert!(
      p.delay(&response(429, &[]), false, 1).is_some(),
      "mutation 429"
    );
    assert!(
      p.delay(&response(503, &[]), false, 1).is_none(),
      "mutation 503 without Retry-After"
    );
    assert!(
      p.delay(&response(503, &[("Retry-After", "1")]), false, 1)
        .is_some(),
      "mutation 503 with Retry-After"
    );
    assert!(
      p.delay(
        &response(
          503,
          &[("RateLimit-Remaining", "9"), ("RateLimit-Reset", "1")]
        ),
        false,
        1
      )
      .is_none(),
      "mutation 503 with only the quota headers every answer carries"
    );
    assert!(
      p.delay(&response(502, &[]), false, 1).is_none(),
      "mutation 502"
    );
    assert!(
      p.delay(&network(true, true), false, 1).is_some(),
      "refused mutation"
    );
    assert!(
      p.delay(&network(false, true), false, 1).is_none(),
      "mutation sent, no answer"
    );
    assert!(
      p.delay(&network(false, true), true, 1).is_some(),
      "query sent, no answer"
    );
    let mut untrusted = network(true, true);
    if let Err(failure) = &mut untrusted {
      failure.permanent = true;
    }
    assert!(
      p.delay(&untrusted, true, 1).is_none(),
      "an untrusted certificate is the same on every try"
    );
    assert!(
      p.delay(&network(false, false), true, 1).is_none(),
      "query broke mid-body"
    );
    assert!(
      p.delay(&response(503, &[]), true, 4).is_none(),
      "three retries at most"
    );
    assert!(RetryPolicy::NONE
      .delay(&response(503, &[]), true, 1)
      .is_none());
  }

  #[test]
  fn honours_server_hints_and_caps_backoff() {
    let p = RetryPolicy::DEFAULT;
    assert_eq!(
      p.delay(&response(429, &[("retry-after", "2")]), true, 1),
      Some(Duration::from_secs(2))
    );
    assert_eq!(
      p.delay(&response(429, &[("RateLimit-Reset", "1")]), true, 1),
      Some(Duration::from_secs(1))
    );
    assert_eq!(
      p.delay(
        &response(
          503,
          &[("RateLimit-Remaining", "0"), ("RateLimit-Reset", "3")]
        ),
        true,
        1
      ),
      Some(Duration::from_secs(3)),
      "quota spent: wait for its reset"
    );
    let wait = p
      .delay(
        &response(
          503,
          &[("RateLimit-Remaining", "9"), ("RateLimit-Reset", "60")],
        ),
        true,
        1,
      )
      .expect("a query 503 with quota left is retried");
    assert!(
      wait <= Duration::from_millis(500),
      "backoff, not the quota window: {wait:?}"
    );
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(5));
    let wait = p
      .delay(&response(503, &[("Retry-After", &date)]), true, 1)
      .unwrap();
    assert!(
      wait <= Duration::from_secs(5) && wait >= Duration::from_secs(3),
      "{wait:?}"
    );
    assert_eq!(
      p.delay(&response(429, &[("retry-after", "60")]), true, 1),
      None,
      "longer than the cap"
    );
    for retry in 1..=3 {
      let wait = p.delay(&response(502, &[]), true, retry).unwrap();
      assert!(
        wait <= Duration::from_millis(500 << (retry - 1)),
        "{retry}: {wait:?}"
      );
    }
  }

  #[test]
  fn absurd_server_waits_saturate_instead_of_panicking() {
    for value in ["1e20", "inf", "1e999"] {
      let response = RawResponse {
        status: 429,
        headers: vec![
          ("retry-after".into(), value.into()),
          ("ratelimit-remaining".into(), "0".into()),
          ("ratelimit-reset".into(), value.into()),
        ],
        body: vec![],
      };
      assert_eq!(server_wait_hint(&response), Some(Duration::MAX), "{value}");
      let throttle = Throttle::new(10, Duration::from_millis(1100));
      throttle.observe(&response);
    }
  }
}
