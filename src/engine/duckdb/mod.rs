//! The local engine: DuckDB over a lake directory laid out like the S3 lake
//! (`<lake>/<schema>/<table>/<run>/<key>=<value>/…parquet`), with a catalog in
//! `target/karte.duckdb`. It runs the same plan as Athena: each SQL step says what its statement
//! writes (a new table with its format, location and partitioning, an INSERT, a MERGE, a view);
//! the statement's query is translated to DuckDB and the data written as Parquet; catalog
//! steps (swap, partition repoint, deletes) act on the local catalog as Glue steps do on Athena.
//!
//! Locally an Iceberg table is a DuckDB table in the catalog file (transactional, MERGE,
//! DELETE); Hive tables are Parquet files.

pub mod catalog;
mod delete;
mod hive;
pub mod lake;
pub mod resources;
pub mod seed;
mod statements;
pub mod translate;
pub mod udf;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use duckdb::Connection;

use super::{planned_writes, Engine, EngineError, StepOutcome, TestOutcome, WorkCtx};
use crate::plan::catalog::{CatalogState, PartitionState, TableKind, TableState};
use crate::plan::step::{Action, PartitionMode, Writes};
use crate::plan::{Step, TableRef};
use catalog::{db, ident, quote};

/// The local engine.
pub struct LocalEngine {
    root: PathBuf,
    lake: PathBuf,
    pool: Mutex<Vec<Connection>>,
    base: Mutex<Connection>,
    /// Locations of partitions repointed in this run, per table, to delete afterwards.
    replaced: crate::engine::ReplacedLocations,
    /// Held by steps that change the catalog itself (schemas, swaps, partitions): DuckDB
    /// refuses concurrent catalog writes to the same entry ("write-write conflict").
    ddl: Mutex<()>,
}

impl LocalEngine {
    /// Open (or create) the catalog `target/karte.duckdb` of a project; `lake_dir` is the lake
    /// root (relative to the project or absolute).
    pub fn open(project_root: &Path, lake_dir: &str) -> Result<LocalEngine, EngineError> {
        Self::open_with(project_root, lake_dir, resources::Resources::machine())
    }

    /// [`LocalEngine::open`] with DuckDB's memory limit and threads given (the target's).
    pub fn open_with(
        project_root: &Path,
        lake_dir: &str,
        resources: resources::Resources,
    ) -> Result<LocalEngine, EngineError> {
        let target = project_root.join("target");
        std::fs::create_dir_all(&target).map_err(|e| {
            EngineError::environment(crate::t!(
                "engine-cannot-create",
                path = target.display().to_string(),
                error = e.to_string()
            ))
        })?;
        // Absolute, so that the files a Hive table's view reads are found from any directory:
        // a downstream project (`dependencies:`) reads this catalog from its own.
        let absolute = project_root.canonicalize();
        let project_root = absolute.as_deref().unwrap_or(project_root);
        let lake = catalog::resolve(project_root, lake_dir);
        let conn = Connection::open(target.join("karte.duckdb")).map_err(|e| {
            let text = e.to_string();
            if text.contains("Could not set lock") {
                // A run holds the catalog: say whose, as the run lock would (E503).
                if let Some((t, holder)) = crate::engine::lock::local_holder(&lake) {
                    return crate::engine::lock::held_error(&t, &holder, false);
                }
                // Another karte process has the local catalog open: a run on this project.
                EngineError::environment(crate::t!(
                    "engine-catalog-in-use",
                    detail = text.lines().next().unwrap_or(&text)
                ))
            } else {
                db(e)
            }
        })?;
        // Database-wide settings: every connection cloned from this one shares them.
        conn.execute_batch(&resources.sql()).map_err(db)?;
        catalog::init(&conn)?;
        udf::register(&conn).map_err(db)?;
        Ok(LocalEngine {
            root: project_root.to_path_buf(),
            lake,
            pool: Mutex::new(Vec::new()),
            base: Mutex::new(conn),
            replaced: Default::default(),
            ddl: Mutex::new(()),
        })
    }

