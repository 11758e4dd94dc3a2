//! API tokens: the secret type, where a token comes from, the config file, refresh.

mod chain;
pub(crate) mod keyring;
mod lifecycle;
mod manage;
mod refresh;
mod secret;
mod store;

pub use chain::{blank_option, resolve, ResolvedToken};
pub use lifecycle::{format_time, parse_time, TokenLifecycle};
pub use manage::{env_token_set, remove_stored_token, status_report, store_user_token};
pub use refresh::parse_refresh_body;
pub use secret::ApiToken;
#[cfg(any(fuzzing, test))]
pub(crate) use store::serialize;
pub use store::ConfigFile;
