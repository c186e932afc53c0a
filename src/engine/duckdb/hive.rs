//! Hive tables on the local lake: a CTAS writes hive-partitioned Parquet into its location; an
//! INSERT puts rows of an existing partition into that partition's folder and registers new
//! ones; a Hive append's files are moved in under run-named names. Files a step writes carry
//! its tag, so a killed attempt's files are found and removed.

use std::path::{Path, PathBuf};

use duckdb::Connection;

use super::catalog;
use super::catalog::file_op;
use super::statements::{copy_to, create_dir, describe, to_duck};
use crate::engine::EngineError;
use crate::plan::catalog::{ColumnState, PartitionState, TableKind, TableState};
use crate::plan::step::{NewTable, Writes};
use crate::plan::TableRef;

/// Write the query's rows as the new Hive table `new` (hive-partitioned Parquet under its
/// location) and enter it in the catalog.
pub(super) fn create_hive(
    conn: &Connection,
    root: &Path,
    new: &NewTable,
    query: &str,
    tag: &str,
) -> Result<Option<u64>, EngineError> {
    let (table, location, partitions) = (&new.table, new.location.as_str(), &new.partitioned_by);
    let duck = to_duck(query)?;
    let dir = catalog::resolve(root, location);
    if std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(EngineError::project(crate::t!(
            "engine-refuse-write-not-empty",
            table = table.to_string(),
            path = dir.display().to_string()
        )));
    }
    let described = describe(conn, &format!("({duck})"))?;
    let duck = bigint_exact(&duck, &described);
    let n = copy_to(conn, &duck, &dir, partitions, &new.write_compression, tag)?;
    let (part_cols, columns): (Vec<ColumnState>, Vec<ColumnState>) = described
        .into_iter()
        .partition(|c| partitions.contains(&c.name));
    let partition_types = partitions
        .iter()
        .map(|p| {
            part_cols
                .iter()
                .find(|c| &c.name == p)
                .map(|c| c.data_type.clone())
                .unwrap_or_else(|| "varchar".into())
        })
        .collect();
    let parts = if partitions.is_empty() {
        Vec::new()
    } else {
        find_partitions(&dir, partitions.len())
            .into_iter()
            .map(|(values, rel)| PartitionState {
                values,
                location: format!("{}{rel}/", ensure_slash(location)),
                ingested: None,
            })
            .collect()
    };
    let state = TableState {
        kind: TableKind::Hive,
        location: Some(location.to_string()),
        managed: true,
        owned_prefix: Some(new.owned_prefix.clone()),
        columns,
        partition_keys: partitions.to_vec(),
        partition_types,
        partitions: parts,
        previous_locations: Vec::new(),
        ingested: None,
        version_id: None,
        parameters: Default::default(),
    };
    catalog::put(conn, table, &state)?;
    catalog::refresh_view(conn, root, table, &state)?;
    Ok(Some(n))
}