    /// Run `f` with a connection of its own (connections are pooled, one per running thread).
    pub fn with_conn<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        let span = crate::diag::timings::span("local: connection");
        let conn = match self.pool.lock().expect("pool").pop() {
            Some(c) => c,
            // Functions registered on the first connection belong to the database: clones see them.
            None => self.base.lock().expect("base").try_clone().map_err(db)?,
        };
        drop(span);
        let result = f(&conn);
        self.pool.lock().expect("pool").push(conn);
        result
    }

    /// Attach another project's local catalog (`<its target>/karte.duckdb`) read-only under
    /// the catalog name `alias`: an upstream project of `dependencies:`, whose tables this
    /// project's SQL reads as `alias.schema.table`.
    pub fn attach_upstream(&self, alias: &str, catalog: &Path) -> Result<(), EngineError> {
        if !catalog.is_file() {
            return Err(EngineError::project(crate::t!(
                "engine-upstream-catalog-missing",
                path = catalog.display().to_string()
            )));
        }
        let sql = format!(
            "ATTACH {} AS {} (READ_ONLY)",
            catalog::lit(&catalog.display().to_string()),
            quote(alias)
        );
        let base = self.base.lock().expect("base");
        catalog::exec(&base, &sql).map_err(|e| {
            EngineError::environment(crate::t!(
                "engine-upstream-catalog-unreadable",
                path = catalog.display().to_string(),
                error = e.to_string()
            ))
        })
    }

    /// The project directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The rows of a query written in Athena's SQL (translated as models are), at most
    /// `limit` of them (`None`: all), with each column's Athena type. For `karte show`: the
    /// rows go to the caller only; nothing here logs or keeps them.
    pub fn query_rows(
        &self,
        sql: &str,
        limit: Option<usize>,
    ) -> Result<(Vec<crate::plan::catalog::ColumnState>, statements::TextRows), EngineError> {
        let duck = statements::to_duck(sql)?;
        self.with_conn(|conn| {
            let columns = statements::describe(conn, &format!("({duck})"))?;
            let limited = match limit {
                Some(n) => format!("SELECT * FROM ({duck}) AS karte_show LIMIT {n}"),
                None => duck.clone(),
            };
            Ok((columns, statements::query_text(conn, &limited)?))
        })
    }

    /// Run a query and return all rows as text (NULL as None), with column names.
    pub fn query_text(&self, sql: &str) -> Result<statements::TextRows, EngineError> {
        self.with_conn(|conn| statements::query_text(conn, sql))
    }

    /// What a step changes, inside its transaction: its outcome, and the directories to
    /// delete once the catalog change is committed, with the prefix that owns each.
    fn apply(
        &self,
        conn: &Connection,
        step: &Step,
        tag: &str,
    ) -> Result<(StepOutcome, Vec<(String, String)>), EngineError> {
        let mut deletes = Vec::new();
        let mut replaced_out = Vec::new();
        let rows = match &step.action {
            Action::CreateSchema { schema } => {
                catalog::exec(
                    conn,
                    &format!("CREATE SCHEMA IF NOT EXISTS {}", quote(schema)),
                )
                .map_err(db)?;
                None
            }
            Action::Sql { sql, writes, .. } => {
                statements::run(conn, &self.root, sql, planned_writes(writes)?, tag)?
            }
            Action::BatchedWrite {
                probe_sql,
                partition_columns,
                first_writes,
                rest_writes,
                ..
            } => {
                let (first, rest) = (planned_writes(first_writes)?, planned_writes(rest_writes)?);
                let values = statements::probe(conn, probe_sql, partition_columns.len())?;
                let mut total = 0;
                for (i, sql) in crate::plan::batch::expand(&step.action, &values)
                    .iter()
                    .enumerate()
                {
                    let writes = if i == 0 { first } else { rest };
                    total += statements::run(conn, &self.root, sql, writes, tag)?.unwrap_or(0);
                }
                Some(total)
            }
            Action::LoadSeed {
                file,
                table,
                location,
                column_types,
                encoding,
                delimiter,
            } => Some(seed::load(
                conn,
                &self.root,
                file,
                table,
                location,
                column_types,
                encoding,
                delimiter,
            )?),
            Action::CheckSchema {
                table,
                query,
                policy,
            } => {
                statements::check_schema(conn, &self.root, table, query, policy)?;
                None
            }
            Action::SwapTable {
                table,
                staging,
                parameters,
                projected,
                ..
            } => {
                self.swap(conn, table, staging, parameters, *projected)?;
                None
            }
            Action::SetParameters {
                table, set, remove, ..
            } => {
                let Some(mut state) = catalog::get(conn, table)? else {
                    return Err(EngineError::internal(format!(
                        "{table} is not in the catalog"
                    )));
                };
                state.parameters.retain(|k, _| !remove.contains(k));
                state.parameters.extend(set.clone());
                catalog::put(conn, table, &state)?;
                catalog::refresh_view(conn, &self.root, table, &state)?;
                None
            }
            // Locally an Iceberg table is a DuckDB table: there are no data files to compact or
            // snapshots to expire. The step records the date, so the cadence works (and is
            // tested) as on Athena.
            Action::MaintainIceberg {
                table,
                operation,
                as_of,
                ..
            } => {
                let Some(mut state) = catalog::get(conn, table)? else {
                    return Err(EngineError::internal(format!(
                        "{table} is not in the catalog"
                    )));
                };
                state
                    .parameters
                    .insert(operation.param().to_string(), as_of.clone());
                catalog::put(conn, table, &state)?;
                None
            }
            Action::RegisterPartitions {
                table,
                staging,
                mode: PartitionMode::Repoint,
                ..
            } => {
                let Some(new) = catalog::get(conn, staging)? else {
                    return Err(EngineError::internal(format!(
                        "staging table {staging} is not in the catalog"
                    )));
                };
                let Some(mut target) = catalog::get(conn, table)? else {
                    return Err(EngineError::internal(format!(
                        "{table} is not in the catalog"
                    )));
                };
                let mut replaced = Vec::new();
                for p in new.partitions {
                    match target.partitions.iter_mut().find(|q| q.values == p.values) {
                        // Already pointed at the new data: nothing replaced.
                        Some(q) if q.location == p.location => {}
                        Some(q) => {
                            replaced.push(std::mem::replace(&mut q.location, p.location));
                        }
                        None => target.partitions.push(PartitionState {
                            values: p.values,
                            location: p.location,
                            ingested: None,
                        }),
                    }
                }
                target.partitions.sort_by(|a, b| a.values.cmp(&b.values));
                catalog::put(conn, table, &target)?;
                catalog::refresh_view(conn, &self.root, table, &target)?;
                replaced_out = replaced;
                None
            }
            Action::AppendFiles {
                table,
                staging,
                file_prefix,
                owned_prefix,
                projected,
            } => hive::append_files(
                conn,
                &self.root,
                table,
                staging,
                (file_prefix, owned_prefix),
                *projected,
            )?,
            Action::DeleteReplacedPartitions {
                table,
                owned_prefix,
            } => {
                let old = self.replaced.take(table);
                let owned = self.check_delete(conn, table, owned_prefix, &old)?;
                deletes.extend(old.iter().map(|l| (l.clone(), owned.clone())));
                Some(old.len() as u64)
            }
            Action::DropPartitions {
                table,
                partitions,
                locations,
                owned_prefix,
                ..
            } => {
                if let Some(mut state) = catalog::get(conn, table)? {
                    state.partitions.retain(|p| !partitions.contains(&p.values));
                    catalog::put(conn, table, &state)?;
                    catalog::refresh_view(conn, &self.root, table, &state)?;
                }
                let owned = self.check_delete(conn, table, owned_prefix, locations)?;
                deletes.extend(locations.iter().map(|l| (l.clone(), owned.clone())));
                None
            }
            Action::DropCatalogEntry { table } => {
                self.drop_entry(conn, table)?;
                None
            }
            Action::DeletePrefix {
                prefix,
                owner,
                owned_prefix,
                ..
            } => {
                let prefixes = [prefix.clone()];
                let owned = self.check_delete(conn, owner, owned_prefix, &prefixes)?;
                deletes.push((prefix.clone(), owned));
                None
            }
            Action::ExpireCatalogVersions { .. } => None,
            Action::RevokeLakeFormation { .. } | Action::GrantLakeFormation { .. } => {
                return Err(EngineError::project(crate::t!("engine-local-no-grants")))
            }
        };
        Ok((
            StepOutcome {
                rows_affected: rows,
                query_ids: Vec::new(),
                bytes_scanned: None,
                replaced: replaced_out,
            },
            deletes,
        ))
    }

    /// Before a step of a resumed run is applied again: remove the Parquet files its killed
    /// attempt wrote (named with the step's tag, so nothing else can match).
    fn discard_tagged(&self, conn: &Connection, step: &Step, tag: &str) -> Result<(), EngineError> {
        // (A batched write's first statement writes where the others do.)
        let Some(writes) = step.action.writes() else {
            return Ok(());
        };
        let mut dirs = hive::written_dirs(conn, &self.root, writes, tag)?;
        dirs.push(hive::insert_tmp(&self.root, tag));
        for dir in dirs {
            statements::remove_tagged(&dir, tag)?;
        }
        Ok(())
    }

    /// See [`Engine::restore_table`] (inside its transaction).
    fn restore(
        &self,
        conn: &Connection,
        table: &TableRef,
        previous: Option<&serde_json::Value>,
    ) -> Result<(), EngineError> {
        let Some(prev) = previous else {
            catalog::drop_object(conn, table)?;
            return catalog::remove(conn, table);
        };
        let state: crate::plan::catalog::TableState = serde_json::from_value(prev.clone())
            .map_err(|e| {
                EngineError::internal(crate::t!(
                    "engine-journal-entry",
                    table = table.to_string(),
                    error = e.to_string()
                ))
            })?;
        if state.kind == TableKind::Iceberg {
            // The swap kept the previous Iceberg table as `<name>__karte_prev`.
            let prev_ref = TableRef {
                schema: table.schema.clone(),
                name: format!("{}__karte_prev", table.name),
            };
            if !catalog::exists(conn, &prev_ref)? {
                return Err(EngineError::environment(crate::t!(
                    "engine-previous-gone",
                    table = table.to_string()
                )));
            }
            catalog::drop_object(conn, table)?;
            catalog::exec(
                conn,
                &format!(
                    "ALTER TABLE {} RENAME TO {}",
                    ident(&prev_ref),
                    quote(&table.name)
                ),
            )
            .map_err(db)?;
        } else if let Some(loc) = &state.location {
            if !catalog::resolve(&self.root, loc).exists() {
                return Err(EngineError::environment(crate::t!(
                    "engine-previous-data-deleted",
                    table = table.to_string(),
                    location = loc.to_string()
                )));
            }
            catalog::drop_object(conn, table)?;
            catalog::refresh_view(conn, &self.root, table, &state)?;
        }
        catalog::put(conn, table, &state)
    }

    fn swap(
        &self,
        conn: &Connection,
        table: &TableRef,
        staging: &TableRef,
        params: &std::collections::BTreeMap<String, String>,
        projected: bool,
    ) -> Result<(), EngineError> {
        let Some(mut new) = catalog::get(conn, staging)? else {
            return Err(EngineError::internal(format!(
                "staging table {staging} is not in the catalog"
            )));
        };
        let old = catalog::get(conn, table)?;
        new.managed = true;
        new.parameters = TableState::planning_parameters(params);
        if projected {
            // As on Glue: a projected table keeps no partitions; its reader view finds them
            // where the location template points.
            new.partitions = Vec::new();
        }
        new.owned_prefix = params
            .get(crate::plan::catalog::OWNED_PREFIX_PARAM)
            .cloned()
            .or(new.owned_prefix);
        new.previous_locations = match &old {
            Some(o) if o.kind != TableKind::View => o
                .location
                .iter()
                .cloned()
                .chain(o.previous_locations.iter().cloned())
                .collect(),
            _ => Vec::new(),
        };
        match new.kind {
            TableKind::Iceberg => {
                let prev = TableRef {
                    schema: table.schema.clone(),
                    name: format!("{}__karte_prev", table.name),
                };
                // (Both renames are in the step's transaction: a kill between them leaves
                // nothing, and `__karte_prev` is dropped only together with a commit that makes
                // the current table the previous version.)
                let old_iceberg = old.as_ref().is_some_and(|o| o.kind == TableKind::Iceberg);
                if old_iceberg && !catalog::exists(conn, table)? {
                    // Never drop `__karte_prev` then: it may be the only copy of the table.
                    return Err(EngineError::internal(crate::t!(
                        "engine-duckdb-table-missing",
                        table = table.to_string(),
                        kept = prev.to_string()
                    )));
                }
                catalog::drop_object(conn, &prev)?;
                if old_iceberg {
                    catalog::exec(
                        conn,
                        &format!(
                            "ALTER TABLE {} RENAME TO {}",
                            ident(table),
                            quote(&prev.name)
                        ),
                    )
                    .map_err(db)?;
                } else {
                    catalog::drop_object(conn, table)?;
                }
                catalog::exec(
                    conn,
                    &format!(
                        "ALTER TABLE {} RENAME TO {}",
                        ident(staging),
                        quote(&table.name)
                    ),
                )
                .map_err(db)?;
            }
            _ => {
                catalog::drop_registered(conn, staging)?;
                catalog::refresh_view(conn, &self.root, table, &new)?;
            }
        }
        catalog::remove(conn, staging)?;
        catalog::put(conn, table, &new)
    }
}

