//! `FROM l CROSS JOIN UNNEST(l.xs) [WITH ORDINALITY] AS t(x [, n])`, the usual way Trino turns
//! an array of columns into rows, runs in DuckDB as a lateral join: DuckDB deduplicates the
//! columns the array reads (a hash aggregate over all of them), unnests, then joins back on
//! all of them — on a wide table (31 day columns of a claim line) that is most of a model's
//! time and memory. The same rows come from DuckDB's select-list `unnest`, which streams:
//!
//! ```sql
//! FROM (SELECT *, unnest(xs) AS "__karte_unnest_1", unnest(range(1, len(xs) + 1)) AS "__karte_unnest_2"
//!       FROM l) AS l
//! ```
//!
//! with `t.x`/`x` read as `l."__karte_unnest_1"` and `t.n`/`n` as `l."__karte_unnest_2"`.
//! Rows are the same (an empty or NULL array gives none, as in Trino's CROSS JOIN UNNEST), and
//! the ordinal numbers each array's elements from 1. Only the plain shape is rewritten — one
//! FROM item whose only join is the UNNEST of one array, no `*` in the select list (it would
//! show the added columns) and no subquery in the SELECT (its scope could reuse the names);
//! anything else runs as written.

use std::ops::ControlFlow;

use sqlparser::ast::{
    visit_expressions, visit_expressions_mut, Expr, FunctionArg, FunctionArgExpr, Ident,
    JoinConstraint, JoinOperator, Query, Select, SelectItem, SetExpr, TableAlias, TableFactor,
};

use super::expr::instantiate_query;

/// Rewrite the SELECT of `query` (not its nested queries: the walk visits those itself).
pub(super) fn flatten(query: &mut Query) {
    let SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    let Some(plan) = plan(select) else {
        return;
    };
    // Names first (the FROM is out of the way, so nothing inside it is renamed), then the FROM.
    let from = std::mem::take(&mut select.from);
    rename(select, &plan);
    select.from = from;
    if let Some(order_by) = query.order_by.as_mut() {
        let _ = visit_expressions_mut(order_by, |e| {
            rename_expr(e, &plan);
            ControlFlow::<()>::Continue(())
        });
    }
    let SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    let twj = &mut select.from[0];
    let left = twj.relation.clone();
    twj.joins.clear();
    twj.relation = derived(left, &plan);
}

/// What one rewrite needs: the left relation's name, the array, and the UNNEST's alias and
/// columns (value, then the ordinal if asked for).
struct Plan {
    left: Ident,
    array: Expr,
    alias: Ident,
    columns: Vec<Ident>,
}

fn plan(select: &Select) -> Option<Plan> {
    if select.from.len() != 1 || select.from[0].joins.len() != 1 {
        return None;
    }
    let twj = &select.from[0];
    let join = &twj.joins[0];
    match &join.join_operator {
        JoinOperator::CrossJoin(JoinConstraint::None) => {}
        _ => return None,
    }
    let (alias, array, ordinality) = match &join.relation {
        TableFactor::UNNEST {
            alias: Some(alias),
            array_exprs,
            with_offset: false,
            with_ordinality,
            ..
        } if array_exprs.len() == 1 => (alias, array_exprs[0].clone(), *with_ordinality),
        TableFactor::Table {
            name,
            args: Some(args),
            alias: Some(alias),
            with_ordinality,
            ..
        } if name.0.len() == 1
            && name.to_string().eq_ignore_ascii_case("unnest")
            && args.args.len() == 1 =>
        {
            let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = &args.args[0] else {
                return None;
            };
            (alias, e.clone(), *with_ordinality)
        }
        _ => return None,
    };
    if alias.columns.len() != 1 + usize::from(ordinality) {
        return None;
    }
    let left = match &twj.relation {
        TableFactor::Table {
            name,
            alias: None,
            args: None,
            ..
        } => match name.0.last()?.as_ident() {
            Some(ident) => ident.clone(),
            None => return None,
        },
        TableFactor::Table {
            alias: Some(a),
            args: None,
            ..
        }
        | TableFactor::Derived {
            lateral: false,
            alias: Some(a),
            ..
        } if a.columns.is_empty() => a.name.clone(),
        _ => return None,
    };
    // `*` would show the added columns; a subquery has a scope of its own.
    if select.projection.iter().any(|i| {
        matches!(
            i,
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
        )
    }) {
        return None;
    }
    let mut without_from = select.clone();
    without_from.from.clear();
    let nested = visit_expressions(&without_from, |e| match e {
        Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    });
    if nested.is_break() {
        return None;
    }
    Some(Plan {
        left,
        array,
        alias: alias.name.clone(),
        columns: alias.columns.iter().map(|c| c.name.clone()).collect(),
    })
}

/// The name the i-th UNNEST column gets in the derived table.
fn internal(i: usize) -> Ident {
    Ident::with_quote('"', format!("__karte_unnest_{}", i + 1))
}

fn same(a: &Ident, b: &Ident) -> bool {
    a.value.eq_ignore_ascii_case(&b.value)
}

/// The UNNEST column an expression names (`t.x` or `x`), if it is one.
fn unnest_column(e: &Expr, plan: &Plan) -> Option<usize> {
    match e {
        Expr::Identifier(id) => plan.columns.iter().position(|c| same(c, id)),
        Expr::CompoundIdentifier(parts) if parts.len() == 2 && same(&parts[0], &plan.alias) => {
            plan.columns.iter().position(|c| same(c, &parts[1]))
        }
        _ => None,
    }
}

fn rename_expr(e: &mut Expr, plan: &Plan) {
    if let Some(i) = unnest_column(e, plan) {
        *e = Expr::CompoundIdentifier(vec![plan.left.clone(), internal(i)]);
    }
}

/// Every reference to the UNNEST's columns in the SELECT (its FROM taken out) read from the
/// derived table; a select item that was only such a reference keeps its name.
fn rename(select: &mut Select, plan: &Plan) {
    for item in &mut select.projection {
        if let SelectItem::UnnamedExpr(e) = item {
            if let Some(i) = unnest_column(e, plan) {
                *item = SelectItem::ExprWithAlias {
                    expr: Expr::CompoundIdentifier(vec![plan.left.clone(), internal(i)]),
                    alias: plan.columns[i].clone(),
                };
            }
        }
    }
    let _ = visit_expressions_mut(select, |e| {
        rename_expr(e, plan);
        ControlFlow::<()>::Continue(())
    });
}

/// `(SELECT *, unnest(xs) AS …, unnest(range(1, len(xs) + 1)) AS … FROM <left>) AS <left name>`.
fn derived(left: TableFactor, plan: &Plan) -> TableFactor {
    let mut template = String::from("SELECT *, unnest($1) AS \"__karte_unnest_1\"");
    if plan.columns.len() == 2 {
        template.push_str(", unnest(range(1, len($1) + 1)) AS \"__karte_unnest_2\"");
    }
    template.push_str(" FROM karte_left");
    let mut subquery = instantiate_query(&template, std::slice::from_ref(&plan.array))
        .expect("the UNNEST template parses");
    if let SetExpr::Select(s) = subquery.body.as_mut() {
        s.from[0].relation = left;
    }
    TableFactor::Derived {
        lateral: false,
        subquery,
        alias: Some(TableAlias {
            explicit: true,
            name: plan.left.clone(),
            columns: Vec::new(),
            at: None,
        }),
        sample: None,
    }
}
