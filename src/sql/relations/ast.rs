//! Relations and CTE names from the syntax tree, when sqlparser accepts the text: a visitor
//! collects the table factors (not table functions) and the CTEs of each statement, CTE
//! references are dropped, and each name's span is widened to its quotes.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    Ident, ObjectName, ObjectNamePart, Query, Spanned, Statement, TableFactor, Visit, Visitor,
};
use sqlparser::tokenizer::Span;

use super::positions::Positions;
use super::{dedup_names, is_cte_reference, widen_to_quotes, QuoteEnds, RelationRef, SqlAnalysis};

/// A CTE name with where it was defined, for ordering.
struct CteName {
    at: (u64, u64),
    name: String,
}

/// Collects table factors and CTE names of one statement.
#[derive(Default)]
struct Collector {
    tables: Vec<(Vec<String>, Span, QuoteEnds)>,
    ctes: Vec<CteName>,
}

impl Visitor for Collector {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let ident = &cte.alias.name;
                self.ctes.push(CteName {
                    at: (ident.span.start.line, ident.span.start.column),
                    name: ident.value.to_lowercase(),
                });
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name, args: None, ..
        } = factor
        {
            let quote = |part: Option<&ObjectNamePart>| match part {
                Some(ObjectNamePart::Identifier(Ident { quote_style, .. })) => *quote_style,
                _ => None,
            };
            let quotes = QuoteEnds {
                open: quote(name.0.first()),
                close: quote(name.0.last()).map(closing_quote),
            };
            self.tables.push((name_parts(name), name.span(), quotes));
        }
        ControlFlow::Continue(())
    }
}

/// The unquoted parts of an object name.
fn name_parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => ident.value.clone(),
            ObjectNamePart::Function(f) => f.name.value.clone(),
        })
        .collect()
}

/// The character that closes a quoted identifier opened with `open`.
fn closing_quote(open: char) -> char {
    match open {
        '[' => ']',
        other => other,
    }
}

pub(super) fn collect_from_ast(
    statements: &[Statement],
    sql: &str,
    positions: &mut Positions,
    analysis: &mut SqlAnalysis,
) {
    let mut ctes = Vec::new();
    for statement in statements {
        let mut collector = Collector::default();
        let _ = statement.visit(&mut collector);
        let names: HashSet<&str> = collector.ctes.iter().map(|c| c.name.as_str()).collect();
        for (parts, span, quotes) in collector.tables {
            if is_cte_reference(&parts, &names) {
                continue;
            }
            let span = widen_to_quotes(sql, positions.range(span), quotes);
            analysis.relations.push(RelationRef { parts, span });
        }
        ctes.extend(collector.ctes);
    }
    analysis.relations.sort_by_key(|r| r.span.start);
    ctes.sort_by_key(|c| c.at);
    analysis.ctes = dedup_names(ctes.into_iter().map(|c| c.name));
}
