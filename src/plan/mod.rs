//! Stage 6, `plan`: a compiled project + target + [`CatalogState`] → [`Plan`], the
//! dependency-ordered steps (SQL statements, catalog and storage operations) that build the
//! selected nodes, each with what it may destroy. Pure: no I/O. All SQL comes from the
//! templates in `templates/<engine>/`.

pub mod batch;
pub mod catalog;
pub mod config_key;
pub mod data_tests;
pub mod grants;
pub mod layout;
pub mod maintenance;
pub mod materialization;
pub mod projection;
pub mod reviewed;
pub mod settings;
pub mod step;
pub mod templates;
pub mod text;

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256};

pub use catalog::CatalogState;
pub use step::{Action, Destroy, NodePlan, Plan, Step, TableRef, RUN_ID_PLACEHOLDER};

use crate::diag::{Code, Diagnostic, Diagnostics, Location};
use crate::graph::Compiled;
use crate::project::NodeKind;
use crate::t;
use layout::{overlaps, Lake};
use materialization::{NodeCtx, Planned};
use settings::{Materialization, ModelSettings};

/// Athena's limit on the length of one statement, in bytes.
pub const MAX_STATEMENT_BYTES: usize = 262_144;

/// What planning is asked to do.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Rebuild incremental models and snapshots from scratch.
    pub full_refresh: bool,
    /// The date of the run (`YYYY-MM-DD`): release snapshot periods depend on it.
    pub as_of: String,
    /// Plan the data tests of the selected nodes too.
    pub tests: bool,
}

/// Plan the selected nodes of a compiled project, and their data tests if asked.
pub fn plan(c: &Compiled, catalog: &CatalogState, opts: &PlanOptions) -> Result<Plan, Diagnostics> {
    plan_nodes(c, &c.selected, catalog, opts)
}

