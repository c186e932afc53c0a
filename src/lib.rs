//! # karte
//!
//! A SQL transform framework for medical data lakes on Amazon Athena + AWS Glue + S3, with an
//! embedded local engine. The whole pipeline, one stage per module:
//!
//! ```text
//! project dir ──load──▶ Project ──render──▶ RenderedModel* ──analyze──▶ AnalyzedModel*
//!       ──build_graph──▶ ModelGraph ──select──▶ Vec<node> ──write──▶ target/
//!       ──plan(target, CatalogState)──▶ Plan ──▶ target/plan.json
//! ```
//!
//! [`compile`] runs these stages in order; every stage reports all the problems it finds as
//! [`diag::Diagnostic`]s before the pipeline stops.

// `print!`, `println!`, `eprint!` and `eprintln!` for the whole crate (defined before the
// modules, so they shadow std's there): like std's, but a stream that was closed — `karte ls |
// head -1` — is not a panic: karte stops writing to it and goes on as it would have
// (`cli::stdio`). Unit tests keep std's, whose output the test harness captures.
#[cfg(not(test))]
#[allow(unused_macros)]
macro_rules! print {
    ($($arg:tt)*) => { $crate::cli::stdio::out(format_args!($($arg)*)) };
}
#[cfg(not(test))]
macro_rules! println {
    () => { $crate::cli::stdio::out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::stdio::out(format_args!("{}\n", format_args!($($arg)*))) };
}
#[cfg(not(test))]
#[allow(unused_macros)]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::cli::stdio::err(format_args!($($arg)*)) };
}
#[cfg(not(test))]
macro_rules! eprintln {
    () => { $crate::cli::stdio::err(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::stdio::err(format_args!("{}\n", format_args!($($arg)*))) };
}

pub mod access;
pub mod artifacts;
pub mod cache;
pub mod cli;
pub mod diag;
pub mod docs_site;
pub mod engine;
pub mod example_data;
pub mod execute;
pub mod governance;
pub mod graph;
pub mod i18n;
pub mod import_sql;
#[cfg(feature = "duckdb-engine")]
pub mod ingest;
pub mod lineage;
pub mod lint;
pub mod notify;
pub mod plan;
pub mod project;
pub mod render;
pub mod scaffold;
pub mod show;
pub mod sql;
pub mod state;
pub mod upstream;

use std::collections::BTreeMap;
use std::path::PathBuf;

use diag::Diagnostics;
pub use graph::Compiled;

/// What a compile is asked to do.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// Project directory.
    pub project_dir: PathBuf,
    /// Target name (default: the project's `default_target`).
    pub target: Option<String>,
    /// `--vars`, over the project's vars.
    pub vars: BTreeMap<String, serde_json::Value>,
    /// `--select` expressions.
    pub select: Vec<String>,
    /// `--exclude` expressions.
    pub exclude: Vec<String>,
    /// Models rendered with `is_incremental()` true (their table exists and is not rebuilt).
    pub incremental: std::collections::HashSet<String>,
    /// The columns of sources whose property files list none, as the target's catalog has
    /// them (source unique id → names): their lineage and column checks then go on.
    pub catalog_columns: BTreeMap<String, Vec<String>>,
    /// `--state`: the saved manifest `state:` selectors, `--defer` and `karte diff` compare with.
    pub state: Option<state::StateArg>,
    /// `--defer`: unselected parents not built on the target are read from the relations the
    /// saved manifest names (applied by [`compile_for_catalog`], which knows the catalog).
    pub defer: bool,
    /// `--profiles-dir`: where a dbt project's profiles.yml is.
    pub profiles_dir: Option<PathBuf>,
}

