//! One HTTP exchange: send, read the body within the timeout and the size limit, and say how
//! far a failure got (which decides whether it may be retried).
//!
//! Compressed answers (gzip, br, deflate) are decoded by reqwest as they arrive. The sizes this
//! reports (the debug log, the `bytes` of the `diagnostics_channel` end event, the progress of a
//! download) are of the decoded body: reqwest removes `Content-Encoding` and `Content-Length`
//! from an answer it decodes and offers no hook into the connection's reads
//! (`ClientBuilder::connector_layer` must hand back reqwest's own sealed connection type), so
//! the bytes on the wire cannot be known per request here.

use std::error::Error as _;
use std::path::Path;
use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_TYPE};

use super::client::HttpClient;
use super::trace::{without_query, AttemptTrace, Ended};
use crate::auth::ApiToken;
use crate::error::{CalibreError, ErrorCode};

/// Largest response body read by default (a bigger one fails with CALIBRE_INVALID_RESPONSE).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 100 * 1024 * 1024;

/// The response codings asked for, in the order Node's `fetch` (and so calibre@7) asks for
/// them; reqwest decodes each of them.
const ACCEPTED_CODINGS: &str = "gzip, deflate, br";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
  Get,
  Post,
}

impl Method {
  pub fn as_str(self) -> &'static str {
    match self {
      Method::Get => "GET",
      Method::Post => "POST",
    }
  }
}

/// One request, as each attempt sends it.
#[derive(Clone, Copy)]
pub struct HttpRequest<'a> {
  pub client: &'a HttpClient,
  pub method: Method,
  pub url: &'a str,
  /// Sent as `Authorization: Token …`; downloads (signed URLs) send none.
  pub token: Option<&'a ApiToken>,
  /// JSON body; `None` sends an empty body (refresh, downloads).
  pub body: Option<&'a str>,
  /// The whole attempt, from sending to the last byte.
  pub timeout: Duration,
  /// Longest wait for the answer's head or for the next piece of its body (downloads: a
  /// server that stalls mid-body fails here rather than at `timeout`).
  pub read_timeout: Option<Duration>,
  pub max_response_bytes: u64,
  /// Called as the body arrives with the (decoded) bytes this attempt received so far and the
  /// total the server announced, if it did (never for a compressed answer); at the end once
  /// more with both equal.
  pub progress: Option<&'a Progress<'a>>,
}

/// What hears a transfer's progress: `(bytes so far, total when known)`.
pub type Progress<'a> = dyn Fn(u64, Option<u64>) + Send + Sync + 'a;

/// Where a 2xx body goes instead of memory: a file.
pub struct FileTarget<'a> {
  pub path: &'a Path,
}

/// A whole response, read to the end (for a download, its body is in the file).
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

/// Seconds a server sent, as a wait: negative is none, and a value too large for a
/// `Duration` (`1e20`, `inf`) saturates instead of panicking; callers cap it.
pub(super) fn header_seconds(seconds: f64) -> Duration {
  Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::MAX)
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

fn fail(error: CalibreError, not_connected: bool, before_response: bool) -> Failure {
  Failure {
    error,
    not_connected,
    before_response,
    permanent: false,
  }
}

/// One attempt without tracing (unit tests).
#[cfg(test)]
pub async fn post(request: HttpRequest<'_>) -> Result<RawResponse, Failure> {
  attempt(&request, None, None).await
}

/// One attempt: sends the request and reads the body, all within `timeout` (and each read
/// within `read_timeout`), at most `max_response_bytes` decoded. `trace` hears how it ended
/// (`None` when nothing is traced: then nothing here is timed or formatted for it).
pub async fn attempt(
  request: &HttpRequest<'_>,
  file: Option<&FileTarget<'_>>,
  trace: Option<AttemptTrace>,
) -> Result<RawResponse, Failure> {
  let mut seen = Seen::default();
  let outcome = match tokio::time::timeout(request.timeout, exchange(request, file, &mut seen)).await {
    Ok(result) => result,
    Err(_) => Err(fail(
      CalibreError::new(
        ErrorCode::Timeout,
        format!(
          "No complete answer from {} within {} ms. Raise `timeoutMs` if the API is slow, or check the network.",
          without_query(request.url),
          request.timeout.as_millis()
        ),
      ),
      false,
      seen.status.is_none(),
    )),
  };
  if let Some(trace) = trace {
    trace.finish(match &outcome {
      Ok(response) => Ended::Answer {
        status: response.status,
        bytes: seen.bytes,
      },
      Err(failure) => Ended::Failed {
        code: failure.error.code.as_str(),
        message: &failure.error.message,
      },
    });
  }
  outcome
}

/// How far an attempt got, for its trace (kept when the timeout drops the exchange).
#[derive(Default)]
struct Seen {
  status: Option<u16>,
  /// Body bytes received so far, decoded.
  bytes: u64,
}

