//! SCD type 2 snapshots (`snapshots/*.sql`): each key's history as versions with
//! `dbt_valid_from` / `dbt_valid_to`. Iceberg: one MERGE per run. Hive: the whole new history is
//! written to a fresh location and swapped in (no UPDATE on Hive).

use serde::Serialize;

use super::{table, NodeCtx, Planned};
use crate::diag::{Code, Diagnostic, Location};
use crate::plan::step::{Action, Destroy, TableFormat, Writes};

/// Columns karte adds to a snapshot.
pub const SCD_COLUMNS: &[&str] = crate::project::SNAPSHOT_COLUMNS;

#[derive(Serialize)]
struct Inputs<'a> {
    relation: &'a str,
    sql: &'a str,
    unique_key: &'a [String],
    source_columns: Vec<String>,
    changed: String,
    updated_at: String,
    updated_at_closing: String,
    scd_id: String,
    hard_deletes: bool,
}

/// Plan a snapshot.
pub fn plan(ctx: &NodeCtx) -> Result<Planned, Diagnostic> {
    let scd = ctx.settings.scd2.as_ref().expect("snapshot settings");
    let (updated_at, closing) = match (&scd.strategy[..], &scd.updated_at) {
        ("timestamp", Some(col)) => (
            format!("CAST(s.{col} AS timestamp(3))"),
            format!(
                "coalesce(CAST(s.{col} AS timestamp(3)), CAST(current_timestamp AS timestamp(3)))"
            ),
        ),
        _ => (
            "CAST(current_timestamp AS timestamp(3))".to_string(),
            "CAST(current_timestamp AS timestamp(3))".to_string(),
        ),
    };
    let scd_id = format!(
        "lower(to_hex(md5(to_utf8(concat_ws('|', {}, coalesce(CAST({updated_at} AS varchar), ''))))))",
        scd.unique_key
            .iter()
            .map(|k| format!("coalesce(CAST(s.{k} AS varchar), '')"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let first = ctx.existing.is_none() || ctx.full_refresh;
    if first {
        let sql = ctx.templates.render(
            "snapshot_initial",
            &Inputs {
                relation: &ctx.relation,
                sql: &ctx.sql,
                unique_key: &scd.unique_key,
                source_columns: Vec::new(),
                changed: String::new(),
                updated_at: updated_at.clone(),
                updated_at_closing: closing.clone(),
                scd_id: scd_id.clone(),
                hard_deletes: scd.hard_deletes,
            },
        )?;
        let inner = NodeCtx {
            sql,
            ..clone_ctx(ctx)
        };
        let mut planned = table::plan(&inner, table::rebuild_mode(ctx))?;
        if ctx.existing.is_some() {
            // A full refresh starts the history again.
            for (action, destroys) in &mut planned.actions {
                if matches!(action, Action::SwapTable { .. }) {
                    destroys.push(Destroy {
                        kind: "rows".into(),
                        target: format!("the history of {} (every closed version)", ctx.table),
                        note: "the snapshot starts again from the current source rows; the previous table stays per versions_to_keep".into(),
                    });
                }
            }
        }
        return Ok(planned);
    }
    let existing = ctx.existing.expect("checked");
    let source_columns: Vec<String> = existing
        .columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|c| !SCD_COLUMNS.contains(&c.as_str()))
        .collect();
    if source_columns.is_empty() {
        return Err(Diagnostic::error(
            Code::InvalidArgument,
            crate::t!("plan-no-columns-snapshot", table = ctx.table.to_string()),
        )
        .at(Location::file_only(&ctx.node.path))
        .help(crate::t!("plan-no-columns-help")));
    }
    let changed = match (&scd.strategy[..], &scd.updated_at) {
        ("timestamp", Some(col)) => format!("s.{col} > c.dbt_updated_at"),
        _ => {
            let cols: Vec<&String> = if scd.check_cols.is_empty() {
                source_columns
                    .iter()
                    .filter(|c| !scd.unique_key.contains(c))
                    .collect()
            } else {
                scd.check_cols.iter().collect()
            };
            cols.iter()
                .map(|c| format!("s.{c} IS DISTINCT FROM c.{c}"))
                .collect::<Vec<_>>()
                .join(" OR ")
        }
    };
    let inputs = Inputs {
        relation: &ctx.relation,
        sql: &ctx.sql,
        unique_key: &scd.unique_key,
        source_columns,
        changed,
        updated_at,
        updated_at_closing: closing,
        scd_id,
        hard_deletes: scd.hard_deletes,
    };
    match ctx.settings.format {
        TableFormat::Iceberg => {
            let sql = ctx.templates.render("snapshot_merge", &inputs)?;
            Ok(Planned {
                mode: format!("snapshot ({})", scd.strategy),
                actions: vec![(
                    Action::Sql {
                        purpose: "close changed versions and add new ones (MERGE)".into(),
                        sql,
                        writes: Some(Writes::Merge {
                            table: ctx.table.clone(),
                        }),
                    },
                    vec![Destroy {
                        kind: "rows".into(),
                        target: format!(
                            "current versions in {} whose source row changed",
                            ctx.table
                        ),
                        note: "only `dbt_valid_to` is set; no version is removed".into(),
                    }],
                )],
            })
        }
        TableFormat::Hive => {
            let sql = ctx.templates.render("snapshot_rewrite", &inputs)?;
            let inner = NodeCtx {
                sql,
                ..clone_ctx(ctx)
            };
            // The rewrite reads the whole history: never split it into partition batches.
            let (sql, writes) = inner.ctas(inner.run_location(), inner.sql.clone())?;
            let write = Action::Sql {
                purpose: "write the whole new history".into(),
                sql,
                writes: Some(writes),
            };
            Ok(Planned {
                mode: format!("snapshot ({}, full rewrite)", scd.strategy),
                actions: table::rebuild(&inner, write)?,
            })
        }
    }
}

fn clone_ctx<'a>(ctx: &NodeCtx<'a>) -> NodeCtx<'a> {
    NodeCtx {
        node: ctx.node,
        sql: ctx.sql.clone(),
        settings: ctx.settings,
        table: ctx.table.clone(),
        relation: ctx.relation.clone(),
        catalog_prefix: ctx.catalog_prefix.clone(),
        prefix: ctx.prefix.clone(),
        existing: ctx.existing,
        lake: ctx.lake,
        templates: ctx.templates,
        full_refresh: ctx.full_refresh,
        as_of: ctx.as_of,
    }
}
