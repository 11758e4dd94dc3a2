//! The only HTTP in the package: one shared reqwest client (one keep-alive pool for the
//! process), the request-start throttle, timeouts and cancellation.

use std::collections::VecDeque;
use std::error::Error as _;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use rustls::pki_types::{pem::PemObject, CertificateDer};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::auth::ApiToken;
use crate::env::Env;
use crate::error::{CalibreError, ErrorCode};

pub const USER_AGENT: &str = concat!("calibre-native/", env!("CARGO_PKG_VERSION"));
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which proxy a client uses.
#[derive(Clone, Debug, PartialEq)]
pub enum ProxySetting {
  /// `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` (either case) of the caller's
  /// environment (Node's own `fetch` ignores these; we honour them).
  FromEnv,
  /// No proxy, whatever the environment says.
  Off,
  /// This proxy URL for every request (hosts in `NO_PROXY` still bypass it).
  Url(String),
}

/// What an HTTP client is built from. The default (env proxies, no extra CA) is shared by
/// every call with the same `HttpEnv`; a client with its own `proxy` or `ca` option builds
/// its own.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpSettings {
  pub proxy: ProxySetting,
  /// Extra trusted roots (PEM), added to the system store and `NODE_EXTRA_CA_CERTS`.
  pub ca_pem: Option<String>,
}

impl Default for HttpSettings {
  fn default() -> Self {
    HttpSettings {
      proxy: ProxySetting::FromEnv,
      ca_pem: None,
    }
  }
}

/// What the environment says about HTTP, taken from the call's environment snapshot: no
/// library reads the process environment itself (reqwest's proxy detection is off, the
/// system roots are loaded here).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpEnv {
  https_proxy: Option<String>,
  http_proxy: Option<String>,
  all_proxy: Option<String>,
  no_proxy: Option<String>,
  node_extra_ca_certs: Option<String>,
  ssl_cert_file: Option<String>,
  ssl_cert_dir: Option<String>,
}

impl HttpEnv {
  /// Reads the variables as curl and reqwest do: upper case first, then lower case; empty
  /// values count as unset.
  pub fn from_env(env: &dyn Env) -> HttpEnv {
    let first = |names: &[&str]| {
      names
        .iter()
        .find_map(|name| env.var(name).filter(|v| !v.trim().is_empty()))
    };
    HttpEnv {
      https_proxy: first(&["HTTPS_PROXY", "https_proxy"]),
      http_proxy: first(&["HTTP_PROXY", "http_proxy"]),
      all_proxy: first(&["ALL_PROXY", "all_proxy"]),
      no_proxy: first(&["NO_PROXY", "no_proxy"]),
      node_extra_ca_certs: first(&["NODE_EXTRA_CA_CERTS"]),
      ssl_cert_file: first(&["SSL_CERT_FILE"]),
      ssl_cert_dir: first(&["SSL_CERT_DIR"]),
    }
  }

  fn no_proxy(&self) -> Option<reqwest::NoProxy> {
    reqwest::NoProxy::from_string(self.no_proxy.as_deref().unwrap_or(""))
  }

  /// `NO_PROXY=*` means no proxy for any host (as in curl). hyper-util applies `*` to host
  /// names only, so an IP-address host (`CALIBRE_HOST=http://127.0.0.1:4000`) still went
  /// through the proxy.
  fn no_proxy_for_every_host(&self) -> bool {
    self
      .no_proxy
      .as_deref()
      .is_some_and(|list| list.split(',').any(|entry| entry.trim() == "*"))
  }
}