/// A Hive append, published: the files of `staging` are moved into `table` (into the
/// partition's location, or a new partition under the table's location), each named
/// `<file_prefix><name>`. Moving a file again after a kill finds it already there under the
/// same name: nothing is added twice. New partitions are registered from the staging table's
/// catalog entry, which the moves do not change. (The rows were counted when they were
/// written apart.)
pub fn append_files(
    conn: &Connection,
    root: &Path,
    table: &TableRef,
    staging: &TableRef,
    (file_prefix, owned_prefix): (&str, &str),
    projected: bool,
) -> Result<Option<u64>, EngineError> {
    let Some(new) = catalog::get(conn, staging)? else {
        return Err(EngineError::internal(crate::t!(
            "engine-staging-not-in-catalog",
            table = staging.to_string()
        )));
    };
    let Some(mut state) = catalog::get(conn, table)? else {
        return Err(EngineError::internal(crate::t!(
            "engine-not-in-catalog",
            table = table.to_string()
        )));
    };
    let owned = catalog::resolve(root, owned_prefix);
    let staging_location = ensure_slash(new.location.as_deref().unwrap_or_default());
    let location = ensure_slash(state.location.as_deref().unwrap_or_default());
    let publish = |from: &Path, to: &Path| -> Result<(), EngineError> {
        if !to.starts_with(&owned) {
            return Err(EngineError::project(crate::t!(
                "engine-refuse-write-outside",
                path = to.display().to_string(),
                owned = owned.display().to_string(),
                table = table.to_string()
            )));
        }
        catalog::file_op(
            || format!("mkdir {}", to.display()),
            || std::fs::create_dir_all(to),
        )
        .map_err(|e| {
            EngineError::environment(crate::t!(
                "engine-cannot-create",
                path = to.display().to_string(),
                error = e.to_string()
            ))
        })?;
        let Ok(entries) = std::fs::read_dir(from) else {
            return Ok(()); // moved already
        };
        for f in entries.flatten().filter(|f| f.path().is_file()) {
            let dest = to.join(format!("{file_prefix}{}", f.file_name().to_string_lossy()));
            catalog::file_op(
                || format!("rename {} {}", f.path().display(), dest.display()),
                || std::fs::rename(f.path(), &dest),
            )
            .map_err(|e| {
                EngineError::environment(crate::t!(
                    "engine-cannot-move",
                    path = f.path().display().to_string(),
                    error = e.to_string()
                ))
            })?;
        }
        Ok(())
    };
    if state.partition_keys.is_empty() {
        publish(
            &catalog::resolve(root, &staging_location),
            &catalog::resolve(root, &location),
        )?;
    } else {
        for p in &new.partitions {
            let rel = p
                .location
                .strip_prefix(&staging_location)
                .map(|r| r.trim_end_matches('/').to_string())
                .unwrap_or_else(|| {
                    state
                        .partition_keys
                        .iter()
                        .zip(&p.values)
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join("/")
                });
            let dest = match state.partitions.iter().find(|q| q.values == p.values) {
                Some(q) => q.location.clone(),
                // A projected table registers nothing: the folder is where its template points.
                None if projected => format!("{location}{rel}/"),
                None => {
                    let loc = format!("{location}{rel}/");
                    state.partitions.push(PartitionState {
                        values: p.values.clone(),
                        location: loc.clone(),
                        ingested: None,
                    });
                    loc
                }
            };
            publish(
                &catalog::resolve(root, &p.location),
                &catalog::resolve(root, &dest),
            )?;
        }
        state.partitions.sort_by(|a, b| a.values.cmp(&b.values));
    }
    catalog::put(conn, table, &state)?;
    catalog::refresh_view(conn, root, table, &state)?;
    Ok(None)
}

fn ensure_slash(s: &str) -> String {
    if s.ends_with('/') {
        s.to_string()
    } else {
        format!("{s}/")
    }
}

/// Leaf partition folders under `dir`: (values, relative path `k=v/k2=v2`), sorted.
pub(super) fn find_partitions(dir: &Path, depth: usize) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .min_depth(depth)
        .max_depth(depth)
        .sort_by_file_name()
    {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let segments: Vec<String> = rel
            .iter()
            .map(|s| s.to_string_lossy().to_string())
            .collect();
        let values: Option<Vec<String>> = segments
            .iter()
            .map(|s| s.split_once('=').map(|(_, v)| v.to_string()))
            .collect();
        if let Some(values) = values {
            out.push((values, segments.join("/")));
        }
    }
    out
}

