//! Stage 4, `build_graph`: analysed nodes → [`ModelGraph`], a DAG in a deterministic
//! dependency order. Cycles are errors that name the whole cycle.

pub mod select;

use std::collections::HashMap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

use crate::diag::{Code, Diagnostic, Diagnostics, Location};
use crate::project::{Project, Target};
use crate::sql::{AnalyzedModel, Dependency};

/// A compiled project: the output of every stage up to this one (project, rendered and
/// analysed nodes, their graph and the selection), and the warnings met on the way; what
/// `plan`, `execute` and `artifacts` take. Made by [`crate::compile`].
#[derive(Debug)]
pub struct Compiled {
    /// The loaded project.
    pub project: Project,
    /// The target compiled for.
    pub target: Target,
    /// Every analysed node (models, snapshots, singular tests), ordered by node index.
    pub models: Vec<AnalyzedModel>,
    /// The dependency graph.
    pub graph: ModelGraph,
    /// Selected node indexes, in dependency order.
    pub selected: Vec<usize>,
    /// The columns of every node and source, and where each comes from.
    pub lineage: crate::lineage::Lineage,
    /// The classes of every column (declared, and carried down the lineage).
    pub classes: crate::governance::ProjectClasses,
    /// The classes the project knows and how functions change them.
    pub taxonomy: crate::governance::Taxonomy,
    /// The saved manifest of `--state`, if one was given.
    pub state: Option<std::sync::Arc<crate::state::SavedState>>,
    /// `--defer`: the parents read from the saved manifest's relations (see
    /// [`crate::state::defer`]), in dependency order.
    pub deferred: Vec<crate::state::defer::Deferral>,
    /// Warnings.
    pub diagnostics: Diagnostics,
}

impl Compiled {
    /// The relation node `i` is read from on this target: its own, or with `--defer` the saved
    /// manifest's (see [`crate::state::defer`]).
    pub fn relation(&self, i: usize) -> String {
        let n = &self.project.nodes[i];
        self.deferred
            .iter()
            .find(|d| d.node == i)
            .map(|d| d.deferred_to.clone())
            .unwrap_or_else(|| {
                crate::sql::join_fqn(
                    self.target.catalog(),
                    &self.target.schema(&n.schema),
                    &n.name,
                )
            })
    }

    /// The analysed node `i` (none for seeds and disabled nodes).
    pub fn model(&self, i: usize) -> Option<&AnalyzedModel> {
        self.models
            .binary_search_by_key(&i, |m| m.node)
            .ok()
            .map(|k| &self.models[k])
    }
}

/// The dependency graph of a project: an edge `a → b` means b reads a.
#[derive(Debug, Clone)]
pub struct ModelGraph {
    /// Weights are indexes into `Project::nodes`.
    pub graph: DiGraph<usize, ()>,
    /// Project node index → graph index (only nodes that were analysed).
    pub index: HashMap<usize, NodeIndex>,
    /// Project node indexes in dependency order (parents before children; ties by path).
    pub order: Vec<usize>,
}

impl ModelGraph {
    /// Direct parents (nodes read by `node`), sorted.
    pub fn parents(&self, node: usize) -> Vec<usize> {
        self.neighbors(node, Direction::Incoming)
    }

    /// Direct children (nodes that read `node`), sorted.
    pub fn children(&self, node: usize) -> Vec<usize> {
        self.neighbors(node, Direction::Outgoing)
    }

