//! One module per calibre@7 namespace (plus `Token`). Each reads as a table: the GraphQL
//! documents, then one short function per operation that builds the variables and names
//! where the result is. All of them go through `client::call`.

mod graphql;
mod token;

pub mod vars;
