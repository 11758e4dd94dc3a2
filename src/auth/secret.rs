//! The token itself: trimmed, validated once, never printed.

use std::fmt;
use std::time::SystemTime;

use crate::error::TokenSource;

/// An API token that passed validation. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApiToken(String);

impl ApiToken {
  /// Trims the token and checks it can travel in an HTTP header as-is.
  /// Returns `None` for a blank token and `Err(reason)` for one with bad characters
  /// (the reason never contains the token).
  pub fn parse(raw: &str) -> Result<Option<ApiToken>, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
      return Ok(None);
    }
    // Printable ASCII without spaces: anything else could split or forge a header.
    if let Some(c) = trimmed.chars().find(|c| !c.is_ascii_graphic()) {
      return Err(if c.is_whitespace() {
        "contains whitespace"
      } else if c.is_ascii_control() {
        "contains control characters"
      } else {
        "contains non-ASCII characters"
      });
    }
    Ok(Some(ApiToken(trimmed.to_owned())))
  }

  /// The token itself. Only where it must leave as text: the `Authorization` header
  /// (transport), the stores that keep it (config file, keyring), and the JS boundary
  /// (`Token.resolve()`, a refresh's result). A test keeps this list true.
  pub fn expose(&self) -> &str {
    &self.0
  }

  /// First four characters and an ellipsis: enough to tell tokens apart in a status line.
  pub fn masked(&self) -> String {
    let head: String = self.0.chars().take(4).collect();
    format!("{head}…")
  }
}

/// A token with where it came from, as the chain (`auth::chain`) decided it.
#[derive(Clone, Debug)]
pub struct ResolvedToken {
  pub token: ApiToken,
  pub source: TokenSource,
  /// When the token expires, if known (kept beside it in the config file, printed by a token
  /// command, or learned by this client from a refresh).
  pub expires_at: Option<SystemTime>,
}

impl crate::error::Secret for ApiToken {
  fn redacted_in(&self, text: &str, with: &str, min_len: usize) -> Option<String> {
    (self.0.len() >= min_len && text.contains(&self.0)).then(|| text.replace(&self.0, with))
  }
}

impl fmt::Debug for ApiToken {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("ApiToken(<redacted>)")
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn trims_and_accepts_printable_ascii() {
    let t = ApiToken::parse("  abc123-_.~  \n").unwrap().unwrap();
    assert_eq!(t.expose(), "abc123-_.~");
  }

  #[test]
  fn blank_is_none() {
    assert_eq!(ApiToken::parse("").unwrap(), None);
    assert_eq!(ApiToken::parse(" \t\n").unwrap(), None);
  }

  #[test]
  fn rejects_header_injection_and_odd_bytes() {
    for (raw, why) in [
      ("abc def", "contains whitespace"),
      ("abc\r\nX-Evil: 1", "contains whitespace"),
      ("abc\u{7}", "contains control characters"),
      ("abc\u{0}", "contains control characters"),
      ("tökén", "contains non-ASCII characters"),
      ("abc\u{a0}def", "contains whitespace"),
    ] {
      assert_eq!(ApiToken::parse(raw), Err(why), "{raw:?}");
    }
  }

  #[test]
  fn debug_and_mask_hide_the_secret() {
    let t = ApiToken::parse("supersecret").unwrap().unwrap();
    assert!(!format!("{t:?}").contains("supersecret"));
    assert_eq!(t.masked(), "supe…");
  }
}
