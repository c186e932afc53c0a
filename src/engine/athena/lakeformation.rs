//! Lake Formation: the read permissions on the tables `access:` governs (ListPermissions per
//! table, every page), and the plan's grant and revoke steps (BatchGrantPermissions /
//! BatchRevokePermissions, ≤20 entries per call, every entry's failure checked). Every call
//! goes through karte's retry policy ([`super::retry`]).

use std::collections::BTreeMap;

use aws_sdk_lakeformation::types::{
    BatchPermissionsFailureEntry, BatchPermissionsRequestEntry, ColumnWildcard, DataLakePrincipal,
    Permission, PrincipalResourcePermissions, Resource, TableResource, TableWithColumnsResource,
};

use super::retry::call;
use super::AthenaEngine;
use crate::access::lf::BATCH;
use crate::access::{LfColumns, LfPermission};
use crate::engine::{failpoint, EngineError};
use crate::plan::catalog::CatalogState;
use crate::plan::TableRef;

/// The read permissions of the governed tables that exist in `state`, by `schema.name`.
pub async fn read_permissions(
    e: &AthenaEngine,
    tables: &[TableRef],
    state: &CatalogState,
) -> Result<BTreeMap<String, Vec<LfPermission>>, EngineError> {
    let mut out = BTreeMap::new();
    for t in tables {
        if state.get(&t.schema, &t.name).is_none() {
            continue;
        }
        let key = format!("{}.{}", t.schema, t.name).to_lowercase();
        out.insert(key, list(e, t).await?);
    }
    Ok(out)
}

/// ListPermissions on one table, every page: the Table and TableWithColumns permissions of
/// every principal (Lake Formation answers a Table resource with both), sorted.
pub async fn list(e: &AthenaEngine, table: &TableRef) -> Result<Vec<LfPermission>, EngineError> {
    let resource = Resource::builder()
        .table(
            TableResource::builder()
                .database_name(&table.schema)
                .name(&table.name)
                .build()
                .map_err(|err| EngineError::internal(format!("ListPermissions: {err}")))?,
        )
        .build();
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = call(e, "ListPermissions", true, || {
            e.lakeformation
                .list_permissions()
                .resource(resource.clone())
                .set_next_token(token.clone())
                .send()
        })
        .await?;
        out.extend(
            page.principal_resource_permissions()
                .iter()
                .filter_map(|p| from_sdk(table, p)),
        );
        token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    out.sort();
    Ok(out)
}

/// A listed permission on `table` as karte's entry (None: another table, another resource
/// kind, or a conditional grant — never karte's).
fn from_sdk(table: &TableRef, p: &PrincipalResourcePermissions) -> Option<LfPermission> {
    if p.condition().is_some() {
        return None;
    }
    let principal = p.principal()?.data_lake_principal_identifier()?.to_string();
    let r = p.resource()?;
    let same = |db: &str, name: &str| {
        db.eq_ignore_ascii_case(&table.schema) && name.eq_ignore_ascii_case(&table.name)
    };
    let columns = if let Some(t) = r.table() {
        if !same(t.database_name(), t.name().unwrap_or_default()) {
            return None;
        }
        LfColumns::Table
    } else if let Some(t) = r.table_with_columns() {
        if !same(t.database_name(), t.name()) {
            return None;
        }
        match t.column_wildcard() {
            Some(w) => {
                let mut excluded = w.excluded_column_names().to_vec();
                excluded.sort();
                LfColumns::AllExcept { excluded }
            }
            None => {
                let mut columns = t.column_names().to_vec();
                columns.sort();
                LfColumns::Only { columns }
            }
        }
    } else {
        return None;
    };
    let names = |ps: &[Permission]| {
        let mut v: Vec<String> = ps.iter().map(|p| p.as_str().to_string()).collect();
        v.sort();
        v
    };
    Some(LfPermission {
        principal,
        role: None,
        columns,
        permissions: names(p.permissions()),
        grantable: names(p.permissions_with_grant_option()),
    })
}

fn entry(
    table: &TableRef,
    id: usize,
    p: &LfPermission,
) -> Result<BatchPermissionsRequestEntry, EngineError> {
    let bad = |err: aws_smithy_types::error::operation::BuildError| {
        EngineError::internal(format!("Lake Formation entry: {err}"))
    };
    let resource = match &p.columns {
        LfColumns::Table => Resource::builder()
            .table(
                TableResource::builder()
                    .database_name(&table.schema)
                    .name(&table.name)
                    .build()
                    .map_err(bad)?,
            )
            .build(),
        LfColumns::AllExcept { excluded } => Resource::builder()
            .table_with_columns(
                TableWithColumnsResource::builder()
                    .database_name(&table.schema)
                    .name(&table.name)
                    .column_wildcard(
                        ColumnWildcard::builder()
                            .set_excluded_column_names(
                                (!excluded.is_empty()).then(|| excluded.clone()),
                            )
                            .build(),
                    )
                    .build()
                    .map_err(bad)?,
            )
            .build(),
        LfColumns::Only { columns } => Resource::builder()
            .table_with_columns(
                TableWithColumnsResource::builder()
                    .database_name(&table.schema)
                    .name(&table.name)
                    .set_column_names(Some(columns.clone()))
                    .build()
                    .map_err(bad)?,
            )
            .build(),
    };
    BatchPermissionsRequestEntry::builder()
        .id(id.to_string())
        .principal(
            DataLakePrincipal::builder()
                .data_lake_principal_identifier(&p.principal)
                .build(),
        )
        .resource(resource)
        .set_permissions(Some(
            p.permissions
                .iter()
                .map(|s| Permission::from(s.as_str()))
                .collect(),
        ))
        .build()
        .map_err(bad)
}

