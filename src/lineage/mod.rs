//! Stage 3b, `lineage`: the columns of every relation and, for each column a model computes,
//! the upstream columns it comes from and how (copied, transformed through which functions,
//! aggregated), plus the columns that only filter, join or group its rows. No database: the
//! columns of sources, ingest tables and seeds are declared (or read from a seed's header),
//! a model's come from its SQL over its parents' columns, resolved in dependency order from
//! the query shapes the analysis pass kept ([`crate::sql::shape`]).
//!
//! A column reference that names no column of the relations in scope, or two of them, is an
//! error (`E212`, `E213`) — the same error Athena would give, caught before it runs. Where a
//! relation's columns are not known (a source without declared columns, an external relation,
//! SQL that did not parse), the check is skipped and the lineage says so (`partial`).

mod resolve;
mod seeds;
pub mod text;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::diag::{Code, Diagnostic, Diagnostics, Location};
use crate::project::{NodeKind, Project};
use crate::sql::shape::Name;
use crate::sql::{AnalyzedModel, Dependency};

/// How a column is computed from an upstream column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// The value as it is (through any number of renames).
    Copy,
    /// Through functions or operators.
    Transform,
    /// Through an aggregate over rows.
    Aggregate,
}

impl EdgeKind {
    /// The kind of a path through `self` then `next`.
    pub fn then(self, next: EdgeKind) -> EdgeKind {
        self.max(next)
    }
}

/// An upstream column of a column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Edge {
    /// Unique id of the upstream relation (`model.p.x`, `source.p.s.t`, `seed.p.x`).
    pub relation: Name,
    /// Its column.
    pub column: Name,
    /// How.
    pub kind: EdgeKind,
    /// Functions on the way (lower case), for `transform` and `aggregate`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Name>,
}

/// One column of a relation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnLineage {
    /// Name (lower case).
    pub name: Name,
    /// Where it comes from (empty for the columns of sources, seeds and ingest tables).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<Edge>,
    /// Some of its inputs could not be followed (unknown columns upstream).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// Where its select item is in the rendered SQL (for messages; not written).
    #[serde(skip)]
    pub span: Option<std::ops::Range<usize>>,
}

/// A column of a relation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ColumnId {
    /// Relation unique id.
    pub relation: Name,
    /// Column.
    pub column: Name,
}

/// The columns of one relation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RelationLineage {
    /// Its columns, in order; `None` when they are not known.
    pub columns: Option<Vec<ColumnLineage>>,
    /// The columns are the ones declared, which may not be all it has (a source's property
    /// file often lists only some): other names are not errors, and `*` over it is unknown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
    /// Upstream columns that filter, join or group its rows without being selected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filtered_by: Vec<ColumnId>,
}

/// Column lineage of a whole project: relation unique id → its columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Lineage {
    /// Every node and source (hashed: ids share long prefixes, which makes ordered lookups
    /// slow; [`Lineage::sorted`] gives them in order).
    pub relations: HashMap<String, RelationLineage>,
    /// The nodes in levels: a node's parents are all in earlier levels (what may be computed
    /// in parallel after the lineage: see `crate::governance::infer`).
    #[serde(skip)]
    pub levels: Vec<Vec<usize>>,
}

impl Lineage {
    /// The columns of a relation, if known.
    pub fn columns(&self, relation: &str) -> Option<&[ColumnLineage]> {
        self.relations.get(relation)?.columns.as_deref()
    }

    /// Every relation, ordered by unique id.
    pub fn sorted(&self) -> BTreeMap<&str, &RelationLineage> {
        self.relations
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect()
    }

    /// The columns computed from `id` (one step downstream), ordered by relation, then by
    /// column position.
    pub fn downstream(&self, id: &ColumnId) -> Vec<(ColumnId, &Edge)> {
        let mut out = Vec::new();
        for (rel, r) in self.sorted() {
            for c in r.columns.iter().flatten() {
                for e in &c.upstream {
                    if e.relation == id.relation && e.column == id.column {
                        out.push((
                            ColumnId {
                                relation: rel.into(),
                                column: c.name.clone(),
                            },
                            e,
                        ));
                    }
                }
            }
        }
        out
    }
}

