//! The one error type. Every failure becomes a `CalibreError` with a stable `code`;
//! `js::error_to_js` turns it into the JS `CalibreError` object. The classification of a
//! failed HTTP answer (`classify`) lives here too, so a refresh and a GraphQL call name the
//! same failure the same way.

use std::path::PathBuf;

use serde_json::Value;

/// Where a token was found (kept on errors as `err.tokenSource`). A profile's name is kept
/// with its store; `None` is the unnamed token calibre@7 also reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
  /// The `token` option passed in code (or `Token.refresh({ token })`).
  Option,
  /// The `token` option as a function, called when the call started.
  Function,
  /// `CALIBRE_API_TOKEN`.
  Env,
  /// The file `CALIBRE_API_TOKEN_FILE` names.
  EnvFile(PathBuf),
  /// What a command printed: `CALIBRE_TOKEN_COMMAND`, or a profile's `command`.
  Command { profile: Option<String> },
  /// The OS credential store.
  Keyring { profile: Option<String> },
  /// The config file: calibre@7's `token` key, or a profile's entry in it.
  File {
    path: PathBuf,
    profile: Option<String>,
  },
}

impl TokenSource {
  /// `'option' | 'function' | 'env' | 'env-file' | 'command' | 'keyring' | 'file'`, as
  /// exposed to JS.
  pub fn kind(&self) -> &'static str {
    match self {
      TokenSource::Option => "option",
      TokenSource::Function => "function",
      TokenSource::Env => "env",
      TokenSource::EnvFile(_) => "env-file",
      TokenSource::Command { .. } => "command",
      TokenSource::Keyring { .. } => "keyring",
      TokenSource::File { .. } => "file",
    }
  }

  /// The file the token was read from, if any.
  pub fn path(&self) -> Option<&PathBuf> {
    match self {
      TokenSource::File { path, .. } | TokenSource::EnvFile(path) => Some(path),
      _ => None,
    }
  }

  /// The profile the token belongs to, if one was used.
  pub fn profile(&self) -> Option<&str> {
    match self {
      TokenSource::Command { profile }
      | TokenSource::Keyring { profile }
      | TokenSource::File { profile, .. } => profile.as_deref(),
      _ => None,
    }
  }

  /// A phrase for messages: "the CALIBRE_API_TOKEN environment variable".
  pub fn describe(&self) -> String {
    let of_profile = |what: String| match self.profile() {
      Some(name) => format!("{what} of profile \"{name}\""),
      None => what,
    };
    match self {
      TokenSource::Option => "the `token` option passed in code".to_owned(),
      TokenSource::Function => "the `token` function passed in code".to_owned(),
      TokenSource::Env => "the CALIBRE_API_TOKEN environment variable".to_owned(),
      TokenSource::EnvFile(path) => {
        format!("the file {} (CALIBRE_API_TOKEN_FILE)", path.display())
      }
      TokenSource::Command { profile: None } => "the command in CALIBRE_TOKEN_COMMAND".to_owned(),
      TokenSource::Command { .. } => of_profile("the token command".to_owned()),
      TokenSource::Keyring { .. } => of_profile("the OS keyring item".to_owned()),
      TokenSource::File {
        path,
        profile: Some(name),
      } => format!("profile \"{name}\" in the config file {}", path.display()),
      TokenSource::File { path, .. } => format!("the config file {}", path.display()),
    }
  }
}

/// A value thrown or rejected by the user's own code (a `token` function), kept to become the
/// JS error's `cause`. It is a napi reference: created, read and deleted on the JS thread only
/// (`js::error_to_js`); dropped anywhere else it is leaked rather than touched.
pub struct JsCause {
  pub env: usize,
  pub reference: std::sync::Mutex<Option<usize>>,
}

impl std::fmt::Debug for JsCause {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.write_str("JsCause")
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
  KeyringUnavailable,
  TokenCommandFailed,
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
      ErrorCode::KeyringUnavailable => "CALIBRE_KEYRING_UNAVAILABLE",
      ErrorCode::TokenCommandFailed => "CALIBRE_TOKEN_COMMAND_FAILED",
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
  /// What the user's `token` function threw or rejected with (`err.cause`).
  pub cause: Option<std::sync::Arc<JsCause>>,
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
      cause: None,
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

