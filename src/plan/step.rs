//! The plan as data: nodes, their steps, and what each step may destroy. Serialised as
//! `target/plan.json`; engines only execute these steps.

use serde::{Deserialize, Serialize};

use crate::project::TargetType;

/// Placeholder in names and locations for the run id, filled in when the plan is executed.
pub const RUN_ID: &str = "{run_id}";
/// The same placeholder, under the name the engines use.
pub const RUN_ID_PLACEHOLDER: &str = RUN_ID;

/// Version of the plan format.
pub const PLAN_VERSION: u32 = 1;

/// A whole plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Format version.
    pub plan_version: u32,
    /// Project name.
    pub project: String,
    /// Target name.
    pub target: String,
    /// Engine of the target.
    pub engine: TargetType,
    /// Date the plan is for (release snapshot periods depend on it).
    pub as_of: String,
    /// `--full-refresh` was given.
    pub full_refresh: bool,
    /// Nodes in dependency order.
    pub nodes: Vec<NodePlan>,
    /// Data tests, run once the nodes they test are built (a failing error-severity test
    /// blocks the descendants of the node it tests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<super::data_tests::DataTest>,
    /// `--defer`: parents of the planned nodes that are read from the saved manifest's
    /// relations instead of this target's (which do not exist).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deferred: Vec<crate::state::defer::Deferral>,
    /// Written by `karte plan --out`: what the plan was planned against, checked by `karte
    /// build --plan` (see [`super::reviewed`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<super::reviewed::Reviewed>,
}

/// What happens to one node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodePlan {
    /// `model.<project>.<name>`.
    pub unique_id: String,
    /// Node name.
    pub name: String,
    /// Fully-qualified relation.
    pub relation: String,
    /// Source file.
    pub path: String,
    /// e.g. `incremental (hive, insert_overwrite)`.
    pub materialization: String,
    /// e.g. `first run`, `rebuild`, `incremental`, `full refresh`, `inlined into consumers`.
    pub mode: String,
    /// Steps, in order.
    pub steps: Vec<Step>,
}

/// One step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Stable id: `<node>/<nn>-<action>`.
    pub id: String,
    /// What it does.
    pub action: Action,
    /// Steps that must have finished first.
    pub depends_on: Vec<String>,
    /// What data it may destroy (empty: nothing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destroys: Vec<Destroy>,
    /// Hash of the step's content; with the run id it makes the Athena ClientRequestToken.
    pub idempotency_key: String,
}

impl Step {
    /// True if the step writes table data (SQL or a batched write).
    pub fn writes_data(&self) -> bool {
        matches!(
            self.action,
            Action::Sql { .. }
                | Action::BatchedWrite { .. }
                | Action::LoadSeed { .. }
                | Action::AppendFiles { .. }
        )
    }
}

/// A table in the catalog: schema (Glue database) and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TableRef {
    /// Schema.
    pub schema: String,
    /// Table name (may contain `{run_id}`).
    pub name: String,
}

impl std::fmt::Display for TableRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// Hive or Iceberg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    /// Hive table: files under a location, partitions in Glue.
    Hive,
    /// Iceberg table: transactional, MERGE, time travel.
    Iceberg,
}

