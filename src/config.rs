//! A client's settings (`new Calibre(options)`, or the default client's), read and checked
//! once at construction. What an option leaves open (token, hosts, proxies) is decided per
//! call from the environment snapshot (`Session::new`).

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use napi::bindgen_prelude::{FunctionRef, Unknown};
use serde_json::{Map, Value};

use crate::auth::{self, ProfileHost, TokenLifecycle};
use crate::env::Env;
#[cfg(test)]
use crate::env::EnvSnapshot;
use crate::error::CalibreError;
use crate::transport::{
  self, HttpClient, HttpEnv, HttpSettings, ProxySetting, RetryPolicy, Throttle,
  DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
};

const DEFAULT_HOST: &str = "https://api.calibreapp.com";
const DEFAULT_APP_HOST: &str = "https://calibreapp.com";
/// The function name in construction errors.
const F: &str = "new Calibre";

/// The `token` option as given. A `token` that is present but holds no token (blank, `null`,
/// `undefined`) is refused at construction instead of falling through to the environment.
pub enum TokenOption {
  Unset,
  Token(auth::ApiToken),
  /// `token: () => string | Promise<string>`, called when each call starts.
  Function(FunctionRef<(), Unknown<'static>>),
}

/// Per-client settings. `None` means "decide per call from the environment".
pub struct ClientConfig {
  pub(crate) token: TokenOption,
  /// The `profile` option (the CLI's `--profile`): beats `CALIBRE_PROFILE`.
  pub(crate) profile: Option<String>,
  host: Option<String>,
  app_host: Option<String>,
  pub(crate) timeout: Duration,
  /// `None`: throttling turned off.
  pub(crate) throttle: Option<Arc<Throttle>>,
  pub(crate) retries: RetryPolicy,
  /// `None`: the shared HTTP client for the call's environment (its proxies and CAs).
  pub(crate) http: Option<Arc<HttpClient>>,
  pub(crate) max_response_bytes: u64,
  /// Known expiries, refreshed successors, the auto-refresh switch.
  pub(crate) lifecycle: Arc<TokenLifecycle>,
  /// `onTokenRefreshed(info)`, called on the JS thread after a refresh.
  pub(crate) on_token_refreshed: Option<FunctionRef<Unknown<'static>, Unknown<'static>>>,
}

static DEFAULT_CLIENT: LazyLock<Arc<ClientConfig>> =
  LazyLock::new(|| Arc::new(ClientConfig::defaults()));

impl ClientConfig {
  /// The default client's settings: everything from the environment.
  fn defaults() -> ClientConfig {
    ClientConfig {
      token: TokenOption::Unset,
      profile: None,
      host: None,
      app_host: None,
      timeout: DEFAULT_TIMEOUT,
      throttle: Some(Throttle::process_wide()),
      retries: RetryPolicy::DEFAULT,
      http: None,
      max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
      lifecycle: Arc::new(TokenLifecycle::new(true)),
      on_token_refreshed: None,
    }
  }

  /// A client like the default one, for `profile` (the CLI's `--profile`).
  pub fn for_profile(profile: String, what: &str) -> Result<ClientConfig, CalibreError> {
    auth::check_profile_name(what, &profile)?;
    Ok(ClientConfig {
      profile: Some(profile),
      ..ClientConfig::defaults()
    })
  }

