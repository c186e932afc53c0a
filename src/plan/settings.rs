//! Model config as typed settings, checked before anything is planned: invalid values and
//! combinations are compile-time diagnostics, not run-time surprises.

use std::collections::BTreeMap;

use serde_json::Value;

use super::step::TableFormat;
use crate::diag::{suggest, Code, Diagnostic, Location};
use crate::project::{Node, NodeConfig, NodeKind};
use crate::t;

/// How a node is materialized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Materialization {
    /// `CREATE OR REPLACE VIEW`.
    View,
    /// A table rebuilt on every run.
    Table,
    /// A table updated by a strategy.
    Incremental,
    /// Inlined as a CTE into its consumers.
    Ephemeral,
    /// A seed (CSV) table.
    Seed,
    /// An SCD type 2 snapshot.
    Snapshot,
}

/// Incremental strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Add the new rows.
    Append,
    /// Replace the partitions the new rows fall into (Hive).
    InsertOverwrite,
    /// Upsert on `unique_key` (Iceberg).
    Merge,
    /// Delete rows with the new keys, then insert (Iceberg).
    DeleteInsert,
}

impl Strategy {
    /// dbt's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Append => "append",
            Strategy::InsertOverwrite => "insert_overwrite",
            Strategy::Merge => "merge",
            Strategy::DeleteInsert => "delete+insert",
        }
    }
}

/// How often a release snapshot is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// One per calendar month.
    Month,
    /// One per calendar quarter.
    Quarter,
    /// One per run.
    Run,
}

/// `snapshot: {every: …, keep: N}` on a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseSnapshot {
    /// Period.
    pub every: Period,
    /// Copies kept.
    pub keep: u32,
}

/// SCD2 snapshot settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scd2 {
    /// `timestamp` (uses `updated_at`) or `check` (uses `check_cols`).
    pub strategy: String,
    /// Key columns.
    pub unique_key: Vec<String>,
    /// Column with the change time (timestamp strategy).
    pub updated_at: Option<String>,
    /// Columns compared (check strategy); empty = all.
    pub check_cols: Vec<String>,
    /// Close rows whose key disappeared from the source.
    pub hard_deletes: bool,
}

/// A node's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSettings {
    /// Materialization.
    pub materialized: Materialization,
    /// Hive or Iceberg.
    pub format: TableFormat,
    /// File format (`PARQUET`, `ORC`, …).
    pub file_format: String,
    /// Compression.
    pub write_compression: String,
    /// Partition columns (or Iceberg transforms).
    pub partitioned_by: Vec<String>,
    /// Bucket columns (Hive).
    pub bucketed_by: Vec<String>,
    /// Number of buckets.
    pub bucket_count: Option<u32>,
    /// Location override (must be under the lake root).
    pub external_location: Option<String>,
    /// Strategy, for incremental models.
    pub strategy: Strategy,
    /// Key columns for merge / delete+insert.
    pub unique_key: Vec<String>,
    /// Extra predicates for merge / delete.
    pub incremental_predicates: Vec<String>,
    /// `ignore`, `fail`, `append_new_columns`.
    pub on_schema_change: String,
    /// Previous data versions kept after a swap.
    pub versions_to_keep: u32,
    /// Release snapshots.
    pub release: Option<ReleaseSnapshot>,
    /// SCD2 settings, for snapshot nodes.
    pub scd2: Option<Scd2>,
    /// Extra table properties.
    pub table_properties: BTreeMap<String, String>,
    /// Seed settings.
    pub seed: SeedSettings,
    /// `partition_projection:` (Hive tables): partitions computed by Athena, not kept in Glue.
    pub projection: Option<super::projection::Projection>,
    /// `optimize:` / `vacuum:` (Iceberg): maintenance after the build, on a cadence.
    pub maintenance: Vec<super::maintenance::Schedule>,
}

/// Seed file settings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeedSettings {
    /// Column → Athena type.
    pub column_types: BTreeMap<String, String>,
    /// `utf-8`, `cp932`, `shift_jis`.
    pub encoding: String,
    /// Field delimiter.
    pub delimiter: String,
}

struct Reader<'a> {
    node: &'a Node,
    config: &'a NodeConfig,
    /// The project directory (the property files and karte.yml a key may be written in).
    root: &'a std::path::Path,
    errors: Vec<Diagnostic>,
}

