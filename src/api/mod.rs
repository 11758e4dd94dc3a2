//! One module per calibre@7 namespace (plus `Token`). Each reads as a table: the GraphQL
//! documents, then one short function per operation that builds the variables and names
//! where the result is. They go through `call::call` (one request), `call::run` (the
//! `waitFor*` polls, see `poll`) or `paginate` (the `iterate` helpers).

pub(crate) mod agent;
mod agent_settings;
pub(crate) mod connection;
pub(crate) mod crux;
pub(crate) mod deploy;
pub(crate) mod device;
mod graphql_request;
mod integration;
mod metric_budget;
pub(crate) mod page;
mod paginate;
pub(crate) mod poll;
pub(crate) mod pull_request_review;
pub(crate) mod rum;
pub(crate) mod site;
pub(crate) mod snapshot;
pub(crate) mod snapshot_metrics;
pub(crate) mod test;
pub(crate) mod test_profile;
pub(crate) mod time_series;
mod token;

pub mod vars;
