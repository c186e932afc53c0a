//! The shape of a query, for column lineage: what each output column is computed from, and
//! which columns filter, join or group the rows — taken from the syntax tree while it exists
//! (the analysis pass parses each model once) and kept small, so that the lineage stage
//! ([`crate::lineage`]) can resolve column names later, in dependency order, once the columns
//! of every upstream relation are known.
//!
//! Names are lower-cased (Athena's identifiers are case-insensitive); spans are byte ranges in
//! the analysed (rendered) SQL. Anything the shape does not understand becomes `Unknown`, so
//! the lineage stage never guesses.

use std::collections::HashSet;
use std::ops::{ControlFlow, Range};

use serde::{Deserialize, Serialize};
use smol_str::StrExt;
use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, GroupByExpr, Ident, JoinConstraint, JoinOperator,
    ObjectName, ObjectNamePart, Query, Select, SelectItem, SelectItemQualifiedWildcardKind,
    SetExpr, TableAlias, TableFactor, TableWithJoins, Visit, Visitor,
};

use super::relations::Positions;

/// A name (lower case): inline up to 23 bytes, shared beyond, so that copying one along the
/// lineage never allocates.
pub type Name = smol_str::SmolStr;

/// A query: its CTEs (in order; each sees the ones before it) and its body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryShape {
    /// `WITH name (cols) AS (…)`.
    pub ctes: Vec<Cte>,
    /// The body.
    pub body: Body,
}

/// One CTE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cte {
    /// Name, lower case.
    pub name: Name,
    /// Column names given after the name, if any.
    pub columns: Vec<Name>,
    /// Its query.
    pub query: QueryShape,
}

/// The body of a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Body {
    /// A SELECT.
    Select(Box<SelectShape>),
    /// UNION / INTERSECT / EXCEPT: columns by position, named by the left side.
    SetOperation(Box<Body>, Box<Body>),
    /// A parenthesised query.
    Query(Box<QueryShape>),
    /// `VALUES (…), (…)`: this many columns, from literals.
    Values(usize),
    /// Something else (columns unknown).
    Unknown,
}

/// A SELECT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectShape {
    /// FROM items in order (joins flattened); a later item may read earlier ones (UNNEST,
    /// LATERAL).
    pub from: Vec<FromItem>,
    /// The select list.
    pub items: Vec<Item>,
    /// What WHERE, JOIN … ON, GROUP BY, HAVING and QUALIFY read.
    pub filters: ExprShape,
    /// GROUP BY expressions, for the unknown-column check (Trino does not allow output aliases
    /// there, but ordinals).
    pub grouped: bool,
}

/// One FROM item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FromItem {
    /// What it is.
    pub kind: FromKind,
    /// `AS alias`, lower case.
    pub alias: Option<Name>,
    /// `AS alias (c1, c2)`.
    pub alias_columns: Vec<Name>,
    /// Columns of `JOIN … USING (…)` that joined this item (they appear once in `*`).
    pub using: Vec<Name>,
}

/// The kinds of FROM items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromKind {
    /// A table, view or CTE name: its parts (lower case) and where it is written.
    Table {
        /// Dotted parts.
        parts: Vec<Name>,
        /// Byte offset of the name in the SQL.
        at: usize,
    },
    /// A subquery.
    Derived(Box<QueryShape>),
    /// `UNNEST(a, b) [WITH ORDINALITY]`: one column per array (two for a map), and an ordinal.
    Unnest {
        /// The arrays.
        arrays: Vec<ExprShape>,
        /// `WITH ORDINALITY` / `WITH OFFSET`.
        ordinality: bool,
    },
    /// A table function or something else: columns unknown.
    Unknown,
}

/// One item of the select list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Item {
    /// An expression, named by its alias, or by the column it is; `None`: Athena names it
    /// `_col<i>`.
    Expr {
        /// Output name, lower case.
        name: Option<Name>,
        /// What it reads.
        expr: ExprShape,
        /// Where the item is in the SQL.
        span: Range<usize>,
    },
    /// `*`.
    Wildcard,
    /// `t.*` (the qualifier's parts, lower case).
    QualifiedWildcard(Vec<Name>),
    /// Something else.
    Unknown,
}

