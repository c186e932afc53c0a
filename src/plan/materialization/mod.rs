//! One file per materialization family. Each turns a node into actions, each action with what it
//! may destroy; `plan/mod.rs` gives them ids, dependencies and idempotency keys.

pub mod incremental;
pub mod release;
pub mod seed;
pub mod snapshot;
pub mod table;
pub mod view;

use std::collections::BTreeMap;

use serde::Serialize;

use super::catalog::{TableState, MANAGED_PARAM, OWNED_PREFIX_PARAM};
use super::layout::{is_under, normalise, Lake};
use super::settings::ModelSettings;
use super::step::{Action, Destroy, NewTable, TableFormat, TableRef, Writes, RUN_ID};
use super::templates::Templates;
use crate::diag::{Code, Diagnostic, Location};
use crate::project::Node;

/// Athena writes at most this many partitions (× buckets) per CTAS / INSERT.
pub const MAX_PARTITIONS_PER_QUERY: u32 = 100;
/// Glue BatchCreatePartition takes at most 100 partitions per call.
pub const GLUE_CREATE_BATCH: u32 = 100;
/// Glue BatchDeletePartition takes at most 25 partitions per call.
pub const GLUE_DELETE_BATCH: u32 = 25;
/// The placeholder replaced by each batch's partition predicate.
pub const BATCH_FILTER: &str = "{batch_filter}";

/// Everything a materialization needs to plan one node.
pub struct NodeCtx<'a> {
    /// The node.
    pub node: &'a Node,
    /// Its compiled SQL, without a trailing semicolon.
    pub sql: String,
    /// Settings.
    pub settings: &'a ModelSettings,
    /// The published table.
    pub table: TableRef,
    /// Fully-qualified name for SQL.
    pub relation: String,
    /// Catalog name prefix (`awsdatacatalog.`) or empty.
    pub catalog_prefix: String,
    /// The prefix the table owns.
    pub prefix: String,
    /// The catalog entry of the table, if it exists.
    pub existing: Option<&'a TableState>,
    /// The lake.
    pub lake: &'a Lake,
    /// Templates.
    pub templates: &'a Templates,
    /// `--full-refresh`.
    pub full_refresh: bool,
    /// Plan date (YYYY-MM-DD).
    pub as_of: &'a str,
}

/// Actions in order, each with what it may destroy.
pub type Actions = Vec<(Action, Vec<Destroy>)>;

/// Actions of one node, and a word on what kind of run it is.
pub struct Planned {
    /// `first run`, `rebuild`, `incremental`, `full refresh`, …
    pub mode: String,
    /// Actions in order, each with what it may destroy.
    pub actions: Actions,
}

