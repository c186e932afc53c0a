//! Running one Athena statement of a plan on DuckDB: a CTAS, INSERT INTO, MERGE or CREATE
//! VIEW, as the step's [`Writes`] says. Only the query is taken from the statement, and
//! translated with [`super::translate`]; the table, its format, location and partitioning
//! come from the plan. Hive data is written as Parquet under the lake, hive-style.

use std::path::Path;

use duckdb::Connection;
use sqlparser::ast::Statement;
use sqlparser::parser::Parser;

use super::catalog::{self, db, exec, exec_params, file_op, ident, lit, quote};
use super::hive::{create_hive, insert_hive, unique};
use super::translate;
use crate::engine::{EngineError, TestOutcome};
use crate::plan::batch::PartitionValue;
use crate::plan::catalog::{ColumnState, TableKind, TableState};
use crate::plan::step::{NewTable, TableFormat, Writes};
use crate::plan::TableRef;
use crate::sql::AthenaDialect;

/// Translate Athena SQL to DuckDB, or say which construct cannot run locally.
pub fn to_duck(sql: &str) -> Result<String, EngineError> {
    let _span = crate::diag::timings::span("local: translate");
    translate::translate(sql).map_err(|problems| {
        let list: Vec<String> = problems
            .iter()
            .map(|p| format!("`{}`: {}", p.construct, p.message))
            .collect();
        EngineError::project(crate::t!(
            "engine-untranslatable",
            problems = list.join("; ")
        ))
    })
}

/// Run one statement, which writes what `writes` says; returns rows written where known. The
/// Parquet files it writes are named `data_<tag>_…` (see [`files_tag`]), so that what a killed
/// attempt wrote can be told apart.
pub fn run(
    conn: &Connection,
    root: &Path,
    sql: &str,
    writes: &Writes,
    tag: &str,
) -> Result<Option<u64>, EngineError> {
    match writes {
        Writes::Table(new) => {
            let query = query_of(sql, writes)?;
            match new.format {
                TableFormat::Iceberg => create_iceberg(conn, new, &query),
                TableFormat::Hive => create_hive(conn, root, new, &query, tag),
            }
        }
        Writes::Insert { table } => {
            let query = query_of(sql, writes)?;
            let state = catalog::get(conn, table)?.ok_or_else(|| {
                EngineError::internal(crate::t!(
                    "engine-not-in-local-catalog",
                    table = table.to_string()
                ))
            })?;
            match state.kind {
                TableKind::Iceberg => {
                    let duck = to_duck(&query)?;
                    let n = exec_params(conn, &format!("INSERT INTO {} {duck}", ident(table)), [])
                        .map_err(db)?;
                    Ok(Some(n as u64))
                }
                TableKind::Hive => insert_hive(conn, root, table, state, &query, tag),
                TableKind::View => Err(EngineError::project(crate::t!(
                    "engine-insert-into-view",
                    table = table.to_string()
                ))),
            }
        }
        Writes::View { view } => {
            let duck = to_duck(&query_of(sql, writes)?)?;
            exec(
                conn,
                &format!(
                    "CREATE SCHEMA IF NOT EXISTS {}; CREATE OR REPLACE VIEW {} AS {duck}",
                    quote(&view.schema),
                    ident(view)
                ),
            )
            .map_err(|e| EngineError::project(format!("{e}")))?;
            catalog::put(
                conn,
                view,
                &TableState {
                    kind: TableKind::View,
                    location: None,
                    managed: true,
                    owned_prefix: None,
                    columns: describe(conn, &format!("SELECT * FROM {}", ident(view)))?,
                    partition_keys: Vec::new(),
                    partition_types: Vec::new(),
                    partitions: Vec::new(),
                    previous_locations: Vec::new(),
                    ingested: None,
                    version_id: None,
                    parameters: Default::default(),
                },
            )?;
            Ok(None)
        }
        // A MERGE is translated whole: DuckDB runs MERGE INTO.
        Writes::Merge { .. } => {
            let duck = to_duck(sql)?;
            let n =
                exec_params(conn, &duck, []).map_err(|e| EngineError::project(format!("{e}")))?;
            Ok(Some(n as u64))
        }
    }
}

