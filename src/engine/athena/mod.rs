//! The Athena engine: runs a plan's steps on Amazon Athena, Glue and S3 with the AWS SDK.
//!
//! - **Queries** are submitted with a `ClientRequestToken` derived from the run id, the step
//!   (or test) id, the statement's index and its generation ([`query::token`]): every run
//!   submits its own queries, and a resumed run finds its earlier executions instead of
//!   starting a second write; they are polled with growing intervals, stopped on timeout or
//!   Ctrl-C, and at most `max_concurrency` run at once (enforced here, not discovered through
//!   `TooManyRequestsException`). Bytes scanned and cost are recorded per query.
//! - **Retries** ([`retry`]): throttling and transient faults of any call, query failures
//!   Athena marks retryable and Iceberg commit conflicts (only where a second submission
//!   cannot write twice) — never syntax or permission errors; within a per-run budget.
//! - **Glue** ([`glue`]): catalog state, swaps by UpdateTable, partitions in batches of 100
//!   (create/update) and 25 (delete), old table versions pruned.
//! - **S3** ([`s3`]): objects are listed and deleted only under the prefix of a table karte
//!   manages, checked again here at execution time against the table's Glue parameters.

pub mod append;
mod columns;
mod cost;
pub mod glue;
pub mod journal;
pub mod lake;
pub mod lakeformation;
pub mod lock;
pub mod partitions;
pub mod query;
pub mod retry;
pub mod s3;

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{planned_writes, Engine, EngineError, StepOutcome, TestOutcome, WorkCtx};
use crate::plan::catalog::{CatalogState, MANAGED_PARAM, OWNED_PREFIX_PARAM};
use crate::plan::step::{Action, PartitionMode, Writes};
use crate::plan::{Step, TableRef};
use crate::project::Target;
use columns::compare_columns;
pub use cost::{cost_usd, human_bytes, Totals, MIN_BILLED_BYTES};

/// Settings of an Athena target, with defaults filled in.
#[derive(Debug, Clone)]
pub struct AthenaSettings {
    /// Region.
    pub region: Option<String>,
    /// Profile.
    pub profile: Option<String>,
    /// Endpoint override for all three services.
    pub endpoint_url: Option<String>,
    /// Workgroup.
    pub workgroup: Option<String>,
    /// Query result location.
    pub s3_staging_dir: Option<String>,
    /// Lake root: nothing outside is ever deleted.
    pub lake_root: String,
    /// Queries at once.
    pub max_concurrency: usize,
    /// Per-query timeout.
    pub query_timeout: Duration,
    /// USD per TB scanned.
    pub usd_per_tb: f64,
    /// Retry policy.
    pub backoff: retry::Backoff,
    /// First poll interval.
    pub poll_interval: Duration,
    /// Stop before a query when this many bytes were scanned in the run.
    pub max_bytes_scanned: Option<u64>,
    /// How long the run lock's lease lasts unless renewed.
    pub lock_lease: Duration,
}

impl AthenaSettings {
    /// From a target of `type: athena`.
    pub fn of(target: &Target) -> Result<AthenaSettings, EngineError> {
        let c = &target.config;
        let lake_root = c.lake_root.clone().ok_or_else(|| {
            EngineError::project(crate::t!("engine-no-lake-root", target = target.name))
        })?;
        Ok(AthenaSettings {
            region: c.region.clone(),
            profile: c.profile.clone(),
            endpoint_url: c.endpoint_url.clone(),
            workgroup: c.workgroup.clone(),
            s3_staging_dir: c.s3_staging_dir.clone(),
            lake_root: crate::plan::layout::normalise(&lake_root),
            max_concurrency: c.max_concurrency.unwrap_or(5).max(1) as usize,
            query_timeout: Duration::from_secs(c.query_timeout_seconds.unwrap_or(3600)),
            usd_per_tb: c.usd_per_tb_scanned.unwrap_or(5.0),
            backoff: retry::Backoff {
                max_attempts: c.max_attempts.unwrap_or(8).max(1),
                base: Duration::from_millis(c.retry_base_delay_ms.unwrap_or(500)),
            },
            poll_interval: Duration::from_millis(c.poll_interval_ms.unwrap_or(500).max(1)),
            max_bytes_scanned: None,
            lock_lease: Duration::from_secs(c.lock_lease_seconds.unwrap_or(300).max(4)),
        })
    }
}