impl Reader<'_> {
    /// Where `key` is written: the SQL's `config(...)`, the property file, or karte.yml.
    fn at(&self, key: &str) -> Location {
        super::config_key::locate(self.root, self.node, key)
    }

    fn error(&mut self, code: Code, key: &str, message: String, help: String) {
        let d = Diagnostic::error(code, message).at(self.at(key)).help(help);
        self.errors.push(d);
    }

    fn string(&mut self, key: &str, allowed: &[&str], default: &str) -> String {
        match self.config.0.get(key) {
            None | Some(Value::Null) => default.to_string(),
            Some(Value::String(s)) => {
                let lower = s.to_lowercase();
                if allowed.is_empty() || allowed.contains(&lower.as_str()) {
                    lower
                } else {
                    let help = match suggest(&lower, allowed.iter().copied()) {
                        Some(x) => t!("plan-did-you-mean", name = x),
                        None => t!("plan-use-one-of", values = allowed.join(", ")),
                    };
                    self.error(
                        Code::InvalidConfigValue,
                        key,
                        t!(
                            "plan-value-not-allowed",
                            key = key,
                            value = s,
                            model = self.node.name
                        ),
                        help,
                    );
                    default.to_string()
                }
            }
            Some(other) => {
                self.error(
                    Code::InvalidConfigValue,
                    key,
                    t!("plan-not-text", key = key, value = other.to_string()),
                    t!("plan-not-text-help", key = key),
                );
                default.to_string()
            }
        }
    }

    fn list(&mut self, key: &str) -> Vec<String> {
        match self.config.0.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            Some(other) => {
                self.error(
                    Code::InvalidConfigValue,
                    key,
                    t!("plan-not-list", key = key, value = other.to_string()),
                    t!("plan-not-list-help", key = key),
                );
                Vec::new()
            }
        }
    }

    fn number(&mut self, key: &str) -> Option<u32> {
        match self.config.0.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v <= u32::MAX as u64) => {
                n.as_u64().map(|v| v as u32)
            }
            Some(other) => {
                self.error(
                    Code::InvalidConfigValue,
                    key,
                    t!("plan-not-number", key = key, value = other.to_string()),
                    t!("plan-not-number-help", key = key),
                );
                None
            }
        }
    }

    fn map(&mut self, key: &str) -> BTreeMap<String, String> {
        match self.config.0.get(key) {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(Value::Object(o)) => o
                .iter()
                .map(|(k, v)| {
                    let v = v
                        .as_str()
                        .map(String::from)
                        .unwrap_or_else(|| v.to_string());
                    (k.clone(), v)
                })
                .collect(),
            Some(other) => {
                self.error(
                    Code::InvalidConfigValue,
                    key,
                    t!("plan-not-mapping", key = key, value = other.to_string()),
                    t!("plan-not-mapping-help", key = key),
                );
                BTreeMap::new()
            }
        }
    }
}

