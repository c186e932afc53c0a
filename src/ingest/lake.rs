//! Where ingested data goes: the local lake (Parquet files + the local catalog) or, in
//! `athena.rs`, S3 + Glue. The ingest run only talks to this trait.

use std::path::{Path, PathBuf};

use crate::engine::duckdb::{catalog, LocalEngine};
use crate::engine::EngineError;
use crate::plan::catalog::{PartitionState, TableState};
use crate::plan::layout::{is_under, Lake as Layout};
use crate::plan::TableRef;
use crate::project::Target;

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
        Err(EngineError::project(format!(
            "refusing to delete {location}: it is not inside {owned}, the prefix {t} owns"
        )))
    }
}

/// The local lake: Parquet under the target's `lake_dir`, the catalog in `target/karte.duckdb`.
pub struct LocalLake {
    engine: LocalEngine,
    target: Target,
    layout: Layout,
}

impl LocalLake {
    /// Open the local lake of a project's target.
    pub fn open(root: &Path, target: &Target) -> Result<LocalLake, EngineError> {
        let layout = Layout::of(target).map_err(|d| EngineError::project(d.message.clone()))?;
        let engine = LocalEngine::open(root, layout.root())?;
        Ok(LocalLake {
            engine,
            target: target.clone(),
            layout,
        })
    }

    fn path(&self, location: &str) -> PathBuf {
        catalog::resolve(self.engine.root(), location)
    }
}

impl Lake for LocalLake {
    fn schema(&self, layer_schema: &str) -> String {
        self.target.schema(layer_schema)
    }

    fn table_prefix(&self, t: &TableRef) -> String {
        self.layout.table_prefix(&t.schema, &t.name)
    }

    fn table(&self, t: &TableRef) -> Result<Option<TableState>, EngineError> {
        self.engine.with_conn(|c| catalog::get(c, t))
    }

    fn put_table(
        &self,
        t: &TableRef,
        state: &TableState,
        _exists: bool,
    ) -> Result<(), EngineError> {
        self.engine.with_conn(|c| {
            catalog::put(c, t, state)?;
            catalog::refresh_view(c, self.engine.root(), t, state)
        })
    }

    fn upload(&self, local: &Path, location: &str) -> Result<(), EngineError> {
        let dest = self.path(location);
        create_parent(&dest)?;
        if std::fs::rename(local, &dest).is_err() {
            std::fs::copy(local, &dest).map_err(|e| {
                EngineError::environment(format!("cannot write {}: {e}", dest.display()))
            })?;
        }
        Ok(())
    }

    fn publish(
        &self,
        t: &TableRef,
        state: &mut TableState,
        parts: Vec<PartitionState>,
    ) -> Result<(), EngineError> {
        apply(state, parts);
        // One catalog write: readers see all the new partitions or none.
        self.put_table(t, state, true)
    }

    fn delete(&self, t: &TableRef, state: &TableState, location: &str) -> Result<(), EngineError> {
        let owned = self.table_prefix(t);
        check_owned(t, state, &owned, location)?;
        self.engine.delete_dir(location, &owned)
    }

    fn quarantine(
        &self,
        run_id: &str,
        name: &str,
        file: &Path,
        report: &str,
    ) -> Result<String, EngineError> {
        let location = quarantine_location(self.layout.root(), run_id, name);
        let dest = self.path(&location);
        create_parent(&dest)?;
        std::fs::copy(file, &dest).map_err(|e| {
            EngineError::environment(format!(
                "cannot copy {} to {}: {e}",
                file.display(),
                dest.display()
            ))
        })?;
        let mut report_path = dest.clone().into_os_string();
        report_path.push(".problems.txt");
        std::fs::write(&report_path, report).map_err(|e| {
            EngineError::environment(format!(
                "cannot write {}: {e}",
                PathBuf::from(&report_path).display()
            ))
        })?;
        Ok(location)
    }
}

fn create_parent(file: &Path) -> Result<(), EngineError> {
    match file.parent() {
        Some(dir) => std::fs::create_dir_all(dir)
            .map_err(|e| EngineError::environment(format!("cannot create {}: {e}", dir.display()))),
        None => Ok(()),
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