/// The Athena engine.
pub struct AthenaEngine {
    rt: tokio::runtime::Runtime,
    athena: aws_sdk_athena::Client,
    glue: aws_sdk_glue::Client,
    lakeformation: aws_sdk_lakeformation::Client,
    s3: aws_sdk_s3::Client,
    settings: AthenaSettings,
    /// Tables whose Lake Formation permissions are read with the catalog (`access:`).
    access_tables: Option<Vec<TableRef>>,
    catalog_name: String,
    /// Schemas whose tables are read for planning.
    schemas: Vec<String>,
    /// The project directory (seed files are read from it).
    root: std::path::PathBuf,
    slots: Arc<tokio::sync::Semaphore>,
    cancel: Arc<AtomicBool>,
    /// Queries running now (stopped on a second Ctrl-C).
    running: Arc<Mutex<Vec<String>>>,
    totals: Totals,
    /// The run's retry budget (every retried call and resubmitted query draws from it).
    budget: Arc<retry::RetryBudget>,
    /// The target's run lock while this process holds it (released by a second Ctrl-C too).
    held_lock: Arc<Mutex<Option<lock::HeldLock>>>,
    /// Old locations of partitions repointed in this run, per table.
    replaced: crate::engine::ReplacedLocations,
}

/// The AWS configuration of a target: the standard credential chain, with the target's
/// `region`, `profile` and `endpoint_url` when it sets them (a local target sets none).
pub fn sdk_config(
    rt: &tokio::runtime::Runtime,
    target: &Target,
) -> Result<aws_config::SdkConfig, EngineError> {
    let c = &target.config;
    let cfg = rt.block_on(async {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            // karte's own retry policy is the only one (see retry.rs).
            .retry_config(aws_config::retry::RetryConfig::disabled());
        if let Some(r) = &c.region {
            loader = loader.region(aws_config::Region::new(r.clone()));
        }
        if let Some(p) = &c.profile {
            loader = loader.profile_name(p);
        }
        if let Some(url) = &c.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        loader.load().await
    });
    if cfg.region().is_none() {
        return Err(EngineError::project(crate::t!(
            "engine-no-region",
            target = target.name
        )));
    }
    Ok(cfg)
}