/// Read and check a node's settings (`root`: the project directory, where the errors find the
/// keys). All problems are returned together.
pub fn settings(
    node: &Node,
    config: &NodeConfig,
    root: &std::path::Path,
) -> Result<ModelSettings, Vec<Diagnostic>> {
    let mut r = Reader {
        node,
        config,
        root,
        errors: Vec::new(),
    };
    let materialized = match node.kind {
        NodeKind::Seed => Materialization::Seed,
        NodeKind::Snapshot => Materialization::Snapshot,
        _ => match r
            .string(
                "materialized",
                &["view", "table", "incremental", "ephemeral"],
                "view",
            )
            .as_str()
        {
            "table" => Materialization::Table,
            "incremental" => Materialization::Incremental,
            "ephemeral" => Materialization::Ephemeral,
            _ => Materialization::View,
        },
    };
    let format = match r
        .string("table_type", &["hive", "iceberg"], "hive")
        .as_str()
    {
        "iceberg" => TableFormat::Iceberg,
        _ => TableFormat::Hive,
    };
    let file_format = r
        .string(
            "format",
            &["parquet", "orc", "avro", "json", "textfile"],
            "parquet",
        )
        .to_uppercase();
    let write_compression = r
        .string(
            "write_compression",
            &["snappy", "zstd", "gzip", "lz4", "none"],
            "snappy",
        )
        .to_uppercase();
    let partitioned_by = r.list("partitioned_by");
    let bucketed_by = r.list("bucketed_by");
    let bucket_count = r.number("bucket_count");
    let external_location = r.config.get_str("external_location").map(String::from);
    let strategy_default = match format {
        TableFormat::Hive if !partitioned_by.is_empty() => "insert_overwrite",
        TableFormat::Hive => "append",
        TableFormat::Iceberg => "merge",
    };
    let strategy = match r
        .string(
            "incremental_strategy",
            &["append", "insert_overwrite", "merge", "delete+insert"],
            strategy_default,
        )
        .as_str()
    {
        "insert_overwrite" => Strategy::InsertOverwrite,
        "merge" => Strategy::Merge,
        "delete+insert" => Strategy::DeleteInsert,
        _ => Strategy::Append,
    };
    let unique_key = r.list("unique_key");
    let incremental_predicates = r.list("incremental_predicates");
    let on_schema_change = r.string(
        "on_schema_change",
        &["ignore", "fail", "append_new_columns"],
        "ignore",
    );
    let versions_to_keep = r.number("versions_to_keep").unwrap_or(1);
    if versions_to_keep == 0 {
        r.error(
            Code::InvalidConfigValue,
            "versions_to_keep",
            t!("plan-versions-zero", model = r.node.name),
            t!("plan-versions-zero-help"),
        );
    }
    let table_properties = r.map("table_properties");
    let release = release_snapshot(&mut r);
    let scd2 = (node.kind == NodeKind::Snapshot).then(|| scd2(&mut r));
    let seed = SeedSettings {
        column_types: r.map("column_types"),
        encoding: r.string(
            "encoding",
            &["utf-8", "utf8", "cp932", "shift_jis"],
            "utf-8",
        ),
        delimiter: r.config.get_str("delimiter").unwrap_or(",").to_string(),
    };
    let projection = projection(&mut r, &partitioned_by);
    let maintenance = maintenance(&mut r);
    let s = ModelSettings {
        materialized,
        format,
        file_format,
        write_compression,
        partitioned_by,
        bucketed_by,
        bucket_count,
        external_location,
        strategy,
        unique_key,
        incremental_predicates,
        on_schema_change,
        versions_to_keep,
        release,
        scd2,
        table_properties,
        seed,
        projection,
        maintenance,
    };
    combinations(&mut r, &s);
    big_tables(&mut r, &s);
    names(&mut r, &s);
    if r.errors.is_empty() {
        Ok(s)
    } else {
        Err(r.errors)
    }
}

fn projection(r: &mut Reader, partitioned_by: &[String]) -> Option<super::projection::Projection> {
    let v = r.config.0.get("partition_projection")?.clone();
    if v.is_null() {
        return None;
    }
    match super::projection::parse(&v, partitioned_by) {
        Ok(p) => Some(p),
        Err(problems) => {
            for p in problems {
                r.error(
                    Code::InvalidProjection,
                    "partition_projection",
                    p.message,
                    p.help,
                );
            }
            None
        }
    }
}

fn maintenance(r: &mut Reader) -> Vec<super::maintenance::Schedule> {
    use super::maintenance::{parse, Operation};
    let mut out = Vec::new();
    for op in [Operation::Optimize, Operation::Vacuum] {
        let Some(v) = r
            .config
            .0
            .get(op.as_str())
            .filter(|v| !v.is_null())
            .cloned()
        else {
            continue;
        };
        match parse(op, &v) {
            Ok(s) => out.push(s),
            Err(p) => r.error(Code::InvalidMaintenance, op.as_str(), p.message, p.help),
        }
    }
    out
}

/// Partition projection and Iceberg maintenance against the rest of the config.
fn big_tables(r: &mut Reader, s: &ModelSettings) {
    let name = r.node.name.clone();
    let projected = s.projection.is_some() || r_has(r.config, "partition_projection");
    if projected {
        let refusal = if s.format == TableFormat::Iceberg {
            Some(t!("plan-projection-iceberg", model = name))
        } else if !matches!(
            s.materialized,
            Materialization::Table | Materialization::Incremental
        ) {
            Some(t!("plan-projection-not-table", model = name))
        } else if s.materialized == Materialization::Incremental
            && s.strategy == Strategy::InsertOverwrite
        {
            Some(t!("plan-projection-insert-overwrite", model = name))
        } else {
            None
        };
        if let Some(message) = refusal {
            r.error(
                Code::ProjectionUnsupported,
                "partition_projection",
                message,
                t!("plan-projection-unsupported-help"),
            );
        }
    }
    if let Some(first) = s.maintenance.first() {
        let key = first.operation.as_str();
        if s.format != TableFormat::Iceberg {
            r.error(
                Code::InvalidMaintenance,
                key,
                t!("plan-maintenance-hive", key = key, model = name),
                t!("plan-maintenance-hive-help"),
            );
        } else if !matches!(
            s.materialized,
            Materialization::Incremental | Materialization::Snapshot
        ) {
            r.error(
                Code::InvalidMaintenance,
                key,
                t!("plan-maintenance-rebuilt", model = name),
                t!("plan-maintenance-rebuilt-help"),
            );
        }
    }
}

