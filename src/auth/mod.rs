//! API tokens: the secret type, the one chain that decides where a token comes from (option,
//! environment, token file, command, profiles, keyring, config file), the stores, refresh.

mod chain;
mod command;
mod keyring;
mod lifecycle;
mod manage;
mod profiles;
mod refresh;
mod secret;
mod store;

pub use chain::{
  blank_option, decide, given, reread, Decision, FetchEnv, Given, Plan, ProfileHost, Wanted,
};
pub use lifecycle::{format_time, parse_time, TokenLifecycle};
pub use manage::{
  env_token_set, list_profiles, remove_stored_token, status_report, store_user_token, use_profile,
  write_back, Place, StoreRequest, TokenList,
};
pub use profiles::check_name as check_profile_name;
pub use refresh::parse_refresh_body;
pub use secret::{ApiToken, ResolvedToken};
#[cfg(any(fuzzing, test))]
pub(crate) use store::serialize;
pub use store::ConfigFile;