/// How registered partitions are changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionMode {
    /// Create partitions that do not exist; point existing ones at the new data.
    Repoint,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Create a schema (Glue database) if it does not exist.
    CreateSchema {
        /// Schema.
        schema: String,
    },
    /// One SQL statement.
    Sql {
        /// Why, in a few words.
        purpose: String,
        /// The statement (Athena SQL).
        sql: String,
        /// What the statement writes, as the planner meant it: engines take the table, format,
        /// location and partitioning from here, never from the text of `sql`. (Absent in plans
        /// written before it was recorded; engines refuse to run those steps.)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        writes: Option<Writes>,
    },
    /// A partitioned write of at most `max_partitions_per_query` partitions per statement:
    /// `probe_sql` finds the partition values at run time; the values are split into batches;
    /// the first batch runs `first_sql`, the others `rest_sql`, with `{batch_filter}` replaced by
    /// the batch's predicate.
    BatchedWrite {
        /// Why.
        purpose: String,
        /// `SELECT DISTINCT <partition columns> …`.
        probe_sql: String,
        /// Partition columns.
        partition_columns: Vec<String>,
        /// Buckets per partition (bucketed tables count partitions × buckets).
        #[serde(skip_serializing_if = "Option::is_none")]
        bucket_count: Option<u32>,
        /// Largest batch.
        max_partitions_per_query: u32,
        /// Statement of the first batch.
        first_sql: String,
        /// Statement of the other batches.
        rest_sql: String,
        /// What the first batch's statement writes (see [`Action::Sql`]'s `writes`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first_writes: Option<Writes>,
        /// What the other batches' statement writes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rest_writes: Option<Writes>,
    },
    /// Load a seed file into a (staging) table.
    LoadSeed {
        /// The CSV file, relative to the project.
        file: String,
        /// The table to create.
        table: TableRef,
        /// Where its data goes.
        location: String,
        /// Column → type.
        column_types: std::collections::BTreeMap<String, String>,
        /// Text encoding of the file.
        encoding: String,
        /// Field delimiter.
        delimiter: String,
    },
    /// Compare the query's columns with the table's and act per `on_schema_change`.
    CheckSchema {
        /// The table.
        table: TableRef,
        /// The query whose columns are compared.
        query: String,
        /// `ignore`, `fail`, `append_new_columns`.
        policy: String,
    },
    /// Publish a staging table as `table`: Hive — Glue CreateTable/UpdateTable with the
    /// staging table's location and partitions; Iceberg — renames. The previous location is
    /// kept (see `versions_to_keep`).
    SwapTable {
        /// Published table.
        table: TableRef,
        /// Staging table holding the new data.
        staging: TableRef,
        /// Format.
        format: TableFormat,
        /// Catalog parameters set on the published table (karte ownership marks).
        parameters: std::collections::BTreeMap<String, String>,
        /// The catalog version of `table` when the run was planned (Glue `VersionId`): the
        /// swap is refused if the table changed since (another writer).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<String>,
        /// The table's partitions are projected (`parameters` holds `projection.*` and the
        /// location template into the staging table's folder): no Glue partitions are copied,
        /// and those of a previous, unprojected version are removed from the catalog (their
        /// data stays, per `versions_to_keep`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        projected: bool,
    },
    /// Register on `table` the partitions written into `staging` (Glue BatchCreatePartition,
    /// ≤100 per call); existing partition values are pointed at the new data, and their previous
    /// locations recorded for `DeleteReplacedPartitions`.
    RegisterPartitions {
        /// Target table.
        table: TableRef,
        /// Staging table whose partitions are taken.
        staging: TableRef,
        /// Mode.
        mode: PartitionMode,
        /// Partitions per Glue call.
        batch_size: u32,
    },
    /// A Hive append, published: the files `staging` holds (written by the step before, at a
    /// location of its own) are copied into `table` — unpartitioned into its location,
    /// partitioned into each partition's location (new partitions are created under the
    /// table's location and registered). Each file is named `<file_prefix><name>`, so doing it
    /// again (a resumed run) writes the same objects instead of adding the rows twice. Nothing
    /// is written outside `owned_prefix`.
    AppendFiles {
        /// Target table.
        table: TableRef,
        /// Staging table holding the new rows.
        staging: TableRef,
        /// Prefix of the published files' names (`{run_id}_`).
        file_prefix: String,
        /// The prefix the table owns.
        owned_prefix: String,
        /// The table's partitions are projected: files go to `<table location><k>=<v>/` (where
        /// its location template points) and no Glue partition is read or created.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        projected: bool,
    },
    /// Set and remove catalog parameters of a table (Glue UpdateTable at the version planned
    /// against; everything else unchanged).
    SetParameters {
        /// Table.
        table: TableRef,
        /// Parameters set.
        set: std::collections::BTreeMap<String, String>,
        /// Parameters removed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        remove: Vec<String>,
        /// Why.
        reason: String,
        /// The catalog version of `table` when the run was planned (refused if it changed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<String>,
    },
    /// Iceberg maintenance (`OPTIMIZE … REWRITE DATA USING BIN_PACK`, `VACUUM`): the statement,
    /// then the table parameter recording that it ran on `as_of` (`karte_last_<operation>`),
    /// which the next plans read to keep the cadence.
    MaintainIceberg {
        /// Table.
        table: TableRef,
        /// Which.
        operation: super::maintenance::Operation,
        /// The statement (Athena SQL).
        sql: String,
        /// The plan's date, recorded once the statement succeeded.
        as_of: String,
    },
    /// Delete the data of the partitions that `RegisterPartitions` repointed in this run,
    /// under the table's owned prefix only.
    DeleteReplacedPartitions {
        /// Table.
        table: TableRef,
        /// Only objects under this prefix may be deleted.
        owned_prefix: String,
    },
    /// Remove partitions from the catalog (Glue BatchDeletePartition, ≤25 per call) and delete
    /// their data under the owned prefix.
    DropPartitions {
        /// Table.
        table: TableRef,
        /// Partition values, one list per partition.
        partitions: Vec<Vec<String>>,
        /// Their locations.
        locations: Vec<String>,
        /// Only objects under this prefix may be deleted.
        owned_prefix: String,
        /// Partitions per Glue call.
        batch_size: u32,
    },
    /// Remove a table's catalog entry only (its data now belongs to another table).
    DropCatalogEntry {
        /// Table.
        table: TableRef,
    },
    /// Delete every object under a prefix that karte owns.
    DeletePrefix {
        /// The prefix (`s3://…/` or a local directory).
        prefix: String,
        /// The managed table owning it.
        owner: TableRef,
        /// The prefix the owner owns, as karte's layout gives it (empty in plans written before
        /// it was recorded: the engine then takes `<lake root><schema>/<table>/`).
        #[serde(default)]
        owned_prefix: String,
        /// Why.
        reason: String,
    },
    /// Keep only the newest `keep` catalog versions of a table (Glue table versions).
    ExpireCatalogVersions {
        /// Table.
        table: TableRef,
        /// Versions kept.
        keep: u32,
    },
    /// Revoke read permissions on a table that `access:` no longer gives (Lake Formation
    /// BatchRevokePermissions, ≤20 entries per call; entries already gone are skipped).
    RevokeLakeFormation {
        /// Table.
        table: TableRef,
        /// Exactly as Lake Formation holds them.
        permissions: Vec<crate::access::LfPermission>,
    },
    /// Grant the read permissions `access:` gives on a table (Lake Formation
    /// BatchGrantPermissions, ≤20 entries per call), once the table exists.
    GrantLakeFormation {
        /// Table.
        table: TableRef,
        /// Principals and columns.
        permissions: Vec<crate::access::LfPermission>,
    },
}

