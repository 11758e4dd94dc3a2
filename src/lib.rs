//! calibre-native: a Rust drop-in for the `calibre@7` Node.js API.
//!
//! Layout (see DESIGN.md):
//! - `error`     the one error type, its stable codes and the JS `CalibreError` it becomes
//! - `auth`      the token: validation, the option > env > file chain, the config file, refresh
//! - `transport` the only HTTP: one reqwest client, throttle, timeout, abort
//! - `graphql`   request bodies and response decoding
//! - `client`    the `Calibre` class, the default client and the call pipeline
//! - `session`   one call's settings: retries, GraphQL execution, token refresh
//! - `exports`   the `CalibreError` class and other exports napi cannot register alone
//! - `js`        small helpers at the JS boundary (arguments, abort signals, JSON hand-off)
//! - `runtime`   the tokio runtime behind every call, started by the first call
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
mod cli;
mod client;
mod error;
mod exports;
mod graphql;
mod js;
mod runtime;
mod session;
mod transport;

/// Entry points for the `cargo fuzz` targets in fuzz/; compiled with `--cfg fuzzing` and in tests.
#[cfg(any(fuzzing, test))]
#[doc(hidden)]
pub mod fuzzing;

pub use error::{CalibreError, ErrorCode};