/// Infer the columns of every node and source, in dependency order (`order`: node indexes,
/// parents first). Unknown or ambiguous column references are errors; sources read by a model
/// without declared columns are warnings.
///
/// A model's lineage without errors is kept in `cache` (`target/cache/lineage.bin`) under a
/// key of everything [`resolve::model`] reads: its rendered SQL (so its query shape and the
/// places of its relations), and for each relation it reads, what it resolved to and that
/// relation's column names as computed here (see [`cached_key`]). An edited parent whose
/// columns change misses for its readers; one whose columns stay the same does not.
pub fn infer(
    project: &Project,
    models: &[AnalyzedModel],
    order: &[usize],
    catalog_columns: &std::collections::BTreeMap<String, Vec<String>>,
    cache: &crate::cache::Cache,
) -> (Lineage, Diagnostics) {
    let mut lineage = Lineage::default();
    let mut diags = Diagnostics::default();
    let partitions: HashMap<(String, String), &[String]> = project
        .ingest
        .rules
        .iter()
        .map(|r| {
            (
                (r.layer.clone(), r.name.clone()),
                r.partitioned_by.as_slice(),
            )
        })
        .collect();
    for (i, s) in project.sources.iter().enumerate() {
        let mut names: Vec<String> = s.columns.iter().map(|c| c.name.to_lowercase()).collect();
        // An ingest table's columns are exactly its rule's (and its partition columns); a
        // declared source's are what its property file lists.
        let ingest = partitions.get(&(s.source.clone(), s.name.clone()));
        if let Some(parts) = ingest {
            names.extend(parts.iter().map(|p| p.to_lowercase()));
        }
        let id = project.source_id(i);
        // A source listing no columns: the catalog's, when the target was read (all of them).
        let from_catalog = names.is_empty() && ingest.is_none();
        let catalog = catalog_columns.get(&id).filter(|_| from_catalog);
        if let Some(cols) = catalog {
            names.clone_from(cols);
        }
        lineage.relations.insert(
            id,
            RelationLineage {
                columns: (!names.is_empty()).then(|| base_columns(names)),
                incomplete: ingest.is_none() && catalog.is_none(),
                filtered_by: Vec::new(),
            },
        );
    }
    // The upstream projects' models read here: their columns as the upstream's lineage gives
    // them, under their own unique ids, so the lineage goes on across projects.
    for m in models {
        for d in &m.depends_on {
            if let Dependency::Upstream(u) = d {
                let up = &project.upstream.models[*u];
                lineage
                    .relations
                    .entry(up.unique_id.clone())
                    .or_insert_with(|| RelationLineage {
                        columns: up.columns.clone().map(base_columns),
                        incomplete: up.columns.is_none(),
                        filtered_by: Vec::new(),
                    });
            }
        }
    }
    let by_node: HashMap<usize, &AnalyzedModel> = models.iter().map(|m| (m.node, m)).collect();
    let mut warned_sources = std::collections::HashSet::new();
    for m in models {
        for d in &m.depends_on {
            if let Dependency::Source(s) = d {
                let id = project.source_id(*s);
                let unknown = lineage
                    .relations
                    .get(&id)
                    .is_none_or(|r| r.columns.is_none());
                if unknown && warned_sources.insert(*s) {
                    diags.push(unknown_source_columns(project, *s));
                }
            }
        }
    }
    // Level by level (a node's level is one more than its deepest parent's): the nodes of a
    // level read only what earlier levels computed, so they are resolved in parallel.
    use rayon::prelude::*;
    let levels = levels(order, &by_node);
    let mut entries: Vec<Cached> = Vec::new();
    for level in &levels {
        let done: Vec<(usize, NodeLineage)> = level
            .par_iter()
            .map(|&i| {
                let done = node_lineage(project, i, by_node.get(&i).copied(), &lineage, cache);
                (i, done)
            })
            .collect();
        for (i, (r, d, c)) in done {
            entries.extend(c);
            diags.extend(d);
            // Singular tests too: the columns of their failing rows are known, and which of
            // them to hide.
            if let Some(r) = r {
                lineage.relations.insert(project.node_id(i), r);
            }
        }
    }
    lineage.levels = levels;
    if !cache.is_off() {
        let resolved = entries.iter().filter(|c| c.resolved).count();
        crate::diag::timings::note(format_args!(
            "cache lineage: {} found, {resolved} resolved",
            entries.len() - resolved
        ));
        cache.save(entries.iter().filter_map(|c| {
            let bytes = match &c.fresh {
                Some(b) => b.as_slice(),
                None if c.resolved => return None,
                None => cache.raw(c.key)?,
            };
            Some((c.key, bytes))
        }));
    }
    diags.sort();
    (lineage, diags)
}