/// What an SQL statement of the plan writes, as the planner meant it; the statement is its
/// Athena rendering (through templates a project may override). The local engine runs the
/// statement's query, and takes everything else from here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Writes {
    /// `CREATE TABLE … WITH (…) AS <query>`: a new table holding the query's rows.
    Table(Box<NewTable>),
    /// `CREATE OR REPLACE VIEW … AS <query>`.
    View {
        /// The view.
        view: TableRef,
    },
    /// `INSERT INTO … <query>`: rows added to an existing table.
    Insert {
        /// The table.
        table: TableRef,
    },
    /// `MERGE INTO …`: rows of an existing Iceberg table updated, deleted or inserted.
    Merge {
        /// The table.
        table: TableRef,
    },
}

/// The table a CTAS creates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTable {
    /// The table (may contain `{run_id}`).
    pub table: TableRef,
    /// Hive or Iceberg.
    pub format: TableFormat,
    /// Where its data goes (`external_location`, or an Iceberg table's `location`).
    pub location: String,
    /// The prefix its data belongs to: the published table's prefix for a staging table, its
    /// own location for a table created in place.
    pub owned_prefix: String,
    /// True for a staging table of this run (`<name>__karte_<run id>`), published later by a
    /// swap or a partition step; a table created in place is marked as karte's when created.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub staging: bool,
    /// Partition columns (Hive) or transforms (Iceberg).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitioned_by: Vec<String>,
    /// `write_compression` (`SNAPPY`, `ZSTD`, …).
    pub write_compression: String,
}

impl Writes {
    /// The table or view written.
    pub fn table(&self) -> &TableRef {
        match self {
            Writes::Table(t) => &t.table,
            Writes::View { view } => view,
            Writes::Insert { table } | Writes::Merge { table } => table,
        }
    }
}

impl Action {
    /// What the statement of an SQL step writes (of a batched write, its first statement's,
    /// which creates the table if one is created). None for other actions, and where a plan
    /// written before it was recorded lacks it.
    pub fn writes(&self) -> Option<&Writes> {
        match self {
            Action::Sql { writes, .. } => writes.as_ref(),
            Action::BatchedWrite { first_writes, .. } => first_writes.as_ref(),
            _ => None,
        }
    }

    /// Short kebab-case name, used in step ids.
    pub fn name(&self) -> &'static str {
        match self {
            Action::CreateSchema { .. } => "create-schema",
            Action::Sql { .. } => "sql",
            Action::BatchedWrite { .. } => "batched-write",
            Action::LoadSeed { .. } => "load-seed",
            Action::CheckSchema { .. } => "check-schema",
            Action::SwapTable { .. } => "swap",
            Action::RegisterPartitions { .. } => "register-partitions",
            Action::AppendFiles { .. } => "append-files",
            Action::DeleteReplacedPartitions { .. } => "delete-replaced-partitions",
            Action::DropPartitions { .. } => "drop-partitions",
            Action::DropCatalogEntry { .. } => "drop-catalog-entry",
            Action::DeletePrefix { .. } => "delete-prefix",
            Action::ExpireCatalogVersions { .. } => "expire-versions",
            Action::RevokeLakeFormation { .. } => "lf-revoke",
            Action::GrantLakeFormation { .. } => "lf-grant",
            Action::SetParameters { .. } => "set-parameters",
            Action::MaintainIceberg { operation, .. } => operation.as_str(),
        }
    }
}

/// Something a step may destroy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Destroy {
    /// `objects`, `partitions`, `rows`, `catalog entry`, `catalog versions`, `view definition`.
    pub kind: String,
    /// Which: a prefix, a table, a partition list.
    pub target: String,
    /// When it is gone for good, or how to get it back.
    pub note: String,
}