/// Load, render, analyse, build the graph and select. Errors stop after the stage that found
/// them, with every error of that stage.
pub fn compile(opts: &CompileOptions) -> Result<Compiled, Diagnostics> {
    let mut clock = diag::timings::Clock::start();
    let load_opts = project::LoadOptions {
        profiles_dir: opts.profiles_dir.clone(),
        target: opts.target.clone(),
    };
    let (mut project, mut diags) = project::load_with(&opts.project_dir, &load_opts)?;
    clock.lap("load");
    let target = project
        .target(opts.target.as_deref())
        .map_err(|d| Diagnostics(vec![d]))?;
    // The projects of `dependencies:`: their manifests, for their public models.
    upstream::load(&mut project, &target).map_err(|mut d| {
        d.extend(diags.0.clone());
        d.sort();
        d
    })?;

    let render_opts = render::RenderOptions {
        vars: opts.vars.clone(),
        incremental: opts.incremental.clone(),
    };
    let (mut rendered, d) = render::render(&project, &target, &render_opts);
    diags.extend(d.0);
    // A dbt project's schemas come from each node's config (which `config()` in the model may
    // set) through `generate_schema_name`: named now, then rendered again so that `this` and
    // `ref()` know them.
    if project.config.dbt.is_some() && !diags.has_errors() {
        let d = render::dbt::assign_schemas(&mut project, &target, &render_opts, &rendered);
        let failed = d.has_errors();
        diags.extend(d.0);
        if failed {
            return Err(stop_on_errors(&mut diags).unwrap_err());
        }
        let (again, d) = render::render(&project, &target, &render_opts);
        rendered = again;
        diags.extend(d.0.into_iter().filter(|d| d.is_error()));
    }
    clock.lap("render");
    // `enabled: false` (karte.yml, a property file or `config()`): the node is left out, and
    // reading it is an error.
    let disabled: std::collections::HashSet<usize> = rendered
        .iter()
        .filter(|m| !m.config.enabled())
        .map(|m| m.node)
        .chain(
            project
                .nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| n.kind == project::NodeKind::Seed && !n.config.enabled())
                .map(|(i, _)| i),
        )
        .collect();
    let rendered: Vec<_> = rendered
        .into_iter()
        .filter(|m| !disabled.contains(&m.node))
        .collect();
    // Only declared secrets may be filled in at run time (E211).
    diags.extend(sql::secrets::check_nodes(
        &project,
        rendered.iter().map(|m| (m.node, m.sql.as_str())),
    ));
    // Analyse what rendered, so that errors of both stages are reported together.
    clock.lap("secrets");
    let cache = cache::Cache::open(&project.root, "sql");
    clock.lap("read cache");
    let (mut models, d) = sql::analyze(&project, &target, rendered, &disabled, &cache);
    drop(cache);
    // `Compiled::model` finds a node's analysis by binary search.
    models.sort_by_key(|m| m.node);
    diags.extend(d.0);
    diags.extend(upstream::check_access(&project, &models).0);
    clock.lap("analyze");
    stop_on_errors(&mut diags)?;

    let graph = graph::build_graph(&project, &models).map_err(|mut d| {
        d.extend(diags.0.clone());
        d.sort();
        d
    })?;
    sql::inline_ephemerals(&project, &mut models, &graph.order);
    clock.lap("graph");
    let cache = cache::Cache::open(&project.root, "lineage");
    let (lineage, d) = lineage::infer(
        &project,
        &models,
        &graph.order,
        &opts.catalog_columns,
        &cache,
    );
    drop(cache);
    diags.extend(d.0);
    clock.lap("lineage");
    stop_on_errors(&mut diags)?;
    let (taxonomy, d) = governance::Taxonomy::of(&project);
    diags.extend(d.0);
    let (classes, d) = governance::infer(&project, &lineage, &taxonomy);
    diags.extend(d.0);
    stop_on_errors(&mut diags)?;
    diags.extend(governance::check(&project, &models, &lineage, &classes, &taxonomy).0);
    stop_on_errors(&mut diags)?;
    clock.lap("governance");
    // The query shapes served the lineage; they are not kept. Freeing them (millions of small
    // allocations at 10k models) happens beside the stages that follow.
    let shapes: Vec<_> = models.iter_mut().map(|m| m.shape.take()).collect();
    std::thread::spawn(move || drop(shapes));
    clock.lap("drop shapes");

    let saved = match &opts.state {
        None => None,
        Some(state::StateArg::Loaded(s)) => Some(s.clone()),
        Some(state::StateArg::Given(spec)) => Some(std::sync::Arc::new(
            state::SavedState::load(spec, &target).map_err(|d| Diagnostics(vec![d]))?,
        )),
    };
    if let Some(s) = &saved {
        s.check_project(&project)
            .map_err(|d| Diagnostics(vec![d]))?;
    }
    let changes = saved.as_ref().map(|s| state::compare(&project, &models, s));
    clock.lap("state");
    let ctx = graph::select::SelectContext {
        project: &project,
        graph: &graph,
        configs: models.iter().map(|m| (m.node, &m.config)).collect(),
        state: changes.as_deref(),
        fresher: None,
    };
    let (selected, d) = graph::select::select(&ctx, &opts.select, &opts.exclude)?;
    diags.extend(d.0);
    clock.lap("select");
    diags.sort();
    let mut compiled = Compiled {
        project,
        target,
        models,
        graph,
        selected,
        lineage,
        classes,
        taxonomy,
        state: saved,
        deferred: Vec::new(),
        diagnostics: diags,
    };
    // The notification channels' selectors and templates (E801 in karte.yml).
    let d = notify::check(&compiled);
    if d.has_errors() {
        let mut diags = compiled.diagnostics;
        diags.extend(d.0);
        diags.sort();
        return Err(diags);
    }
    compiled.diagnostics.extend(d.0);
    compiled.diagnostics.sort();
    // Every data test of the project must plan (a broken test is a compile error, not a
    // failure of the build that runs it).
    let all: Vec<usize> = compiled.graph.order.clone();
    if let Err(errors) = plan::data_tests::check(&compiled, &all) {
        let mut diags = compiled.diagnostics;
        diags.extend(errors);
        diags.sort();
        return Err(diags);
    }
    clock.lap("data tests");
    Ok(compiled)
}

