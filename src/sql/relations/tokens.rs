//! Relations and CTE names from a scan of the tokens, when sqlparser does not accept the text
//! (Trino syntax it does not know, or a typing mistake). Deliberately conservative: it reads the
//! dotted name after `FROM` (of a `SELECT`), after `JOIN`, and after the commas of a `FROM` list,
//! and the names of `WITH name AS (…)`.

use std::collections::HashSet;

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Word};

use super::positions::Positions;
use super::{
    dedup_names, is_cte_reference, is_keyword, widen_to_quotes, QuoteEnds, RelationRef, SqlAnalysis,
};

/// Words that cannot start a relation name after `FROM` / `JOIN` / `,`: Trino's reserved words
/// plus `LATERAL`.
const NOT_A_RELATION: &[&str] = &[
    "ALTER",
    "AND",
    "AS",
    "BETWEEN",
    "BY",
    "CASE",
    "CAST",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "CUBE",
    "DEALLOCATE",
    "DELETE",
    "DESCRIBE",
    "DISTINCT",
    "DROP",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXECUTE",
    "EXISTS",
    "EXTRACT",
    "FALSE",
    "FOR",
    "FROM",
    "FULL",
    "GROUP",
    "GROUPING",
    "HAVING",
    "IN",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "JOIN",
    "LATERAL",
    "LEFT",
    "LIKE",
    "LIMIT",
    "NATURAL",
    "NOT",
    "NULL",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "PREPARE",
    "RECURSIVE",
    "RIGHT",
    "ROLLUP",
    "SELECT",
    "TABLE",
    "THEN",
    "TRUE",
    "UNION",
    "UNNEST",
    "USING",
    "VALUES",
    "WHEN",
    "WHERE",
    "WITH",
];

/// Parsing state of one parenthesis level in the token scan.
#[derive(Default)]
struct Frame {
    /// A `SELECT` was seen at this level, so a `FROM` here starts a `FROM` clause.
    select_seen: bool,
    /// Inside a `FROM` clause at this level: commas separate relations.
    in_from: bool,
}

pub(super) fn collect_from_tokens(
    tokens: &[TokenWithSpan],
    sql: &str,
    positions: &mut Positions,
    analysis: &mut SqlAnalysis,
) {
    let sig: Vec<&TokenWithSpan> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
        .collect();
    let closing = matching_parens(&sig);

    // Statement boundaries in `sig`, so CTEs shadow only within their statement.
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    for (i, t) in sig.iter().enumerate() {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::SemiColon if depth == 0 => {
                ranges.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    ranges.push(start..sig.len());

    let mut ctes = Vec::new();
    for range in ranges {
        let statement = &sig[range.clone()];
        let closing: Vec<Option<usize>> = closing[range.clone()]
            .iter()
            .map(|c| c.map(|c| c - range.start))
            .collect();
        let names = scan_ctes(statement, &closing);
        let name_set: HashSet<&str> = names.iter().map(String::as_str).collect();
        for (parts, span) in scan_relations(statement) {
            if is_cte_reference(&parts, &name_set) {
                continue;
            }
            let quotes = QuoteEnds {
                open: None,
                close: None,
            };
            let span = widen_to_quotes(sql, positions.range(span), quotes);
            analysis.relations.push(RelationRef { parts, span });
        }
        ctes.extend(names);
    }
    analysis.ctes = dedup_names(ctes.into_iter());
}

/// For each `(` in `sig`, the index of its matching `)`, if any.
fn matching_parens(sig: &[&TokenWithSpan]) -> Vec<Option<usize>> {
    let mut closing = vec![None; sig.len()];
    let mut open = Vec::new();
    for (i, t) in sig.iter().enumerate() {
        match t.token {
            Token::LParen => open.push(i),
            Token::RParen => {
                if let Some(o) = open.pop() {
                    closing[o] = Some(i);
                }
            }
            _ => {}
        }
    }
    closing
}

/// The word of a token, if it is one.
fn word<'a>(token: Option<&&'a TokenWithSpan>) -> Option<&'a Word> {
    match token.map(|t| &t.token) {
        Some(Token::Word(w)) => Some(w),
        _ => None,
    }
}

