//! `--defer`: a CI build of what changed reads what did not change from production.
//!
//! For every selected node, its parents that are not selected (looking through unselected
//! ephemeral parents, which are inlined) and do not exist on this target are read from the
//! relation the saved manifest names for them — production's table. The rewrite is the one
//! analysis does: each relation of the rendered SQL that names a deferred node gets the saved
//! relation as its replacement, the compiled SQL is written again from the rendered SQL
//! ([`crate::sql::AnalyzedModel::recompile`]) and ephemeral models are inlined again.
//! Relationships tests read a deferred parent the same way ([`Compiled::relation`]).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use crate::diag::{Code, Diagnostic, Diagnostics, Location};
use crate::graph::Compiled;
use crate::plan::CatalogState;
use crate::sql::Dependency;

/// A parent read from the saved manifest's relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deferral {
    /// The node's index in the project.
    #[serde(skip)]
    pub node: usize,
    /// Its unique id.
    pub unique_id: String,
    /// Its relation on this target, which does not exist.
    pub relation: String,
    /// The relation read instead (the saved manifest's).
    pub deferred_to: String,
    /// The selected nodes that read it.
    pub read_by: Vec<String>,
}

/// Defer the unselected, unbuilt parents of the selected nodes of `c` to the saved manifest's
/// relations. Returns warnings for parents that cannot be deferred (not in the saved manifest);
/// an error if the saved manifest was compiled for another engine.
pub fn defer(c: &mut Compiled, catalog: &CatalogState) -> Result<Diagnostics, Diagnostics> {
    let Some(saved) = c.state.clone() else {
        return Err(Diagnostics(vec![Diagnostic::error(
            Code::StateInvalid,
            crate::t!("e305-defer-needs-state"),
        )
        .help(crate::t!("e305-defer-needs-state-help"))]));
    };
    if let Some(engine) = saved.metadata.engine {
        if engine != c.target.config.kind {
            return Err(Diagnostics(vec![Diagnostic::error(
                Code::StateInvalid,
                crate::t!(
                    "e305-defer-other-engine",
                    manifest = saved.shown,
                    saved_target = saved.metadata.target,
                    target = c.target.name
                ),
            )
            .help(crate::t!("e305-defer-other-engine-help"))]));
        }
    }
    let selected: HashSet<usize> = c.selected.iter().copied().collect();
    let mut deferred: BTreeMap<usize, (String, String, BTreeSet<String>)> = BTreeMap::new();
    let mut missing: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for &s in &c.selected {
        let mut stack = c.graph.parents(s);
        let mut seen = HashSet::new();
        while let Some(p) = stack.pop() {
            if selected.contains(&p) || !seen.insert(p) {
                continue;
            }
            let n = &c.project.nodes[p];
            if c.model(p)
                .is_some_and(|m| m.config.materialized() == "ephemeral")
            {
                stack.extend(c.graph.parents(p));
                continue;
            }
            if !n.kind.is_relation() || catalog.get(&c.target.schema(&n.schema), &n.name).is_some()
            {
                continue;
            }
            let own = c.relation(p);
            let reader = c.project.nodes[s].name.clone();
            match saved
                .nodes
                .get(&c.project.node_id(p))
                .and_then(|n| n.relation.clone())
            {
                Some(rel) if rel != own => {
                    deferred
                        .entry(p)
                        .or_insert_with(|| (own, rel, BTreeSet::new()))
                        .2
                        .insert(reader);
                }
                Some(_) => {}
                None => {
                    missing.entry(p).or_default().insert(reader);
                }
            }
        }
    }
    let mut warnings = Diagnostics::default();
    for (p, readers) in missing {
        let n = &c.project.nodes[p];
        warnings.push(
            Diagnostic::warning(
                Code::CannotDefer,
                crate::t!(
                    "w304-cannot-defer",
                    name = n.name,
                    readers = readers
                        .iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    target = c.target.name
                ),
            )
            .at(Location::file_only(&n.path))
            .note(crate::t!("w304-cannot-defer-note"))
            .help(crate::t!(
                "w304-cannot-defer-help",
                reader = readers.iter().next().cloned().unwrap_or_default()
            )),
        );
    }
    if deferred.is_empty() {
        return Ok(warnings);
    }
    for m in &mut c.models {
        let mut touched = false;
        for r in &mut m.relations {
            if let Dependency::Node(p) = r.dep {
                if let Some((_, to, _)) = deferred.get(&p) {
                    r.replacement = Some(to.clone());
                    touched = true;
                }
            }
        }
        if touched {
            m.recompile();
        }
    }
    crate::sql::inline_ephemerals(&c.project, &mut c.models, &c.graph.order);
    let position: std::collections::HashMap<usize, usize> = c
        .graph
        .order
        .iter()
        .enumerate()
        .map(|(k, &n)| (n, k))
        .collect();
    let mut list: Vec<Deferral> = deferred
        .into_iter()
        .map(|(p, (relation, deferred_to, readers))| Deferral {
            node: p,
            unique_id: c.project.node_id(p),
            relation,
            deferred_to,
            read_by: readers.into_iter().collect(),
        })
        .collect();
    list.sort_by_key(|d| position.get(&d.node).copied().unwrap_or(usize::MAX));
    c.deferred = list;
    Ok(warnings)
}
