//! A Hive append, published on S3 ([`crate::plan::Action::AppendFiles`]): the new rows were
//! written apart (a CTAS into this run's own location); their files are copied into the table —
//! into each partition's location, or a new partition under the table's location, registered
//! after its files are there — under names that start with the run id. A resumed run copies to
//! the same keys again: S3 replaces the objects, and no row is added twice. (An INSERT INTO the
//! table itself leaves what it wrote when it fails, as Athena documents, and a rerun would add
//! those rows again.)

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::retry::call;
use super::{glue, s3, AthenaEngine};
use crate::engine::{failpoint, EngineError};
use crate::plan::catalog::PartitionState;
use crate::plan::TableRef;

/// What a copy source may keep unencoded: `/` between key segments, and the unreserved marks.
const KEY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn slash(s: &str) -> String {
    if s.ends_with('/') {
        s.to_string()
    } else {
        format!("{s}/")
    }
}

/// Copy the files of `staging` into `table`. `owned`: the prefix the table owns (checked for
/// every destination before anything is copied). `projected`: the table's partitions are
/// projected — files go where its location template points, and no partition is registered.
/// Returns the files copied.
pub async fn append_files(
    e: &AthenaEngine,
    table: &TableRef,
    staging: &TableRef,
    file_prefix: &str,
    owned: &str,
    projected: bool,
) -> Result<u64, EngineError> {
    let missing = |t: &TableRef| {
        EngineError::internal(crate::t!("engine-not-in-catalog", table = t.to_string()))
    };
    let new = glue::get_table(e, &staging.schema, &staging.name)
        .await?
        .ok_or_else(|| missing(staging))?;
    let target = glue::get_table(e, &table.schema, &table.name)
        .await?
        .ok_or_else(|| missing(table))?;
    let staging_location = slash(new.location.as_deref().unwrap_or_default());
    let location = slash(target.location.as_deref().unwrap_or_default());
    // (source prefix, destination prefix) pairs, and the partitions to create.
    let mut moves: Vec<(String, String)> = Vec::new();
    let mut created: Vec<PartitionState> = Vec::new();
    let mut existing = Vec::new();
    if target.partition_keys.is_empty() {
        moves.push((staging_location.clone(), location.clone()));
    } else {
        // A projected table has no Glue partitions: every partition is the folder
        // `<location><k>=<v>/` its location template names.
        if !projected {
            existing = glue::partitions(e, &table.schema, &table.name).await?;
        }
        for p in glue::partitions(e, &staging.schema, &staging.name).await? {
            let dest = match existing.iter().find(|q| q.values == p.values) {
                Some(q) => slash(&q.location),
                None => {
                    let rel = match p.location.strip_prefix(&staging_location) {
                        Some(r) => slash(r),
                        None => slash(
                            &target
                                .partition_keys
                                .iter()
                                .zip(&p.values)
                                .map(|(k, v)| format!("{k}={v}"))
                                .collect::<Vec<_>>()
                                .join("/"),
                        ),
                    };
                    let loc = format!("{location}{rel}");
                    created.push(PartitionState {
                        values: p.values.clone(),
                        location: loc.clone(),
                        ingested: None,
                    });
                    loc
                }
            };
            moves.push((slash(&p.location), dest));
        }
    }
    // Every destination inside the table's own prefix, before anything is written.
    for (_, dest) in &moves {
        s3::check_inside(dest, owned, &e.settings.lake_root, true)?;
    }
    let mut copied = 0;
    for (from, to) in &moves {
        let (src_bucket, src_key) = s3::split(from)?;
        let (bucket, dest_key) = s3::split(to)?;
        for key in s3::list(e, from).await? {
            let Some(name) = key.strip_prefix(&src_key) else {
                continue;
            };
            // Partition folders below a file's own folder are another partition's.
            if name.is_empty() || name.contains('/') {
                continue;
            }
            let source = utf8_percent_encode(&format!("{src_bucket}/{key}"), KEY).to_string();
            let dest = format!("{dest_key}{file_prefix}{name}");
            let op = failpoint::op(|| format!("s3: CopyObject {to}{file_prefix}{name}"));
            let out = call(e, "CopyObject", true, || {
                e.s3.copy_object()
                    .copy_source(&source)
                    .bucket(&bucket)
                    .key(&dest)
                    .send()
            })
            .await;
            op.done();
            out?;
            copied += 1;
        }
    }
    if !created.is_empty() && !projected {
        glue::upsert_partitions(e, table, &created, &existing).await?;
    }
    Ok(copied)
}
