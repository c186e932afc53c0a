//! karte's integration tests: one binary, a module per area.

mod support;

mod access;
#[cfg(feature = "athena")]
mod athena;
#[cfg(feature = "athena")]
mod athena_access;
#[cfg(feature = "athena")]
mod athena_deletes;
#[cfg(feature = "athena")]
mod athena_kills;
#[cfg(feature = "athena")]
mod athena_projection;
#[cfg(feature = "athena")]
mod athena_runs;
mod cache;
mod cli;
mod compile;
#[cfg(feature = "duckdb-engine")]
mod data_triggered;
#[cfg(feature = "duckdb-engine")]
mod dbt;
#[cfg(feature = "duckdb-engine")]
mod dependencies;
mod deps;
mod diagnostics;
mod docs;
mod docs_site;
mod example_data;
#[cfg(feature = "duckdb-engine")]
mod example_project;
#[cfg(feature = "duckdb-engine")]
mod first_run;
#[cfg(feature = "duckdb-engine")]
mod governance;
mod import_sql;
#[cfg(feature = "duckdb-engine")]
mod ingest;
mod kill_points;
#[cfg(feature = "duckdb-engine")]
mod kills;
mod lineage;
mod lint;
#[cfg(feature = "duckdb-engine")]
mod local;
#[cfg(feature = "duckdb-engine")]
mod macros;
mod new_model;
#[cfg(feature = "duckdb-engine")]
mod notifications;
mod plan;
#[cfg(feature = "duckdb-engine")]
mod progress;
mod projection;
#[cfg(feature = "duckdb-engine")]
mod secrets;
mod select;
#[cfg(feature = "duckdb-engine")]
mod show;
mod state;
