//! The Athena lake for `karte ingest`: Parquet objects under the table's S3 prefix, the table
//! and its partitions in Glue (CreateTable/UpdateTable, BatchCreatePartition and
//! BatchUpdatePartition ≤100 per call, the manifest as partition parameters). No Athena query
//! and no crawler is needed.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::{glue, s3, AthenaEngine, AthenaSettings};
use crate::engine::lake::{apply, check_owned, quarantine_location, Lake};
use crate::engine::EngineError;
use crate::plan::catalog::{PartitionState, TableState};
use crate::plan::layout::Lake as Layout;
use crate::plan::TableRef;
use crate::project::{Project, Target};

/// S3 + Glue.
pub struct AthenaLake {
    e: AthenaEngine,
    target: Target,
    layout: Layout,
}

impl AthenaLake {
    /// Connect to the target's account (the standard AWS credential chain).
    pub fn open(project: &Project, target: &Target) -> Result<AthenaLake, EngineError> {
        let layout = Layout::of(target).map_err(|d| EngineError::project(d.message.clone()))?;
        let settings = AthenaSettings::of(target)?;
        let mut schemas: Vec<String> = project
            .ingest
            .rules
            .iter()
            .map(|r| target.schema(&project.layer_schema(&r.layer)))
            .collect();
        schemas.sort();
        schemas.dedup();
        let e = AthenaEngine::connect(
            &project.root,
            target,
            settings,
            schemas,
            Arc::new(AtomicBool::new(false)),
        )?;
        Ok(AthenaLake {
            e,
            target: target.clone(),
            layout,
        })
    }
}

impl Lake for AthenaLake {
    fn schema(&self, layer_schema: &str) -> String {
        self.target.schema(layer_schema)
    }

    fn table_prefix(&self, t: &TableRef) -> String {
        self.layout.table_prefix(&t.schema, &t.name)
    }

    fn table(&self, t: &TableRef) -> Result<Option<TableState>, EngineError> {
        let e = &self.e;
        e.rt.block_on(async {
            let Some(mut s) = glue::get_table(e, &t.schema, &t.name).await? else {
                return Ok(None);
            };
            if !s.partition_keys.is_empty() {
                s.partitions = glue::partitions(e, &t.schema, &t.name).await?;
            }
            Ok(Some(s))
        })
    }

    fn put_table(&self, t: &TableRef, state: &TableState, exists: bool) -> Result<(), EngineError> {
        self.e
            .rt
            .block_on(glue::put_parquet_table(&self.e, t, state, exists))
    }

    fn upload(&self, local: &Path, location: &str) -> Result<(), EngineError> {
        // One PUT (S3 takes up to 5 GB in one request; Parquet of a delivery is far smaller).
        let body = std::fs::read(local).map_err(|err| {
            EngineError::environment(crate::t!(
                "engine-cannot-read",
                path = local.display().to_string(),
                error = err.to_string()
            ))
        })?;
        self.e.rt.block_on(s3::put_object(&self.e, location, body))
    }

    fn publish(
        &self,
        t: &TableRef,
        state: &mut TableState,
        parts: Vec<PartitionState>,
    ) -> Result<(), EngineError> {
        let e = &self.e;
        if state.partition_keys.is_empty() {
            apply(state, parts);
            return self.put_table(t, state, true);
        }
        let existing = state.partitions.clone();
        e.rt.block_on(glue::upsert_partitions(e, t, &parts, &existing))?;
        apply(state, parts);
        Ok(())
    }

    fn delete(&self, t: &TableRef, state: &TableState, location: &str) -> Result<(), EngineError> {
        let owned = self.table_prefix(t);
        check_owned(t, state, &owned, location)?;
        s3::check_deletable(location, &owned, self.layout.root())?;
        self.e
            .rt
            .block_on(s3::delete_prefix(&self.e, location))
            .map(|_| ())
    }

    fn quarantine(
        &self,
        run_id: &str,
        name: &str,
        file: &Path,
        report: &str,
    ) -> Result<String, EngineError> {
        let location = quarantine_location(self.layout.root(), run_id, name);
        let body = std::fs::read(file).map_err(|err| {
            EngineError::environment(crate::t!(
                "engine-cannot-read",
                path = file.display().to_string(),
                error = err.to_string()
            ))
        })?;
        self.e.rt.block_on(async {
            s3::put_object(&self.e, &location, body).await?;
            s3::put_object(
                &self.e,
                &format!("{location}.problems.txt"),
                report.as_bytes().to_vec(),
            )
            .await
        })?;
        Ok(location)
    }
}
