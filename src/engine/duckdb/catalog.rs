//! The local catalog: what Glue is on Athena. Table states (the same [`TableState`] the planner
//! reads) are kept as JSON in `karte_catalog.entries` of the DuckDB file; a Hive table is a
//! DuckDB view over the Parquet files of its registered partitions, an Iceberg table a DuckDB
//! table, a view a DuckDB view.

use std::path::{Path, PathBuf};

use duckdb::{params, Connection};

use crate::engine::{failpoint, EngineError};
use crate::plan::catalog::{CatalogState, TableKind, TableState};
use crate::plan::TableRef;

/// Create the catalog's own tables if missing: the table states, and the steps applied (see
/// [`applied`]).
pub fn init(conn: &Connection) -> Result<(), EngineError> {
    conn.execute_batch(
        "CREATE SCHEMA IF NOT EXISTS karte_catalog;
         CREATE TABLE IF NOT EXISTS karte_catalog.entries (
             schema_name VARCHAR NOT NULL,
             table_name VARCHAR NOT NULL,
             state VARCHAR NOT NULL,
             PRIMARY KEY (schema_name, table_name)
         );
         CREATE TABLE IF NOT EXISTS karte_catalog.applied (
             run_id VARCHAR NOT NULL,
             work_id VARCHAR NOT NULL,
             outcome VARCHAR NOT NULL
         );",
    )
    .map_err(db)
}

/// Run statements that change something, as one operation of [`failpoint`] (a kill test may
/// end the process right before or after it).
pub fn exec(conn: &Connection, sql: &str) -> Result<(), duckdb::Error> {
    failpoint::around(|| format!("local: {sql}"), || conn.execute_batch(sql))
}

/// [`exec`] for one statement with parameters; the number of rows changed.
pub fn exec_params(
    conn: &Connection,
    sql: &str,
    params: impl duckdb::Params,
) -> Result<usize, duckdb::Error> {
    failpoint::around(|| format!("local: {sql}"), || conn.execute(sql, params))
}

/// A change to the lake's files (create a directory, rename, remove), as one operation of
/// [`failpoint`].
pub fn file_op<T>(what: impl FnOnce() -> String, f: impl FnOnce() -> T) -> T {
    failpoint::around(|| format!("local: {}", what()), f)
}

