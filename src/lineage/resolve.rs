//! Resolving one model's query shape against the columns of the relations it reads: scopes of
//! FROM items (tables, CTEs, subqueries, UNNEST), `*` and `t.*` expanded, each column reference
//! bound to the one FROM item that has it (or to an enclosing query's, for a correlated
//! subquery), and the origins of every output column carried through CTEs and subqueries to
//! the model's inputs.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use super::{ColumnId, ColumnLineage, Edge, EdgeKind, Lineage, RelationLineage};
use crate::diag::{suggest, Code, Diagnostic};
use crate::project::Project;
use crate::sql::shape::{
    Body, ColumnRef, ExprShape, FromItem, FromKind, Item, Name, QueryShape, SelectShape,
};
use crate::sql::{AnalyzedModel, Dependency};

/// How a column is reached from one input column.
#[derive(Debug, Clone, PartialEq)]
struct Via {
    kind: EdgeKind,
    functions: Vec<Name>,
}

impl Via {
    fn then(&self, outer_kind: EdgeKind, outer_functions: &[Name]) -> Via {
        let mut functions = self.functions.clone();
        for f in outer_functions {
            if !functions.contains(f) {
                functions.push(f.clone());
            }
        }
        Via {
            kind: self.kind.then(outer_kind),
            functions,
        }
    }
}

/// A column's origins among the model's inputs: (relation, column) → how, sorted by input
/// column. A column has one or a few, so a sorted vector (one allocation, often none) beats
/// a tree.
#[derive(Debug, Clone, Default)]
struct Origins(Vec<((Name, Name), Via)>);

impl Origins {
    fn one(relation: &Name, column: &Name) -> Origins {
        Origins(vec![(
            (relation.clone(), column.clone()),
            Via {
                kind: EdgeKind::Copy,
                functions: Vec::new(),
            },
        )])
    }

    /// Add an origin reached `via` `outer_kind` and `outer_functions`, keeping the strongest
    /// way each input is reached.
    fn add(&mut self, key: &(Name, Name), via: &Via, outer_kind: EdgeKind, outer: &[Name]) {
        let kind = via.kind.then(outer_kind);
        match self.0.binary_search_by(|(k, _)| k.cmp(key)) {
            Ok(i) if self.0[i].1.kind >= kind => {}
            Ok(i) => self.0[i].1 = via.then(outer_kind, outer),
            Err(i) => self.0.insert(i, (key.clone(), via.then(outer_kind, outer))),
        }
    }
}

/// A column while resolving: its name and its origins among the model's inputs.
#[derive(Debug, Clone)]
struct Col {
    name: Name,
    from: Origins,
    partial: bool,
    span: Option<Range<usize>>,
}

impl Col {
    fn base(relation: &Name, name: &Name) -> Col {
        Col {
            name: name.clone(),
            from: Origins::one(relation, name),
            partial: false,
            span: None,
        }
    }

    fn absorb(&mut self, other: &Col, kind: EdgeKind, functions: &[Name]) {
        for (k, via) in &other.from.0 {
            self.from.add(k, via, kind, functions);
        }
        self.partial |= other.partial;
    }
}

/// One FROM item in scope.
struct ScopeItem {
    /// Qualifiers that name it (`alias`, or `t`, `schema.t`, `catalog.schema.t`).
    names: Vec<Vec<Name>>,
    /// Shown in messages.
    shown: String,
    cols: Option<Arc<Vec<Col>>>,
    /// `cols` may not be all its columns (a source's declared ones).
    incomplete: bool,
    using: Vec<Name>,
}

impl ScopeItem {
    /// Its columns when they are all known.
    fn complete(&self) -> Option<&Vec<Col>> {
        self.cols.as_deref().filter(|_| !self.incomplete)
    }
}

struct Scope<'s> {
    items: Vec<ScopeItem>,
    outer: Option<&'s Scope<'s>>,
}

/// A query's columns, and whether there may be more (a `*` over a source whose declared
/// columns may not be all of them).
#[derive(Debug, Clone)]
struct Cols {
    cols: Vec<Col>,
    incomplete: bool,
}

/// The CTEs in scope, shared (a nested query sees them without copying their columns).
type Ctes = Vec<(Name, Option<(Arc<Vec<Col>>, bool)>)>;