/// The shared client for an environment: one keep-alive pool for every call that needs
/// nothing special (one per distinct proxy/CA environment, almost always just one). Built on
/// first use; a configuration it cannot be built from fails each call that needs it (with the
/// reason) instead of taking the process down.
pub fn shared_client(env: &HttpEnv) -> Result<Arc<reqwest::Client>, CalibreError> {
  type Built = Result<Arc<reqwest::Client>, String>;
  static CLIENTS: LazyLock<Mutex<Vec<(HttpEnv, Built)>>> = LazyLock::new(|| Mutex::new(Vec::new()));
  let mut clients = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
  let built = match clients.iter().find(|(known, _)| known == env) {
    Some((_, built)) => built.clone(),
    None => {
      let built = build_client(&HttpSettings::default(), env).map(Arc::new);
      clients.push((env.clone(), built.clone()));
      built
    }
  };
  built.map_err(|why| {
    CalibreError::new(
      ErrorCode::NetworkError,
      format!("The HTTP client could not be set up: {why}. Check the proxy and certificate settings (HTTPS_PROXY, NODE_EXTRA_CA_CERTS)."),
    )
  })
}

/// Builds a client: HTTP/1.1 over rustls (ring) trusting `trusted_roots` plus
/// `NODE_EXTRA_CA_CERTS` and `settings.ca_pem`, asking for gzip, brotli or deflate responses
/// (decoded as they arrive). Proxies come from `settings` and `env` only.
pub fn build_client(settings: &HttpSettings, env: &HttpEnv) -> Result<reqwest::Client, String> {
  let extra_roots = extra_roots(settings.ca_pem.as_deref(), env)?;
  // reqwest's own proxy detection reads the process environment: off, the proxies are ours.
  let builder = reqwest::Client::builder()
    .user_agent(USER_AGENT)
    .connect_timeout(CONNECT_TIMEOUT)
    .pool_max_idle_per_host(128)
    .redirect(redirect_policy())
    .no_proxy();
  let mut builder = with_trusted_roots(builder, env, extra_roots)?;
  let proxy = if env.no_proxy_for_every_host() {
    &ProxySetting::Off
  } else {
    &settings.proxy
  };
  match proxy {
    ProxySetting::Off => {}
    ProxySetting::Url(url) => {
      let proxy =
        reqwest::Proxy::all(url).map_err(|e| format!("`proxy` is not a valid proxy URL ({e})"))?;
      builder = builder.proxy(proxy.no_proxy(env.no_proxy()));
    }
    // As reqwest's system proxies: HTTPS_PROXY for https URLs, HTTP_PROXY for http ones,
    // ALL_PROXY for both; an invalid URL is ignored.
    ProxySetting::FromEnv => {
      let from_env = [
        env.https_proxy.as_deref().map(reqwest::Proxy::https),
        env.http_proxy.as_deref().map(reqwest::Proxy::http),
        env.all_proxy.as_deref().map(reqwest::Proxy::all),
      ];
      for proxy in from_env.into_iter().flatten().filter_map(Result::ok) {
        builder = builder.proxy(proxy.no_proxy(env.no_proxy()));
      }
    }
  }
  builder.build().map_err(|e| e.to_string())
}

/// The certificates trusted on top of the usual roots: `NODE_EXTRA_CA_CERTS` (from `env`), then
/// `ca_pem`. Node itself warns about an unreadable NODE_EXTRA_CA_CERTS and carries on; so do
/// we. A `ca` that holds no usable certificate is an error.
fn extra_roots(
  ca_pem: Option<&str>,
  env: &HttpEnv,
) -> Result<Vec<CertificateDer<'static>>, String> {
  let mut extra = Vec::new();
  if let Some(pem) = env
    .node_extra_ca_certs
    .as_ref()
    .and_then(|path| std::fs::read(path).ok())
  {
    extra.extend(CertificateDer::pem_slice_iter(&pem).flatten());
  }
  if let Some(pem) = ca_pem {
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
      let cert = cert.map_err(|e| format!("`ca` is not a PEM certificate bundle ({e})"))?;
      rustls::RootCertStore::empty()
        .add(cert.clone())
        .map_err(|e| format!("`ca` holds a certificate that cannot be trusted ({e})"))?;
      extra.push(cert);
      added += 1;
    }
    if added == 0 {
      return Err("`ca` holds no PEM certificate".to_owned());
    }
  }
  Ok(extra)
}

