//! The only HTTP in the package. Every byte it fetches (GraphQL calls, token refresh, artifact
//! downloads) goes through here, one concern per file:
//!
//! - `client`: building reqwest clients (trust roots, proxies) and the shared one per environment;
//! - `request`: one attempt: send, read the (decoded) body into memory or a file within the
//!   timeout and size limit;
//! - `throttle`: calibre@7's request-start throttle and the rate-limit pause;
//! - `retry`: what may be retried, after how long, and the loop of attempts;
//! - `trace`: the debug log and the per-attempt events for `diagnostics_channel`.

mod client;
mod request;
mod retry;
mod throttle;
mod trace;

pub use client::{
  build_client, shared_client, HttpClient, HttpEnv, HttpSettings, ProxySetting, DEFAULT_TIMEOUT,
};
pub use request::{
  FileTarget, HttpRequest, Method, Progress, RawResponse, DEFAULT_MAX_RESPONSE_BYTES,
};
pub use retry::{send, Plan, Replay, RetryPolicy};
pub use throttle::Throttle;
pub use trace::{without_query, DebugLevel, EventQueue, RequestEvent, Trace};

#[cfg(test)]
mod tests {
  use std::path::Path;

  /// Every file under `dir`, recursively.
  fn sources(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
      let path = entry.unwrap().path();
      if path.is_dir() {
        sources(&path, found);
      } else if path.extension().is_some_and(|e| e == "rs") {
        found.push(path);
      }
    }
  }

  /// ARCHITECTURE.md's invariant: only `src/transport/` does HTTP. Elsewhere reqwest may only
  /// parse URLs (`reqwest::Url`) and name statuses (`reqwest::StatusCode`); clients are the
  /// opaque `HttpClient`, and no other HTTP crate is used.
  #[test]
  fn only_the_transport_does_http() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 40, "found {} files", files.len());
    let mut offenders = Vec::new();
    for file in files
      .iter()
      .filter(|f| !f.starts_with(src.join("transport")))
    {
      let text = std::fs::read_to_string(file).unwrap();
      for (number, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("reqwest::") {
          rest = &rest[at + "reqwest::".len()..];
          if !(rest.starts_with("Url") || rest.starts_with("StatusCode")) {
            offenders.push(format!("{}:{}: {line}", file.display(), number + 1));
          }
        }
        for other in [
          "hyper::",
          "ureq::",
          "std::net::TcpStream",
          "tokio::net::TcpStream",
        ] {
          if line.contains(other) && !line.trim_start().starts_with("//") {
            offenders.push(format!("{}:{}: {line}", file.display(), number + 1));
          }
        }
      }
    }
    assert!(
      offenders.is_empty(),
      "HTTP outside src/transport/:\n{}",
      offenders.join("\n")
    );
  }
}