impl AthenaEngine {
    /// Connect with the standard AWS credential chain (env, profile, SSO, instance/task role).
    pub fn connect(
        root: &std::path::Path,
        target: &Target,
        settings: AthenaSettings,
        schemas: Vec<String>,
        cancel: Arc<AtomicBool>,
    ) -> Result<AthenaEngine, EngineError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| {
                EngineError::environment(crate::t!("engine-no-runtime", error = e.to_string()))
            })?;
        let cfg = sdk_config(&rt, target)?;
        let s3_cfg = aws_sdk_s3::config::Builder::from(&cfg)
            .force_path_style(settings.endpoint_url.is_some())
            .build();
        Ok(AthenaEngine {
            athena: aws_sdk_athena::Client::new(&cfg),
            glue: aws_sdk_glue::Client::new(&cfg),
            lakeformation: aws_sdk_lakeformation::Client::new(&cfg),
            access_tables: None,
            s3: aws_sdk_s3::Client::from_conf(s3_cfg),
            slots: Arc::new(tokio::sync::Semaphore::new(settings.max_concurrency)),
            catalog_name: target.catalog().unwrap_or("awsdatacatalog").to_string(),
            settings,
            schemas,
            root: root.to_path_buf(),
            cancel,
            running: Arc::new(Mutex::new(Vec::new())),
            totals: Totals::default(),
            budget: Arc::new(retry::RetryBudget::new(retry::RETRY_BUDGET)),
            held_lock: Default::default(),
            replaced: Default::default(),
            rt,
        })
    }

    /// Read the Lake Formation permissions of these tables with the catalog state (the tables
    /// `access:` governs; not called for projects without `access:`).
    pub fn read_permissions_of(&mut self, tables: Vec<TableRef>) {
        self.access_tables = Some(tables);
    }

    /// A function that stops every running query and releases the run lock (for a second
    /// Ctrl-C, before exiting at once).
    pub fn stopper(&self) -> impl Fn() + Send + Sync + 'static {
        let running = self.running.clone();
        let athena = self.athena.clone();
        let held = self.held_lock.clone();
        let s3 = self.s3.clone();
        move || {
            let ids: Vec<String> = running.lock().map(|r| r.clone()).unwrap_or_default();
            let lock = held.lock().ok().and_then(|mut h| h.take());
            if ids.is_empty() && lock.is_none() {
                return;
            }
            if !ids.is_empty() {
                eprintln!(
                    "{}",
                    crate::t!("athena-stopping-queries", count = ids.len())
                );
            }
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                for id in ids {
                    let _ = tokio::time::timeout(
                        Duration::from_secs(5),
                        athena.stop_query_execution().query_execution_id(&id).send(),
                    )
                    .await;
                }
                // Nothing of this run goes on: the next build may resume it at once.
                if let Some(lock) = lock {
                    lock.release(&s3).await;
                }
            });
        }
    }

    fn block_on<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.block_on(f)
    }

    /// Check, at execution time, that `prefixes` may be deleted on behalf of `table`, with one
    /// Glue read: the table is in Glue with `karte_managed=true`, its `karte_owned_prefix` (if
    /// any) is `owned` — the prefix karte's layout gives, never widened by Glue — no prefix
    /// covers the table's current location, and each lies under `owned` inside the lake root.
    async fn check_all_owned(
        &self,
        table: &TableRef,
        prefixes: &[String],
        owned: &str,
    ) -> Result<(), EngineError> {
        if prefixes.is_empty() {
            return Ok(());
        }
        let state = glue::get_table(self, &table.schema, &table.name).await?;
        crate::engine::ownership::check_owner(
            table,
            state.as_ref(),
            owned,
            prefixes,
            &crate::plan::layout::normalise,
        )?;
        prefixes
            .iter()
            .try_for_each(|p| s3::check_deletable(p, owned, &self.settings.lake_root))
    }

    /// The prefix a table owns by karte's layout: the plan's, or `<lake root><schema>/<table>/`
    /// for plans that did not record it.
    fn owned_prefix(&self, table: &TableRef, planned: &str) -> String {
        if planned.is_empty() {
            format!(
                "{}{}/{}/",
                self.settings.lake_root, table.schema, table.name
            )
        } else {
            planned.to_string()
        }
    }
}

impl StepOutcome {
    fn add(&mut self, q: &query::Finished) {
        self.query_ids.push(q.id.clone());
        self.bytes_scanned = Some(self.bytes_scanned.unwrap_or(0) + q.bytes_scanned);
    }
}

