//! Expanding a [`Action::BatchedWrite`] once the partition values are known (run time): values
//! are split into batches of at most `max_partitions_per_query`, each batch becomes one
//! statement with a typed predicate. Pure, so the engines and the tests share it.

use super::materialization::BATCH_FILTER;
use super::step::Action;

/// One partition value as the probe query returned it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PartitionValue {
    /// The value as text; None for NULL.
    pub value: Option<String>,
    /// Its Athena type (`varchar`, `date`, `integer`, …).
    pub data_type: String,
}

impl PartitionValue {
    /// A value of type `data_type`.
    pub fn new(value: impl Into<String>, data_type: &str) -> Self {
        PartitionValue {
            value: Some(value.into()),
            data_type: data_type.to_string(),
        }
    }
}

/// A SQL literal for a value of the given type.
pub fn literal(v: &PartitionValue) -> Option<String> {
    let value = v.value.as_ref()?;
    let t = v.data_type.to_lowercase();
    let quoted = format!("'{}'", value.replace('\'', "''"));
    Some(
        if t.starts_with("varchar") || t.starts_with("char") || t == "string" {
            quoted
        } else if t == "date" {
            format!("DATE {quoted}")
        } else if t.starts_with("timestamp") {
            format!("TIMESTAMP {quoted}")
        } else if t.starts_with("decimal") {
            format!("DECIMAL {quoted}")
        } else if matches!(
            t.as_str(),
            "tinyint"
                | "smallint"
                | "integer"
                | "int"
                | "bigint"
                | "double"
                | "real"
                | "float"
                | "boolean"
        ) && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '+'))
        {
            value.clone()
        } else {
            format!("CAST({quoted} AS {t})")
        },
    )
}

/// `(a = x AND b = y) OR (…)` for a batch of partitions; `a IN (x, y, …)` for one column (a
/// long OR over an expression is evaluated term by term by some engines).
pub fn predicate(columns: &[String], rows: &[Vec<PartitionValue>]) -> String {
    if rows.is_empty() {
        return "false".to_string();
    }
    if let [c] = columns {
        let literals: Vec<String> = rows
            .iter()
            .filter_map(|r| r.first().and_then(literal))
            .collect();
        let has_null = literals.len() < rows.len();
        let mut out = if literals.is_empty() {
            String::new()
        } else {
            format!("{c} IN ({})", literals.join(", "))
        };
        if has_null {
            if !out.is_empty() {
                out.push_str("\n   OR ");
            }
            out.push_str(&format!("{c} IS NULL"));
        }
        return out;
    }
    let parts: Vec<String> = rows
        .iter()
        .map(|row| {
            let terms: Vec<String> = columns
                .iter()
                .zip(row)
                .map(|(c, v)| match literal(v) {
                    Some(l) => format!("{c} = {l}"),
                    None => format!("{c} IS NULL"),
                })
                .collect();
            format!("({})", terms.join(" AND "))
        })
        .collect();
    parts.join("\n   OR ")
}

/// The statements of a batched write for the given partition values, in order. With no values,
/// a write that creates its table still runs once (creating it empty); an insert does not run.
pub fn expand(action: &Action, values: &[Vec<PartitionValue>]) -> Vec<String> {
    let Action::BatchedWrite {
        partition_columns,
        max_partitions_per_query,
        first_sql,
        rest_sql,
        ..
    } = action
    else {
        return Vec::new();
    };
    let size = (*max_partitions_per_query).max(1) as usize;
    let mut values = values.to_vec();
    values.sort();
    values.dedup();
    if values.is_empty() {
        return if first_sql != rest_sql {
            vec![first_sql.replace(BATCH_FILTER, "false")]
        } else {
            Vec::new()
        };
    }
    values
        .chunks(size)
        .enumerate()
        .map(|(i, chunk)| {
            let template = if i == 0 { first_sql } else { rest_sql };
            template.replace(BATCH_FILTER, &predicate(partition_columns, chunk))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_by_type() {
        assert_eq!(
            literal(&PartitionValue::new("2024-04-01", "date")).unwrap(),
            "DATE '2024-04-01'"
        );
        assert_eq!(
            literal(&PartitionValue::new("O'Brien", "varchar")).unwrap(),
            "'O''Brien'"
        );
        assert_eq!(
            literal(&PartitionValue::new("12", "integer")).unwrap(),
            "12"
        );
        assert_eq!(
            literal(&PartitionValue::new("1; drop", "integer")).unwrap(),
            "CAST('1; drop' AS integer)"
        );
        assert_eq!(
            literal(&PartitionValue {
                value: None,
                data_type: "date".into()
            }),
            None
        );
    }

    #[test]
    fn predicate_handles_null_and_several_columns() {
        let cols = vec!["a".to_string(), "b".to_string()];
        let rows = vec![vec![
            PartitionValue::new("x", "varchar"),
            PartitionValue {
                value: None,
                data_type: "integer".into(),
            },
        ]];
        assert_eq!(predicate(&cols, &rows), "(a = 'x' AND b IS NULL)");
        let one = vec!["m".to_string()];
        let date = |v: &str| vec![PartitionValue::new(v, "date")];
        let null = vec![PartitionValue {
            value: None,
            data_type: "date".into(),
        }];
        assert_eq!(
            predicate(&one, &[date("2024-04-01"), date("2024-05-01")]),
            "m IN (DATE '2024-04-01', DATE '2024-05-01')"
        );
        assert_eq!(
            predicate(&one, &[date("2024-04-01"), null.clone()]),
            "m IN (DATE '2024-04-01')\n   OR m IS NULL"
        );
        assert_eq!(predicate(&one, &[null]), "m IS NULL");
    }
}