/// What a reference resolves to.
enum Found<'s> {
    Col(&'s Col),
    /// In a relation whose columns are not known.
    Unknown,
    /// Not there (or ambiguous): the error is recorded.
    Error,
}

struct Resolver<'a> {
    project: &'a Project,
    model: &'a AnalyzedModel,
    lineage: &'a Lineage,
    diags: Vec<Diagnostic>,
    filtered: BTreeSet<(Name, Name)>,
}

/// The lineage of one model (or snapshot, or singular test), and its column errors.
pub(super) fn model(
    project: &Project,
    m: &AnalyzedModel,
    lineage: &Lineage,
) -> (RelationLineage, Vec<Diagnostic>) {
    let Some(shape) = &m.shape else {
        return (RelationLineage::default(), Vec::new());
    };
    let mut r = Resolver {
        project,
        model: m,
        lineage,
        diags: Vec::new(),
        filtered: BTreeSet::new(),
    };
    let out = r.query(shape, &Vec::new(), None);
    let incomplete = out.as_ref().is_some_and(|o| o.incomplete);
    let columns = out.map(|out| {
        out.cols
            .into_iter()
            .map(|c| ColumnLineage {
                name: c.name,
                upstream: c
                    .from
                    .0
                    .into_iter()
                    .map(|((relation, column), via)| Edge {
                        relation,
                        column,
                        kind: via.kind,
                        functions: via.functions,
                    })
                    .collect(),
                partial: c.partial,
                span: c.span,
            })
            .collect()
    });
    let filtered_by = r
        .filtered
        .into_iter()
        .map(|(relation, column)| ColumnId { relation, column })
        .collect();
    (
        RelationLineage {
            columns,
            incomplete,
            filtered_by,
        },
        r.diags,
    )
}