fn release_snapshot(r: &mut Reader) -> Option<ReleaseSnapshot> {
    let v = r.config.0.get("snapshot")?.clone();
    let Value::Object(o) = v else {
        r.error(
            Code::InvalidConfigValue,
            "snapshot",
            t!("plan-release-not-mapping"),
            t!("plan-release-not-mapping-help"),
        );
        return None;
    };
    let every = match o.get("every").and_then(Value::as_str) {
        Some("month") => Period::Month,
        Some("quarter") => Period::Quarter,
        Some("run") => Period::Run,
        other => {
            r.error(
                Code::InvalidConfigValue,
                "snapshot",
                t!(
                    "plan-release-every",
                    value = other
                        .map(String::from)
                        .unwrap_or_else(|| t!("plan-release-every-nothing"))
                ),
                t!("plan-release-every-help"),
            );
            return None;
        }
    };
    let keep = o.get("keep").and_then(Value::as_u64).unwrap_or(12).max(1) as u32;
    Some(ReleaseSnapshot { every, keep })
}

fn scd2(r: &mut Reader) -> Scd2 {
    let strategy = r.string("strategy", &["timestamp", "check"], "timestamp");
    let unique_key = r.list("unique_key");
    let updated_at = r.config.get_str("updated_at").map(String::from);
    // dbt's `check_cols: 'all'`: every column but the key, as an empty list.
    let check_cols = match r.config.0.get("check_cols") {
        Some(Value::String(s)) if s == "all" => Vec::new(),
        _ => r.list("check_cols"),
    };
    let hard_deletes = match r.config.0.get("hard_deletes") {
        Some(Value::String(s)) => s == "invalidate",
        Some(Value::Bool(b)) => *b,
        _ => r
            .config
            .0
            .get("invalidate_hard_deletes")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    if unique_key.is_empty() {
        r.error(
            Code::InvalidCombination,
            "unique_key",
            t!("plan-snapshot-no-key", model = r.node.name),
            t!("plan-snapshot-no-key-help"),
        );
    }
    if strategy == "timestamp" && updated_at.is_none() {
        r.error(
            Code::InvalidCombination,
            "strategy",
            t!("plan-snapshot-no-updated-at", model = r.node.name),
            t!("plan-snapshot-no-updated-at-help"),
        );
    }
    Scd2 {
        strategy,
        unique_key,
        updated_at,
        check_cols,
        hard_deletes,
    }
}

fn combinations(r: &mut Reader, s: &ModelSettings) {
    let name = r.node.name.clone();
    let config = r.config;
    let mut found: Vec<(String, String, String)> = Vec::new();
    let mut bad = |key: &str, message: String, help: String| {
        found.push((key.to_string(), message, help));
    };
    let incremental = s.materialized == Materialization::Incremental;
    let explicit_strategy = r_has(config, "incremental_strategy");
    if incremental {
        match (s.format, s.strategy) {
            (TableFormat::Hive, Strategy::Merge | Strategy::DeleteInsert) => bad(
                "incremental_strategy",
                t!(
                    "plan-strategy-needs-iceberg",
                    strategy = s.strategy.as_str(),
                    model = name
                ),
                t!("plan-strategy-needs-iceberg-help"),
            ),
            (TableFormat::Iceberg, Strategy::InsertOverwrite) => bad(
                "incremental_strategy",
                t!("plan-overwrite-hive-only", model = name),
                t!("plan-overwrite-hive-only-help"),
            ),
            (TableFormat::Hive, Strategy::InsertOverwrite) if s.partitioned_by.is_empty() => bad(
                "incremental_strategy",
                t!("plan-overwrite-no-partitions", model = name),
                t!("plan-overwrite-no-partitions-help"),
            ),
            (_, Strategy::Merge | Strategy::DeleteInsert) if s.unique_key.is_empty() => bad(
                "unique_key",
                t!(
                    "plan-strategy-needs-key",
                    strategy = s.strategy.as_str(),
                    model = name
                ),
                t!("plan-strategy-needs-key-help"),
            ),
            _ => {}
        }
    } else if explicit_strategy && s.materialized != Materialization::Snapshot {
        bad(
            "incremental_strategy",
            t!("plan-strategy-not-incremental", model = name),
            t!("plan-strategy-not-incremental-help"),
        );
    }
    if s.format == TableFormat::Iceberg && !s.bucketed_by.is_empty() {
        bad(
            "bucketed_by",
            t!("plan-bucketed-iceberg", model = name),
            t!("plan-bucketed-iceberg-help"),
        );
    }
    if !s.bucketed_by.is_empty() && s.bucket_count.is_none() {
        bad(
            "bucketed_by",
            t!("plan-bucketed-no-count", model = name),
            t!("plan-bucketed-no-count-help"),
        );
    }
    let iceberg_buckets = s
        .partitioned_by
        .iter()
        .filter_map(|p| super::materialization::iceberg_bucket(p).map(|(n, _)| n));
    if s.bucket_count
        .into_iter()
        .chain(iceberg_buckets)
        .any(|n| n == 0 || n > 100)
    {
        bad(
            "bucket_count",
            t!("plan-bucket-count-range", model = name),
            t!("plan-bucket-count-range-help"),
        );
    }
    if s.format == TableFormat::Iceberg
        && !matches!(s.file_format.as_str(), "PARQUET" | "ORC" | "AVRO")
    {
        bad(
            "format",
            t!("plan-iceberg-format", format = s.file_format),
            t!("plan-iceberg-format-help"),
        );
    }
    if s.format == TableFormat::Hive {
        if let Some(p) = s.partitioned_by.iter().find(|p| p.contains('(')) {
            bad(
                "partitioned_by",
                t!("plan-transform-needs-iceberg", transform = p),
                t!("plan-transform-needs-iceberg-help"),
            );
        }
    }
    if s.format == TableFormat::Iceberg {
        if let Some(p) = s.partitioned_by.iter().find(|p| p.starts_with("truncate(")) {
            bad(
                "partitioned_by",
                t!("plan-transform-not-batchable", transform = p),
                t!("plan-transform-not-batchable-help"),
            );
        }
    }
    let view_like = matches!(
        s.materialized,
        Materialization::View | Materialization::Ephemeral
    );
    if view_like {
        for key in [
            "partitioned_by",
            "bucketed_by",
            "unique_key",
            "external_location",
            "table_type",
        ] {
            if r_has(config, key) {
                bad(
                    key,
                    if s.materialized == Materialization::View {
                        t!("plan-no-effect-view", key = key, model = name)
                    } else {
                        t!("plan-no-effect-ephemeral", key = key, model = name)
                    },
                    t!("plan-no-effect-help"),
                );
            }
        }
    }
    if s.release.is_some()
        && !matches!(
            s.materialized,
            Materialization::Table | Materialization::Incremental
        )
    {
        bad(
            "snapshot",
            t!("plan-release-not-table", model = name),
            t!("plan-release-not-table-help"),
        );
    }
    for (key, message, help) in found {
        r.error(Code::InvalidCombination, &key, message, help);
    }
}

fn r_has(config: &NodeConfig, key: &str) -> bool {
    config.0.get(key).is_some_and(|v| !v.is_null())
}

/// A name Athena stores as written: lower-case letters, digits and `_`, not starting with a digit.
pub fn is_plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

fn names(r: &mut Reader, s: &ModelSettings) {
    let name = r.node.name.clone();
    if !is_plain_name(&name) {
        r.error(
            Code::InvalidName,
            &name,
            t!("plan-bad-table-name", model = name),
            t!(
                "plan-bad-table-name-help",
                suggested = name
                    .to_lowercase()
                    .replace(|c: char| !(c.is_ascii_alphanumeric() || c == '_'), "_")
            ),
        );
    }
    let columns = s
        .partitioned_by
        .iter()
        .filter(|p| !p.contains('('))
        .chain(&s.bucketed_by)
        .chain(&s.unique_key)
        .cloned()
        .collect::<Vec<_>>();
    for c in columns {
        if !is_plain_name(&c) {
            r.error(
                Code::InvalidName,
                &c,
                t!("plan-bad-column-name", column = c, model = name),
                t!("plan-bad-column-name-help", suggested = c.to_lowercase()),
            );
        }
    }
}
