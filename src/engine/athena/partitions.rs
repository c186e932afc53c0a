//! Glue partitions: read (paginated), create and repoint in batches of 100, delete in batches
//! of 25, every entry's error checked. A repointed partition keeps the location it replaced
//! (a parameter), so a killed run still deletes the old data.

use aws_sdk_glue::types::{
    BatchUpdatePartitionRequestEntry, PartitionInput, PartitionValueList, StorageDescriptor,
};

use super::glue::{get_raw, CREATE_BATCH, DELETE_BATCH, REPLACED_LOCATION_PARAM};
use super::retry::{call, call_allowing};
use super::AthenaEngine;
use crate::engine::{failpoint, EngineError};
use crate::plan::catalog::{IngestedFile, PartitionState};
use crate::plan::TableRef;

/// All partitions of a table (paginated).
pub async fn partitions(
    e: &AthenaEngine,
    schema: &str,
    name: &str,
) -> Result<Vec<PartitionState>, EngineError> {
    let mut out: Vec<PartitionState> = raw_partitions(e, schema, name)
        .await?
        .iter()
        .map(|p| PartitionState {
            values: p.values().to_vec(),
            location: p
                .storage_descriptor()
                .and_then(|s| s.location())
                .unwrap_or_default()
                .to_string(),
            ingested: IngestedFile::from_params(|k| p.parameters().and_then(|m| m.get(k)).cloned()),
        })
        .collect();
    out.sort_by(|a, b| a.values.cmp(&b.values));
    Ok(out)
}

/// All partitions of a table as Glue has them (paginated).
async fn raw_partitions(
    e: &AthenaEngine,
    schema: &str,
    name: &str,
) -> Result<Vec<aws_sdk_glue::types::Partition>, EngineError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let Some(page) = call_allowing(
            e,
            "GetPartitions",
            &["EntityNotFoundException"],
            true,
            || {
                e.glue
                    .get_partitions()
                    .database_name(schema)
                    .table_name(name)
                    .set_next_token(token.clone())
                    .send()
            },
        )
        .await?
        else {
            break;
        };
        out.extend(page.partitions().iter().cloned());
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

/// A partition as Glue takes it; `replaced`: the location it pointed at before (kept in its
/// parameters, see [`REPLACED_LOCATION_PARAM`]).
fn partition_input(
    t_sd: Option<&StorageDescriptor>,
    p: &PartitionState,
    replaced: Option<&str>,
) -> PartitionInput {
    let sd = match t_sd {
        Some(sd) => {
            let mut sd = sd.clone();
            sd.location = Some(p.location.clone());
            sd
        }
        None => StorageDescriptor::builder().location(&p.location).build(),
    };
    let mut params: std::collections::HashMap<String, String> = p
        .ingested
        .as_ref()
        .map(|i| i.to_params().into_iter().collect())
        .unwrap_or_default();
    if let Some(old) = replaced {
        params.insert(REPLACED_LOCATION_PARAM.to_string(), old.to_string());
    }
    PartitionInput::builder()
        .set_values(Some(p.values.clone()))
        .storage_descriptor(sd)
        .set_parameters((!params.is_empty()).then_some(params))
        .build()
}

/// Create the partitions that are new and repoint the existing ones (≤100 per call). Returns
/// the previous locations of the repointed partitions.
pub async fn upsert_partitions(
    e: &AthenaEngine,
    table: &TableRef,
    new: &[PartitionState],
    existing: &[PartitionState],
) -> Result<Vec<String>, EngineError> {
    let raw = get_raw(e, &table.schema, &table.name).await?;
    let sd = raw.as_ref().and_then(|t| t.storage_descriptor());
    let mut create = Vec::new();
    let mut update = Vec::new();
    let mut replaced = Vec::new();
    for p in new {
        match existing.iter().find(|x| x.values == p.values) {
            Some(x) if x.location == p.location => {}
            Some(x) => {
                replaced.push(x.location.clone());
                update.push((p, x.location.as_str()));
            }
            None => create.push(p),
        }
    }
    for chunk in create.chunks(CREATE_BATCH) {
        let inputs: Vec<PartitionInput> =
            chunk.iter().map(|p| partition_input(sd, p, None)).collect();
        let r = {
            let op = failpoint::op(|| {
                format!(
                    "glue: BatchCreatePartition {table} ({} partitions)",
                    inputs.len()
                )
            });
            let out = call(e, "BatchCreatePartition", false, || {
                e.glue
                    .batch_create_partition()
                    .database_name(&table.schema)
                    .table_name(&table.name)
                    .set_partition_input_list(Some(inputs.clone()))
                    .send()
            })
            .await;
            op.done();
            out
        }?;
        check_partition_errors(
            "BatchCreatePartition",
            table,
            r.errors(),
            "AlreadyExistsException",
        )?;
    }
    for chunk in update.chunks(CREATE_BATCH) {
        let entries: Vec<BatchUpdatePartitionRequestEntry> = chunk
            .iter()
            .map(|(p, old)| {
                BatchUpdatePartitionRequestEntry::builder()
                    .set_partition_value_list(Some(p.values.clone()))
                    .partition_input(partition_input(sd, p, Some(old)))
                    .build()
                    .expect("entry has values and input")
            })
            .collect();
        let r = {
            let op = failpoint::op(|| {
                format!(
                    "glue: BatchUpdatePartition {table} ({} partitions)",
                    entries.len()
                )
            });
            let out = call(e, "BatchUpdatePartition", false, || {
                e.glue
                    .batch_update_partition()
                    .database_name(&table.schema)
                    .table_name(&table.name)
                    .set_entries(Some(entries.clone()))
                    .send()
            })
            .await;
            op.done();
            out
        }?;
        if !r.errors().is_empty() {
            return Err(EngineError::environment(format!(
                "BatchUpdatePartition on {table} failed for {} partition(s): {:?}",
                r.errors().len(),
                r.errors()
                    .iter()
                    .map(|x| x.partition_value_list())
                    .collect::<Vec<_>>()
            )));
        }
    }
    Ok(replaced)
}

