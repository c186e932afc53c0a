//! Relations (tables and views) read by a query, with their byte spans in the source text.
//!
//! [`analyze_sql`] tokenizes the text once, counts statements from the tokens, and parses the
//! tokens with [`AthenaDialect`]. When the parser accepts the text, relations and CTE names come
//! from the syntax tree; when it does not (Trino syntax that sqlparser does not know, or a typing
//! mistake), they come from a scan of the tokens that is deliberately conservative: it reads the
//! dotted name after `FROM` (of a `SELECT`), after `JOIN`, and after the commas of a `FROM` list.
//!
//! This file holds the entry point, the statement split and what both paths share;
//! `positions.rs` converts the parser's locations (and its errors) to byte offsets, `ast.rs`
//! collects from the syntax tree, `tokens.rs` is the token-scan fallback.

use std::collections::HashSet;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use sqlparser::ast::{Query, SetExpr, Statement};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use super::AthenaDialect;
use ast::collect_from_ast;
use positions::parse_error;
pub(crate) use positions::Positions;
use tokens::collect_from_tokens;

mod ast;
mod positions;
#[cfg(test)]
mod tests;
mod tokens;

/// A relation (table or view name) written in a query, with where it is in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationRef {
    /// The dotted parts, unquoted, case as written: `"Silver".receipts` → `["Silver", "receipts"]`.
    pub parts: Vec<String>,
    /// Byte range in the analysed text covering the whole dotted name, including quotes.
    pub span: Range<usize>,
}

/// Why the text could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlParseError {
    /// The parser's message, without sqlparser's `" at Line: …, Column: …"` suffix.
    pub message: String,
    /// Byte offset in the analysed text where the problem was found.
    pub offset: usize,
}

/// What [`analyze_sql`] found out about a SQL text.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SqlAnalysis {
    /// Relations read by the query, in text order; CTE references excluded.
    pub relations: Vec<RelationRef>,
    /// Number of statements (a trailing `;` does not make a second one; comments/whitespace after
    /// it neither).
    pub statement_count: usize,
    /// Byte offset where the second statement starts, if there is one.
    pub second_statement_at: Option<usize>,
    /// Set when the text did not parse; `relations` then come from a token scan.
    pub parse_error: Option<SqlParseError>,
    /// Names of the CTEs defined in the query (lower-cased), in text order, each once.
    pub ctes: Vec<String>,
    /// True if the (first) statement is a query (SELECT / WITH … SELECT / VALUES / set
    /// operations); false for DDL/DML such as INSERT, CREATE, DROP. When parsing failed, decided
    /// from the first token (`SELECT`, `WITH`, `VALUES` or `(`).
    pub is_query: bool,
    /// The query's shape, for column lineage (when it parsed and is a query).
    pub shape: Option<super::shape::QueryShape>,
}

/// Analyses one SQL text (a rendered model): its relations with spans, CTEs, statement count,
/// and whether it is a query.
///
/// Never panics. Relations are the table names in `FROM` / `JOIN` positions at any depth
/// (subqueries, CTE bodies, set operations, `IN (SELECT …)`, `EXISTS`, lateral joins); table
/// functions and `UNNEST` are not relations, and a single-part name equal (case-insensitively)
/// to a CTE defined anywhere in the same statement is a CTE reference, not a relation.
pub fn analyze_sql(sql: &str) -> SqlAnalysis {
    let dialect = AthenaDialect;
    let mut positions = Positions::new(sql);
    let mut tokens = Vec::new();
    let tokenized = Tokenizer::new(&dialect, sql).tokenize_with_location_into_buf(&mut tokens);
    let failed_at = tokenized.as_ref().err().map(|e| e.location);
    let statements = split_statements(&tokens, failed_at);

    let mut analysis = SqlAnalysis {
        statement_count: statements.count,
        second_statement_at: statements.second_start.map(|l| positions.offset(l)),
        is_query: statements.first_is_query,
        ..SqlAnalysis::default()
    };

    if let Err(e) = tokenized {
        analysis.parse_error = Some(SqlParseError {
            message: e.message,
            offset: positions.offset(e.location),
        });
        return analysis;
    }

    let mut parser = Parser::new(&dialect).with_tokens_with_locations(prepare_for_parser(tokens));
    match parser.parse_statements() {
        Ok(statements) => {
            analysis.is_query =
                matches!(statements.first(), Some(Statement::Query(q)) if reads_only(q));
            if let (true, Some(Statement::Query(q))) = (analysis.is_query, statements.first()) {
                analysis.shape = Some(super::shape::of_query(q, &mut positions));
            }
            collect_from_ast(&statements, sql, &mut positions, &mut analysis);
        }
        Err(e) => {
            analysis.parse_error = Some(parse_error(e, sql, &mut positions));
            collect_from_tokens(&parser.into_tokens(), sql, &mut positions, &mut analysis);
        }
    }
    analysis
}

