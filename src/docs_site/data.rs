//! What the site shows, gathered from the compiled project: one [`Entry`] per relation for the
//! index (list and search), one [`Detail`] per relation for its page, and the graphs. Metadata
//! and SQL only: no row of any table is read.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use super::graph::{self, GraphNode};
use crate::graph::Compiled;
use crate::project::{ColumnProperties, NodeKind};
use crate::sql::Dependency;

/// One relation in the index.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Unique id (`model.<project>.<name>`, `source.<project>.<source>.<table>`).
    pub id: String,
    /// `model`, `seed`, `snapshot`, `source` or `ingest`.
    pub kind: &'static str,
    /// `layer.name` (`source.table` for sources).
    pub name: String,
    /// Layer (the source's name for sources).
    pub layer: String,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Owner (`owner:` or `meta: {owner: …}` in its config).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Materialization of models and snapshots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub materialized: Option<String>,
    /// The file it is written in.
    pub path: String,
    /// The script holding its page's data, relative to the site (`data/nodes/n00042.js`).
    pub file: String,
    /// Column names (searched).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// Every class of its columns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// Indexes (in the index's entries) of what it reads.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<usize>,
    /// Its status in the last run (`target/run_results.json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Its tests: how many, how many failed or warned in the last run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests: Option<TestCounts>,
}

/// Test counts of an entry.
#[derive(Debug, Clone, Copy, Serialize, Default, PartialEq, Eq)]
pub struct TestCounts {
    /// Tests.
    pub total: usize,
    /// Passed in the last run.
    pub pass: usize,
    /// Failed or errored in the last run.
    pub fail: usize,
    /// Warned in the last run.
    pub warn: usize,
}

/// The page of one relation.
#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    /// Unique id.
    pub id: String,
    /// Relation on the target (`catalog.schema.table`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    /// Config (models, seeds, snapshots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<serde_json::Value>,
    /// Columns in order.
    pub columns: Vec<ColumnDoc>,
    /// Data tests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<TestDoc>,
    /// The SQL as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// The SQL as compiled for the target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compiled_sql: Option<String>,
    /// Unique ids of what it reads (also upstream projects' models and external relations).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<String>,
    /// Unique ids of what reads it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<String>,
    /// Its neighbourhood (two steps up and down) as SVG.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graph: Option<String>,
    /// Its columns and the upstream columns they come from, as SVG.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_graph: Option<String>,
    /// Ingest tables: the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingest: Option<BTreeMap<&'static str, String>>,
    /// Sources: freshness settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freshness: Option<serde_json::Value>,
    /// Its result in the last run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run: Option<RunResult>,
}

/// A column on a page.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ColumnDoc {
    /// Name.
    pub name: String,
    /// Declared type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    /// Description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Personal-data classes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// The class was declared here (not carried).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub declared: bool,
    /// Why it was declared with fewer classes than its lineage gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For each carried class, the path that carried it (`gold.x.a ← silver.y.b (class)`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub carried: Vec<String>,
    /// The upstream columns it comes from (`silver.y.b (copy)`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
}

/// A data test on a page.
#[derive(Debug, Clone, Serialize)]
pub struct TestDoc {
    /// Name.
    pub name: String,
    /// `error` or `warn`.
    pub severity: String,
    /// The last run's result, if it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_run: Option<RunResult>,
}

/// A result of `target/run_results.json`, without its message (which may quote data).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunResult {
    /// `success`, `error`, `fail`, `warn`, `pass`, `skipped` …
    pub status: String,
    /// Failing rows of a test (a count only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failures: Option<u64>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_time: Option<f64>,
}

/// The last run, from `target/run_results.json`.
#[derive(Debug, Clone, Default)]
pub struct LastRun {
    /// Run id, command and start.
    pub about: Option<serde_json::Value>,
    /// Results by unique id.
    pub results: HashMap<String, RunResult>,
}

