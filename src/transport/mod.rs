//! The only HTTP in the package. Every byte it fetches (GraphQL calls, token refresh, artifact
//! downloads) goes through here, one concern per file:
//!
//! - `client`: building reqwest clients (trust roots, proxies) and the shared one per environment;
//! - `request`: one attempt: send, read the body within the timeout and size limit;
//! - `throttle`: calibre@7's request-start throttle and the rate-limit pause;
//! - `retry`: what may be retried and after how long.

mod client;
mod request;
mod retry;
mod throttle;

pub use client::{
  build_client, shared_client, HttpEnv, HttpSettings, ProxySetting, DEFAULT_TIMEOUT,
};
pub use request::{post, HttpRequest, RawResponse, DEFAULT_MAX_RESPONSE_BYTES};
pub use retry::RetryPolicy;
pub use throttle::Throttle;
