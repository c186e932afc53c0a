//! The mapping table: how each Athena function runs locally ([`FUNCTIONS`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use sqlparser::ast::{Expr, Function};

use super::{aggregates, arrays, other, strings, time};

/// How an Athena function runs locally (the third column of [`FUNCTIONS`]).
#[derive(Clone, Copy)]
pub enum Rewrite {
    /// DuckDB has it under this name, with the same arguments and meaning.
    Rename(&'static str),
    /// A DuckDB expression in which `$1`, `$2`, … stand for the (translated) arguments.
    Template(&'static str),
    /// Built by a Rust function from the call and its translated arguments.
    Custom(CustomRewrite),
    /// An aggregate built by a Rust function that itself carries the call's `OVER`, `FILTER`,
    /// `DISTINCT` and `ORDER BY` over to the aggregate it produces.
    Aggregate(CustomRewrite),
    /// A karte scalar function from [`udf`](crate::engine::duckdb::udf), same arguments.
    Udf(&'static str),
    /// Cannot run locally with Trino's meaning; the text says why.
    Unsupported(&'static str),
}

/// A rewrite implemented in Rust: gets the original call and its translated arguments.
pub type CustomRewrite = fn(&Function, Vec<Expr>) -> Result<Expr, String>;

/// One row of [`FUNCTIONS`].
pub struct Mapping {
    /// Athena function name in lower case; a trailing `*` matches every name with that prefix.
    pub athena: &'static str,
    /// The numbers of arguments the row applies to, `(min, max)`.
    pub args: (usize, usize),
    /// How the call runs locally.
    pub rewrite: Rewrite,
    /// A remaining difference from Athena, or `""` (documentation only).
    pub note: &'static str,
}

pub(super) const ANY: usize = usize::MAX;

const fn row(athena: &'static str, args: (usize, usize), rewrite: Rewrite) -> Mapping {
    Mapping {
        athena,
        args,
        rewrite,
        note: "",
    }
}

const fn noted(
    athena: &'static str,
    args: (usize, usize),
    rewrite: Rewrite,
    note: &'static str,
) -> Mapping {
    Mapping {
        athena,
        args,
        rewrite,
        note,
    }
}

use Rewrite::{Aggregate, Custom, Rename, Template, Udf, Unsupported};

pub(super) const SKETCH: &str = "HyperLogLog and digest sketches only exist on Athena";
const GEO: &str = "geospatial functions only run on Athena (DuckDB's spatial extension is not \
                   available locally)";

/// Every Athena function whose local form differs from a plain pass-through.
///
/// Columns: Athena name (lower case, `*` = prefix), argument counts `(min, max)`, the
/// [`Rewrite`], and a note on any difference that remains.
pub static FUNCTIONS: &[Mapping] = &[
    // ---- lambdas and arrays ----
    row("transform", (2, 2), Rename("list_transform")),
    row("filter", (2, 2), Rename("list_filter")),
    row("reduce", (4, 4), Custom(arrays::rw_reduce)),
    row("zip_with", (3, 3), Custom(arrays::rw_zip_with)),
    row("any_match", (2, 2), Custom(arrays::rw_any_match)),
    row("all_match", (2, 2), Custom(arrays::rw_all_match)),
    row("none_match", (2, 2), Custom(arrays::rw_none_match)),
    row("transform_values", (2, 2), Custom(arrays::rw_transform_values)),
    row("transform_keys", (2, 2), Custom(arrays::rw_transform_keys)),
    row("map_filter", (2, 2), Custom(arrays::rw_map_filter)),
    row("cardinality", (1, 1), Custom(arrays::rw_cardinality)),
    noted(
        "element_at",
        (2, 2),
        Template("$1[$2]"),
        "an index of 0 gives NULL instead of failing",
    ),
    row(
        "slice",
        (3, 3),
        Template(
            "CASE WHEN $2 > 0 THEN list_slice($1, $2, $2 + $3 - 1) \
             WHEN len($1) + $2 + 1 >= 1 THEN list_slice($1, len($1) + $2 + 1, len($1) + $2 + $3) \
             ELSE list_slice($1, 1, 0) END",
        ),
    ),
    row("array_join", (2, 2), Template("array_to_string($1, $2)")),
    row(
        "array_join",
        (3, 3),
        Template("array_to_string(list_transform($1, lambda __x : coalesce(CAST(__x AS VARCHAR), $3)), $2)"),
    ),
    row("sequence", (2, 3), Udf("karte_sequence")),
    noted(
        "contains",
        (2, 2),
        Rename("list_contains"),
        "false instead of NULL when the value is missing and the array has NULLs",
    ),
    row(
        "array_distinct",
        (1, 1),
        Template("list_filter($1, lambda __x, __i : list_position($1, __x) = __i)"),
    ),
    noted(
        "arrays_overlap",
        (2, 2),
        Rename("list_has_any"),
        "false instead of NULL when only NULLs could overlap",
    ),
    row(
        "array_position",
        (2, 2),
        Template("CASE WHEN $1 IS NOT NULL THEN coalesce(list_position($1, $2), 0) END"),
    ),
    row(
        "array_remove",
        (2, 2),
        Template("CASE WHEN $2 IS NOT NULL THEN list_filter($1, lambda __x : __x IS NULL OR __x <> $2) END"),
    ),
    row(
        "array_max",
        (1, 1),
        Template("CASE WHEN len(list_filter($1, lambda __x : __x IS NULL)) = 0 THEN list_max($1) END"),
    ),
    row(
        "array_min",
        (1, 1),
        Template("CASE WHEN len(list_filter($1, lambda __x : __x IS NULL)) = 0 THEN list_min($1) END"),
    ),
    row("array_sort", (1, 1), Template("list_sort($1, 'ASC', 'NULLS LAST')")),
    row(
        "array_sort",
        (2, 2),
        Unsupported("array_sort with a comparator lambda has no local equivalent"),
    ),
    row(
        "array_union",
        (2, 2),
        Template(
            "list_filter(list_concat($1, $2), lambda __x, __i : \
             list_position(list_concat($1, $2), __x) = __i)",
        ),
    ),
    row(
        "array_intersect",
        (2, 2),
        Template(
            "list_filter(list_filter($1, lambda __y : list_contains($2, __y)), lambda __x, __i : \
             list_position(list_filter($1, lambda __y : list_contains($2, __y)), __x) = __i)",
        ),
    ),
    row(
        "array_except",
        (2, 2),
        Template(
            "list_filter(list_filter($1, lambda __y : NOT list_contains($2, __y)), lambda __x, __i : \
             list_position(list_filter($1, lambda __y : NOT list_contains($2, __y)), __x) = __i)",
        ),
    ),
    row(
        "repeat",
        (2, 2),
        Template("list_transform(generate_series(1, $2), lambda __i : $1)"),
    ),
    row("trim_array", (2, 2), Template("list_slice($1, 1, len($1) - $2)")),
    noted(
        "reverse",
        (1, 1),
        Custom(arrays::rw_reverse),
        "an array is reversed only when it is visibly an array (literal, cast, array function); \
         DuckDB's reverse of an array column fails",
    ),
    row("zip", (2, ANY), Rename("list_zip")),
    row("concat", (1, ANY), Custom(arrays::rw_concat)),
    // ---- maps ----
    noted(
        "map_agg",
        (2, 2),
        Aggregate(aggregates::rw_map_agg),
        "keeps the first value of a duplicated key (Trino keeps an arbitrary one)",
    ),
    row(
        "split_to_map",
        (3, 3),
        Template(
            "map_from_entries(list_transform(string_split($1, $2), lambda __e : \
             {'key': split_part(__e, $3, 1), 'value': substr(__e, strpos(__e, $3) + length($3))}))",
        ),
    ),
    row(
        "split_to_multimap",
        (3, 3),
        Unsupported("split_to_multimap has no local equivalent"),
    ),
    row(
        "multimap_agg",
        (2, 2),
        Unsupported("multimap_agg has no local equivalent"),
    ),
    row(
        "map_zip_with",
        (3, 3),
        Unsupported("map_zip_with has no local equivalent"),
    ),
    // ---- date and time ----
    row("date_add", (3, 3), Udf("karte_date_add")),
    row("date_diff", (3, 3), Template("datesub($1, $2, $3)")),
    row("date_trunc", (2, 2), Udf("karte_date_trunc")),
    row("day_of_week", (1, 1), Rename("isodow")),
    row("dow", (1, 1), Rename("isodow")),
    row("day_of_month", (1, 1), Rename("day")),
    row("day_of_year", (1, 1), Rename("dayofyear")),
    row("doy", (1, 1), Rename("dayofyear")),
    row("week_of_year", (1, 1), Rename("week")),
    row("year_of_week", (1, 1), Rename("isoyear")),
    row("yow", (1, 1), Rename("isoyear")),
    row("millisecond", (1, 1), Template("millisecond($1) % 1000")),
    row("last_day_of_month", (1, 1), Rename("last_day")),
    row("date", (1, 1), Template("CAST($1 AS DATE)")),
    row("date_format", (2, 2), Custom(time::rw_date_format)),
    row("date_parse", (2, 2), Custom(time::rw_date_parse)),
    row("format_datetime", (2, 2), Custom(time::rw_format_datetime)),
    row("parse_datetime", (2, 2), Custom(time::rw_parse_datetime)),
    row("from_iso8601_date", (1, 1), Template("CAST($1 AS DATE)")),
    row(
        "from_iso8601_timestamp",
        (1, 1),
        Template(
            "karte_with_timezone(\
             CAST(regexp_replace($1, '(T[0-9:.]*)(Z|[+-][0-9][0-9](:?[0-9][0-9])?)$', '\\1') AS TIMESTAMP), \
             coalesce(nullif(regexp_extract($1, 'T[0-9:.]*(Z|[+-][0-9][0-9](:?[0-9][0-9])?)$', 1), ''), 'UTC'))",
        ),
    ),
    row(
        "from_unixtime",
        (1, 1),
        Template("epoch_ms(CAST(round(CAST($1 AS DOUBLE) * 1000) AS BIGINT))"),
    ),
    row(
        "from_unixtime",
        (2, 2),
        Template("karte_at_time_zone(epoch_ms(CAST(round(CAST($1 AS DOUBLE) * 1000) AS BIGINT)), $2)"),
    ),
    row(
        "from_unixtime",
        (3, 3),
        Unsupported("from_unixtime with an hour/minute offset has no local equivalent"),
    ),
    row("to_unixtime", (1, 1), Custom(time::rw_to_unixtime)),
    row("now", (0, 0), Template("make_timestamp(epoch_us(now()))")),
    row("current_timestamp", (0, 0), Template("make_timestamp(epoch_us(now()))")),
    row("localtimestamp", (0, 0), Template("make_timestamp(epoch_us(now()))")),
    row("current_date", (0, 0), Template("CAST(make_timestamp(epoch_us(now())) AS DATE)")),
    row("current_timezone", (0, 0), Template("'UTC'")),
    row("with_timezone", (2, 2), Udf("karte_with_timezone")),
    row("at_timezone", (2, 2), Custom(time::rw_at_timezone)),
    row(
        "timezone_hour",
        (1, 1),
        Unsupported("time zone offsets are not kept by the local engine"),
    ),
    row(
        "timezone_minute",
        (1, 1),
        Unsupported("time zone offsets are not kept by the local engine"),
    ),
    // ---- aggregates ----
    noted(
        "approx_distinct",
        (1, 2),
        Custom(aggregates::rw_approx_distinct),
        "exact locally; Athena's is approximate (about 2.3% standard error)",
    ),
    noted(
        "approx_percentile",
        (2, 2),
        Custom(aggregates::rw_approx_percentile),
        "quantile_disc: an input value of the input type; Athena's t-digest interpolates \
         between values (the median of 1, 2, 3, 4 is 2.5 there, 2 here)",
    ),
    row(
        "approx_percentile",
        (3, 4),
        Unsupported("weighted approx_percentile has no local equivalent"),
    ),
    row("arbitrary", (1, 1), Rename("any_value")),
    row("every", (1, 1), Rename("bool_and")),
    row("listagg", (1, 2), Aggregate(aggregates::rw_listagg)),
    row("set_agg", (1, 1), Template("list(DISTINCT $1)")),
    row("bitwise_and_agg", (1, 1), Rename("bit_and")),
    row("bitwise_or_agg", (1, 1), Rename("bit_or")),
    row("bitwise_xor_agg", (1, 1), Rename("bit_xor")),
    row("approx_set", (1, 2), Unsupported(SKETCH)),
    row("empty_approx_set", (0, 1), Unsupported(SKETCH)),
    row("merge", (1, 1), Unsupported(SKETCH)),
    row("approx_most_frequent", (3, 3), Unsupported(SKETCH)),
    row("numeric_histogram", (2, 3), Unsupported(SKETCH)),
    row("qdigest_agg", (1, 3), Unsupported(SKETCH)),
    row("tdigest_agg", (1, 2), Unsupported(SKETCH)),
    row("value_at_quantile", (2, 2), Unsupported(SKETCH)),
    row("values_at_quantiles", (2, 2), Unsupported(SKETCH)),
    row("khyperloglog_agg", (2, 2), Unsupported(SKETCH)),
    row("make_set_digest", (1, 1), Unsupported(SKETCH)),
    row("merge_set_digest", (1, 1), Unsupported(SKETCH)),
    row("checksum", (1, 1), Unsupported("checksum is computed differently locally")),
    // ---- strings and regular expressions ----
    row("regexp_like", (2, 2), Rename("regexp_matches")),
    row(
        "regexp_extract",
        (2, 2),
        Template("CASE WHEN regexp_matches($1, $2) THEN regexp_extract($1, $2) END"),
    ),
    row(
        "regexp_extract",
        (3, 3),
        Template("CASE WHEN regexp_matches($1, $2) THEN regexp_extract($1, $2, $3) END"),
    ),
    row("regexp_replace", (2, 2), Template("regexp_replace($1, $2, '', 'g')")),
    row("regexp_replace", (3, 3), Custom(strings::rw_regexp_replace)),
    row("regexp_split", (2, 2), Rename("regexp_split_to_array")),
    row("regexp_count", (2, 2), Template("len(regexp_extract_all($1, $2))")),
    row(
        "regexp_position",
        (2, 4),
        Unsupported("regexp_position has no local equivalent"),
    ),
    row("split", (2, 2), Rename("string_split")),
    row(
        "split",
        (3, 3),
        Unsupported("split with a limit has no local equivalent"),
    ),
    row("split_part", (3, 3), Template("string_split($1, $2)[$3]")),
    row(
        "strpos",
        (3, 3),
        Unsupported("strpos with an instance number has no local equivalent"),
    ),
    row(
        "substr",
        (2, 2),
        Template(
            "CASE WHEN $2 = 0 OR $2 < -length($1) THEN substr($1, 1, 0) ELSE substr($1, $2) END",
        ),
    ),
    row(
        "substr",
        (3, 3),
        Template(
            "CASE WHEN $2 = 0 OR $3 <= 0 OR $2 < -length($1) THEN substr($1, 1, 0) \
             ELSE substr($1, $2, $3) END",
        ),
    ),
    row(
        "substring",
        (2, 2),
        Template(
            "CASE WHEN $2 = 0 OR $2 < -length($1) THEN substr($1, 1, 0) ELSE substr($1, $2) END",
        ),
    ),
    row(
        "substring",
        (3, 3),
        Template(
            "CASE WHEN $2 = 0 OR $3 <= 0 OR $2 < -length($1) THEN substr($1, 1, 0) \
             ELSE substr($1, $2, $3) END",
        ),
    ),
    row("replace", (2, 2), Template("replace($1, $2, '')")),
    row("trim", (1, 1), Custom(strings::rw_trim)),
    row("ltrim", (1, 1), Custom(strings::rw_trim)),
    row("rtrim", (1, 1), Custom(strings::rw_trim)),
    row("codepoint", (1, 1), Rename("unicode")),
    row("levenshtein_distance", (2, 2), Udf("karte_levenshtein")),
    row("hamming_distance", (2, 2), Udf("karte_hamming")),
    row("normalize", (1, 2), Custom(strings::rw_normalize)),
    noted(
        "format",
        (1, ANY),
        Custom(strings::rw_format),
        "Java's format is emulated with printf; locale-specific flags (`,`, `(`) are refused",
    ),
    row("typeof", (1, 1), Template("karte_trino_type(typeof($1))")),
    row("greatest", (1, ANY), Custom(other::rw_greatest)),
    row("least", (1, ANY), Custom(other::rw_least)),
    row("if", (2, 2), Template("CASE WHEN $1 THEN $2 END")),
    row("if", (3, 3), Template("CASE WHEN $1 THEN $2 ELSE $3 END")),
    // ---- binary ----
    row("to_utf8", (1, 1), Rename("encode")),
    noted(
        "from_utf8",
        (1, 1),
        Rename("decode"),
        "fails on invalid UTF-8 instead of substituting U+FFFD",
    ),
    row(
        "from_utf8",
        (2, 2),
        Unsupported("from_utf8 with a replacement character has no local equivalent"),
    ),
    row("to_hex", (1, 1), Template("upper(hex($1))")),
    row("from_hex", (1, 1), Rename("unhex")),
    row("md5", (1, 1), Template("unhex(md5($1))")),
    row("sha1", (1, 1), Template("unhex(sha1($1))")),
    row("sha256", (1, 1), Template("unhex(sha256($1))")),
    row("sha512", (1, 1), Udf("karte_sha512")),
    row("xxhash64", (1, 1), Udf("karte_xxhash64")),
    row("hmac_sha256", (2, 2), Udf("karte_hmac_sha256")),
    row("hmac_sha512", (2, 2), Udf("karte_hmac_sha512")),
    row("crc32", (1, 1), Udf("karte_crc32")),
    row(
        "spooky_hash_v2_32",
        (1, 1),
        Unsupported("SpookyHash has no local equivalent"),
    ),
    row(
        "spooky_hash_v2_64",
        (1, 1),
        Unsupported("SpookyHash has no local equivalent"),
    ),
    row("murmur3", (1, 1), Unsupported("murmur3 has no local equivalent")),
    // ---- JSON ----
    // Trino's JSON functions give NULL for malformed JSON; DuckDB's fail, hence json_valid.
    row(
        "json_extract_scalar",
        (2, 2),
        Template(
            "CASE WHEN json_valid($1) AND json_type($1, $2) NOT IN ('OBJECT', 'ARRAY') \
             THEN json_extract_string($1, $2) END",
        ),
    ),
    row(
        "json_extract",
        (2, 2),
        Template("CASE WHEN json_valid($1) THEN json_extract($1, $2) END"),
    ),
    row("json_parse", (1, 1), Template("json($1)")),
    row("json_format", (1, 1), Template("CAST(json($1) AS VARCHAR)")),
    row(
        "json_array_length",
        (1, 1),
        Template("CASE WHEN json_valid($1) AND json_type($1) = 'ARRAY' THEN json_array_length($1) END"),
    ),
    row(
        "json_array_contains",
        (2, 2),
        Template(
            "CASE WHEN json_valid($1) AND json_type($1) = 'ARRAY' THEN list_contains(\
             CAST(json_extract($1, '$[*]') AS VARCHAR[]), CAST(to_json($2) AS VARCHAR)) END",
        ),
    ),
    row(
        "json_size",
        (2, 2),
        Template(
            "CASE WHEN json_valid($1) THEN CASE json_type($1, $2) \
             WHEN 'ARRAY' THEN json_array_length($1, $2) \
             WHEN 'OBJECT' THEN len(json_keys($1, $2)) ELSE 0 END END",
        ),
    ),
    row(
        "is_json_scalar",
        (1, 1),
        Template("json_type($1) NOT IN ('OBJECT', 'ARRAY')"),
    ),
    row("json_value", (2, 2), Custom(strings::rw_json_value)),
    row("json_query", (2, 2), Custom(strings::rw_json_query)),
    row("json_exists", (2, 2), Custom(strings::rw_json_exists)),
    // ---- URLs ----
    row(
        "url_encode",
        (1, 1),
        Template("replace(replace(replace(url_encode($1), '%20', '+'), '%2A', '*'), '~', '%7E')"),
    ),
    row("url_decode", (1, 1), Template("url_decode(replace($1, '+', '%20'))")),
    // ---- math ----
    row("truncate", (1, 1), Rename("trunc")),
    row("e", (0, 0), Template("exp(1)")),
    row("infinity", (0, 0), Template("CAST('infinity' AS DOUBLE)")),
    row("nan", (0, 0), Template("CAST('nan' AS DOUBLE)")),
    row("is_nan", (1, 1), Rename("isnan")),
    row("is_finite", (1, 1), Rename("isfinite")),
    row("is_infinite", (1, 1), Rename("isinf")),
    row("rand", (0, 0), Rename("random")),
    row("rand", (1, 1), Template("CAST(floor(random() * $1) AS BIGINT)")),
    row("random", (1, 1), Template("CAST(floor(random() * $1) AS BIGINT)")),
    row(
        "to_base",
        (2, 2),
        Template(
            "CASE WHEN $1 < 0 THEN '-' || lower(to_base(-$1, $2)) ELSE lower(to_base($1, $2)) END",
        ),
    ),
    row("bitwise_and", (2, 2), Template("($1 & $2)")),
    row("bitwise_or", (2, 2), Template("($1 | $2)")),
    row("bitwise_xor", (2, 2), Template("xor($1, $2)")),
    row("bitwise_not", (1, 1), Template("(~ $1)")),
    // ---- Athena-only ----
    row("st_*", (0, ANY), Unsupported(GEO)),
    row("bing_tile*", (0, ANY), Unsupported(GEO)),
    row("to_spherical_geography", (1, 1), Unsupported(GEO)),
    row("to_geometry", (1, 1), Unsupported(GEO)),
    row("great_circle_distance", (4, 4), Unsupported(GEO)),
    row("geometry_*", (0, ANY), Unsupported(GEO)),
    row("spatial_partitions", (1, 2), Unsupported(GEO)),
];

/// The row of [`FUNCTIONS`] for a call of `name` with `nargs` arguments.
pub(super) fn lookup(name: &str, nargs: usize) -> Option<&'static Mapping> {
    static INDEX: OnceLock<HashMap<&'static str, Vec<&'static Mapping>>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index: HashMap<&'static str, Vec<&'static Mapping>> = HashMap::new();
        for m in FUNCTIONS.iter().filter(|m| !m.athena.ends_with('*')) {
            index.entry(m.athena).or_default().push(m);
        }
        index
    });
    let applies = |m: &&'static Mapping| m.args.0 <= nargs && nargs <= m.args.1;
    match index.get(name) {
        Some(rows) => rows.iter().copied().find(applies),
        None => FUNCTIONS
            .iter()
            .filter(|m| {
                m.athena
                    .strip_suffix('*')
                    .is_some_and(|prefix| name.starts_with(prefix))
            })
            .find(applies),
    }
}