/// Plan the given nodes (in dependency order) of a compiled project, and if asked the data
/// tests of the selected nodes (`c.selected`: a singular test is selected as a node of its own).
pub fn plan_nodes(
    c: &Compiled,
    selected: &[usize],
    catalog: &CatalogState,
    opts: &PlanOptions,
) -> Result<Plan, Diagnostics> {
    let one = |d: Diagnostic| Diagnostics(vec![d]);
    let lake = Lake::of(&c.target).map_err(one)?;
    let templates = templates::Templates::new(&c.project, c.target.config.kind);
    let mut diags = Diagnostics::default();

    // Settings of every node (ephemeral-ness and locations matter beyond the selection).
    let configs: HashMap<usize, &crate::project::NodeConfig> =
        c.models.iter().map(|m| (m.node, &m.config)).collect();
    let mut all_settings: BTreeMap<usize, ModelSettings> = BTreeMap::new();
    for (i, node) in c.project.nodes.iter().enumerate() {
        if node.kind == NodeKind::Test {
            continue;
        }
        let config = configs.get(&i).copied().unwrap_or(&node.config);
        match settings::settings(node, config, &c.project.root) {
            Ok(s) => {
                all_settings.insert(i, s);
            }
            Err(ds) => diags.extend(ds),
        }
    }
    let prefixes = check_locations(c, &lake, &all_settings, &mut diags);
    // Who may read what (`access:`); its grants are planned on Athena targets only.
    let access = crate::access::resolve(c).unwrap_or_else(|errors| {
        diags.extend(errors.0);
        crate::access::Access::default()
    });
    let lake_formation = c.target.config.kind == crate::project::TargetType::Athena
        && !c.project.config.access.is_empty();
    if diags.has_errors() {
        diags.sort();
        return Err(diags);
    }

    let compiled_sql: HashMap<usize, &str> = c
        .models
        .iter()
        .map(|m| (m.node, m.compiled_sql.as_str()))
        .collect();
    let catalog_prefix = c
        .target
        .catalog()
        .map(|cat| format!("{}.", crate::sql::quote_ident(cat)))
        .unwrap_or_default();
    let mut nodes = Vec::new();
    // The last step of each planned node, for dependencies across nodes.
    let mut last_step: HashMap<usize, String> = HashMap::new();
    let mut schemas_created: Vec<String> = Vec::new();
    for &i in selected {
        let node = &c.project.nodes[i];
        let Some(s) = all_settings.get(&i) else {
            continue;
        };
        let schema = c.target.schema(&node.schema);
        let table = TableRef {
            schema: schema.clone(),
            name: node.name.to_lowercase(),
        };
        let existing = catalog.get(&table.schema, &table.name);
        if let Some(e) = existing {
            if !e.managed && s.materialized != Materialization::Ephemeral {
                diags.push(
                    Diagnostic::error(
                        Code::NotManaged,
                        t!("plan-not-managed", table = table.to_string()),
                    )
                    .at(Location::file_only(&node.path))
                    .help(t!("plan-not-managed-help")),
                );
                continue;
            }
        }
        if let Some(e) = existing.filter(|_| s.materialized != Materialization::Ephemeral) {
            let computed = prefixes.get(&i).map(String::as_str).unwrap_or_default();
            if let Err(d) = check_owned_prefix(node, &table, e, computed) {
                diags.push(d);
                continue;
            }
        }
        let sql = compiled_sql
            .get(&i)
            .map(|s| strip_trailing_semicolon(s).trim_start().to_string())
            .unwrap_or_default();
        let ctx = NodeCtx {
            node,
            sql,
            settings: s,
            relation: format!(
                "{catalog_prefix}{}.{}",
                crate::sql::quote_ident(&table.schema),
                crate::sql::quote_ident(&table.name)
            ),
            table,
            catalog_prefix: catalog_prefix.clone(),
            prefix: prefixes.get(&i).cloned().unwrap_or_default(),
            existing,
            lake: &lake,
            templates: &templates,
            full_refresh: opts.full_refresh,
            as_of: &opts.as_of,
        };
        let planned = match plan_node(&ctx, catalog) {
            Ok(p) => p,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let mut actions = planned.actions;
        if lake_formation && !actions.is_empty() && access.governed.contains_key(&i) {
            let key = format!("{}.{}", ctx.table.schema, ctx.table.name).to_lowercase();
            let current = catalog
                .lake_formation
                .as_ref()
                .and_then(|lf| lf.get(&key))
                .map(Vec::as_slice)
                .unwrap_or_default();
            actions.extend(grants::plan_table(&access, i, &ctx.table, current));
        }
        if !actions.is_empty() && !schemas_created.contains(&schema) {
            schemas_created.push(schema.clone());
            actions.insert(0, (Action::CreateSchema { schema }, Vec::new()));
        }
        let parents = upstream_steps(c, i, &last_step);
        let node_plan = finish_node(c, i, &ctx, planned.mode, actions, parents);
        if let Some(last) = node_plan.steps.last() {
            last_step.insert(i, last.id.clone());
        }
        check_sizes(&node_plan, node, &mut diags);
        if let Err(d) = check_order(&node_plan) {
            diags.push(d);
        }
        nodes.push(node_plan);
    }
    let tests = if opts.tests {
        data_tests::collect(c, &c.selected).unwrap_or_else(|errors| {
            diags.extend(errors);
            Vec::new()
        })
    } else {
        Vec::new()
    };
    diags.sort();
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Plan {
        plan_version: step::PLAN_VERSION,
        project: c.project.config.name.clone(),
        target: c.target.name.clone(),
        engine: c.target.config.kind,
        as_of: opts.as_of.clone(),
        full_refresh: opts.full_refresh,
        nodes,
        tests,
        deferred: c.deferred.clone(),
        reviewed: None,
    })
}

fn plan_node(ctx: &NodeCtx, catalog: &CatalogState) -> Result<Planned, Diagnostic> {
    use materialization::*;
    let mut planned = match ctx.settings.materialized {
        Materialization::View => view::plan(ctx)?,
        Materialization::Table => table::plan(ctx, table::rebuild_mode(ctx))?,
        Materialization::Incremental => incremental::plan(ctx)?,
        Materialization::Ephemeral => Planned {
            mode: "inlined into its consumers".into(),
            actions: Vec::new(),
        },
        Materialization::Seed => seed::plan(ctx)?,
        Materialization::Snapshot => snapshot::plan(ctx)?,
    };
    let maintenance = ctx.maintenance(&planned.actions);
    planned.actions.extend(maintenance);
    if let Some(r) = &ctx.settings.release {
        let (actions, note) = release::plan(ctx, r, catalog)?;
        planned.actions.extend(actions);
        planned.mode = format!("{}; {note}", planned.mode);
    }
    Ok(planned)
}

