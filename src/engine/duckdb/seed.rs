//! Seeds: a CSV file (UTF-8, or CP932 / Shift_JIS as Japanese spreadsheets save them; a BOM is
//! fine) with declared column types, loaded as a Parquet table. Bad rows are reported with
//! file:line.

use std::collections::BTreeMap;
use std::path::Path;

use duckdb::Connection;

use super::catalog::{self, db, exec, exec_params, lit, quote};
use crate::engine::seedfile::{self, SeedFile};
use crate::engine::EngineError;
use crate::plan::catalog::{ColumnState, TableKind, TableState};
use crate::plan::TableRef;

/// Load a seed file into `table` at `location`; returns the number of rows.
#[allow(clippy::too_many_arguments)]
pub fn load(
    conn: &Connection,
    root: &Path,
    file: &str,
    table: &TableRef,
    location: &str,
    column_types: &BTreeMap<String, String>,
    encoding: &str,
    delimiter: &str,
) -> Result<u64, EngineError> {
    let SeedFile { headers, rows } = seedfile::read(root, file, encoding, delimiter, column_types)?;

    // Stage as text, check the types with the line of every bad value, then write Parquet.
    let stage = format!(
        "karte_seed_{}",
        table
            .name
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    let cols_sql = headers
        .iter()
        .map(|h| format!("{} VARCHAR", quote(h)))
        .collect::<Vec<_>>()
        .join(", ");
    exec(
        conn,
        &format!("CREATE OR REPLACE TEMP TABLE {stage} (karte_line BIGINT, {cols_sql})"),
    )
    .map_err(db)?;
    crate::engine::failpoint::around(
        || format!("local: append {} rows to {stage}", rows.len()),
        || {
            let mut app = conn.appender(&stage).map_err(db)?;
            for (line, values) in &rows {
                let mut params: Vec<Box<dyn duckdb::ToSql>> = vec![Box::new(*line as i64)];
                for v in values {
                    params.push(Box::new(v.clone()));
                }
                app.append_row(duckdb::appender_params_from_iter(
                    params.iter().map(|p| p.as_ref()),
                ))
                .map_err(db)?;
            }
            app.flush().map_err(db)
        },
    )?;
    let types: Vec<(String, String)> = headers
        .iter()
        .map(|h| {
            (
                h.clone(),
                column_types
                    .get(h)
                    .cloned()
                    .unwrap_or_else(|| "varchar".into()),
            )
        })
        .collect();
    for (col, ty) in &types {
        let duck = catalog::duck_type(ty);
        let mut stmt = conn
            .prepare(&format!(
                "SELECT karte_line, {c} FROM {stage} WHERE {c} IS NOT NULL AND TRY_CAST({c} AS {duck}) IS NULL ORDER BY 1 LIMIT 5",
                c = quote(col)
            ))
            .map_err(|e| {
                EngineError::project(crate::t!(
                    "engine-seed-unknown-type",
                    file = file.to_string(),
                    column = col.to_string(),
                    type = ty.to_string(),
                    error = e.to_string()
                ))
            })?;
        let bad: Vec<(i64, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(db)?
            .filter_map(Result::ok)
            .collect();
        if let Some((line, value)) = bad.first() {
            return Err(EngineError::project(crate::t!(
                "engine-seed-bad-value",
                file = file.to_string(),
                line = line.to_string(),
                value = value,
                column = col.to_string(),
                type = ty.to_string(),
                more = if bad.len() > 1 {
                    crate::t!("engine-seed-more-rows", count = (bad.len() - 1).to_string())
                } else {
                    String::new()
                }
            )));
        }
    }
    let select = types
        .iter()
        .map(|(c, ty)| {
            format!(
                "CAST({q} AS {}) AS {q}",
                catalog::duck_type(ty),
                q = quote(c)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let dir = catalog::resolve(root, location);
    super::statements::create_dir(&dir)?;
    exec_params(
        conn,
        &format!(
            "COPY (SELECT {select} FROM {stage} ORDER BY karte_line) TO {} (FORMAT parquet)",
            lit(&dir.join("data_0.parquet").to_string_lossy())
        ),
        [],
    )
    .map_err(db)?;
    exec(conn, &format!("DROP TABLE {stage}")).map_err(db)?;
    let state = TableState {
        kind: TableKind::Hive,
        location: Some(location.to_string()),
        managed: true,
        owned_prefix: None,
        columns: types
            .iter()
            .map(|(c, t)| ColumnState {
                name: c.clone(),
                data_type: t.to_lowercase(),
            })
            .collect(),
        partition_keys: Vec::new(),
        partition_types: Vec::new(),
        partitions: Vec::new(),
        previous_locations: Vec::new(),
        ingested: None,
        version_id: None,
        parameters: Default::default(),
    };
    exec(
        conn,
        &format!("CREATE SCHEMA IF NOT EXISTS {}", quote(&table.schema)),
    )
    .map_err(db)?;
    catalog::put(conn, table, &state)?;
    catalog::refresh_view(conn, root, table, &state)?;
    Ok(rows.len() as u64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_cp932_with_nec_and_ibm_extensions() {
        // "①髙～" in CP932: ① = 0x87 0x40 (NEC), 髙 = 0xFB 0xFC (IBM), ～ = 0x81 0x60
        let text =
            crate::engine::seedfile::decode(b"\x87\x40\xFB\xFC\x81\x60", "cp932", "s.csv").unwrap();
        assert_eq!(text, "①髙～");
        assert!(
            crate::engine::seedfile::decode(b"\x87\x40", "utf-8", "s.csv")
                .unwrap_err()
                .message
                .contains("cp932")
        );
    }
}