impl NodeCtx<'_> {
    /// Fully-qualified name of another table in the same catalog.
    pub fn fqn(&self, t: &TableRef) -> String {
        format!(
            "{}{}.{}",
            self.catalog_prefix,
            crate::sql::quote_ident(&t.schema),
            quote_run_name(&t.name)
        )
    }

    /// The staging table of this run.
    pub fn staging(&self) -> TableRef {
        TableRef {
            schema: self.table.schema.clone(),
            name: format!("{}__karte_{RUN_ID}", self.table.name),
        }
    }

    /// The data location of this run.
    pub fn run_location(&self) -> String {
        format!("{}{RUN_ID}/", self.prefix)
    }

    /// Catalog parameters marking the table as karte's.
    pub fn ownership(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (MANAGED_PARAM.to_string(), "true".to_string()),
            (OWNED_PREFIX_PARAM.to_string(), self.prefix.clone()),
        ])
    }

    /// The query to write, filtered by `{batch_filter}` when `batched`.
    pub fn select(&self, batched: bool) -> String {
        if batched {
            format!(
                "SELECT * FROM (\n{}\n) AS karte_source\nWHERE {BATCH_FILTER}",
                self.sql
            )
        } else {
            self.sql.clone()
        }
    }

    /// True if writes of this node must be split into batches of ≤100 partitions.
    pub fn batched(&self) -> bool {
        !self.partition_columns().is_empty()
    }

    /// Buckets per partition: Hive `bucket_count`, or an Iceberg `bucket(n, col)` transform.
    pub fn buckets(&self) -> Option<u32> {
        self.settings.bucket_count.or_else(|| {
            self.settings
                .partitioned_by
                .iter()
                .find_map(|p| iceberg_bucket(p).map(|(n, _)| n))
        })
    }

    /// Partitions one statement may write: 100 open writers, divided among buckets.
    pub fn partitions_per_query(&self) -> u32 {
        match self.buckets() {
            Some(b) if b > 0 => (MAX_PARTITIONS_PER_QUERY / b).max(1),
            _ => MAX_PARTITIONS_PER_QUERY,
        }
    }

    /// Partition expressions as the probe selects them and batch filters compare them:
    /// columns, or `date_trunc(…)` for Iceberg time transforms; bucket transforms are counted
    /// in `buckets()` instead.
    pub fn partition_columns(&self) -> Vec<String> {
        self.settings
            .partitioned_by
            .iter()
            .filter(|p| iceberg_bucket(p).is_none())
            .map(|p| partition_expression(p))
            .collect()
    }

    /// Inputs common to the table-writing templates.
    pub fn ctas_inputs(&self, relation: String, location: String, select: String) -> CtasInputs {
        let s = self.settings;
        CtasInputs {
            relation,
            location,
            format: s.format,
            file_format: s.file_format.clone(),
            write_compression: s.write_compression.clone(),
            partitioned_by: s.partitioned_by.clone(),
            bucketed_by: s.bucketed_by.clone(),
            bucket_count: s.bucket_count,
            table_properties: s.table_properties.clone(),
            select,
        }
    }

    /// The CTAS writing `select` into the new staging table of this run at `location` (under
    /// the table's prefix), and what it writes.
    pub fn ctas(&self, location: String, select: String) -> Result<(String, Writes), Diagnostic> {
        let staging = self.staging();
        let inputs = self.ctas_inputs(self.fqn(&staging), location, select);
        let sql = self.templates.render("ctas", &inputs)?;
        Ok((sql, inputs.writes(staging, self.prefix.clone(), true)))
    }

    /// Write the query into the new staging table of this run at `location`: one CTAS, or a
    /// batched CTAS + INSERTs when the table is partitioned.
    pub fn create_table(&self, location: String, purpose: &str) -> Result<Action, Diagnostic> {
        if !self.batched() {
            let (sql, writes) = self.ctas(location, self.select(false))?;
            return Ok(Action::Sql {
                purpose: purpose.to_string(),
                sql,
                writes: Some(writes),
            });
        }
        let staging = self.staging();
        let (first_sql, first_writes) = self.ctas(location, self.select(true))?;
        let rest_sql = self.templates.render(
            "insert_into",
            &InsertInputs {
                relation: self.fqn(&staging),
                select: self.select(true),
            },
        )?;
        self.batched_write(
            purpose,
            (first_sql, first_writes),
            (rest_sql, Writes::Insert { table: staging }),
        )
    }

    /// A batched write of the statements `first` / `rest` (both with `{batch_filter}`), each
    /// with what it writes.
    pub fn batched_write(
        &self,
        purpose: &str,
        (first_sql, first_writes): (String, Writes),
        (rest_sql, rest_writes): (String, Writes),
    ) -> Result<Action, Diagnostic> {
        let probe_sql = self.templates.render(
            "distinct_partitions",
            &ProbeInputs {
                sql: self.sql.clone(),
                partition_columns: self.partition_columns(),
            },
        )?;
        Ok(Action::BatchedWrite {
            purpose: purpose.to_string(),
            probe_sql,
            partition_columns: self.partition_columns(),
            bucket_count: self.buckets(),
            max_partitions_per_query: self.partitions_per_query(),
            first_sql,
            rest_sql,
            first_writes: Some(first_writes),
            rest_writes: Some(rest_writes),
        })
    }

    /// Insert the query into the published table (batched when partitioned).
    pub fn insert_into_table(&self, purpose: &str) -> Result<Action, Diagnostic> {
        let batched = self.batched();
        let sql = self.templates.render(
            "insert_into",
            &InsertInputs {
                relation: self.relation.clone(),
                select: self.select(batched),
            },
        )?;
        let writes = Writes::Insert {
            table: self.table.clone(),
        };
        if batched {
            self.batched_write(purpose, (sql.clone(), writes.clone()), (sql, writes))
        } else {
            Ok(Action::Sql {
                purpose: purpose.to_string(),
                sql,
                writes: Some(writes),
            })
        }
    }

    /// Delete old data versions beyond `versions_to_keep`: the current location becomes the
    /// newest previous version. Refuses anything outside the owned prefix, the owned prefix
    /// itself (it holds the new version) and anything covering the current location.
    pub fn expire_old_versions(&self) -> Result<Actions, Diagnostic> {
        let Some(existing) = self.existing else {
            return Ok(Vec::new());
        };
        let mut previous: Vec<&String> = existing.location.iter().collect();
        previous.extend(&existing.previous_locations);
        let keep = self.settings.versions_to_keep as usize;
        let mut out = Vec::new();
        for old in previous.into_iter().skip(keep) {
            self.check_deletable(old, existing)?;
            out.push((
                self.delete_prefix(
                    old,
                    format!(
                        "an older version of `{}`, beyond versions_to_keep = {keep}",
                        self.table
                    ),
                ),
                vec![Destroy {
                    kind: "objects".into(),
                    target: old.clone(),
                    note: "an earlier version of the table, no longer kept".into(),
                }],
            ));
        }
        out.push((
            Action::ExpireCatalogVersions {
                table: self.table.clone(),
                keep: (self.settings.versions_to_keep + 1).max(2),
            },
            vec![Destroy {
                kind: "catalog versions".into(),
                target: self.table.to_string(),
                note: "older Glue table versions (metadata only)".into(),
            }],
        ));
        Ok(out)
    }

    /// May the old version at `old` be deleted? Only strictly inside the owned prefix of a
    /// managed table, inside the lake, and not covering the table's current location.
    pub fn check_deletable(&self, old: &str, existing: &TableState) -> Result<(), Diagnostic> {
        if normalise(old) == normalise(&self.prefix) {
            return Err(self.refuse_delete_because(
                old,
                &crate::t!("plan-why-whole-prefix", table = self.table.to_string()),
            ));
        }
        if !existing.managed || !is_under(old, &self.prefix) || !self.lake.contains(old) {
            return Err(self.refuse_delete(old));
        }
        match &existing.location {
            Some(current) if is_under(current, old) => Err(self.refuse_delete_because(
                old,
                &crate::t!(
                    "plan-why-covers-current",
                    current = current,
                    table = self.table.to_string()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Delete everything under `prefix`, a part of this table's owned prefix.
    pub fn delete_prefix(&self, prefix: &str, reason: String) -> Action {
        Action::DeletePrefix {
            prefix: prefix.to_string(),
            owner: self.table.clone(),
            owned_prefix: self.prefix.clone(),
            reason,
        }
    }

    /// The error for a delete outside what karte owns.
    pub fn refuse_delete(&self, what: &str) -> Diagnostic {
        self.refuse_delete_because(what, &crate::t!("plan-why-not-owned"))
    }

    /// The error for a delete karte refuses, and why.
    pub fn refuse_delete_because(&self, what: &str, why: &str) -> Diagnostic {
        Diagnostic::error(
            Code::UnsafeLocation,
            crate::t!("plan-refuse-delete", what = what, why = why),
        )
        .at(Location::file_only(&self.node.path))
        .note(crate::t!(
            "plan-refuse-delete-owner",
            table = self.table.to_string(),
            prefix = self.prefix
        ))
        .help(crate::t!("plan-refuse-delete-help"))
    }

    /// Swap the staging table in as the published table.
    pub fn swap(&self) -> (Action, Vec<Destroy>) {
        let mut destroys = Vec::new();
        if let Some(e) = self.existing {
            if e.kind == super::catalog::TableKind::View {
                destroys.push(Destroy {
                    kind: "view definition".into(),
                    target: self.table.to_string(),
                    note: "the view is replaced by a table".into(),
                });
            }
        }
        let mut parameters = self.ownership();
        // A projected table's template points into the version folder this run writes; it
        // changes with the table's location in the same catalog update.
        if let Some(p) = &self.settings.projection {
            parameters.extend(p.parameters(&self.run_location()));
        }
        // A table built afresh has nothing to compact yet: its maintenance cadence starts now.
        parameters.extend(super::maintenance::fresh_parameters(
            &self.settings.maintenance,
            self.as_of,
        ));
        (
            Action::SwapTable {
                table: self.table.clone(),
                staging: self.staging(),
                format: self.settings.format,
                parameters,
                expected_version: self.existing.and_then(|e| e.version_id.clone()),
                projected: self.settings.projection.is_some(),
            },
            destroys,
        )
    }

    /// The maintenance steps due after this node's build: none when the build replaced the
    /// table (a swap), else each `optimize`/`vacuum` whose last run is older than its cadence.
    pub fn maintenance(&self, actions: &Actions) -> Actions {
        let rebuilt = actions
            .iter()
            .any(|(a, _)| matches!(a, Action::SwapTable { .. }));
        let Some(existing) = self.existing.filter(|_| !rebuilt) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for s in &self.settings.maintenance {
            let last = existing.parameters.get(s.operation.param());
            if !super::maintenance::due(last.map(String::as_str), self.as_of, s.every_days) {
                continue;
            }
            let since = match last {
                Some(d) => format!("last run {d}, every {} days", s.every_days),
                None => format!("never run by karte, every {} days", s.every_days),
            };
            let (sql, destroys) = match s.operation {
                super::maintenance::Operation::Optimize => (
                    format!(
                        "OPTIMIZE {} REWRITE DATA USING BIN_PACK{}",
                        self.relation_without_catalog(),
                        s.filter
                            .as_ref()
                            .map(|f| format!("\nWHERE {f}"))
                            .unwrap_or_default()
                    ),
                    Vec::new(),
                ),
                super::maintenance::Operation::Vacuum => (
                    format!("VACUUM {}", self.vacuum_relation()),
                    vec![Destroy {
                        kind: "snapshots".into(),
                        target: format!("snapshots of {} older than its vacuum_max_snapshot_age_seconds (Athena's default: 5 days), and files no snapshot references", self.table),
                        note: format!("time travel (and `karte rollback` of runs) to expired snapshots is no longer possible; {since}"),
                    }],
                ),
            };
            out.push((
                Action::MaintainIceberg {
                    table: self.table.clone(),
                    operation: s.operation,
                    sql,
                    as_of: self.as_of.to_string(),
                },
                destroys,
            ));
        }
        out
    }

    /// `schema.table` as VACUUM takes it: a name starting with `_` in backticks (Athena's
    /// VACUUM does not take double quotes there).
    fn vacuum_relation(&self) -> String {
        if self.table.name.starts_with('_') {
            format!(
                "{}.`{}`",
                crate::sql::quote_ident(&self.table.schema),
                self.table.name
            )
        } else {
            self.relation_without_catalog()
        }
    }

    /// `schema.table` as OPTIMIZE takes it (`[db_name.]table_name`: no catalog).
    fn relation_without_catalog(&self) -> String {
        format!(
            "{}.{}",
            crate::sql::quote_ident(&self.table.schema),
            crate::sql::quote_ident(&self.table.name)
        )
    }
}

/// `month(service_date)` → `date_trunc('month', service_date)`; plain names unchanged.
fn partition_expression(p: &str) -> String {
    let p = p.trim();
    for unit in ["year", "month", "day", "hour"] {
        if let Some(rest) = p
            .strip_prefix(unit)
            .and_then(|r| r.trim_start().strip_prefix('('))
        {
            if let Some(col) = rest.strip_suffix(')') {
                return format!("date_trunc('{unit}', {})", col.trim());
            }
        }
    }
    p.to_string()
}

/// `bucket(16, person_id)` → (16, person_id).
pub fn iceberg_bucket(p: &str) -> Option<(u32, String)> {
    let inner = p.trim().strip_prefix("bucket(")?.strip_suffix(')')?;
    let (n, col) = inner.split_once(',')?;
    Some((n.trim().parse().ok()?, col.trim().to_string()))
}

/// A table name that may contain `{run_id}`: quoted only if needed once the id is in.
fn quote_run_name(name: &str) -> String {
    if name.contains(RUN_ID) {
        name.to_string()
    } else {
        crate::sql::quote_ident(name)
    }
}

/// Inputs of `ctas`.
#[derive(Debug, Serialize)]
pub struct CtasInputs {
    /// Table to create.
    pub relation: String,
    /// Its data location.
    pub location: String,
    /// `hive` or `iceberg`.
    pub format: TableFormat,
    /// PARQUET, ORC, …
    pub file_format: String,
    /// SNAPPY, ZSTD, …
    pub write_compression: String,
    /// Partition columns / transforms.
    pub partitioned_by: Vec<String>,
    /// Bucket columns.
    pub bucketed_by: Vec<String>,
    /// Buckets.
    pub bucket_count: Option<u32>,
    /// Extra properties.
    pub table_properties: BTreeMap<String, String>,
    /// The query.
    pub select: String,
}

impl CtasInputs {
    /// What the CTAS rendered from these inputs writes: `table` (the table `relation` names),
    /// whose data belongs to `owned_prefix`; `staging` if it is a staging table of this run.
    pub fn writes(&self, table: TableRef, owned_prefix: String, staging: bool) -> Writes {
        Writes::Table(Box::new(NewTable {
            table,
            format: self.format,
            location: self.location.clone(),
            owned_prefix,
            staging,
            partitioned_by: self.partitioned_by.clone(),
            write_compression: self.write_compression.clone(),
        }))
    }
}

/// Inputs of `insert_into`.
#[derive(Debug, Serialize)]
pub struct InsertInputs {
    /// Table.
    pub relation: String,
    /// Query.
    pub select: String,
}

/// Inputs of `distinct_partitions`.
#[derive(Debug, Serialize)]
pub struct ProbeInputs {
    /// The model's query.
    pub sql: String,
    /// Partition columns.
    pub partition_columns: Vec<String>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn transforms() {
        assert_eq!(
            super::partition_expression("month(service_date)"),
            "date_trunc('month', service_date)"
        );
        assert_eq!(
            super::partition_expression("service_month"),
            "service_month"
        );
        assert_eq!(
            super::iceberg_bucket("bucket(16, person_id)"),
            Some((16, "person_id".to_string()))
        );
        assert_eq!(super::iceberg_bucket("service_month"), None);
    }
}