/// Linux, Windows and the other non-Apple systems: our own rustls configuration trusting
/// `trusted_roots` and `extra`, handed to reqwest. On Windows this is Node's own model (its
/// bundled roots plus `NODE_EXTRA_CA_CERTS`), with the system store's roots added; the
/// platform verifier is not used there: it fails to start where crypt32 refuses its chain
/// engine settings (Wine), and then no call could be made at all.
#[cfg(not(target_vendor = "apple"))]
fn with_trusted_roots(
  builder: reqwest::ClientBuilder,
  env: &HttpEnv,
  extra: Vec<CertificateDer<'static>>,
) -> Result<reqwest::ClientBuilder, String> {
  let mut roots = trusted_roots(env);
  roots.add_parsable_certificates(extra);
  let provider = Arc::new(rustls::crypto::ring::default_provider());
  let mut tls = rustls::ClientConfig::builder_with_provider(provider)
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS set-up failed ({e})"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
  // What reqwest itself offers without its `http2` feature.
  tls.alpn_protocols = vec![b"http/1.1".to_vec()];
  Ok(builder.tls_backend_preconfigured(tls))
}

/// macOS: the platform verifier asks the Keychain (always there; no environment variables
/// read), with `extra` added to it.
#[cfg(target_vendor = "apple")]
fn with_trusted_roots(
  builder: reqwest::ClientBuilder,
  _env: &HttpEnv,
  extra: Vec<CertificateDer<'static>>,
) -> Result<reqwest::ClientBuilder, String> {
  // ring instead of aws-lc: faster builds, smaller binary. Ignore "already installed".
  let _ = rustls::crypto::ring::default_provider().install_default();
  let extra: Vec<reqwest::Certificate> = extra
    .iter()
    .filter_map(|der| reqwest::Certificate::from_der(der).ok())
    .collect();
  Ok(if extra.is_empty() {
    builder
  } else {
    builder.tls_certs_merge(extra)
  })
}

/// The roots a server certificate may chain to (before `NODE_EXTRA_CA_CERTS` and `ca`):
/// Mozilla's, bundled (as Node bundles them, so a container without a CA store still reaches
/// the API), plus the system store when it can be read.
#[cfg(not(target_vendor = "apple"))]
fn trusted_roots(env: &HttpEnv) -> rustls::RootCertStore {
  let mut roots = rustls::RootCertStore {
    roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
  };
  // A missing or unreadable store, or a certificate in it rustls cannot use, is skipped.
  roots.add_parsable_certificates(system_roots(env));
  roots
}

/// The system trust store without reading the process environment (the store is files
/// here): `SSL_CERT_FILE` / `SSL_CERT_DIR` from `env` when set, else the platform's usual
/// places. rustls-native-certs' `load_native_certs` would read those variables itself, from
/// whichever thread builds the client.
#[cfg(all(unix, not(target_vendor = "apple")))]
fn system_roots(env: &HttpEnv) -> Vec<CertificateDer<'static>> {
  use std::path::Path;
  if env.ssl_cert_file.is_some() || env.ssl_cert_dir.is_some() {
    let mut all =
      rustls_native_certs::load_certs_from_paths(env.ssl_cert_file.as_deref().map(Path::new), None);
    for dir in env.ssl_cert_dir.iter().flat_map(|dirs| dirs.split(':')) {
      if !dir.is_empty() {
        let found = rustls_native_certs::load_certs_from_paths(None, Some(Path::new(dir)));
        all.certs.extend(found.certs);
      }
    }
    all.certs
  } else {
    openssl_probe::candidate_cert_dirs()
      .flat_map(|dir| rustls_native_certs::load_certs_from_paths(None, Some(dir)).certs)
      .collect()
  }
}

