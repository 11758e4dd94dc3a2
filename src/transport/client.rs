//! Building HTTP clients: reqwest over rustls with the trusted roots (bundled, system store,
//! `NODE_EXTRA_CA_CERTS`, the `ca` option) and the proxies of the call's environment, and the
//! shared client per distinct environment.

use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use rustls::pki_types::{pem::PemObject, CertificateDer};

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

/// An HTTP client: its settings and its keep-alive pool. Only the transport sends with it.
pub struct HttpClient(pub(super) reqwest::Client);

/// The shared client for an environment: one keep-alive pool for every call that needs
/// nothing special (one per distinct proxy/CA environment, almost always just one). Built on
/// first use; a configuration it cannot be built from fails each call that needs it (with the
/// reason) instead of taking the process down.
pub fn shared_client(env: &HttpEnv) -> Result<Arc<HttpClient>, CalibreError> {
  type Built = Result<Arc<HttpClient>, String>;
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
pub fn build_client(settings: &HttpSettings, env: &HttpEnv) -> Result<HttpClient, String> {
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
  builder.build().map(HttpClient).map_err(|e| e.to_string())
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
}
