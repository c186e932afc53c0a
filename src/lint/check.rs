//! The rules on the syntax tree: one walk over a model's query with the scopes of its
//! SELECTs, inferring column types on the way (for the rules that need them) and the output
//! columns each query gives (for the models and CTEs that read it).
//!
//! Spans are byte ranges in the rendered SQL; `lint/mod.rs` maps them into the file written.

use std::collections::HashMap;
use std::ops::{ControlFlow, Range};
use std::rc::Rc;

use sqlparser::ast::{
    BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr,
    Ident, JoinConstraint, JoinOperator, ObjectName, ObjectNamePart, OrderByKind, Query, Select,
    SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Spanned, TableAlias, TableFactor, Value,
    Visit, Visitor, WindowType,
};
use sqlparser::tokenizer::Span;

use super::types::{Columns, Relations, Ty};
use crate::diag::Code;
use crate::sql::shape::Name;
use crate::sql::Positions;

/// A finding before it is located in the file written.
#[derive(Debug, Clone)]
pub struct Raw {
    /// The rule.
    pub code: Code,
    /// Where, in the rendered SQL.
    pub span: Range<usize>,
    /// Edits of the rendered SQL that fix it (empty: no automatic fix).
    pub fix: Vec<(Range<usize>, String)>,
    /// SQL text naming what is wrong, for the label (language-neutral).
    pub detail: Option<String>,
}

/// What a query gives its readers.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// Its columns.
    pub columns: Columns,
    /// Some column comes through a `*` over a table of the project (it changes with it).
    pub star_from_table: bool,
    /// It returns one row (an aggregate without GROUP BY): a comma join with it is meant.
    pub one_row: bool,
}

/// How a FROM item came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    /// A table, view or model.
    Table,
    /// A CTE.
    Cte,
    /// A subquery.
    Derived,
    /// `UNNEST(…) AS t(a, b)`.
    Unnest,
    /// A table function or something else.
    Other,
}

/// One FROM item in a scope.
struct Item {
    /// The name it is qualified with (alias, else the table's last name part), lower case.
    name: Name,
    /// The same as written, for fixes.
    written: String,
    /// Its columns, if known.
    cols: Option<Rc<Output>>,
    kind: ItemKind,
    /// Joined by LEFT JOIN.
    left_joined: bool,
}

/// The FROM items of one SELECT, and the enclosing query's.
struct Scope<'p> {
    items: Vec<Item>,
    outer: Option<&'p Scope<'p>>,
}

/// What one SELECT collects while its expressions are walked.
#[derive(Default)]
struct Frame {
    /// Unqualified column references: name and span.
    unqualified: Vec<(Name, Range<usize>)>,
    /// `count(*)` outside a window.
    count_star: Vec<Range<usize>>,
}

/// The walk over one model.
pub struct Checker<'a> {
    sql: &'a str,
    pos: Positions<'a>,
    relations: &'a Relations,
    /// Byte offset of a relation name in the rendered SQL → its unique id.
    tables: &'a HashMap<usize, String>,
    gold: bool,
    ctes: Vec<(Name, Rc<Output>)>,
    frames: Vec<Frame>,
    /// Lambda parameters in scope.
    lambda: Vec<Vec<Name>>,
    /// The findings.
    pub found: Vec<Raw>,
}

/// Names that parse as identifiers but are not columns, with their types.
fn not_a_column(name: &str) -> Option<Ty> {
    Some(match name {
        "current_date" => Ty::Date,
        "current_timestamp" | "localtimestamp" | "now" => Ty::Timestamp,
        "current_time" | "localtime" | "current_timezone" | "current_user" | "nfc" | "nfd"
        | "nfkc" | "nfkd" => Ty::Unknown,
        "true" | "false" => Ty::Bool,
        "null" => Ty::Unknown,
        _ => return None,
    })
}

/// Result types of functions by name (None: the type of the first argument of known type).
fn function_type(name: &str) -> Option<Ty> {
    Some(match name {
        "count" | "count_if" | "approx_distinct" | "cardinality" | "length" | "date_diff"
        | "year" | "month" | "day" | "day_of_month" | "day_of_week" | "dow" | "day_of_year"
        | "doy" | "week" | "week_of_year" | "quarter" | "hour" | "minute" | "second"
        | "row_number" | "rank" | "dense_rank" | "ntile" | "strpos" | "position"
        | "bitwise_and" | "bitwise_or" | "year_of_week" | "yow" => Ty::Int,
        "avg" | "stddev" | "stddev_pop" | "stddev_samp" | "variance" | "var_pop" | "var_samp"
        | "percent_rank" | "cume_dist" | "corr" | "rand" | "random" | "sqrt" | "ln" | "log10"
        | "log2" | "exp" | "power" | "pow" | "approx_percentile" | "to_unixtime" => Ty::Fractional,
        "date" | "from_iso8601_date" | "last_day_of_month" | "current_date" => Ty::Date,
        "date_parse"
        | "from_iso8601_timestamp"
        | "from_unixtime"
        | "now"
        | "parse_datetime"
        | "current_timestamp" => Ty::Timestamp,
        "concat" | "substr" | "substring" | "lower" | "upper" | "trim" | "ltrim" | "rtrim"
        | "replace" | "format" | "lpad" | "rpad" | "regexp_extract" | "regexp_replace"
        | "format_datetime" | "date_format" | "to_hex" | "normalize" | "translate"
        | "split_part" | "reverse" | "json_format" | "to_iso8601" => Ty::Text,
        "regexp_like" | "contains" | "starts_with" | "is_nan" => Ty::Bool,
        _ => return None,
    })
}

