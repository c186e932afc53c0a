//! What the engine reads from SQL text and column lists without running anything: the table
//! (and its `external_location`) a CTAS creates, the view a `CREATE VIEW` creates, and the
//! `on_schema_change` comparison of a query's columns with a table's.

use crate::engine::EngineError;
use crate::plan::catalog::TableState;
use crate::plan::TableRef;

/// Compare a query's columns with a table's, per `on_schema_change`.
pub(super) fn compare_columns(
    table: &TableRef,
    state: &TableState,
    columns: &[String],
    policy: &str,
) -> Result<(), EngineError> {
    let have: Vec<String> = state
        .columns
        .iter()
        .map(|c| c.name.to_lowercase())
        .chain(state.partition_keys.iter().map(|k| k.to_lowercase()))
        .collect();
    let want: Vec<String> = columns.iter().map(|c| c.to_lowercase()).collect();
    let added: Vec<&String> = want.iter().filter(|c| !have.contains(c)).collect();
    let removed: Vec<&String> = have.iter().filter(|c| !want.contains(c)).collect();
    if added.is_empty() && removed.is_empty() {
        return Ok(());
    }
    match policy {
        "ignore" => Ok(()),
        _ => Err(EngineError::project(format!(
            "the columns of the model changed (new: {}; gone: {}) and {table} has on_schema_change: {policy}; run with --full-refresh to rebuild it",
            if added.is_empty() { "none".into() } else { added.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ") },
            if removed.is_empty() { "none".into() } else { removed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ") },
        ))),
    }
}

/// The table a CTAS creates and its `external_location`.
pub(super) fn created_table(sql: &str) -> Option<(TableRef, String)> {
    use sqlparser::ast::{CreateTableOptions, SqlOption, Statement};
    let stmt = sqlparser::parser::Parser::parse_sql(&crate::sql::AthenaDialect, sql)
        .ok()?
        .into_iter()
        .next()?;
    let Statement::CreateTable(ct) = stmt else {
        return None;
    };
    let parts: Vec<String> = ct
        .name
        .0
        .iter()
        .map(|p| p.to_string().trim_matches('"').to_string())
        .collect();
    let table = match parts.as_slice() {
        [.., schema, name] => TableRef {
            schema: schema.clone(),
            name: name.clone(),
        },
        _ => return None,
    };
    let CreateTableOptions::With(list) = &ct.table_options else {
        return None;
    };
    list.iter().find_map(|o| match o {
        SqlOption::KeyValue { key, value }
            if key.value.eq_ignore_ascii_case("external_location") =>
        {
            let v = value.to_string();
            Some((table.clone(), v.trim_matches('\'').to_string()))
        }
        _ => None,
    })
}

/// The view a `CREATE [OR REPLACE] VIEW [catalog.]schema.name AS …` statement creates.
pub(super) fn created_view(sql: &str) -> Option<TableRef> {
    let words: Vec<&str> = sql.split_whitespace().take(6).collect();
    let upper: Vec<String> = words.iter().map(|w| w.to_uppercase()).collect();
    let name = match upper
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["CREATE", "OR", "REPLACE", "VIEW", ..] => words.get(4)?,
        ["CREATE", "VIEW", ..] => words.get(2)?,
        _ => return None,
    };
    let parts: Vec<&str> = name.split('.').map(|p| p.trim_matches('"')).collect();
    match parts.as_slice() {
        [.., schema, table] => Some(TableRef {
            schema: schema.to_string(),
            name: table.to_string(),
        }),
        _ => None,
    }
}
