//! The local lake for `karte ingest`: Parquet under the target's `lake_dir`, the catalog in
//! `target/karte.duckdb`.

use std::path::{Path, PathBuf};

use super::{catalog, LocalEngine};
use crate::engine::lake::{apply, check_owned, quarantine_location, Lake};
use crate::engine::EngineError;
use crate::plan::catalog::{PartitionState, TableState};
use crate::plan::layout::Lake as Layout;
use crate::plan::TableRef;
use crate::project::Target;

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
        let resources = super::resources::Resources::of(&target.config)?;
        let engine = LocalEngine::open_with(root, layout.root(), resources)?;
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
                EngineError::environment(crate::t!(
                    "engine-cannot-write",
                    path = dest.display().to_string(),
                    error = e.to_string()
                ))
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
            EngineError::environment(crate::t!(
                "engine-cannot-copy",
                from = file.display().to_string(),
                to = dest.display().to_string(),
                error = e.to_string()
            ))
        })?;
        let mut report_path = dest.clone().into_os_string();
        report_path.push(".problems.txt");
        std::fs::write(&report_path, report).map_err(|e| {
            EngineError::environment(crate::t!(
                "engine-cannot-write",
                path = PathBuf::from(&report_path).display().to_string(),
                error = e.to_string()
            ))
        })?;
        Ok(location)
    }
}

fn create_parent(file: &Path) -> Result<(), EngineError> {
    match file.parent() {
        Some(dir) => std::fs::create_dir_all(dir).map_err(|e| {
            EngineError::environment(crate::t!(
                "engine-cannot-create",
                path = dir.display().to_string(),
                error = e.to_string()
            ))
        }),
        None => Ok(()),
    }
}