/// Functions whose type is that of an argument (0-based).
fn argument_typed(name: &str) -> Option<usize> {
    Some(match name {
        "sum" | "min" | "max" | "abs" | "round" | "floor" | "ceil" | "ceiling" | "truncate"
        | "coalesce" | "nullif" | "greatest" | "least" | "arbitrary" | "any_value" | "lag"
        | "lead" | "first_value" | "last_value" | "nth_value" | "max_by" | "min_by" | "if" => 0,
        "date_trunc" => 1,
        "date_add" => 2,
        _ => return None,
    })
}

fn lower(i: &Ident) -> Name {
    Name::from(i.value.to_lowercase())
}

fn fname(n: &ObjectName) -> Name {
    match n.0.last() {
        Some(ObjectNamePart::Identifier(i)) => lower(i),
        _ => Name::from(n.to_string().to_lowercase()),
    }
}

/// `YYYY-MM-DD` (a date literal Athena accepts).
fn is_date_text(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

/// `YYYY-MM-DD hh:mm[:ss[.fff]]`.
fn is_timestamp_text(s: &str) -> bool {
    let Some((d, t)) = s.split_once(' ') else {
        return false;
    };
    is_date_text(d)
        && t.len() >= 5
        && t.bytes()
            .all(|c| c.is_ascii_digit() || c == b':' || c == b'.')
        && t.as_bytes()[2] == b':'
}

fn string_literal(e: &Expr) -> Option<&str> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s),
            _ => None,
        },
        Expr::Nested(inner) => string_literal(inner),
        _ => None,
    }
}

fn is_null_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if v.value == Value::Null)
}

impl<'a> Checker<'a> {
    /// A walk over `sql` (the rendered SQL), with the columns known of every relation and the
    /// relation names' positions (offset → unique id).
    pub fn new(
        sql: &'a str,
        relations: &'a Relations,
        tables: &'a HashMap<usize, String>,
        gold: bool,
    ) -> Self {
        Checker {
            sql,
            pos: Positions::new(sql),
            relations,
            tables,
            gold,
            ctes: Vec::new(),
            frames: Vec::new(),
            lambda: Vec::new(),
            found: Vec::new(),
        }
    }

    fn range(&mut self, span: Span) -> Range<usize> {
        self.pos.range(span)
    }

    /// The span of an expression, widened to balance its parentheses (a function call's span
    /// may stop before its closing parenthesis).
    fn expr_range(&mut self, e: &Expr) -> Range<usize> {
        let r = balance(self.sql, self.range(e.span()));
        // A call's span may stop at its name (`count(*)`): take its parentheses.
        let rest = &self.sql[r.end..];
        let ends_in_name = self.sql[..r.end]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if ends_in_name && rest.trim_start().starts_with('(') {
            let open = r.end + (rest.len() - rest.trim_start().len());
            return r.start..balance(self.sql, open..open + 1).end;
        }
        r
    }

    fn push(&mut self, code: Code, span: Range<usize>, fix: Vec<(Range<usize>, String)>) {
        let detail = self.sql.get(span.clone()).map(|s| {
            let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
            if one.chars().count() > 60 {
                format!("{}…", one.chars().take(60).collect::<String>())
            } else {
                one
            }
        });
        self.found.push(Raw {
            code,
            span,
            fix,
            detail,
        });
    }

    /// The model's query: the top-level rules apply to its body.
    pub fn model(&mut self, q: &Query) -> Output {
        self.query(q, None, true)
    }