/// Check, before anything runs, that the selected models' SQL runs locally with Athena's
/// meaning: every construct the translation cannot handle is a diagnostic at the model's line.
pub fn check_models(c: &crate::graph::Compiled, nodes: &[usize]) -> crate::diag::Diagnostics {
    use rayon::prelude::*;
    let mut out = crate::diag::Diagnostics::default();
    let found: Vec<crate::diag::Diagnostic> = c
        .models
        .par_iter()
        .filter(|m| nodes.contains(&m.node) && m.config.materialized() != "ephemeral")
        .flat_map(|m| {
            let node = &c.project.nodes[m.node];
            match translate::translate(&m.compiled_sql) {
                Ok(_) => Vec::new(),
                Err(problems) => problems
                    .into_iter()
                    .map(|p| {
                        let lower = node.text.to_lowercase();
                        let needle = p.construct.to_lowercase();
                        let span = lower
                            .find(&needle)
                            .map(|i| i..i + needle.len())
                            .unwrap_or(0..0);
                        crate::diag::Diagnostic::error(
                            crate::diag::Code::Untranslatable,
                            crate::t!("e502-cannot-run-locally", construct = p.construct),
                        )
                        .at(crate::diag::Location::from_span(
                            &node.path, &node.text, span,
                        ))
                        .label(translate::reasons::reason(crate::i18n::lang(), &p.message))
                        .help(crate::t!("e502-help"))
                    })
                    .collect(),
            }
        })
        .collect();
    out.extend(found);
    out.sort();
    out
}