/// Select again, now that the nodes whose sources received data since their last build
/// (`fresher`, for `source_status:` selectors) are known: `build` compiles without its selection
/// when it uses `source_status:`, reads the catalog and the run journals, then selects here.
/// Returns the selection's warnings.
pub fn reselect(
    compiled: &mut Compiled,
    select: &[String],
    exclude: &[String],
    fresher: &std::collections::BTreeSet<usize>,
) -> Result<Diagnostics, Diagnostics> {
    let changes = compiled
        .state
        .as_ref()
        .map(|s| state::compare(&compiled.project, &compiled.models, s));
    let ctx = graph::select::SelectContext {
        project: &compiled.project,
        graph: &compiled.graph,
        configs: compiled
            .models
            .iter()
            .map(|m| (m.node, &m.config))
            .collect(),
        state: changes.as_deref(),
        fresher: Some(fresher),
    };
    let (selected, warnings) = graph::select::select(&ctx, select, exclude)?;
    compiled.selected = selected;
    Ok(warnings)
}

/// Compile for the catalog the run will meet: again with `is_incremental()` true for the
/// incremental models that exist in `catalog` (unless `full_refresh`), so that later runs get
/// their incremental SQL, and with the catalog's columns for sources whose property files list
/// none (so that their lineage and column checks go on), keeping the selection made first
/// (`state:` selectors compare the SQL as `karte compile` renders it); then, with `--defer`,
/// point the selected nodes' parents that are neither selected nor in `catalog` at the saved
/// manifest's relations ([`state::defer::defer`]). Returns the compiled project unchanged when
/// none of this applies.
pub fn compile_for_catalog(
    opts: &CompileOptions,
    mut compiled: Compiled,
    catalog: &plan::CatalogState,
    full_refresh: bool,
) -> Result<Compiled, Diagnostics> {
    let catalog_columns: BTreeMap<String, Vec<String>> = compiled
        .project
        .sources
        .iter()
        .enumerate()
        .filter(|(_, s)| s.columns.is_empty())
        .filter_map(|(i, s)| {
            let t = catalog.get(&s.schema, &s.identifier)?;
            let names: Vec<String> = t
                .columns
                .iter()
                .map(|c| c.name.to_lowercase())
                .chain(t.partition_keys.iter().map(|k| k.to_lowercase()))
                .collect();
            (!names.is_empty()).then(|| (compiled.project.source_id(i), names))
        })
        .collect();
    let incremental: std::collections::HashSet<String> = compiled
        .models
        .iter()
        .filter(|_| !full_refresh)
        .filter(|m| m.config.materialized() == "incremental")
        .map(|m| &compiled.project.nodes[m.node])
        .filter(|n| {
            catalog
                .get(&compiled.target.schema(&n.schema), &n.name)
                .is_some_and(|t| t.kind != plan::catalog::TableKind::View)
        })
        .map(|n| n.name.clone())
        .collect();
    let mut compiled = if incremental.is_empty() && catalog_columns.is_empty() {
        compiled
    } else {
        let mut again = compile(&CompileOptions {
            incremental,
            catalog_columns,
            select: Vec::new(),
            exclude: Vec::new(),
            state: None,
            ..opts.clone()
        })?;
        let ids = |c: &Compiled| {
            (0..c.project.nodes.len())
                .map(|i| c.project.node_id(i))
                .collect::<Vec<_>>()
        };
        if ids(&again) != ids(&compiled) {
            return Err(Diagnostics(vec![diag::Diagnostic::error(
                diag::Code::Io,
                crate::t!("compile-files-changed"),
            )
            .help(crate::t!("compile-files-changed-help"))]));
        }
        again.selected = std::mem::take(&mut compiled.selected);
        again.state = compiled.state.take();
        // The second compile's warnings stand (a source's columns may come from the catalog),
        // with the selection's, which only the first compile made.
        again.diagnostics.extend(
            compiled
                .diagnostics
                .0
                .drain(..)
                .filter(|d| d.code == diag::Code::SelectorMatchedNothing),
        );
        again
    };
    if opts.defer {
        let warnings = state::defer::defer(&mut compiled, catalog)?;
        compiled.diagnostics.extend(warnings.0);
    }
    Ok(compiled)
}

fn stop_on_errors(diags: &mut Diagnostics) -> Result<(), Diagnostics> {
    diags.sort();
    if diags.has_errors() {
        Err(std::mem::take(diags))
    } else {
        Ok(())
    }
}