/// Run `f` in one DuckDB transaction: everything it changes in the catalog file is committed
/// together, or (on an error, or if the process dies first) not at all.
pub fn transaction<T>(
    conn: &Connection,
    f: impl FnOnce() -> Result<T, EngineError>,
) -> Result<T, EngineError> {
    let span = crate::diag::timings::span("local: begin");
    conn.execute_batch("BEGIN TRANSACTION").map_err(db)?;
    drop(span);
    match f() {
        Ok(v) => match commit(conn) {
            Ok(()) => Ok(v),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(db(e))
            }
        },
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn commit(conn: &Connection) -> Result<(), duckdb::Error> {
    let _span = crate::diag::timings::span("local: commit");
    exec(conn, "COMMIT")
}

/// Steps a run has applied: a row per (run, step) with the step's outcome, written in the
/// step's own transaction. A resumed run that meets a step it applied before it was killed
/// (the journal never heard of it) takes the outcome instead of applying the step twice.
pub mod applied {
    use duckdb::{params, Connection};

    use super::{db, exec_params};
    use crate::engine::{EngineError, StepOutcome};

    /// The outcome of step `work_id` of `run_id`, if it was applied.
    pub fn get(
        conn: &Connection,
        run_id: &str,
        work_id: &str,
    ) -> Result<Option<StepOutcome>, EngineError> {
        let mut stmt = conn
            .prepare("SELECT outcome FROM karte_catalog.applied WHERE run_id = ? AND work_id = ?")
            .map_err(db)?;
        let mut rows = stmt.query(params![run_id, work_id]).map_err(db)?;
        let Some(row) = rows.next().map_err(db)? else {
            return Ok(None);
        };
        let json: String = row.get(0).map_err(db)?;
        let v: serde_json::Value = serde_json::from_str(&json).map_err(|e| {
            EngineError::internal(crate::t!(
                "engine-corrupt-step-record",
                work = work_id.to_string(),
                error = e.to_string()
            ))
        })?;
        Ok(Some(StepOutcome {
            rows_affected: v["rows"].as_u64(),
            replaced: v["replaced"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|l| l.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            ..Default::default()
        }))
    }

    /// Record that step `work_id` of `run_id` was applied, with its outcome.
    pub fn put(
        conn: &Connection,
        run_id: &str,
        work_id: &str,
        out: &StepOutcome,
    ) -> Result<(), EngineError> {
        let json = serde_json::json!({"rows": out.rows_affected, "replaced": out.replaced});
        exec_params(
            conn,
            "INSERT INTO karte_catalog.applied VALUES (?, ?, ?)",
            params![run_id, work_id, json.to_string()],
        )
        .map_err(db)?;
        Ok(())
    }

    /// Forget all but the newest `keep` runs (a run is resumed, if at all, by the next build).
    pub fn prune(conn: &Connection, keep: usize) -> Result<(), EngineError> {
        exec_params(
            conn,
            &format!(
                "DELETE FROM karte_catalog.applied WHERE run_id NOT IN (SELECT run_id FROM (SELECT DISTINCT run_id FROM karte_catalog.applied) ORDER BY run_id DESC LIMIT {keep})"
            ),
            [],
        )
        .map_err(db)?;
        Ok(())
    }
}

/// A DuckDB error, blamed on the environment.
pub fn db(e: duckdb::Error) -> EngineError {
    EngineError::environment(crate::t!("engine-local-error", error = e.to_string()))
}

/// `"schema"."name"`.
pub fn ident(t: &TableRef) -> String {
    format!("{}.{}", quote(&t.schema), quote(&t.name))
}

/// A DuckDB identifier in double quotes.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A DuckDB string literal.
pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The state of a table, if registered.
pub fn get(conn: &Connection, t: &TableRef) -> Result<Option<TableState>, EngineError> {
    let _span = crate::diag::timings::span("local: catalog get");
    let mut stmt = conn
        .prepare("SELECT state FROM karte_catalog.entries WHERE schema_name = ? AND table_name = ?")
        .map_err(db)?;
    let mut rows = stmt.query(params![t.schema, t.name]).map_err(db)?;
    match rows.next().map_err(db)? {
        Some(row) => {
            let json: String = row.get(0).map_err(db)?;
            serde_json::from_str(&json).map(Some).map_err(|e| {
                EngineError::internal(crate::t!(
                    "engine-corrupt-entry",
                    table = t.to_string(),
                    error = e.to_string()
                ))
            })
        }
        None => Ok(None),
    }
}

/// Register or replace a table's state.
pub fn put(conn: &Connection, t: &TableRef, state: &TableState) -> Result<(), EngineError> {
    let _span = crate::diag::timings::span("local: catalog put");
    let json = serde_json::to_string(state).map_err(|e| EngineError::internal(e.to_string()))?;
    exec_params(
        conn,
        "INSERT OR REPLACE INTO karte_catalog.entries VALUES (?, ?, ?)",
        params![t.schema, t.name, json],
    )
    .map_err(db)?;
    Ok(())
}

/// Remove a table's entry (not its data).
pub fn remove(conn: &Connection, t: &TableRef) -> Result<(), EngineError> {
    exec_params(
        conn,
        "DELETE FROM karte_catalog.entries WHERE schema_name = ? AND table_name = ?",
        params![t.schema, t.name],
    )
    .map_err(db)?;
    Ok(())
}

/// The whole catalog, for planning.
pub fn state(conn: &Connection) -> Result<CatalogState, EngineError> {
    let _span = crate::diag::timings::span("local: catalog state");
    let mut stmt = conn
        .prepare("SELECT schema_name, table_name, state FROM karte_catalog.entries ORDER BY 1, 2")
        .map_err(db)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .map_err(db)?;
    let mut out = CatalogState::default();
    for row in rows {
        let (schema, name, json) = row.map_err(db)?;
        let state: TableState = serde_json::from_str(&json).map_err(|e| {
            EngineError::internal(crate::t!(
                "engine-corrupt-entry",
                table = format!("{schema}.{name}"),
                error = e.to_string()
            ))
        })?;
        out.tables.insert(format!("{schema}.{name}"), state);
    }
    Ok(out)
}

/// True if a table or view `t` exists in DuckDB.
pub fn exists(conn: &Connection, t: &TableRef) -> Result<bool, EngineError> {
    let _span = crate::diag::timings::span("local: exists");
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ?",
            params![t.schema, t.name],
            |r| r.get(0),
        )
        .map_err(db)?;
    Ok(n > 0)
}

/// Drop whatever DuckDB object has this name (view or table). This lists DuckDB's whole catalog
/// (`information_schema.tables` is slow: milliseconds per thousand objects): where the name is
/// one karte registered, [`drop_registered`] is the fast way.
pub fn drop_object(conn: &Connection, t: &TableRef) -> Result<(), EngineError> {
    let _span = crate::diag::timings::span("local: drop object");
    let kind: Option<String> = conn
        .query_row(
            "SELECT table_type FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ?",
            params![t.schema, t.name],
            |r| r.get(0),
        )
        .ok();
    match kind.as_deref() {
        Some("VIEW") => exec(conn, &format!("DROP VIEW {}", ident(t))).map_err(db),
        Some(_) => exec(conn, &format!("DROP TABLE {}", ident(t))).map_err(db),
        None => Ok(()),
    }
}

/// Drop the DuckDB object of a name in the catalog, by what its entry says — the view of a Hive
/// table or of a view, the table of an Iceberg table — with one keyed lookup. karte changes an
/// entry and its object in the same transaction, so the entry tells the object's type; without
/// an entry, a view of that name if there is one. A DuckDB table that karte has not registered
/// is never dropped here: DuckDB refuses the `DROP VIEW` and the step fails.
pub fn drop_registered(conn: &Connection, t: &TableRef) -> Result<(), EngineError> {
    let _span = crate::diag::timings::span("local: drop registered");
    let kind: Option<String> = conn
        .query_row(
            "SELECT json_extract_string(state, '$.kind') FROM karte_catalog.entries WHERE schema_name = ? AND table_name = ?",
            params![t.schema, t.name],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            duckdb::Error::QueryReturnedNoRows => Ok(None),
            e => Err(db(e)),
        })?;
    let what = match kind.as_deref() {
        Some("iceberg") => "TABLE",
        _ => "VIEW",
    };
    exec(conn, &format!("DROP {what} IF EXISTS {}", ident(t))).map_err(db)
}

