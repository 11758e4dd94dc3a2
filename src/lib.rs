//! calibre-native: a Rust drop-in for the `calibre@7` Node.js API.
//!
//! Layout (see DESIGN.md):
//! - `error`     the one error type, its stable codes and the JS `CalibreError` it becomes
//! - `auth`      the token: validation, the option > env > file chain, the config file, refresh
//! - `transport` the only HTTP: one reqwest client, throttle, timeout, abort
//! - `graphql`   request bodies and response decoding
//! - `client`    the `Calibre` class, the default client and the call pipeline
//! - `exports`   the `CalibreError` class and other exports napi cannot register alone
//! - `js`        small helpers at the JS boundary (arguments, abort signals, JSON hand-off)
//! - `api`       one module per calibre@7 namespace
#![deny(clippy::all)]

mod api;
mod auth;
mod client;
mod error;
mod exports;
mod graphql;
mod js;
mod transport;

/// Entry points for the `cargo fuzz` targets in fuzz/; compiled only with `--cfg fuzzing`.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;

pub use error::{CalibreError, ErrorCode};
