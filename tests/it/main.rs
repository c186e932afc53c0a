//! karte's integration tests: one binary, a module per area.

mod support;

#[cfg(feature = "athena")]
mod athena;
mod cli;
mod compile;
mod diagnostics;
mod docs;
#[cfg(feature = "duckdb-engine")]
mod local;
mod plan;
mod select;
