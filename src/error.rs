//! The one error type. Every failure becomes a `CalibreError` with a stable `code`;
//! `js::error_to_js` turns it into the JS `CalibreError` object. The classification of a
//! failed HTTP answer (`classify`) lives here too, so a refresh and a GraphQL call name the
//! same failure the same way.

use std::path::PathBuf;

use serde_json::Value;

/// Where a token was found (kept on errors as `err.tokenSource`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
  Option,
  Env,
  File(PathBuf),
}

impl TokenSource {
  /// `'option' | 'env' | 'file'`, as exposed to JS.
  pub fn kind(&self) -> &'static str {
    match self {
      TokenSource::Option => "option",
      TokenSource::Env => "env",
      TokenSource::File(_) => "file",
    }
  }

  pub fn path(&self) -> Option<&PathBuf> {
    match self {
      TokenSource::File(path) => Some(path),
      _ => None,
    }
  }

  /// A phrase for messages: "the CALIBRE_API_TOKEN environment variable".
  pub fn describe(&self) -> String {
    match self {
      TokenSource::Option => "the `token` option passed in code".to_owned(),
      TokenSource::Env => "the CALIBRE_API_TOKEN environment variable".to_owned(),
      TokenSource::File(path) => format!("the config file {}", path.display()),
    }
  }
}

/// Stable strings exposed on `err.code` (documented in the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
  TokenMissing,
  TokenInvalid,
  Unauthorized,
  TokenExpired,
  IpNotAllowed,
  Forbidden,
  RateLimited,
  GraphqlError,
  HttpError,
  InvalidResponse,
  NetworkError,
  Timeout,
  Aborted,
  ConfigCorrupt,
  ConfigAccess,
  InvalidArgument,
}

impl ErrorCode {
  pub fn as_str(self) -> &'static str {
    match self {
      ErrorCode::TokenMissing => "CALIBRE_TOKEN_MISSING",
      ErrorCode::TokenInvalid => "CALIBRE_TOKEN_INVALID",
      ErrorCode::Unauthorized => "CALIBRE_UNAUTHORIZED",
      ErrorCode::TokenExpired => "CALIBRE_TOKEN_EXPIRED",
      ErrorCode::IpNotAllowed => "CALIBRE_IP_NOT_ALLOWED",
      ErrorCode::Forbidden => "CALIBRE_FORBIDDEN",
      ErrorCode::RateLimited => "CALIBRE_RATE_LIMITED",
      ErrorCode::GraphqlError => "CALIBRE_GRAPHQL_ERROR",
      ErrorCode::HttpError => "CALIBRE_HTTP_ERROR",
      ErrorCode::InvalidResponse => "CALIBRE_INVALID_RESPONSE",
      ErrorCode::NetworkError => "CALIBRE_NETWORK_ERROR",
      ErrorCode::Timeout => "CALIBRE_TIMEOUT",
      ErrorCode::Aborted => "CALIBRE_ABORTED",
      ErrorCode::ConfigCorrupt => "CALIBRE_CONFIG_CORRUPT",
      ErrorCode::ConfigAccess => "CALIBRE_CONFIG_ACCESS",
      ErrorCode::InvalidArgument => "CALIBRE_INVALID_ARGUMENT",
    }
  }
}

impl AsRef<str> for ErrorCode {
  fn as_ref(&self) -> &str {
    self.as_str()
  }
}

/// What the server answered, kept on the error (`err.response`).
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseInfo {
  pub status: u16,
  pub headers: Vec<(String, String)>,
  pub body: String,
}

/// What was asked (`err.request`): the document and variables, never the token.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestInfo {
  pub query: String,
  pub variables: Value,
}

#[derive(Clone, Debug)]
pub struct CalibreError {
  pub code: ErrorCode,
  pub message: String,
  /// HTTP status when there was a response.
  pub status: Option<u16>,
  /// GraphQL `errors` from the response (empty when none).
  pub errors: Vec<Value>,
  pub response: Option<ResponseInfo>,
  pub request: Option<RequestInfo>,
  pub token_source: Option<TokenSource>,
  /// HTTP attempts made (0 when the call failed before sending).
  pub attempts: u32,
}

impl CalibreError {
  pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
    CalibreError {
      code,
      message: message.into(),
      status: None,
      errors: Vec::new(),
      response: None,
      request: None,
      token_source: None,
      attempts: 0,
    }
  }

  pub fn invalid_argument(function: &str, message: impl AsRef<str>) -> Self {
    Self::new(
      ErrorCode::InvalidArgument,
      format!("{function}: {}", message.as_ref()),
    )
  }

  pub fn with_request(mut self, request: RequestInfo) -> Self {
    self.request = Some(request);
    self
  }

  pub fn with_token_source(mut self, source: TokenSource) -> Self {
    self.token_source = Some(source);
    self
  }

  /// Keeps what the server answered: `status`, `response` and the GraphQL `errors`.
  pub fn with_response(mut self, response: ResponseInfo, errors: Vec<Value>) -> Self {
    self.status = Some(response.status);
    self.errors = errors;
    self.response = Some(response);
    self
  }
}