impl LastRun {
    /// Read `run_results.json` as karte writes it; `Err` with the reason if it is not.
    pub fn parse(text: &str) -> Result<LastRun, String> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let results = v
            .get("results")
            .and_then(|r| r.as_array())
            .ok_or("it has no `results` list")?;
        let mut out = LastRun::default();
        for r in results {
            let (Some(id), Some(status)) = (
                r.get("unique_id").and_then(|x| x.as_str()),
                r.get("status").and_then(|x| x.as_str()),
            ) else {
                continue;
            };
            out.results.insert(
                id.to_string(),
                RunResult {
                    status: status.to_string(),
                    failures: r.get("failures").and_then(|x| x.as_u64()),
                    execution_time: r.get("execution_time").and_then(|x| x.as_f64()),
                },
            );
        }
        out.about = Some(serde_json::json!({
            "run_id": v.get("run_id"),
            "command": v.get("command"),
            "target": v.get("target"),
            "started_at": v.get("started_at"),
        }));
        Ok(out)
    }
}

/// Everything the site shows.
pub struct SiteData {
    /// The index entries, sorted by kind order then name.
    pub entries: Vec<Entry>,
    /// Each entry's page (its graphs are drawn by [`SiteData::draw_graphs`], page by page).
    pub details: Vec<Detail>,
    /// Edges between entries (`from` is read by `to`).
    pub edges: Vec<(usize, usize)>,
    /// What the pages' graphs are drawn from.
    graphs: GraphInputs,
}

/// The relations and their neighbours, by entry.
struct GraphInputs {
    rels: Vec<(String, Rel)>,
    names: HashMap<String, String>,
    ups: Vec<Vec<usize>>,
    downs: Vec<Vec<usize>>,
}

impl SiteData {
    /// Draw page `k`'s graphs into `detail`: the table graph of its neighbourhood and, for a
    /// node, its column graph. Returns how many could not be laid out. Drawing them while the
    /// pages are written keeps only the pages being written in memory.
    pub fn draw_graphs(&self, c: &Compiled, k: usize, detail: &mut Detail) -> usize {
        let g = &self.graphs;
        let mut failures = 0;
        match neighbourhood_graph(&g.rels, &g.names, &g.ups, &g.downs, k, &c.project) {
            Ok(svg) => detail.graph = Some(svg),
            Err(_) => failures += 1,
        }
        let (id, r) = &g.rels[k];
        if matches!(r, Rel::Node(_)) {
            match column_graph(c, &g.names, id) {
                Some(Ok(svg)) => detail.column_graph = Some(svg),
                Some(Err(_)) => failures += 1,
                None => {}
            }
        }
        failures
    }
}

/// What a relation is, before it becomes an entry.
enum Rel {
    Node(usize),
    Source(usize),
}

/// The column of the graphs a layer is drawn in: raw data, then cleaned, then marts.
fn layer_group(layer: &str, kind: &str) -> Option<usize> {
    match layer {
        "bronze" | "raw" | "landing" | "seeds" => Some(0),
        "silver" | "staging" | "snapshots" | "intermediate" => Some(1),
        "gold" | "marts" | "mart" => Some(2),
        _ if kind == "source" || kind == "ingest" => Some(0),
        _ => None,
    }
}

fn layer_rank(layer: &str) -> usize {
    match layer {
        "bronze" | "raw" | "landing" => 0,
        "seeds" => 1,
        "silver" | "staging" => 2,
        "snapshots" => 3,
        "gold" | "marts" | "mart" => 4,
        _ => 5,
    }
}

