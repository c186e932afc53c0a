//! SQL analysis: the Athena dialect, relations with their source spans, span-preserving rewriting,
//! and lexical checks for non-engineers' typing mistakes.

mod dialect;
mod hygiene;
mod relations;
mod rewrite;

pub use dialect::AthenaDialect;
pub use hygiene::{find_suspicious_chars, SuspiciousChar};
pub use relations::{analyze_sql, RelationRef, SqlAnalysis, SqlParseError};
pub use rewrite::replace_spans;

mod ephemeral;
mod resolve;
pub use ephemeral::{cte_name, inline_ephemerals};
pub use resolve::{
    analyze, join_fqn, locate, quote_ident, AnalyzedModel, Dependency, ResolvedRelation,
};
