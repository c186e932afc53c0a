//! The rows as people and programs read them: a table whose columns line up by display width
//! (a kanji or full-width kana takes two terminal columns, as `unicode-width` counts them),
//! CSV, or JSON.

use unicode_width::UnicodeWidthStr;

use super::Rows;

/// The widest a cell is shown in a table (in terminal columns); longer text is cut with `...`
/// (CSV and JSON are never cut).
pub const MAX_CELL_WIDTH: usize = 40;

/// What NULL looks like in a table.
const NULL: &str = "NULL";

/// Numbers are aligned right.
fn is_number(data_type: &str) -> bool {
    let t = data_type.to_lowercase();
    [
        "tinyint", "smallint", "integer", "int", "bigint", "double", "real", "float", "decimal",
    ]
    .iter()
    .any(|n| t == *n || t.starts_with(&format!("{n}(")))
}

/// A cell on one line: line breaks and tabs written as `\n`, `\r`, `\t`, other control
/// characters dropped, cut at [`MAX_CELL_WIDTH`].
fn cell(value: Option<&str>) -> String {
    let Some(v) = value else {
        return NULL.to_string();
    };
    let mut out = String::new();
    for ch in v.chars() {
        match ch {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    if out.width() <= MAX_CELL_WIDTH {
        return out;
    }
    let mut cut = String::new();
    let mut w = 0;
    for ch in out.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if w + cw > MAX_CELL_WIDTH - 3 {
            break;
        }
        cut.push(ch);
        w += cw;
    }
    cut.push_str("...");
    cut
}

/// Pad `s` to `width` terminal columns.
fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(s.width()));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// The rows as a table, psql's layout: a header, a rule, one line per row.
pub fn text(rows: &Rows) -> String {
    let cells: Vec<Vec<String>> = rows
        .rows
        .iter()
        .map(|r| r.iter().map(|v| cell(v.as_deref())).collect())
        .collect();
    let widths: Vec<usize> = rows
        .columns
        .iter()
        .enumerate()
        .map(|(k, c)| {
            cells
                .iter()
                .map(|r| r.get(k).map(|s| s.width()).unwrap_or(0))
                .chain([c.name.width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let right: Vec<bool> = rows
        .columns
        .iter()
        .map(|c| is_number(&c.data_type))
        .collect();
    let line = |values: Vec<String>| -> String {
        let parts: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(k, v)| format!(" {} ", pad(v, widths[k], right[k])))
            .collect();
        parts.join("|").trim_end().to_string()
    };
    let mut out = String::new();
    out.push_str(&line(rows.columns.iter().map(|c| c.name.clone()).collect()));
    out.push('\n');
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
    out.push_str(&rule.join("+"));
    out.push('\n');
    for r in cells {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// The rows as CSV with a header (NULL as an empty field).
pub fn csv(rows: &Rows) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(rows.columns.iter().map(|c| c.name.as_str()))
        .map_err(|e| e.to_string())?;
    for r in &rows.rows {
        w.write_record(r.iter().map(|v| v.as_deref().unwrap_or("")))
            .map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// The rows as a JSON array of objects: numbers and booleans typed, NULL as null, everything
/// else (dates, timestamps, decimals too wide for a double) as text.
pub fn json(rows: &Rows) -> serde_json::Value {
    use serde_json::Value;
    let typed = |v: &Option<String>, data_type: &str| -> Value {
        let Some(v) = v else { return Value::Null };
        let t = data_type.to_lowercase();
        if t == "boolean" {
            if let Ok(b) = v.parse::<bool>() {
                return Value::Bool(b);
            }
        }
        if is_number(&t) {
            if let Ok(i) = v.parse::<i64>() {
                return Value::from(i);
            }
            if let Some(n) = v.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                if n.to_string() == *v || !t.starts_with("decimal") {
                    return Value::Number(n);
                }
            }
        }
        Value::String(v.clone())
    };
    Value::Array(
        rows.rows
            .iter()
            .map(|r| {
                Value::Object(
                    rows.columns
                        .iter()
                        .zip(r)
                        .map(|(c, v)| (c.name.clone(), typed(v, &c.data_type)))
                        .collect(),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::catalog::ColumnState;

    fn rows(cols: &[(&str, &str)], values: &[&[Option<&str>]]) -> Rows {
        Rows {
            columns: cols
                .iter()
                .map(|(n, t)| ColumnState {
                    name: n.to_string(),
                    data_type: t.to_string(),
                })
                .collect(),
            rows: values
                .iter()
                .map(|r| r.iter().map(|v| v.map(String::from)).collect())
                .collect(),
            more: false,
        }
    }

    #[test]
    fn japanese_text_lines_up_by_display_width() {
        let r = rows(
            &[("診療科", "varchar"), ("n", "bigint")],
            &[
                &[Some("内科"), Some("12")],
                &[Some("ENT"), Some("3")],
                &[None, Some("100")],
            ],
        );
        let t = text(&r);
        let widths: Vec<usize> = t
            .lines()
            .map(|l| l.find(['|', '+']).map(|i| l[..i].width()).unwrap_or(0))
            .collect();
        // Every `|` (and the rule's `+`) is in the same terminal column.
        assert!(widths.iter().all(|w| *w == widths[0]), "{t}");
        // Numbers to the right.
        assert!(t.contains("|  12\n"), "{t}");
    }

    #[test]
    fn long_and_multiline_cells_stay_on_one_line() {
        let long = "あ".repeat(30);
        let r = rows(&[("a", "varchar")], &[&[Some(&long)], &[Some("x\ny")]]);
        let t = text(&r);
        assert!(t.lines().all(|l| l.width() <= MAX_CELL_WIDTH + 2), "{t}");
        assert!(t.contains("x\\ny"), "{t}");
        assert!(t.contains("..."), "{t}");
    }

    #[test]
    fn json_types_numbers_and_keeps_decimals_exact() {
        let r = rows(
            &[
                ("i", "bigint"),
                ("d", "decimal(38,2)"),
                ("b", "boolean"),
                ("s", "varchar"),
            ],
            &[&[
                Some("7"),
                Some("12345678901234567890.12"),
                Some("true"),
                None,
            ]],
        );
        assert_eq!(
            json(&r).to_string(),
            r#"[{"i":7,"d":"12345678901234567890.12","b":true,"s":null}]"#
        );
    }
}