/// The Windows store's trusted roots (the current user's `ROOT` store, which includes the
/// machine's) that may sign server certificates and are in their validity period, as
/// rustls-native-certs reads them; its `load_native_certs` would first read `SSL_CERT_FILE`
/// from the process environment. `SSL_CERT_FILE`/`SSL_CERT_DIR` mean nothing here, as for
/// Node on Windows. An unreadable store adds nothing.
#[cfg(windows)]
fn system_roots(_env: &HttpEnv) -> Vec<CertificateDer<'static>> {
  use schannel::cert_context::ValidUses;
  const SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
  let Ok(store) = schannel::cert_store::CertStore::open_current_user("ROOT") else {
    return Vec::new();
  };
  store
    .certs()
    .filter(|cert| match cert.valid_uses() {
      Ok(ValidUses::All) => true,
      Ok(ValidUses::Oids(oids)) => oids.iter().any(|oid| oid == SERVER_AUTH),
      Err(_) => false,
    })
    .filter(|cert| cert.is_time_valid().unwrap_or(false))
    .map(|cert| CertificateDer::from(cert.to_der().to_vec()))
    .collect()
}

/// Redirects are followed as by calibre@7 (`fetch`), but a loop or a chain longer than
/// `MAX_REDIRECTS` ends with the last redirect as the answer: an HTTP error that is not
/// retried (reqwest's own "too many redirects" error looked like a network failure and the
/// whole chain was sent again on every retry). The token is never sent to another host.
fn redirect_policy() -> reqwest::redirect::Policy {
  reqwest::redirect::Policy::custom(|attempt| {
    let looped = attempt.previous().contains(attempt.url());
    if looped || attempt.previous().len() > MAX_REDIRECTS {
      attempt.stop()
    } else {
      attempt.follow()
    }
  })
}

/// As many as reqwest's default policy follows.
const MAX_REDIRECTS: usize = 10;

/// Largest response body read by default (a bigger one fails with CALIBRE_INVALID_RESPONSE).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 100 * 1024 * 1024;

/// One POST to Calibre.
pub struct HttpRequest<'a> {
  pub client: &'a reqwest::Client,
  pub url: &'a str,
  pub token: &'a ApiToken,
  /// JSON body; `None` sends an empty body (refresh).
  pub body: Option<&'a str>,
  pub timeout: Duration,
  pub max_response_bytes: u64,
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

  pub fn header(&self, name: &str) -> Option<&str> {
    self
      .headers
      .iter()
      .find(|(k, _)| k.eq_ignore_ascii_case(name))
      .map(|(_, v)| v.as_str())
  }
}

/// A failed exchange and how far it got, which decides whether it may be retried.
#[derive(Debug)]
pub struct Failure {
  pub error: CalibreError,
  /// No connection was made: the server cannot have seen the request.
  pub not_connected: bool,
  /// Nothing of a response arrived (no status line).
  pub before_response: bool,
  /// Trying again cannot help (the server's certificate is not trusted, TLS failed).
  pub permanent: bool,
}

