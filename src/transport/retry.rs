//! What may be retried and after how long (full-jitter backoff, the server's own hints), and
//! the loop that sends every attempt of a request: throttle, attempt, decision, wait.

use std::time::{Duration, Instant};

use super::request::{attempt, header_seconds, Failure, FileTarget, HttpRequest, RawResponse};
use super::throttle::Throttle;
use super::trace::{without_query, Trace};
use crate::error::ErrorCode;

/// When sending a request again is safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replay {
  /// A mutation: only where the server cannot have acted on it (no connection, 429, 503 with
  /// Retry-After).
  Mutation,
  /// A query: also after 502, 503 and 504, and a connection lost before the answer began.
  Query,
  /// A download (a GET of a file, written again from its start): after any 5xx and any
  /// network failure, a body cut short included.
  Download,
}

/// How every attempt of one request is sent.
pub struct Plan<'a> {
  pub throttle: Option<&'a Throttle>,
  pub retries: RetryPolicy,
  pub replay: Replay,
  pub trace: &'a Trace,
  /// The GraphQL operation's name, for the log and the events.
  pub operation: Option<&'a str>,
}

/// Sends `request` until it succeeds or may not be retried; returns the last outcome (a
/// response may still be an error status) and the attempts made. With a throttle, the wait for
/// it counts towards each attempt's timeout.
pub async fn send(
  request: &HttpRequest<'_>,
  plan: &Plan<'_>,
  file: Option<&FileTarget<'_>>,
) -> (Result<RawResponse, Failure>, u32) {
  let trace = plan.trace;
  let token = request.token;
  let mut attempts = 0;
  loop {
    attempts += 1;
    let timeout = match plan.throttle {
      None => request.timeout,
      Some(throttle) => {
        // Only the debug log asks how long the throttle held the request, and why.
        let asked = trace.logs().then(|| (Instant::now(), throttle.is_paused()));
        match throttle.acquire_within(request.timeout, request.url).await {
          Ok(left) => {
            if let Some((asked, paused)) = asked {
              trace.throttle_wait(asked.elapsed(), paused, request.url);
            }
            left
          }
          Err(error) => {
            let failure = Failure {
              error,
              not_connected: true,
              before_response: true,
              permanent: true,
            };
            return (Err(failure), attempts - 1);
          }
        }
      }
    };
    if let Some(body) = request.body {
      trace.body('>', body.as_bytes(), token);
    }
    let this = HttpRequest {
      timeout,
      ..*request
    };
    let traced = trace.attempt(
      request.method.as_str(),
      request.url,
      plan.operation,
      attempts,
    );
    let outcome = attempt(&this, file, traced).await;
    if let Ok(response) = &outcome {
      if !response.body.is_empty() {
        trace.body('<', &response.body, token);
      }
      if let Some(pause) = plan.throttle.and_then(|t| t.observe(response)) {
        trace.rate_limit_pause(pause);
      }
    }
    match plan.retries.delay(&outcome, plan.replay, attempts) {
      None => return (outcome, attempts),
      Some(wait) => {
        if trace.is_on() {
          let why = match &outcome {
            Ok(response) => format!("HTTP {}", response.status),
            Err(failure) => format!("{}: {}", failure.error.code.as_str(), failure.error.message),
          };
          let what = plan.operation.unwrap_or_else(|| without_query(request.url));
          trace.retry(what, attempts + 1, wait, &why);
        }
        tokio::time::sleep(wait).await;
      }
    }
  }
}

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

  /// The wait before retry number `retry` (1-based), or `None` to stop; `replay` says what
  /// is safe to send again.
  pub fn delay(
    &self,
    outcome: &Result<RawResponse, Failure>,
    replay: Replay,
    retry: u32,
  ) -> Option<Duration> {
    let idempotent = replay != Replay::Mutation;
    let download = replay == Replay::Download;
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
          500..=599 => download,
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
        let unseen = failure.not_connected || (idempotent && failure.before_response);
        if !(network && (unseen || download)) {
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
        p.delay(&response(status, &[]), Replay::Query, 1).is_some(),
        "query {status}"
      );
    }
    for status in [400, 401, 403, 404, 500] {
      assert!(
        p.delay(&response(status, &[]), Replay::Query, 1).is_none(),
        "query {status}"
      );
    }
    assert!(
      p.delay(&response(429, &[]), Replay::Mutation, 1).is_some(),
      "mutation 429"
    );
    assert!(
      p.delay(&response(503, &[]), Replay::Mutation, 1).is_none(),
      "mutation 503 without Retry-After"
    );
    assert!(
      p.delay(&response(503, &[("Retry-After", "1")]), Replay::Mutation, 1)
        .is_some(),
      "mutation 503 with Retry-After"
    );
    assert!(
      p.delay(
        &response(
          503,
          &[("RateLimit-Remaining", "9"), ("RateLimit-Reset", "1")]
        ),
        Replay::Mutation,
        1
      )
      .is_none(),
      "mutation 503 with only the quota headers every answer carries"
    );
    assert!(
      p.delay(&response(502, &[]), Replay::Mutation, 1).is_none(),
      "mutation 502"
    );
    assert!(
      p.delay(&network(true, true), Replay::Mutation, 1).is_some(),
      "refused mutation"
    );
    assert!(
      p.delay(&network(false, true), Replay::Mutation, 1)
        .is_none(),
      "mutation sent, no answer"
    );
    assert!(
      p.delay(&network(false, true), Replay::Query, 1).is_some(),
      "query sent, no answer"
    );
    let mut untrusted = network(true, true);
    if let Err(failure) = &mut untrusted {
      failure.permanent = true;
    }
    assert!(
      p.delay(&untrusted, Replay::Query, 1).is_none(),
      "an untrusted certificate is the same on every try"
    );
    assert!(
      p.delay(&network(false, false), Replay::Query, 1).is_none(),
      "query broke mid-body"
    );
    assert!(
      p.delay(&response(503, &[]), Replay::Query, 4).is_none(),
      "three retries at most"
    );
    assert!(RetryPolicy::NONE
      .delay(&response(503, &[]), Replay::Query, 1)
      .is_none());
  }

  #[test]
  fn downloads_are_retried_after_any_5xx_and_a_body_cut_short() {
    let p = RetryPolicy::DEFAULT;
    for status in [500, 502, 503, 504, 429] {
      assert!(
        p.delay(&response(status, &[]), Replay::Download, 1)
          .is_some(),
        "{status}"
      );
    }
    for status in [400, 403, 404] {
      assert!(
        p.delay(&response(status, &[]), Replay::Download, 1)
          .is_none(),
        "{status}"
      );
    }
    assert!(
      p.delay(&response(500, &[]), Replay::Query, 1).is_none(),
      "a query 500 is not"
    );
    assert!(
      p.delay(&network(false, false), Replay::Download, 1)
        .is_some(),
      "cut mid-body"
    );
    let timeout = Err(Failure {
      error: CalibreError::new(ErrorCode::Timeout, "stalled"),
      not_connected: false,
      before_response: false,
      permanent: false,
    });
    assert!(
      p.delay(&timeout, Replay::Download, 1).is_none(),
      "a stall is not retried"
    );
  }

  #[test]
  fn honours_server_hints_and_caps_backoff() {
    let p = RetryPolicy::DEFAULT;
    assert_eq!(
      p.delay(&response(429, &[("retry-after", "2")]), Replay::Query, 1),
      Some(Duration::from_secs(2))
    );
    assert_eq!(
      p.delay(
        &response(429, &[("RateLimit-Reset", "1")]),
        Replay::Query,
        1
      ),
      Some(Duration::from_secs(1))
    );
    assert_eq!(
      p.delay(
        &response(
          503,
          &[("RateLimit-Remaining", "0"), ("RateLimit-Reset", "3")]
        ),
        Replay::Query,
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
        Replay::Query,
        1,
      )
      .expect("a query 503 with quota left is retried");
    assert!(
      wait <= Duration::from_millis(500),
      "backoff, not the quota window: {wait:?}"
    );
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(5));
    let wait = p
      .delay(&response(503, &[("Retry-After", &date)]), Replay::Query, 1)
      .unwrap();
    assert!(
      wait <= Duration::from_secs(5) && wait >= Duration::from_secs(3),
      "{wait:?}"
    );
    assert_eq!(
      p.delay(&response(429, &[("retry-after", "60")]), Replay::Query, 1),
      None,
      "longer than the cap"
    );
    for retry in 1..=3 {
      let wait = p.delay(&response(502, &[]), Replay::Query, retry).unwrap();
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
