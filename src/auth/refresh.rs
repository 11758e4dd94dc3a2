//! The body of `POST /api/refresh_token`. Calibre does not document it, so we accept what a
//! sensible server could send: nothing (expiry extended server-side, token unchanged), or
//! JSON carrying a token (`token` / `api_token`) and/or an expiry (`expires_at` / `expiresAt`),
//! possibly wrapped in a `data` object. An expiry key that is `null` says the token does not expire
//! (what a server that reports expiries sends for a token created without one).

use serde_json::Value;

/// What the server sent back. The token is raw text until the caller validates it into an
/// `ApiToken`; `Debug` does not show it.
#[derive(Clone, Default, PartialEq)]
pub struct RefreshedToken {
  /// A new token when the server issued one.
  pub token: Option<String>,
  /// The new expiry as the server wrote it (ISO 8601 expected).
  pub expires_at: Option<String>,
  /// The server said the token has no expiry (`"expires_at": null`), rather than not saying.
  pub never_expires: bool,
}

impl std::fmt::Debug for RefreshedToken {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("RefreshedToken")
      .field("token", &self.token.as_ref().map(|_| "<redacted>"))
      .field("expires_at", &self.expires_at)
      .field("never_expires", &self.never_expires)
      .finish()
  }
}

pub fn parse_refresh_body(body: &str) -> RefreshedToken {
  let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(body) else {
    return RefreshedToken::default();
  };
  if let Some(Value::Object(inner)) = map.shift_remove("data") {
    map.extend(inner);
  }
  let text = |keys: &[&str]| {
    keys.iter().find_map(|k| match map.get(*k) {
      Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
      Some(Value::Number(n)) => Some(n.to_string()),
      _ => None,
    })
  };
  const EXPIRY_KEYS: [&str; 2] = ["expires_at", "expiresAt"];
  let expires_at = text(&EXPIRY_KEYS);
  RefreshedToken {
    token: text(&["token", "api_token", "apiToken"]),
    never_expires: expires_at.is_none()
      && EXPIRY_KEYS
        .iter()
        .any(|k| matches!(map.get(*k), Some(Value::Null))),
    expires_at,
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn accepts_the_shapes_a_server_may_send() {
    let cases = [
      ("", None, None),
      ("OK", None, None),
      ("{}", None, None),
      (
        r#"{"token":"new","expires_at":"2027-01-01T00:00:00Z"}"#,
        Some("new"),
        Some("2027-01-01T00:00:00Z"),
      ),
      (r#"{"api_token":"n2"}"#, Some("n2"), None),
      (
        r#"{"expiresAt":"2027-01-01T00:00:00Z"}"#,
        None,
        Some("2027-01-01T00:00:00Z"),
      ),
      (
        r#"{"data":{"token":"n3","expires_at":null}}"#,
        Some("n3"),
        None,
      ),
    ];
    for (body, token, expires) in cases {
      let got = parse_refresh_body(body);
      assert_eq!(got.token.as_deref(), token, "{body}");
      assert_eq!(got.expires_at.as_deref(), expires, "{body}");
    }
  }

  #[test]
  fn a_null_expiry_means_never_and_a_missing_one_means_unknown() {
    for body in [
      r#"{"token":"t","expires_at":null}"#,
      r#"{"data":{"expiresAt":null}}"#,
    ] {
      assert!(parse_refresh_body(body).never_expires, "{body}");
    }
    for body in [
      "",
      "{}",
      r#"{"token":"t"}"#,
      r#"{"expires_at":"2027-01-01T00:00:00Z"}"#,
    ] {
      assert!(!parse_refresh_body(body).never_expires, "{body}");
    }
  }
}