impl Engine for AthenaEngine {
    fn name(&self) -> &'static str {
        "athena"
    }

    fn catalog_state(&self) -> Result<CatalogState, EngineError> {
        self.block_on(async {
            let mut state = glue::catalog_state(self, &self.schemas).await?;
            if let Some(tables) = &self.access_tables {
                state.lake_formation =
                    Some(lakeformation::read_permissions(self, tables, &state).await?);
            }
            Ok(state)
        })
    }

    fn summary(&self) -> Option<String> {
        Some(self.totals_line())
    }

    fn cost_usd(&self) -> Option<f64> {
        Some(cost::cost_usd(
            self.totals
                .bytes_billed
                .load(std::sync::atomic::Ordering::SeqCst),
            self.settings.usd_per_tb,
        ))
    }

    fn lock(
        &self,
        target: &str,
        holder: &crate::engine::lock::Holder,
        break_stale: bool,
    ) -> Result<crate::engine::lock::LockGuard, EngineError> {
        lock::take(self, target, holder, break_stale)
    }

    fn table_snapshot(&self, table: &TableRef) -> Result<Option<serde_json::Value>, EngineError> {
        self.block_on(glue::snapshot(self, table))
    }

    fn journal_mirror(
        &self,
        target: &str,
    ) -> Result<Option<crate::engine::mirror::SharedMirror>, EngineError> {
        Ok(Some(Arc::new(journal::S3Journal::new(self, target)?)))
    }

    fn remember_replaced(&self, table: &TableRef, locations: Vec<String>) {
        self.replaced.add(table, locations);
    }

    fn table_version(&self, table: &TableRef) -> Result<Option<serde_json::Value>, EngineError> {
        // The Glue version alone: no GetPartitions after every swap.
        self.block_on(glue::get_table(self, &table.schema, &table.name))
            .map(|t| t.map(|t| serde_json::json!({ "version_id": t.version_id })))
    }

    fn snapshot_has_data(
        &self,
        table: &TableRef,
        snapshot: &serde_json::Value,
    ) -> Result<bool, EngineError> {
        self.block_on(async {
            match glue::snapshot_location(self, table, snapshot).await? {
                Some(location) => s3::any(self, &location).await,
                None => Ok(true),
            }
        })
    }

    fn restore_table(
        &self,
        table: &TableRef,
        previous: Option<&serde_json::Value>,
    ) -> Result<(), EngineError> {
        self.block_on(glue::restore(self, table, previous))
    }

    fn run_step(&self, step: &Step, ctx: &WorkCtx) -> Result<StepOutcome, EngineError> {
        self.block_on(self.run_step_async(step, ctx))
    }

    fn relation_exists(&self, relation: &str) -> bool {
        // Glue's GetTable, for the account's own catalog: EntityNotFoundException (no such
        // table, or no such database) is "no". Anything else — another data catalog, access
        // denied, a failure after retries — cannot tell, so the run goes on and says what
        // the query meets.
        let Some((schema, name)) = glue_name(relation) else {
            return true;
        };
        !matches!(self.block_on(glue::get_raw(self, &schema, &name)), Ok(None))
    }

    fn run_test(
        &self,
        sql: &str,
        sample: usize,
        ctx: &WorkCtx,
    ) -> Result<TestOutcome, EngineError> {
        self.block_on(async {
            let counted = format!("SELECT count(*) FROM (\n{sql}\n) AS karte_test");
            let q = query::run(self, &counted, ctx, 0).await?;
            let (_, rows) = query::results(self, &q.id, Some(2)).await?;
            let failures: u64 = rows
                .first()
                .and_then(|r| r.first().cloned().flatten())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut out = TestOutcome {
                failures,
                ..Default::default()
            };
            if failures > 0 && sample > 0 {
                let limited = format!("SELECT * FROM (\n{sql}\n) AS karte_test LIMIT {sample}");
                let q = query::run(self, &limited, ctx, 1).await?;
                let (columns, rows) = query::results(self, &q.id, Some(sample + 1)).await?;
                out.columns = columns;
                out.sample = rows
                    .into_iter()
                    .map(|r| {
                        r.into_iter()
                            .map(|v| v.unwrap_or_else(|| "NULL".into()))
                            .collect()
                    })
                    .collect();
            }
            Ok(out)
        })
    }

    fn store_failures(
        &self,
        table: &TableRef,
        sql: &str,
        ctx: &WorkCtx,
    ) -> Result<(), EngineError> {
        self.block_on(async {
            let location = format!(
                "{}{}/{}/",
                self.settings.lake_root, table.schema, table.name
            );
            self.check_owned_or_new(table, &location).await?;
            glue::delete_table(self, table).await?;
            s3::delete_prefix(self, &location).await?;
            let ctas = format!(
                "CREATE TABLE {}.{}.{} WITH (external_location = '{location}', format = 'PARQUET') AS\n{sql}",
                self.catalog_name, table.schema, table.name
            );
            query::run(self, &ctas, ctx, 2).await?;
            let mut params = BTreeMap::new();
            params.insert(MANAGED_PARAM.to_string(), "true".to_string());
            params.insert(OWNED_PREFIX_PARAM.to_string(), location.clone());
            glue::set_parameters(self, table, &params).await
        })
    }
}