impl Resolver<'_> {
    fn query(&mut self, q: &QueryShape, ctes: &Ctes, outer: Option<&Scope>) -> Option<Cols> {
        if q.ctes.is_empty() {
            return self.body(&q.body, ctes, outer);
        }
        let mut env = ctes.clone();
        for cte in &q.ctes {
            let cols = self
                .query(&cte.query, &env, outer)
                .and_then(|out| rename(out, &cte.columns));
            env.push((
                cte.name.clone(),
                cols.map(|c| (Arc::new(c.cols), c.incomplete)),
            ));
        }
        self.body(&q.body, &env, outer)
    }

    fn body(&mut self, b: &Body, env: &Ctes, outer: Option<&Scope>) -> Option<Cols> {
        match b {
            Body::Select(s) => self.select(s, env, outer),
            Body::Query(q) => self.query(q, env, outer),
            Body::SetOperation(l, r) => {
                let left = self.body(l, env, outer);
                let right = self.body(r, env, outer);
                match (left, right) {
                    (Some(mut left), Some(right))
                        if left.cols.len() == right.cols.len()
                            && !left.incomplete
                            && !right.incomplete =>
                    {
                        for (l, r) in left.cols.iter_mut().zip(&right.cols) {
                            l.absorb(r, EdgeKind::Copy, &[]);
                        }
                        Some(left)
                    }
                    (Some(mut left), _) => {
                        // The other side's columns are not all known: names from the left,
                        // origins incomplete.
                        left.cols.iter_mut().for_each(|c| c.partial = true);
                        Some(left)
                    }
                    (None, _) => None,
                }
            }
            Body::Values(n) => Some(Cols {
                cols: (0..*n)
                    .map(|i| Col {
                        name: col_name(i),
                        from: Origins::default(),
                        partial: false,
                        span: None,
                    })
                    .collect(),
                incomplete: false,
            }),
            Body::Unknown => None,
        }
    }

    fn select(&mut self, s: &SelectShape, env: &Ctes, outer: Option<&Scope>) -> Option<Cols> {
        let mut scope = Scope {
            items: Vec::new(),
            outer,
        };
        for f in &s.from {
            let item = self.scope_item(f, env, &scope);
            scope.items.push(item);
        }
        let mut out: Vec<Col> = Vec::new();
        let mut unknown = false;
        let mut incomplete = false;
        for (i, item) in s.items.iter().enumerate() {
            match item {
                Item::Expr { name, expr, span } => {
                    let mut col = Col {
                        name: name.clone().unwrap_or_else(|| col_name(i)),
                        from: Origins::default(),
                        partial: false,
                        span: Some(span.clone()),
                    };
                    self.expr_into(expr, env, &scope, &mut col, &[], &[]);
                    out.push(col);
                }
                Item::Wildcard => {
                    let mut seen_using: BTreeSet<Name> = BTreeSet::new();
                    for it in &scope.items {
                        incomplete |= it.incomplete;
                        match &it.cols {
                            Some(cols) => {
                                for c in cols.iter() {
                                    if it.using.contains(&c.name)
                                        && !seen_using.insert(c.name.clone())
                                    {
                                        continue;
                                    }
                                    if scope.items.iter().any(|o| o.using.contains(&c.name)) {
                                        seen_using.insert(c.name.clone());
                                    }
                                    out.push(c.clone());
                                }
                            }
                            None => unknown = true,
                        }
                    }
                }
                Item::QualifiedWildcard(q) => match find_item(&scope, q) {
                    Some(it) => match &it.cols {
                        Some(cols) => {
                            incomplete |= it.incomplete;
                            out.extend(cols.iter().cloned())
                        }
                        None => unknown = true,
                    },
                    None => unknown = true,
                },
                Item::Unknown => unknown = true,
            }
        }
        // What filters, joins and groups the rows.
        let outputs: Vec<Name> = out.iter().map(|c| c.name.clone()).collect();
        let mut filter = Col {
            name: Name::default(),
            from: Origins::default(),
            partial: false,
            span: None,
        };
        self.expr_into(&s.filters, env, &scope, &mut filter, &[], &outputs);
        self.filtered
            .extend(filter.from.0.into_iter().map(|(k, _)| k));
        (!unknown).then_some(Cols {
            cols: out,
            incomplete,
        })
    }

    fn scope_item(&mut self, f: &FromItem, env: &Ctes, scope: &Scope) -> ScopeItem {
        let (names, shown, cols, incomplete) = match &f.kind {
            FromKind::Table { parts, at } => {
                let cte = (parts.len() == 1)
                    .then(|| env.iter().rev().find(|(n, _)| *n == parts[0]))
                    .flatten();
                let (cols, incomplete) = match cte {
                    Some((_, Some((cols, incomplete)))) => (Some(cols.clone()), *incomplete),
                    Some((_, None)) => (None, false),
                    None => self.relation_columns(*at),
                };
                let names = match &f.alias {
                    Some(a) => vec![vec![a.clone()]],
                    None => (1..=parts.len())
                        .map(|k| parts[parts.len() - k..].to_vec())
                        .collect(),
                };
                (names, parts.join("."), cols, incomplete)
            }
            FromKind::Derived(q) => {
                let out = self.query(q, env, scope.outer);
                let a = f.alias.clone().unwrap_or_default();
                let incomplete = out.as_ref().is_some_and(|o| o.incomplete);
                (
                    vec![vec![a.clone()]],
                    format!("({a})"),
                    out.map(|o| Arc::new(o.cols)),
                    incomplete,
                )
            }
            FromKind::Unnest { arrays, ordinality } => {
                let mut cols = Vec::new();
                let n = if f.alias_columns.is_empty() {
                    arrays.len() + usize::from(*ordinality)
                } else {
                    f.alias_columns.len()
                };
                for i in 0..n {
                    let mut col = Col {
                        name: f
                            .alias_columns
                            .get(i)
                            .cloned()
                            .unwrap_or_else(|| col_name(i)),
                        from: Origins::default(),
                        partial: false,
                        span: None,
                    };
                    let is_ordinal = *ordinality && i + 1 == n;
                    if !is_ordinal && !arrays.is_empty() {
                        let array = &arrays[i.min(arrays.len() - 1)];
                        self.expr_into(
                            array,
                            env,
                            scope,
                            &mut col,
                            &[Name::new_static("unnest")],
                            &[],
                        );
                    }
                    cols.push(col);
                }
                let a = f.alias.clone().unwrap_or_default();
                return ScopeItem {
                    names: vec![vec![a.clone()]],
                    shown: format!("unnest {a}"),
                    cols: Some(Arc::new(cols)),
                    incomplete: false,
                    using: f.using.clone(),
                };
            }
            FromKind::Unknown => (Vec::new(), "?".to_string(), None, false),
        };
        let cols = match cols {
            Some(c) if !f.alias_columns.is_empty() => rename(
                Cols {
                    cols: Arc::unwrap_or_clone(c),
                    incomplete,
                },
                &f.alias_columns,
            )
            .map(|o| Arc::new(o.cols)),
            other => other,
        };
        ScopeItem {
            names,
            shown,
            cols,
            incomplete,
            using: f.using.clone(),
        }
    }

    /// The columns of the relation written at byte `at`, each its own origin, and whether
    /// they may be incomplete.
    fn relation_columns(&self, at: usize) -> (Option<Arc<Vec<Col>>>, bool) {
        let Some(rel) = self
            .model
            .relations
            .iter()
            .find(|r| r.span.start <= at && at < r.span.end.max(r.span.start + 1))
        else {
            return (None, false);
        };
        let id = match &rel.dep {
            Dependency::Node(n) if *n == self.model.node => return (None, false),
            Dependency::Node(n) => self.project.node_id(*n),
            Dependency::Source(s) => self.project.source_id(*s),
            Dependency::External(_) => return (None, false),
            Dependency::Upstream(u) => self.project.upstream.models[*u].unique_id.clone(),
        };
        let Some(r) = self.lineage.relations.get(&id) else {
            return (None, false);
        };
        let cols = r.columns.as_ref().map(|cols| {
            let id = Name::from(id);
            Arc::new(cols.iter().map(|c| Col::base(&id, &c.name)).collect())
        });
        (cols, r.incomplete)
    }

    /// Add what `e` reads to `col`'s origins, through `extra_functions` too; `lenient` names
    /// (output aliases) are not errors where they are not columns.
    fn expr_into(
        &mut self,
        e: &ExprShape,
        env: &Ctes,
        scope: &Scope,
        col: &mut Col,
        extra_functions: &[Name],
        lenient: &[Name],
    ) {
        let kind = if e.aggregate {
            EdgeKind::Aggregate
        } else if e.bare && extra_functions.is_empty() {
            EdgeKind::Copy
        } else {
            EdgeKind::Transform
        };
        let mut functions = e.functions.clone();
        functions.extend(extra_functions.iter().cloned());
        for r in &e.refs {
            match self.reference(r, scope, lenient) {
                Found::Col(c) => col.absorb(c, kind, &functions),
                Found::Unknown | Found::Error => col.partial = true,
            }
        }
        for q in &e.subqueries {
            match self.query(q, env, Some(scope)) {
                Some(out) => {
                    for c in &out.cols {
                        col.absorb(c, kind.then(EdgeKind::Transform), &functions);
                    }
                }
                None => col.partial = true,
            }
        }
    }

    /// Bind a column reference; `lenient`: output aliases a GROUP BY / HAVING may name.
    fn reference<'s>(
        &mut self,
        r: &ColumnRef,
        scope: &'s Scope<'s>,
        lenient: &[Name],
    ) -> Found<'s> {
        let parts = &r.parts;
        // Qualified: the longest qualifier naming a FROM item in scope.
        for k in (1..parts.len()).rev() {
            let mut s = Some(scope);
            while let Some(sc) = s {
                if let Some(it) = find_in(sc, &parts[..k]) {
                    return match &it.cols {
                        None => Found::Unknown,
                        Some(cols) => match cols.iter().find(|c| c.name == parts[k]) {
                            Some(c) => Found::Col(c),
                            None if it.incomplete => Found::Unknown,
                            None => {
                                let names: Vec<&str> =
                                    cols.iter().map(|c| c.name.as_str()).collect();
                                self.error(
                                    Code::UnknownColumn,
                                    r.span.clone(),
                                    crate::t!(
                                        "e212-no-column",
                                        relation = parts[..k].join("."),
                                        column = parts[k]
                                    ),
                                    &crate::t!("e212-label"),
                                    column_help(&parts[k], &names, &it.shown),
                                );
                                Found::Error
                            }
                        },
                    };
                }
                s = sc.outer;
            }
        }
        // Unqualified (the rest are fields of a row): the one FROM item that has it.
        let name = &parts[0];
        let mut s = Some(scope);
        let mut any_unknown = false;
        while let Some(sc) = s {
            let having: Vec<&ScopeItem> = sc
                .items
                .iter()
                .filter(|it| {
                    it.cols
                        .as_ref()
                        .is_some_and(|cols| cols.iter().any(|c| c.name == *name))
                })
                .collect();
            any_unknown |= sc.items.iter().any(|it| it.complete().is_none());
            match having.as_slice() {
                [one] => return Found::Col(col_of(one, name)),
                [first, ..]
                    if having.iter().all(|it| it.using.contains(name))
                        || sc.items.iter().any(|it| it.using.contains(name)) =>
                {
                    return Found::Col(col_of(first, name))
                }
                [first, second, ..] => {
                    self.error(
                        Code::AmbiguousColumn,
                        r.span.clone(),
                        crate::t!(
                            "e213-ambiguous",
                            name = name,
                            first = first.shown,
                            second = second.shown
                        ),
                        &crate::t!("e213-label"),
                        crate::t!(
                            "e213-help",
                            first = format!("{}.{name}", alias_of(first)),
                            second = format!("{}.{name}", alias_of(second))
                        ),
                    );
                    return Found::Error;
                }
                [] => {}
            }
            if any_unknown {
                // It may be a column of the relation whose columns are not known.
                return Found::Unknown;
            }
            s = sc.outer;
        }
        if lenient.contains(name) {
            return Found::Unknown;
        }
        let names: Vec<&str> = scope
            .items
            .iter()
            .flat_map(|it| it.cols.iter().flat_map(|c| c.iter()))
            .map(|c| c.name.as_str())
            .collect();
        let shown: Vec<&str> = scope.items.iter().map(|it| it.shown.as_str()).collect();
        let (message, help) = if scope.items.is_empty() {
            (
                crate::t!("e212-no-from", name = name),
                crate::t!("e212-no-from-help"),
            )
        } else {
            (
                crate::t!(
                    "e212-not-a-column",
                    name = name,
                    relations = shown.join(", ")
                ),
                column_help(name, &names, &shown.join(", ")),
            )
        };
        self.error(
            Code::UnknownColumn,
            r.span.clone(),
            message,
            &crate::t!("e212-label"),
            help,
        );
        Found::Error
    }

    fn error(
        &mut self,
        code: Code,
        span: Range<usize>,
        message: String,
        label: &str,
        help: String,
    ) {
        let node = &self.project.nodes[self.model.node];
        let at = crate::sql::locate_in(node, &self.model.rendered_sql, self.model.templated, span);
        self.diags.push(
            Diagnostic::error(code, message)
                .at(at)
                .label(label)
                .help(help),
        );
    }
}