  /// The profile this client names, if any.
  pub fn profile(&self) -> Option<&str> {
    self.profile.as_deref()
  }
}

/// The client behind the module-level namespaces (and the CLI): environment and config file.
pub fn default_client() -> Arc<ClientConfig> {
  Arc::clone(&DEFAULT_CLIENT)
}

/// A variable that is set and not blank.
fn env_var(env: &dyn Env, name: &str) -> Option<String> {
  env.var(name).filter(|v| !v.trim().is_empty())
}

/// A host setting as the base of request URLs (`{base}/graphql`): an http(s) URL with no user
/// info (it would replace the token with Basic auth, and end up in messages), no query and no
/// fragment (the path would be appended after them: `http://h/#/graphql` posts to `/`).
pub(crate) fn base_url(function: &str, raw: &str, what: &str) -> Result<String, CalibreError> {
  let trimmed = raw.trim().trim_end_matches('/');
  let refuse = |why: String| Err(CalibreError::invalid_argument(function, why));
  let url = match reqwest::Url::parse(trimmed) {
    Ok(url) if matches!(url.scheme(), "http" | "https") => url,
    _ => {
      return refuse(format!(
        "{what} must be an http(s) URL such as https://api.calibreapp.com, got {:?}.",
        without_user_info(raw)
      ))
    }
  };
  if !url.username().is_empty() || url.password().is_some() {
    // Not echoed: that part is a password.
    return refuse(format!(
      "{what} must not contain a user name or password (`user:password@`): Calibre is called with the API token. Remove that part of the URL."
    ));
  }
  if url.query().is_some() || url.fragment().is_some() || trimmed.contains(['?', '#']) {
    return refuse(format!(
      "{what} must be a plain base URL without `?` or `#` (the API path is appended to it), got {:?}.",
      raw
    ));
  }
  Ok(trimmed.to_owned())
}

/// `raw` with anything between `//` and an `@` masked, for messages about a URL that did
/// not even parse.
fn without_user_info(raw: &str) -> String {
  let Some(start) = raw.find("//").map(|i| i + 2) else {
    return raw.to_owned();
  };
  let authority_end = raw[start..]
    .find(['/', '?', '#'])
    .map_or(raw.len(), |i| start + i);
  match raw[start..authority_end].rfind('@') {
    Some(at) => format!("{}***{}", &raw[..start], &raw[start + at..]),
    None => raw.to_owned(),
  }
}

type Options = Map<String, Value>;

fn text(options: &Options, key: &str) -> Result<Option<String>, CalibreError> {
  match options.get(key) {
    None | Some(Value::Null) => Ok(None),
    Some(Value::String(s)) => Ok(Some(s.clone())),
    Some(other) => Err(CalibreError::invalid_argument(
      F,
      format!("`{key}` must be a string, got {}.", crate::js::kind(other)),
    )),
  }
}

/// `token`: checked now, so a bad or blank one fails at construction, before any request.
fn token(options: &Options) -> Result<TokenOption, CalibreError> {
  if options.get("token") == Some(&Value::Null) {
    return Err(prefixed(auth::blank_option("null")));
  }
  let Some(raw) = text(options, "token")? else {
    return Ok(TokenOption::Unset);
  };
  auth::given(&raw, crate::error::TokenSource::Option)
    .map(|resolved| TokenOption::Token(resolved.token))
    .map_err(prefixed)
}

/// `profile`: a name `token set --profile` would accept.
fn profile(options: &Options) -> Result<Option<String>, CalibreError> {
  let Some(name) = text(options, "profile")? else {
    return Ok(None);
  };
  auth::check_profile_name(F, name.trim())?;
  Ok(Some(name.trim().to_owned()))
}

/// A construction error's message starts with `new Calibre: `, like the argument errors.
pub fn prefixed(mut err: CalibreError) -> CalibreError {
  err.message = format!("{F}: {}", err.message);
  err
}

fn host(options: &Options, key: &str) -> Result<Option<String>, CalibreError> {
  text(options, key)?
    .map(|h| base_url(F, &h, &format!("`{key}`")))
    .transpose()
}

fn timeout(options: &Options) -> Result<Duration, CalibreError> {
  match options.get("timeoutMs") {
    None | Some(Value::Null) => Ok(DEFAULT_TIMEOUT),
    Some(v) => match v.as_f64() {
      Some(ms) if ms > 0.0 && ms.is_finite() => Ok(Duration::from_millis(ms as u64)),
      _ => Err(CalibreError::invalid_argument(
        F,
        "`timeoutMs` must be a positive number of milliseconds.",
      )),
    },
  }
}

fn throttle(options: &Options) -> Result<Option<Arc<Throttle>>, CalibreError> {
  match options.get("throttle") {
    None | Some(Value::Null) => Ok(Some(Throttle::process_wide())),
    Some(Value::Bool(false)) => Ok(None),
    Some(Value::Object(t)) => {
      let limit = t.get("limit").and_then(Value::as_u64).filter(|l| *l > 0);
      let interval = t
        .get("intervalMs")
        .and_then(Value::as_u64)
        .filter(|i| *i > 0);
      match (limit, interval) {
        (Some(limit), Some(interval)) => Ok(Some(Arc::new(Throttle::new(
          limit.min(u32::MAX as u64) as u32,
          Duration::from_millis(interval),
        )))),
        _ => Err(CalibreError::invalid_argument(
          F,
          "`throttle` must be { limit, intervalMs } with positive integers, or false.",
        )),
      }
    }
    Some(_) => Err(CalibreError::invalid_argument(
      F,
      "`throttle` must be { limit, intervalMs } or false.",
    )),
  }
}

fn retries(options: &Options) -> Result<RetryPolicy, CalibreError> {
  let r = match options.get("retries") {
    None | Some(Value::Null) => return Ok(RetryPolicy::DEFAULT),
    Some(Value::Bool(false)) => return Ok(RetryPolicy::NONE),
    Some(Value::Object(r)) => r,
    Some(_) => {
      return Err(CalibreError::invalid_argument(
        F,
        "`retries` must be { max, baseMs, capMs } or false.",
      ))
    }
  };
  let ms = |key: &str, default: Duration| match r.get(key) {
    None | Some(Value::Null) => Ok(default),
    Some(v) => v
      .as_f64()
      .filter(|ms| *ms >= 0.0 && ms.is_finite())
      .map(|ms| Duration::from_millis(ms as u64))
      .ok_or_else(|| {
        CalibreError::invalid_argument(
          F,
          format!("`retries.{key}` must be a number of milliseconds."),
        )
      }),
  };
  let max_retries = match r.get("max") {
    None | Some(Value::Null) => RetryPolicy::DEFAULT.max_retries,
    Some(v) => v.as_u64().filter(|m| *m <= 20).ok_or_else(|| {
      CalibreError::invalid_argument(F, "`retries.max` must be a whole number from 0 to 20.")
    })? as u32,
  };
  Ok(RetryPolicy {
    max_retries,
    base: ms("baseMs", RetryPolicy::DEFAULT.base)?,
    cap: ms("capMs", RetryPolicy::DEFAULT.cap)?,
  })
}

/// `proxy` and `ca`: a client of its own when either is given, built with the environment
/// of the constructor's call (`NO_PROXY`, `NODE_EXTRA_CA_CERTS`, the system roots).
fn http(options: &Options, env: &dyn Env) -> Result<Option<Arc<HttpClient>>, CalibreError> {
  let proxy = match options.get("proxy") {
    None | Some(Value::Null) => ProxySetting::FromEnv,
    Some(Value::Bool(false)) => ProxySetting::Off,
    Some(Value::String(url)) => ProxySetting::Url(url.clone()),
    Some(_) => {
      return Err(CalibreError::invalid_argument(
        F,
        "`proxy` must be a proxy URL such as http://proxy:3128, or false.",
      ))
    }
  };
  let settings = HttpSettings {
    proxy,
    ca_pem: text(options, "ca")?,
  };
  if settings == HttpSettings::default() {
    return Ok(None);
  }
  transport::build_client(&settings, &HttpEnv::from_env(env))
    .map(|client| Some(Arc::new(client)))
    .map_err(|why| CalibreError::invalid_argument(F, why))
}

fn max_response_bytes(options: &Options) -> Result<u64, CalibreError> {
  match options.get("maxResponseBytes") {
    None | Some(Value::Null) => Ok(DEFAULT_MAX_RESPONSE_BYTES),
    Some(v) => v.as_u64().filter(|n| *n > 0).ok_or_else(|| {
      CalibreError::invalid_argument(F, "`maxResponseBytes` must be a positive whole number.")
    }),
  }
}

fn auto_refresh(options: &Options) -> Result<bool, CalibreError> {
  match options.get("autoRefresh") {
    None | Some(Value::Null) => Ok(true),
    Some(Value::Bool(b)) => Ok(*b),
    Some(_) => Err(CalibreError::invalid_argument(
      F,
      "`autoRefresh` must be a boolean.",
    )),
  }
}

impl ClientConfig {
  /// Reads `{ token, profile, host, appHost, timeoutMs, throttle, retries, proxy, ca,
  /// maxResponseBytes, autoRefresh }` (`onTokenRefreshed` is read from the JS object).
  pub fn from_options(options: &Options, env: &dyn Env) -> Result<ClientConfig, CalibreError> {
    Ok(ClientConfig {
      token: token(options)?,
      profile: profile(options)?,
      host: host(options, "host")?,
      app_host: host(options, "appHost")?,
      timeout: timeout(options)?,
      throttle: throttle(options)?,
      retries: retries(options)?,
      http: http(options, env)?,
      max_response_bytes: max_response_bytes(options)?,
      lifecycle: Arc::new(TokenLifecycle::new(auto_refresh(options)?)),
      on_token_refreshed: None,
    })
  }