/// What an expression reads and how.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExprShape {
    /// Column references (dotted parts, lower case), each with its span.
    pub refs: Vec<ColumnRef>,
    /// Functions applied, lower case, each once, in order of appearance.
    pub functions: Vec<Name>,
    /// An aggregate function (outside a window) is applied.
    pub aggregate: bool,
    /// The expression is nothing but one column reference (a copy).
    pub bare: bool,
    /// Subqueries inside it (scalar, IN, EXISTS), resolved with this scope as their outer one.
    pub subqueries: Vec<QueryShape>,
}

/// A column reference as written: `col`, `t.col`, `schema.t.col`, `col.field`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnRef {
    /// Dotted parts, lower case.
    pub parts: Vec<Name>,
    /// Where it is in the SQL.
    pub span: Range<usize>,
}

/// Trino's aggregate functions (a call of one outside a window aggregates rows).
const AGGREGATES: &[&str] = &[
    "any_value",
    "approx_distinct",
    "approx_most_frequent",
    "approx_percentile",
    "approx_set",
    "arbitrary",
    "array_agg",
    "avg",
    "bitwise_and_agg",
    "bitwise_or_agg",
    "bitwise_xor_agg",
    "bool_and",
    "bool_or",
    "checksum",
    "corr",
    "count",
    "count_if",
    "covar_pop",
    "covar_samp",
    "every",
    "geometric_mean",
    "histogram",
    "kurtosis",
    "listagg",
    "map_agg",
    "map_union",
    "max",
    "max_by",
    "merge",
    "min",
    "min_by",
    "multimap_agg",
    "numeric_histogram",
    "regr_intercept",
    "regr_slope",
    "skewness",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "sum",
    "tdigest_agg",
    "var_pop",
    "var_samp",
    "variance",
];

/// Names that parse as identifiers but are not columns.
const NOT_COLUMNS: &[&str] = &[
    "current_date",
    "current_time",
    "current_timestamp",
    "current_timezone",
    "current_user",
    "localtime",
    "localtimestamp",
    // normalize(text, NFKC)
    "nfc",
    "nfd",
    "nfkc",
    "nfkd",
    "true",
    "false",
    "null",
];

/// The shape of a query statement.
pub(super) fn of_query(q: &Query, pos: &mut Positions) -> QueryShape {
    let ctes = q
        .with
        .iter()
        .flat_map(|w| &w.cte_tables)
        .map(|c| Cte {
            name: lower(&c.alias.name),
            columns: c.alias.columns.iter().map(|d| lower(&d.name)).collect(),
            query: of_query(&c.query, pos),
        })
        .collect();
    QueryShape {
        ctes,
        body: of_body(&q.body, pos),
    }
}

fn of_body(body: &SetExpr, pos: &mut Positions) -> Body {
    match body {
        SetExpr::Select(s) => Body::Select(Box::new(of_select(s, pos))),
        SetExpr::Query(q) => Body::Query(Box::new(of_query(q, pos))),
        SetExpr::SetOperation { left, right, .. } => {
            Body::SetOperation(Box::new(of_body(left, pos)), Box::new(of_body(right, pos)))
        }
        SetExpr::Values(v) => Body::Values(v.rows.first().map_or(0, |r| r.len())),
        _ => Body::Unknown,
    }
}

