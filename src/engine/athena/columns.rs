//! The `on_schema_change` check: a query's columns compared with the table's, before an
//! incremental write.

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
        _ => Err(EngineError::project(crate::t!(
            "engine-columns-changed",
            added = if added.is_empty() {
                crate::t!("engine-none")
            } else {
                added
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            removed = if removed.is_empty() {
                crate::t!("engine-none")
            } else {
                removed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            table = table.to_string(),
            policy = policy.to_string()
        ))),
    }
}
