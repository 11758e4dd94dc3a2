//! The only HTTP in the package: one shared reqwest client (one keep-alive pool for the
//! process), the request-start throttle, timeouts and cancellation.

use std::collections::VecDeque;
use std::error::Error as _;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::auth::ApiToken;
use crate::error::{CalibreError, ErrorCode};

pub const USER_AGENT: &str = concat!("calibre-native/", env!("CARGO_PKG_VERSION"));
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

static HTTP: LazyLock<reqwest::Client> = LazyLock::new(|| {
  // ring instead of aws-lc: faster builds, smaller binary. Ignore "already installed".
  let _ = rustls::crypto::ring::default_provider().install_default();
  reqwest::Client::builder()
    .user_agent(USER_AGENT)
    .connect_timeout(CONNECT_TIMEOUT)
    .pool_max_idle_per_host(128)
    .build()
    .expect("the HTTP client configuration is static and valid")
});

/// One POST to Calibre.
pub struct HttpRequest<'a> {
  pub url: &'a str,
  pub token: &'a ApiToken,
  /// JSON body; `None` sends an empty body (refresh).
  pub body: Option<String>,
  pub timeout: Duration,
}

/// A whole response, read to the end.
#[derive(Debug)]
pub struct RawResponse {
  pub status: u16,
  pub headers: Vec<(String, String)>,
  pub body: Vec<u8>,
}

impl RawResponse {
  pub fn text_lossy(&self) -> String {
    String::from_utf8_lossy(&self.body).into_owned()
  }
}

/// Sends the request and reads the body, all within `timeout`.
pub async fn post(request: HttpRequest<'_>) -> Result<RawResponse, CalibreError> {
  let mut auth =
    HeaderValue::from_str(&format!("Token {}", request.token.expose())).map_err(|_| {
      CalibreError::new(
        ErrorCode::TokenInvalid,
        "The API token cannot be sent in an HTTP header.",
      )
    })?;
  auth.set_sensitive(true);
  let mut builder = HTTP
    .post(request.url)
    .header(ACCEPT, "application/json")
    .header(AUTHORIZATION, auth);
  if let Some(body) = request.body {
    builder = builder.header(CONTENT_TYPE, "application/json").body(body);
  }
  let exchange = async {
    let response = builder.send().await?;
    let status = response.status().as_u16();
    let headers = response
      .headers()
      .iter()
      .map(|(k, v)| {
        (
          k.as_str().to_owned(),
          String::from_utf8_lossy(v.as_bytes()).into_owned(),
        )
      })
      .collect();
    let body = response.bytes().await?.to_vec();
    Ok::<_, reqwest::Error>(RawResponse {
      status,
      headers,
      body,
    })
  };
  match tokio::time::timeout(request.timeout, exchange).await {
    Ok(Ok(response)) => Ok(response),
    Ok(Err(err)) => Err(network_error(request.url, &err)),
    Err(_) => Err(CalibreError::new(
      ErrorCode::Timeout,
      format!(
        "No complete answer from {} within {} ms. Raise `timeoutMs` if the API is slow, or check the network.",
        request.url,
        request.timeout.as_millis()
      ),
    )),
  }
}

/// reqwest's `Display` says only "error sending request"; the causes say what happened.
fn network_error(url: &str, err: &reqwest::Error) -> CalibreError {
  let mut causes = Vec::new();
  let mut source = err.source();
  while let Some(cause) = source {
    let text = cause.to_string();
    if !causes.contains(&text) {
      causes.push(text);
    }
    source = cause.source();
  }
  let code = if err.is_timeout() {
    ErrorCode::Timeout
  } else {
    ErrorCode::NetworkError
  };
  let detail = if causes.is_empty() {
    err.to_string()
  } else {
    causes.join(": ")
  };
  let url = url.split('?').next().unwrap_or(url);
  CalibreError::new(
    code,
    format!(
      "Could not reach {url}: {detail}. Check the network, CALIBRE_HOST and any proxy settings."
    ),
  )
}

/// A sliding window on request starts: at most `limit` starts in any `interval`
/// (calibre@7 uses 10 per 1100 ms, process-wide).
pub struct Throttle {
  limit: usize,
  interval: Duration,
  starts: Mutex<VecDeque<Instant>>,
}

impl Throttle {
  pub fn new(limit: u32, interval: Duration) -> Self {
    Throttle {
      limit: limit.max(1) as usize,
      interval,
      starts: Mutex::new(VecDeque::new()),
    }
  }

  /// calibre@7's policy, shared by every client that does not configure its own.
  pub fn process_wide() -> Arc<Throttle> {
    static SHARED: LazyLock<Arc<Throttle>> =
      LazyLock::new(|| Arc::new(Throttle::new(10, Duration::from_millis(1100))));
    Arc::clone(&SHARED)
  }

  /// Waits for a free slot and records the start.
  pub async fn acquire(&self) {
    loop {
      let wait_until = {
        let mut starts = self.starts.lock().expect("throttle lock");
        let now = Instant::now();
        while starts
          .front()
          .is_some_and(|t| now.duration_since(*t) >= self.interval)
        {
          starts.pop_front();
        }
        if starts.len() < self.limit {
          starts.push_back(now);
          return;
        }
        starts[starts.len() - self.limit] + self.interval
      };
      tokio::time::sleep_until(wait_until).await;
    }
  }
}

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
