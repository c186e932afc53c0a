//! Release snapshots of data marts (`snapshot: {every: month|quarter|run, keep: N}`): after the
//! model is built, an immutable copy for the period is written as one partition of
//! `<model>_releases` (partitioned by `release`); copies beyond `keep` are removed.
//! For Iceberg models, time travel (`FOR TIMESTAMP AS OF`) is the cheaper alternative.

use serde::Serialize;

use super::{Actions, CtasInputs, NodeCtx, GLUE_DELETE_BATCH};
use crate::diag::Diagnostic;
use crate::plan::catalog::CatalogState;
use crate::plan::layout::{is_under, normalise};
use crate::plan::settings::{Period, ReleaseSnapshot};
use crate::plan::step::{Action, Destroy, TableFormat, TableRef, Writes, RUN_ID};

#[derive(Serialize)]
struct CopyInputs<'a> {
    relation: &'a str,
    release: &'a str,
}

/// The release name of a period containing `as_of` (YYYY-MM-DD): `2026-11`, `2026-Q4`, or the
/// run id.
pub fn release_name(every: Period, as_of: &str) -> String {
    let year = as_of.get(..4).unwrap_or("0000");
    let month: u32 = as_of.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    match every {
        Period::Month => format!("{year}-{month:02}"),
        Period::Quarter => format!("{year}-Q{}", (month - 1) / 3 + 1),
        Period::Run => RUN_ID.to_string(),
    }
}

/// Actions that take this period's release and expire old ones, plus a note for the mode.
pub fn plan(
    ctx: &NodeCtx,
    release: &ReleaseSnapshot,
    catalog: &CatalogState,
) -> Result<(Actions, String), Diagnostic> {
    let name = release_name(release.every, ctx.as_of);
    let table = TableRef {
        schema: ctx.table.schema.clone(),
        name: format!("{}_releases", ctx.table.name),
    };
    let prefix = ctx.lake.table_prefix(&table.schema, &table.name);
    let existing = catalog.get(&table.schema, &table.name);
    let mut partitions: Vec<(String, String)> = existing
        .map(|t| {
            t.partitions
                .iter()
                .filter_map(|p| Some((p.values.first()?.clone(), p.location.clone())))
                .collect()
        })
        .unwrap_or_default();
    partitions.sort();
    if partitions.iter().any(|(v, _)| *v == name) {
        return Ok((Vec::new(), format!("release {name} exists (immutable)")));
    }
    let relation = ctx.fqn(&table);
    let select = ctx.templates.render(
        "release_copy",
        &CopyInputs {
            relation: &ctx.relation,
            release: &name,
        },
    )?;
    let (sql, writes) = match existing {
        None => {
            // Created in place: the table owns its location.
            let inputs = CtasInputs {
                relation,
                location: prefix.clone(),
                format: TableFormat::Hive,
                file_format: "PARQUET".into(),
                write_compression: ctx.settings.write_compression.clone(),
                partitioned_by: vec!["release".into()],
                bucketed_by: Vec::new(),
                bucket_count: None,
                table_properties: Default::default(),
                select,
            };
            let writes = inputs.writes(table.clone(), prefix.clone(), false);
            (ctx.templates.render("ctas", &inputs)?, writes)
        }
        Some(_) => (
            format!("INSERT INTO {relation}\n{select}"),
            Writes::Insert {
                table: table.clone(),
            },
        ),
    };
    let mut actions = vec![(
        Action::Sql {
            purpose: format!("take release {name} of {}", ctx.table),
            sql,
            writes: Some(writes),
        },
        Vec::new(),
    )];
    // Keep the newest `keep` releases, counting the one just taken.
    let keep = release.keep as usize;
    let excess = (partitions.len() + 1).saturating_sub(keep);
    let expired: Vec<(String, String)> = partitions.into_iter().take(excess).collect();
    if !expired.is_empty() {
        // The prefix karte's layout gives the releases table; the catalog must agree.
        let owned = prefix.clone();
        if let Some(glue) = existing.and_then(|t| t.owned_prefix.as_deref()) {
            if normalise(glue) != owned {
                return Err(ctx.refuse_delete_because(
                    &expired[0].1,
                    &crate::t!(
                        "plan-why-catalog-disagrees",
                        table = table.to_string(),
                        glue = glue,
                        owned = owned
                    ),
                ));
            }
        }
        if let Some((_, bad)) = expired.iter().find(|(_, loc)| {
            !is_under(loc, &owned)
                || normalise(loc) == owned
                || !existing.is_some_and(|t| t.managed)
        }) {
            return Err(ctx.refuse_delete(bad));
        }
        actions.push((
            Action::DropPartitions {
                table: table.clone(),
                partitions: expired.iter().map(|(v, _)| vec![v.clone()]).collect(),
                locations: expired.iter().map(|(_, l)| l.clone()).collect(),
                owned_prefix: owned,
                batch_size: GLUE_DELETE_BATCH,
            },
            vec![Destroy {
                kind: "partitions".into(),
                target: format!(
                    "releases {} of {table}",
                    expired
                        .iter()
                        .map(|(v, _)| v.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                note: format!("older than the newest {keep} releases: catalog entries and data"),
            }],
        ));
    }
    Ok((actions, format!("release {name}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert_eq!(release_name(Period::Month, "2026-11-21"), "2026-11");
        assert_eq!(release_name(Period::Quarter, "2026-11-21"), "2026-Q4");
        assert_eq!(release_name(Period::Quarter, "2026-01-01"), "2026-Q1");
        assert_eq!(release_name(Period::Run, "2026-11-21"), "{run_id}");
    }
}