impl AthenaEngine {
    /// A table karte may (re)create at `location`: absent, or managed and owning it.
    async fn check_owned_or_new(
        &self,
        table: &TableRef,
        location: &str,
    ) -> Result<(), EngineError> {
        match glue::get_table(self, &table.schema, &table.name).await? {
            None => {
                s3::check_deletable(location, location, &self.settings.lake_root)?;
                // No table owns the prefix: write there only if it is empty, never delete.
                if !s3::list(self, location).await?.is_empty() {
                    return Err(EngineError::project(crate::t!(
                        "engine-refuse-write-objects",
                        table = table.to_string(),
                        location = location.to_string()
                    )));
                }
                Ok(())
            }
            // The table is replaced in place (failures are scratch): its marks are checked,
            // not whether it reads from the location.
            state @ Some(_) => {
                let norm = crate::plan::layout::normalise;
                crate::engine::ownership::check_marks(
                    table,
                    state.as_ref(),
                    location,
                    location,
                    &norm,
                )?;
                s3::check_deletable(location, location, &self.settings.lake_root)
            }
        }
    }

    async fn run_step_async(&self, step: &Step, ctx: &WorkCtx) -> Result<StepOutcome, EngineError> {
        let mut out = StepOutcome::default();
        match &step.action {
            Action::CreateSchema { schema } => glue::create_database(self, schema).await?,
            Action::Sql { sql, writes, .. } => {
                let writes = planned_writes(writes)?;
                let q = query::run(self, sql, ctx, 0).await?;
                out.add(&q);
                match writes {
                    // Athena writes a view's Glue entry afresh: mark it as karte's again.
                    Writes::View { view } => {
                        let mut params = BTreeMap::new();
                        params.insert(MANAGED_PARAM.to_string(), "true".to_string());
                        glue::set_parameters(self, view, &params).await?;
                    }
                    // A table created in place (not a staging table swapped in later, e.g. a
                    // `<model>_releases` table) is karte's, and owns its prefix.
                    Writes::Table(new) if !new.staging => {
                        let mut params = BTreeMap::new();
                        params.insert(MANAGED_PARAM.to_string(), "true".to_string());
                        params.insert(
                            OWNED_PREFIX_PARAM.to_string(),
                            crate::plan::layout::normalise(&new.owned_prefix),
                        );
                        glue::set_parameters(self, &new.table, &params).await?;
                    }
                    _ => {}
                }
            }
            Action::BatchedWrite {
                probe_sql,
                partition_columns,
                ..
            } => {
                let probe = query::run(self, probe_sql, ctx, 0).await?;
                out.add(&probe);
                let (_, rows) = query::results(self, &probe.id, None).await?;
                let types = query::column_types(self, &probe.id).await?;
                let values: Vec<Vec<crate::plan::batch::PartitionValue>> = rows
                    .into_iter()
                    .map(|r| {
                        r.into_iter()
                            .zip(partition_columns.iter().enumerate())
                            .map(|(v, (i, _))| crate::plan::batch::PartitionValue {
                                value: v,
                                data_type: types
                                    .get(i)
                                    .cloned()
                                    .unwrap_or_else(|| "varchar".into()),
                            })
                            .collect()
                    })
                    .collect();
                for (i, sql) in crate::plan::batch::expand(&step.action, &values)
                    .iter()
                    .enumerate()
                {
                    let q = query::run(self, sql, ctx, i + 1).await?;
                    out.add(&q);
                }
            }
            Action::LoadSeed {
                file,
                table,
                location,
                column_types,
                encoding,
                delimiter,
            } => {
                let (rows, ids) = self
                    .load_seed(
                        ctx,
                        file,
                        table,
                        location,
                        column_types,
                        encoding,
                        delimiter,
                    )
                    .await?;
                out.rows_affected = Some(rows);
                out.query_ids = ids;
            }
            Action::CheckSchema {
                table,
                query: q,
                policy,
            } => self.check_schema(ctx, table, q, policy).await?,
            Action::SwapTable {
                table,
                staging,
                parameters,
                expected_version,
                projected,
                ..
            } => {
                glue::swap(
                    self,
                    table,
                    staging,
                    parameters,
                    expected_version.as_deref(),
                    *projected,
                )
                .await?
            }
            Action::SetParameters {
                table,
                set,
                remove,
                expected_version,
                ..
            } => {
                glue::update_parameters(self, table, set, remove, expected_version.as_deref())
                    .await?
            }
            Action::MaintainIceberg {
                table,
                operation,
                sql,
                as_of,
            } => {
                // OPTIMIZE and VACUUM are transactional: a failed one changed nothing, and the
                // date is recorded only after it succeeded (the next build tries again).
                let q = query::run(self, sql, ctx, 0).await?;
                out.add(&q);
                let mut params = BTreeMap::new();
                params.insert(operation.param().to_string(), as_of.clone());
                glue::set_parameters(self, table, &params).await?;
            }
            Action::RegisterPartitions {
                table,
                staging,
                mode: PartitionMode::Repoint,
                ..
            } => {
                let old = glue::register_partitions(self, table, staging).await?;
                out.replaced = old.clone();
                self.replaced.add(table, old);
            }
            Action::AppendFiles {
                table,
                staging,
                file_prefix,
                owned_prefix,
                projected,
            } => {
                let owned = self.owned_prefix(table, owned_prefix);
                append::append_files(self, table, staging, file_prefix, &owned, *projected).await?;
            }
            Action::DeleteReplacedPartitions {
                table,
                owned_prefix,
            } => {
                let old = self.replaced.take(table);
                self.check_all_owned(table, &old, owned_prefix).await?;
                for loc in &old {
                    s3::delete_prefix(self, loc).await?;
                }
                out.rows_affected = Some(old.len() as u64);
            }
            Action::DropPartitions {
                table,
                partitions,
                locations,
                owned_prefix,
                ..
            } => {
                self.check_all_owned(table, locations, owned_prefix).await?;
                glue::delete_partitions(self, table, partitions).await?;
                for loc in locations {
                    s3::delete_prefix(self, loc).await?;
                }
            }
            Action::DropCatalogEntry { table } => glue::delete_table(self, table).await?,
            Action::DeletePrefix {
                prefix,
                owner,
                owned_prefix,
                ..
            } => {
                let owned = self.owned_prefix(owner, owned_prefix);
                self.check_all_owned(owner, std::slice::from_ref(prefix), &owned)
                    .await?;
                s3::delete_prefix(self, prefix).await?;
            }
            Action::ExpireCatalogVersions { table, keep } => {
                glue::expire_versions(self, table, *keep).await?
            }
            Action::RevokeLakeFormation { table, permissions } => {
                lakeformation::revoke(self, table, permissions).await?
            }
            Action::GrantLakeFormation { table, permissions } => {
                lakeformation::grant(self, table, permissions).await?
            }
        }
        Ok(out)
    }