fn of_select(s: &Select, pos: &mut Positions) -> SelectShape {
    let mut from = Vec::new();
    let mut filters = ExprShape::default();
    for twj in &s.from {
        flatten(twj, &mut from, &mut filters, pos);
    }
    let items =
        s.projection
            .iter()
            .map(|item| match item {
                SelectItem::UnnamedExpr(e) => {
                    let name = match e {
                        Expr::Identifier(i) => Some(lower(i)),
                        Expr::CompoundIdentifier(parts) => parts.last().map(lower),
                        _ => None,
                    };
                    Item::Expr {
                        name,
                        span: expr_span(e, pos),
                        expr: of_expr(e, pos),
                    }
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let start = expr_span(expr, pos).start;
                    let end = pos.offset(alias.span.end);
                    Item::Expr {
                        name: Some(lower(alias)),
                        span: start..end.max(start),
                        expr: of_expr(expr, pos),
                    }
                }
                SelectItem::Wildcard(opts) if is_plain(opts) => Item::Wildcard,
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(n),
                    opts,
                ) if is_plain(opts) => Item::QualifiedWildcard(name_parts(n)),
                _ => Item::Unknown,
            })
            .collect();
    if let Some(w) = &s.selection {
        merge(&mut filters, of_expr(w, pos));
    }
    let mut grouped = false;
    if let GroupByExpr::Expressions(exprs, _) = &s.group_by {
        grouped = !exprs.is_empty();
        for e in exprs {
            merge(&mut filters, of_expr(e, pos));
        }
    }
    for e in s.having.iter().chain(&s.qualify) {
        merge(&mut filters, of_expr(e, pos));
    }
    SelectShape {
        from,
        items,
        filters,
        grouped,
    }
}

/// `SELECT * EXCEPT (…)`, `* REPLACE …` and the like change the columns: not understood.
fn is_plain(opts: &sqlparser::ast::WildcardAdditionalOptions) -> bool {
    opts.opt_exclude.is_none()
        && opts.opt_except.is_none()
        && opts.opt_replace.is_none()
        && opts.opt_rename.is_none()
        && opts.opt_ilike.is_none()
}

fn flatten(
    twj: &TableWithJoins,
    out: &mut Vec<FromItem>,
    filters: &mut ExprShape,
    pos: &mut Positions,
) {
    add_factor(&twj.relation, Vec::new(), out, filters, pos);
    for j in &twj.joins {
        let constraint = match &j.join_operator {
            JoinOperator::Join(c)
            | JoinOperator::Inner(c)
            | JoinOperator::Left(c)
            | JoinOperator::LeftOuter(c)
            | JoinOperator::Right(c)
            | JoinOperator::RightOuter(c)
            | JoinOperator::FullOuter(c)
            | JoinOperator::CrossJoin(c) => Some(c),
            _ => None,
        };
        let mut using = Vec::new();
        match constraint {
            Some(JoinConstraint::On(e)) => merge(filters, of_expr(e, pos)),
            Some(JoinConstraint::Using(names)) => {
                using = names
                    .iter()
                    .filter_map(|n| n.0.last())
                    .filter_map(|p| match p {
                        ObjectNamePart::Identifier(i) => Some(lower(i)),
                        _ => None,
                    })
                    .collect();
            }
            Some(JoinConstraint::Natural) | None => {
                out.push(FromItem {
                    kind: FromKind::Unknown,
                    alias: None,
                    alias_columns: Vec::new(),
                    using: Vec::new(),
                });
                continue;
            }
            Some(JoinConstraint::None) => {}
        }
        add_factor(&j.relation, using, out, filters, pos);
    }
}