/// Number the steps, chain them, and give each an idempotency key.
fn finish_node(
    c: &Compiled,
    i: usize,
    ctx: &NodeCtx,
    mode: String,
    actions: Vec<(Action, Vec<Destroy>)>,
    parents: Vec<String>,
) -> NodePlan {
    let node = &c.project.nodes[i];
    let mut steps: Vec<Step> = Vec::with_capacity(actions.len());
    for (n, (action, destroys)) in actions.into_iter().enumerate() {
        let id = format!("{}/{:02}-{}", node.name, n + 1, action.name());
        let depends_on = match steps.last() {
            Some(prev) => vec![prev.id.clone()],
            None => parents.clone(),
        };
        let mut hasher = Sha256::new();
        hasher.update(c.project.config.name.as_bytes());
        hasher.update([0]);
        hasher.update(c.target.name.as_bytes());
        hasher.update([0]);
        hasher.update(id.as_bytes());
        hasher.update([0]);
        hasher.update(serde_json::to_vec(&action).unwrap_or_default());
        let idempotency_key = format!("{:x}", hasher.finalize())[..32].to_string();
        steps.push(Step {
            id,
            action,
            depends_on,
            destroys,
            idempotency_key,
        });
    }
    NodePlan {
        unique_id: c.project.node_id(i),
        name: node.name.clone(),
        relation: ctx.relation.clone(),
        path: crate::diag::display_path(&node.path),
        materialization: describe(ctx.settings),
        mode,
        steps,
    }
}

fn describe(s: &ModelSettings) -> String {
    let format = match s.format {
        step::TableFormat::Hive => "hive",
        step::TableFormat::Iceberg => "iceberg",
    };
    match s.materialized {
        Materialization::View => "view".into(),
        Materialization::Ephemeral => "ephemeral".into(),
        Materialization::Table => format!("table ({format})"),
        Materialization::Incremental => format!("incremental ({format}, {})", s.strategy.as_str()),
        Materialization::Seed => format!("seed ({format})"),
        Materialization::Snapshot => format!("snapshot ({format}, scd2)"),
    }
}

