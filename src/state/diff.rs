//! `karte diff --state PATH`: what a pull request changes, for its reviewer. Per new, modified
//! and removed node: a unified diff of the compiled SQL (the saved `compiled/` file against
//! this compile, both for the saved manifest's target) and the difference of its plan — the
//! node planned with its saved config and SQL, then with the current ones, against the same
//! catalog — with every new step that may destroy data called out.

use std::collections::HashMap;
use std::fmt::Write;

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use super::{SavedNode, SavedState};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::graph::Compiled;
use crate::plan::catalog::{ColumnState, TableKind, TableState};
use crate::plan::{CatalogState, NodePlan, PlanOptions};
use crate::project::NodeConfig;

/// What `karte diff` found.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The saved manifest compared with.
    pub state: StateInfo,
    /// The target compiled for (the saved manifest's, unless `--target` said otherwise).
    pub target: String,
    /// What the plans were planned against: `saved manifest` (the tables it lists, as
    /// production has them) or `catalog state` (`--catalog-state`).
    pub catalog: &'static str,
    /// Changed nodes: new and modified ones in dependency order, then removed ones.
    pub changes: Vec<NodeDiff>,
    /// Counts.
    pub summary: Summary,
}

/// The saved manifest.
#[derive(Debug, Serialize)]
pub struct StateInfo {
    /// Where it was read.
    pub manifest: String,
    /// Its project.
    pub project: String,
    /// Its target.
    pub target: String,
    /// The karte that wrote it.
    pub karte_version: String,
}

/// Counts of a diff.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// New nodes.
    pub new: usize,
    /// Modified nodes.
    pub modified: usize,
    /// Removed nodes.
    pub removed: usize,
    /// Steps that may destroy data and were not in the saved plan.
    pub new_destructive_steps: usize,
}