    fn query(&mut self, q: &Query, outer: Option<&Scope>, top: bool) -> Output {
        let depth = self.ctes.len();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let out = self.query(&cte.query, None, false);
                let out = rename(out, &cte.alias);
                self.ctes.push((lower(&cte.alias.name), Rc::new(out)));
            }
        }
        let mut out = self.set_expr(&q.body, outer, top);
        out.one_row = one_row(q);
        if let Some(ob) = &q.order_by {
            if q.limit_clause.is_none() && q.fetch.is_none() {
                if let OrderByKind::Expressions(exprs) = &ob.kind {
                    self.order_by(exprs);
                }
            }
        }
        self.ctes.truncate(depth);
        out
    }

    /// L009: an ORDER BY without LIMIT. The fix removes `ORDER BY …` when the text from the
    /// keywords to the last key is plain (no comment in between).
    fn order_by(&mut self, exprs: &[sqlparser::ast::OrderByExpr]) {
        let (Some(first), Some(last)) = (exprs.first(), exprs.last()) else {
            return;
        };
        let start = self.expr_range(&first.expr).start;
        let end = self.expr_range(&last.expr).end;
        let sql = self.sql;
        let before = sql[..start].trim_end();
        let by = before.len().checked_sub(2).filter(|&b| {
            sql.get(b..before.len())
                .is_some_and(|w| w.eq_ignore_ascii_case("by"))
        });
        let order = by.and_then(|b| {
            let t = sql[..b].trim_end();
            t.len().checked_sub(5).filter(|&o| {
                sql.get(o..t.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case("order"))
            })
        });
        let Some(order) = order else {
            self.push(Code::LintOrderByInModel, start..end, Vec::new());
            return;
        };
        // Past ASC / DESC / NULLS FIRST / NULLS LAST of the last key.
        let mut end = end;
        loop {
            let rest = &sql[end..];
            let trimmed = rest.trim_start();
            let skip = rest.len() - trimmed.len();
            let word: String = trimmed
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            match word.to_lowercase().as_str() {
                "asc" | "desc" | "nulls" | "first" | "last" => end += skip + word.len(),
                _ => break,
            }
        }
        // Take the whitespace before ORDER with it, so no blank line stays.
        let from = sql[..order].trim_end().len();
        let from = if sql[from..order].contains('\n') || from == order {
            from
        } else {
            order
        };
        let fix = if sql[order..end].contains("--") || sql[order..end].contains("/*") {
            Vec::new()
        } else {
            vec![(from..end, String::new())]
        };
        self.push(Code::LintOrderByInModel, order..end, fix);
    }

    fn set_expr(&mut self, body: &SetExpr, outer: Option<&Scope>, top: bool) -> Output {
        match body {
            SetExpr::Select(s) => self.select(s, outer, top),
            SetExpr::Query(q) => self.query(q, outer, top),
            SetExpr::SetOperation { left, right, .. } => {
                let out = self.set_expr(left, outer, top);
                let r = self.set_expr(right, outer, top);
                Output {
                    star_from_table: out.star_from_table || r.star_from_table,
                    ..out
                }
            }
            _ => Output::default(),
        }
    }

    fn cte(&self, name: &str) -> Option<Rc<Output>> {
        self.ctes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o.clone())
    }

    fn factor(&mut self, f: &TableFactor, scope: &mut Scope, left_joined: bool) {
        let alias = match f {
            TableFactor::Table { alias, .. }
            | TableFactor::Derived { alias, .. }
            | TableFactor::UNNEST { alias, .. }
            | TableFactor::Function { alias, .. } => alias.as_ref(),
            _ => None,
        };
        let (mut name, mut written) = alias
            .map(|a| (lower(&a.name), a.name.to_string()))
            .unwrap_or_default();
        let (kind, cols) = match f {
            TableFactor::Table {
                name: tn,
                args: None,
                ..
            } => {
                if name.is_empty() {
                    if let Some(ObjectNamePart::Identifier(i)) = tn.0.last() {
                        name = lower(i);
                        written = i.to_string();
                    }
                }
                let single = match tn.0.as_slice() {
                    [ObjectNamePart::Identifier(i)] => Some(lower(i)),
                    _ => None,
                };
                match single.and_then(|n| self.cte(&n)) {
                    Some(o) => (ItemKind::Cte, Some(o)),
                    None => {
                        let at =
                            tn.0.first()
                                .and_then(|p| p.as_ident())
                                .map(|i| self.pos.offset(i.span.start));
                        let cols = at
                            .and_then(|at| self.tables.get(&at))
                            .and_then(|id| self.relations.get(id))
                            .map(|c| {
                                Rc::new(Output {
                                    columns: c.clone(),
                                    ..Output::default()
                                })
                            });
                        (ItemKind::Table, cols)
                    }
                }
            }
            TableFactor::Derived { subquery, .. } => {
                let out = self.query(subquery, None, false);
                let out = match alias {
                    Some(a) => rename(out, a),
                    None => out,
                };
                (ItemKind::Derived, Some(Rc::new(out)))
            }
            TableFactor::UNNEST { array_exprs, .. } => {
                for e in array_exprs {
                    self.expr(e, scope);
                }
                let cols = alias.filter(|a| !a.columns.is_empty()).map(|a| {
                    Rc::new(Output {
                        columns: Columns {
                            types: a
                                .columns
                                .iter()
                                .map(|c| (lower(&c.name), Ty::Unknown))
                                .collect(),
                            complete: true,
                            unique: Default::default(),
                        },
                        ..Output::default()
                    })
                });
                (ItemKind::Unnest, cols)
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => {
                self.from(table_with_joins, scope);
                return;
            }
            _ => (ItemKind::Other, None),
        };
        let kind = if kind == ItemKind::Other
            && matches!(f, TableFactor::Table { name, .. } if fname(name) == "unnest")
        {
            ItemKind::Unnest
        } else {
            kind
        };
        scope.items.push(Item {
            name,
            written,
            cols,
            kind,
            left_joined,
        });
    }

    fn from(&mut self, twj: &sqlparser::ast::TableWithJoins, scope: &mut Scope) {
        self.factor(&twj.relation, scope, false);
        for j in &twj.joins {
            let left = matches!(
                j.join_operator,
                JoinOperator::Left(_) | JoinOperator::LeftOuter(_)
            );
            self.factor(&j.relation, scope, left);
        }
    }

    fn select(&mut self, s: &Select, outer: Option<&Scope>, top: bool) -> Output {
        let mut scope = Scope {
            items: Vec::new(),
            outer,
        };
        self.frames.push(Frame::default());
        for twj in &s.from {
            self.from(twj, &mut scope);
        }
        // Select items, with the columns they give.
        let mut out = Output {
            columns: Columns {
                types: HashMap::new(),
                complete: true,
                unique: Default::default(),
            },
            ..Output::default()
        };
        let mut stars = Vec::new();
        for item in &s.projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let ty = self.expr(e, &scope);
                    let name = match e {
                        Expr::Identifier(i) => Some(lower(i)),
                        Expr::CompoundIdentifier(p) => p.last().map(lower),
                        _ => None,
                    };
                    if let Some(n) = name {
                        out.columns.types.insert(n, ty);
                    }
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let ty = self.expr(expr, &scope);
                    out.columns.types.insert(lower(alias), ty);
                }
                SelectItem::Wildcard(opts) => {
                    let span = self.range(opts.wildcard_token.0.span);
                    stars.push(span);
                    let items: Vec<usize> = (0..scope.items.len()).collect();
                    self.expand(&scope, &items, &mut out);
                }
                SelectItem::QualifiedWildcard(kind, opts) => {
                    let mut span = self.range(opts.wildcard_token.0.span);
                    if let SelectItemQualifiedWildcardKind::ObjectName(n) = kind {
                        let q = self.range(n.span());
                        span = q.start.min(span.start)..span.end;
                        let qual = match n.0.last() {
                            Some(ObjectNamePart::Identifier(i)) => lower(i),
                            _ => Name::default(),
                        };
                        let items: Vec<usize> = (0..scope.items.len())
                            .filter(|&i| scope.items[i].name == qual)
                            .collect();
                        self.expand(&scope, &items, &mut out);
                    } else {
                        out.columns.complete = false;
                    }
                    stars.push(span);
                }
                _ => out.columns.complete = false,
            }
        }
        // L008: `*` in a gold model's own select list, over a table of the project.
        if top && self.gold && out.star_from_table {
            for s in stars {
                self.push(Code::LintSelectStarInGold, s, Vec::new());
            }
        }
        // Join conditions, WHERE, GROUP BY, HAVING, QUALIFY.
        let mut conditions: Vec<&Expr> = Vec::new();
        for twj in &s.from {
            join_conditions(twj, &mut conditions);
        }
        for c in &conditions {
            self.expr(c, &scope);
        }
        if let Some(w) = &s.selection {
            self.expr(w, &scope);
        }
        let mut group_exprs: Vec<&Expr> = Vec::new();
        if let GroupByExpr::Expressions(exprs, _) = &s.group_by {
            for e in exprs {
                // `GROUP BY 2`: the second select item.
                let item = match e {
                    Expr::Value(v) => match &v.value {
                        Value::Number(n, _) => n
                            .parse::<usize>()
                            .ok()
                            .and_then(|n| s.projection.get(n.checked_sub(1)?)),
                        _ => None,
                    },
                    _ => None,
                };
                match item {
                    Some(
                        SelectItem::UnnamedExpr(x) | SelectItem::ExprWithAlias { expr: x, .. },
                    ) => group_exprs.push(x),
                    _ => group_exprs.push(e),
                }
            }
        }
        for e in &group_exprs {
            self.expr(e, &scope);
        }
        for e in s.having.iter().chain(&s.qualify) {
            self.expr(e, &scope);
        }
        let frame = self.frames.pop().unwrap_or_default();
        self.implicit_cross_join(s, &scope);
        self.unqualified(&scope, &frame);
        if !group_exprs.is_empty() {
            self.count_star_left_join(&scope, &frame, &group_exprs, &conditions);
        }
        out
    }

    /// The columns `*` gives over some items of the scope.
    fn expand(&self, scope: &Scope, items: &[usize], out: &mut Output) {
        if items.is_empty() {
            out.columns.complete = false;
        }
        for &i in items {
            let item = &scope.items[i];
            match &item.cols {
                Some(c) => {
                    for (n, t) in &c.columns.types {
                        out.columns.types.insert(n.clone(), *t);
                    }
                    out.columns.complete &= c.columns.complete;
                    out.star_from_table |= c.star_from_table || item.kind == ItemKind::Table;
                }
                None => {
                    out.columns.complete = false;
                    out.star_from_table |= item.kind == ItemKind::Table;
                }
            }
        }
    }

    /// L006: FROM items after a comma with no WHERE condition relating them to another.
    fn implicit_cross_join(&mut self, s: &Select, scope: &Scope) {
        if s.from.len() < 2 {
            return;
        }
        let mut conjuncts = Vec::new();
        if let Some(w) = &s.selection {
            split_and(w, &mut conjuncts);
        }
        // Qualifiers on each side of each comparison (None: unqualified, so undecidable).
        let mut links: Vec<Vec<Option<Name>>> = Vec::new();
        for c in &conjuncts {
            links.push(qualifiers(c));
        }
        let undecidable = links.iter().any(|q| q.iter().any(Option::is_none));
        if undecidable {
            return;
        }
        for twj in s.from.iter().skip(1) {
            let (name, kind) = match &twj.relation {
                TableFactor::Table {
                    name, alias, args, ..
                } => {
                    if args.is_some() && fname(name) == "unnest" {
                        continue;
                    }
                    let n = alias.as_ref().map(|a| lower(&a.name)).unwrap_or_else(|| {
                        match name.0.last() {
                            Some(ObjectNamePart::Identifier(i)) => lower(i),
                            _ => Name::default(),
                        }
                    });
                    (n, ItemKind::Table)
                }
                TableFactor::Derived {
                    alias: Some(a),
                    lateral: false,
                    subquery,
                    ..
                } => {
                    if one_row(subquery) {
                        continue;
                    }
                    (lower(&a.name), ItemKind::Derived)
                }
                _ => continue,
            };
            // A one-row CTE (an aggregate without GROUP BY) is a deliberate cross join.
            if kind == ItemKind::Table
                && scope.items.iter().any(|i| {
                    i.name == name
                        && i.kind == ItemKind::Cte
                        && i.cols.as_ref().is_some_and(|c| c.one_row)
                })
            {
                continue;
            }
            let linked = links.iter().any(|q| {
                q.iter().any(|x| x.as_ref() == Some(&name))
                    && q.iter().any(|x| x.as_ref().is_some_and(|x| *x != name))
            });
            if !linked {
                let span = self.range(twj.relation.span());
                self.push(Code::LintImplicitCrossJoin, span, Vec::new());
            }
        }
    }

    /// L007: unqualified column references in a SELECT that reads two or more relations.
    fn unqualified(&mut self, scope: &Scope, frame: &Frame) {
        let relations = scope
            .items
            .iter()
            .filter(|i| i.kind != ItemKind::Unnest)
            .count();
        if relations < 2 {
            return;
        }
        for (name, span) in &frame.unqualified {
            let has: Vec<&Item> = scope
                .items
                .iter()
                .filter(|i| {
                    i.cols
                        .as_ref()
                        .is_some_and(|c| c.columns.get(name).is_some())
                })
                .collect();
            let unknown = scope.items.iter().any(|i| match &i.cols {
                None => true,
                Some(c) => c.columns.get(name).is_none() && !c.columns.surely_lacks(name),
            });
            // A column an UNNEST names right there, or one of an enclosing query.
            if has.len() == 1 && has[0].kind == ItemKind::Unnest {
                continue;
            }
            if has.is_empty() && !unknown {
                continue;
            }
            let fix = match (has.as_slice(), unknown) {
                ([one], false) if !one.written.is_empty() => {
                    vec![(span.start..span.start, format!("{}.", one.written))]
                }
                _ => Vec::new(),
            };
            self.push(Code::LintUnqualifiedColumn, span.clone(), fix);
        }
    }

    /// L011: `count(*)` grouped by columns of the left side of a LEFT JOIN only.
    fn count_star_left_join(
        &mut self,
        scope: &Scope,
        frame: &Frame,
        group: &[&Expr],
        _conditions: &[&Expr],
    ) {
        let right: Vec<&Name> = scope
            .items
            .iter()
            .filter(|i| i.left_joined)
            .map(|i| &i.name)
            .collect();
        if right.is_empty() || frame.count_star.is_empty() {
            return;
        }
        let grouped_by_right = group.iter().any(|g| {
            qualifiers(g)
                .iter()
                .any(|q| q.as_ref().is_none_or(|q| right.contains(&q)))
        });
        // The mistake is counting the right side per row of the left: a group is one row of
        // the left side when it is grouped by a column declared unique there.
        let per_left_row = group.iter().any(|g| {
            let (q, col) = match g {
                Expr::CompoundIdentifier(p) if p.len() >= 2 => {
                    (Some(lower(&p[p.len() - 2])), lower(&p[p.len() - 1]))
                }
                Expr::Identifier(i) => (None, lower(i)),
                _ => return false,
            };
            scope.items.iter().any(|i| {
                !i.left_joined
                    && q.as_ref().is_none_or(|q| *q == i.name)
                    && i.cols
                        .as_ref()
                        .is_some_and(|c| c.columns.unique.contains(&col))
            })
        });
        if grouped_by_right || !per_left_row {
            return;
        }
        for span in frame.count_star.clone() {
            self.push(Code::LintCountStarLeftJoin, span, Vec::new());
        }
    }

    /// The type of a column reference.
    fn column_type(&self, scope: &Scope, parts: &[Name]) -> Ty {
        let mut s = Some(scope);
        while let Some(sc) = s {
            match parts {
                [col] => {
                    let has: Vec<Ty> = sc
                        .items
                        .iter()
                        .filter_map(|i| i.cols.as_ref()?.columns.get(col))
                        .collect();
                    let others_lack = sc.items.iter().all(|i| {
                        i.cols.as_ref().is_some_and(|c| {
                            c.columns.get(col).is_some() || c.columns.surely_lacks(col)
                        })
                    });
                    match has.as_slice() {
                        [t] if others_lack || sc.items.len() == 1 => return *t,
                        [] if others_lack => {}
                        _ => return Ty::Unknown,
                    }
                }
                [.., q, col] => {
                    if let Some(i) = sc.items.iter().find(|i| &i.name == q) {
                        return i
                            .cols
                            .as_ref()
                            .and_then(|c| c.columns.get(col))
                            .unwrap_or(Ty::Unknown);
                    }
                }
                [] => return Ty::Unknown,
            }
            s = sc.outer;
        }
        Ty::Unknown
    }

    /// Walks an expression: checks the rules and returns its type.
    fn expr(&mut self, e: &Expr, scope: &Scope) -> Ty {
        match e {
            Expr::Identifier(i) => {
                let name = lower(i);
                if let Some(t) = not_a_column(&name) {
                    if i.quote_style.is_none() {
                        return t;
                    }
                }
                if self.lambda.iter().any(|p| p.contains(&name)) || name.starts_with('$') {
                    return Ty::Unknown;
                }
                let span = self.range(i.span);
                if let Some(f) = self.frames.last_mut() {
                    f.unqualified.push((name.clone(), span));
                }
                self.column_type(scope, &[name])
            }
            Expr::CompoundIdentifier(parts) => {
                let parts: Vec<Name> = parts.iter().map(lower).collect();
                self.column_type(scope, &parts)
            }
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => {
                    if n.contains(['.', 'e', 'E']) {
                        Ty::Fractional
                    } else {
                        Ty::Int
                    }
                }
                Value::SingleQuotedString(_) => Ty::Text,
                Value::Boolean(_) => Ty::Bool,
                _ => Ty::Unknown,
            },
            Expr::TypedString(t) => Ty::of_name(&t.data_type.to_string()),
            Expr::Nested(inner) => self.expr(inner, scope),
            Expr::UnaryOp { expr, .. } => self.expr(expr, scope),
            Expr::BinaryOp { left, op, right } => self.binary(e, left, op, right, scope),
            Expr::IsNull(x)
            | Expr::IsNotNull(x)
            | Expr::IsTrue(x)
            | Expr::IsFalse(x)
            | Expr::IsNotTrue(x)
            | Expr::IsNotFalse(x)
            | Expr::IsUnknown(x)
            | Expr::IsNotUnknown(x) => {
                self.expr(x, scope);
                Ty::Bool
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                let t = self.expr(expr, scope);
                let lt = self.expr(low, scope);
                let ht = self.expr(high, scope);
                let high_is_date = ht == Ty::Date
                    || string_literal(high).is_some_and(is_date_text)
                    || date_valued(high);
                if t == Ty::Timestamp && high_is_date {
                    let span = self.expr_range(e);
                    self.push(Code::LintBetweenTimestampDate, span, Vec::new());
                }
                let _ = lt;
                if t.is_temporal() {
                    self.date_vs_string(t, low);
                    self.date_vs_string(t, high);
                }
                Ty::Bool
            }
            Expr::InList { expr, list, .. } => {
                self.expr(expr, scope);
                for x in list {
                    self.expr(x, scope);
                }
                Ty::Bool
            }
            Expr::InSubquery {
                expr,
                subquery,
                negated,
            } => {
                self.expr(expr, scope);
                self.query(subquery, Some(scope), false);
                if *negated && may_return_null(subquery) {
                    let span = self.expr_range(e);
                    self.push(Code::LintNotInNullable, span, Vec::new());
                }
                Ty::Bool
            }
            Expr::Exists { subquery, .. } => {
                self.query(subquery, Some(scope), false);
                Ty::Bool
            }
            Expr::Subquery(q) => {
                let out = self.query(q, Some(scope), false);
                if out.columns.types.len() == 1 {
                    out.columns
                        .types
                        .values()
                        .next()
                        .copied()
                        .unwrap_or(Ty::Unknown)
                } else {
                    Ty::Unknown
                }
            }
            Expr::Function(f) => self.function(e, f, scope),
            Expr::Cast {
                expr, data_type, ..
            } => {
                self.expr(expr, scope);
                Ty::of_name(&data_type.to_string())
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                if let Some(o) = operand {
                    self.expr(o, scope);
                }
                let mut ty = Ty::Unknown;
                for c in conditions {
                    self.expr(&c.condition, scope);
                    let t = self.expr(&c.result, scope);
                    if !ty.known() {
                        ty = t;
                    }
                }
                if let Some(x) = else_result {
                    let t = self.expr(x, scope);
                    if !ty.known() {
                        ty = t;
                    }
                }
                ty
            }
            Expr::Extract { expr, .. } => {
                self.expr(expr, scope);
                Ty::Int
            }
            Expr::Like { expr, pattern, .. } | Expr::ILike { expr, pattern, .. } => {
                self.expr(expr, scope);
                self.expr(pattern, scope);
                Ty::Bool
            }
            Expr::Lambda(l) => {
                self.lambda
                    .push(l.params.iter().map(|p| lower(&p.name)).collect());
                self.expr(&l.body, scope);
                self.lambda.pop();
                Ty::Unknown
            }
            other => {
                for child in children(other) {
                    self.expr(&child, scope);
                }
                Ty::Unknown
            }
        }
    }

    fn binary(
        &mut self,
        whole: &Expr,
        left: &Expr,
        op: &BinaryOperator,
        right: &Expr,
        scope: &Scope,
    ) -> Ty {
        use BinaryOperator as B;
        let lt = self.expr(left, scope);
        let rt = self.expr(right, scope);
        if matches!(op, B::Eq | B::NotEq) && (is_null_literal(right) || is_null_literal(left)) {
            self.null_comparison(whole, left, op, right);
        }
        if matches!(op, B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq) {
            if lt.is_temporal() {
                self.date_vs_string(lt, right);
            }
            if rt.is_temporal() {
                self.date_vs_string(rt, left);
            }
            return Ty::Bool;
        }
        match op {
            B::Divide if lt == Ty::Int && rt == Ty::Int => {
                let span = self.expr_range(whole);
                let l = self.expr_range(left);
                let fix = vec![
                    (l.start..l.start, "cast(".to_string()),
                    (l.end..l.end, " as double)".to_string()),
                ];
                self.push(Code::LintIntegerDivision, span, fix);
                Ty::Int
            }
            B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo => match (lt, rt) {
                (Ty::Int, Ty::Int) => Ty::Int,
                (Ty::Fractional, Ty::Int | Ty::Fractional) | (Ty::Int, Ty::Fractional) => {
                    Ty::Fractional
                }
                (t, _) if t.is_temporal() => t,
                _ => Ty::Unknown,
            },
            B::StringConcat => Ty::Text,
            B::And | B::Or | B::Xor => Ty::Bool,
            _ => Ty::Unknown,
        }
    }

    /// L002, fixed to `IS [NOT] NULL` when NULL is on the right.
    fn null_comparison(&mut self, whole: &Expr, left: &Expr, op: &BinaryOperator, right: &Expr) {
        let span = self.expr_range(whole);
        let mut fix = Vec::new();
        if is_null_literal(right) {
            let l = self.expr_range(left);
            let r = self.expr_range(right);
            let between = self.sql.get(l.end..r.start).unwrap_or("");
            let null_text = self.sql.get(r.clone()).unwrap_or("NULL");
            let lower_case = null_text.chars().all(|c| c.is_ascii_lowercase());
            if ["=", "<>", "!="].contains(&between.trim()) {
                let text = match (op, lower_case) {
                    (BinaryOperator::Eq, true) => " is null",
                    (BinaryOperator::Eq, false) => " IS NULL",
                    (_, true) => " is not null",
                    (_, false) => " IS NOT NULL",
                };
                fix.push((l.end..r.end, text.to_string()));
            }
        }
        self.push(Code::LintNullComparison, span, fix);
    }

    /// L005: a date or timestamp compared with a string literal; fixed by writing the literal
    /// as a typed one when it is a date (or a timestamp) Athena reads.
    fn date_vs_string(&mut self, t: Ty, other: &Expr) {
        let Some(text) = string_literal(other) else {
            return;
        };
        let r = self.expr_range(other);
        let ok = match t {
            Ty::Date => is_date_text(text),
            _ => is_date_text(text) || is_timestamp_text(text),
        };
        let quoted = self.sql.get(r.clone()).is_some_and(|s| s.starts_with('\''));
        let fix = if ok && quoted {
            let kw = if t == Ty::Date { "DATE " } else { "TIMESTAMP " };
            vec![(r.start..r.start, kw.to_string())]
        } else {
            Vec::new()
        };
        self.push(Code::LintDateComparedWithString, r, fix);
    }

    fn function(&mut self, whole: &Expr, f: &Function, scope: &Scope) -> Ty {
        let name = fname(&f.name);
        let mut arg_types = Vec::new();
        let mut star = false;
        match &f.args {
            FunctionArguments::List(list) => {
                for a in &list.args {
                    match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(x))
                        | FunctionArg::Named {
                            arg: FunctionArgExpr::Expr(x),
                            ..
                        }
                        | FunctionArg::ExprNamed {
                            arg: FunctionArgExpr::Expr(x),
                            ..
                        } => arg_types.push(self.expr(x, scope)),
                        FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => star = true,
                        _ => arg_types.push(Ty::Unknown),
                    }
                }
            }
            FunctionArguments::Subquery(q) => {
                self.query(q, Some(scope), false);
            }
            FunctionArguments::None => {}
        }
        if let Some(filter) = &f.filter {
            self.expr(filter, scope);
        }
        if name == "count" && (star || arg_types.is_empty()) && f.over.is_none() {
            let span = self.expr_range(whole);
            if let Some(fr) = self.frames.last_mut() {
                fr.count_star.push(span);
            }
        }
        if let Some(WindowType::WindowSpec(spec)) = &f.over {
            for p in &spec.partition_by {
                self.expr(p, scope);
            }
            let mut order_types = Vec::new();
            for o in &spec.order_by {
                order_types.push(self.expr(&o.expr, scope));
            }
            if name == "row_number"
                && (order_types.is_empty() || order_types.iter().all(|t| *t == Ty::Date))
            {
                let span = self.expr_range(whole);
                let span = span.start..self.window_end(span.end);
                self.push(Code::LintRowNumberTies, span, Vec::new());
            }
        }
        if let Some(t) = function_type(&name) {
            return t;
        }
        if let Some(i) = argument_typed(&name) {
            let t = arg_types.get(i).copied().unwrap_or(Ty::Unknown);
            // sum/avg of integers stay integers; round(x, n) keeps x's type.
            return match (name.as_str(), t) {
                ("coalesce" | "greatest" | "least" | "nullif", Ty::Unknown) => arg_types
                    .iter()
                    .copied()
                    .find(|t| t.known())
                    .unwrap_or(Ty::Unknown),
                ("if", _) => arg_types.get(1).copied().unwrap_or(Ty::Unknown),
                _ => t,
            };
        }
        Ty::Unknown
    }

    /// The end of `… OVER (…)` after a function call ending at `end` (just the call if not
    /// found).
    fn window_end(&self, end: usize) -> usize {
        let rest = &self.sql[end..];
        let t = rest.trim_start();
        if t.len() >= 4 && t[..4].eq_ignore_ascii_case("over") {
            let open = end + (rest.len() - t.len()) + 4;
            let after = &self.sql[open..];
            let skip = after.len() - after.trim_start().len();
            if after.trim_start().starts_with('(') {
                let r = balance(self.sql, open + skip..open + skip + 1);
                return r.end;
            }
        }
        end
    }
}