/// A node's lineage (if it has one), its errors, and what the cache got from it.
type NodeLineage = (Option<RelationLineage>, Vec<Diagnostic>, Option<Cached>);

/// A model's lineage and the cache.
struct Cached {
    key: crate::cache::Key,
    /// Resolved now (not found in the cache).
    resolved: bool,
    /// Its encoding, when resolved now without errors (kept for the next compile).
    fresh: Option<Vec<u8>>,
}

/// The key of [`resolve::model`]'s result for `m`: what it reads, and nothing else — the
/// rendered SQL (the query shape and the relations' places are functions of it) and, for each
/// relation read, whether it is the model itself or an external relation, else its unique id,
/// whether its columns may be incomplete and their names (None: not in the lineage).
fn cached_key(project: &Project, m: &AnalyzedModel, lineage: &Lineage) -> crate::cache::Key {
    let mut k = crate::cache::KeyBuilder::new("lineage");
    k.str(&m.rendered_sql);
    for r in &m.relations {
        k.str(&r.span.start.to_string())
            .str(&r.span.end.to_string());
        let id = match &r.dep {
            Dependency::Node(n) if *n == m.node => {
                k.str("self");
                continue;
            }
            Dependency::External(_) => {
                k.str("external");
                continue;
            }
            Dependency::Node(n) => project.node_id(*n),
            Dependency::Source(s) => project.source_id(*s),
            Dependency::Upstream(u) => project.upstream.models[*u].unique_id.clone(),
        };
        k.str(&id);
        match lineage.relations.get(&id) {
            None => {
                k.str("missing");
            }
            Some(rel) => {
                k.str(if rel.incomplete {
                    "incomplete"
                } else {
                    "complete"
                });
                match &rel.columns {
                    None => {
                        k.str("unknown");
                    }
                    Some(cols) => {
                        k.str(&cols.len().to_string());
                        for c in cols {
                            k.str(&c.name);
                        }
                    }
                }
            }
        }
    }
    k.finish()
}

/// [`RelationLineage`] as the cache keeps it: every field written (the manifest's form skips
/// empty ones, which a format without field names cannot read back), the columns' spans too.
#[derive(Serialize, Deserialize)]
struct CachedLineage {
    columns: Option<Vec<CachedColumn>>,
    incomplete: bool,
    filtered_by: Vec<(Name, Name)>,
}

#[derive(Serialize, Deserialize)]
struct CachedColumn {
    name: Name,
    upstream: Vec<(Name, Name, EdgeKind, Vec<Name>)>,
    partial: bool,
    span: Option<std::ops::Range<usize>>,
}

impl CachedLineage {
    fn of(r: &RelationLineage) -> Self {
        CachedLineage {
            columns: r.columns.as_ref().map(|cols| {
                cols.iter()
                    .map(|c| CachedColumn {
                        name: c.name.clone(),
                        upstream: c
                            .upstream
                            .iter()
                            .map(|e| {
                                (
                                    e.relation.clone(),
                                    e.column.clone(),
                                    e.kind,
                                    e.functions.clone(),
                                )
                            })
                            .collect(),
                        partial: c.partial,
                        span: c.span.clone(),
                    })
                    .collect()
            }),
            incomplete: r.incomplete,
            filtered_by: r
                .filtered_by
                .iter()
                .map(|c| (c.relation.clone(), c.column.clone()))
                .collect(),
        }
    }

    fn into_lineage(self) -> RelationLineage {
        RelationLineage {
            columns: self.columns.map(|cols| {
                cols.into_iter()
                    .map(|c| ColumnLineage {
                        name: c.name,
                        upstream: c
                            .upstream
                            .into_iter()
                            .map(|(relation, column, kind, functions)| Edge {
                                relation,
                                column,
                                kind,
                                functions,
                            })
                            .collect(),
                        partial: c.partial,
                        span: c.span,
                    })
                    .collect()
            }),
            incomplete: self.incomplete,
            filtered_by: self
                .filtered_by
                .into_iter()
                .map(|(relation, column)| ColumnId { relation, column })
                .collect(),
        }
    }
}

