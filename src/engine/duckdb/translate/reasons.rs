//! Why a construct cannot run locally ([`super::Untranslatable::message`], the E502 label), in
//! the reader's language. The reasons are written in English where they are found (and the
//! function table of docs/local-engine.md is generated from them); this maps each one, or its
//! pattern, to a message of `src/i18n/*/translate.ftl`. A test checks that every mapped English
//! text is the catalogue's English and that each reason the function table gives is mapped.

use crate::i18n::Lang;

/// Reasons without values.
const EXACT: &[(&str, &str)] = &[
    ("HyperLogLog and digest sketches only exist on Athena", "translate-sketch"),
    ("geospatial functions only run on Athena (DuckDB's spatial extension is not available locally)", "translate-geo"),
    ("time zone offsets are not kept by the local engine", "translate-time-zone-offsets"),
    ("checksum is computed differently locally", "translate-checksum"),
    ("Iceberg time travel only runs on Athena; the local engine has only the current table", "translate-time-travel"),
    ("array_sort with a comparator lambda has no local equivalent", "translate-array-sort-lambda"),
    ("from_unixtime with an hour/minute offset has no local equivalent", "translate-from-unixtime-offset"),
    ("weighted approx_percentile has no local equivalent", "translate-weighted-percentile"),
    ("split with a limit has no local equivalent", "translate-split-limit"),
    ("strpos with an instance number has no local equivalent", "translate-strpos-instance"),
    ("from_utf8 with a replacement character has no local equivalent", "translate-from-utf8-replacement"),
    ("regexp_replace with a lambda has no local equivalent", "translate-regexp-replace-lambda"),
    ("regexp_replace with named groups (${name}) has no local equivalent", "translate-regexp-replace-named"),
    ("regexp_replace: the replacement ends with '\\'", "translate-regexp-replace-trailing"),
    ("regexp_replace: '$' must be followed by a group number", "translate-regexp-replace-dollar"),
    ("format: the format string ends inside a specifier", "translate-format-unfinished"),
    ("format needs a format string", "translate-format-needs-string"),
    ("normalize: the form must be NFC, NFD, NFKC or NFKD", "translate-normalize-form"),
];

/// Reasons with values, most specific first.
const PATTERNS: &[(&str, &str)] = &[
    (
        "{name} with OVER, FILTER, DISTINCT or ORDER BY has no local equivalent",
        "translate-clauses",
    ),
    (
        "the Joda pattern field {field} has no local equivalent",
        "translate-joda-field",
    ),
    (
        "the date pattern field {field} has no local equivalent",
        "translate-date-field",
    ),
    (
        "format: the conversion {conversion} has no local equivalent",
        "translate-format-conversion",
    ),
    (
        "format: the specifier {specifier} has no argument",
        "translate-format-specifier",
    ),
    (
        "the {type} type has no local equivalent",
        "translate-type-no-equivalent",
    ),
    (
        "the {type} sketch type only exists on Athena",
        "translate-sketch-type",
    ),
    (
        "the {type} type only exists on Athena",
        "translate-type-athena-only",
    ),
    (
        "the pseudo-column {name} describes Athena's files and only exists on Athena",
        "translate-pseudo-column",
    ),
    (
        "{name} needs a lambda with {count} parameter(s) to run locally",
        "translate-needs-lambda",
    ),
    (
        "the {what} pattern must be a string literal to run locally",
        "translate-pattern-literal",
    ),
    (
        "the interval literal {text} is not in a form Trino accepts",
        "translate-interval",
    ),
    (
        "normalize: unknown form {form}",
        "translate-normalize-unknown",
    ),
    (
        "expected {expected} arguments, got {got}",
        "translate-argument-count",
    ),
    ("{name} needs an argument", "translate-needs-argument"),
    ("{what} has no local equivalent", "translate-no-equivalent"),
];

/// A reason in `lang` (one not in the catalogue, e.g. the SQL parser's message, as it is).
pub fn reason(lang: Lang, english: &str) -> String {
    crate::i18n::recorded::show(lang, EXACT, PATTERNS, english)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_is_the_catalogue_english_and_has_japanese() {
        for (en, id) in EXACT {
            assert_eq!(reason(Lang::En, en), *en, "{id}");
            assert_ne!(reason(Lang::Ja, en), *en, "{id} has no Japanese");
        }
        for (pattern, id) in PATTERNS {
            let mut text = pattern.to_string();
            let mut n = 0;
            while let Some(open) = text.find('{') {
                let close = open + text[open..].find('}').unwrap();
                n += 1;
                text.replace_range(open..=close, &format!("v{n}_x"));
            }
            assert_eq!(reason(Lang::En, &text), text, "{id}");
            let ja = reason(Lang::Ja, &text);
            assert_ne!(ja, text, "{id} has no Japanese");
            for k in 1..=n {
                assert!(ja.contains(&format!("v{k}_x")), "{id} loses a value: {ja}");
            }
        }
    }

    #[test]
    fn every_reason_of_the_function_table_is_in_japanese() {
        for m in super::super::FUNCTIONS {
            if let super::super::Rewrite::Unsupported(why) = m.rewrite {
                assert_ne!(reason(Lang::Ja, why), why, "{}: {why}", m.athena);
            }
        }
    }

    #[test]
    fn refused_constructs_give_japanese_reasons() {
        for sql in [
            "select approx_set(x) from t",
            "select \"$path\" from t",
            "select * from t for timestamp as of timestamp '2024-01-01 00:00:00'",
            "select date_format(d, '%D') from t",
            "select split_to_multimap(a, ',', '=') from t",
        ] {
            let problems = super::super::translate(sql).expect_err(sql);
            for p in problems {
                let ja = reason(Lang::Ja, &p.message);
                assert_ne!(ja, p.message, "{sql}");
                assert!(!ja.contains("local equivalent"), "{sql}: {ja}");
            }
        }
    }
}
