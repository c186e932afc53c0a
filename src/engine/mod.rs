//! Stage 7, `execute`: run a plan on an engine. The local engine (DuckDB over a Parquet lake)
//! runs the very same plan as Athena; what one engine cannot run is found before the run
//! (the local engine's translation check), not by `if`s in the planner.

#[cfg(feature = "athena")]
pub mod athena;
#[cfg(feature = "duckdb-engine")]
pub mod duckdb;
pub mod failpoint;
pub mod lake;
pub mod lock;
pub mod mirror;
pub mod open;
pub mod ownership;
pub mod seedfile;

use crate::diag::Blame;
use crate::plan::{CatalogState, Step};

/// Old locations of partitions repointed in a run, per table, kept by an engine between a
/// RegisterPartitions step and the DeleteReplacedPartitions step of the same node.
#[derive(Debug, Default)]
pub struct ReplacedLocations(
    std::sync::Mutex<std::collections::HashMap<crate::plan::TableRef, Vec<String>>>,
);

impl ReplacedLocations {
    /// Remember locations of `table` to delete later.
    pub fn add(&self, table: &crate::plan::TableRef, locations: impl IntoIterator<Item = String>) {
        self.0
            .lock()
            .expect("replaced locations")
            .entry(table.clone())
            .or_default()
            .extend(locations);
    }

    /// The locations of `table`, forgotten.
    pub fn take(&self, table: &crate::plan::TableRef) -> Vec<String> {
        self.0
            .lock()
            .expect("replaced locations")
            .remove(table)
            .unwrap_or_default()
    }
}

/// What one step did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepOutcome {
    /// Rows written, where the engine knows.
    pub rows_affected: Option<u64>,
    /// Query ids (Athena).
    pub query_ids: Vec<String>,
    /// Bytes scanned (Athena).
    pub bytes_scanned: Option<u64>,
    /// Previous locations of partitions a RegisterPartitions step repointed (deleted by the
    /// node's DeleteReplacedPartitions step; journaled so a resumed run still deletes them).
    pub replaced: Vec<String>,
}

/// Journals that statement `index` of a unit of work is submitted under generation `n`.
pub type ResubmitHook = std::sync::Arc<dyn Fn(usize, u32) + Send + Sync>;

/// Who asks an engine to do something: the run and the unit of work (a step id, or a data
/// test's unique id). Athena derives each statement's ClientRequestToken from it, so every run
/// submits its own queries and a resumed run finds the executions of its earlier attempt.
#[derive(Clone, Default)]
pub struct WorkCtx {
    /// The run id (the same across the attempts of a resumed run).
    pub run_id: String,
    /// Step id or test unique id.
    pub work_id: String,
    /// True when this run was started by an earlier process (killed or interrupted): a
    /// statement's token may already name an execution that failed or was stopped then.
    pub resumed: bool,
    /// Per statement index, the token generation an earlier attempt of this run moved to
    /// (journaled resubmissions); absent = 0.
    pub generations: std::collections::BTreeMap<usize, u32>,
    /// Called before a statement is submitted under a new generation (to journal it).
    pub on_resubmit: Option<ResubmitHook>,
}

impl std::fmt::Debug for WorkCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkCtx")
            .field("run_id", &self.run_id)
            .field("work_id", &self.work_id)
            .field("resumed", &self.resumed)
            .field("generations", &self.generations)
            .finish_non_exhaustive()
    }
}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineError {
    /// One line, for people.
    pub message: String,
    /// Who has to act.
    pub blame: Blame,
    /// The diagnostic code, when more precise than E501 (e.g. E503 for a held run lock).
    pub code: Option<crate::diag::Code>,
}

impl EngineError {
    /// An error in the project's SQL or config.
    pub fn project(message: impl Into<String>) -> Self {
        EngineError {
            message: message.into(),
            blame: Blame::Project,
            code: None,
        }
    }

    /// An error of the machine or account.
    pub fn environment(message: impl Into<String>) -> Self {
        EngineError {
            message: message.into(),
            blame: Blame::Environment,
            code: None,
        }
    }

    /// A bug in karte.
    pub fn internal(message: impl Into<String>) -> Self {
        EngineError {
            message: message.into(),
            blame: Blame::Internal,
            code: None,
        }
    }

    /// The same error under a more precise diagnostic code.
    pub fn with_code(mut self, code: crate::diag::Code) -> Self {
        self.code = Some(code);
        self
    }

    /// As diagnostics (E501 unless the error has a more precise code), keeping who has to act
    /// (and so the exit code), the message led by what was being done (`"cannot read …: "`).
    pub fn into_diagnostics(self, doing: &str) -> crate::diag::Diagnostics {
        crate::diag::Diagnostics(vec![crate::diag::Diagnostic::from(self).with_prefix(doing)])
    }
}

impl From<EngineError> for crate::diag::Diagnostic {
    fn from(e: EngineError) -> Self {
        let mut d = crate::diag::Diagnostic::error(
            e.code.unwrap_or(crate::diag::Code::EngineFailed),
            e.message,
        );
        d.blame = e.blame;
        d
    }
}

/// What an SQL statement of a step writes, as planned (see [`crate::plan::step::Writes`]).
/// Engines take the table, format, location and partitioning from it, never from the SQL text,
/// so a step of a plan written before it was recorded (a run interrupted before an upgrade of
/// karte) is refused.
pub fn planned_writes(
    writes: &Option<crate::plan::step::Writes>,
) -> Result<&crate::plan::step::Writes, EngineError> {
    writes
        .as_ref()
        .ok_or_else(|| EngineError::project(crate::t!("engine-planned-by-older")))
}