impl std::fmt::Display for CalibreError {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    write!(f, "{}: {}", self.code.as_str(), self.message)
  }
}

impl std::error::Error for CalibreError {}

/// Turns a failed HTTP answer into the right code and a message that says what to do:
/// 401, 403 (expired, IP not allowed, forbidden) and 429 by status, then GraphQL `errors`,
/// then any other status. The error carries the response, the errors and the token source.
pub fn classify(
  function: &str,
  token_source: &TokenSource,
  response: ResponseInfo,
  errors: Vec<Value>,
) -> CalibreError {
  let status = response.status;
  let body = response.body.as_str();
  let source = token_source.describe();
  let (code, message) = match status {
    401 => (
      ErrorCode::Unauthorized,
      format!(
        "{function}: Calibre rejected the API token (HTTP 401 Unauthorized). The token from {source} is unknown or was revoked. Create a new token in Calibre (Account → API Tokens) and store it with `calibre-native token set -` or CALIBRE_API_TOKEN."
      ),
    ),
    403 => forbidden(function, &source, body),
    429 => (
      ErrorCode::RateLimited,
      format!(
        "{function}: Calibre's rate limit was exceeded (HTTP 429 Too Many Requests). Slow down: the API allows 10 requests per second per token."
      ),
    ),
    _ if !errors.is_empty() => (ErrorCode::GraphqlError, graphql_message(function, &errors)),
    _ => (
      ErrorCode::HttpError,
      format!(
        "{function}: Calibre answered HTTP {status}{}: {}",
        reason(status),
        excerpt(body)
      ),
    ),
  };
  CalibreError::new(code, message)
    .with_response(response, errors)
    .with_token_source(token_source.clone())
}

fn forbidden(function: &str, source: &str, body: &str) -> (ErrorCode, String) {
  let lower = body.to_ascii_lowercase();
  if lower.contains("expired") {
    (
      ErrorCode::TokenExpired,
      format!(
        "{function}: the API token from {source} has expired (HTTP 403 Forbidden). Re-save it in Calibre (Account → API Tokens → Edit → Save) to renew it; next time refresh it before it expires with Token.refresh() or `calibre-native token refresh`."
      ),
    )
  } else if lower.contains("ip address")
    || lower.contains("allowed ip")
    || (lower.contains(" ip ") && lower.contains("not allowed"))
  {
    (
      ErrorCode::IpNotAllowed,
      format!(
        "{function}: this machine's IP address is not in the Allowed IP Addresses of the API token from {source} (HTTP 403 Forbidden). Add this address or its range to the token's Allowed IP Addresses in Calibre, or use a token without that restriction."
      ),
    )
  } else {
    (
      ErrorCode::Forbidden,
      format!(
        "{function}: Calibre refused the request (HTTP 403 Forbidden) for the API token from {source}: {}. Check the token's permissions and team, its expiry and its Allowed IP Addresses in Calibre.",
        excerpt(body)
      ),
    )
  }
}

/// The first error's `extensions.problems[0].explanation` (what calibre's CLI shows) or its
/// `message`, then every error after it.
pub fn graphql_message(function: &str, errors: &[Value]) -> String {
  let describe = |e: &Value| {
    e.pointer("/extensions/problems/0/explanation")
      .and_then(Value::as_str)
      .or_else(|| e.get("message").and_then(Value::as_str))
      .unwrap_or("unknown GraphQL error")
      .to_owned()
  };
  let mut message = format!("{function}: {}", describe(&errors[0]));
  for e in &errors[1..] {
    message.push_str("\n - ");
    message.push_str(&describe(e));
  }
  message
}

fn reason(status: u16) -> String {
  reqwest::StatusCode::from_u16(status)
    .ok()
    .and_then(|s| s.canonical_reason())
    .map(|r| format!(" {r}"))
    .unwrap_or_default()
}

/// A short single-line excerpt of a body (HTML tags dropped).
pub fn excerpt(body: &str) -> String {
  let mut text = String::new();
  let mut in_tag = false;
  for c in body.chars() {
    match c {
      '<' => in_tag = true,
      '>' => {
        in_tag = false;
        text.push(' ');
      }
      _ if !in_tag => text.push(c),
      _ => {}
    }
  }
  let words: Vec<&str> = text.split_whitespace().collect();
  let joined = words.join(" ");
  let mut cut: String = joined.chars().take(200).collect();
  if joined.chars().count() > 200 {
    cut.push('…');
  }
  if cut.is_empty() {
    "(empty body)".to_owned()
  } else {
    cut
  }
}