/// `future`, failing with `CALIBRE_TIMEOUT` when `limit` passes first.
async fn within<T>(
  limit: Option<Duration>,
  url: &str,
  before_response: bool,
  future: impl std::future::Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
  let Some(limit) = limit else {
    return future.await;
  };
  tokio::time::timeout(limit, future)
    .await
    .unwrap_or_else(|_| {
      Err(fail(
        CalibreError::new(
          ErrorCode::Timeout,
          format!(
            "{} sent nothing for {} ms{}; the transfer was given up.",
            without_query(url),
            limit.as_millis(),
            if before_response {
              " after the request"
            } else {
              " in the middle of the answer"
            }
          ),
        ),
        false,
        before_response,
      ))
    })
}

async fn exchange(
  request: &HttpRequest<'_>,
  file: Option<&FileTarget<'_>>,
  seen: &mut Seen,
) -> Result<RawResponse, Failure> {
  let url = request.url;
  let method = match request.method {
    Method::Get => reqwest::Method::GET,
    Method::Post => reqwest::Method::POST,
  };
  let mut builder = request
    .client
    .0
    .request(method, url)
    .header(ACCEPT_ENCODING, ACCEPTED_CODINGS);
  if let Some(token) = request.token {
    let mut auth = HeaderValue::from_str(&format!("Token {}", token.expose())).map_err(|_| {
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
    builder = builder
      .header(ACCEPT, "application/json")
      .header(AUTHORIZATION, auth);
  }
  if let Some(body) = request.body {
    builder = builder
      .header(CONTENT_TYPE, "application/json")
      .body(body.to_owned());
  }
  let sent = async {
    builder.send().await.map_err(|e| {
      let mut failure = fail(network_error(url, &e), e.is_connect(), true);
      if is_tls_failure(&e) {
        failure.permanent = true;
        failure.error.message.push_str(
          " A server certificate from a private or corporate CA is trusted with the `ca` option or NODE_EXTRA_CA_CERTS.",
        );
      }
      failure
    })
  };
  let mut response = within(request.read_timeout, url, true, sent).await?;
  let status = response.status().as_u16();
  seen.status = Some(status);
  // A body reqwest decodes comes without its Content-Encoding and Content-Length.
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
  let max = request.max_response_bytes;
  let total = response.content_length();
  if total.is_some_and(|len| len > max) {
    return Err(too_large(url, max));
  }
  let success = (200..300).contains(&status);
  let body = match file.filter(|_| success) {
    None => {
      let mut body = Vec::with_capacity(total.unwrap_or(0) as usize);
      read_body(&mut response, request, seen, total, |chunk| {
        body.extend_from_slice(chunk);
        Ok(())
      })
      .await?;
      body
    }
    Some(target) => {
      use std::io::Write;
      let mut created =
        std::fs::File::create(target.path).map_err(|e| write_failed(target.path, e))?;
      read_body(&mut response, request, seen, total, |chunk| {
        created
          .write_all(chunk)
          .map_err(|e| write_failed(target.path, e))
      })
      .await?;
      created
        .sync_all()
        .map_err(|e| write_failed(target.path, e))?;
      Vec::new()
    }
  };
  Ok(RawResponse {
    status,
    headers,
    body,
  })
}

/// Reads the (decoded) body to its end, each piece to `keep`, within the size limit.
async fn read_body(
  response: &mut reqwest::Response,
  request: &HttpRequest<'_>,
  seen: &mut Seen,
  total: Option<u64>,
  mut keep: impl FnMut(&[u8]) -> Result<(), Failure>,
) -> Result<(), Failure> {
  let url = request.url;
  let max = request.max_response_bytes;
  loop {
    let next = async {
      response.chunk().await.map_err(|e| match undecodable(&e) {
        Some(why) => undecodable_failure(url, &why),
        None => fail(network_error(url, &e), false, false),
      })
    };
    let Some(chunk) = within(request.read_timeout, url, false, next).await? else {
      break;
    };
    seen.bytes += chunk.len() as u64;
    if seen.bytes > max {
      return Err(too_large(url, max));
    }
    keep(&chunk)?;
    if let Some(progress) = request.progress {
      progress(seen.bytes, total);
    }
  }
  if let Some(progress) = request.progress {
    progress(seen.bytes, Some(seen.bytes));
  }
  Ok(())
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

/// A body its Content-Encoding does not describe: the same on every try.
fn undecodable_failure(url: &str, why: &str) -> Failure {
  let mut failure = fail(
    CalibreError::new(
      ErrorCode::InvalidResponse,
      format!(
        "The response from {} could not be decoded: {why}.",
        without_query(url)
      ),
    ),
    false,
    false,
  );
  failure.permanent = true;
  failure
}

fn too_large(url: &str, max: u64) -> Failure {
  fail(
    CalibreError::new(
      ErrorCode::InvalidResponse,
      format!(
        "The response from {} is larger than maxResponseBytes ({max} bytes); it was not read. Raise `maxResponseBytes` if this is expected.",
        without_query(url)
      ),
    ),
    false,
    false,
  )
}

fn write_failed(path: &Path, e: std::io::Error) -> Failure {
  let mut failure = fail(
    CalibreError::new(
      ErrorCode::ConfigAccess,
      format!("Cannot write {}: {e}", path.display()),
    ),
    false,
    false,
  );
  failure.permanent = true;
  failure
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
  let url = without_query(url);
  CalibreError::new(
    code,
    format!(
      "Could not reach {url}: {detail}. Check the network, CALIBRE_HOST and any proxy settings."
    ),
  )
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::transport::{build_client, HttpEnv, HttpSettings, ProxySetting};

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
      method: Method::Post,
      url,
      token: Some(&token),
      body: Some(r#"{"query":"{ ok }"}"#),
      timeout: Duration::from_secs(10),
      read_timeout: None,
      max_response_bytes,
      progress: None,
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

  /// A download's GET of `url`, as `Session::download` sends it.
  fn get<'a>(client: &'a HttpClient, url: &'a str, read_timeout: Duration) -> HttpRequest<'a> {
    HttpRequest {
      client,
      method: Method::Get,
      url,
      token: None,
      body: None,
      timeout: Duration::from_secs(30),
      read_timeout: Some(read_timeout),
      max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
      progress: None,
    }
  }

  #[tokio::test]
  async fn a_download_goes_to_its_file_decoded_with_progress_and_counted_bytes() {
    use crate::transport::{EventQueue, RequestEvent, Trace};
    use std::sync::{Arc, Mutex};
    let gzip = "1f8b0800000000000003ab564a492c4954b2aa564a2f4a4d2dc9cc4b57b252ca48cdc9c9d75148cecf2d284a2d2e4e4d5128cf2fca4951aaad0500cadb92eb2f000000";
    let (url, server) = serve_once("gzip", from_hex(gzip)).await;
    let client = build_client(&HttpSettings::default(), &HttpEnv::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lighthouse.json");
    let seen = Mutex::new(Vec::new());
    let progress = |bytes, total| seen.lock().unwrap().push((bytes, total));
    let queue = Arc::new(EventQueue::new(Box::new(|| {})));
    let trace = Trace {
      debug: Default::default(),
      events: Some(Arc::clone(&queue)),
    };
    let request = HttpRequest {
      progress: Some(&progress),
      ..get(&client, &url, Duration::from_secs(5))
    };
    let target = FileTarget { path: &path };
    let response = attempt(&request, Some(&target), trace.attempt("GET", &url, None, 1))
      .await
      .unwrap();
    let head = server.await.unwrap().to_ascii_lowercase();
    assert!(head.starts_with("get "), "{head}");
    assert!(!head.contains("authorization"), "downloads send no token");
    assert!(response.body.is_empty(), "the body is in the file");
    let decoded = r#"{"data":{"greeting":"hello, compressed world"}}"#;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), decoded);
    // Decoded bytes; no total while it arrives (reqwest drops a compressed Content-Length).
    let length = decoded.len() as u64;
    let heard = seen.lock().unwrap().clone();
    assert_eq!(heard.last(), Some(&(length, Some(length))));
    assert!(
      heard[..heard.len() - 1]
        .iter()
        .all(|(_, total)| total.is_none()),
      "{heard:?}"
    );
    let events = queue.take();
    assert!(
      matches!(events[1], RequestEvent::End { status: 200, bytes, .. } if bytes == decoded.len() as u64),
      "{events:?}"
    );
  }

  #[tokio::test]
  async fn a_body_that_stalls_fails_at_the_read_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
      "http://{}/video.mp4?X-Amz-Signature=hidden",
      listener.local_addr().unwrap()
    );
    let server = tokio::spawn(async move {
      let (mut socket, _) = listener.accept().await.unwrap();
      let mut buffer = [0u8; 4096];
      let _ = socket.read(&mut buffer).await.unwrap();
      let head = "HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n0123456789";
      socket.write_all(head.as_bytes()).await.unwrap();
      tokio::time::sleep(Duration::from_secs(5)).await;
    });
    let client = build_client(&HttpSettings::default(), &HttpEnv::default()).unwrap();
    let request = get(&client, &url, Duration::from_millis(300));
    let started = std::time::Instant::now();
    let failure = attempt(&request, None, None).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(failure.error.code, ErrorCode::Timeout);
    assert!(
      failure
        .error
        .message
        .contains("in the middle of the answer"),
      "{}",
      failure.error.message
    );
    assert!(failure.error.message.contains("/video.mp4"));
    assert!(
      !failure.error.message.contains("hidden"),
      "no query secrets: {}",
      failure.error.message
    );
    server.abort();
  }
}