/// Gather the site's data (`with_graphs`: lay out each page's graphs).
pub fn gather(c: &Compiled, last: &LastRun) -> SiteData {
    use rayon::prelude::*;
    let mut clock = crate::diag::timings::Clock::start();
    let project = &c.project;
    let names = crate::lineage::text::display_names(project);
    let ingest: BTreeSet<(&str, &str)> = project
        .ingest
        .rules
        .iter()
        .map(|r| (r.layer.as_str(), r.name.as_str()))
        .collect();
    // Relations: nodes that are built (not tests, not disabled) and sources.
    let mut rels: Vec<(String, Rel)> = Vec::new();
    for (i, n) in project.nodes.iter().enumerate() {
        if n.kind.is_relation() && c.graph.index.contains_key(&i) {
            rels.push((project.node_id(i), Rel::Node(i)));
        }
    }
    for i in 0..project.sources.len() {
        rels.push((project.source_id(i), Rel::Source(i)));
    }
    let layer_of = |r: &Rel| match r {
        Rel::Node(i) => project.nodes[*i].layer.clone(),
        Rel::Source(i) => project.sources[*i].source.clone(),
    };
    rels.sort_by(|a, b| {
        let (la, lb) = (layer_of(&a.1), layer_of(&b.1));
        (layer_rank(&la), la, names.get(&a.0))
            .cmp(&(layer_rank(&lb), lb, names.get(&b.0)))
            .then_with(|| a.0.cmp(&b.0))
    });
    let pos: HashMap<&str, usize> = rels
        .iter()
        .enumerate()
        .map(|(k, (id, _))| (id.as_str(), k))
        .collect();

    // Edges and parents.
    let mut parents: Vec<Vec<String>> = vec![Vec::new(); rels.len()];
    let mut edges = Vec::new();
    for (k, (_, r)) in rels.iter().enumerate() {
        let Rel::Node(i) = r else { continue };
        let Some(m) = c.model(*i) else { continue };
        for d in &m.depends_on {
            let id = match d {
                Dependency::Node(p) => project.node_id(*p),
                Dependency::Source(s) => project.source_id(*s),
                Dependency::External(e) => format!("external:{e}"),
                Dependency::Upstream(u) => project.upstream.models[*u].unique_id.clone(),
            };
            if let Some(&p) = pos.get(id.as_str()) {
                edges.push((p, k));
            }
            parents[k].push(id);
        }
        parents[k].sort();
        parents[k].dedup();
    }
    edges.sort_unstable();
    edges.dedup();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); rels.len()];
    let mut ups: Vec<Vec<usize>> = vec![Vec::new(); rels.len()];
    for &(a, b) in &edges {
        children[a].push(b);
        ups[b].push(a);
    }

    // Tests by the node they test (generic tests: the first of `depends_on`; singular tests:
    // every node they read).
    let mut tests: HashMap<&str, Vec<TestDoc>> = HashMap::new();
    let planned = crate::plan::data_tests::collect(c, &c.graph.order).unwrap_or_default();
    let singular_tests: std::collections::HashSet<&str> = project
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Test)
        .map(|n| n.name.as_str())
        .collect();
    for t in &planned {
        let singular = singular_tests.contains(t.name.as_str());
        let targets: Vec<&String> = if singular {
            t.depends_on.iter().collect()
        } else {
            t.depends_on.iter().take(1).collect()
        };
        for target in targets {
            tests.entry(target.as_str()).or_default().push(TestDoc {
                name: t.name.clone(),
                severity: t.severity.clone(),
                last_run: last.results.get(&t.unique_id).cloned(),
            });
        }
    }

    clock.lap("docs: tests");
    let out: Vec<(Entry, Detail)> = rels
        .par_iter()
        .enumerate()
        .map(|(k, (id, r))| {
            let (mut entry, mut detail) = relation(c, &names, &ingest, id, r, k, last);
            entry.parents = ups[k].clone();
            let t = tests.get(id.as_str()).cloned().unwrap_or_default();
            if !t.is_empty() {
                let mut counts = TestCounts {
                    total: t.len(),
                    ..Default::default()
                };
                for x in &t {
                    match x.last_run.as_ref().map(|r| r.status.as_str()) {
                        Some("pass" | "success") => counts.pass += 1,
                        Some("fail" | "error") => counts.fail += 1,
                        Some("warn") => counts.warn += 1,
                        _ => {}
                    }
                }
                entry.tests = Some(counts);
            }
            detail.tests = t;
            detail.parents = parents[k].clone();
            detail.children = children[k].iter().map(|&j| rels[j].0.clone()).collect();
            (entry, detail)
        })
        .collect();
    let (entries, details): (Vec<Entry>, Vec<Detail>) = out.into_iter().unzip();
    clock.lap("docs: pages");
    SiteData {
        entries,
        details,
        edges,
        graphs: GraphInputs {
            rels,
            names,
            ups,
            downs: children,
        },
    }
}

fn owner(config: &crate::project::NodeConfig) -> Option<String> {
    config
        .get_str("owner")
        .or_else(|| {
            config
                .0
                .get("meta")
                .and_then(|m| m.get("owner"))
                .and_then(|o| o.as_str())
        })
        .map(String::from)
}