/// Resolve a plan location (relative to the project, or absolute) to a directory.
pub fn resolve(root: &Path, location: &str) -> PathBuf {
    let p = Path::new(location.trim_start_matches("file://"));
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    }
}

/// DuckDB type for an Athena type name.
pub fn duck_type(athena: &str) -> String {
    let t = athena.trim().to_lowercase();
    match t.as_str() {
        "string" | "varchar" | "char" => "VARCHAR".into(),
        "int" | "integer" => "INTEGER".into(),
        "tinyint" | "smallint" | "bigint" | "double" | "real" | "float" | "boolean" | "date" => {
            t.to_uppercase()
        }
        _ if t.starts_with("varchar") || t.starts_with("char") => "VARCHAR".into(),
        _ if t.starts_with("timestamp") => "TIMESTAMP".into(),
        _ => t.to_uppercase(),
    }
}

/// Athena type name for a DuckDB type.
pub fn athena_type(duck: &str) -> String {
    let t = duck.trim().to_uppercase();
    match t.as_str() {
        "VARCHAR" => "varchar".into(),
        "INTEGER" => "integer".into(),
        "BIGINT" | "HUGEINT" => "bigint".into(),
        "SMALLINT" => "smallint".into(),
        "TINYINT" => "tinyint".into(),
        "DOUBLE" => "double".into(),
        "FLOAT" => "real".into(),
        "BOOLEAN" => "boolean".into(),
        "DATE" => "date".into(),
        _ if t.starts_with("TIMESTAMP") => "timestamp".into(),
        _ if t.starts_with("DECIMAL") => t.to_lowercase(),
        _ if t.ends_with("[]") => format!("array({})", athena_type(&t[..t.len() - 2])),
        _ => t.to_lowercase(),
    }
}