/// One changed node.
#[derive(Debug, Serialize)]
pub struct NodeDiff {
    /// Unique id.
    pub unique_id: String,
    /// Source file.
    pub path: String,
    /// `new`, `modified` or `removed`.
    pub status: &'static str,
    /// For modified nodes, what changed: `body`, `configs`, `sql`, `properties`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aspects: Vec<&'static str>,
    /// Unified diff of the compiled SQL (none: unchanged, or the node has no SQL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql_diff: Option<String>,
    /// The plan's difference (none for tests and removed nodes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanDiff>,
    /// What could not be compared, and other remarks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A node's plan before and after, one line per step (its SQL is in the SQL diff).
#[derive(Debug, Serialize)]
pub struct PlanDiff {
    /// The saved version's plan (empty for a new node).
    pub before: Vec<String>,
    /// The current plan.
    pub after: Vec<String>,
    /// Lines only in `after`.
    pub added: Vec<String>,
    /// Lines only in `before`.
    pub removed: Vec<String>,
    /// Steps that may destroy data, only in `after`.
    pub new_destructive: Vec<String>,
}

/// Compare the compiled project (compiled with `--state`) with its saved manifest.
pub fn diff(
    c: &mut Compiled,
    catalog: Option<&CatalogState>,
    as_of: &str,
) -> Result<Report, Diagnostics> {
    let Some(saved) = c.state.clone() else {
        return Err(Diagnostics(vec![Diagnostic::error(
            Code::StateInvalid,
            crate::t!("e305-diff-needs-state"),
        )]));
    };
    let changes = super::compare(&c.project, &c.models, &saved);
    let (catalog, catalog_kind) = match catalog {
        Some(state) => (state.clone(), "catalog state"),
        None => (saved_catalog(&saved), "saved manifest"),
    };
    let opts = PlanOptions {
        full_refresh: false,
        as_of: as_of.to_string(),
        tests: false,
    };
    let changed: Vec<usize> = c
        .graph
        .order
        .iter()
        .copied()
        .filter(|&i| changes[i].any())
        .collect();
    let modified: Vec<&SavedNode> = changed
        .iter()
        .filter_map(|&i| saved.nodes.get(&c.project.node_id(i)))
        .collect();
    let old_sql: HashMap<String, Option<String>> = modified
        .iter()
        .map(|n| n.unique_id.clone())
        .zip(
            saved
                .compiled_sql(&modified, &c.target)
                .map_err(|d| Diagnostics(vec![d]))?,
        )
        .collect();
    let mut out = Vec::new();
    let mut summary = Summary::default();
    for i in changed {
        let id = c.project.node_id(i);
        let change = changes[i];
        let new_sql = c.model(i).map(|m| m.compiled_sql.clone());
        let path = crate::diag::display_path(&c.project.nodes[i].path);
        let mut notes = Vec::new();
        let after = node_plan(c, i, &catalog, &opts, &mut notes);
        let (status, sql_diff, before) = match saved.nodes.get(&id) {
            None => {
                summary.new += 1;
                let sql_diff = new_sql.as_deref().map(|s| unified("", s, &path));
                ("new", sql_diff, Some(Vec::new()))
            }
            Some(s) => {
                summary.modified += 1;
                let old = old_sql.get(&id).cloned().flatten();
                if old.is_none() && s.compiled_path.is_some() {
                    notes.push(crate::t!(
                        "diff-compiled-sql-missing",
                        location = saved.compiled_location(s)
                    ));
                }
                let sql_diff = match (&old, &new_sql) {
                    (Some(o), Some(n)) if o != n => Some(unified(o, n, &path)),
                    _ => None,
                };
                let before = if old.is_some() || s.compiled_path.is_none() {
                    with_saved(c, i, s, old.as_deref(), |c| {
                        let mut ignored = Vec::new();
                        node_plan(c, i, &catalog, &opts, &mut ignored)
                    })
                } else {
                    None
                };
                ("modified", sql_diff, before)
            }
        };
        let plan = match (before, after) {
            (Some(before), Some(after)) => Some(plan_diff(before, after)),
            (None, Some(_)) if status == "modified" => {
                notes.push(crate::t!("diff-plan-unknown"));
                None
            }
            _ => None,
        };
        if let Some(p) = &plan {
            summary.new_destructive_steps += p.new_destructive.len();
        }
        out.push(NodeDiff {
            unique_id: id,
            path,
            status,
            aspects: if status == "modified" {
                change.aspects()
            } else {
                Vec::new()
            },
            sql_diff,
            plan,
            notes,
        });
    }
    for n in super::removed(&c.project, &saved) {
        summary.removed += 1;
        let mut notes = Vec::new();
        if let Some(rel) = &n.relation {
            notes.push(crate::t!("diff-removed-note", relation = rel));
        }
        out.push(NodeDiff {
            unique_id: n.unique_id.clone(),
            path: n.path.clone(),
            status: "removed",
            aspects: Vec::new(),
            sql_diff: None,
            plan: None,
            notes,
        });
    }
    Ok(Report {
        state: StateInfo {
            manifest: saved.shown.clone(),
            project: saved.metadata.project.clone(),
            target: saved.metadata.target.clone(),
            karte_version: saved.metadata.karte_version.clone(),
        },
        target: c.target.name.clone(),
        catalog: catalog_kind,
        changes: out,
        summary,
    })
}

/// Run `f` with node `i`'s config and compiled SQL as the saved manifest has them.
fn with_saved<T>(
    c: &mut Compiled,
    i: usize,
    saved: &SavedNode,
    sql: Option<&str>,
    f: impl FnOnce(&Compiled) -> T,
) -> T {
    let config = NodeConfig(saved.config.clone().into_iter().collect());
    let k = c.models.binary_search_by_key(&i, |m| m.node).ok();
    let kept = match k {
        Some(k) => {
            let m = &mut c.models[k];
            let sql = sql
                .map(str::to_string)
                .unwrap_or_else(|| m.compiled_sql.clone());
            (
                std::mem::replace(&mut m.config, config),
                Some(std::mem::replace(&mut m.compiled_sql, sql)),
            )
        }
        None => (
            std::mem::replace(&mut c.project.nodes[i].config, config),
            None,
        ),
    };
    let result = f(c);
    match k {
        Some(k) => {
            c.models[k].config = kept.0;
            if let Some(sql) = kept.1 {
                c.models[k].compiled_sql = sql;
            }
        }
        None => c.project.nodes[i].config = kept.0,
    }
    result
}

/// The plan of one node as lines, or None (with a note) when it cannot be planned; tests have
/// no plan.
fn node_plan(
    c: &Compiled,
    i: usize,
    catalog: &CatalogState,
    opts: &PlanOptions,
    notes: &mut Vec<String>,
) -> Option<Vec<String>> {
    if !c.project.nodes[i].kind.is_relation() {
        return None;
    }
    match crate::plan::plan_nodes(c, &[i], catalog, opts) {
        Ok(plan) => Some(plan.nodes.iter().flat_map(plan_lines).collect()),
        Err(errors) => {
            let first = errors
                .0
                .iter()
                .find(|d| d.is_error())
                .map(|d| format!("{} {}", d.code.as_str(), d.message))
                .unwrap_or_default();
            notes.push(crate::t!("diff-cannot-plan", error = first));
            None
        }
    }
}

/// A node's plan, one line per step and per thing a step may destroy. The schema step is left
/// out (every plan of the schema's first node has it).
fn plan_lines(np: &NodePlan) -> Vec<String> {
    let mut lines = vec![format!(
        "{} — {}",
        np.materialization,
        crate::plan::text::phrase(&np.mode)
    )];
    for step in &np.steps {
        if step.action.name() == "create-schema" {
            continue;
        }
        let mark = if step.destroys.is_empty() { ' ' } else { '!' };
        lines.push(format!(
            "{mark} {}  {}",
            step.action.name(),
            crate::plan::text::summary(&step.action)
        ));
        for d in &step.destroys {
            lines.push(format!("    {}", crate::plan::text::destroys_line(d)));
        }
    }
    lines
}

/// The lines of `before` and `after` in order, each with whether it was removed, added or kept.
fn line_changes(before: &[String], after: &[String]) -> Vec<(ChangeTag, String)> {
    let before: Vec<&str> = before.iter().map(String::as_str).collect();
    let after: Vec<&str> = after.iter().map(String::as_str).collect();
    TextDiff::from_slices(&before, &after)
        .iter_all_changes()
        .map(|c| (c.tag(), c.value().to_string()))
        .collect()
}

fn plan_diff(before: Vec<String>, after: Vec<String>) -> PlanDiff {
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for (tag, line) in line_changes(&before, &after) {
        match tag {
            ChangeTag::Insert => added.push(line),
            ChangeTag::Delete => removed.push(line),
            ChangeTag::Equal => {}
        }
    }
    let new_destructive = added
        .iter()
        .filter(|l| l.starts_with('!'))
        .cloned()
        .collect();
    PlanDiff {
        before,
        after,
        added,
        removed,
        new_destructive,
    }
}

fn unified(old: &str, new: &str, path: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("saved/{path}"), &format!("current/{path}"))
        .to_string()
}

