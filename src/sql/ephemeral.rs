//! Ephemeral models are not built: each consumer gets them as a CTE. Runs after the graph is
//! known (an ephemeral model may read another one), and edits the consumer's text by span only.

use std::collections::HashMap;

use sqlparser::tokenizer::{Token, Tokenizer};

use super::{replace_spans, AnalyzedModel, AthenaDialect, Dependency};
use crate::project::Project;

/// The CTE name standing for ephemeral model `name`.
pub fn cte_name(name: &str) -> String {
    format!("ephemeral__{}", name.to_lowercase())
}

/// Inline ephemeral models (`materialized: ephemeral`) into their consumers, in `order`.
pub fn inline_ephemerals(project: &Project, models: &mut [AnalyzedModel], order: &[usize]) {
    let position: HashMap<usize, usize> = models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.node, i))
        .collect();
    let is_ephemeral = |m: &AnalyzedModel| m.config.materialized() == "ephemeral";
    if !models.iter().any(is_ephemeral) {
        return;
    }
    // Compiled bodies of ephemeral models, filled in dependency order.
    let mut bodies: HashMap<usize, String> = HashMap::new();
    for node in order {
        let Some(&i) = position.get(node) else {
            continue;
        };
        let m = &models[i];
        let uses: Vec<usize> = m
            .relations
            .iter()
            .filter_map(|r| match r.dep {
                Dependency::Node(n) if bodies.contains_key(&n) => Some(n),
                _ => None,
            })
            .collect();
        if !uses.is_empty() {
            let replacements: Vec<_> = m
                .relations
                .iter()
                .filter_map(|r| {
                    let text = match r.dep {
                        Dependency::Node(n) if bodies.contains_key(&n) => {
                            cte_name(&project.nodes[n].name)
                        }
                        _ => r.replacement.clone()?,
                    };
                    Some((r.span.clone(), text))
                })
                .collect();
            let mut ctes: Vec<(String, String)> = Vec::new();
            for n in uses {
                let name = cte_name(&project.nodes[n].name);
                if !ctes.iter().any(|(c, _)| *c == name) {
                    ctes.push((name, bodies[&n].clone()));
                }
            }
            let rewritten = replace_spans(&m.rendered_sql, &replacements);
            models[i].compiled_sql = prepend_ctes(&rewritten, &ctes);
        }
        if is_ephemeral(&models[i]) {
            let body = super::strip_trailing_semicolon(&models[i].compiled_sql);
            bodies.insert(*node, body.trim_start().to_string());
        }
    }
}

/// Add CTEs in front of a query: into its `WITH` list if it has one, else as a new `WITH`.
fn prepend_ctes(sql: &str, ctes: &[(String, String)]) -> String {
    let defs: Vec<String> = ctes
        .iter()
        .map(|(name, body)| format!("{name} AS (\n{body}\n)"))
        .collect();
    let dialect = AthenaDialect;
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .unwrap_or_default();
    let index = crate::diag::LineIndex::new(sql);
    let offset = |t: &sqlparser::tokenizer::TokenWithSpan| {
        index.offset(
            sql,
            t.span.start.line as usize,
            t.span.start.column as usize,
        )
    };
    let mut significant = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)));
    match significant.next() {
        Some(first) if matches!(&first.token, Token::Word(w) if w.value.eq_ignore_ascii_case("with")) =>
        {
            // After `WITH` (and `RECURSIVE`).
            let after = match significant.next() {
                Some(t) if matches!(&t.token, Token::Word(w) if w.value.eq_ignore_ascii_case("recursive")) => {
                    offset(t) + "recursive".len()
                }
                _ => offset(first) + "with".len(),
            };
            format!("{}\n{},{}", &sql[..after], defs.join(",\n"), &sql[after..])
        }
        Some(first) => {
            let at = offset(first);
            format!("{}WITH {}\n{}", &sql[..at], defs.join(",\n"), &sql[at..])
        }
        None => sql.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepends_into_existing_with() {
        let ctes = vec![("ephemeral__e".to_string(), "select 1 as x".to_string())];
        assert_eq!(
            prepend_ctes("-- c\nwith a as (select 2)\nselect * from a", &ctes),
            "-- c\nwith\nephemeral__e AS (\nselect 1 as x\n), a as (select 2)\nselect * from a"
        );
        assert_eq!(
            prepend_ctes("-- c\nselect * from ephemeral__e", &ctes),
            "-- c\nWITH ephemeral__e AS (\nselect 1 as x\n)\nselect * from ephemeral__e"
        );
    }
}
