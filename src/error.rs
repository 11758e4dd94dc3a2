//! The one error type. Every failure becomes a `CalibreError` with a stable `code`;
//! `js::error_to_js` turns it into the JS `CalibreError` object.

use serde_json::Value;

use crate::auth::TokenSource;

/// Stable strings exposed on `err.code` (documented in DESIGN.md and the README).
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
}

impl std::fmt::Display for CalibreError {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    write!(f, "{}: {}", self.code.as_str(), self.message)
  }
}

impl std::error::Error for CalibreError {}