/// Sends the request and reads the body, all within `timeout`, at most `max_response_bytes`.
pub async fn post(request: HttpRequest<'_>) -> Result<RawResponse, Failure> {
  let fail = |error, not_connected, before_response| Failure {
    error,
    not_connected,
    before_response,
    permanent: false,
  };
  let mut auth =
    HeaderValue::from_str(&format!("Token {}", request.token.expose())).map_err(|_| {
      fail(
        CalibreError::new(
          ErrorCode::TokenInvalid,
          "The API token cannot be sent in an HTTP header.",
        ),
        true,
        true,
      )
    })?;
  // Marked sensitive: never printed by hyper/reqwest debug output.
  auth.set_sensitive(true);
  let mut builder = request
    .client
    .post(request.url)
    .header(ACCEPT, "application/json")
    .header(AUTHORIZATION, auth);
  if let Some(body) = request.body {
    builder = builder
      .header(CONTENT_TYPE, "application/json")
      .body(body.to_owned());
  }
  let url = request.url;
  let max = request.max_response_bytes;
  let exchange = async {
    let mut response = builder.send().await.map_err(|e| {
      let mut failure = fail(network_error(url, &e), e.is_connect(), true);
      if is_tls_failure(&e) {
        failure.permanent = true;
        failure.error.message.push_str(
          " A server certificate from a private or corporate CA is trusted with the `ca` option or NODE_EXTRA_CA_CERTS.",
        );
      }
      failure
    })?;
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
    let too_large = || {
      fail(
        CalibreError::new(
          ErrorCode::InvalidResponse,
          format!("The response from {url} is larger than maxResponseBytes ({max} bytes); it was not read. Raise `maxResponseBytes` if this is expected."),
        ),
        false,
        false,
      )
    };
    if response.content_length().is_some_and(|len| len > max) {
      return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| {
      if let Some(why) = undecodable(&e) {
        // A body its Content-Encoding does not describe: the same on every try.
        let message = format!("The response from {url} could not be decoded: {why}.");
        fail(
          CalibreError::new(ErrorCode::InvalidResponse, message),
          false,
          false,
        )
      } else {
        fail(network_error(url, &e), false, false)
      }
    })? {
      if body.len() as u64 + chunk.len() as u64 > max {
        return Err(too_large());
      }
      body.extend_from_slice(&chunk);
    }
    Ok(RawResponse {
      status,
      headers,
      body,
    })
  };
  match tokio::time::timeout(request.timeout, exchange).await {
    Ok(result) => result,
    Err(_) => Err(fail(
      CalibreError::new(
        ErrorCode::Timeout,
        format!("No complete answer from {url} within {} ms. Raise `timeoutMs` if the API is slow, or check the network.", request.timeout.as_millis()),
      ),
      false,
      false,
    )),
  }
}

/// Why a body could not be decompressed, if that is what `err` is. reqwest reports every body
/// error as a decode error, a dropped connection too; a decompressor's own failure is the
/// `InvalidData` I/O error directly under it (not one carrying a TLS error).
fn undecodable(err: &reqwest::Error) -> Option<String> {
  let io = err.source()?.downcast_ref::<std::io::Error>()?;
  let tls = io
    .get_ref()
    .is_some_and(|inner| inner.is::<rustls::Error>());
  (io.kind() == std::io::ErrorKind::InvalidData && !tls).then(|| io.to_string())
}

