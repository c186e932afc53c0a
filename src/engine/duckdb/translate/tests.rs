//! The translation's tests: the cases of `cases.txt` (a table, one case a line: `KIND  INPUT →
//! EXPECTED`; its header describes the kinds), run by one driver that reports every failing
//! case with its line; and a few checks of the mapping table itself.

use std::panic::{catch_unwind, AssertUnwindSafe};

use duckdb::Connection;
use sqlparser::ast::Expr;

use super::expr::{instantiate, number};
use super::*;

/// The cases, with the path the failures name.
const CASES: (&str, &str) = (
    "src/engine/duckdb/translate/cases.txt",
    include_str!("cases.txt"),
);

#[test]
fn cases() {
    let (path, text) = CASES;
    match run_table(path, text) {
        Ok(n) => assert!(n > 0),
        Err(report) => panic!("{report}"),
    }
}

/// The driver fails on an empty table and reports every wrong case, not just the first.
#[test]
fn the_driver_reports_every_failing_case() {
    let empty = run_table("empty.txt", "# nothing here\n\n").unwrap_err();
    assert!(empty.contains("no cases"), "{empty}");
    let table = "value  1 + 1 → 3\n\
                 value  5 / 2 → 2\n\
                 sql    select `a` from t → SELECT a FROM t\n\
                 valu   1 → 1\n\
                 rows   SELECT 1\n\
                 error  SELECT 1 → x @0: y\n";
    let report = run_table("t.txt", table).unwrap_err();
    for line in [1, 3, 4, 5, 6] {
        assert!(
            report.contains(&format!("t.txt:{line}:")),
            "{line}: {report}"
        );
    }
    assert!(!report.contains("t.txt:2:"), "{report}");
    assert!(report.starts_with("5 of 6 cases failed"), "{report}");
}

/// Every translated function of the table is called by some case.
#[test]
fn every_mapping_has_a_case() {
    let (_, text) = CASES;
    let (cases, errors) = parse(text);
    assert!(errors.is_empty(), "{errors:?}");
    let inputs = cases
        .iter()
        .map(|c| c.input.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    let missing: Vec<&str> = FUNCTIONS
        .iter()
        .filter(|m| !matches!(m.rewrite, Rewrite::Unsupported(_)))
        .map(|m| (m.athena.trim_end_matches('*'), m.args.0 == 0))
        .filter(|&(name, niladic)| {
            let ident = |c: char| c.is_alphanumeric() || c == '_';
            // A call: the name, not inside a longer identifier, then `(`.
            let called = |pat: &str| {
                inputs
                    .match_indices(pat)
                    .any(|(i, _)| !inputs[..i].chars().next_back().is_some_and(ident))
            };
            // `current_date` and friends are written without parentheses.
            let bare = niladic
                && inputs.match_indices(name).any(|(i, _)| {
                    !inputs[..i].chars().next_back().is_some_and(ident)
                        && !inputs[i + name.len()..].chars().next().is_some_and(ident)
                });
            !bare && !called(&format!("{name}(")) && !called(&format!("{name} ("))
        })
        .map(|(name, _)| name)
        .collect();
    assert!(missing.is_empty(), "no case calls: {missing:?}");
}

#[test]
fn every_unsupported_row_is_reported() {
    for m in FUNCTIONS {
        let Rewrite::Unsupported(reason) = m.rewrite else {
            continue;
        };
        let name = match m.athena.strip_suffix('*') {
            Some(prefix) => format!("{prefix}x"),
            None => m.athena.to_string(),
        };
        let args: Vec<String> = (1..=m.args.0).map(|i| format!("a{i}")).collect();
        let sql = format!("SELECT {name}({}) FROM t", args.join(", "));
        let e = translate(&sql).expect_err(&sql);
        assert_eq!(e.len(), 1, "{name}: {e:?}");
        assert_eq!(e[0].construct, name);
        assert_eq!(e[0].message, reason);
        assert_eq!(e[0].offset, 7);
    }
}

#[test]
fn every_template_parses() {
    for m in FUNCTIONS {
        if let Rewrite::Template(t) = m.rewrite {
            let args: Vec<Expr> = (0..9).map(|i| number(&i.to_string())).collect();
            instantiate(t, &args).unwrap_or_else(|e| panic!("{}: {e}", m.athena));
        }
    }
}

/// Input that is only blanks (the table trims its inputs).
#[test]
fn blank_input() {
    assert_eq!(translate("   "), Ok(String::new()));
}

// ---- the table ------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Value,
    Type,
    Sql,
    Error,
    Fails,
    Rows,
    Setup,
}