fn add_factor(
    f: &TableFactor,
    using: Vec<Name>,
    out: &mut Vec<FromItem>,
    filters: &mut ExprShape,
    pos: &mut Positions,
) {
    let (alias, alias_columns) = split_alias(match f {
        TableFactor::Table { alias, .. }
        | TableFactor::Derived { alias, .. }
        | TableFactor::UNNEST { alias, .. }
        | TableFactor::NestedJoin { alias, .. } => alias.as_ref(),
        _ => None,
    });
    let kind = match f {
        TableFactor::Table { name, args, .. } if args.is_none() => FromKind::Table {
            parts: name_parts(name),
            at: name
                .0
                .first()
                .and_then(|p| p.as_ident())
                .map(|i| pos.offset(i.span.start))
                .unwrap_or(usize::MAX),
        },
        // `unnest(a) WITH ORDINALITY` parses as a table function.
        TableFactor::Table {
            name,
            args: Some(args),
            with_ordinality,
            ..
        } if name_parts(name) == ["unnest"] => FromKind::Unnest {
            arrays: args
                .args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
                    | FunctionArg::Named {
                        arg: FunctionArgExpr::Expr(e),
                        ..
                    } => of_expr(e, pos),
                    _ => ExprShape::default(),
                })
                .collect(),
            ordinality: *with_ordinality,
        },
        TableFactor::Derived { subquery, .. } => {
            FromKind::Derived(Box::new(of_query(subquery, pos)))
        }
        TableFactor::UNNEST {
            array_exprs,
            with_offset,
            with_ordinality,
            ..
        } => FromKind::Unnest {
            arrays: array_exprs.iter().map(|e| of_expr(e, pos)).collect(),
            ordinality: *with_offset || *with_ordinality,
        },
        TableFactor::NestedJoin {
            table_with_joins,
            alias: None,
        } => {
            flatten(table_with_joins, out, filters, pos);
            return;
        }
        _ => FromKind::Unknown,
    };
    out.push(FromItem {
        kind,
        alias,
        alias_columns,
        using,
    });
}

fn split_alias(a: Option<&TableAlias>) -> (Option<Name>, Vec<Name>) {
    match a {
        Some(a) => (
            Some(lower(&a.name)),
            a.columns.iter().map(|c| lower(&c.name)).collect(),
        ),
        None => (None, Vec::new()),
    }
}

fn name_parts(n: &ObjectName) -> Vec<Name> {
    n.0.iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => lower(i),
            other => other.to_string().to_lowercase_smolstr(),
        })
        .collect()
}

fn lower(i: &Ident) -> Name {
    let v = &i.value;
    if v.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
        v.to_lowercase_smolstr()
    } else {
        Name::new(v)
    }
}

/// A function's name, lower case (`date_trunc`, `my_schema.f`), without formatting the
/// common one-part name.
fn function_name(n: &ObjectName) -> Name {
    match n.0.as_slice() {
        [ObjectNamePart::Identifier(i)] if i.quote_style.is_none() => lower(i),
        _ => n.to_string().to_lowercase_smolstr(),
    }
}

fn merge(into: &mut ExprShape, from: ExprShape) {
    into.refs.extend(from.refs);
    for f in from.functions {
        if !into.functions.contains(&f) {
            into.functions.push(f);
        }
    }
    into.aggregate |= from.aggregate;
    into.subqueries.extend(from.subqueries);
    into.bare = false;
}

/// The byte range an expression covers (its first to its last token), best effort.
fn expr_span(e: &Expr, pos: &mut Positions) -> Range<usize> {
    use sqlparser::ast::Spanned;
    let s = e.span();
    if s.start.line == 0 {
        return 0..0;
    }
    let start = pos.offset(s.start);
    let end = pos.offset(s.end);
    start..end.max(start)
}

/// What an expression reads: column references outside subqueries and lambda parameters,
/// function names, aggregation, and its subqueries.
fn of_expr(e: &Expr, pos: &mut Positions) -> ExprShape {
    let mut v = ExprVisitor {
        pos,
        shape: ExprShape::default(),
        depth: 0,
        lambda_params: Vec::new(),
        fields: HashSet::new(),
    };
    let _ = e.visit(&mut v);
    let mut shape = v.shape;
    shape.bare = matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
        || matches!(e, Expr::Nested(inner) if matches!(**inner, Expr::Identifier(_) | Expr::CompoundIdentifier(_)));
    shape
}

struct ExprVisitor<'p, 'a> {
    pos: &'p mut Positions<'a>,
    shape: ExprShape,
    /// Depth of nested queries: references inside them belong to the subquery's shape.
    depth: usize,
    /// Parameters of the lambdas being visited.
    lambda_params: Vec<Vec<Name>>,
    /// Field names of `x[1].field` accesses (line, column of the identifier): not columns.
    fields: HashSet<(u64, u64)>,
}