/// [`resolve::model`] through the cache: a result with errors is never kept (its messages
/// depend on more than the key).
fn model_lineage(
    project: &Project,
    m: &AnalyzedModel,
    lineage: &Lineage,
    cache: &crate::cache::Cache,
) -> (RelationLineage, Vec<Diagnostic>, Option<Cached>) {
    if cache.is_off() || m.shape.is_none() {
        let (r, d) = resolve::model(project, m, lineage);
        return (r, d, None);
    }
    let key = cached_key(project, m, lineage);
    if let Some(found) = cache.get::<CachedLineage>(key) {
        let cached = Cached {
            key,
            resolved: false,
            fresh: None,
        };
        return (found.into_lineage(), Vec::new(), Some(cached));
    }
    let (r, d) = resolve::model(project, m, lineage);
    let fresh = d
        .is_empty()
        .then(|| crate::cache::encode(&CachedLineage::of(&r)))
        .flatten();
    let cached = Cached {
        key,
        resolved: true,
        fresh,
    };
    (r, d, Some(cached))
}

/// `order` split into levels: a node comes one level after the deepest of its parents.
fn levels(order: &[usize], by_node: &HashMap<usize, &AnalyzedModel>) -> Vec<Vec<usize>> {
    let mut depth: HashMap<usize, usize> = HashMap::new();
    let mut out: Vec<Vec<usize>> = Vec::new();
    for &i in order {
        let d = by_node
            .get(&i)
            .into_iter()
            .flat_map(|m| &m.depends_on)
            .filter_map(|d| match d {
                Dependency::Node(p) => depth.get(p).map(|d| d + 1),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        depth.insert(i, d);
        if out.len() <= d {
            out.resize(d + 1, Vec::new());
        }
        out[d].push(i);
    }
    out
}

/// The lineage of one node, from what the earlier levels computed.
fn node_lineage(
    project: &Project,
    i: usize,
    m: Option<&AnalyzedModel>,
    lineage: &Lineage,
    cache: &crate::cache::Cache,
) -> NodeLineage {
    let node = &project.nodes[i];
    let declared: Vec<String> = node.columns.iter().map(|c| c.name.to_lowercase()).collect();
    if node.kind == NodeKind::Seed {
        let r = RelationLineage {
            columns: seeds::header(project, node)
                .or((!declared.is_empty()).then_some(declared))
                .map(base_columns),
            incomplete: false,
            filtered_by: Vec::new(),
        };
        return (Some(r), Vec::new(), None);
    }
    let Some(m) = m else {
        return (None, Vec::new(), None);
    };
    let (mut r, found, cached) = model_lineage(project, m, lineage, cache);
    if node.kind == NodeKind::Snapshot {
        if let Some(cols) = &mut r.columns {
            cols.extend(base_columns(
                crate::project::SNAPSHOT_COLUMNS
                    .iter()
                    .map(|c| c.to_string())
                    .collect(),
            ));
        }
    }
    if r.columns.is_none() && !declared.is_empty() {
        // A dbt project's property files list columns to describe and test, not all of them.
        r.incomplete = project.config.dbt.is_some();
        r.columns = Some(
            declared
                .into_iter()
                .map(|name| ColumnLineage {
                    name: name.into(),
                    upstream: Vec::new(),
                    partial: true,
                    span: None,
                })
                .collect(),
        );
    }
    (Some(r), found, cached)
}

fn base_columns(names: Vec<String>) -> Vec<ColumnLineage> {
    names
        .into_iter()
        .map(|name| ColumnLineage {
            name: name.into(),
            upstream: Vec::new(),
            partial: false,
            span: None,
        })
        .collect()
}

fn unknown_source_columns(project: &Project, s: usize) -> Diagnostic {
    let src = &project.sources[s];
    Diagnostic::warning(
        Code::ColumnsUnknown,
        crate::t!(
            "w102-columns-unknown",
            source = format!("{}.{}", src.source, src.name)
        ),
    )
    .at(Location::file_only(std::path::Path::new(&src.path)))
    .help(crate::t!("w102-help"))
}
