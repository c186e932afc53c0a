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
pub fn infer(
    project: &Project,
    models: &[AnalyzedModel],
    order: &[usize],
    catalog_columns: &std::collections::BTreeMap<String, Vec<String>>,
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
    for level in &levels {
        let done: Vec<(usize, Option<RelationLineage>, Vec<Diagnostic>)> = level
            .par_iter()
            .map(|&i| {
                let (r, d) = node_lineage(project, i, by_node.get(&i).copied(), &lineage);
                (i, r, d)
            })
            .collect();
        for (i, r, d) in done {
            diags.extend(d);
            // Singular tests too: the columns of their failing rows are known, and which of
            // them to hide.
            if let Some(r) = r {
                lineage.relations.insert(project.node_id(i), r);
            }
        }
    }
    lineage.levels = levels;
    diags.sort();
    (lineage, diags)
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
) -> (Option<RelationLineage>, Vec<Diagnostic>) {
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
        return (Some(r), Vec::new());
    }
    let Some(m) = m else {
        return (None, Vec::new());
    };
    let (mut r, found) = resolve::model(project, m, lineage);
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
    (Some(r), found)
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
