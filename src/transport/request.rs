//! One HTTP exchange: send, read the body within the timeout and the size limit, and say how
//! far a failure got (which decides whether it may be retried).

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};

use crate::auth::ApiToken;
use crate::error::{CalibreError, ErrorCode};

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
}