/// Parses a rendered SQL text into statements the way [`analyze_sql`] does (None: it does not
/// tokenize or parse). For checks that need the whole syntax tree again (`crate::lint`).
pub(crate) fn parse_statements(sql: &str) -> Option<Vec<Statement>> {
    let dialect = AthenaDialect;
    let mut tokens = Vec::new();
    Tokenizer::new(&dialect, sql)
        .tokenize_with_location_into_buf(&mut tokens)
        .ok()?;
    Parser::new(&dialect)
        .with_tokens_with_locations(prepare_for_parser(tokens))
        .parse_statements()
        .ok()
}

// ---------------------------------------------------------------------------------------------
// Statements

/// Statement boundaries found in the tokens.
struct Statements {
    count: usize,
    second_start: Option<Location>,
    first_is_query: bool,
}

/// Splits the tokens on `;` at parenthesis depth 0; segments with only whitespace and comments
/// do not count. `failed_at` is where tokenizing stopped, which counts as content.
fn split_statements(tokens: &[TokenWithSpan], failed_at: Option<Location>) -> Statements {
    let mut result = Statements {
        count: 0,
        second_start: None,
        first_is_query: false,
    };
    let mut depth = 0usize;
    let mut segment_has_content = false;
    let content_at = |result: &mut Statements, token: Option<&Token>, loc: Location| {
        result.count += 1;
        match result.count {
            1 => result.first_is_query = token.is_some_and(starts_query),
            2 => result.second_start = Some(loc),
            _ => {}
        }
    };
    for t in tokens {
        match &t.token {
            Token::Whitespace(_) | Token::EOF => continue,
            Token::SemiColon if depth == 0 => {
                segment_has_content = false;
                continue;
            }
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !segment_has_content {
            segment_has_content = true;
            content_at(&mut result, Some(&t.token), t.span.start);
        }
    }
    if let (Some(loc), false) = (failed_at, segment_has_content) {
        content_at(&mut result, None, loc);
    }
    result
}

/// Whether a statement starting with `token` is a query.
fn starts_query(token: &Token) -> bool {
    match token {
        Token::LParen => true,
        Token::Word(w) if w.quote_style.is_none() => {
            matches!(w.keyword, Keyword::SELECT | Keyword::WITH | Keyword::VALUES)
        }
        _ => false,
    }
}

/// True if a query only reads: not `WITH … INSERT` / `UPDATE` / `DELETE` / `MERGE`.
fn reads_only(query: &Query) -> bool {
    match &*query.body {
        SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => false,
        SetExpr::Query(inner) => reads_only(inner),
        _ => true,
    }
}

/// Adapts the tokens to what sqlparser understands, keeping each token's span:
///
/// - Whitespace and comments are dropped (the parser would skip them anyway, and skipping them
///   at every look-ahead is a good part of its time; no construct of this dialect depends on
///   them).
/// - Trino's `FOR TIMESTAMP AS OF` and `FOR VERSION AS OF` lose their `FOR`, becoming
///   sqlparser's `TIMESTAMP AS OF` / `VERSION AS OF`.
fn prepare_for_parser(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    tokens.retain(|t| !matches!(t.token, Token::Whitespace(_)));
    let is_time_travel = |i: usize| {
        let mut words = tokens[i + 1..].iter().take(3).map(|t| match &t.token {
            Token::Word(w) if w.quote_style.is_none() => w.keyword,
            _ => Keyword::NoKeyword,
        });
        matches!(words.next(), Some(Keyword::TIMESTAMP | Keyword::VERSION))
            && words.next() == Some(Keyword::AS)
            && words.next() == Some(Keyword::OF)
    };
    let drop: Vec<usize> = (0..tokens.len())
        .filter(|&i| is_keyword(&tokens[i].token, Keyword::FOR) && is_time_travel(i))
        .collect();
    if !drop.is_empty() {
        let mut i = 0;
        tokens.retain(|_| {
            i += 1;
            drop.binary_search(&(i - 1)).is_err()
        });
    }
    tokens
}

/// True for the unquoted keyword `kw`.
fn is_keyword(token: &Token, kw: Keyword) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.keyword == kw)
}

// ---------------------------------------------------------------------------------------------
// Shared by both paths

/// The quote characters of a name's first and last parts, to check the span covers them.
#[derive(Clone, Copy)]
struct QuoteEnds {
    open: Option<char>,
    close: Option<char>,
}

/// True if `parts` is a single name equal to one of the (lower-cased) CTE names.
fn is_cte_reference(parts: &[String], ctes: &HashSet<&str>) -> bool {
    match parts {
        [name] => !ctes.is_empty() && ctes.contains(name.to_lowercase().as_str()),
        _ => false,
    }
}

/// Names in order, each once.
fn dedup_names(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    names.filter(|n| seen.insert(n.clone())).collect()
}

/// Makes sure a quoted name's span includes its opening and closing quotes.
fn widen_to_quotes(sql: &str, mut span: Range<usize>, quotes: QuoteEnds) -> Range<usize> {
    let bytes = sql.as_bytes();
    let is = |i: usize, q: char| q.is_ascii() && bytes.get(i) == Some(&(q as u8));
    if let Some(q) = quotes.open {
        if !is(span.start, q) && span.start > 0 && is(span.start - 1, q) {
            span.start -= 1;
        }
    }
    if let Some(q) = quotes.close {
        if span.end > span.start && !is(span.end - 1, q) && is(span.end, q) {
            span.end += 1;
        }
    }
    span
}
