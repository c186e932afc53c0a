//! Glue: the catalog state karte plans against, schemas, table swaps, partitions (create and
//! update in batches of 100, delete in batches of 25, per-entry errors checked) and pruning of
//! old table versions. Every call retries on throttling only.

use aws_sdk_glue::types::{Column, DatabaseInput, SerDeInfo, StorageDescriptor, Table, TableInput};
use std::collections::BTreeMap;

use super::retry::{call, call_allowing};
use super::AthenaEngine;
use crate::engine::{failpoint, EngineError};
use crate::plan::catalog::{
    CatalogState, ColumnState, IngestedFile, PartitionState, TableKind, TableState, MANAGED_PARAM,
    OWNED_PREFIX_PARAM,
};
use crate::plan::TableRef;

pub use super::partitions::{
    delete_partitions, partitions, register_partitions, upsert_partitions,
};

/// Glue's limit for BatchCreatePartition / BatchUpdatePartition entries.
pub const CREATE_BATCH: usize = 100;
/// Glue's limit for BatchDeletePartition entries.
pub const DELETE_BATCH: usize = 25;

/// Table parameter set by a swap: the staging table it published. A swap killed after it
/// removed the staging entry (its last call), before the journal heard of it, is known as done
/// by it when the run is resumed.
pub const PUBLISHED_FROM_PARAM: &str = "karte_published_from";

/// Partition parameter set when karte points a partition at new data: the location it pointed
/// at before. A RegisterPartitions step killed after its BatchUpdatePartition, before the
/// journal recorded the replaced locations, finds them here when the run is resumed (and its
/// DeleteReplacedPartitions step still deletes them).
pub const REPLACED_LOCATION_PARAM: &str = "karte_replaced_location";

