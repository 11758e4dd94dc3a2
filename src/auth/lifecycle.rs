//! What a client knows about its tokens' lifetimes, and the rules for refreshing them
//! automatically (after AWS's memoize and token providers):
//!
//! - refresh only a token whose expiry is known and falls within the window (default 5 min);
//! - one refresh at a time per client (single flight): concurrent calls wait for it;
//! - at most one attempt per 30 s; a failed refresh keeps the still-valid token and is
//!   reported once;
//! - a refreshed token that cannot be rewritten at its source (an option or env token) is
//!   remembered here as the successor of the old one;
//! - a token fetched from the keyring or printed by a command is kept here until its known
//!   expiry, or until a 401 makes the caller `forget` it, so neither runs on every call.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use super::secret::{ApiToken, ResolvedToken};

pub const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);
pub const MIN_ATTEMPT_INTERVAL: Duration = Duration::from_secs(30);

/// RFC 3339 / ISO 8601 in UTC (`Z` or `+00:00`), with or without fractions.
pub fn parse_time(text: &str) -> Option<SystemTime> {
  let text = text.trim();
  let utc = text.strip_suffix("+00:00").map(|t| format!("{t}Z"));
  humantime::parse_rfc3339_weak(utc.as_deref().unwrap_or(text)).ok()
}

/// `Date.prototype.toISOString()` format: `2027-01-01T00:00:00.000Z`.
pub fn format_time(time: SystemTime) -> String {
  humantime::format_rfc3339_millis(time).to_string()
}

pub struct TokenLifecycle {
  auto: bool,
  window: Duration,
  known: Mutex<Known>,
  flight: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Known {
  /// Expiries learned from refreshes, by token.
  expiries: HashMap<ApiToken, SystemTime>,
  /// Old token -> its refreshed successor, for tokens we cannot rewrite at their source.
  successors: HashMap<ApiToken, ApiToken>,
  /// Tokens fetched from a keyring or a command, by `Plan::cache_key`.
  fetched: Vec<(String, ResolvedToken)>,
  last_attempt: Option<Instant>,
  failure_reported: bool,
}

impl TokenLifecycle {
  pub fn new(auto: bool) -> Self {
    TokenLifecycle {
      auto,
      window: REFRESH_WINDOW,
      known: Mutex::new(Known::default()),
      flight: tokio::sync::Mutex::new(()),
    }
  }

  fn known(&self) -> std::sync::MutexGuard<'_, Known> {
    self
      .known
      .lock()
      .unwrap_or_else(|poisoned| poisoned.into_inner())
  }

  /// The token to use for `resolved`: its successor if this client refreshed it into a new
  /// one, with the expiry this client learned when the source did not say.
  pub fn apply(&self, mut resolved: ResolvedToken) -> ResolvedToken {
    let known = self.known();
    for _ in 0..8 {
      match known.successors.get(&resolved.token) {
        Some(next) => resolved.token = next.clone(),
        None => break,
      }
    }
    if let Some(at) = known.expiries.get(&resolved.token) {
      if resolved.expires_at.is_none_or(|file| file < *at) {
        resolved.expires_at = Some(*at);
      }
    }
    resolved
  }

  /// Whether `token` should be refreshed before use.
  pub fn needs_refresh(&self, token: &ResolvedToken, now: SystemTime) -> bool {
    self.auto && token.expires_at.is_some_and(|at| at <= now + self.window)
  }

  /// Claims the attempt slot: false when the last attempt was less than 30 s ago.
  pub fn claim_attempt(&self, now: Instant) -> bool {
    let mut known = self.known();
    if known
      .last_attempt
      .is_some_and(|last| now.duration_since(last) < MIN_ATTEMPT_INTERVAL)
    {
      return false;
    }
    known.last_attempt = Some(now);
    true
  }

