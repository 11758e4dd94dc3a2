//! calibre-native: a Rust drop-in for the `calibre@7` Node.js API.
//!
//! Layout (ARCHITECTURE.md has the whole map), lowest layer first:
//! - `env`       the environment seam: every variable read, from a snapshot of `process.env`
//! - `error`     the one error type, its stable codes, the token source, HTTP classification
//! - `auth`      the token: validation, the option > env > file chain, the config file, refresh
//! - `cancel`    cancellation: the flag an `AbortSignal` raises, work that stops when it is
//! - `transport` the only HTTP: reqwest clients, requests, throttle, retries, timeouts, the debug
//!   log and the per-attempt events
//! - `graphql`   request bodies and response decoding
//! - `config`    a client's settings (`new Calibre(options)` or the default client)
//! - `session`   one call: its resolved token and URLs, GraphQL execution, token refresh
//! - `runtime`   the tokio runtime behind every call, started by the first call
//! - `js`        the JS boundary: `CalibreError`, arguments, abort signals, `process.env`, promises
//! - `client`    the `Calibre` class and the namespaces bound to it
//! - `diagnostics` `diagnostics_channel` events of every HTTP attempt, published on the JS thread
//! - `call`      the one call pipeline every entry point goes through
//! - `exports`   what napi cannot register alone: the `CalibreError` class (built by `js`)
//! - `api`       one module per calibre@7 namespace
//! - `cli`       the `calibre-native` command (clap), run through `runCli`
#![deny(clippy::all)]
// `CalibreError` carries the response and request for the caller; it is built once per failed
// call, so its size on the stack does not matter.
#![allow(clippy::result_large_err)]
// napi-derive registers `#[napi]` exports only outside `cfg(test)`, so in the unit-test build
// they (and what only they use) look unused.
#![cfg_attr(test, allow(dead_code))]

mod api;
mod auth;
mod call;
mod cancel;
mod cli;
mod client;
mod config;
mod diagnostics;
mod env;
mod error;
mod exports;
mod graphql;
mod js;
mod runtime;
mod session;
mod token_function;
mod transport;

/// Entry points for the `cargo fuzz` targets in fuzz/; compiled with `--cfg fuzzing` and in tests.
#[cfg(any(fuzzing, test))]
#[doc(hidden)]
pub mod fuzzing;

pub use error::{CalibreError, ErrorCode};