  /// The GraphQL endpoint: the `host` option, else a named profile's host, else
  /// `CALIBRE_HOST`, else the default profile's host.
  pub fn graphql_url(
    &self,
    function: &str,
    env: &dyn Env,
    profile: Option<&ProfileHost>,
  ) -> Result<String, CalibreError> {
    let host = match &self.host {
      Some(host) => host.clone(),
      None => match self.env_or_profile_host(function, env, profile)? {
        Some(host) => host,
        None => DEFAULT_HOST.to_owned(),
      },
    };
    Ok(format!("{host}/graphql"))
  }

  /// A named profile's host, else `CALIBRE_HOST`, else the default profile's host.
  fn env_or_profile_host(
    &self,
    function: &str,
    env: &dyn Env,
    profile: Option<&ProfileHost>,
  ) -> Result<Option<String>, CalibreError> {
    let profile_host = || {
      profile
        .map(|p| base_url(function, &p.url, "the profile's host"))
        .transpose()
    };
    if profile.is_some_and(|p| p.named) {
      return profile_host();
    }
    match env_var(env, "CALIBRE_HOST") {
      Some(host) => base_url(function, &host, "CALIBRE_HOST").map(Some),
      None => profile_host(),
    }
  }

  /// The app host for refresh: option, else `CALIBRE_APP_HOST`, else the GraphQL host's
  /// option, profile or `CALIBRE_HOST` (so one local server serves both), else
  /// https://calibreapp.com.
  pub fn app_url(
    &self,
    function: &str,
    env: &dyn Env,
    profile: Option<&ProfileHost>,
  ) -> Result<String, CalibreError> {
    if let Some(host) = &self.app_host {
      return Ok(host.clone());
    }
    if let Some(host) = env_var(env, "CALIBRE_APP_HOST") {
      return base_url(function, &host, "CALIBRE_APP_HOST");
    }
    if let Some(host) = &self.host {
      return Ok(host.clone());
    }
    Ok(
      self
        .env_or_profile_host(function, env, profile)?
        .unwrap_or_else(|| DEFAULT_APP_HOST.to_owned()),
    )
  }