    fn neighbors(&self, node: usize, dir: Direction) -> Vec<usize> {
        let Some(&ix) = self.index.get(&node) else {
            return Vec::new();
        };
        let mut v: Vec<usize> = self
            .graph
            .neighbors_directed(ix, dir)
            .map(|n| self.graph[n])
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Build the graph from analysed nodes; seeds (which are not analysed) are added as roots.
pub fn build_graph(project: &Project, models: &[AnalyzedModel]) -> Result<ModelGraph, Diagnostics> {
    let mut graph = DiGraph::new();
    let mut index = HashMap::new();
    let mut present = vec![false; project.nodes.len()];
    for m in models {
        present[m.node] = true;
    }
    for (i, n) in project.nodes.iter().enumerate() {
        if (n.kind == crate::project::NodeKind::Seed && n.config.enabled()) || present[i] {
            index.insert(i, graph.add_node(i));
        }
    }
    for m in models {
        for d in &m.depends_on {
            if let Dependency::Node(p) = d {
                if let (Some(&a), Some(&b)) = (index.get(p), index.get(&m.node)) {
                    graph.add_edge(a, b, ());
                }
            }
        }
    }
    let cycles = find_cycles(project, &graph);
    if !cycles.is_empty() {
        return Err(Diagnostics(cycles));
    }
    let order = topo_order(project, &graph);
    Ok(ModelGraph {
        graph,
        index,
        order,
    })
}

/// Kahn's algorithm by generations: a node's generation is the length of the longest path
/// from a root to it. Nodes are ordered by (generation, path), so the order never depends on
/// hashing or threads and reads layer by layer.
fn topo_order(project: &Project, graph: &DiGraph<usize, ()>) -> Vec<usize> {
    let mut indegree: Vec<usize> = graph
        .node_indices()
        .map(|n| graph.neighbors_directed(n, Direction::Incoming).count())
        .collect();
    let key = |n: NodeIndex| (&project.nodes[graph[n]].path, graph[n]);
    let mut level: Vec<NodeIndex> = graph
        .node_indices()
        .filter(|n| indegree[n.index()] == 0)
        .collect();
    let mut order = Vec::with_capacity(graph.node_count());
    while !level.is_empty() {
        level.sort_by(|a, b| key(*a).cmp(&key(*b)));
        let mut next = Vec::new();
        for &n in &level {
            order.push(graph[n]);
            for c in graph.neighbors_directed(n, Direction::Outgoing) {
                indegree[c.index()] -= 1;
                if indegree[c.index()] == 0 {
                    next.push(c);
                }
            }
        }
        level = next;
    }
    order
}

fn find_cycles(project: &Project, graph: &DiGraph<usize, ()>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for scc in tarjan_scc(graph) {
        let self_loop = scc.len() == 1 && graph.contains_edge(scc[0], scc[0]);
        if scc.len() < 2 && !self_loop {
            continue;
        }
        // Start at the first node by path and walk edges inside the component back to it.
        let start = *scc
            .iter()
            .min_by_key(|&&n| &project.nodes[graph[n]].path)
            .expect("non-empty");
        let path = cycle_path(graph, &scc, start);
        let names: Vec<String> = path
            .iter()
            .chain(std::iter::once(&start))
            .map(|&n| project.nodes[graph[n]].name.clone())
            .collect();
        let first = &project.nodes[graph[start]];
        let mut d = Diagnostic::error(
            Code::Cycle,
            crate::t!("e301-cycle", cycle = names.join(" → ")),
        )
        .at(Location::file_only(&first.path))
        .help(crate::t!("e301-help"));
        for w in path.windows(2).chain(std::iter::once(
            &[*path.last().expect("non-empty"), start][..],
        )) {
            let (a, b) = (&project.nodes[graph[w[0]]], &project.nodes[graph[w[1]]]);
            d = d.note(crate::t!(
                "e301-read-by",
                a = a.name,
                a_path = a.path,
                b = b.name,
                b_path = b.path
            ));
        }
        out.push(d);
    }
    out
}

/// A simple cycle through `start` using only nodes of `scc` (depth-first, neighbours by index).
fn cycle_path(graph: &DiGraph<usize, ()>, scc: &[NodeIndex], start: NodeIndex) -> Vec<NodeIndex> {
    let in_scc: std::collections::HashSet<NodeIndex> = scc.iter().copied().collect();
    let mut stack = vec![(start, neighbors_sorted(graph, start, &in_scc))];
    let mut path = vec![start];
    let mut seen = std::collections::HashSet::from([start]);
    while let Some((_, next)) = stack.last_mut() {
        match next.pop() {
            Some(n) if n == start => return path,
            Some(n) if seen.insert(n) => {
                path.push(n);
                let ns = neighbors_sorted(graph, n, &in_scc);
                stack.push((n, ns));
            }
            Some(_) => {}
            None => {
                stack.pop();
                path.pop();
            }
        }
    }
    vec![start]
}

fn neighbors_sorted(
    graph: &DiGraph<usize, ()>,
    n: NodeIndex,
    in_scc: &std::collections::HashSet<NodeIndex>,
) -> Vec<NodeIndex> {
    let mut v: Vec<NodeIndex> = graph
        .neighbors_directed(n, Direction::Outgoing)
        .filter(|m| in_scc.contains(m))
        .collect();
    // Popped from the end: reverse order so the lowest index is tried first.
    v.sort_by(|a, b| b.cmp(a));
    v
}
