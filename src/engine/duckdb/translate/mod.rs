//! Translation of Athena (Trino) SQL into DuckDB SQL with Trino's results.
//!
//! [`translate`] parses a query with [`AthenaDialect`], rewrites the syntax tree bottom-up
//! (children before parents) and prints it. Everything that is not rewritten passes through
//! unchanged; a construct that cannot run locally with Trino's meaning is reported as an
//! [`Untranslatable`] instead of running with a different meaning. SQL produced here calls the
//! `karte_*` scalar functions of [`super::udf`]: **call [`super::udf::register`] on every
//! connection first.** No `SET` is needed (nothing relies on ICU, which is not available).
//!
//! # Files
//!
//! - `mod.rs`: [`translate`], [`functions_markdown`], [`Untranslatable`];
//! - `functions.rs`: the mapping table [`FUNCTIONS`] (a new translated function is a row here);
//! - `scan.rs`: byte offsets, and time travel and `$` pseudo-columns found in the tokens;
//! - `rewrite.rs`: the walk over the syntax tree (division, date ± interval, literals,
//!   `UNNEST`, `EXTRACT`) and the application of [`FUNCTIONS`] to each call;
//! - `types.rs`: `CAST`/`TRY_CAST` and types;
//! - the `rw_*` rewrites of the table's `Custom`/`Aggregate` rows, by family: `arrays.rs`
//!   (lambdas, arrays, maps), `time.rs` (time zones, interval literals, date patterns),
//!   `strings.rs` (regular expressions, `format`, `trim`, `normalize`, JSON), `aggregates.rs`,
//!   `other.rs` (`greatest`/`least`);
//! - `expr.rs`: the expression builders they share (templates, lambdas, literals, calls);
//! - `cases.txt`: the tests, a table of Athena input → the value, type, DuckDB SQL or problem it
//!   must give (a new function gets its cases here), run by `tests.rs`.
//!
//! # Functions
//!
//! Function calls are driven by one table, [`FUNCTIONS`]: each row names an Athena function, the
//! argument counts it applies to, how it runs locally ([`Rewrite`]: rename, template with
//! reordered/adjusted arguments, Rust rewrite, karte UDF, or unsupported with a reason) and
//! any difference that remains. Calls not in the table (and argument counts without a row) pass
//! through unchanged: DuckDB has them with Trino's meaning, or fails on them at run time. In
//! short, the table covers:
//!
//! - lambdas `x -> e`, printed as DuckDB's `lambda x : e`; `transform`, `filter`, `reduce`
//!   (any state type), `zip_with` (pads with NULL), `any_match`/`all_match`/`none_match`
//!   (three-valued, as Trino), `transform_keys`/`transform_values`/`map_filter`;
//! - arrays and maps: `cardinality`, `element_at` (NULL for a missing key or index, negative
//!   from the end), `slice` (start, length), `array_join`, `sequence` (numbers, dates and
//!   timestamps with a day or month step, at most 10 000 entries), `contains`,
//!   `array_distinct` (first-seen order), `arrays_overlap`, `array_position`, `array_remove`,
//!   `array_max`/`array_min` (NULL if an element is NULL), `array_sort` (NULLs last),
//!   `array_union`/`array_intersect`/`array_except`, `repeat`, `trim_array`, `zip`,
//!   `reverse`, `concat` (NULL if an argument is NULL), `map_agg`, `split_to_map`;
//! - date/time: `date_add` and `date ± interval` (DATE stays DATE, month ends clamp),
//!   `date_diff` (whole elapsed units with Joda's month-end rule: 0 for 2024-01-31 →
//!   2024-02-28, 1 for → 2024-02-29), `date_trunc` (DATE stays DATE, weeks start Monday),
//!   `day_of_week`/`dow` (Monday = 1), `day_of_year`, `week`/`year_of_week` (ISO),
//!   `millisecond`, `last_day_of_month`, `date`, `date_format`/`date_parse` (MySQL patterns)
//!   and `format_datetime`/`parse_datetime` (Joda patterns) as `strftime`/`strptime`,
//!   `from_iso8601_date`/`_timestamp`, `from_unixtime`, `to_unixtime`, `now()`,
//!   `current_date`, `current_timestamp`, `with_timezone`, `at_timezone`;
//! - aggregates: `approx_distinct` → `count(DISTINCT …)` (**exact locally; Athena's is
//!   approximate**), `approx_percentile` → `quantile_disc` (an input value of the input type;
//!   Athena's t-digest interpolates, e.g. the median of 1, 2, 3, 4 is 2.5 there and 2 here),
//!   `map_agg`, `arbitrary`, `every`, `listagg`, `set_agg`, `bitwise_*_agg`;
//! - strings: `regexp_like`, `regexp_extract` (NULL when nothing matches), `regexp_replace`
//!   (every match; `$1` → `\1`), `regexp_split`, `regexp_count`, `split`, `split_part` (NULL
//!   out of range), `substr`/`substring` (start 0 or before the string gives ''), `replace`
//!   (2 arguments), `trim`/`ltrim`/`rtrim` (Java whitespace incl. U+3000, not just spaces),
//!   `codepoint`, `levenshtein_distance`/`hamming_distance` (code points), `normalize`,
//!   `format` (Java format emulated with `printf`), `url_encode`/`url_decode`, `to_base`;
//! - binary: `to_utf8`, `from_utf8`, `to_hex` (upper case), `from_hex`, `md5`/`sha1`/
//!   `sha256`/`sha512` (binary results, as Trino), `xxhash64`, `hmac_sha256`/`hmac_sha512`,
//!   `crc32`;
//! - JSON: `json_extract_scalar` (NULL for objects/arrays), `json_parse`, `json_format`,
//!   `json_array_length`, `json_array_contains`, `json_size`, `is_json_scalar`,
//!   `json_value`/`json_query`/`json_exists` with a literal `lax`/`strict` path;
//! - other: `greatest`/`least` (NULL when an argument is NULL; DuckDB ignores NULLs), `if`,
//!   `typeof` (Trino's type names), `e`, `infinity`, `nan`, `is_nan`, `rand`/`random(n)`,
//!   `bitwise_and`/`or`/`xor`/`not`, `truncate`.
//!
//! # Other constructs
//!
//! - **Integer division.** Every `a / b` becomes DuckDB's `a // b`, which DuckDB binds by type:
//!   for integer operands it truncates toward zero like Trino (`5 / 2` = 2, `-5 / 2` = -2); for
//!   DOUBLE/REAL and mixed integer/floating operands it is ordinary division (`5 / 2.0` = 2.5);
//!   DECIMAL operands are divided as DOUBLE. Exact for integers of any width (columns,
//!   `count(*) / 2`, `sum(int) / count(*)`) and for floating point; **DECIMAL division
//!   differs**: Trino rounds the quotient to `max(scale(a), scale(b))` digits (`1.0 / 3` =
//!   0.3), DuckDB gives the DOUBLE 0.333…. Division by zero gives NULL locally where Trino
//!   fails. `interval / n` (interval literal) keeps `/`.
//! - Types in `CAST`/`TRY_CAST`: `ARRAY(T)` → `T[]`, `ROW(a T, …)` → `STRUCT(a T, …)` (unnamed
//!   fields become `f1`, `f2`, …), `MAP(K, V)`, `VARCHAR(n)` (truncates to n, as Trino),
//!   `CHAR(n)` (space-padded), bare `DECIMAL` (= `DECIMAL(38,0)`), `VARBINARY` → `BLOB`,
//!   `TIMESTAMP(p)` → `TIMESTAMP` (microseconds), `… WITH TIME ZONE` → the plain type,
//!   `CAST(x AS JSON)` → `to_json(x)` (Trino makes a JSON string of a VARCHAR rather than
//!   parsing it), `CAST(<JSON expression> AS VARCHAR)` → the unquoted value. `TRY_CAST` and
//!   `TRY(…)` run as DuckDB's `TRY_CAST`/`try(…)`.
//! - Literals: `U&'…'`, `X'…'`, `TIMESTAMP '… Asia/Tokyo'`, `INTERVAL '1-2' YEAR TO MONTH`,
//!   `INTERVAL '1 02:03:04.5' DAY TO SECOND` and single-field intervals (normalised to months,
//!   days or milliseconds); `EXTRACT(DOW/DOY/YOW …)` with Trino's meaning.
//! - `UNNEST`: one array (`WITH ORDINALITY` too) runs as is; several arrays (zipped, padded
//!   with NULL) and an array of rows or a visible map expanded into several columns become a
//!   lateral `SELECT unnest(…)` subquery. `FROM t CROSS JOIN UNNEST(one array) AS u(…)`, the
//!   common shape, becomes a select-list `unnest` over `t` (`unnest_join.rs`).
//! - Time zones (no ICU locally): a `timestamp with time zone` is represented by a `TIMESTAMP`
//!   holding its **wall-clock time in its zone** (the zone itself is dropped). So
//!   `CAST(x AS TIMESTAMP)`, `date(x)`, `hour(x)`, `format_datetime(x, …)` of a zoned value are
//!   exact, and `ts AT TIME ZONE z` converts `ts` from UTC (Athena's session zone).
//!   Instant-based operations (a second `AT TIME ZONE`, `to_unixtime`, `CAST(… AS VARCHAR)`,
//!   which prints Trino's `2024-01-01 09:00:00 Asia/Tokyo`) are exact when the zoned value is
//!   visibly built in the same expression (`with_timezone`, `AT TIME ZONE`,
//!   `from_iso8601_timestamp`, `from_unixtime(n, zone)`, a zoned literal); for a zoned value
//!   from elsewhere (a column, a CTE) they assume it is in UTC. Comparing zoned values from
//!   different zones compares wall-clock times.
//! - Backquoted identifiers are printed double-quoted.
//!
//! # Known differences that are not reported
//!
//! `CAST(timestamp AS VARCHAR)` has no `.000` (DuckDB prints fractional seconds only when
//! non-zero) and DOUBLE → VARCHAR formatting differs (`1.0E10`); regular expressions run on
//! RE2, not Java (no back-references or look-around; named groups `${name}` are refused);
//! `contains`/`arrays_overlap` return false rather than NULL when only a NULL could match;
//! `from_utf8` fails on invalid UTF-8 instead of substituting U+FFFD; `typeof` reports
//! `varchar` without a length and timestamps as `timestamp(3)`; `reverse` of an array column
//! fails (DuckDB's `reverse` takes strings; arrays visibly built in the expression work);
//! `UNNEST(map_column) AS t(k, v)` fails unless the map is visibly a map; `date_parse`/
//! `parse_datetime` fill missing fields from 1900-01-01 rather than 1970-01-01;
//! `map_agg` keeps the first value of a duplicated key (Trino an arbitrary one);
//! `element_at(array, 0)` is NULL instead of an error.
//!
//! # Untranslatable
//!
//! Time travel (`FOR TIMESTAMP AS OF`, `FOR VERSION AS OF`: "Iceberg time travel only runs on
//! Athena"), pseudo-columns (`"$path"`, `"$file_size"`, …), HyperLogLog/digest functions
//! (`approx_set`, `merge`, `cardinality` of a sketch, `tdigest_agg`, …), geospatial functions
//! (`ST_*`, `bing_tile*`, `to_spherical_geography`, …), sketch/geometry/IP types in casts,
//! the other rows marked [`Rewrite::Unsupported`] in [`FUNCTIONS`], date/time patterns that
//! are not literals or use fields `strftime` lacks (Joda `G`, `z`, `Z`, `K`, `k`; MySQL `%D`,
//! `%U` when parsing), and lambdas where a function needs one to run locally.