/// Register the partitions of `staging` on `table` (create new, repoint existing); returns the
/// previous locations of repointed partitions.
pub async fn register_partitions(
    e: &AthenaEngine,
    table: &TableRef,
    staging: &TableRef,
) -> Result<Vec<String>, EngineError> {
    let new = partitions(e, &staging.schema, &staging.name).await?;
    let existing = partitions(e, &table.schema, &table.name).await?;
    // Partitions that point at the new data already were repointed by an earlier attempt of
    // this run (the staging locations are this run's): what they replaced is on them.
    let mut replaced = Vec::new();
    let done_before = |p: &PartitionState| {
        existing
            .iter()
            .any(|x| x.values == p.values && x.location == p.location)
    };
    if new.iter().any(done_before) {
        for raw in raw_partitions(e, &table.schema, &table.name).await? {
            let location = raw.storage_descriptor().and_then(|s| s.location());
            let repointed = new
                .iter()
                .any(|p| p.values == raw.values() && Some(p.location.as_str()) == location);
            if let Some(old) = raw
                .parameters()
                .and_then(|m| m.get(REPLACED_LOCATION_PARAM))
                .filter(|_| repointed)
            {
                replaced.push(old.clone());
            }
        }
    }
    replaced.extend(upsert_partitions(e, table, &new, &existing).await?);
    Ok(replaced)
}

/// The per-entry errors of a Glue batch partition call, except `fine` (the state already is
/// what was asked: an AlreadyExists on create, an EntityNotFound on delete).
fn check_partition_errors(
    operation: &str,
    table: &TableRef,
    errors: &[aws_sdk_glue::types::PartitionError],
    fine: &str,
) -> Result<(), EngineError> {
    let bad: Vec<String> = errors
        .iter()
        .filter(|pe| pe.error_detail().and_then(|d| d.error_code()) != Some(fine))
        .map(|pe| {
            let detail = pe.error_detail();
            format!(
                "{:?}: {} {}",
                pe.partition_values(),
                detail.and_then(|d| d.error_code()).unwrap_or(""),
                detail.and_then(|d| d.error_message()).unwrap_or("")
            )
        })
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(EngineError::environment(crate::t!(
        "engine-partitions-failed",
        operation = operation.to_string(),
        table = table.to_string(),
        count = bad.len().to_string(),
        details = bad.join("; ")
    )))
}

/// BatchDeletePartition in chunks of 25; partitions already gone are fine.
pub async fn delete_partitions(
    e: &AthenaEngine,
    table: &TableRef,
    values: &[Vec<String>],
) -> Result<(), EngineError> {
    for chunk in values.chunks(DELETE_BATCH) {
        let list: Vec<PartitionValueList> = chunk
            .iter()
            .map(|v| {
                PartitionValueList::builder()
                    .set_values(Some(v.clone()))
                    .build()
                    .expect("values set")
            })
            .collect();
        let r = {
            let op = failpoint::op(|| {
                format!(
                    "glue: BatchDeletePartition {table} ({} partitions)",
                    list.len()
                )
            });
            let out = call(e, "BatchDeletePartition", false, || {
                e.glue
                    .batch_delete_partition()
                    .database_name(&table.schema)
                    .table_name(&table.name)
                    .set_partitions_to_delete(Some(list.clone()))
                    .send()
            })
            .await;
            op.done();
            out
        }?;
        check_partition_errors(
            "BatchDeletePartition",
            table,
            r.errors(),
            "EntityNotFoundException",
        )?;
    }
    Ok(())
}