/// A CTE's or subquery's columns named by `AS t (a, b)`.
fn rename(mut out: Output, alias: &TableAlias) -> Output {
    if alias.columns.is_empty() {
        return out;
    }
    // Positions are lost in the map: the types of renamed columns are not kept.
    out.columns = Columns {
        types: alias
            .columns
            .iter()
            .map(|c| (lower(&c.name), Ty::Unknown))
            .collect(),
        complete: true,
        unique: Default::default(),
    };
    out
}

fn join_conditions<'q>(twj: &'q sqlparser::ast::TableWithJoins, out: &mut Vec<&'q Expr>) {
    for j in &twj.joins {
        match &j.join_operator {
            JoinOperator::Join(JoinConstraint::On(e))
            | JoinOperator::Inner(JoinConstraint::On(e))
            | JoinOperator::Left(JoinConstraint::On(e))
            | JoinOperator::LeftOuter(JoinConstraint::On(e))
            | JoinOperator::Right(JoinConstraint::On(e))
            | JoinOperator::RightOuter(JoinConstraint::On(e))
            | JoinOperator::FullOuter(JoinConstraint::On(e)) => out.push(e),
            _ => {}
        }
        if let TableFactor::NestedJoin {
            table_with_joins, ..
        } = &j.relation
        {
            join_conditions(table_with_joins, out);
        }
    }
}