/// The catalog as the saved manifest says production has it: every table, view, seed and
/// snapshot it lists exists, managed by karte, with the columns of its lineage (types unknown).
/// Partitions and data locations are not in a manifest: `--catalog-state` gives the real ones.
pub fn saved_catalog(saved: &SavedState) -> CatalogState {
    let mut state = CatalogState::default();
    for n in saved.nodes.values() {
        if n.relation.is_none() || n.kind == "test" {
            continue;
        }
        let materialized = n
            .config
            .get("materialized")
            .and_then(|v| v.as_str())
            .unwrap_or(if n.kind == "model" { "view" } else { "table" });
        let kind = match materialized {
            "ephemeral" => continue,
            "view" => TableKind::View,
            _ if n.config.get("table_type").and_then(|v| v.as_str()) == Some("iceberg") => {
                TableKind::Iceberg
            }
            _ => TableKind::Hive,
        };
        let partition_keys: Vec<String> = match (kind, n.config.get("partitioned_by")) {
            (TableKind::Hive, Some(serde_json::Value::Array(a))) => a
                .iter()
                .filter_map(|v| v.as_str().map(|s| s.to_lowercase()))
                .collect(),
            _ => Vec::new(),
        };
        let columns = saved
            .columns
            .get(&n.unique_id)
            .map(|cols| {
                cols.iter()
                    .filter(|c| !partition_keys.contains(&c.to_lowercase()))
                    .map(|c| ColumnState {
                        name: c.clone(),
                        data_type: "varchar".into(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let partition_types = vec!["varchar".to_string(); partition_keys.len()];
        state.tables.insert(
            format!("{}.{}", n.schema, n.name).to_lowercase(),
            TableState {
                kind,
                location: None,
                managed: true,
                owned_prefix: None,
                columns,
                partition_keys,
                partition_types,
                partitions: Vec::new(),
                previous_locations: Vec::new(),
                ingested: None,
                version_id: None,
                parameters: Default::default(),
            },
        );
    }
    state
}

/// The report for people.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let heading = crate::t!(
        "diff-heading",
        manifest = r.state.manifest,
        project = r.state.project,
        saved_target = r.state.target,
        karte = r.state.karte_version,
        target = r.target,
        catalog = match r.catalog {
            "catalog state" => crate::t!("diff-against-catalog-state"),
            _ => crate::t!("diff-against-saved-manifest"),
        },
        new = r.summary.new,
        modified = r.summary.modified,
        removed = r.summary.removed
    );
    let _ = writeln!(out, "{heading}");
    if r.changes.is_empty() {
        let _ = writeln!(out, "{}", crate::t!("diff-nothing-changed"));
        return out;
    }
    for d in &r.changes {
        let _ = writeln!(out);
        let mark = match d.status {
            "new" => '+',
            "removed" => '-',
            _ => '~',
        };
        let aspects = if d.aspects.is_empty() {
            String::new()
        } else {
            format!("; {}", d.aspects.join(", "))
        };
        let status = crate::t!("diff-status", status = d.status);
        let _ = writeln!(out, "{mark} {status} {} ({}{aspects})", d.unique_id, d.path);
        if let Some(sql) = &d.sql_diff {
            let _ = writeln!(out, "  {}", crate::t!("diff-compiled-sql"));
            for line in sql.lines() {
                let _ = writeln!(out, "    {line}");
            }
        } else if d.status == "modified" {
            let _ = writeln!(out, "  {}", crate::t!("diff-compiled-sql-unchanged"));
        }
        if let Some(p) = &d.plan {
            if p.added.is_empty() && p.removed.is_empty() {
                let _ = writeln!(
                    out,
                    "  {}",
                    crate::t!(
                        "diff-plan-unchanged",
                        step = p.after.first().map(String::as_str).unwrap_or("")
                    )
                );
            } else {
                let _ = writeln!(out, "  {}", crate::t!("diff-plan"));
                for (tag, line) in line_changes(&p.before, &p.after) {
                    let sign = match tag {
                        ChangeTag::Insert => '+',
                        ChangeTag::Delete => '-',
                        ChangeTag::Equal => ' ',
                    };
                    let _ = writeln!(out, "    {sign} {line}");
                }
            }
            for step in &p.new_destructive {
                let _ = writeln!(
                    out,
                    "  !! {}",
                    crate::t!(
                        "diff-new-destructive-step",
                        step = step.trim_start_matches('!').trim()
                    )
                );
            }
        }
        for note in &d.notes {
            let _ = writeln!(out, "  {}: {note}", crate::t!("diag-note"));
        }
    }
    if r.summary.new_destructive_steps > 0 {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}",
            crate::t!(
                "diff-destructive-summary",
                count = r.summary.new_destructive_steps
            )
        );
    }
    out
}