/// Grant `permissions` on `table`: BatchGrantPermissions in batches of 20. Granting a
/// permission a principal holds already succeeds, so a retried or resumed grant is harmless.
pub async fn grant(
    e: &AthenaEngine,
    table: &TableRef,
    permissions: &[LfPermission],
) -> Result<(), EngineError> {
    in_batches(
        "grant",
        "BatchGrantPermissions",
        table,
        permissions,
        |entries| async move {
            call(e, "BatchGrantPermissions", true, || {
                e.lakeformation
                    .batch_grant_permissions()
                    .set_entries(Some(entries.clone()))
                    .send()
            })
            .await
            .map(|out| out.failures().to_vec())
        },
    )
    .await
}

/// Revoke `permissions` on `table`: those Lake Formation still holds (listed again first, so
/// a resumed run does not fail on what it revoked before), in batches of 20. Not retried after
/// a lost reply: the step fails and a resumed run lists again.
pub async fn revoke(
    e: &AthenaEngine,
    table: &TableRef,
    permissions: &[LfPermission],
) -> Result<(), EngineError> {
    let held = list(e, table).await?;
    let still: Vec<LfPermission> = permissions
        .iter()
        .filter(|p| {
            held.iter().any(|h| {
                h.principal == p.principal
                    && h.columns == p.columns
                    && p.permissions.iter().all(|x| h.permissions.contains(x))
            })
        })
        .cloned()
        .collect();
    in_batches(
        "revoke",
        "BatchRevokePermissions",
        table,
        &still,
        |entries| async move {
            call(e, "BatchRevokePermissions", false, || {
                e.lakeformation
                    .batch_revoke_permissions()
                    .set_entries(Some(entries.clone()))
                    .send()
            })
            .await
            .map(|out| out.failures().to_vec())
        },
    )
    .await
}

/// Send `permissions` in batches of [`BATCH`] entries, one `operation` call each (`send`, which
/// returns the entries that failed), as one engine write each; a failed entry fails the step.
async fn in_batches<F, Fut>(
    what: &str,
    operation: &str,
    table: &TableRef,
    permissions: &[LfPermission],
    send: F,
) -> Result<(), EngineError>
where
    F: Fn(Vec<BatchPermissionsRequestEntry>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<BatchPermissionsFailureEntry>, EngineError>>,
{
    for (n, chunk) in permissions.chunks(BATCH).enumerate() {
        let entries = chunk
            .iter()
            .enumerate()
            .map(|(k, p)| entry(table, n * BATCH + k, p))
            .collect::<Result<Vec<_>, _>>()?;
        let op = failpoint::op(|| {
            format!(
                "lakeformation: {operation} {table} ({} entries)",
                entries.len()
            )
        });
        let failures = send(entries).await;
        op.done();
        check_failures(what, table, permissions, &failures?)?;
    }
    Ok(())
}

/// Every failed entry of a batch, as one error naming the principals (entry ids index
/// `permissions`).
fn check_failures(
    what: &str,
    table: &TableRef,
    permissions: &[LfPermission],
    failures: &[BatchPermissionsFailureEntry],
) -> Result<(), EngineError> {
    if failures.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = failures
        .iter()
        .map(|f| {
            let who = f
                .request_entry()
                .and_then(|r| r.id().parse::<usize>().ok())
                .and_then(|i| permissions.get(i))
                .map(|p| p.to_string())
                .unwrap_or_else(|| "an entry".to_string());
            let (code, message) = f
                .error()
                .map(|d| {
                    (
                        d.error_code().unwrap_or("?"),
                        d.error_message().unwrap_or(""),
                    )
                })
                .unwrap_or(("?", ""));
            format!("{who}: {code}: {message}")
        })
        .collect();
    let text = format!(
        "Lake Formation could not {what} {} of {} permission{} on {table}: {}",
        failures.len(),
        permissions.len(),
        if permissions.len() == 1 { "" } else { "s" },
        lines.join("; ")
    );
    let project = failures.iter().all(|f| {
        f.error()
            .and_then(|d| d.error_code())
            .is_some_and(|c| c == "InvalidInputException" || c == "EntityNotFoundException")
    });
    Err(if project {
        EngineError::project(text)
    } else {
        EngineError::environment(text)
    })
}
