//! API tokens: the secret type, where a token comes from, the config file, refresh.

mod chain;
mod lifecycle;
mod refresh;
mod store;
mod token;

pub use chain::{resolve, Env, ProcessEnv, ResolvedToken, TokenSource};
pub use lifecycle::{format_time, parse_time, TokenLifecycle};
pub use refresh::parse_refresh_body;
pub use store::{ConfigFile, EXPIRY_KEY};
pub use token::ApiToken;
