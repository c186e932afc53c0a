//! Lineage as people read it: the tree up and down from one column (`karte lineage`), and a
//! compact listing of every computed column (the tests' snapshots). Relations are shown by the
//! names written in SQL (`layer.model`, `source.table`), not by unique ids.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use serde::Serialize;

use super::{ColumnId, Edge, EdgeKind, Lineage};
use crate::project::Project;

/// Unique id → the name SQL uses for it.
pub fn display_names(project: &Project) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (i, n) in project.nodes.iter().enumerate() {
        out.insert(project.node_id(i), format!("{}.{}", n.layer, n.name));
    }
    for (i, s) in project.sources.iter().enumerate() {
        out.insert(project.source_id(i), format!("{}.{}", s.source, s.name));
    }
    // Upstream projects' models: `project:layer.model`.
    for m in &project.upstream.models {
        let owner = &project.upstream.projects[m.project].name;
        out.insert(
            m.unique_id.clone(),
            format!("{owner}:{}.{}", m.layer, m.name),
        );
    }
    out
}

fn shown(names: &HashMap<String, String>, id: &ColumnId) -> String {
    let rel = names
        .get(id.relation.as_str())
        .map_or(id.relation.as_str(), String::as_str);
    format!("{rel}.{}", id.column)
}

fn how(e: &Edge) -> String {
    let kind = match e.kind {
        EdgeKind::Copy => "copy",
        EdgeKind::Transform => "transform",
        EdgeKind::Aggregate => "aggregate",
    };
    if e.functions.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} ({})", e.functions.join(", "))
    }
}

/// One column's lineage, up and down, as nested trees.
#[derive(Debug, Serialize)]
pub struct Tree {
    /// `layer.model.column`.
    pub column: String,
    /// Unique id of its relation.
    pub relation: String,
    /// How it is reached from its parent in the tree (none at the root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
    /// The next level (upstream or downstream).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub next: Vec<Tree>,
    /// Already shown higher in the tree (not expanded again).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub repeated: bool,
}

/// The upstream tree of a column.
pub fn upstream(l: &Lineage, names: &HashMap<String, String>, id: &ColumnId) -> Tree {
    let mut seen = BTreeSet::new();
    walk(l, names, id, None, &mut seen, &|l, id| {
        l.columns(&id.relation)
            .and_then(|cols| cols.iter().find(|c| c.name == id.column))
            .map(|c| {
                c.upstream
                    .iter()
                    .map(|e| {
                        (
                            ColumnId {
                                relation: e.relation.clone(),
                                column: e.column.clone(),
                            },
                            how(e),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// The downstream tree of a column.
pub fn downstream(l: &Lineage, names: &HashMap<String, String>, id: &ColumnId) -> Tree {
    let mut seen = BTreeSet::new();
    walk(l, names, id, None, &mut seen, &|l, id| {
        l.downstream(id)
            .into_iter()
            .map(|(c, e)| (c, how(e)))
            .collect()
    })
}

type Next = dyn Fn(&Lineage, &ColumnId) -> Vec<(ColumnId, String)>;

fn walk(
    l: &Lineage,
    names: &HashMap<String, String>,
    id: &ColumnId,
    how: Option<String>,
    seen: &mut BTreeSet<ColumnId>,
    next: &Next,
) -> Tree {
    let repeated = !seen.insert(id.clone());
    let children = if repeated { Vec::new() } else { next(l, id) };
    Tree {
        column: shown(names, id),
        relation: id.relation.to_string(),
        how,
        next: children
            .into_iter()
            .map(|(c, h)| walk(l, names, &c, Some(h), seen, next))
            .collect(),
        repeated,
    }
}

/// A tree drawn with `├─`/`└─`, each edge saying how (`←` upstream, `→` downstream).
/// A column with no edges that way gets `└─ (none)`, so an empty answer is visible.
pub fn draw(tree: &Tree, arrow: &str) -> String {
    let mut out = format!("{}\n", tree.column);
    if tree.next.is_empty() {
        out.push_str(&format!("└─ {}\n", crate::t!("lineage-none")));
    }
    draw_children(&mut out, tree, "", arrow);
    out
}

fn draw_children(out: &mut String, t: &Tree, prefix: &str, arrow: &str) {
    for (i, c) in t.next.iter().enumerate() {
        let last = i + 1 == t.next.len();
        let _ = writeln!(
            out,
            "{prefix}{} {arrow} {}  [{}]{}",
            if last { "└─" } else { "├─" },
            c.column,
            how_shown(c.how.as_deref().unwrap_or_default()),
            if c.repeated {
                format!(" {}", crate::t!("lineage-shown-above"))
            } else {
                String::new()
            }
        );
        let deeper = format!("{prefix}{}", if last { "   " } else { "│  " });
        draw_children(out, c, &deeper, arrow);
    }
}

/// Every computed column of the project, one line per upstream edge, and what filters each
/// relation: `relation.column ← kind (functions) upstream.column`. Sorted; for snapshots.
/// How a column is computed, as [`draw`] shows it: the kind in words of the process's language,
/// the functions as written (`transform (upper)` → 「変換 (upper)」).
fn how_shown(how: &str) -> String {
    let (kind, rest) = how.split_once(' ').unwrap_or((how, ""));
    let kind = match kind {
        "copy" => crate::t!("lineage-copy"),
        "transform" => crate::t!("lineage-transform"),
        "aggregate" => crate::t!("lineage-aggregate"),
        other => other.to_string(),
    };
    if rest.is_empty() {
        kind
    } else {
        format!("{kind} {rest}")
    }
}

/// Every relation's computed columns in a compact form (the tests' snapshots; English only, it
/// is not shown to users).
pub fn listing(l: &Lineage, names: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let sorted: BTreeMap<String, &super::RelationLineage> = l
        .relations
        .iter()
        .map(|(id, r)| (names.get(id).cloned().unwrap_or_else(|| id.clone()), r))
        .collect();
    for (rel, r) in sorted {
        let Some(cols) = &r.columns else {
            let _ = writeln!(out, "{rel}: columns unknown");
            continue;
        };
        if cols.iter().all(|c| c.upstream.is_empty() && !c.partial) {
            let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
            let _ = writeln!(out, "{rel}: {}", names.join(", "));
            continue;
        }
        let _ = writeln!(out, "{rel}:");
        for c in cols {
            let partial = if c.partial { " (partial)" } else { "" };
            if c.upstream.is_empty() {
                let _ = writeln!(out, "  {}{partial} ← (no column)", c.name);
            }
            for e in &c.upstream {
                let up = ColumnId {
                    relation: e.relation.clone(),
                    column: e.column.clone(),
                };
                let _ = writeln!(
                    out,
                    "  {}{partial} ← {} {}",
                    c.name,
                    how(e),
                    shown(names, &up)
                );
            }
        }
        if !r.filtered_by.is_empty() {
            let f: Vec<String> = r.filtered_by.iter().map(|id| shown(names, id)).collect();
            let _ = writeln!(
                out,
                "  (rows filtered, joined or grouped by {})",
                f.join(", ")
            );
        }
    }
    out
}
