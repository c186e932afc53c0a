//! `incremental`: the first run (and `--full-refresh`) builds the table like `table`; later runs
//! apply the strategy. Hive: `append`, `insert_overwrite` (new partition data first, then the
//! partitions are repointed in Glue, then the old files deleted). Iceberg: `append`, `merge`,
//! `delete+insert` (one MERGE, one commit).

use serde::Serialize;

use super::{table, NodeCtx, Planned, GLUE_CREATE_BATCH};
use crate::diag::{Code, Diagnostic, Location};
use crate::plan::settings::Strategy;
use crate::plan::step::{Action, Destroy, PartitionMode, TableFormat, Writes};

#[derive(Serialize)]
struct MergeInputs<'a> {
    relation: &'a str,
    select: String,
    unique_key: &'a [String],
    incremental_predicates: &'a [String],
    columns: Vec<String>,
}

/// Plan an incremental model.
pub fn plan(ctx: &NodeCtx) -> Result<Planned, Diagnostic> {
    let existing = match ctx.existing {
        Some(e) if !ctx.full_refresh && e.kind.format() == Some(ctx.settings.format) => e,
        Some(e) if !ctx.full_refresh && e.kind.format().is_some() => {
            return Err(Diagnostic::error(
                Code::InvalidCombination,
                crate::t!(
                    "plan-format-changed",
                    table = ctx.table.to_string(),
                    was = format!("{:?}", e.kind),
                    now = format!("{:?}", ctx.settings.format)
                ),
            )
            .at(Location::file_only(&ctx.node.path))
            .help(crate::t!("plan-format-changed-help")));
        }
        _ => return table::plan(ctx, table::rebuild_mode(ctx)),
    };
    let s = ctx.settings;
    let mut actions = Vec::new();
    if existing.projected() != s.projection.is_some() {
        let message = if existing.projected() {
            crate::t!("plan-projection-was-on", table = ctx.table.to_string())
        } else {
            crate::t!("plan-projection-was-off", table = ctx.table.to_string())
        };
        return Err(Diagnostic::error(Code::ProjectionUnsupported, message)
            .at(Location::file_only(&ctx.node.path))
            .help(crate::t!(
                "plan-projection-changed-help",
                model = ctx.node.name
            )));
    }
    if let Some(p) = &s.projection {
        let want = p.properties();
        let have = existing.projection_properties();
        if want != have {
            actions.push((
                Action::SetParameters {
                    table: ctx.table.clone(),
                    remove: have.keys().filter(|k| !want.contains_key(*k)).cloned().collect(),
                    set: want,
                    reason: format!("update the partition projection of {} (its config changed; the location template stays)", ctx.table),
                    expected_version: existing.version_id.clone(),
                },
                Vec::new(),
            ));
        }
    }
    if s.on_schema_change != "ignore" {
        actions.push((
            Action::CheckSchema {
                table: ctx.table.clone(),
                query: ctx.sql.clone(),
                policy: s.on_schema_change.clone(),
            },
            Vec::new(),
        ));
    }
    let columns = || -> Result<Vec<String>, Diagnostic> {
        let mut cols: Vec<String> = existing.columns.iter().map(|c| c.name.clone()).collect();
        cols.extend(existing.partition_keys.iter().cloned());
        if cols.is_empty() {
            return Err(Diagnostic::error(
                Code::InvalidArgument,
                crate::t!(
                    "plan-no-columns",
                    table = ctx.table.to_string(),
                    strategy = s.strategy.as_str()
                ),
            )
            .at(Location::file_only(&ctx.node.path))
            .help(crate::t!("plan-no-columns-help")));
        }
        Ok(cols)
    };
    match (s.format, s.strategy) {
        // Hive: the new rows are written apart, then their files published into the table.
        // An INSERT INTO the table itself could leave part of its files there when it fails
        // (Athena keeps what a failed INSERT wrote) and a rerun would add those rows twice.
        (TableFormat::Hive, Strategy::Append) => {
            let staging = ctx.staging();
            let location = ctx.run_location();
            actions.push((
                ctx.create_table(location.clone(), "write the new rows apart")?,
                Vec::new(),
            ));
            actions.push((
                Action::AppendFiles {
                    table: ctx.table.clone(),
                    staging: staging.clone(),
                    file_prefix: format!("{}_", crate::plan::RUN_ID_PLACEHOLDER),
                    owned_prefix: ctx.prefix.clone(),
                    projected: s.projection.is_some(),
                },
                Vec::new(),
            ));
            actions.push((Action::DropCatalogEntry { table: staging }, Vec::new()));
            actions.push((
                Action::DeletePrefix {
                    prefix: location.clone(),
                    owner: ctx.table.clone(),
                    owned_prefix: ctx.prefix.clone(),
                    reason: "the written-apart copy of the rows now in the table".into(),
                },
                vec![Destroy {
                    kind: "objects".into(),
                    target: location,
                    note: "this run's staging copy only, after its files were added to the table"
                        .into(),
                }],
            ));
        }
        (_, Strategy::Append) => {
            actions.push((ctx.insert_into_table("append the new rows")?, Vec::new()));
        }
        (TableFormat::Hive, Strategy::InsertOverwrite) => {
            let staging = ctx.staging();
            actions.push((
                ctx.create_table(ctx.run_location(), "write the new partitions")?,
                Vec::new(),
            ));
            actions.push((
                Action::RegisterPartitions {
                    table: ctx.table.clone(),
                    staging: staging.clone(),
                    mode: PartitionMode::Repoint,
                    batch_size: GLUE_CREATE_BATCH,
                },
                vec![Destroy {
                    kind: "partitions".into(),
                    target: format!("{} (the partitions the new data falls into)", ctx.table),
                    note: "each is pointed at its new data; the old files stay until the next step"
                        .into(),
                }],
            ));
            actions.push((Action::DropCatalogEntry { table: staging }, Vec::new()));
            actions.push((
                Action::DeleteReplacedPartitions {
                    table: ctx.table.clone(),
                    owned_prefix: ctx.prefix.clone(),
                },
                vec![Destroy {
                    kind: "objects".into(),
                    target: format!(
                        "previous data of the replaced partitions, under {}",
                        ctx.prefix
                    ),
                    note:
                        "only partitions repointed in this run, after their new data is registered"
                            .into(),
                }],
            ));
        }
        (TableFormat::Iceberg, Strategy::Merge | Strategy::DeleteInsert) => {
            let batched = ctx.batched();
            let template = if s.strategy == Strategy::Merge {
                "merge"
            } else {
                "delete_insert"
            };
            let sql = ctx.templates.render(
                template,
                &MergeInputs {
                    relation: &ctx.relation,
                    select: ctx.select(batched),
                    unique_key: &s.unique_key,
                    incremental_predicates: &s.incremental_predicates,
                    columns: columns()?,
                },
            )?;
            let purpose = if s.strategy == Strategy::Merge {
                "upsert the new rows (MERGE)"
            } else {
                "replace rows by key (one MERGE: delete + insert)"
            };
            let writes = Writes::Merge {
                table: ctx.table.clone(),
            };
            let action = if batched {
                ctx.batched_write(purpose, (sql.clone(), writes.clone()), (sql, writes))?
            } else {
                Action::Sql {
                    purpose: purpose.into(),
                    sql,
                    writes: Some(writes),
                }
            };
            let destroys = vec![Destroy {
                kind: "rows".into(),
                target: format!("rows of {} whose unique_key ({}) is in the new data", ctx.table, s.unique_key.join(", ")),
                note: if s.strategy == Strategy::Merge {
                    "updated in place; earlier values stay reachable by Iceberg time travel"
                } else {
                    "deleted and re-inserted in one commit; earlier rows stay reachable by Iceberg time travel"
                }
                .into(),
            }];
            actions.push((action, destroys));
        }
        (format, strategy) => {
            // Settings validation rejects these; keep the planner total.
            return Err(Diagnostic::error(
                Code::InvalidCombination,
                crate::t!(
                    "plan-strategy-on-format",
                    strategy = strategy.as_str(),
                    format = format!("{format:?}")
                ),
            )
            .at(Location::file_only(&ctx.node.path)));
        }
    }
    Ok(Planned {
        mode: format!("incremental ({})", s.strategy.as_str()),
        actions,
    })
}