/// The query of a statement that writes what `writes` says: what follows `AS` in a CTAS or a
/// view, the source of an INSERT. Nothing else is read from the statement.
fn query_of(sql: &str, writes: &Writes) -> Result<String, EngineError> {
    let _span = crate::diag::timings::span("local: query of statement");
    let mut parsed = Parser::parse_sql(&AthenaDialect, sql).map_err(|e| {
        EngineError::internal(crate::t!(
            "engine-cannot-read-statement",
            error = e.to_string()
        ))
    })?;
    if parsed.len() != 1 {
        return Err(EngineError::internal(crate::t!(
            "engine-several-statements"
        )));
    }
    let (query, expected) = match (parsed.remove(0), writes) {
        (Statement::CreateTable(ct), Writes::Table(_)) => {
            (ct.query.map(|q| q.to_string()), "CREATE TABLE … AS")
        }
        (Statement::Insert(ins), Writes::Insert { .. }) => {
            (ins.source.map(|q| q.to_string()), "INSERT INTO")
        }
        (Statement::CreateView(cv), Writes::View { .. }) => {
            (Some(cv.query.to_string()), "CREATE VIEW")
        }
        (_, Writes::Table(_)) => (None, "CREATE TABLE … AS"),
        (_, Writes::Insert { .. }) => (None, "INSERT INTO"),
        (_, Writes::View { .. }) => (None, "CREATE VIEW"),
        (_, Writes::Merge { .. }) => (None, "MERGE"),
    };
    query.ok_or_else(|| {
        EngineError::project(crate::t!(
            "engine-statement-not-planned",
            expected = expected.to_string()
        ))
    })
}

/// Column names and Athena types of a DuckDB query.
pub(super) fn describe(conn: &Connection, duck: &str) -> Result<Vec<ColumnState>, EngineError> {
    let _span = crate::diag::timings::span("local: describe");
    let mut stmt = conn
        .prepare(&format!("DESCRIBE {duck}"))
        .map_err(|e| EngineError::project(format!("{e}")))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .map_err(|e| EngineError::project(format!("{e}")))?;
    let mut out = Vec::new();
    for r in rows {
        let (name, ty) = r.map_err(db)?;
        out.push(ColumnState {
            name,
            data_type: catalog::athena_type(&ty),
        });
    }
    Ok(out)
}

fn compression(c: &str) -> &'static str {
    match c.to_lowercase().as_str() {
        "zstd" => "zstd",
        "gzip" => "gzip",
        "lz4" => "lz4_raw",
        "none" => "uncompressed",
        _ => "snappy",
    }
}

fn create_iceberg(
    conn: &Connection,
    new: &NewTable,
    query: &str,
) -> Result<Option<u64>, EngineError> {
    let table = &new.table;
    let duck = to_duck(query)?;
    catalog::drop_object(conn, table)?;
    exec(
        conn,
        &format!("CREATE SCHEMA IF NOT EXISTS {}", quote(&table.schema)),
    )
    .map_err(db)?;
    let n = exec_params(
        conn,
        &format!("CREATE TABLE {} AS {duck}", ident(table)),
        [],
    )
    .map_err(|e| EngineError::project(format!("{e}")))?;
    let columns = describe(conn, &format!("SELECT * FROM {}", ident(table)))?;
    catalog::put(
        conn,
        table,
        &TableState {
            kind: TableKind::Iceberg,
            location: Some(new.location.clone()),
            managed: true,
            owned_prefix: Some(new.owned_prefix.clone()),
            columns,
            partition_keys: Vec::new(),
            partition_types: Vec::new(),
            partitions: Vec::new(),
            previous_locations: Vec::new(),
            ingested: None,
            version_id: None,
            parameters: Default::default(),
        },
    )?;
    Ok(Some(n as u64))
}

