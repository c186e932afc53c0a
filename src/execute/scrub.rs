//! Values from the data, removed from what engines say. Engines quote the value that broke a
//! cast or a parse (DuckDB: `Could not convert string 'ヤマダ 太郎' to INT32`; Trino:
//! `Value cannot be cast to date: 1980-02-30`), and in a medical lake that value is a
//! patient's. Every engine message about a step or a data test passes through
//! [`without_values`] (by [`super::secrets::Filled::redact`]) before it is printed, journaled,
//! written to run_results.json or sent.
//!
//! What stays: the names engines quote (`column "x"`, `Table 'a.b'`, `format specifier
//! "%Y"`), `{secret:NAME}` placeholders, and the words around. What goes:
//! - every other quoted text (`'...'`/`"..."` keep their quote), and that text again wherever
//!   it is repeated (DuckDB's strptime prints the value on a line of its own, with a caret);
//! - DuckDB's `LINE n:` excerpt of the SQL and its caret line, and the `Original Line:` of
//!   its CSV reader's errors (a delivered record);
//! - unquoted values after `with value`, after Trino's `cannot be cast to TYPE:`, and the
//!   operands of an overflow (`(2147483647 + 1)`).

use std::sync::LazyLock;

use regex::Regex;

/// The words after which a quoted text is a name, not a value.
const NAME_WORDS: &[&str] = &[
    "alias",
    "bindings:",
    "catalog",
    "column",
    "columns",
    "database",
    "function",
    "identifier",
    "macro",
    "mean",
    "named",
    "name",
    "relation",
    "schema",
    "specifier",
    "table",
    "type",
    "types",
    "view",
];

