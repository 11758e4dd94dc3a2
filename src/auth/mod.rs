//! API tokens: the secret type, where a token comes from, the config file, refresh.

mod chain;
mod refresh;
mod store;
mod token;

pub use chain::{resolve, Env, ProcessEnv, ResolvedToken, TokenSource};
pub use refresh::parse_refresh_body;
#[cfg(fuzzing)]
pub(crate) use store::serialize;
pub use store::ConfigFile;
pub use token::ApiToken;