fn relation(
    c: &Compiled,
    names: &HashMap<String, String>,
    ingest: &BTreeSet<(&str, &str)>,
    id: &str,
    r: &Rel,
    k: usize,
    last: &LastRun,
) -> (Entry, Detail) {
    let project = &c.project;
    let file = format!("data/nodes/n{k:05}.js");
    let (kind, layer, description, path, declared, config, relation, sql, compiled) = match r {
        Rel::Node(i) => {
            let n = &project.nodes[*i];
            let m = c.model(*i);
            let config = m.map(|m| &m.config).unwrap_or(&n.config);
            (
                n.kind.as_str(),
                n.layer.clone(),
                n.description.clone(),
                crate::diag::display_path(&n.path),
                &n.columns,
                Some(config),
                Some(c.relation(*i)),
                (n.kind != NodeKind::Seed).then(|| n.text.clone()),
                m.map(|m| m.compiled_sql.clone()),
            )
        }
        Rel::Source(i) => {
            let s = &project.sources[*i];
            let is_ingest = ingest.contains(&(s.source.as_str(), s.name.as_str()));
            (
                if is_ingest { "ingest" } else { "source" },
                s.source.clone(),
                s.description.clone(),
                s.path.clone(),
                &s.columns,
                None,
                Some(crate::sql::source_fqn(s, &c.target)),
                None,
                None,
            )
        }
    };
    let columns = columns(c, names, id, declared);
    let mut classes: BTreeSet<String> = BTreeSet::new();
    for col in &columns {
        classes.extend(col.classes.iter().cloned());
    }
    let entry = Entry {
        id: id.to_string(),
        kind,
        name: names.get(id).cloned().unwrap_or_else(|| id.to_string()),
        layer,
        description: description.filter(|d| !d.trim().is_empty()),
        tags: config.map(|c| c.tags()).unwrap_or_default(),
        owner: config.and_then(owner),
        materialized: match r {
            Rel::Node(i) if matches!(project.nodes[*i].kind, NodeKind::Model) => {
                config.map(|c| c.materialized().to_string())
            }
            _ => None,
        },
        path,
        file,
        columns: columns.iter().map(|c| c.name.clone()).collect(),
        classes: classes.into_iter().collect(),
        parents: Vec::new(),
        status: last.results.get(id).map(|r| r.status.clone()),
        tests: None,
    };
    let (ingest_rule, freshness) = match r {
        Rel::Source(i) => {
            let s = &project.sources[*i];
            let rule = project
                .ingest
                .rules
                .iter()
                .find(|x| x.layer == s.source && x.name == s.name)
                .map(|x| {
                    let mut m = BTreeMap::new();
                    m.insert("files", x.pattern.clone());
                    m.insert("encoding", format!("{:?}", x.encoding).to_lowercase());
                    m.insert("compression", format!("{:?}", x.compression).to_lowercase());
                    if !x.partitioned_by.is_empty() {
                        m.insert("partitioned_by", x.partitioned_by.join(", "));
                    }
                    m
                });
            let mut fresh = serde_json::Map::new();
            if let Some(f) = &s.freshness {
                if let Ok(v) = serde_json::to_value(f) {
                    fresh.insert("freshness".into(), v);
                }
            }
            if let Some(l) = &s.loaded_at_field {
                fresh.insert("loaded_at_field".into(), l.clone().into());
            }
            (
                rule,
                (!fresh.is_empty()).then_some(serde_json::Value::Object(fresh)),
            )
        }
        Rel::Node(_) => (None, None),
    };
    let detail = Detail {
        id: id.to_string(),
        relation,
        config: config.and_then(|c| serde_json::to_value(c).ok()),
        columns,
        tests: Vec::new(),
        sql,
        compiled_sql: compiled,
        parents: Vec::new(),
        children: Vec::new(),
        graph: None,
        column_graph: None,
        ingest: ingest_rule,
        freshness,
        last_run: last.results.get(id).cloned(),
    };
    (entry, detail)
}