  /// Keeps the token source when it is known.
  pub fn with_token_source_opt(mut self, source: Option<TokenSource>) -> Self {
    if source.is_some() {
      self.token_source = source;
    }
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
/// then any other status. The message keeps Calibre's own words (every GraphQL error's
/// `message` and each problem with its path), and the error carries the response, the errors
/// and the token source. `token` is scrubbed from everything kept of the answer first: a
/// server may echo it.
pub fn classify(
  function: &str,
  token_source: &TokenSource,
  response: ResponseInfo,
  errors: Vec<Value>,
  token: Option<&dyn Secret>,
) -> CalibreError {
  let response = response.scrubbed(token);
  let errors: Vec<Value> = errors
    .into_iter()
    .map(|mut e| {
      scrub_value(&mut e, token);
      e
    })
    .collect();
  let status = response.status;
  let body = response.body.as_str();
  let source = token_source.describe();
  let said = calibre_said(&errors, body);
  let (code, message) = match status {
    401 => (
      ErrorCode::Unauthorized,
      format!(
        "{function}: Calibre rejected the API token (HTTP 401 Unauthorized). The token from {source} is unknown or was revoked. Create a new token in Calibre (Account → API Tokens) and store it with `calibre-native token set -` or CALIBRE_API_TOKEN.{said}"
      ),
    ),
    403 => forbidden(function, &source, body, &said),
    429 => (
      ErrorCode::RateLimited,
      format!(
        "{function}: Calibre's rate limit was exceeded (HTTP 429 Too Many Requests). Slow down: the API allows 10 requests per second per token.{said}"
      ),
    ),
    _ if !errors.is_empty() => (ErrorCode::GraphqlError, graphql_message(function, &errors)),
    // Only a redirect that loops or never ends is left unfollowed (see transport).
    300..=399 => (
      ErrorCode::HttpError,
      format!(
        "{function}: Calibre answered HTTP {status}{}, redirecting to {}; a redirect that loops or goes on for more than 10 hops is not followed. Check `host` / CALIBRE_HOST.{said}",
        reason(status),
        response
          .headers
          .iter()
          .find(|(k, _)| k.eq_ignore_ascii_case("location"))
          .map_or("(no Location)", |(_, v)| v.as_str())
      ),
    ),
    _ => (
      ErrorCode::HttpError,
      format!(
        "{function}: Calibre answered HTTP {status}{}.{}",
        reason(status),
        if said.is_empty() { " (empty body)".to_owned() } else { said }
      ),
    ),
  };
  CalibreError::new(code, message)
    .with_response(response, errors)
    .with_token_source(token_source.clone())
}

fn forbidden(function: &str, source: &str, body: &str, said: &str) -> (ErrorCode, String) {
  let lower = body.to_ascii_lowercase();
  if lower.contains("expired") {
    (
      ErrorCode::TokenExpired,
      format!(
        "{function}: the API token from {source} has expired (HTTP 403 Forbidden). Re-save it in Calibre (Account → API Tokens → Edit → Save) to renew it; next time refresh it before it expires with Token.refresh() or `calibre-native token refresh`.{said}"
      ),
    )
  } else if lower.contains("ip address")
    || lower.contains("allowed ip")
    || (lower.contains(" ip ") && lower.contains("not allowed"))
  {
    (
      ErrorCode::IpNotAllowed,
      format!(
        "{function}: this machine's IP address is not in the Allowed IP Addresses of the API token from {source} (HTTP 403 Forbidden). Add this address or its range to the token's Allowed IP Addresses in Calibre, or use a token without that restriction.{said}"
      ),
    )
  } else {
    (
      ErrorCode::Forbidden,
      format!(
        "{function}: Calibre refused the request (HTTP 403 Forbidden) for the API token from {source}. Check the token's permissions and team, its expiry and its Allowed IP Addresses in Calibre.{said}"
      ),
    )
  }
}

/// The first error's first problem explanation (what calibre's CLI shows) or its `message`,
/// then Calibre's own words in full: each error's `message` verbatim and each of its
/// `extensions.problems` as `path: explanation` (`pages.0.url: Expected value to be a valid
/// URL, got "calibreapp"`). A lone error without problems is said once.
pub fn graphql_message(function: &str, errors: &[Value]) -> String {
  let first = &errors[0];
  let headline = first
    .pointer("/extensions/problems/0/explanation")
    .and_then(Value::as_str)
    .or_else(|| first.get("message").and_then(Value::as_str))
    .unwrap_or("unknown GraphQL error");
  let lone = errors.len() == 1 && problems(first).is_empty();
  if lone {
    return format!("{function}: {headline}");
  }
  format!("{function}: {headline}{}", calibre_said(errors, ""))
}

/// `\nCalibre said: …` with the server's own words, or "" when it said nothing: every GraphQL
/// error (message and problems), else the `error`/`message` of a JSON body, else an excerpt.
fn calibre_said(errors: &[Value], body: &str) -> String {
  let mut lines = Vec::new();
  for e in errors {
    let message = e
      .get("message")
      .and_then(Value::as_str)
      .unwrap_or("(no message)");
    lines.push(format!(" - {message}"));
    for problem in problems(e) {
      lines.push(format!("   {problem}"));
    }
  }
  if lines.is_empty() {
    let said = body_message(body).unwrap_or_else(|| excerpt(body));
    return if body.trim().is_empty() {
      String::new()
    } else {
      format!("\nCalibre said: {said}")
    };
  }
  if let [only] = lines.as_slice() {
    return format!("\nCalibre said: {}", &only[3..]);
  }
  format!("\nCalibre said:\n{}", lines.join("\n"))
}

/// `extensions.problems` as `path: explanation` (`path` joined with dots; omitted when empty).
fn problems(error: &Value) -> Vec<String> {
  let Some(list) = error
    .pointer("/extensions/problems")
    .and_then(Value::as_array)
  else {
    return Vec::new();
  };
  list
    .iter()
    .filter_map(|p| {
      let explanation = p.get("explanation").and_then(Value::as_str)?;
      let path: Vec<String> = p
        .get("path")
        .and_then(Value::as_array)
        .map(|steps| {
          steps
            .iter()
            .map(|s| match s {
              Value::String(s) => s.clone(),
              other => other.to_string(),
            })
            .collect()
        })
        .unwrap_or_default();
      Some(if path.is_empty() {
        explanation.to_owned()
      } else {
        format!("{}: {explanation}", path.join("."))
      })
    })
    .collect()
}

/// A non-GraphQL JSON error body's own words: `{"error": "…"}` or `{"message": "…"}`.
fn body_message(body: &str) -> Option<String> {
  let value: Value = serde_json::from_str(body).ok()?;
  ["error", "message", "error_description"]
    .iter()
    .find_map(|key| value.get(key).and_then(Value::as_str))
    .map(str::to_owned)
}

/// What replaces the API token where a server echoed it.
pub const REDACTED: &str = "[redacted token]";

/// Shorter "tokens" (placeholders in tests) would garble ordinary words; real ones are longer.
const MIN_SCRUBBED_LEN: usize = 6;

/// Something that must not appear in what an error keeps (the API token): it scrubs itself from
/// a text without handing itself out. Implemented by `auth::ApiToken`; defined here so this
/// module needs nothing from `auth`.
pub trait Secret {
  /// `text` with every occurrence replaced by `with`; `None` when it does not appear, or when
  /// the secret is shorter than `min_len` (a placeholder would garble ordinary words).
  fn redacted_in(&self, text: &str, with: &str, min_len: usize) -> Option<String>;
}

/// `text` with every occurrence of `token` replaced by `REDACTED`.
pub fn scrub(text: &str, token: Option<&dyn Secret>) -> String {
  token
    .and_then(|token| token.redacted_in(text, REDACTED, MIN_SCRUBBED_LEN))
    .unwrap_or_else(|| text.to_owned())
}

/// Scrubs every string (and key) inside a JSON value.
pub fn scrub_value(value: &mut Value, token: Option<&dyn Secret>) {
  let Some(secret) = token else {
    return;
  };
  let redact = |s: &str| secret.redacted_in(s, REDACTED, MIN_SCRUBBED_LEN);
  match value {
    Value::String(s) => {
      if let Some(clean) = redact(s) {
        *s = clean;
      }
    }
    Value::Array(items) => items.iter_mut().for_each(|v| scrub_value(v, token)),
    Value::Object(map) => {
      *map = std::mem::take(map)
        .into_iter()
        .map(|(k, mut v)| {
          scrub_value(&mut v, token);
          (redact(&k).unwrap_or(k), v)
        })
        .collect();
    }
    _ => {}
  }
}

impl ResponseInfo {
  /// The answer with `token` scrubbed from its body and headers.
  pub fn scrubbed(mut self, token: Option<&dyn Secret>) -> Self {
    self.body = scrub(&self.body, token);
    for (_, value) in &mut self.headers {
      *value = scrub(value, token);
    }
    self
  }
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

#[cfg(test)]
mod tests {
  use serde_json::json;

  use super::*;

  fn answer(status: u16, body: &str) -> ResponseInfo {
    ResponseInfo {
      status,
      headers: vec![("x-echo".into(), "Token tok_secret_123".into())],
      body: body.into(),
    }
  }

  #[test]
  fn keeps_calibres_words_and_each_problem_path() {
    let message = "Variable $attributes of type PageInput! was provided invalid value for pages.0.url (Expected value to be a valid URL)";
    let errors = vec![json!({
      "message": message,
      "extensions": { "problems": [
        { "path": ["pages", 0, "url"], "explanation": "Expected value to be a valid URL, got \"calibreapp\"" },
        { "path": [], "explanation": "Expected value to not be null" },
      ] },
    })];
    let err = classify(
      "Page.create",
      &TokenSource::Env,
      answer(200, ""),
      errors,
      None,
    );
    assert_eq!(err.code, ErrorCode::GraphqlError);
    assert_eq!(
      err.message,
      format!("Page.create: Expected value to be a valid URL, got \"calibreapp\"\nCalibre said:\n - {message}\n   pages.0.url: Expected value to be a valid URL, got \"calibreapp\"\n   Expected value to not be null")
    );
    let lone = classify(
      "Site.get",
      &TokenSource::Env,
      answer(200, ""),
      vec![json!({ "message": "Site not found" })],
      None,
    );
    assert_eq!(lone.message, "Site.get: Site not found", "said once");
  }

  #[test]
  fn status_errors_keep_the_servers_message() {
    let body = r#"{"errors":[{"message":"Invalid API token"}]}"#;
    let errors = vec![json!({ "message": "Invalid API token" })];
    let err = classify(
      "Site.list",
      &TokenSource::Env,
      answer(401, body),
      errors,
      None,
    );
    assert_eq!(err.code, ErrorCode::Unauthorized);
    assert!(err.message.contains("API Tokens"), "our hint");
    assert!(
      err.message.ends_with("\nCalibre said: Invalid API token"),
      "{}",
      err.message
    );
    let err = classify(
      "Site.list",
      &TokenSource::Env,
      answer(403, r#"{"error":"Token has expired"}"#),
      Vec::new(),
      None,
    );
    assert_eq!(err.code, ErrorCode::TokenExpired);
    assert!(
      err.message.ends_with("Calibre said: Token has expired"),
      "{}",
      err.message
    );
  }

  #[test]
  fn an_echoed_token_is_scrubbed_from_everything_kept() {
    let secret = crate::auth::ApiToken::parse("tok_secret_123")
      .unwrap()
      .unwrap();
    let token: Option<&dyn Secret> = Some(&secret);
    let errors = vec![
      json!({ "message": "bad tok_secret_123", "extensions": { "tok_secret_123": ["tok_secret_123"] } }),
    ];
    for status in [200, 400, 401, 403, 429, 502] {
      let err = classify(
        "Site.list",
        &TokenSource::Env,
        answer(status, "you sent Token tok_secret_123"),
        errors.clone(),
        token,
      );
      let kept = format!(
        "{} {:?} {:?}",
        err.message,
        err.response,
        serde_json::to_string(&err.errors).unwrap()
      );
      assert!(!kept.contains("tok_secret_123"), "{status}: {kept}");
      assert!(kept.contains(REDACTED), "{status}: {kept}");
    }
    assert_eq!(
      scrub(
        "a tok b",
        crate::auth::ApiToken::parse("tok")
          .unwrap()
          .as_ref()
          .map(|t| t as &dyn Secret)
      ),
      "a tok b",
      "too short to be a token"
    );
  }
}