  /// This client's own per-request timeout (its `timeoutMs`, default 60 s).
  pub fn request_timeout(&self) -> Duration {
    self.timeout
  }

  /// Decides where this client's token comes from now (see `auth::chain`). `token_override`
  /// beats the client's option (e.g. `Token.refresh({ token })`).
  pub fn decide_token(
    &self,
    token_override: Option<&auth::ApiToken>,
    env: &dyn Env,
  ) -> Result<auth::Decision, CalibreError> {
    let given = match (token_override, &self.token) {
      (Some(token), _) | (None, TokenOption::Token(token)) => auth::Given::Token(token),
      (None, TokenOption::Function(_)) => auth::Given::Function,
      (None, TokenOption::Unset) => auth::Given::None,
    };
    auth::decide(
      &auth::Wanted {
        given,
        profile: self.profile.as_deref(),
      },
      env,
    )
  }
}

#[cfg(test)]
mod tests {
  use serde_json::json;

  use super::*;
  use crate::error::ErrorCode;

  fn config(options: Value) -> ClientConfig {
    let Value::Object(map) = options else {
      unreachable!()
    };
    ClientConfig::from_options(&map, &EnvSnapshot::empty()).unwrap()
  }

  #[test]
  fn hosts_come_from_the_option_then_the_injected_environment() {
    let plain = config(serde_json::json!({}));
    let env = EnvSnapshot::from_pairs(&[("CALIBRE_HOST", "http://127.0.0.1:9/")]);
    assert_eq!(
      plain.graphql_url("f", &env, None).unwrap(),
      "http://127.0.0.1:9/graphql"
    );
    assert_eq!(
      plain.app_url("f", &env, None).unwrap(),
      "http://127.0.0.1:9"
    );
    let both = EnvSnapshot::from_pairs(&[
      ("CALIBRE_HOST", "http://a.test"),
      ("CALIBRE_APP_HOST", "http://b.test"),
    ]);
    assert_eq!(plain.app_url("f", &both, None).unwrap(), "http://b.test");
    let blank = EnvSnapshot::from_pairs(&[("CALIBRE_HOST", "  ")]);
    assert_eq!(
      plain.graphql_url("f", &blank, None).unwrap(),
      "https://api.calibreapp.com/graphql"
    );
    assert_eq!(
      plain.app_url("f", &blank, None).unwrap(),
      "https://calibreapp.com"
    );
    let bad = EnvSnapshot::from_pairs(&[("CALIBRE_HOST", "ftp://x")]);
    let err = plain.graphql_url("Site.list", &bad, None).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidArgument);
    assert!(err.message.contains("CALIBRE_HOST"));
    let own = config(serde_json::json!({ "host": "http://own.test/" }));
    assert_eq!(
      own.graphql_url("f", &env, None).unwrap(),
      "http://own.test/graphql"
    );
  }