pub(super) fn copy_to(
    conn: &Connection,
    duck: &str,
    dir: &Path,
    partitions: &[String],
    compression_name: &str,
    tag: &str,
) -> Result<u64, EngineError> {
    create_dir(dir)?;
    let sql = if partitions.is_empty() {
        format!(
            "COPY ({duck}) TO {} (FORMAT parquet, COMPRESSION {})",
            lit(&dir
                .join(format!("data_{tag}_{}.parquet", unique()))
                .to_string_lossy()),
            compression(compression_name)
        )
    } else {
        format!(
            "COPY ({duck}) TO {} (FORMAT parquet, PARTITION_BY ({}), FILENAME_PATTERN 'data_{tag}_{{uuid}}', OVERWRITE_OR_IGNORE true, COMPRESSION {})",
            lit(&dir.to_string_lossy()),
            partitions.iter().map(|p| quote(p)).collect::<Vec<_>>().join(", "),
            compression(compression_name)
        )
    };
    let _span = crate::diag::timings::span("local: copy to parquet");
    let n = exec_params(conn, &sql, []).map_err(|e| EngineError::project(format!("{e}")))?;
    Ok(n as u64)
}

/// `create_dir_all`, as one operation of the kill tests.
pub(crate) fn create_dir(dir: &Path) -> Result<(), EngineError> {
    file_op(
        || format!("mkdir -p {}", dir.display()),
        || std::fs::create_dir_all(dir),
    )
    .map_err(|e| {
        EngineError::environment(crate::t!(
            "engine-cannot-create",
            path = dir.display().to_string(),
            error = e.to_string()
        ))
    })
}

/// The tag in the names of the files a step of a run writes: `data_<tag>_….parquet`.
pub fn files_tag(run_id: &str, work_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [run_id, work_id] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("k{}", &hex[..16])
}

/// Remove the files named `data_<tag>_…` under `dir` (recursively), and the directories that
/// held only them: what an attempt of the step killed before its commit wrote there. Nothing
/// else is touched.
pub(crate) fn remove_tagged(dir: &Path, tag: &str) -> Result<usize, EngineError> {
    let prefix = format!("data_{tag}_");
    let mut removed = 0;
    let mut parents = std::collections::BTreeSet::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file()
            && entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
        {
            let path = entry.path().to_path_buf();
            file_op(
                || format!("rm {}", path.display()),
                || std::fs::remove_file(&path),
            )
            .map_err(|e| {
                EngineError::environment(crate::t!(
                    "engine-cannot-remove",
                    path = path.display().to_string(),
                    error = e.to_string()
                ))
            })?;
            removed += 1;
            if let Some(p) = path.parent() {
                parents.insert(p.to_path_buf());
            }
        }
    }
    // Deepest first: a directory emptied here, then its parents up to `dir` (kept).
    for p in parents.iter().rev() {
        let mut d = p.as_path();
        while d != dir && d.starts_with(dir) {
            let empty = std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_none());
            if !empty {
                break;
            }
            file_op(
                || format!("rmdir {}", d.display()),
                || std::fs::remove_dir(d),
            )
            .map_err(|e| {
                EngineError::environment(crate::t!(
                    "engine-cannot-remove",
                    path = d.display().to_string(),
                    error = e.to_string()
                ))
            })?;
            match d.parent() {
                Some(up) => d = up,
                None => break,
            }
        }
    }
    Ok(removed)
}

/// A query result as text: column names, then rows (NULL as `None`).
pub type TextRows = (Vec<String>, Vec<Vec<Option<String>>>);