/// Columns: the lineage's (every column the relation has, in order), with what property files
/// declare, their classes and where they come from.
fn columns(
    c: &Compiled,
    names: &HashMap<String, String>,
    id: &str,
    declared: &[ColumnProperties],
) -> Vec<ColumnDoc> {
    let by_name: HashMap<String, &ColumnProperties> = declared
        .iter()
        .map(|d| (d.name.to_lowercase(), d))
        .collect();
    let mut out: Vec<ColumnDoc> = Vec::new();
    let mut seen = BTreeSet::new();
    let lineage = c.lineage.columns(id).unwrap_or_default();
    let mut push = |name: &str, upstream: Vec<String>| {
        let key = name.to_lowercase();
        if !seen.insert(key.clone()) {
            return;
        }
        let d = by_name.get(&key);
        let cls = c.classes.of(id, &key);
        let mut doc = ColumnDoc {
            name: d
                .map(|d| d.name.clone())
                .unwrap_or_else(|| name.to_string()),
            data_type: d.and_then(|d| d.data_type.clone()),
            description: d
                .and_then(|d| d.description.clone())
                .filter(|s| !s.trim().is_empty()),
            classes: cls
                .map(|x| x.classes.iter().cloned().collect())
                .unwrap_or_default(),
            declared: cls.is_some_and(|x| x.declared),
            reason: cls.and_then(|x| x.reason.clone()),
            carried: Vec::new(),
            upstream,
        };
        if !doc.declared || id.starts_with("model.") || id.starts_with("snapshot.") {
            for class in &doc.classes {
                let path = crate::governance::trace(
                    &c.lineage,
                    &c.classes,
                    &c.taxonomy,
                    names,
                    id,
                    &key,
                    class,
                );
                if path.contains('←') {
                    doc.carried.push(path);
                }
            }
        }
        out.push(doc);
    };
    for col in lineage {
        let up = col
            .upstream
            .iter()
            .map(|e| {
                let rel = names
                    .get(e.relation.as_str())
                    .map_or(e.relation.as_str(), String::as_str);
                let kind = match e.kind {
                    crate::lineage::EdgeKind::Copy => "copy",
                    crate::lineage::EdgeKind::Transform => "transform",
                    crate::lineage::EdgeKind::Aggregate => "aggregate",
                };
                let how = if e.functions.is_empty() {
                    kind.to_string()
                } else {
                    let f: Vec<&str> = e.functions.iter().map(|f| f.as_str()).collect();
                    format!("{kind}: {}", f.join(", "))
                };
                format!("{rel}.{} ({how})", e.column)
            })
            .collect();
        push(&col.name, up);
    }
    for d in declared {
        push(&d.name, Vec::new());
    }
    out
}

fn class_of(layer: &str, kind: &str) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    };
    format!("layer-{} kind-{}", safe(layer), safe(kind))
}

fn rel_kind(id: &str) -> &str {
    id.split('.').next().unwrap_or("model")
}

/// A relation's neighbourhood: up to two steps up and down, the nearest first, at most
/// [`NEIGHBOURHOOD_MAX`] boxes.
fn neighbourhood_graph(
    rels: &[(String, Rel)],
    names: &HashMap<String, String>,
    ups: &[Vec<usize>],
    downs: &[Vec<usize>],
    k: usize,
    project: &crate::project::Project,
) -> Result<String, graph::LayoutFailed> {
    let mut keep: Vec<usize> = vec![k];
    let mut seen: BTreeSet<usize> = BTreeSet::from([k]);
    for adj in [ups, downs] {
        let mut queue = VecDeque::from([(k, 0)]);
        while let Some((at, depth)) = queue.pop_front() {
            if depth == 2 {
                continue;
            }
            for &n in &adj[at] {
                if keep.len() >= NEIGHBOURHOOD_MAX {
                    break;
                }
                if seen.insert(n) {
                    keep.push(n);
                    queue.push_back((n, depth + 1));
                }
            }
        }
    }
    let local: HashMap<usize, usize> = keep.iter().enumerate().map(|(a, &b)| (b, a)).collect();
    let nodes: Vec<GraphNode> = keep
        .iter()
        .map(|&j| relation_box(rels, names, j, project))
        .collect();
    let mut edges = Vec::new();
    for &j in &keep {
        for &p in &ups[j] {
            if let (Some(&a), Some(&b)) = (local.get(&p), local.get(&j)) {
                edges.push((a, b));
            }
        }
    }
    graph::draw(&nodes, &edges, Some(0))
}