/// The catalog state of the given schemas: tables, and the partitions of managed tables.
pub async fn catalog_state(
    e: &AthenaEngine,
    schemas: &[String],
) -> Result<CatalogState, EngineError> {
    let mut state = CatalogState::default();
    for schema in schemas {
        let mut token: Option<String> = None;
        loop {
            let page = call_allowing(e, "GetTables", &["EntityNotFoundException"], true, || {
                e.glue
                    .get_tables()
                    .database_name(schema)
                    .set_next_token(token.clone())
                    .send()
            })
            .await?;
            let Some(page) = page else { break };
            for t in page.table_list() {
                let mut ts = table_state(t);
                // A projected table's partitions are Athena's to compute: never GetPartitions.
                if ts.managed && !ts.partition_keys.is_empty() && !ts.projected() {
                    ts.partitions = partitions(e, schema, t.name()).await?;
                }
                state.tables.insert(
                    format!("{}.{}", schema.to_lowercase(), t.name().to_lowercase()),
                    ts,
                );
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(state)
}

/// A Glue table as karte's TableState.
pub fn table_state(t: &Table) -> TableState {
    let params = t.parameters().cloned().unwrap_or_default();
    let kind = if t.table_type() == Some("VIRTUAL_VIEW") {
        TableKind::View
    } else if params
        .get("table_type")
        .is_some_and(|v| v.eq_ignore_ascii_case("iceberg"))
    {
        TableKind::Iceberg
    } else {
        TableKind::Hive
    };
    let sd = t.storage_descriptor();
    TableState {
        kind,
        location: sd
            .and_then(|s| s.location())
            .map(str::to_string)
            .filter(|_| kind != TableKind::View),
        managed: params.get(MANAGED_PARAM).is_some_and(|v| v == "true"),
        owned_prefix: params.get(OWNED_PREFIX_PARAM).cloned(),
        columns: sd
            .map(|s| {
                s.columns()
                    .iter()
                    .map(|c| ColumnState {
                        name: c.name().to_string(),
                        data_type: c.r#type().unwrap_or("string").to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        partition_keys: t
            .partition_keys()
            .iter()
            .map(|c| c.name().to_string())
            .collect(),
        partition_types: t
            .partition_keys()
            .iter()
            .map(|c| c.r#type().unwrap_or("string").to_string())
            .collect(),
        partitions: Vec::new(),
        previous_locations: Vec::new(),
        ingested: IngestedFile::from_params(|k| params.get(k).cloned()),
        version_id: t.version_id().map(str::to_string),
        parameters: TableState::planning_parameters(&params),
    }
}

/// One table, or None if it does not exist.
pub async fn get_table(
    e: &AthenaEngine,
    schema: &str,
    name: &str,
) -> Result<Option<TableState>, EngineError> {
    Ok(get_raw(e, schema, name).await?.map(|t| table_state(&t)))
}

pub(super) async fn get_raw(
    e: &AthenaEngine,
    schema: &str,
    name: &str,
) -> Result<Option<Table>, EngineError> {
    let r = call_allowing(e, "GetTable", &["EntityNotFoundException"], true, || {
        e.glue.get_table().database_name(schema).name(name).send()
    })
    .await?;
    Ok(r.and_then(|r| r.table().cloned()))
}

/// CreateDatabase; an existing one is fine.
pub async fn create_database(e: &AthenaEngine, schema: &str) -> Result<(), EngineError> {
    let input = DatabaseInput::builder()
        .name(schema)
        .build()
        .map_err(|err| EngineError::internal(err.to_string()))?;
    {
        let op = failpoint::op(|| format!("glue: CreateDatabase {schema}"));
        let out = call_allowing(
            e,
            "CreateDatabase",
            &["AlreadyExistsException"],
            false,
            || {
                e.glue
                    .create_database()
                    .database_input(input.clone())
                    .send()
            },
        )
        .await;
        op.done();
        out
    }?;
    Ok(())
}

/// DeleteTable (catalog entry only; Glue never deletes data); a missing table is fine. Only
/// karte's own staging tables (`…__karte_…`) and tables Glue marks `karte_managed=true`, checked
/// right before the call; any other table is refused.
pub async fn delete_table(e: &AthenaEngine, t: &TableRef) -> Result<(), EngineError> {
    if !t.name.contains(crate::project::names::STAGING_INFIX) {
        let Some(raw) = get_raw(e, &t.schema, &t.name).await? else {
            return Ok(());
        };
        if !table_state(&raw).managed {
            return Err(not_managed(t));
        }
    }
    delete_entry(e, t).await
}

fn not_managed(t: &TableRef) -> EngineError {
    EngineError::project(crate::t!(
        "engine-glue-not-managed",
        table = t.to_string(),
        param = MANAGED_PARAM
    ))
}

/// DeleteTable without a check (callers check).
async fn delete_entry(e: &AthenaEngine, t: &TableRef) -> Result<(), EngineError> {
    {
        let op = failpoint::op(|| format!("glue: DeleteTable {t}"));
        let out = call_allowing(
            e,
            "DeleteTable",
            &["EntityNotFoundException"],
            false,
            || {
                e.glue
                    .delete_table()
                    .database_name(&t.schema)
                    .name(&t.name)
                    .send()
            },
        )
        .await;
        op.done();
        out
    }?;
    Ok(())
}

fn input_of(
    t: &Table,
    name: &str,
    extra: &BTreeMap<String, String>,
) -> Result<TableInput, EngineError> {
    let mut params = t.parameters().cloned().unwrap_or_default();
    for (k, v) in extra {
        params.insert(k.clone(), v.clone());
    }
    TableInput::builder()
        .name(name)
        .set_description(t.description().map(str::to_string))
        .set_table_type(t.table_type().map(str::to_string))
        .set_storage_descriptor(t.storage_descriptor().cloned())
        .set_partition_keys(Some(t.partition_keys().to_vec()))
        .set_view_original_text(t.view_original_text().map(str::to_string))
        .set_view_expanded_text(t.view_expanded_text().map(str::to_string))
        .set_parameters(Some(params.into_iter().collect()))
        .build()
        .map_err(|err| EngineError::internal(err.to_string()))
}

/// Set catalog parameters on a table (UpdateTable with everything else unchanged).
pub async fn set_parameters(
    e: &AthenaEngine,
    t: &TableRef,
    params: &BTreeMap<String, String>,
) -> Result<(), EngineError> {
    let Some(raw) = get_raw(e, &t.schema, &t.name).await? else {
        return Err(EngineError::internal(crate::t!(
            "engine-not-in-glue",
            table = t.to_string()
        )));
    };
    let input = input_of(&raw, &t.name, params)?;
    update_table(e, &t.schema, &input).await
}

/// Set and remove parameters of a table (UpdateTable with everything else unchanged), at the
/// Glue version planned against when given (refused if the table changed since).
pub async fn update_parameters(
    e: &AthenaEngine,
    t: &TableRef,
    set: &BTreeMap<String, String>,
    remove: &[String],
    expected_version: Option<&str>,
) -> Result<(), EngineError> {
    let Some(raw) = get_raw(e, &t.schema, &t.name).await? else {
        return Err(EngineError::internal(crate::t!(
            "engine-not-in-glue",
            table = t.to_string()
        )));
    };
    let current: BTreeMap<String, String> = raw
        .parameters()
        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    // Done already (a resumed run): the parameters are as planned.
    if set.iter().all(|(k, v)| current.get(k) == Some(v))
        && remove.iter().all(|k| !current.contains_key(k))
    {
        return Ok(());
    }
    if let Some(v) = expected_version.filter(|v| Some(*v) != raw.version_id()) {
        return Err(changed_since_planned(t, v, raw.version_id()));
    }
    let mut input = input_of(&raw, &t.name, set)?;
    if let Some(p) = input.parameters.as_mut() {
        p.retain(|k, _| !remove.contains(k));
    }
    update_at_version(e, t, &input, expected_version).await
}

/// UpdateTable at the Glue version the run planned against (optimistic concurrency: Glue
/// refuses the update with ConcurrentModificationException if the table changed since, so two
/// writers cannot silently overwrite each other); that refusal is "changed since planned".
async fn update_at_version(
    e: &AthenaEngine,
    table: &TableRef,
    input: &TableInput,
    expected_version: Option<&str>,
) -> Result<(), EngineError> {
    let updated = {
        let op = failpoint::op(|| format!("glue: UpdateTable {table}"));
        let out = call_allowing(
            e,
            "UpdateTable",
            &["ConcurrentModificationException"],
            false,
            || {
                e.glue
                    .update_table()
                    .database_name(&table.schema)
                    .table_input(input.clone())
                    .set_version_id(expected_version.map(str::to_string))
                    .send()
            },
        )
        .await;
        op.done();
        out
    }?;
    match updated {
        Some(_) => Ok(()),
        None => Err(changed_since_planned(
            table,
            expected_version.unwrap_or("?"),
            None,
        )),
    }
}

/// Publish `staging` as `table`: UpdateTable (or CreateTable) with the staging table's
/// storage, columns and parameters plus karte's marks; its partitions replace the table's;
/// then the staging entry is removed. The previous location stays in S3 (and in the table's
/// Glue versions) for rollback until the plan deletes it.
pub async fn swap(
    e: &AthenaEngine,
    table: &TableRef,
    staging: &TableRef,
    parameters: &BTreeMap<String, String>,
    expected_version: Option<&str>,
    projected: bool,
) -> Result<(), EngineError> {
    let Some(new) = get_raw(e, &staging.schema, &staging.name).await? else {
        // Killed in an earlier attempt of this run after the staging entry was removed (the
        // swap's last call): the table is published already.
        let published = get_raw(e, &table.schema, &table.name)
            .await?
            .and_then(|t| t.parameters()?.get(PUBLISHED_FROM_PARAM).cloned());
        if published.as_deref() == Some(staging.name.as_str()) {
            return Ok(());
        }
        return Err(EngineError::internal(crate::t!(
            "engine-staging-not-in-glue",
            table = staging.to_string()
        )));
    };
    let mut parameters = parameters.clone();
    parameters.insert(PUBLISHED_FROM_PARAM.to_string(), staging.name.clone());
    let input = input_of(&new, &table.name, &parameters)?;
    let old = get_raw(e, &table.schema, &table.name).await?;
    let location = |t: &Table| {
        t.storage_descriptor()
            .and_then(|s| s.location())
            .map(str::to_string)
    };
    // Killed after the UpdateTable in an earlier attempt of this run: the table already
    // points at the new data.
    let done_before = old
        .as_ref()
        .is_some_and(|o| location(o).is_some() && location(o) == location(&new));
    match &old {
        _ if done_before => {}
        Some(o) if o.table_type() == Some("VIRTUAL_VIEW") => {
            // A view becomes a table: no data to keep (if the view is karte's).
            if !table_state(o).managed {
                return Err(not_managed(table));
            }
            delete_entry(e, table).await?;
            create_table(e, &table.schema, &input).await?;
        }
        Some(o) => {
            if let Some(v) = expected_version.filter(|v| Some(*v) != o.version_id()) {
                return Err(changed_since_planned(table, v, o.version_id()));
            }
            update_at_version(e, table, &input, expected_version).await?;
        }
        None => create_table(e, &table.schema, &input).await?,
    }
    if projected {
        // Athena ignores Glue partitions of a projected table. Those of a previous, unprojected
        // version go (catalog entries only; its data stays per versions_to_keep, and a
        // rollback restores them from its snapshot).
        let was_projected = old
            .as_ref()
            .is_some_and(|o| crate::plan::projection::enabled(&table_state(o).parameters));
        if old.is_some() && !was_projected && !new.partition_keys().is_empty() && !done_before {
            let gone: Vec<Vec<String>> = partitions(e, &table.schema, &table.name)
                .await?
                .into_iter()
                .map(|p| p.values)
                .collect();
            delete_partitions(e, table, &gone).await?;
        }
    } else if !new.partition_keys().is_empty() {
        let new_parts = partitions(e, &staging.schema, &staging.name).await?;
        let old_parts = if old.is_some() {
            partitions(e, &table.schema, &table.name).await?
        } else {
            Vec::new()
        };
        let gone: Vec<Vec<String>> = old_parts
            .iter()
            .filter(|p| !new_parts.iter().any(|n| n.values == p.values))
            .map(|p| p.values.clone())
            .collect();
        upsert_partitions(e, table, &new_parts, &old_parts).await?;
        delete_partitions(e, table, &gone).await?;
    }
    delete_table(e, staging).await
}

fn changed_since_planned(table: &TableRef, planned: &str, now: Option<&str>) -> EngineError {
    EngineError::project(crate::t!(
        "engine-changed-since-planned",
        table = table.to_string(),
        planned = planned,
        now = now
            .map(String::from)
            .unwrap_or_else(|| crate::t!("engine-a-newer-one"))
    ))
}

async fn update_table(
    e: &AthenaEngine,
    schema: &str,
    input: &TableInput,
) -> Result<(), EngineError> {
    {
        let op = failpoint::op(|| format!("glue: UpdateTable {schema}.{}", input.name()));
        let out = call(e, "UpdateTable", false, || {
            e.glue
                .update_table()
                .database_name(schema)
                .table_input(input.clone())
                .send()
        })
        .await;
        op.done();
        out
    }?;
    Ok(())
}

async fn create_table(
    e: &AthenaEngine,
    schema: &str,
    input: &TableInput,
) -> Result<(), EngineError> {
    {
        let op = failpoint::op(|| format!("glue: CreateTable {schema}.{}", input.name()));
        let out = call(e, "CreateTable", false, || {
            e.glue
                .create_table()
                .database_name(schema)
                .table_input(input.clone())
                .send()
        })
        .await;
        op.done();
        out
    }?;
    Ok(())
}

/// Keep the newest `keep` Glue versions of a table; delete the rest (≤100 per call) so the
/// account does not reach its table-versions quota.
pub async fn expire_versions(
    e: &AthenaEngine,
    table: &TableRef,
    keep: u32,
) -> Result<(), EngineError> {
    let mut ids: Vec<i64> = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let Some(page) = call_allowing(
            e,
            "GetTableVersions",
            &["EntityNotFoundException"],
            true,
            || {
                e.glue
                    .get_table_versions()
                    .database_name(&table.schema)
                    .table_name(&table.name)
                    .set_next_token(token.clone())
                    .send()
            },
        )
        .await?
        else {
            return Ok(());
        };
        ids.extend(
            page.table_versions()
                .iter()
                .filter_map(|v| v.version_id())
                .filter_map(|v| v.parse::<i64>().ok()),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    ids.sort_unstable_by(|a, b| b.cmp(a));
    let old: Vec<String> = ids
        .iter()
        .skip(keep.max(1) as usize)
        .map(i64::to_string)
        .collect();
    for chunk in old.chunks(100) {
        {
            let op = failpoint::op(|| {
                format!(
                    "glue: BatchDeleteTableVersion {table} ({} versions)",
                    chunk.len()
                )
            });
            let out = call(e, "BatchDeleteTableVersion", false, || {
                e.glue
                    .batch_delete_table_version()
                    .database_name(&table.schema)
                    .table_name(&table.name)
                    .set_version_ids(Some(chunk.to_vec()))
                    .send()
            })
            .await;
            op.done();
            out
        }?;
    }
    Ok(())
}

/// Create (or update) a Parquet table as `karte ingest` describes it: managed by karte, owning
/// its prefix; an unpartitioned table carries its one file's manifest in its parameters.
pub async fn put_parquet_table(
    e: &AthenaEngine,
    t: &TableRef,
    state: &TableState,
    exists: bool,
) -> Result<(), EngineError> {
    let col = |name: &str, ty: &str| {
        Column::builder()
            .name(name)
            .r#type(ty)
            .build()
            .expect("name set")
    };
    let sd = StorageDescriptor::builder()
        .set_columns(Some(
            state
                .columns
                .iter()
                .map(|c| col(&c.name, &c.data_type))
                .collect(),
        ))
        .set_location(state.location.clone())
        .input_format("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat")
        .output_format("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat")
        .serde_info(
            SerDeInfo::builder()
                .serialization_library(
                    "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                )
                .build(),
        )
        .build();
    let mut input = TableInput::builder()
        .name(&t.name)
        .table_type("EXTERNAL_TABLE")
        .storage_descriptor(sd)
        .set_partition_keys(Some(
            state
                .partition_keys
                .iter()
                .zip(&state.partition_types)
                .map(|(k, ty)| col(k, ty))
                .collect(),
        ))
        .parameters("classification", "parquet")
        .parameters("EXTERNAL", "TRUE")
        .parameters(MANAGED_PARAM, "true");
    if let Some(owned) = &state.owned_prefix {
        input = input.parameters(OWNED_PREFIX_PARAM, owned);
    }
    if let Some(i) = &state.ingested {
        for (k, v) in i.to_params() {
            input = input.parameters(k, v);
        }
    }
    let input = input
        .build()
        .map_err(|err| EngineError::internal(err.to_string()))?;
    if !exists {
        create_database(e, &t.schema).await?;
        return create_table(e, &t.schema, &input).await;
    }
    update_table(e, &t.schema, &input).await
}

/// A text table over UTF-8 CSV files (for loading seeds): all columns strings.
pub async fn create_csv_table(
    e: &AthenaEngine,
    t: &TableRef,
    columns: &[String],
    location: &str,
) -> Result<(), EngineError> {
    let cols: Vec<Column> = columns
        .iter()
        .map(|c| {
            Column::builder()
                .name(c)
                .r#type("string")
                .build()
                .expect("name set")
        })
        .collect();
    let sd = StorageDescriptor::builder()
        .set_columns(Some(cols))
        .location(location)
        .input_format("org.apache.hadoop.mapred.TextInputFormat")
        .output_format("org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat")
        .serde_info(
            SerDeInfo::builder()
                .serialization_library("org.apache.hadoop.hive.serde2.OpenCSVSerde")
                .parameters("separatorChar", ",")
                .parameters("quoteChar", "\"")
                .build(),
        )
        .build();
    let input = TableInput::builder()
        .name(&t.name)
        .table_type("EXTERNAL_TABLE")
        .storage_descriptor(sd)
        .parameters("classification", "csv")
        .build()
        .map_err(|err| EngineError::internal(err.to_string()))?;
    delete_table(e, t).await?;
    create_table(e, &t.schema, &input).await
}

/// The current Glue version of a table and its partitions (for `karte rollback`).
pub async fn snapshot(
    e: &AthenaEngine,
    t: &TableRef,
) -> Result<Option<serde_json::Value>, EngineError> {
    let Some(raw) = get_raw(e, &t.schema, &t.name).await? else {
        return Ok(None);
    };
    let projected = crate::plan::projection::enabled(&table_state(&raw).parameters);
    let parts = if raw.partition_keys().is_empty() || projected {
        Vec::new()
    } else {
        partitions(e, &t.schema, &t.name).await?
    };
    Ok(Some(serde_json::json!({
        "version_id": raw.version_id(),
        "partitions": parts,
    })))
}

/// The table definition of one Glue version (None: the version is gone).
async fn table_version(
    e: &AthenaEngine,
    t: &TableRef,
    version: &str,
) -> Result<Option<Table>, EngineError> {
    let got = call_allowing(
        e,
        "GetTableVersion",
        &["EntityNotFoundException"],
        true,
        || {
            e.glue
                .get_table_version()
                .database_name(&t.schema)
                .table_name(&t.name)
                .version_id(version)
                .send()
        },
    )
    .await?;
    Ok(got.and_then(|v| v.table_version().and_then(|tv| tv.table()).cloned()))
}

/// The data location of a [`snapshot`]'s Glue version (None: a view, or no location).
pub async fn snapshot_location(
    e: &AthenaEngine,
    t: &TableRef,
    snapshot: &serde_json::Value,
) -> Result<Option<String>, EngineError> {
    let Some(version) = snapshot["version_id"].as_str() else {
        return Ok(None);
    };
    Ok(table_version(e, t, version)
        .await?
        .filter(|t| t.table_type() != Some("VIRTUAL_VIEW"))
        .and_then(|t| {
            t.storage_descriptor()
                .and_then(|s| s.location())
                .map(str::to_string)
        }))
}

/// Put a table back to a [`snapshot`]: its Glue version (UpdateTable with that version's
/// definition) and its partitions; None removes the entry.
pub async fn restore(
    e: &AthenaEngine,
    t: &TableRef,
    previous: Option<&serde_json::Value>,
) -> Result<(), EngineError> {
    let Some(prev) = previous else {
        return delete_table(e, t).await;
    };
    let version = prev["version_id"].as_str().ok_or_else(|| {
        EngineError::internal(crate::t!("engine-no-glue-version", table = t.to_string()))
    })?;
    let old_parts: Vec<PartitionState> =
        serde_json::from_value(prev["partitions"].clone()).unwrap_or_default();
    let Some(table) = table_version(e, t, version).await? else {
        return Err(EngineError::environment(crate::t!(
            "engine-glue-version-gone",
            table = t.to_string(),
            version = version
        )));
    };
    let input = input_of(&table, &t.name, &BTreeMap::new())?;
    {
        let op = failpoint::op(|| format!("glue: UpdateTable {t}"));
        let out = call(e, "UpdateTable", false, || {
            e.glue
                .update_table()
                .database_name(&t.schema)
                .table_input(input.clone())
                .send()
        })
        .await;
        op.done();
        out
    }?;
    if !table.partition_keys().is_empty() {
        let now = partitions(e, &t.schema, &t.name).await?;
        let gone: Vec<Vec<String>> = now
            .iter()
            .filter(|p| !old_parts.iter().any(|o| o.values == p.values))
            .map(|p| p.values.clone())
            .collect();
        upsert_partitions(e, t, &old_parts, &now).await?;
        delete_partitions(e, t, &gone).await?;
    }
    Ok(())
}