impl ExprVisitor<'_, '_> {
    fn push_ref(&mut self, parts: Vec<Name>, first: &Ident, last: &Ident) {
        let name = &parts[0];
        if parts.len() == 1
            && (NOT_COLUMNS.contains(&name.as_str())
                || self.lambda_params.iter().any(|p| p.contains(name)))
        {
            return;
        }
        if name.starts_with('$') {
            // Athena's hidden columns (`"$path"`, `"$file_modified_time"`).
            return;
        }
        let start = self.pos.offset(first.span.start);
        let end = self.pos.offset(last.span.end);
        self.shape.refs.push(ColumnRef {
            parts,
            span: start..end.max(start),
        });
    }
}

impl Visitor for ExprVisitor<'_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if self.depth == 0 {
            let shape = of_query(q, self.pos);
            self.shape.subqueries.push(shape);
        }
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        match e {
            Expr::Identifier(i)
                if !self
                    .fields
                    .contains(&(i.span.start.line, i.span.start.column)) =>
            {
                self.push_ref(vec![lower(i)], i, i);
            }
            Expr::CompoundIdentifier(parts) if !parts.is_empty() => {
                let names = parts.iter().map(lower).collect();
                self.push_ref(names, &parts[0], &parts[parts.len() - 1]);
            }
            Expr::CompoundFieldAccess { access_chain, .. } => {
                for a in access_chain {
                    if let sqlparser::ast::AccessExpr::Dot(Expr::Identifier(i)) = a {
                        self.fields.insert((i.span.start.line, i.span.start.column));
                    }
                }
            }
            Expr::Lambda(l) => {
                let params = l.params.iter().map(|p| lower(&p.name)).collect();
                self.lambda_params.push(params);
            }
            Expr::Function(f) => {
                let name = function_name(&f.name);
                let windowed = f.over.is_some();
                if !windowed && AGGREGATES.contains(&name.as_str()) {
                    self.shape.aggregate = true;
                }
                let shown = if windowed {
                    smol_str::format_smolstr!("{name} over")
                } else {
                    name
                };
                if !self.shape.functions.contains(&shown) {
                    self.shape.functions.push(shown);
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.depth == 0 {
            if let Expr::Lambda(_) = e {
                self.lambda_params.pop();
            }
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(sql: &str) -> QueryShape {
        crate::sql::analyze_sql(sql).shape.expect("a query")
    }

    fn select(q: &QueryShape) -> &SelectShape {
        match &q.body {
            Body::Select(s) => s,
            other => panic!("not a select: {other:?}"),
        }
    }

    #[test]
    fn unnest_with_ordinality_names_its_columns() {
        let q = shape(
            "select t.code, t.n from o cross join unnest(codes) with ordinality as t(code, n)",
        );
        let s = select(&q);
        assert_eq!(s.from.len(), 2);
        assert!(
            matches!(&s.from[1].kind, FromKind::Unnest { arrays, ordinality: true } if arrays.len() == 1),
            "{:?}",
            s.from[1]
        );
        assert_eq!(s.from[1].alias.as_deref(), Some("t"));
        assert_eq!(s.from[1].alias_columns, ["code", "n"]);
    }

    #[test]
    fn lambda_parameters_and_field_accesses_are_not_columns() {
        let q = shape("select transform(a, x -> x + b) as t, r[1].f as g from s");
        let s = select(&q);
        let refs: Vec<Vec<Name>> = s
            .items
            .iter()
            .flat_map(|i| match i {
                Item::Expr { expr, .. } => expr.refs.iter().map(|r| r.parts.clone()).collect(),
                _ => Vec::new(),
            })
            .collect();
        assert_eq!(refs, [vec!["a"], vec!["b"], vec!["r"]]);
    }
}