/// A TLS failure (untrusted or invalid certificate, no common protocol): the same on every
/// try. rustls errors reach us wrapped in (nested) `io::Error`s, whose `source()` skips the
/// wrapped error, so those are opened with `get_ref`.
fn is_tls_failure(err: &reqwest::Error) -> bool {
  fn walk(err: &(dyn std::error::Error + 'static)) -> bool {
    if err.is::<rustls::Error>() {
      return true;
    }
    let wrapped = err
      .downcast_ref::<std::io::Error>()
      .and_then(|io| io.get_ref());
    if wrapped.is_some_and(|inner| walk(inner)) {
      return true;
    }
    err.source().is_some_and(walk)
  }
  err.source().is_some_and(walk)
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

  fn is_paused(&self) -> bool {
    let state = self.state.lock().expect("throttle lock");
    state
      .paused_until
      .is_some_and(|until| until > Instant::now())
  }

  /// Reads `RateLimit-Remaining` / `RateLimit-Reset` (seconds) and pauses at zero.
  pub fn observe(&self, response: &RawResponse) {
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
fn server_wait_hint(response: &RawResponse) -> Option<Duration> {
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
fn header_seconds(seconds: f64) -> Duration {
  Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::MAX)
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
  use crate::env::EnvSnapshot;

  #[test]
  fn http_env_reads_the_injected_environment_upper_case_first() {
    let env = EnvSnapshot::from_pairs(&[
      ("https_proxy", "http://lower:1"),
      ("HTTPS_PROXY", "http://upper:1"),
      ("http_proxy", "http://plain:2"),
      ("ALL_PROXY", " "),
      ("no_proxy", "localhost, *"),
      ("NODE_EXTRA_CA_CERTS", "/ca.pem"),
      ("SSL_CERT_DIR", "/a:/b"),
    ]);
    let http = HttpEnv::from_env(&env);
    assert_eq!(http.https_proxy.as_deref(), Some("http://upper:1"));
    assert_eq!(http.http_proxy.as_deref(), Some("http://plain:2"));
    assert_eq!(http.all_proxy, None, "blank counts as unset");
    assert!(http.no_proxy_for_every_host());
    assert_eq!(http.node_extra_ca_certs.as_deref(), Some("/ca.pem"));
    assert_eq!(http.ssl_cert_dir.as_deref(), Some("/a:/b"));
    assert_eq!(HttpEnv::from_env(&EnvSnapshot::empty()), HttpEnv::default());
    assert!(!HttpEnv::default().no_proxy_for_every_host());
  }

  #[test]
  fn one_shared_client_per_environment() {
    let plain = HttpEnv::default();
    let proxied = HttpEnv::from_env(&EnvSnapshot::from_pairs(&[(
      "HTTPS_PROXY",
      "http://127.0.0.1:9",
    )]));
    let shared = |env| shared_client(env).unwrap();
    assert!(Arc::ptr_eq(&shared(&plain), &shared(&plain)));
    assert!(!Arc::ptr_eq(&shared(&plain), &shared(&proxied)));
  }

  #[cfg(all(unix, not(target_vendor = "apple")))]
  #[test]
  fn system_roots_come_from_the_injected_ssl_cert_file() {
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("none.pem");
    let env = EnvSnapshot::from_pairs(&[("SSL_CERT_FILE", none.to_str().unwrap())]);
    assert!(
      system_roots(&HttpEnv::from_env(&env)).is_empty(),
      "SSL_CERT_FILE replaces the system store, as in OpenSSL"
    );
  }

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
  async fn serve_once(
    encoding: &'static str,
    body: Vec<u8>,
  ) -> (String, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
      let (mut socket, _) = listener.accept().await.unwrap();
      let mut head = Vec::new();
      let mut byte = [0u8; 1];
      while !head.ends_with(b"\r\n\r\n") {
        socket.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
      }
      let head = String::from_utf8(head).unwrap();
      let length: usize = head
        .lines()
        .find_map(|line| {
          line
            .to_ascii_lowercase()
            .strip_prefix("content-length:")
            .map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
      socket.read_exact(&mut vec![0; length]).await.unwrap();
      let answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: {encoding}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
      );
      socket.write_all(answer.as_bytes()).await.unwrap();
      socket.write_all(&body).await.unwrap();
      socket.shutdown().await.unwrap();
      head
    });
    (url, task)
  }

  fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len())
      .step_by(2)
      .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
      .collect()
  }

  async fn post_to(url: &str, max_response_bytes: u64) -> Result<RawResponse, Failure> {
    let client = build_client(
      &HttpSettings {
        proxy: ProxySetting::Off,
        ca_pem: None,
      },
      &HttpEnv::default(),
    )
    .unwrap();
    let token = ApiToken::parse("unit-test-token").unwrap().unwrap();
    post(HttpRequest {
      client: &client,
      url,
      token: &token,
      body: Some(r#"{"query":"{ ok }"}"#),
      timeout: Duration::from_secs(10),
      max_response_bytes,
    })
    .await
  }

  #[tokio::test]
  async fn asks_for_and_decodes_gzip_brotli_and_deflate() {
    // `{"data":{"greeting":"hello, compressed world"}}`, compressed by Node's zlib.
    let encoded = [
      ("gzip", "1f8b0800000000000003ab564a492c4954b2aa564a2f4a4d2dc9cc4b57b252ca48cdc9c9d75148cecf2d284a2d2e4e4d5128cf2fca4951aaad0500cadb92eb2f000000"),
      ("br", "0b17807b2264617461223a7b226772656574696e67223a2268656c6c6f2c20636f6d7072657373656420776f726c64227d7d03"),
      ("deflate", "789cab564a492c4954b2aa564a2f4a4d2dc9cc4b57b252ca48cdc9c9d75148cecf2d284a2d2e4e4d5128cf2fca4951aaad05008b5310fd"),
    ];
    for (encoding, hex) in encoded {
      let (url, server) = serve_once(encoding, from_hex(hex)).await;
      let response = post_to(&url, DEFAULT_MAX_RESPONSE_BYTES).await.unwrap();
      let head = server.await.unwrap().to_ascii_lowercase();
      let accepted = head
        .lines()
        .find_map(|line| line.strip_prefix("accept-encoding:"))
        .unwrap_or_else(|| panic!("no accept-encoding in {head}"));
      for codec in ["gzip", "br", "deflate"] {
        assert!(accepted.contains(codec), "{codec} not offered: {accepted}");
      }
      assert_eq!(
        response.text_lossy(),
        r#"{"data":{"greeting":"hello, compressed world"}}"#,
        "{encoding}"
      );
      assert_eq!(
        response.header("content-encoding"),
        None,
        "{encoding}: decoded"
      );
    }
  }

  #[tokio::test]
  async fn max_response_bytes_bounds_the_decoded_body() {
    // 4 MiB of spaces in 14 bytes of brotli: the limit applies to what it expands to.
    let bomb = from_hex("9bffff3ff82540e2b14020f7fe07");
    let (url, server) = serve_once("br", bomb.clone()).await;
    let failure = post_to(&url, 1024 * 1024).await.unwrap_err();
    assert_eq!(failure.error.code, ErrorCode::InvalidResponse);
    assert!(failure.error.message.contains("maxResponseBytes"));
    server.await.unwrap();
    let (url, server) = serve_once("br", bomb).await;
    assert_eq!(
      post_to(&url, 8 * 1024 * 1024).await.unwrap().body.len(),
      4 << 20
    );
    server.await.unwrap();
  }

  #[tokio::test]
  async fn a_body_that_is_not_what_its_encoding_says_is_an_invalid_response() {
    let (url, server) = serve_once("gzip", b"{\"data\":{}}".to_vec()).await;
    let failure = post_to(&url, DEFAULT_MAX_RESPONSE_BYTES).await.unwrap_err();
    assert_eq!(
      failure.error.code,
      ErrorCode::InvalidResponse,
      "{}",
      failure.error.message
    );
    assert!(failure.error.message.contains("could not be decoded"));
    server.await.unwrap();
  }

  #[cfg(all(unix, not(target_vendor = "apple")))]
  #[test]
  fn roots_start_from_the_bundled_store_without_a_system_store() {
    let bundled = webpki_roots::TLS_SERVER_ROOTS.len();
    assert!(trusted_roots(&HttpEnv::default()).len() >= bundled);
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().to_str().unwrap();
    let env = EnvSnapshot::from_pairs(&[("SSL_CERT_FILE", empty), ("SSL_CERT_DIR", empty)]);
    assert_eq!(trusted_roots(&HttpEnv::from_env(&env)).len(), bundled);
  }

  #[test]
  fn ca_must_hold_a_usable_certificate() {
    let env = HttpEnv::default();
    assert!(extra_roots(None, &env).unwrap().is_empty());
    assert!(extra_roots(Some("not a certificate"), &env)
      .unwrap_err()
      .contains("no PEM certificate"));
    let not_der = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    assert!(extra_roots(Some(not_der), &env)
      .unwrap_err()
      .contains("cannot be trusted"));
    let unreadable = EnvSnapshot::from_pairs(&[("NODE_EXTRA_CA_CERTS", "/no/such/ca.pem")]);
    assert!(extra_roots(None, &HttpEnv::from_env(&unreadable))
      .unwrap()
      .is_empty());
  }

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