  /// Records a successful refresh. `rewritten` is true when the new token was stored at the
  /// token's own source (the config file), so no successor needs remembering.
  pub fn learned(
    &self,
    old: &ApiToken,
    new: &ApiToken,
    expires_at: Option<SystemTime>,
    rewritten: bool,
  ) {
    let mut known = self.known();
    if !rewritten && old != new {
      known.successors.insert(old.clone(), new.clone());
    }
    if let Some(at) = expires_at {
      known.expiries.insert(new.clone(), at);
    }
    for (_, fetched) in known.fetched.iter_mut().filter(|(_, t)| &t.token == old) {
      fetched.token = new.clone();
      fetched.expires_at = expires_at.or(fetched.expires_at);
    }
    known.failure_reported = false;
  }

  /// The token fetched earlier for `key` (see `Plan::cache_key`), unless it has expired.
  pub fn cached(&self, key: &str, now: SystemTime) -> Option<ResolvedToken> {
    let known = self.known();
    let (_, found) = known.fetched.iter().find(|(k, _)| k == key)?;
    if found.expires_at.is_some_and(|at| at <= now) {
      return None;
    }
    Some(found.clone())
  }

  /// Keeps a token fetched from a keyring or a command.
  pub fn remember(&self, key: &str, token: &ResolvedToken) {
    let mut known = self.known();
    known.fetched.retain(|(k, _)| k != key);
    known.fetched.push((key.to_owned(), token.clone()));
  }

  /// Drops what was fetched for `key` (the server refused it): the next use fetches again.
  pub fn forget(&self, key: &str) {
    self.known().fetched.retain(|(k, _)| k != key);
  }

  /// True the first time since the last success: report a failed refresh once.
  pub fn first_failure(&self) -> bool {
    let mut known = self.known();
    !std::mem::replace(&mut known.failure_reported, true)
  }

  /// One refresh at a time for this client.
  pub async fn single_flight(&self) -> tokio::sync::MutexGuard<'_, ()> {
    self.flight.lock().await
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::error::TokenSource;

  fn token(raw: &str, expires_at: Option<SystemTime>) -> ResolvedToken {
    ResolvedToken {
      token: ApiToken::parse(raw).unwrap().unwrap(),
      source: TokenSource::Env,
      expires_at,
    }
  }

  #[test]
  fn parses_and_formats_iso_times() {
    let t = parse_time("2027-01-01T00:00:00Z").unwrap();
    assert_eq!(format_time(t), "2027-01-01T00:00:00.000Z");
    assert_eq!(
      parse_time("2027-01-01T00:00:00.250+00:00")
        .map(format_time)
        .as_deref(),
      Some("2027-01-01T00:00:00.250Z")
    );
    assert_eq!(parse_time("not a date"), None);
  }

  #[test]
  fn refreshes_only_known_expiries_inside_the_window() {
    let now = SystemTime::now();
    let life = TokenLifecycle::new(true);
    assert!(!life.needs_refresh(&token("a", None), now));
    assert!(!life.needs_refresh(&token("a", Some(now + Duration::from_secs(3600))), now));
    assert!(life.needs_refresh(&token("a", Some(now + Duration::from_secs(60))), now));
    assert!(
      !TokenLifecycle::new(false).needs_refresh(&token("a", Some(now)), now),
      "autoRefresh: false"
    );
  }

  #[test]
  fn at_most_one_attempt_per_30_seconds() {
    let life = TokenLifecycle::new(true);
    let t0 = Instant::now();
    assert!(life.claim_attempt(t0));
    assert!(!life.claim_attempt(t0 + Duration::from_secs(10)));
    assert!(life.claim_attempt(t0 + Duration::from_secs(31)));
  }

  #[test]
  fn successors_and_expiries_are_remembered() {
    let life = TokenLifecycle::new(true);
    let later = SystemTime::now() + Duration::from_secs(7200);
    let old = token("old", None);
    let new = ApiToken::parse("new").unwrap().unwrap();
    life.learned(&old.token, &new, Some(later), false);
    let applied = life.apply(old);
    assert_eq!(applied.token.expose(), "new");
    assert_eq!(applied.expires_at, Some(later));
  }

  #[test]
  fn failures_are_reported_once_until_a_success() {
    let life = TokenLifecycle::new(true);
    assert!(life.first_failure());
    assert!(!life.first_failure());
    let t = ApiToken::parse("t").unwrap().unwrap();
    life.learned(&t, &t, None, true);
    assert!(life.first_failure());
  }
}