impl Engine for LocalEngine {
    fn name(&self) -> &'static str {
        "local"
    }

    fn catalog_state(&self) -> Result<CatalogState, EngineError> {
        self.with_conn(catalog::state)
    }

    fn lock(
        &self,
        target: &str,
        holder: &crate::engine::lock::Holder,
        _break_stale: bool,
    ) -> Result<crate::engine::lock::LockGuard, EngineError> {
        // An OS lock: released by the system when this process ends, so never stale.
        let guard = crate::engine::lock::lock_local(&self.lake, target, holder)?;
        // The records of applied steps of old runs (a run is resumed by the next build).
        self.with_conn(|conn| catalog::applied::prune(conn, 10))?;
        Ok(guard)
    }

    fn run_step(&self, step: &Step, ctx: &WorkCtx) -> Result<StepOutcome, EngineError> {
        // Catalog-only steps are short; run them one at a time (data writes stay parallel).
        let span = crate::diag::timings::span("local: wait for ddl lock");
        let _ddl = (!matches!(
            step.action,
            Action::Sql { .. } | Action::BatchedWrite { .. } | Action::LoadSeed { .. }
        ))
        .then(|| self.ddl.lock().expect("ddl lock"));
        drop(span);
        let tag = statements::files_tag(&ctx.run_id, &ctx.work_id);
        self.with_conn(|conn| {
            if ctx.resumed {
                // Killed after the step's commit, before the journal recorded it as done: it
                // is not applied twice.
                if let Some(out) = catalog::applied::get(conn, &ctx.run_id, &ctx.work_id)? {
                    if let Action::RegisterPartitions { table, .. } = &step.action {
                        self.replaced.add(table, out.replaced.clone());
                    }
                    return Ok(out);
                }
                // Killed before it: what that attempt wrote outside the catalog goes.
                self.discard_tagged(conn, step, &tag)?;
            }
            // Everything the step changes in the catalog, and the record that it was applied,
            // in one transaction; directories it deletes go after it (a delete is redone by a
            // resumed run until it is recorded).
            let (out, deletes) = catalog::transaction(conn, || {
                let (out, deletes) = self.apply(conn, step, &tag)?;
                if deletes.is_empty() {
                    catalog::applied::put(conn, &ctx.run_id, &ctx.work_id, &out)?;
                }
                Ok((out, deletes))
            })?;
            if let Action::RegisterPartitions { table, .. } = &step.action {
                self.replaced.add(table, out.replaced.clone());
            }
            if !deletes.is_empty() {
                for (location, owned) in &deletes {
                    self.delete_dir(location, owned)?;
                }
                catalog::applied::put(conn, &ctx.run_id, &ctx.work_id, &out)?;
            }
            Ok(out)
        })
    }

    fn relation_exists(&self, relation: &str) -> bool {
        // What DuckDB itself resolves (a table or view of the catalog, a system view, an
        // upstream project's attached catalog): binding a query that reads it.
        self.with_conn(|conn| {
            Ok(
                match conn.prepare(&format!("SELECT * FROM {relation} LIMIT 0")) {
                    Ok(_) => true,
                    Err(e) => !e.to_string().contains("does not exist"),
                },
            )
        })
        .unwrap_or(true)
    }

    fn run_test(
        &self,
        sql: &str,
        sample: usize,
        _ctx: &WorkCtx,
    ) -> Result<TestOutcome, EngineError> {
        self.with_conn(|conn| statements::run_test(conn, sql, sample))
    }

    fn discard_partial(&self, step: &Step) -> Result<(), EngineError> {
        // What a killed attempt may have half-written: a staging table its CTAS created.
        let Some(Writes::Table(new)) = step.action.writes() else {
            return Ok(());
        };
        if !new.staging {
            return Ok(());
        }
        let (table, location) = (&new.table, &new.location);
        let _ddl = self.ddl.lock().expect("ddl lock");
        let committed = self.with_conn(|conn| {
            // The step commits its staging table's entry with everything else it did: if the
            // entry is there, the step was applied whole (the resumed run finds its record).
            if catalog::get(conn, table)?.is_some() {
                return Ok(true);
            }
            catalog::drop_object(conn, table)?;
            catalog::remove(conn, table)?;
            Ok(false)
        })?;
        if committed {
            return Ok(());
        }
        self.delete_dir(location, location)
    }

    fn remember_replaced(&self, table: &TableRef, locations: Vec<String>) {
        self.replaced.add(table, locations);
    }

    fn table_snapshot(&self, table: &TableRef) -> Result<Option<serde_json::Value>, EngineError> {
        self.with_conn(|conn| {
            Ok(catalog::get(conn, table)?
                .map(|s| serde_json::to_value(s).expect("table states serialise")))
        })
    }

    fn snapshot_has_data(
        &self,
        _table: &TableRef,
        snapshot: &serde_json::Value,
    ) -> Result<bool, EngineError> {
        // A Hive table's files under its location; an Iceberg table lives in the catalog.
        let Some(location) = snapshot.get("location").and_then(|l| l.as_str()) else {
            return Ok(true);
        };
        let dir = catalog::resolve(&self.root, location);
        Ok(walkdir::WalkDir::new(&dir)
            .into_iter()
            .flatten()
            .any(|e| e.file_type().is_file()))
    }

    fn restore_table(
        &self,
        table: &TableRef,
        previous: Option<&serde_json::Value>,
    ) -> Result<(), EngineError> {
        // All of it or nothing (for an Iceberg table, the DROP and the RENAME together).
        self.with_conn(|conn| catalog::transaction(conn, || self.restore(conn, table, previous)))
    }

    fn store_failures(
        &self,
        table: &TableRef,
        sql: &str,
        _ctx: &WorkCtx,
    ) -> Result<(), EngineError> {
        self.with_conn(|conn| statements::store_failures(conn, table, sql))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn opens_clones_and_reads_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let e = super::LocalEngine::open(dir.path(), "target/lake").unwrap();
        use crate::engine::Engine;
        e.catalog_state().unwrap();
    }

    #[test]
    fn a_ctas_writes_what_its_step_says_and_a_step_without_it_is_refused() {
        use crate::engine::{Engine, WorkCtx};
        use crate::plan::step::{Action, NewTable, Step, TableFormat, TableRef, Writes};
        let dir = tempfile::tempdir().unwrap();
        let e = super::LocalEngine::open(dir.path(), "target/lake").unwrap();
        let table = TableRef {
            schema: "s".into(),
            name: "t".into(),
        };
        let step = |writes: Option<Writes>| {
            Step {
            id: "t/01-sql".into(),
            // The WITH (…) says other things than the plan: the plan is what counts.
            action: Action::Sql {
                purpose: "p".into(),
                sql: "CREATE TABLE s.t WITH (external_location = 'elsewhere/', partitioned_by = ARRAY['x']) AS SELECT 1 AS x, 2 AS y".into(),
                writes,
            },
            depends_on: Vec::new(),
            destroys: Vec::new(),
            idempotency_key: "k".into(),
        }
        };
        let ctx = WorkCtx {
            run_id: "r".into(),
            work_id: "t/01-sql".into(),
            ..Default::default()
        };
        let err = e.run_step(&step(None), &ctx).unwrap_err();
        assert!(
            err.message.contains("planned by an earlier karte"),
            "{err:?}"
        );
        let new = NewTable {
            table: table.clone(),
            format: TableFormat::Hive,
            location: "target/lake/s/t/".into(),
            owned_prefix: "target/lake/s/t/".into(),
            staging: false,
            partitioned_by: vec!["y".into()],
            write_compression: "ZSTD".into(),
        };
        let out = e
            .run_step(&step(Some(Writes::Table(Box::new(new)))), &ctx)
            .unwrap();
        assert_eq!(out.rows_affected, Some(1));
        let state = e
            .with_conn(|c| super::catalog::get(c, &table))
            .unwrap()
            .unwrap();
        assert_eq!(state.location.as_deref(), Some("target/lake/s/t/"));
        assert_eq!(state.partition_keys, vec!["y".to_string()]);
        assert!(dir.path().join("target/lake/s/t/y=2").is_dir());
        assert!(!dir.path().join("elsewhere").exists());
    }
}