/// Last steps of the nearest planned ancestors (through ephemeral nodes).
fn upstream_steps(c: &Compiled, i: usize, last_step: &HashMap<usize, String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = c.graph.parents(i);
    let mut seen = std::collections::HashSet::new();
    while let Some(p) = stack.pop() {
        if !seen.insert(p) {
            continue;
        }
        match last_step.get(&p) {
            Some(s) => out.push(s.clone()),
            None => stack.extend(c.graph.parents(p)),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Each table's owned prefix (views too: the prefix a former table of theirs owned);
/// `external_location` must be plain segments under the lake root and must not overlap another
/// table's prefix.
fn check_locations(
    c: &Compiled,
    lake: &Lake,
    all: &BTreeMap<usize, ModelSettings>,
    diags: &mut Diagnostics,
) -> HashMap<usize, String> {
    let mut prefixes: Vec<(usize, String)> = Vec::new();
    let mut out = HashMap::new();
    for (&i, s) in all {
        let node = &c.project.nodes[i];
        let default =
            || lake.table_prefix(&c.target.schema(&node.schema), &node.name.to_lowercase());
        match s.materialized {
            Materialization::Ephemeral => continue,
            Materialization::View => {
                out.insert(i, default());
                continue;
            }
            _ => {}
        }
        let prefix = match &s.external_location {
            Some(loc) => match external_location_problem(lake, loc, &node.name) {
                Some(message) => {
                    diags.push(
                        Diagnostic::error(Code::UnsafeLocation, message)
                            .at(config_location(node, "external_location"))
                            .note(t!("plan-note-location", location = loc))
                            .note(t!("plan-note-lake-root", root = lake.root().to_string()))
                            .help(t!("plan-external-location-bad-help")),
                    );
                    continue;
                }
                None => layout::normalise(loc),
            },
            None => default(),
        };
        prefixes.push((i, prefix));
    }
    for (a, (i, pa)) in prefixes.iter().enumerate() {
        for (j, pb) in prefixes.iter().skip(a + 1) {
            if overlaps(pa, pb) {
                let (ni, nj) = (&c.project.nodes[*i], &c.project.nodes[*j]);
                diags.push(
                    Diagnostic::error(
                        Code::UnsafeLocation,
                        t!("plan-same-place", first = ni.name, second = nj.name),
                    )
                    .at(config_location(nj, "external_location"))
                    .note(t!("plan-owns", model = ni.name, prefix = pa))
                    .note(t!("plan-owns", model = nj.name, prefix = pb))
                    .help(t!("plan-same-place-help")),
                );
            }
        }
    }
    // Release tables own `<lake>/<schema>/<model>_releases/`: disjoint from tables by name.
    out.extend(prefixes);
    out
}

/// Why an `external_location` is refused: `..`/`.`/empty segments, or outside the lake root.
fn external_location_problem(lake: &Lake, loc: &str, model: &str) -> Option<String> {
    if let Some(problem) = layout::path_problem(loc) {
        return Some(t!(
            "plan-external-location-not-plain",
            model = model,
            problem = problem
        ));
    }
    (!lake.contains(loc)).then(|| t!("plan-external-location-outside", model = model))
}

/// A managed table whose catalog entry names another owned prefix than karte's layout gives
/// (an old layout, or a changed parameter): refused, never taken as a licence to delete.
fn check_owned_prefix(
    node: &crate::project::Node,
    table: &TableRef,
    existing: &catalog::TableState,
    computed: &str,
) -> Result<(), Diagnostic> {
    match &existing.owned_prefix {
        Some(p) if layout::normalise(p) != layout::normalise(computed) => Err(Diagnostic::error(
            Code::UnsafeLocation,
            t!(
                "plan-owned-prefix-differs",
                table = table.to_string(),
                prefix = p,
                computed = computed
            ),
        )
        .at(Location::file_only(&node.path))
        .note(t!("plan-owned-prefix-differs-note"))
        .help(t!("plan-owned-prefix-differs-help"))),
        _ => Ok(()),
    }
}

fn config_location(node: &crate::project::Node, key: &str) -> Location {
    match node.text.find(key) {
        Some(i) => Location::from_span(&node.path, &node.text, i..i + key.len()),
        None => Location::file_only(&node.path),
    }
}

fn check_sizes(plan: &NodePlan, node: &crate::project::Node, diags: &mut Diagnostics) {
    for s in &plan.steps {
        let statements: Vec<&String> = match &s.action {
            Action::Sql { sql, .. } => vec![sql],
            Action::BatchedWrite {
                probe_sql,
                first_sql,
                rest_sql,
                ..
            } => vec![probe_sql, first_sql, rest_sql],
            _ => Vec::new(),
        };
        for sql in statements {
            // A batch filter of 100 partitions adds a few KB at most; keep a margin for it.
            let margin = if sql.contains(materialization::BATCH_FILTER) {
                16 * 1024
            } else {
                0
            };
            if sql.len() + margin > MAX_STATEMENT_BYTES {
                diags.push(
                    Diagnostic::error(
                        Code::StatementTooLong,
                        t!(
                            "plan-statement-too-long",
                            model = node.name,
                            bytes = (sql.len() + margin).to_string(),
                            max = MAX_STATEMENT_BYTES.to_string()
                        ),
                    )
                    .at(Location::file_only(&node.path))
                    .note(t!("plan-note-step", step = s.id.to_string()))
                    .help(t!("plan-statement-too-long-help")),
                );
            }
        }
    }
}

/// Nothing is deleted before the data replacing it is written: any step deleting data must come
/// after a step of the same node that writes data.
pub fn check_order(plan: &NodePlan) -> Result<(), Diagnostic> {
    let mut written = false;
    for s in &plan.steps {
        let deletes_data = matches!(
            s.action,
            Action::DeletePrefix { .. }
                | Action::DropPartitions { .. }
                | Action::DeleteReplacedPartitions { .. }
        );
        if deletes_data && !written {
            return Err(Diagnostic::error(
                Code::Internal,
                t!("plan-delete-before-write", step = s.id.to_string()),
            )
            .help(t!("plan-delete-before-write-help")));
        }
        written |= s.writes_data();
    }
    Ok(())
}

pub use crate::sql::strip_trailing_semicolon;

#[cfg(test)]
mod tests {
    #[test]
    fn strips_semicolon() {
        assert_eq!(super::strip_trailing_semicolon("select 1;\n"), "select 1");
        assert_eq!(
            super::strip_trailing_semicolon("select ';' -- x\n"),
            "select ';' -- x"
        );
        assert_eq!(
            super::strip_trailing_semicolon("select 1 /* a */ ; -- b\n"),
            "select 1 /* a */  -- b"
        );
    }
}
