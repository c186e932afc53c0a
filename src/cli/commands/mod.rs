//! One file per command; each is a thin wrapper around the library.

pub mod access;
pub mod build;
pub mod compile;
pub mod diff;
pub mod docs;
pub mod example_data;
pub mod freshness;
#[cfg(feature = "duckdb-engine")]
pub mod ingest;
pub mod init;
pub mod lineage;
pub mod lint;
pub mod ls;
pub mod plan;
pub mod runs;