/// Run a DuckDB query and return every value as text.
pub fn query_text(conn: &Connection, duck: &str) -> Result<TextRows, EngineError> {
    let columns: Vec<String> = describe(conn, &format!("({duck})"))?
        .into_iter()
        .map(|c| c.name)
        .collect();
    if columns.is_empty() {
        return Ok((columns, Vec::new()));
    }
    let casts = columns
        .iter()
        .map(|c| format!("CAST({} AS VARCHAR)", quote(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn
        .prepare(&format!("SELECT {casts} FROM ({duck}) AS karte_q"))
        .map_err(|e| EngineError::project(format!("{e}")))?;
    let n = columns.len();
    let rows = stmt
        .query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, Option<String>>(i))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| EngineError::project(format!("{e}")))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r.map_err(|e| EngineError::project(format!("{e}")))?);
    }
    Ok((columns, out))
}

/// The partition values a probe query returns, typed.
pub fn probe(
    conn: &Connection,
    sql: &str,
    n: usize,
) -> Result<Vec<Vec<PartitionValue>>, EngineError> {
    let duck = to_duck(sql)?;
    let types = describe(conn, &format!("({duck})"))?;
    let (_, rows) = query_text(conn, &duck)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .take(n)
                .zip(&types)
                .map(|(v, t)| PartitionValue {
                    value: v,
                    data_type: t.data_type.clone(),
                })
                .collect()
        })
        .collect())
}

/// Apply `on_schema_change`: new columns fail, or are added.
pub fn check_schema(
    conn: &Connection,
    root: &Path,
    table: &TableRef,
    query: &str,
    policy: &str,
) -> Result<(), EngineError> {
    let duck = to_duck(query)?;
    let new_cols = describe(conn, &format!("({duck})"))?;
    let Some(mut state) = catalog::get(conn, table)? else {
        return Ok(());
    };
    let known: Vec<&str> = state
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .chain(state.partition_keys.iter().map(String::as_str))
        .collect();
    let added: Vec<ColumnState> = new_cols
        .into_iter()
        .filter(|c| !known.contains(&c.name.as_str()))
        .collect();
    if added.is_empty() || policy == "ignore" {
        return Ok(());
    }
    let names: Vec<&str> = added.iter().map(|c| c.name.as_str()).collect();
    if policy == "fail" {
        return Err(EngineError::project(crate::t!(
            "engine-new-columns",
            table = table.to_string(),
            columns = names.join(", ")
        )));
    }
    if state.kind == TableKind::Iceberg {
        for c in &added {
            exec(
                conn,
                &format!(
                    "ALTER TABLE {} ADD COLUMN {} {}",
                    ident(table),
                    quote(&c.name),
                    catalog::duck_type(&c.data_type)
                ),
            )
            .map_err(db)?;
        }
    }
    state.columns.extend(added);
    catalog::put(conn, table, &state)?;
    catalog::refresh_view(conn, root, table, &state)
}

/// Count a test's failing rows and take a sample.
pub fn run_test(conn: &Connection, sql: &str, sample: usize) -> Result<TestOutcome, EngineError> {
    let duck = to_duck(sql)?;
    let failures: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM ({duck}) AS karte_t"),
            [],
            |r| r.get(0),
        )
        .map_err(|e| EngineError::project(format!("{e}")))?;
    let (columns, rows) = if failures > 0 {
        query_text(
            conn,
            &format!("SELECT * FROM ({duck}) AS karte_t LIMIT {sample}"),
        )?
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(TestOutcome {
        failures: failures.max(0) as u64,
        columns,
        sample: rows
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|v| v.unwrap_or_else(|| "NULL".into()))
                    .collect()
            })
            .collect(),
    })
}

/// Keep a test's failing rows in a table.
pub fn store_failures(conn: &Connection, table: &TableRef, sql: &str) -> Result<(), EngineError> {
    let duck = to_duck(sql)?;
    exec(
        conn,
        &format!(
            "CREATE SCHEMA IF NOT EXISTS {}; CREATE OR REPLACE TABLE {} AS {duck}",
            quote(&table.schema),
            ident(table)
        ),
    )
    .map_err(|e| EngineError::project(format!("{e}")))
}
