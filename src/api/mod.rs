//! One module per calibre@7 namespace (plus `Token`). Each reads as a table: the GraphQL
//! documents, then one short function per operation that builds the variables and names
//! where the result is. They go through `call::call` (one request), `call::run` (the
//! `waitFor*` polls, see `poll`) or `paginate` (the `iterate` helpers).

mod agent;
mod agent_settings;
mod connection;
mod crux;
mod deploy;
mod device;
mod graphql_request;
mod integration;
mod metric_budget;
mod page;
mod paginate;
pub(crate) mod poll;
mod pull_request_review;
mod rum;
pub(crate) mod site;
mod snapshot;
mod snapshot_metrics;
pub(crate) mod test;
mod test_profile;
mod time_series;
mod token;

pub mod vars;
