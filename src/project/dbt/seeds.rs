//! The column types dbt gives a seed's columns that `column_types` does not name: dbt infers
//! them from the CSV's values (agate, in this order: integer, number, date `%Y-%m-%d`,
//! timestamp `%Y-%m-%d %H:%M:%S` or ISO 8601, boolean `true`/`false`, text; empty and `null`
//! values fit every type). karte infers the same, so that `amount / 100` computes the same.

use std::collections::BTreeMap;

use super::super::{NodeKind, Project};
use crate::diag::{Code, Diagnostic, Diagnostics, Location};

/// Set `column_types` of every seed to the inferred types, under those declared.
pub(super) fn infer_types(project: &mut Project, diags: &mut Diagnostics) {
    let root = project.root.clone();
    for node in project
        .nodes
        .iter_mut()
        .filter(|n| n.kind == NodeKind::Seed)
    {
        let file = crate::diag::display_path(&node.path);
        let encoding = node
            .config
            .get_str("encoding")
            .unwrap_or("utf-8")
            .to_string();
        let delimiter = node.config.get_str("delimiter").unwrap_or(",");
        let text = std::fs::read(root.join(&node.path))
            .map_err(|e| e.to_string())
            .and_then(|b| super::super::encoding::decode_seed(&b, &encoding, &file));
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::error(Code::Io, crate::t!("project-cannot-read-file", error = e))
                        .at(Location::file_only(&node.path)),
                );
                continue;
            }
        };
        let Some(inferred) = infer(&text, delimiter.as_bytes().first().copied().unwrap_or(b','))
        else {
            continue; // karte's seed loader reports a malformed file where it is.
        };
        let mut types: BTreeMap<String, serde_json::Value> = inferred
            .into_iter()
            .map(|(c, t)| (c, serde_json::Value::from(t)))
            .collect();
        if let Some(serde_json::Value::Object(declared)) = node.config.0.get("column_types") {
            for (k, v) in declared {
                types.insert(k.clone(), v.clone());
            }
        }
        node.config.set(
            "column_types",
            serde_json::Value::Object(types.into_iter().collect()),
        );
    }
}

/// Each column's type, as dbt infers it; None if the CSV cannot be read.
fn infer(text: &str, delimiter: u8) -> Option<Vec<(String, &'static str)>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .ok()?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    // Candidates still possible per column, in dbt's order.
    let mut possible: Vec<[bool; 6]> = vec![[true; 6]; headers.len()];
    let mut max_int: Vec<i64> = vec![0; headers.len()];
    for record in reader.records() {
        let record = record.ok()?;
        for (i, value) in record.iter().enumerate().take(headers.len()) {
            let v = value.trim();
            if v.is_empty() || v.eq_ignore_ascii_case("null") {
                continue;
            }
            let p = &mut possible[i];
            if p[0] {
                match v.parse::<i64>() {
                    Ok(n) => max_int[i] = max_int[i].max(n.abs()),
                    Err(_) => p[0] = false,
                }
            }
            p[1] = p[1] && is_number(v);
            p[2] = p[2] && chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok();
            p[3] = p[3]
                && (chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S").is_ok()
                    || is_iso_datetime(v));
            p[4] = p[4] && (v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"));
        }
    }
    Some(
        headers
            .into_iter()
            .zip(possible.iter().zip(max_int))
            .map(|(h, (p, max))| {
                let t = if p[0] {
                    if max > i64::from(i32::MAX) {
                        "bigint"
                    } else {
                        "integer"
                    }
                } else if p[1] {
                    "double"
                } else if p[2] {
                    "date"
                } else if p[3] {
                    "timestamp"
                } else if p[4] {
                    "boolean"
                } else {
                    "varchar"
                };
                (h, t)
            })
            .collect(),
    )
}

fn is_number(v: &str) -> bool {
    let v = v.strip_prefix(['-', '+']).unwrap_or(v);
    !v.is_empty()
        && v.chars().any(|c| c.is_ascii_digit())
        && v.parse::<f64>().is_ok()
        && !v.eq_ignore_ascii_case("inf")
        && !v.eq_ignore_ascii_case("nan")
        && !v.to_lowercase().contains("inf")
}

fn is_iso_datetime(v: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
        || chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_as_dbt_does() {
        let csv = "id,amount,day,at,flag,name,empty\n1,1.5,2018-01-01,2018-01-01 10:00:00,true,a,\n2,3,2018-01-02,2018-01-02T11:00:00,false,b,\n";
        let t = infer(csv, b',').unwrap();
        let t: Vec<&str> = t.iter().map(|(_, t)| *t).collect();
        assert_eq!(
            t,
            [
                "integer",
                "double",
                "date",
                "timestamp",
                "boolean",
                "varchar",
                "integer"
            ]
        );
    }
}