#[derive(Debug)]
struct Case {
    /// 1-based line in the table.
    line: usize,
    kind: Kind,
    input: String,
    /// After `→`, or the `| … |` rows of a `rows` case.
    expected: Expected,
}

#[derive(Debug)]
enum Expected {
    Text(Option<String>),
    Rows(Vec<Vec<Option<String>>>),
    Nothing,
}

/// The cases of a table, and the lines that are not cases (`line: why`).
fn parse(text: &str) -> (Vec<Case>, Vec<(usize, String)>) {
    let mut cases: Vec<Case> = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(row) = trimmed.strip_prefix('|') {
            match cases.last_mut() {
                Some(Case {
                    kind: Kind::Rows,
                    expected: Expected::Rows(rows),
                    ..
                }) => rows.push(parse_row(row)),
                _ => errors.push((line, "a row line outside a `rows` case".into())),
            }
            continue;
        }
        let (word, rest) = trimmed
            .split_once(char::is_whitespace)
            .unwrap_or((trimmed, ""));
        let kind = match word {
            "value" => Kind::Value,
            "type" => Kind::Type,
            "sql" => Kind::Sql,
            "error" => Kind::Error,
            "fails" => Kind::Fails,
            "rows" => Kind::Rows,
            "setup" => Kind::Setup,
            other => {
                errors.push((line, format!("unknown kind {other:?}")));
                continue;
            }
        };
        let (input, expected) = match (kind, rest.split_once('→')) {
            (Kind::Rows | Kind::Setup, None) => (rest, None),
            (Kind::Rows | Kind::Setup, Some(_)) => {
                errors.push((line, format!("a `{word}` case takes no `→`")));
                continue;
            }
            (_, Some((input, expected))) => (input, Some(unquote(expected.trim()))),
            (_, None) => {
                errors.push((line, "no `→` between the input and what is expected".into()));
                continue;
            }
        };
        cases.push(Case {
            line,
            kind,
            input: input.trim().replace('⏎', "\n"),
            expected: match (kind, expected) {
                (Kind::Rows, _) => Expected::Rows(Vec::new()),
                (_, Some(e)) => Expected::Text(e),
                (_, None) => Expected::Nothing,
            },
        });
    }
    (cases, errors)
}

fn parse_row(row: &str) -> Vec<Option<String>> {
    let row = row.trim();
    let row = row.strip_suffix('|').unwrap_or(row);
    row.split('|').map(|cell| unquote(cell.trim())).collect()
}

/// `NULL` → None, `'a '` → `a `, anything else as written.
fn unquote(s: &str) -> Option<String> {
    if s == "NULL" {
        return None;
    }
    match s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        Some(inner) if s.len() >= 2 => Some(inner.replace("''", "'")),
        _ => Some(s.to_string()),
    }
}

/// A value as the table writes it.
fn show(v: &Option<String>) -> String {
    match v {
        None => "NULL".into(),
        Some(s)
            if s.is_empty()
                || s.trim() != s
                || s == "NULL"
                || (s.len() >= 2 && s.starts_with('\'') && s.ends_with('\'')) =>
        {
            format!("'{}'", s.replace('\'', "''"))
        }
        Some(s) => s.clone(),
    }
}