/// CTE names defined in one statement's tokens (lower-cased, in text order):
/// `WITH [RECURSIVE] name [(cols)] AS ( … ) [, name [(cols)] AS ( … )]*`.
fn scan_ctes(sig: &[&TokenWithSpan], closing: &[Option<usize>]) -> Vec<String> {
    let mut names = Vec::new();
    for (i, t) in sig.iter().enumerate() {
        if !is_keyword(&t.token, Keyword::WITH) {
            continue;
        }
        let mut j = i + 1;
        if sig
            .get(j)
            .is_some_and(|t| is_keyword(&t.token, Keyword::RECURSIVE))
        {
            j += 1;
        }
        while let Some(name) = word(sig.get(j)) {
            let mut k = j + 1;
            if sig.get(k).is_some_and(|t| t.token == Token::LParen) {
                let Some(close) = closing[k] else { break };
                k = close + 1;
            }
            if !sig
                .get(k)
                .is_some_and(|t| is_keyword(&t.token, Keyword::AS))
            {
                break;
            }
            k += 1;
            if sig.get(k).is_none_or(|t| t.token != Token::LParen) {
                break;
            }
            names.push(name.value.to_lowercase());
            let Some(close) = closing[k] else { break };
            if sig.get(close + 1).is_none_or(|t| t.token != Token::Comma) {
                break;
            }
            j = close + 2;
        }
    }
    names
}

/// Dotted names in `FROM` / `JOIN` positions of one statement's tokens, with their spans.
fn scan_relations(sig: &[&TokenWithSpan]) -> Vec<(Vec<String>, Span)> {
    let mut found = Vec::new();
    let mut frames = vec![Frame::default()];
    // The next token is where a relation may be named.
    let mut table_position = false;
    let mut i = 0;
    while i < sig.len() {
        let token = &sig[i].token;
        if std::mem::take(&mut table_position) {
            match token {
                Token::LParen => {
                    // `FROM (a JOIN b …)` or `FROM (SELECT …)`: inside, relations may follow.
                    frames.push(Frame {
                        select_seen: false,
                        in_from: true,
                    });
                    table_position = true;
                    i += 1;
                    continue;
                }
                Token::Word(w) if w.quote_style.is_some() || !is_reserved(w) => {
                    let (parts, span, next) = read_dotted_name(sig, i);
                    found.push((parts, span));
                    i = next;
                    continue;
                }
                _ => {}
            }
        }
        let outermost = frames.len() == 1;
        let Some(frame) = frames.last_mut() else {
            break; // unreachable: the outermost frame is never popped
        };
        match token {
            Token::LParen => frames.push(Frame::default()),
            Token::RParen if !outermost => {
                frames.pop();
            }
            Token::Comma => table_position = frame.in_from,
            Token::Word(w) if w.quote_style.is_none() => match w.keyword {
                Keyword::SELECT => {
                    frame.select_seen = true;
                    frame.in_from = false;
                }
                Keyword::FROM => {
                    let after_distinct = i > 0 && is_keyword(&sig[i - 1].token, Keyword::DISTINCT);
                    if frame.select_seen && !after_distinct {
                        frame.in_from = true;
                        table_position = true;
                    }
                }
                Keyword::JOIN => {
                    frame.in_from = true;
                    table_position = true;
                }
                Keyword::WHERE
                | Keyword::GROUP
                | Keyword::HAVING
                | Keyword::ORDER
                | Keyword::LIMIT
                | Keyword::OFFSET
                | Keyword::FETCH
                | Keyword::WINDOW
                | Keyword::UNION
                | Keyword::INTERSECT
                | Keyword::EXCEPT => frame.in_from = false,
                _ => {}
            },
            _ => {}
        }
        i += 1;
    }
    found
}

/// True for words that cannot be the start of a relation name.
fn is_reserved(w: &Word) -> bool {
    NOT_A_RELATION
        .iter()
        .any(|r| r.eq_ignore_ascii_case(&w.value))
}

/// Reads `w(.w)*` starting at the word `sig[start]`: the parts, the span, and the index after.
fn read_dotted_name(sig: &[&TokenWithSpan], start: usize) -> (Vec<String>, Span, usize) {
    let mut parts = Vec::new();
    let mut span = sig[start].span;
    let mut i = start;
    while let Some(w) = word(sig.get(i)) {
        parts.push(w.value.clone());
        span.end = sig[i].span.end;
        if sig.get(i + 1).map(|t| &t.token) == Some(&Token::Period)
            && word(sig.get(i + 2)).is_some()
        {
            i += 2;
        } else {
            i += 1;
            break;
        }
    }
    (parts, span, i)
}