/// A data test's result: how many rows fail and a few of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TestOutcome {
    /// Failing rows.
    pub failures: u64,
    /// Column names of the sample.
    pub columns: Vec<String>,
    /// Up to a few failing rows, as text.
    pub sample: Vec<Vec<String>>,
}

/// An engine executes plan steps and data tests.
pub trait Engine: Send + Sync {
    /// Name for messages (`local`, `athena`).
    fn name(&self) -> &'static str;
    /// The catalog as it is now, for planning.
    fn catalog_state(&self) -> Result<CatalogState, EngineError>;
    /// Run one step; `{run_id}` is already replaced in the step.
    fn run_step(&self, step: &Step, ctx: &WorkCtx) -> Result<StepOutcome, EngineError>;
    /// Run a test query (Athena SQL returning failing rows).
    fn run_test(&self, sql: &str, sample: usize, ctx: &WorkCtx)
        -> Result<TestOutcome, EngineError>;
    /// The first value of a one-row query, as text (e.g. `max(loaded_at)` for source
    /// freshness); none if it returns no row. Runs through the test runner.
    fn query_value(&self, sql: &str, ctx: &WorkCtx) -> Result<Option<String>, EngineError> {
        let out = self.run_test(sql, 1, ctx)?;
        Ok(out
            .sample
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next()))
    }
    /// Store a test's failing rows as a table (`store_failures`).
    fn store_failures(
        &self,
        table: &crate::plan::TableRef,
        sql: &str,
        ctx: &WorkCtx,
    ) -> Result<(), EngineError>;
    /// The catalog entry of a table as it is now (None if absent), in a form
    /// [`Engine::restore_table`] takes back: journaled before a swap, for `karte rollback`.
    fn table_snapshot(
        &self,
        table: &crate::plan::TableRef,
    ) -> Result<Option<serde_json::Value>, EngineError>;
    /// Enough of a table's catalog entry to tell later whether it is still the same version
    /// (see [`same_version`]); by default the whole [`Engine::table_snapshot`].
    fn table_version(
        &self,
        table: &crate::plan::TableRef,
    ) -> Result<Option<serde_json::Value>, EngineError> {
        self.table_snapshot(table)
    }
    /// True if the data of a catalog entry from [`Engine::table_snapshot`] is still there (a
    /// rollback to it must not publish an empty location).
    fn snapshot_has_data(
        &self,
        _table: &crate::plan::TableRef,
        _snapshot: &serde_json::Value,
    ) -> Result<bool, EngineError> {
        Ok(true)
    }
    /// Put back a catalog entry from [`Engine::table_snapshot`] (None: remove the entry).
    fn restore_table(
        &self,
        table: &crate::plan::TableRef,
        previous: Option<&serde_json::Value>,
    ) -> Result<(), EngineError>;
    /// Before a step that an earlier, killed attempt of the same run started but did not
    /// finish: remove what it may have half-written (its staging table and location). Athena
    /// needs nothing: the resubmitted query carries the same token (same run, step and
    /// statement), so Athena returns the first execution instead of writing again.
    fn discard_partial(&self, _step: &Step) -> Result<(), EngineError> {
        Ok(())
    }
    /// On resume: partitions of `table` that a finished RegisterPartitions step of this run
    /// repointed, for the DeleteReplacedPartitions step still to come.
    fn remember_replaced(&self, table: &crate::plan::TableRef, locations: Vec<String>);
    /// Take the target's run lock (one run at a time per target), held until the guard is
    /// dropped; `break_stale` takes over a lock whose lease ran out (see [`lock`]).
    fn lock(
        &self,
        _target: &str,
        _holder: &lock::Holder,
        _break_stale: bool,
    ) -> Result<lock::LockGuard, EngineError> {
        Ok(Box::new(()))
    }
    /// One line of totals for the end of a run (Athena: data scanned and cost).
    fn summary(&self) -> Option<String> {
        None
    }
    /// What the run cost so far in USD, where the engine bills (Athena: data scanned).
    fn cost_usd(&self) -> Option<f64> {
        None
    }
    /// Where the target's run journals are kept besides this machine's `target/journal`, when
    /// the run's data lives elsewhere (Athena: S3), so that another machine can resume or roll
    /// back a run (see [`mirror::Mirror`]).
    fn journal_mirror(&self, _target: &str) -> Result<Option<mirror::SharedMirror>, EngineError> {
        Ok(None)
    }
    /// False if the engine knows that `relation` (a fully-qualified name as compiled SQL
    /// writes it) does not exist, e.g. a source nothing was loaded into locally (checked
    /// before a run, E307). True when it exists or the engine cannot tell cheaply (Athena).
    fn relation_exists(&self, _relation: &str) -> bool {
        true
    }
}

/// USD for `bytes` scanned at `usd_per_tb` (1 TB = 2^40 bytes, as Athena bills).
pub fn cost_usd(bytes: u64, usd_per_tb: f64) -> f64 {
    bytes as f64 / (1u64 << 40) as f64 * usd_per_tb
}

/// True if two catalog entries (from [`crate::engine::Engine::table_snapshot`]) are the same
/// version of a table: the same Glue version, or (locally) the same location and partitions.
pub fn same_version(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.get("version_id"), b.get("version_id")) {
        (Some(x), Some(y)) if !x.is_null() => x == y,
        _ => a.get("location") == b.get("location") && a.get("partitions") == b.get("partitions"),
    }
}