fn split_and<'q>(e: &'q Expr, out: &mut Vec<&'q Expr>) {
    match e {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            split_and(left, out);
            split_and(right, out);
        }
        Expr::Nested(inner) => split_and(inner, out),
        other => out.push(other),
    }
}

/// The qualifiers of the column references of an expression (outside subqueries): `Some(t)`
/// for `t.col`, `None` for an unqualified `col`.
fn qualifiers(e: &Expr) -> Vec<Option<Name>> {
    struct V {
        out: Vec<Option<Name>>,
        depth: usize,
    }
    impl Visitor for V {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
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
                Expr::Identifier(i) if not_a_column(&i.value.to_lowercase()).is_none() => {
                    self.out.push(None)
                }
                Expr::CompoundIdentifier(p) if p.len() >= 2 => {
                    self.out.push(Some(lower(&p[p.len() - 2])))
                }
                _ => {}
            }
            ControlFlow::Continue(())
        }
    }
    let mut v = V {
        out: Vec::new(),
        depth: 0,
    };
    let _ = e.visit(&mut v);
    v.out
}

/// The direct child expressions of an expression the walk has no case for (cloned; rare).
fn children(e: &Expr) -> Vec<Expr> {
    struct V {
        depth: usize,
        out: Vec<Expr>,
    }
    impl Visitor for V {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            if self.depth == 1 {
                self.out.push(e.clone());
            }
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_expr(&mut self, _: &Expr) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
    }
    let mut v = V {
        depth: 0,
        out: Vec::new(),
    };
    let _ = e.visit(&mut v);
    v.out
}