  #[test]
  fn hosts_with_user_info_query_or_fragment_are_refused() {
    for host in [
      "http://user:hunter2@127.0.0.1:9",
      "https://user@api.test",
      "http://127.0.0.1:9/?x=1",
      "http://127.0.0.1:9/#frag",
      "http://127.0.0.1:9?",
      "http://127.0.0.1:9#",
    ] {
      let mut options = Map::new();
      options.insert("host".into(), json!(host));
      let err = ClientConfig::from_options(&options, &EnvSnapshot::empty())
        .err()
        .expect(host);
      assert_eq!(err.code, ErrorCode::InvalidArgument, "{host}");
      assert!(!err.message.contains("hunter2"), "{}", err.message);
      let env = EnvSnapshot::from_pairs(&[("CALIBRE_HOST", host)]);
      let err = config(json!({})).graphql_url("f", &env, None).unwrap_err();
      assert_eq!(err.code, ErrorCode::InvalidArgument, "CALIBRE_HOST={host}");
      assert!(!err.message.contains("hunter2"), "{}", err.message);
    }
    assert_eq!(
      without_user_info("ftp://me:hunter2@x/y"),
      "ftp://***@x/y",
      "not even parsed: still not echoed"
    );
  }

  #[test]
  fn the_token_option_beats_the_injected_environment() {
    let env = EnvSnapshot::from_pairs(&[("CALIBRE_API_TOKEN", "from-env")]);
    let own = config(serde_json::json!({ "token": " opt " }));
    let ready = |d: auth::Decision| match d.plan {
      auth::Plan::Ready(t) => t.token.expose().to_owned(),
      other => panic!("{other:?}"),
    };
    assert_eq!(ready(own.decide_token(None, &env).unwrap()), "opt");
    let over = auth::ApiToken::parse("over").unwrap().unwrap();
    assert_eq!(ready(own.decide_token(Some(&over), &env).unwrap()), "over");
    // Present but empty: refused, never another organisation's token from the environment.
    for token in [json!(""), json!("  \t"), Value::Null] {
      let mut options = Map::new();
      options.insert("token".into(), token.clone());
      let err = ClientConfig::from_options(&options, &env)
        .err()
        .expect("refused");
      assert_eq!(err.code, ErrorCode::TokenMissing, "{token}");
      assert!(err.message.contains("`token` option"), "{}", err.message);
    }
  }
}
