//! Where `karte ingest` writes: a lake with a catalog. Each engine implements the trait in its
//! own folder (`duckdb/lake.rs`: Parquet files + the local catalog; `athena/lake.rs`: S3 +
//! Glue); the ingest run only talks to this trait.

use std::path::Path;

use super::EngineError;
use crate::plan::catalog::{PartitionState, TableState};
use crate::plan::layout::is_under;
use crate::plan::TableRef;

/// A lake with a catalog that ingest can write to.
pub trait Lake {
    /// The catalog schema of a layer's schema (the target's `schema_prefix` applied).
    fn schema(&self, layer_schema: &str) -> String;
    /// The prefix a table owns, ending in `/`.
    fn table_prefix(&self, t: &TableRef) -> String;
    /// The table's catalog entry, with its partitions and what they hold.
    fn table(&self, t: &TableRef) -> Result<Option<TableState>, EngineError>;
    /// Create the table (`exists` false) or update its columns.
    fn put_table(&self, t: &TableRef, state: &TableState, exists: bool) -> Result<(), EngineError>;
    /// Put a local file at `location` (a file path/URI in the lake).
    fn upload(&self, local: &Path, location: &str) -> Result<(), EngineError>;
    /// Register (create or repoint) partitions — or, for an unpartitioned table, point the
    /// table at its one file — in the catalog; `state` is updated to match.
    fn publish(
        &self,
        t: &TableRef,
        state: &mut TableState,
        parts: Vec<PartitionState>,
    ) -> Result<(), EngineError>;
    /// Delete a location the table no longer uses (only inside the table's owned prefix).
    fn delete(&self, t: &TableRef, state: &TableState, location: &str) -> Result<(), EngineError>;
    /// Copy a bad file and its report to the quarantine; returns where.
    fn quarantine(
        &self,
        run_id: &str,
        name: &str,
        file: &Path,
        report: &str,
    ) -> Result<String, EngineError>;
}

/// Apply published partitions to a table state (shared by both lakes).
pub fn apply(state: &mut TableState, parts: Vec<PartitionState>) {
    for p in parts {
        if state.partition_keys.is_empty() {
            state.location = Some(p.location);
            state.ingested = p.ingested;
            continue;
        }
        match state.partitions.iter_mut().find(|x| x.values == p.values) {
            Some(x) => *x = p,
            None => state.partitions.push(p),
        }
    }
    state.partitions.sort_by(|a, b| a.values.cmp(&b.values));
}

/// Where the copy of a quarantined file goes: `<lake root>_quarantine/<run>/<name>`, the
/// name's folders kept but made safe (shared by both lakes). A delivered name is not trusted:
/// `..`, `.`, empty and absolute parts, drive letters and control characters cannot take the
/// copy out of the run's folder.
pub fn quarantine_location(root: &str, run_id: &str, name: &str) -> String {
    let parts: Vec<String> = name
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .map(|p| match p {
            ".." => "__".to_string(),
            p => p
                .chars()
                .map(|c| if c == ':' || c.is_control() { '_' } else { c })
                .collect(),
        })
        .collect();
    let name = if parts.is_empty() {
        "file".to_string()
    } else {
        parts.join("/")
    };
    format!("{root}_quarantine/{run_id}/{name}")
}

/// Refuse to delete anything outside the prefix the table owns by karte's layout (`owned`,
/// computed, never taken from the catalog alone: a catalog entry naming another prefix is a
/// refusal, not a wider licence), the prefix itself, or a location the table's data is in.
pub fn check_owned(
    t: &TableRef,
    state: &TableState,
    owned: &str,
    location: &str,
) -> Result<(), EngineError> {
    let norm = crate::plan::layout::normalise;
    crate::engine::ownership::check_owner(t, Some(state), owned, &[location.to_string()], &norm)?;
    if is_under(location, owned) && norm(location) != norm(owned) {
        Ok(())
    } else {
        Err(EngineError::project(crate::t!(
            "engine-refuse-delete",
            path = location,
            why = crate::t!(
                "engine-why-outside-owned-table",
                owned = owned,
                table = t.to_string()
            )
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarantine_names_stay_in_the_runs_folder() {
        let q = |name: &str| quarantine_location("s3://b/lake/", "r1", name);
        assert_eq!(q("claims/A.zip"), "s3://b/lake/_quarantine/r1/claims/A.zip");
        assert_eq!(q("../../etc/x"), "s3://b/lake/_quarantine/r1/__/__/etc/x");
        assert_eq!(q("/tmp/x"), "s3://b/lake/_quarantine/r1/tmp/x");
        assert_eq!(
            q("C:\\d\\.\\x.zip"),
            "s3://b/lake/_quarantine/r1/C_/d/x.zip"
        );
        assert_eq!(q("a/\u{0}b"), "s3://b/lake/_quarantine/r1/a/_b");
        assert_eq!(q("./"), "s3://b/lake/_quarantine/r1/file");
    }
}