/// (Re)create the DuckDB object a table state stands for: the reader view of a Hive table.
pub fn refresh_view(
    conn: &Connection,
    root: &Path,
    t: &TableRef,
    s: &TableState,
) -> Result<(), EngineError> {
    if s.kind != TableKind::Hive {
        return Ok(());
    }
    let files: Vec<String> = if s.projected() && !s.partition_keys.is_empty() {
        projected_dirs(root, s)
            .into_iter()
            .filter(|d| has_parquet(d))
            .map(|d| format!("{}/*.parquet", d.display()))
            .collect()
    } else if s.partition_keys.is_empty() {
        let dir = resolve(root, s.location.as_deref().unwrap_or_default());
        if has_parquet(&dir) {
            vec![format!("{}/*.parquet", dir.display())]
        } else {
            Vec::new()
        }
    } else {
        s.partitions
            .iter()
            .map(|p| resolve(root, &p.location))
            .filter(|d| has_parquet(d))
            .map(|d| format!("{}/*.parquet", d.display()))
            .collect()
    };
    let body = if files.is_empty() {
        let cols: Vec<String> = s
            .columns
            .iter()
            .map(|c| {
                format!(
                    "CAST(NULL AS {}) AS {}",
                    duck_type(&c.data_type),
                    quote(&c.name)
                )
            })
            .chain(
                s.partition_keys
                    .iter()
                    .zip(
                        s.partition_types
                            .iter()
                            .chain(std::iter::repeat(&"varchar".to_string())),
                    )
                    .map(|(k, ty)| format!("CAST(NULL AS {}) AS {}", duck_type(ty), quote(k))),
            )
            .collect();
        if cols.is_empty() {
            "SELECT 1 AS empty WHERE false".to_string()
        } else {
            format!("SELECT {} WHERE false", cols.join(", "))
        }
    } else {
        let list = files.iter().map(|f| lit(f)).collect::<Vec<_>>().join(", ");
        if s.partition_keys.is_empty() {
            format!("SELECT * FROM read_parquet([{list}], union_by_name = true)")
        } else {
            let types = s
                .partition_keys
                .iter()
                .zip(
                    s.partition_types
                        .iter()
                        .chain(std::iter::repeat(&"varchar".to_string())),
                )
                .map(|(k, ty)| format!("{}: {}", lit(k), lit(&duck_type(ty))))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "SELECT * FROM read_parquet([{list}], hive_partitioning = true, union_by_name = true, hive_types = {{{types}}})"
            )
        }
    };
    drop_registered(conn, t)?;
    let _span = crate::diag::timings::span("local: create reader view");
    exec(
        conn,
        &format!(
            "CREATE SCHEMA IF NOT EXISTS {}; CREATE VIEW {} AS {body}",
            quote(&t.schema),
            ident(t)
        ),
    )
    .map_err(db)
}

/// The partition folders of a projected table, found as Athena finds them: where its
/// `storage.location.template` points (`<dir>/<k>=${k}/…`, the only form karte writes), not in
/// the catalog.
fn projected_dirs(root: &Path, s: &TableState) -> Vec<PathBuf> {
    let Some(template) = s.parameters.get(crate::plan::projection::TEMPLATE) else {
        return Vec::new();
    };
    let Some(cut) = template.find("${") else {
        return Vec::new();
    };
    let base = &template[..template[..cut].rfind('/').map(|i| i + 1).unwrap_or(0)];
    let dir = resolve(root, base);
    super::hive::find_partitions(&dir, s.partition_keys.len())
        .into_iter()
        .filter(|(_, rel)| {
            rel.split('/')
                .zip(&s.partition_keys)
                .all(|(seg, k)| seg.starts_with(&format!("{k}=")))
        })
        .map(|(_, rel)| dir.join(rel))
        .collect()
}

fn has_parquet(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "parquet"))
        })
        .unwrap_or(false)
}