    async fn check_schema(
        &self,
        ctx: &WorkCtx,
        table: &TableRef,
        q: &str,
        policy: &str,
    ) -> Result<(), EngineError> {
        let Some(state) = glue::get_table(self, &table.schema, &table.name).await? else {
            return Ok(());
        };
        // The query's columns, without reading data: LIMIT 0 scans nothing.
        let sql = format!("SELECT * FROM (\n{q}\n) AS karte_columns LIMIT 0");
        let res = query::run(self, &sql, ctx, 0).await?;
        let columns = query::column_names(self, &res.id).await?;
        compare_columns(table, &state, &columns, policy)
    }

    #[allow(clippy::too_many_arguments)]
    async fn load_seed(
        &self,
        ctx: &WorkCtx,
        file: &str,
        table: &TableRef,
        location: &str,
        column_types: &BTreeMap<String, String>,
        encoding: &str,
        delimiter: &str,
    ) -> Result<(u64, Vec<String>), EngineError> {
        // Upload the decoded file as UTF-8 CSV, read it through a text table, and write the
        // typed Parquet table with one CTAS; the text table and its file go afterwards.
        let seed =
            crate::engine::seedfile::read(&self.root, file, encoding, delimiter, column_types)?;
        let csv_prefix = format!("{}__csv/", location.trim_end_matches('/'));
        s3::check_deletable(&csv_prefix, &csv_prefix, &self.settings.lake_root)?;
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        for (_, row) in &seed.rows {
            w.write_record(row.iter().map(|v| v.as_deref().unwrap_or("")))
                .map_err(|e| EngineError::internal(format!("csv: {e}")))?;
        }
        let body = w
            .into_inner()
            .map_err(|e| EngineError::internal(format!("csv: {e}")))?;
        s3::put_object(self, &format!("{csv_prefix}data.csv"), body).await?;
        let text_table = TableRef {
            schema: table.schema.clone(),
            name: format!("{}__csv", table.name),
        };
        glue::create_csv_table(self, &text_table, &seed.headers, &csv_prefix).await?;
        let select: Vec<String> = seed
            .headers
            .iter()
            .map(|h| {
                let t = column_types.get(h).map(String::as_str).unwrap_or("varchar");
                if t == "varchar" || t == "string" {
                    format!("NULLIF(\"{h}\", '') AS \"{h}\"")
                } else {
                    format!("CAST(NULLIF(\"{h}\", '') AS {t}) AS \"{h}\"")
                }
            })
            .collect();
        let ctas = format!(
            "CREATE TABLE {cat}.{s}.{n}\nWITH (external_location = '{location}', format = 'PARQUET', write_compression = 'SNAPPY')\nAS\nSELECT {cols}\nFROM {cat}.{s}.{t}",
            cat = self.catalog_name,
            s = table.schema,
            n = table.name,
            cols = select.join(", "),
            t = text_table.name
        );
        let q = query::run(self, &ctas, ctx, 0).await;
        // The text table goes whatever happened.
        glue::delete_table(self, &text_table).await?;
        s3::delete_prefix(self, &csv_prefix).await?;
        let q = q?;
        Ok((seed.rows.len() as u64, vec![q.id]))
    }
}