/// `message` without the values from the data it may quote (see the module's doc).
pub fn without_values(message: &str) -> String {
    let message = drop_sql_context(message);
    let (mut out, removed) = without_quoted_values(&message);
    for value in removed {
        if value.trim().chars().count() >= 2 {
            out = replace_standalone(&out, &value);
        }
    }
    static WITH_VALUE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b(with value) [^\s,;)]+").expect("valid regex"));
    static CAST_TO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(cannot be cast to [^:\n]{1,40}:) [^\n]*").expect("valid regex")
    });
    static OPERANDS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\(-?[0-9][0-9.eE+-]* [-+*/%] -?[0-9][0-9.eE+-]*\)").expect("valid regex")
    });
    let out = WITH_VALUE.replace_all(&out, "$1 ...");
    let out = CAST_TO.replace_all(&out, "$1 ...");
    let out = OPERANDS.replace_all(&out, "(...)");
    out.split('\n')
        .filter(|l| {
            let t = l.trim();
            t.is_empty() || !t.chars().all(|c| c == '^')
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

/// `text` with every occurrence of `value` that is not part of a longer word replaced by
/// `...` (a removed `32` leaves `INT32` alone).
fn replace_standalone(text: &str, value: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in text.match_indices(value) {
        if at < last {
            continue;
        }
        let before = text[..at].chars().next_back();
        let after = text[at + value.len()..].chars().next();
        let joined = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let edge_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let starts_word = value.chars().next().is_some_and(|c| edge_word(Some(c)));
        let ends_word = value
            .chars()
            .next_back()
            .is_some_and(|c| edge_word(Some(c)));
        if (starts_word && joined(before)) || (ends_word && joined(after)) {
            continue;
        }
        out.push_str(&text[last..at]);
        out.push_str("...");
        last = at + value.len();
    }
    out.push_str(&text[last..]);
    out
}

/// The message with quoted values replaced by `...`, and the values replaced. A quote opens
/// after a non-alphanumeric character and closes before one (so the `'` of `can't` is no
/// quote); a doubled quote inside is SQL's escape.
fn without_quoted_values(message: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = message.chars().collect();
    let mut out = String::with_capacity(message.len());
    let mut removed = Vec::new();
    // Whether the last quoted text was a kept name, and where `out` was after it (a list of
    // names, `"t.a", "t.b"`, keeps them all).
    let mut last_kept: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let opens = (c == '\'' || c == '"')
            && (i == 0 || !chars[i - 1].is_alphanumeric())
            && chars
                .get(i + 1)
                .is_some_and(|n| *n != c || chars.get(i + 2) == Some(&c));
        let close = if opens { closing(&chars, i) } else { None };
        let Some(end) = close else {
            out.push(c);
            i += 1;
            continue;
        };
        let text: String = chars[i + 1..end].iter().collect();
        let after_list = last_kept.is_some_and(|at| out[at..].trim() == ",");
        let keep = is_placeholder(&text) || after_list || follows_name_word(&out);
        out.push(c);
        if keep {
            out.push_str(&text);
        } else {
            out.push_str("...");
            removed.push(text.clone());
            // Engines also show the value with the quotes doubled or undone.
            let doubled = text.replace(c, &format!("{c}{c}"));
            let undone = text.replace(&format!("{c}{c}"), &c.to_string());
            removed.extend([doubled, undone].into_iter().filter(|v| *v != text));
        }
        out.push(c);
        last_kept = keep.then_some(out.len());
        i = end + 1;
    }
    (out, removed)
}

/// The index of the quote closing the one at `open`: the same character, not doubled, and
/// not followed by a letter or digit.
fn closing(chars: &[char], open: usize) -> Option<usize> {
    let q = chars[open];
    let mut j = open + 1;
    while j < chars.len() {
        if chars[j] == '\n' && q == '\'' && j > open + 200 {
            return None;
        }
        if chars[j] == q {
            if chars.get(j + 1) == Some(&q) {
                j += 2;
                continue;
            }
            if !chars.get(j + 1).is_some_and(|n| n.is_alphanumeric()) {
                return Some(j);
            }
        }
        j += 1;
    }
    None
}

/// Whether the text before a quote ends with a word that names what is quoted (`column `).
fn follows_name_word(before: &str) -> bool {
    let Some(before) = before.strip_suffix(' ') else {
        return false;
    };
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
        .to_lowercase();
    NAME_WORDS.contains(&word.as_str())
}

fn is_placeholder(text: &str) -> bool {
    text.starts_with(crate::sql::secrets::SECRET_PREFIX)
        && text.ends_with('}')
        && !text[1..].contains('{')
}

/// `message` without DuckDB's `LINE n: …` excerpt of the SQL and the `^` line under it.
pub fn drop_sql_context(message: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut skip_caret = false;
    for line in message.split('\n') {
        let t = line.trim_start();
        if skip_caret && t.starts_with('^') {
            // What karte appended to the engine's message (` (step …, file)`) stays.
            let rest = t.trim_start_matches('^').trim();
            if !rest.is_empty() {
                while out.last().is_some_and(|l: &String| l.trim().is_empty()) {
                    out.pop();
                }
                match out.last_mut() {
                    Some(last) => {
                        last.push(' ');
                        last.push_str(rest);
                    }
                    None => out.push(rest.to_string()),
                }
            }
            skip_caret = false;
            continue;
        }
        skip_caret = false;
        if t.starts_with("Original Line:") {
            continue;
        }
        if let Some(rest) = t.strip_prefix("LINE ") {
            if rest
                .split(':')
                .next()
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            {
                skip_caret = true;
                continue;
            }
        }
        out.push(line.to_string());
    }
    out.join("\n").trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::without_values as w;

    #[test]
    fn duckdb_values_go() {
        assert_eq!(
            w("Conversion Error: Could not convert string 'ヤマダ 太郎' to INT32 when casting from source column name"),
            "Conversion Error: Could not convert string '...' to INT32 when casting from source column name"
        );
        assert_eq!(
            w("Conversion Error: date field value out of range: \"1980-02-30\" when casting from source column birth\n\nLINE 1: COPY (SELECT CAST(birth AS DATE) AS d FROM raw.patients) TO '/tmp/x'\n                     ^ (step as_date/02-sql, models/silver/as_date.sql)"),
            "Conversion Error: date field value out of range: \"...\" when casting from source column birth (step as_date/02-sql, models/silver/as_date.sql)"
        );
        assert_eq!(
            w("Invalid Input Error: Could not parse string \"X9Q7-22\" according to format specifier \"%Y-%m\"\nX9Q7-22\n^\nError: Expected a number (step parsed/01-sql, m.sql)"),
            "Invalid Input Error: Could not parse string \"...\" according to format specifier \"%Y-%m\"\n...\nError: Expected a number (step parsed/01-sql, m.sql)"
        );
        assert_eq!(
            w("Conversion Error: Type INT64 with value 100000000001 can't be cast because the value is out of range for the destination type INT32"),
            "Conversion Error: Type INT64 with value ... can't be cast because the value is out of range for the destination type INT32"
        );
        assert_eq!(
            w("Out of Range Error: Overflow in addition of INT32 (2147483647 + 12)!"),
            "Out of Range Error: Overflow in addition of INT32 (...)!"
        );
        assert_eq!(
            w("Constraint Error: Duplicate key \"patient_id: P-001\" violates primary key constraint"),
            "Constraint Error: Duplicate key \"...\" violates primary key constraint"
        );
        assert_eq!(
            w("CSV Error on Line: 3\nOriginal Line: p1,ヤマダ 太郎,1980\nExpected Number of Columns: 4 Found: 3"),
            "CSV Error on Line: 3\nExpected Number of Columns: 4 Found: 3"
        );
        // An SQL-escaped quote inside a value.
        assert_eq!(
            w("Could not convert string 'O''Brien' to INT32; O'Brien"),
            "Could not convert string '...' to INT32; ..."
        );
    }

    #[test]
    fn trino_values_go() {
        assert_eq!(
            w("INVALID_CAST_ARGUMENT: Value cannot be cast to date: 1980-02-30"),
            "INVALID_CAST_ARGUMENT: Value cannot be cast to date: ..."
        );
        assert_eq!(
            w("INVALID_CAST_ARGUMENT: Cannot cast VARCHAR 'ヤマダ' to INTEGER. You may need to manually clean the data at line 3"),
            "INVALID_CAST_ARGUMENT: Cannot cast VARCHAR '...' to INTEGER. You may need to manually clean the data at line 3"
        );
        assert_eq!(
            w("INVALID_FUNCTION_ARGUMENT: Invalid format: \"1980/02/30\""),
            "INVALID_FUNCTION_ARGUMENT: Invalid format: \"...\""
        );
    }

    #[test]
    fn names_stay() {
        for m in [
            "Binder Error: Referenced column \"nme\" not found in FROM clause!\nCandidate bindings: \"t.name\", \"t.birth\"",
            "COLUMN_NOT_FOUND: line 3:8: Column 'nme' cannot be resolved",
            "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.silver.x' does not exist",
            "Catalog Error: Table with name \"x\" does not exist! Did you mean \"silver.y\"?",
            "FUNCTION_NOT_FOUND: Function 'fooo' not registered",
            "Binder Error: No function matches the given name and argument types 'sum(VARCHAR)'. You might need to add explicit type casts.",
            "near '{secret:SALT}'",
            "the table's owner can't say",
        ] {
            assert_eq!(w(m), m);
        }
    }
}