fn col_of<'s>(it: &'s ScopeItem, name: &str) -> &'s Col {
    it.cols
        .iter()
        .flat_map(|c| c.iter())
        .find(|c| c.name == name)
        .expect("the item has the column")
}

fn alias_of(it: &ScopeItem) -> String {
    it.names
        .first()
        .map(|n| n.join("."))
        .unwrap_or_else(|| it.shown.clone())
}

fn column_help(name: &str, names: &[&str], relation: &str) -> String {
    match suggest(name, names.iter().copied()) {
        Some(s) => crate::t!("project-did-you-mean", name = s),
        None if names.len() <= 12 => crate::t!(
            "e212-columns-are",
            relation = relation,
            columns = names.join(", ")
        ),
        None => crate::t!(
            "e212-many-columns",
            relation = relation,
            count = names.len()
        ),
    }
}

fn find_in<'a>(scope: &'a Scope, qualifier: &[Name]) -> Option<&'a ScopeItem> {
    scope
        .items
        .iter()
        .find(|it| it.names.iter().any(|n| n.as_slice() == qualifier))
}

fn find_item<'a>(scope: &'a Scope, qualifier: &[Name]) -> Option<&'a ScopeItem> {
    let mut s = Some(scope);
    while let Some(sc) = s {
        if let Some(it) = find_in(sc, qualifier) {
            return Some(it);
        }
        s = sc.outer;
    }
    None
}

/// Columns renamed by an alias list (`AS t (a, b)`); None if the counts differ (or may).
fn rename(mut out: Cols, names: &[Name]) -> Option<Cols> {
    if names.is_empty() {
        return Some(out);
    }
    if names.len() != out.cols.len() || out.incomplete {
        return None;
    }
    for (c, n) in out.cols.iter_mut().zip(names) {
        c.name = n.clone();
    }
    Some(out)
}

/// Athena's name for an unnamed output column.
fn col_name(i: usize) -> Name {
    smol_str::format_smolstr!("_col{i}")
}