fn show_rows(rows: &[Vec<Option<String>>]) -> String {
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r.iter().map(show).collect();
            format!("| {} |", cells.join(" | "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Problems as the table writes them.
fn show_problems(problems: &[Untranslatable]) -> String {
    problems
        .iter()
        .map(|p| format!("{} @{}: {}", p.construct, p.offset, p.message))
        .collect::<Vec<_>>()
        .join(" ;; ")
}

/// Runs every case of a table; the number of cases, or a report of every failure.
fn run_table(path: &str, text: &str) -> Result<usize, String> {
    let (cases, errors) = parse(text);
    let mut failures: Vec<String> = errors
        .into_iter()
        .map(|(line, why)| format!("{path}:{line}: {why}"))
        .collect();
    let count = cases.iter().filter(|c| c.kind != Kind::Setup).count() + failures.len();
    if count == 0 {
        return Err(format!("{path}: no cases"));
    }
    let conn = Connection::open_in_memory().expect("open duckdb");
    crate::engine::duckdb::udf::register(&conn).expect("register karte functions");
    for case in &cases {
        let outcome =
            catch_unwind(AssertUnwindSafe(|| run_case(&conn, case))).unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(format!("panicked: {what}"))
            });
        if let Err(why) = outcome {
            failures.push(format!(
                "{path}:{}: {}\n{}",
                case.line,
                case.input.replace('\n', "⏎"),
                indent(&why)
            ));
        }
    }
    failures.sort_by_key(|f| {
        f.split(':')
            .nth(1)
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0)
    });
    if failures.is_empty() {
        Ok(count)
    } else {
        Err(format!(
            "{} of {count} cases failed:\n\n{}",
            failures.len(),
            failures.join("\n\n")
        ))
    }
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs one case: `Err` says what differs.
fn run_case(conn: &Connection, case: &Case) -> Result<(), String> {
    let translated =
        |sql: &str| translate(sql).map_err(|p| format!("did not translate: {}", show_problems(&p)));
    let want = match &case.expected {
        Expected::Text(t) => t.clone(),
        _ => None,
    };
    let compare = |got: Option<String>, duck: &str| {
        if got == want {
            Ok(())
        } else {
            Err(format!(
                "expected: {}\n     got: {}\n  DuckDB: {duck}",
                show(&want),
                show(&got)
            ))
        }
    };
    match case.kind {
        Kind::Setup => conn
            .execute_batch(&case.input)
            .map_err(|e| format!("setup failed: {e}")),
        Kind::Value => {
            let duck = translated(&format!("SELECT {}", case.input))?;
            let rows = query(conn, &duck)?;
            let got = rows.into_iter().next().and_then(|r| r.into_iter().next());
            compare(got.flatten(), &duck)
        }
        Kind::Type => {
            let duck = translated(&format!("SELECT {} AS v", case.input))?;
            let got = conn
                .query_row(&format!("SELECT typeof(v) FROM ({duck})"), [], |r| {
                    r.get::<_, String>(0)
                })
                .map_err(|e| format!("failed: {e}\n  DuckDB: {duck}"))?;
            compare(Some(got), &duck)
        }
        Kind::Sql => {
            let duck = translated(&case.input)?;
            compare(Some(duck.clone()), &duck)
        }
        Kind::Error => match translate(&case.input) {
            Ok(duck) => Err(format!("translated to: {duck}")),
            Err(problems) => {
                let got = show_problems(&problems);
                if Some(&got) == want.as_ref() {
                    Ok(())
                } else {
                    Err(format!("expected: {}\n     got: {got}", show(&want)))
                }
            }
        },
        Kind::Fails => {
            let duck = translated(&case.input)?;
            let text = want.unwrap_or_default();
            match conn.execute_batch(&duck) {
                Ok(()) => Err(format!("ran without an error\n  DuckDB: {duck}")),
                Err(e) if e.to_string().contains(&text) => Ok(()),
                Err(e) => Err(format!(
                    "expected an error containing: {text}\n     got: {e}\n  DuckDB: {duck}"
                )),
            }
        }
        Kind::Rows => {
            let Expected::Rows(want) = &case.expected else {
                return Err("no rows".into());
            };
            if want.is_empty() {
                return Err("a `rows` case without `| … |` lines".into());
            }
            let duck = translated(&case.input)?;
            let got = query(conn, &duck)?;
            if &got == want {
                Ok(())
            } else {
                Err(format!(
                    "expected:\n{}\ngot:\n{}\nDuckDB: {duck}",
                    indent(&show_rows(want)),
                    indent(&show_rows(&got))
                ))
            }
        }
    }
}

/// The rows of a DuckDB query, each column as text (DuckDB's VARCHAR casts).
fn query(conn: &Connection, duck: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    let wrapped = format!("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM ({duck}) AS q");
    let failed = |e: duckdb::Error| format!("failed: {e}\n  DuckDB: {duck}");
    let mut stmt = conn.prepare(&wrapped).map_err(failed)?;
    let mut rows = stmt.query([]).map_err(failed)?;
    let n = rows.as_ref().map_or(0, |s| s.column_count());
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(failed)? {
        let row = (0..n)
            .map(|i| r.get::<_, Option<String>>(i))
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed)?;
        out.push(row);
    }
    Ok(out)
}
