//! Types: `cardinality` of an array or a map, and `typeof` with Trino's type names.

use duckdb::core::{DataChunkHandle, Inserter, LogicalTypeId};
use duckdb::vtab::arrow::WritableVector;

use super::{StrCol, UdfResult};

/// The number of entries of an array or a map.
pub(super) fn cardinality(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    let values = input.flat_vector(0);
    let kind = values.logical_type().try_id();
    if !matches!(kind, Ok(LogicalTypeId::List) | Ok(LogicalTypeId::Map)) {
        return Err("cardinality expects an array or a map".into());
    }
    let lists = input.list_vector(0);
    let mut out = output.flat_vector();
    for row in 0..rows {
        if values.row_is_null(row as u64) {
            out.set_null(row);
        } else {
            let len = lists.get_entry(row).1;
            out.as_mut_slice::<i64>()[row] = i64::try_from(len).unwrap_or(i64::MAX);
        }
    }
    Ok(())
}

/// `typeof`: Trino's name of DuckDB's type name.
pub(super) fn trino_type(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    let mut out = output.flat_vector();
    let mut col = StrCol::new(input, 0, rows);
    for row in 0..rows {
        match col.get(row) {
            Some(s) => out.insert(row, trino_name(&String::from_utf8_lossy(s)).as_str()),
            None => out.set_null(row),
        }
    }
    Ok(())
}

/// Trino's name for a DuckDB type name (`INTEGER[]` → `array(integer)`).
fn trino_name(duck: &str) -> String {
    let t = duck.trim();
    if let Some(inner) = t.strip_suffix("[]") {
        return format!("array({})", trino_name(inner));
    }
    let upper = t.to_ascii_uppercase();
    if let Some(inner) = upper
        .starts_with("STRUCT(")
        .then(|| t.get(7..t.len().saturating_sub(1)))
        .flatten()
    {
        let fields: Vec<String> = split_top_level(inner)
            .iter()
            .map(|field| {
                let field = field.trim();
                // `name TYPE`, the name possibly quoted.
                let split = if let Some(rest) = field.strip_prefix('"') {
                    rest.find('"').map(|i| i + 2)
                } else {
                    field.find(' ')
                };
                match split {
                    Some(i) if i <= field.len() => {
                        let (name, ty) = field.split_at(i);
                        format!("{} {}", name.trim(), trino_name(ty))
                    }
                    _ => trino_name(field),
                }
            })
            .collect();
        return format!("row({})", fields.join(", "));
    }
    if let Some(inner) = upper
        .starts_with("MAP(")
        .then(|| t.get(4..t.len().saturating_sub(1)))
        .flatten()
    {
        let parts: Vec<String> = split_top_level(inner)
            .iter()
            .map(|p| trino_name(p))
            .collect();
        return format!("map({})", parts.join(", "));
    }
    if upper.starts_with("DECIMAL") {
        return t.to_ascii_lowercase().replace(' ', "");
    }
    match upper.as_str() {
        "FLOAT" => "real".into(),
        "HUGEINT" => "bigint".into(),
        "BLOB" => "varbinary".into(),
        "TIMESTAMP" | "TIMESTAMP_MS" | "TIMESTAMP_NS" | "TIMESTAMP_S" => "timestamp(3)".into(),
        "TIMESTAMP WITH TIME ZONE" => "timestamp(3) with time zone".into(),
        "TIME" => "time(3)".into(),
        "INTERVAL" => "interval day to second".into(),
        "NULL" => "unknown".into(),
        _ => t.to_ascii_lowercase(),
    }
}

/// Splits `a, b(c, d), e` at commas outside parentheses and quotes.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trino_type_names() {
        assert_eq!(trino_name("INTEGER"), "integer");
        assert_eq!(trino_name("VARCHAR[]"), "array(varchar)");
        assert_eq!(trino_name("DECIMAL(10,2)"), "decimal(10,2)");
        assert_eq!(
            trino_name("MAP(VARCHAR, INTEGER[])"),
            "map(varchar, array(integer))"
        );
        assert_eq!(
            trino_name("STRUCT(a INTEGER, \"b c\" VARCHAR)"),
            "row(a integer, \"b c\" varchar)"
        );
        assert_eq!(trino_name("FLOAT"), "real");
    }
}