/// An expression whose value is a date by its form: `DATE '…'`, `current_date`, `date(…)`,
/// `date_add(…, DATE …)`.
fn date_valued(e: &Expr) -> bool {
    match e {
        Expr::TypedString(t) => Ty::of_name(&t.data_type.to_string()) == Ty::Date,
        Expr::Identifier(i) => i.value.eq_ignore_ascii_case("current_date"),
        Expr::Nested(x) => date_valued(x),
        Expr::Cast { data_type, .. } => Ty::of_name(&data_type.to_string()) == Ty::Date,
        Expr::Function(f) => matches!(fname(&f.name).as_str(), "date" | "current_date"),
        _ => false,
    }
}

/// A query that returns one row: an aggregate without GROUP BY.
fn one_row(q: &Query) -> bool {
    match &*q.body {
        SetExpr::Select(s) => {
            matches!(&s.group_by, GroupByExpr::Expressions(e, _) if e.is_empty())
                && !s.projection.is_empty()
                && s.projection.iter().all(|i| match i {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                        aggregates(e)
                    }
                    _ => false,
                })
        }
        SetExpr::Query(q) => one_row(q),
        _ => false,
    }
}

fn aggregates(e: &Expr) -> bool {
    match e {
        Expr::Function(f) => {
            f.over.is_none()
                && matches!(
                    fname(&f.name).as_str(),
                    "count"
                        | "sum"
                        | "min"
                        | "max"
                        | "avg"
                        | "count_if"
                        | "max_by"
                        | "min_by"
                        | "arbitrary"
                        | "any_value"
                        | "approx_distinct"
                )
        }
        Expr::Nested(x) | Expr::Cast { expr: x, .. } => aggregates(x),
        _ => false,
    }
}