mod aggregates;
mod arrays;
mod expr;
mod functions;
mod other;
pub mod reasons;
mod rewrite;
mod scan;
mod strings;
mod time;
mod types;
mod unnest_join;

#[cfg(test)]
mod tests;

use sqlparser::ast::VisitMut;
use sqlparser::parser::Parser;

use crate::sql::AthenaDialect;

pub use functions::{CustomRewrite, Mapping, Rewrite, FUNCTIONS};

use functions::ANY;
use rewrite::Rewriter;
use scan::{scan_tokens, Positions};

/// A construct the local engine cannot run with Trino's meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untranslatable {
    /// The function or construct, e.g. `approx_set` or `FOR TIMESTAMP AS OF`.
    pub construct: String,
    /// Byte offset in the input where it starts (best effort; 0 if unknown).
    pub offset: usize,
    /// Why, in one sentence a model author understands.
    pub message: String,
}

/// Translate one Athena (Trino) query into DuckDB SQL with the same results.
///
/// Returns every construct that cannot run locally with Trino's meaning, or — when the input
/// does not parse — one [`Untranslatable`] with construct `SQL syntax` and the parser's
/// message.
pub fn translate(sql: &str) -> Result<String, Vec<Untranslatable>> {
    let positions = Positions::new(sql);
    let mut problems = scan_tokens(sql, &positions);
    let mut statements = match Parser::parse_sql(&AthenaDialect, sql) {
        Ok(statements) => statements,
        Err(e) => {
            if problems.is_empty() {
                let message = e.to_string();
                problems.push(Untranslatable {
                    construct: "SQL syntax".into(),
                    offset: positions.offset_in_message(&message),
                    message,
                });
            }
            return Err(problems);
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rewriter = Rewriter {
        positions: &positions,
        problems,
    };
    let _ = statements.visit(&mut rewriter);
    if !rewriter.problems.is_empty() {
        rewriter.problems.sort_by_key(|p| p.offset);
        return Err(rewriter.problems);
    }
    Ok(statements
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(";\n"))
}

/// The mapping table as Markdown, for docs/local-engine.md (a test keeps the two equal).
pub fn functions_markdown() -> String {
    let mut out = String::from(
        "| Athena function | arguments | runs locally as | difference from Athena |\n|---|---|---|---|\n",
    );
    for m in FUNCTIONS {
        let args = match m.args {
            (a, b) if a == b => a.to_string(),
            (a, ANY) => format!("{a}+"),
            (a, b) => format!("{a}–{b}"),
        };
        let how = match m.rewrite {
            Rewrite::Rename(to) => format!("`{to}`"),
            Rewrite::Template(t) if t.len() <= 60 => format!("`{}`", t.replace('|', "\\|")),
            Rewrite::Template(_) => "a DuckDB expression".into(),
            Rewrite::Custom(_) | Rewrite::Aggregate(_) => "rewritten by karte".into(),
            Rewrite::Udf(f) => format!("karte function `{f}`"),
            Rewrite::Unsupported(why) => format!("**not locally**: {why}"),
        };
        let name = m.athena.replace('*', "\\*");
        out.push_str(&format!(
            "| `{name}` | {args} | {how} | {} |\n",
            m.note.replace('|', "\\|")
        ));
    }
    out
}