pub(super) fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{nanos:x}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// Hive INSERT INTO: rows of an existing partition go to that partition's registered location
/// (as on Athena); new partitions are created under the table location and registered.
pub(super) fn insert_hive(
    conn: &Connection,
    root: &Path,
    table: &TableRef,
    mut state: TableState,
    query: &str,
    tag: &str,
) -> Result<Option<u64>, EngineError> {
    let duck = bigint_exact(&to_duck(query)?, &state.columns);
    let tmp: PathBuf = insert_tmp(root, tag);
    let n = copy_to(conn, &duck, &tmp, &state.partition_keys, "snappy", tag)?;
    let location = state.location.clone().unwrap_or_default();
    let move_files = |from: &Path, to: &Path| -> Result<(), EngineError> {
        create_dir(to)?;
        for f in std::fs::read_dir(from)
            .map_err(|e| EngineError::environment(e.to_string()))?
            .flatten()
        {
            let dest = to.join(format!("data_{tag}_{}.parquet", unique()));
            let from = f.path();
            file_op(
                || format!("mv {} {}", from.display(), dest.display()),
                || std::fs::rename(&from, &dest),
            )
            .map_err(|e| {
                EngineError::environment(crate::t!(
                    "engine-cannot-move",
                    path = from.display().to_string(),
                    error = e.to_string()
                ))
            })?;
        }
        Ok(())
    };
    if state.partition_keys.is_empty() {
        move_files(&tmp, &catalog::resolve(root, &location))?;
    } else {
        for (values, rel) in find_partitions(&tmp, state.partition_keys.len()) {
            let dest = match state.partitions.iter().find(|p| p.values == values) {
                Some(p) => p.location.clone(),
                None => {
                    let loc = format!("{}{rel}/", ensure_slash(&location));
                    state.partitions.push(PartitionState {
                        values,
                        location: loc.clone(),
                        ingested: None,
                    });
                    loc
                }
            };
            move_files(&tmp.join(&rel), &catalog::resolve(root, &dest))?;
        }
        state.partitions.sort_by(|a, b| a.values.cmp(&b.values));
    }
    let _ = file_op(
        || format!("rm -r {}", tmp.display()),
        || std::fs::remove_dir_all(&tmp),
    );
    catalog::put(conn, table, &state)?;
    catalog::refresh_view(conn, root, table, &state)?;
    Ok(Some(n))
}

/// Where an INSERT INTO a Hive table writes its files before moving them into the table.
pub(crate) fn insert_tmp(root: &Path, tag: &str) -> PathBuf {
    root.join("target").join("tmp").join(tag)
}

/// The directories under which a statement writing `writes` writes Parquet files (tagged, see
/// [`super::statements::files_tag`]): a CTAS its location; an INSERT INTO a Hive table the
/// table's location, its partitions' locations and its temporary directory.
pub fn written_dirs(
    conn: &Connection,
    root: &Path,
    writes: &Writes,
    tag: &str,
) -> Result<Vec<PathBuf>, EngineError> {
    Ok(match writes {
        Writes::Table(new) => vec![catalog::resolve(root, &new.location)],
        Writes::Insert { table } => {
            let Some(state) = catalog::get(conn, table)? else {
                return Ok(Vec::new());
            };
            if state.kind != TableKind::Hive {
                return Ok(Vec::new());
            }
            state
                .location
                .iter()
                .map(|l| catalog::resolve(root, l))
                .chain(
                    state
                        .partitions
                        .iter()
                        .map(|p| catalog::resolve(root, &p.location)),
                )
                .chain([insert_tmp(root, tag)])
                .collect()
        }
        Writes::View { .. } | Writes::Merge { .. } => Vec::new(),
    })
}

/// `duck` with its `bigint` columns (of `columns`, Athena types) cast to DuckDB's BIGINT.
/// DuckDB sums integers into HUGEINT, which Parquet has no type for: DuckDB would write it
/// as DOUBLE, where Athena's sum is a bigint (and large values would lose precision).
fn bigint_exact(duck: &str, columns: &[ColumnState]) -> String {
    let casts: Vec<String> = columns
        .iter()
        .filter(|c| c.data_type == "bigint")
        .map(|c| format!("CAST({q} AS BIGINT) AS {q}", q = catalog::quote(&c.name)))
        .collect();
    if casts.is_empty() {
        return duck.to_string();
    }
    format!(
        "SELECT * REPLACE ({}) FROM ({duck}) AS karte_q",
        casts.join(", ")
    )
}