/// True unless the subquery's single column is surely not NULL: a literal, `count(…)`, or a
/// column its WHERE requires `IS NOT NULL`.
fn may_return_null(q: &Query) -> bool {
    let SetExpr::Select(s) = &*q.body else {
        return true;
    };
    let [item] = s.projection.as_slice() else {
        return true;
    };
    let e = match item {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
        _ => return true,
    };
    match e {
        Expr::Value(v) if v.value != Value::Null => false,
        Expr::Function(f) if matches!(fname(&f.name).as_str(), "count" | "count_if") => false,
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
            let col = match e {
                Expr::Identifier(i) => lower(i),
                Expr::CompoundIdentifier(p) => p.last().map(lower).unwrap_or_default(),
                _ => Name::default(),
            };
            let mut conj = Vec::new();
            if let Some(w) = &s.selection {
                split_and(w, &mut conj);
            }
            !conj.iter().any(|c| match c {
                Expr::IsNotNull(x) => match &**x {
                    Expr::Identifier(i) => lower(i) == col,
                    Expr::CompoundIdentifier(p) => p.last().map(lower) == Some(col.clone()),
                    _ => false,
                },
                _ => false,
            })
        }
        _ => true,
    }
}

/// Widen `r` to the end of the parentheses opened inside it (skipping strings and quoted
/// names), and over a closing parenthesis right after it that one inside opened.
pub fn balance(sql: &str, r: Range<usize>) -> Range<usize> {
    let b = sql.as_bytes();
    let mut depth = 0i32;
    let mut i = r.start;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else {
            match c {
                b'\'' | b'"' => quote = Some(c),
                b'(' => depth += 1,
                b')' => depth -= 1,
                _ => {}
            }
        }
        i += 1;
        if i >= r.end && depth <= 0 && quote.is_none() {
            break;
        }
    }
    r.start..i.max(r.end).min(b.len())
}