/// Boxes of a page's neighbourhood graph at most.
pub const NEIGHBOURHOOD_MAX: usize = 60;

fn relation_box(
    rels: &[(String, Rel)],
    names: &HashMap<String, String>,
    j: usize,
    project: &crate::project::Project,
) -> GraphNode {
    let (id, r) = &rels[j];
    let layer = match r {
        Rel::Node(i) => project.nodes[*i].layer.as_str(),
        Rel::Source(i) => project.sources[*i].source.as_str(),
    };
    GraphNode {
        key: id.clone(),
        label: names.get(id).cloned().unwrap_or_else(|| id.clone()),
        class: class_of(layer, rel_kind(id)),
        href: Some(format!("#/node/{id}")),
        group: layer_group(layer, rel_kind(id)),
    }
}

/// The project graph of `selected` entries (and the edges between them).
pub fn project_graph(
    data: &SiteData,
    selected: &BTreeSet<usize>,
) -> Result<String, graph::LayoutFailed> {
    let order: Vec<usize> = selected.iter().copied().collect();
    let local: HashMap<usize, usize> = order.iter().enumerate().map(|(a, &b)| (b, a)).collect();
    let nodes: Vec<GraphNode> = order
        .iter()
        .map(|&j| {
            let e = &data.entries[j];
            GraphNode {
                key: e.id.clone(),
                label: e.name.clone(),
                class: class_of(&e.layer, e.kind),
                href: Some(format!("#/node/{}", e.id)),
                group: layer_group(&e.layer, e.kind),
            }
        })
        .collect();
    let edges: Vec<(usize, usize)> = data
        .edges
        .iter()
        .filter_map(|(a, b)| Some((*local.get(a)?, *local.get(b)?)))
        .collect();
    graph::draw(&nodes, &edges, None)
}

/// Boxes of a column graph at most.
pub const COLUMN_GRAPH_MAX: usize = 120;

/// A model's columns and, up to three relations back, the columns they come from.
fn column_graph(
    c: &Compiled,
    names: &HashMap<String, String>,
    id: &str,
) -> Option<Result<String, graph::LayoutFailed>> {
    let own = c.lineage.columns(id)?;
    if own.is_empty() {
        return None;
    }
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut edges = Vec::new();
    let mut queue: VecDeque<(String, String, usize)> = VecDeque::new();
    for col in own {
        let key = (id.to_string(), col.name.to_string());
        index.insert(key.clone(), keys.len());
        keys.push(key);
        queue.push_back((id.to_string(), col.name.to_string(), 0));
    }
    while let Some((rel, column, depth)) = queue.pop_front() {
        if depth == 3 {
            continue;
        }
        let to = index[&(rel.clone(), column.clone())];
        let Some(cols) = c.lineage.columns(&rel) else {
            continue;
        };
        let Some(col) = cols.iter().find(|x| x.name == column.as_str()) else {
            continue;
        };
        for e in &col.upstream {
            let key = (e.relation.to_string(), e.column.to_string());
            let from = match index.get(&key) {
                Some(&f) => f,
                None => {
                    if keys.len() >= COLUMN_GRAPH_MAX {
                        continue;
                    }
                    index.insert(key.clone(), keys.len());
                    keys.push(key.clone());
                    queue.push_back((key.0, key.1, depth + 1));
                    keys.len() - 1
                }
            };
            edges.push((from, to));
        }
    }
    let nodes: Vec<GraphNode> = keys
        .iter()
        .map(|(rel, col)| {
            let shown = names.get(rel).map_or(rel.as_str(), String::as_str);
            let layer = shown.split('.').next().unwrap_or("");
            let mut class = class_of(layer, rel_kind(rel));
            if c.classes
                .of(rel, col)
                .is_some_and(|x| !x.classes.is_empty())
            {
                class.push_str(" classified");
            }
            GraphNode {
                key: format!("{rel}.{col}"),
                label: format!("{shown}.{col}"),
                class,
                href: Some(format!("#/node/{rel}")),
                group: layer_group(layer, rel_kind(rel)),
            }
        })
        .collect();
    Some(graph::draw(&nodes, &edges, None))
}