/// The Glue database and table of a relation as karte writes it (`awsdatacatalog.schema.name`
/// or `schema.name`, parts bare or in double quotes), lower-cased as Glue keeps names; None
/// for another data catalog or a name karte does not write.
fn glue_name(relation: &str) -> Option<(String, String)> {
    let mut parts: Vec<String> = Vec::new();
    let mut chars = relation.trim().chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    '"' => break,
                    c => part.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                part.push(c);
                chars.next();
            }
        }
        if part.is_empty() {
            return None;
        }
        parts.push(part.to_lowercase());
        match chars.next() {
            Some('.') => continue,
            None => break,
            Some(_) => return None,
        }
    }
    match parts.as_slice() {
        [catalog, schema, name] if catalog == "awsdatacatalog" => {
            Some((schema.clone(), name.clone()))
        }
        [schema, name] => Some((schema.clone(), name.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod glue_name_tests {
    use super::glue_name;

    #[test]
    fn relations_as_karte_writes_them() {
        let g = |s: &str| glue_name(s).map(|(a, b)| format!("{a}/{b}"));
        assert_eq!(
            g("awsdatacatalog.raw.visits").as_deref(),
            Some("raw/visits")
        );
        assert_eq!(g("raw.visits").as_deref(), Some("raw/visits"));
        assert_eq!(
            g("\"AwsDataCatalog\".\"Raw\".\"a.b\"\"c\"").as_deref(),
            Some("raw/a.b\"c")
        );
        assert_eq!(g("other_catalog.raw.visits"), None);
        assert_eq!(g("visits"), None);
        assert_eq!(g("raw..visits"), None);
        assert_eq!(g("\"raw"), None);
    }
}
