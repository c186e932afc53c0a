//! Span-preserving rewriting: replace byte ranges of a text, keep everything else byte for byte.

use std::ops::Range;

/// Returns `text` with each `(range, replacement)` applied; everything outside the ranges
/// (comments, layout, CRLF line ends) is kept byte for byte.
///
/// Replacements may be given in any order; they are applied by start offset. A replacement that
/// overlaps an earlier-starting one, lies outside the text, or does not fall on character
/// boundaries is skipped. An empty range inserts its replacement at that offset.
pub fn replace_spans(text: &str, replacements: &[(Range<usize>, String)]) -> String {
    let mut ordered: Vec<&(Range<usize>, String)> = replacements.iter().collect();
    // Stable, so that of two replacements at the same start the first given wins.
    ordered.sort_by_key(|(range, _)| range.start);

    let extra: usize = ordered.iter().map(|(_, r)| r.len()).sum();
    let mut out = String::with_capacity(text.len() + extra);
    let mut copied = 0;
    let mut last_was_insert_at = None;
    for (range, replacement) in ordered {
        let valid = range.start <= range.end
            && range.end <= text.len()
            && text.is_char_boundary(range.start)
            && text.is_char_boundary(range.end);
        // Overlap with the previous replacement (an insertion at the same point counts too).
        let overlaps =
            range.start < copied || (range.is_empty() && last_was_insert_at == Some(range.start));
        if !valid || overlaps {
            continue;
        }
        out.push_str(&text[copied..range.start]);
        out.push_str(replacement);
        copied = range.end;
        last_was_insert_at = range.is_empty().then_some(range.start);
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::{analyze_sql, AthenaDialect};
    use sqlparser::ast::{visit_relations_mut, Ident, ObjectName, Statement};
    use sqlparser::parser::Parser;
    use std::collections::HashMap;
    use std::ops::ControlFlow;

    fn r(range: Range<usize>, s: &str) -> (Range<usize>, String) {
        (range, s.to_string())
    }

    #[test]
    fn replaces_in_any_order() {
        let text = "select * from a join b on true";
        let a = text.find(" a ").unwrap() + 1;
        let b = text.find(" b ").unwrap() + 1;
        let out = replace_spans(
            text,
            &[r(b..b + 1, "\"gold\".\"b\""), r(a..a + 1, "silver.a")],
        );
        assert_eq!(out, "select * from silver.a join \"gold\".\"b\" on true");
    }

    #[test]
    fn no_replacements_is_identity() {
        let text = "select 1 -- 患者\r\n/* x */\r\n";
        assert_eq!(replace_spans(text, &[]), text);
        assert_eq!(replace_spans("", &[]), "");
    }

    #[test]
    fn overlapping_and_invalid_are_skipped() {
        let text = "abcdef";
        let out = replace_spans(
            text,
            &[r(1..4, "X"), r(2..3, "Y"), r(3..5, "Z"), r(5..6, "W")],
        );
        assert_eq!(out, "aXeW");
        // Same start: the first given wins.
        assert_eq!(replace_spans(text, &[r(0..2, "1"), r(0..1, "2")]), "1cdef");
        // Out of range, reversed, and not on a char boundary.
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 4..2;
        assert_eq!(
            replace_spans(text, &[r(5..60, "?"), r(reversed, "?"), r(7..8, "?")]),
            text
        );
        let jp = "患者";
        assert_eq!(replace_spans(jp, &[r(1..3, "?")]), jp);
        assert_eq!(replace_spans(jp, &[r(3..6, "x")]), "患x");
    }

    #[test]
    fn empty_ranges_insert() {
        assert_eq!(replace_spans("ab", &[r(1..1, "X"), r(2..2, "!")]), "aXb!");
        assert_eq!(replace_spans("ab", &[r(1..1, "X"), r(1..1, "Y")]), "aXb");
        assert_eq!(replace_spans("ab", &[r(1..1, "X"), r(1..2, "Y")]), "aXY");
    }

    /// Checks that `rewritten` parses to the statement of `original` with its relations renamed
    /// the way [`analyze_sql`] reports them (compared through sqlparser's rendering).
    fn same_statement_renamed(original: &str, rewritten: &str) -> Result<(), String> {
        let parse = |sql| Parser::parse_sql(&AthenaDialect, sql).map_err(|e| e.to_string());
        let renames: HashMap<Vec<String>, Vec<String>> = analyze_sql(original)
            .relations
            .into_iter()
            .zip(analyze_sql(rewritten).relations)
            .map(|(a, b)| (a.parts, b.parts))
            .collect();
        let mut expected = parse(original)?;
        let _ = visit_relations_mut(&mut expected, |name| {
            let parts: Vec<String> = name
                .0
                .iter()
                .map(|p| p.to_string().replace('"', ""))
                .collect();
            if let Some(new) = renames.get(&parts) {
                *name = ObjectName::from(
                    new.iter()
                        .map(|p| Ident::with_quote('"', p.as_str()))
                        .collect::<Vec<_>>(),
                );
            }
            ControlFlow::<()>::Continue(())
        });
        let (expected, actual) = (display(&expected), display(&parse(rewritten)?));
        if expected == actual {
            Ok(())
        } else {
            Err(format!("expected {expected}\n got {actual}"))
        }
    }

    fn display(statements: &[Statement]) -> String {
        statements.iter().map(|s| format!("{s};")).collect()
    }

    #[test]
    fn round_trip_rewrites_relations_keeping_layout() {
        let sql = "-- 集計\r\nwith r as (select * from silver.receipts)\r\n\
                   select *\r\nfrom r join \"Silver\".\"Patients\" p /* 患者 */ on r.pid = p.id\r\n\
                   where exists (select 1 from stg_visits v where v.pid = p.id);\r\n";
        let before = analyze_sql(sql);
        assert_eq!(before.parse_error, None);
        let replacements: Vec<_> = before
            .relations
            .iter()
            .map(|rel| {
                let name = format!("\"prod\".\"{}\"", rel.parts.join("_").to_lowercase());
                (rel.span.clone(), name)
            })
            .collect();
        let out = replace_spans(sql, &replacements);
        assert_eq!(
            out,
            "-- 集計\r\nwith r as (select * from \"prod\".\"silver_receipts\")\r\n\
             select *\r\nfrom r join \"prod\".\"silver_patients\" p /* 患者 */ on r.pid = p.id\r\n\
             where exists (select 1 from \"prod\".\"stg_visits\" v where v.pid = p.id);\r\n"
        );
        let after = analyze_sql(&out);
        assert_eq!(after.parse_error, None);
        let parts: Vec<_> = after.relations.iter().map(|r| r.parts.clone()).collect();
        assert_eq!(
            parts,
            [
                ["prod", "silver_receipts"],
                ["prod", "silver_patients"],
                ["prod", "stg_visits"]
            ]
        );
        assert_eq!(after.ctes, before.ctes);
        assert_eq!(after.statement_count, 1);
        assert_eq!(same_statement_renamed(sql, &out), Ok(()));
        // Rewriting back restores the original text exactly.
        let back: Vec<_> = after
            .relations
            .iter()
            .zip(&before.relations)
            .map(|(a, b)| (a.span.clone(), sql[b.span.clone()].to_string()))
            .collect();
        assert_eq!(replace_spans(&out, &back), sql);
    }
}
