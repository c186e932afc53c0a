//! SQL analysis: the Athena dialect, relations with their source spans, span-preserving rewriting,
//! and lexical checks for non-engineers' typing mistakes.

mod dialect;
mod hygiene;
mod relations;
mod rewrite;
pub mod secrets;
pub mod shape;

pub use dialect::AthenaDialect;
pub use hygiene::{find_suspicious_chars, SuspiciousChar};
pub use relations::{analyze_sql, RelationRef, SqlAnalysis, SqlParseError};
pub(crate) use relations::{parse_statements, Positions};
pub use rewrite::replace_spans;

mod ephemeral;
mod resolve;
pub use ephemeral::{cte_name, inline_ephemerals};
pub use resolve::{
    analyze, join_fqn, locate, locate_in, quote_ident, source_fqn, AnalyzedModel, Dependency,
    ResolvedRelation,
};

/// Remove a final `;` (and anything after it that is only whitespace or comments).
pub fn strip_trailing_semicolon(sql: &str) -> String {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let dialect = crate::sql::AthenaDialect;
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize_with_location() else {
        return sql.trim_end().to_string();
    };
    let last = tokens
        .iter()
        .rev()
        .find(|t| !matches!(t.token, Token::Whitespace(_)));
    if let Some(t) = last {
        if t.token == Token::SemiColon {
            let index = crate::diag::LineIndex::new(sql);
            let off = index.offset(
                sql,
                t.span.start.line as usize,
                t.span.start.column as usize,
            );
            let mut out = sql[..off].to_string();
            out.push_str(&sql[off + 1..]);
            return out.trim_end().to_string();
        }
    }
    sql.trim_end().to_string()
}
