//! `view`: CREATE OR REPLACE VIEW.

use serde::Serialize;

use super::{NodeCtx, Planned};
use crate::diag::Diagnostic;
use crate::plan::catalog::TableKind;
use crate::plan::step::{Action, Destroy, Writes};

#[derive(Serialize)]
struct Inputs<'a> {
    relation: &'a str,
    sql: &'a str,
}

/// Plan a view.
pub fn plan(ctx: &NodeCtx) -> Result<Planned, Diagnostic> {
    let sql = ctx.templates.render(
        "create_view",
        &Inputs {
            relation: &ctx.relation,
            sql: &ctx.sql,
        },
    )?;
    let mut actions = Vec::new();
    let mode = match ctx.existing.map(|e| e.kind) {
        None => "first run",
        Some(TableKind::View) => "replace",
        Some(_) => "table becomes a view",
    };
    // A table of the same name (the model was a table before) must make way for the view; its
    // data is deleted only after the view exists.
    let old_table = ctx.existing.filter(|e| e.kind != TableKind::View);
    if old_table.is_some() {
        actions.push((
            Action::DropCatalogEntry {
                table: ctx.table.clone(),
            },
            vec![Destroy {
                kind: "catalog entry".into(),
                target: ctx.table.to_string(),
                note: "the table's catalog entry; its data is deleted after the view exists".into(),
            }],
        ));
    }
    let replaced = if ctx.existing.is_some_and(|e| e.kind == TableKind::View) {
        vec![Destroy {
            kind: "view definition".into(),
            target: ctx.table.to_string(),
            note: "the previous definition stays in the Glue table versions".into(),
        }]
    } else {
        Vec::new()
    };
    actions.push((
        Action::Sql {
            purpose: "create or replace the view".into(),
            sql,
            writes: Some(Writes::View {
                view: ctx.table.clone(),
            }),
        },
        replaced,
    ));
    if let Some(old) = old_table {
        // The prefix karte's layout gives the table (checked against the catalog's mark when
        // planning began): all of the former table's data, and nothing else.
        let prefix = ctx.prefix.clone();
        if !old.managed || !ctx.lake.contains(&prefix) {
            return Err(ctx.refuse_delete(&prefix));
        }
        actions.push((
            ctx.delete_prefix(
                &prefix,
                format!("`{}` is a view now; the old table's data goes", ctx.table),
            ),
            vec![Destroy {
                kind: "objects".into(),
                target: prefix,
                note: "all data of the former table".into(),
            }],
        ));
    }
    if ctx.existing.is_some() {
        actions.push((
            Action::ExpireCatalogVersions {
                table: ctx.table.clone(),
                keep: ctx.settings.versions_to_keep.max(1) + 1,
            },
            vec![Destroy {
                kind: "catalog versions".into(),
                target: ctx.table.to_string(),
                note: "older Glue table versions (metadata only)".into(),
            }],
        ));
    }
    Ok(Planned {
        mode: mode.into(),
        actions,
    })
}
