//! One file per command; each is a thin wrapper around the library.

pub mod access;
pub mod build;
pub mod compile;
pub mod deps;
pub mod diff;
pub mod docs;
pub mod example_data;
pub mod freshness;
pub mod import_sql;
#[cfg(feature = "duckdb-engine")]
pub mod ingest;
pub mod init;
pub mod lineage;
pub mod lint;
pub mod ls;
pub mod new;
pub mod plan;
pub mod runs;
#[cfg(feature = "duckdb-engine")]
pub mod show;
