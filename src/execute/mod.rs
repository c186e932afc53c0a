//! Stage 7, `execute`: run a plan on an engine. `build` and its narrower forms (`run`, `seed`,
//! `snapshot`, `test`): take the target's run lock, resume an interrupted run or plan the
//! selected nodes and their data tests, and run everything in dependency order with the run
//! journal; a failing error-severity test blocks the descendants of the node it tests. Engines
//! (`crate::engine`) are adapters that run one step at a time; scheduling ([`runner`]), results
//! ([`results`]), running data tests ([`data_tests`]) and rollback ([`rollback`]) live here.

pub mod data_tests;
pub mod freshness;
pub mod inputs;
pub mod journal;
pub mod results;
pub mod rollback;
pub mod runner;
pub mod runs;
pub mod scrub;
pub mod secrets;
pub mod source_status;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::engine::Engine;
use crate::execute::journal::Event as JournalEvent;
use crate::execute::secrets::{Filled, Vault};
use crate::graph::Compiled;
use crate::plan::data_tests::DataTest;
use crate::plan::{Action, NodePlan, PlanOptions, Step, RUN_ID_PLACEHOLDER};
use crate::project::NodeKind;
use crate::t;
use results::{NodeResult, RunResults, Status};
use runner::{Event, Job};

/// What to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The command name, for run_results.json.
    pub command: String,
    /// Node kinds whose steps run (models, seeds, snapshots).
    pub kinds: Vec<NodeKind>,
    /// Run data tests of the selected nodes.
    pub tests: bool,
    /// Concurrent nodes.
    pub threads: usize,
    /// Rebuild incremental models and snapshots.
    pub full_refresh: bool,
    /// Plan date.
    pub as_of: String,
    /// Command line, for run_results.json.
    pub args: Vec<String>,
    /// Resume the last run if it was interrupted (see [`crate::execute::journal`]).
    pub resume: bool,
    /// Take over the target's run lock if its lease ran out.
    pub break_lock: bool,
    /// What is asked for (`--select`, `--exclude`, `--full-refresh`): a resume must match.
    pub selection: crate::execute::journal::Selection,
    /// A reviewed plan (`karte build --plan`): run exactly it, if the catalog did not change
    /// since it was planned.
    pub reviewed: Option<crate::plan::Plan>,
    /// The sources' states read before the run: what each node built now is recorded as built
    /// from (`source_status:`). None: nothing is recorded.
    pub sources: Option<std::sync::Arc<source_status::SourceStates>>,
}

/// One unit of work of a build.
pub enum Work {
    /// Build a node.
    Node(NodePlan),
    /// Run a data test.
    Test(DataTest),
}

/// Where a run starts: a new run id and plan, or an interrupted run's.
struct Start {
    run_id: String,
    plan_nodes: Vec<NodePlan>,
    tests: Vec<DataTest>,
    done: std::collections::HashSet<String>,
    interrupted: std::collections::HashSet<String>,
    replaced: HashMap<String, Vec<String>>,
    generations: crate::execute::journal::Generations,
}

/// The interrupted run on this target to resume, if any (fetched from the mirror when it ran
/// on another machine); refused when this build asks for something else than it did.
fn find_resumable(
    c: &Compiled,
    opts: &RunOptions,
    mirror: Option<&dyn crate::engine::mirror::Mirror>,
) -> Result<Option<(crate::execute::journal::Incomplete, Option<String>)>, Diagnostics> {
    if !opts.resume {
        return Ok(None);
    }
    let mut fetched_from = None;
    if let Some(m) = mirror {
        let fetched = crate::execute::journal::fetch(&c.project.root, m, None)
            .map_err(|e| e.into_diagnostics(&t!("run-cannot-read-journal-copy")))?;
        fetched_from = fetched.map(|run| m.location(&run));
    }
    let Some(inc) =
        crate::execute::journal::find_incomplete(&c.project.root, &c.target.name, &opts.command)
    else {
        return Ok(None);
    };
    if inc.plan.selection != opts.selection {
        return Err(Diagnostics(vec![Diagnostic::error(
            Code::InvalidArgument,
            t!(
                "run-resume-other-selection",
                run = inc.plan.run_id,
                target = c.target.name,
                was = inc.plan.selection.describe(),
                now = opts.selection.describe()
            ),
        )
        .help(t!(
            "run-resume-other-selection-help",
            command = opts.command.to_string(),
            run = inc.plan.run_id
        ))]));
    }
    if let Some(p) = &opts.reviewed {
        // Resuming the interrupted run of this very plan needs no check: the run itself
        // changed the catalog. Another plan's run is finished first.
        if inc.plan.nodes != p.nodes {
            return Err(Diagnostics(vec![Diagnostic::error(
                Code::PlanStale,
                t!(
                    "run-resume-other-plan",
                    run = inc.plan.run_id,
                    target = c.target.name
                ),
            )
            .help(t!("run-resume-other-plan-help", run = inc.plan.run_id))]));
        }
    }
    let fetched_from = fetched_from.filter(|loc| loc.contains(&inc.plan.run_id));
    Ok(Some((inc, fetched_from)))
}

/// Resume `resumed`, run the reviewed plan, or plan `nodes` against `catalog`.
fn start(
    c: &Compiled,
    opts: &RunOptions,
    catalog: &crate::plan::CatalogState,
    nodes: &[usize],
    resumed: Option<(crate::execute::journal::Incomplete, Option<String>)>,
) -> Result<Start, Diagnostics> {
    let fresh = |plan_nodes: Vec<NodePlan>, tests: Vec<DataTest>| Start {
        run_id: new_run_id(),
        plan_nodes,
        tests,
        done: Default::default(),
        interrupted: Default::default(),
        replaced: HashMap::new(),
        generations: Default::default(),
    };
    match (resumed, &opts.reviewed) {
        (Some((inc, fetched_from)), _) => {
            let copied = fetched_from
                .map(|loc| t!("run-resuming-copied", location = loc))
                .unwrap_or_default();
            eprintln!(
                "{}",
                t!(
                    "run-resuming",
                    run = inc.plan.run_id,
                    target = c.target.name,
                    copied = copied,
                    done = inc.done.len().to_string()
                )
            );
            // The journal keeps the nodes' steps; the tests are planned again (they write
            // nothing but stored failures, which they replace).
            let tests = if opts.tests {
                crate::plan::data_tests::collect(c, &c.selected).map_err(Diagnostics)?
            } else {
                Vec::new()
            };
            Ok(Start {
                run_id: inc.plan.run_id,
                plan_nodes: inc.plan.nodes,
                tests,
                done: inc.done,
                interrupted: inc.interrupted,
                replaced: inc.replaced,
                generations: inc.generations,
            })
        }
        (None, Some(p)) => {
            check_reviewed(c, p, catalog)?;
            let tests = if opts.tests {
                p.tests.clone()
            } else {
                Vec::new()
            };
            Ok(fresh(p.nodes.clone(), tests))
        }
        (None, None) => {
            let plan = crate::plan::plan_nodes(
                c,
                nodes,
                catalog,
                &PlanOptions {
                    full_refresh: opts.full_refresh,
                    as_of: opts.as_of.clone(),
                    tests: opts.tests,
                },
            )?;
            Ok(fresh(plan.nodes, plan.tests))
        }
    }
}

/// The jobs of a run: nodes that have steps (ephemeral models have none), then data tests. A
/// node waits for its nearest built ancestors and for their tests.
fn jobs(c: &Compiled, plan_nodes: &[NodePlan], data_tests: Vec<DataTest>) -> Vec<Job<Work>> {
    let node_of_id: HashMap<String, usize> = (0..c.project.nodes.len())
        .map(|i| (c.project.node_id(i), i))
        .collect();
    let mut jobs: Vec<Job<Work>> = Vec::new();
    let mut job_of_node: HashMap<usize, usize> = HashMap::new();
    for np in plan_nodes {
        if np.steps.is_empty() {
            continue;
        }
        let Some(&node) = node_of_id.get(&np.unique_id) else {
            continue;
        };
        job_of_node.insert(node, jobs.len());
        jobs.push(Job {
            unique_id: np.unique_id.clone(),
            name: np.name.clone(),
            kind: c.project.nodes[node].kind.as_str().to_string(),
            deps: Vec::new(),
            expected: None,
            work: Work::Node(np.clone()),
        });
    }
    let mut tests_of_node: HashMap<usize, Vec<usize>> = HashMap::new();
    // Tests of a source (`source.<project>.<source>.<table>`): the models reading it wait.
    let mut tests_of_source: HashMap<String, Vec<usize>> = HashMap::new();
    for t in data_tests {
        if let Some(source) = t.depends_on.first().filter(|id| id.starts_with("source.")) {
            tests_of_source
                .entry(source.clone())
                .or_default()
                .push(jobs.len());
        }
        let nodes: Vec<usize> = t
            .depends_on
            .iter()
            .filter_map(|id| node_of_id.get(id).copied())
            .collect();
        let deps: Vec<usize> = nodes
            .iter()
            .filter_map(|n| job_of_node.get(n).copied())
            .collect();
        let j = jobs.len();
        if let Some(&tested) = nodes.first() {
            tests_of_node.entry(tested).or_default().push(j);
        }
        jobs.push(Job {
            unique_id: t.unique_id.clone(),
            name: t.name.clone(),
            kind: "test".into(),
            deps,
            expected: None,
            work: Work::Test(t),
        });
    }
    // A node waits for the nearest built ancestors and for their tests.
    for (&node, &j) in &job_of_node {
        let mut deps = Vec::new();
        let mut stack = c.graph.parents(node);
        let mut seen = std::collections::HashSet::new();
        while let Some(p) = stack.pop() {
            if !seen.insert(p) {
                continue;
            }
            match job_of_node.get(&p) {
                Some(&pj) => {
                    deps.push(pj);
                    deps.extend(tests_of_node.get(&p).into_iter().flatten().copied());
                }
                None => stack.extend(c.graph.parents(p)),
            }
        }
        for d in c
            .model(node)
            .map(|m| m.depends_on.as_slice())
            .unwrap_or_default()
        {
            if let crate::sql::Dependency::Source(s) = d {
                let id = c.project.source_id(*s);
                deps.extend(tests_of_source.get(&id).into_iter().flatten().copied());
            }
        }
        deps.sort_unstable();
        deps.dedup();
        jobs[j].deps = deps;
    }

    jobs
}

/// Run one step on the engine, its engine operations named by the step (for the kill tests'
/// `count-ops` and `exit-at-op:<step>:<k>`; nothing is done unless operations are counted).
fn run_step(
    engine: &dyn Engine,
    step: &Step,
    ctx: &crate::engine::WorkCtx,
) -> Result<crate::engine::StepOutcome, crate::engine::EngineError> {
    let _work = crate::engine::failpoint::working_on(&step.id);
    engine.run_step(step, ctx)
}

/// Refuse a reviewed plan when a table it writes changed in the catalog since it was planned.
fn check_reviewed(
    c: &Compiled,
    p: &crate::plan::Plan,
    catalog: &crate::plan::CatalogState,
) -> Result<(), Diagnostics> {
    let planned = &p.reviewed.as_ref().expect("a reviewed plan").catalog;
    let now = crate::plan::reviewed::fingerprints(c, &p.nodes, catalog);
    let changed = crate::plan::reviewed::changed(planned, &now);
    if changed.is_empty() {
        return Ok(());
    }
    Err(Diagnostics(vec![Diagnostic::error(
        Code::PlanStale,
        t!("run-plan-stale", changes = changed.join("; ")),
    )
    .help(t!("run-plan-stale-help"))]))
}

/// A new run id: `run_YYYYMMDD_HHMMSS_mmm` (valid in table names and paths).
pub fn new_run_id() -> String {
    chrono::Utc::now()
        .format("run_%Y%m%d_%H%M%S_%3f")
        .to_string()
}

/// What a progress display sees of a run.
pub enum RunEvent<'a> {
    /// The run is planned and starts: its id and how many jobs (nodes and tests) it has.
    Begin {
        /// The run id.
        run_id: &'a str,
        /// Jobs in the run.
        total: usize,
        /// Jobs run at the same time.
        threads: usize,
    },
    /// A job started or ended.
    Job(&'a Job<Work>, Event<'a>),
}

/// Plan and build against `catalog` (the engine's catalog state, read once by the caller).
/// `on_event` sees the run begin and every job start and end (for progress output).
pub fn execute(
    c: &Compiled,
    engine: &dyn Engine,
    opts: &RunOptions,
    cancel: &AtomicBool,
    on_event: &(dyn Fn(RunEvent) + Sync),
    check_sql: &(dyn Fn(&Compiled, &[usize]) -> Diagnostics + Sync),
    catalog: &crate::plan::CatalogState,
) -> Result<RunResults, Diagnostics> {
    let started = std::time::Instant::now();
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let nodes: Vec<usize> = c
        .selected
        .iter()
        .copied()
        .filter(|&i| opts.kinds.contains(&c.project.nodes[i].kind))
        .collect();
    let pre = check_sql(c, &nodes);
    if pre.has_errors() {
        return Err(pre);
    }
    // One run at a time per target: the lock is taken before anything is written (and before
    // an interrupted run is looked for, so that a run still alive is never joined).
    let _lock = engine
        .lock(
            &c.target.name,
            &crate::engine::lock::Holder::this_process(&opts.command),
            opts.break_lock,
        )
        .map_err(crate::engine::lock::diagnostic)?;
    let mirror = engine
        .journal_mirror(&c.target.name)
        .map_err(|e| e.into_diagnostics(&t!("run-journal-copy")))?;
    let resumed = find_resumable(c, opts, mirror.as_deref())?;
    let is_resumed = resumed.is_some();
    let Start {
        run_id,
        plan_nodes,
        tests,
        done,
        interrupted,
        replaced,
        generations,
    } = start(c, opts, catalog, &nodes, resumed)?;
    let journal = std::sync::Arc::new(
        crate::execute::journal::Journal::open(
            &c.project.root,
            &run_id,
            &c.target.name,
            &opts.command,
            &opts.selection,
            &plan_nodes,
            done,
            interrupted,
            mirror.clone(),
        )
        .map_err(|e| {
            Diagnostics(vec![Diagnostic::error(
                Code::Io,
                t!("run-cannot-write-journal-under", error = e.to_string()),
            )])
        })?,
    );
    let mut jobs = jobs(c, &plan_nodes, tests);
    // The last runs' durations order the ready jobs (longest remaining path first).
    let took = last_durations(&c.project.root, &c.target.name);
    for j in &mut jobs {
        j.expected = took.get(&j.unique_id).copied();
    }

    // Schemas first, one at a time: a node's table may be written into a schema whose
    // CreateSchema step belongs to another node, and concurrent catalog writes conflict.
    let mut schema_steps: std::collections::HashSet<String> = Default::default();
    let mut schemas_made: std::collections::HashSet<String> = Default::default();
    for step in plan_nodes.iter().flat_map(|np| &np.steps) {
        let Action::CreateSchema { schema } = &step.action else {
            continue;
        };
        schema_steps.insert(step.id.clone());
        if journal.is_done(&step.id) || !schemas_made.insert(schema.clone()) {
            continue;
        }
        crate::engine::failpoint::before_step(&step.id);
        run_step(
            engine,
            step,
            &work_ctx(&run_id, &step.id, is_resumed, &generations, &journal),
        )
        .map_err(|e| {
            e.into_diagnostics(&t!("run-cannot-create-schema", schema = schema.to_string()))
        })?;
        let _ = journal.write(&JournalEvent::Done {
            step: step.id.clone(),
            query_ids: Vec::new(),
            replaced: Vec::new(),
        });
        crate::engine::failpoint::after_step(&step.id);
    }
    let run = Run {
        engine,
        journal: &journal,
        run_id: &run_id,
        resumed: is_resumed,
        generations: &generations,
        vault: Vault::from_env(&c.project.config.secrets),
        schema_steps: &schema_steps,
        replaced: &replaced,
    };
    let exec = |job: &Job<Work>| -> NodeResult {
        let mut r = NodeResult::new(&job.unique_id, &job.name, &job.kind, Status::Success);
        match &job.work {
            Work::Node(np) => run.node(np, &mut r),
            Work::Test(t) => data_tests::run(engine, t, &run.vault, &run.ctx(&t.unique_id), &mut r),
        }
        r
    };
    let events = |e: Event| {
        let i = match e {
            Event::Started(i) | Event::Finished(i, _) => i,
        };
        on_event(RunEvent::Job(&jobs[i], e));
    };
    on_event(RunEvent::Begin {
        run_id: &run_id,
        total: jobs.len(),
        threads: opts.threads,
    });
    let results = runner::run(&jobs, opts.threads, cancel, &exec, &events);
    let interrupted = cancel.load(std::sync::atomic::Ordering::SeqCst);
    let status = if interrupted {
        "interrupted"
    } else if results.iter().any(|r| r.status == Status::Error) {
        "failed"
    } else {
        "success"
    };
    let _ = journal.write(&JournalEvent::Finished {
        status: status.to_string(),
        failed: results
            .iter()
            .filter(|r| matches!(r.status, Status::Error | Status::Fail | Status::Skipped))
            .map(|r| r.unique_id.clone())
            .collect(),
    });
    // What the nodes built now were built from. A resumed run's earlier part read the sources
    // as they were then, so it records nothing (its nodes are fresher next time, not missed).
    if let (Some(states), false) = (&opts.sources, is_resumed) {
        let record = states.record(c, &run_id, &results);
        if let Err(e) = source_status::write(&c.project.root, &run_id, &record, mirror.as_deref()) {
            eprintln!("{}", t!("run-cannot-record-sources", error = e.to_string()));
        }
    }
    crate::diag::timings::report_spans();
    Ok(RunResults {
        run_id: run_id.clone(),
        command: opts.command.clone(),
        target: c.target.name.clone(),
        started_at,
        elapsed: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        args: opts.args.clone(),
        interrupted,
        results,
        notifications: Vec::new(),
    })
}

/// What every job of one run shares.
struct Run<'a> {
    engine: &'a dyn Engine,
    journal: &'a std::sync::Arc<crate::execute::journal::Journal>,
    run_id: &'a str,
    resumed: bool,
    generations: &'a crate::execute::journal::Generations,
    vault: Vault<'a>,
    /// CreateSchema steps, run before the jobs.
    schema_steps: &'a std::collections::HashSet<String>,
    /// Partition locations a resumed run's RegisterPartitions steps replaced.
    replaced: &'a HashMap<String, Vec<String>>,
}

impl Run<'_> {
    fn ctx(&self, work_id: &str) -> crate::engine::WorkCtx {
        work_ctx(
            self.run_id,
            work_id,
            self.resumed,
            self.generations,
            self.journal,
        )
    }

    /// Run a node's steps in order, into `r`; the first failing step ends the node.
    fn node(&self, np: &NodePlan, r: &mut NodeResult) {
        for step in &np.steps {
            match self.step(step) {
                Ok(None) => {}
                Ok(Some(out)) => {
                    if let Some(n) = out.rows_affected.filter(|_| step.writes_data()) {
                        r.rows_affected = Some(r.rows_affected.unwrap_or(0) + n);
                    }
                    r.query_ids.extend(out.query_ids);
                    if let Some(b) = out.bytes_scanned {
                        r.bytes_scanned = Some(r.bytes_scanned.unwrap_or(0) + b);
                    }
                }
                Err(message) => {
                    r.status = Status::Error;
                    r.message = Some(t!(
                        "run-step-failed",
                        message = message,
                        step = step.id.to_string(),
                        path = np.path.to_string()
                    ));
                    return;
                }
            }
        }
    }

    /// Run one step with its run-time values filled in, journaled before and after (None: a
    /// resumed run did it already, or it ran before the jobs); a step a killed run left
    /// half-done is cleaned up first. Errors are redacted of the secrets filled in.
    fn step(&self, step: &Step) -> Result<Option<crate::engine::StepOutcome>, String> {
        let span = crate::diag::timings::span("run: runtime values");
        let (step, filled) = with_runtime_values(step, self.run_id, &self.vault)?;
        drop(span);
        if self.journal.is_done(&step.id) || self.schema_steps.contains(&step.id) {
            if let (Action::RegisterPartitions { table, .. }, Some(locations)) =
                (&step.action, self.replaced.get(&step.id))
            {
                self.engine.remember_replaced(table, locations.clone());
            }
            return Ok(None);
        }
        if self.journal.was_interrupted(&step.id) {
            // Killed mid-step last time: remove what it may have half-written.
            self.engine.discard_partial(&step).map_err(|e| {
                t!(
                    "run-cannot-clean-up",
                    error = filled.redact_error(e).message
                )
            })?;
        }
        journal_before(self.journal, self.engine, &step)?;
        crate::engine::failpoint::before_step(&step.id);
        let span = crate::diag::timings::span(step_kind(&step.action));
        let outcome =
            run_step(self.engine, &step, &self.ctx(&step.id)).map_err(|e| filled.redact_error(e));
        drop(span);
        let logged = match &outcome {
            Ok(out) => self.journal.write(&JournalEvent::Done {
                step: step.id.clone(),
                query_ids: out.query_ids.clone(),
                replaced: out.replaced.clone(),
            }),
            Err(e) => self.journal.write(&JournalEvent::Failed {
                step: step.id.clone(),
                message: e.message.clone(),
            }),
        };
        logged.map_err(|e| t!("run-cannot-write-journal", error = e.to_string()))?;
        if let (Ok(_), Action::SwapTable { table, .. }) = (&outcome, &step.action) {
            // What the swap installed, for a rollback's check (best effort).
            let span = crate::diag::timings::span("run: table version");
            let version = self.engine.table_version(table);
            drop(span);
            if let Ok(current) = version {
                let _ = self.journal.write(&JournalEvent::Installed {
                    step: step.id.clone(),
                    table: table.clone(),
                    current,
                });
            }
        }
        crate::engine::failpoint::after_step(&step.id);
        outcome.map(Some).map_err(|e| e.message)
    }
}

/// A step's kind, as [`crate::diag::timings::span`] names it.
fn step_kind(action: &Action) -> &'static str {
    match action {
        Action::CreateSchema { .. } => "step: create schema",
        Action::Sql { .. } => "step: sql",
        Action::BatchedWrite { .. } => "step: batched write",
        Action::LoadSeed { .. } => "step: load seed",
        Action::CheckSchema { .. } => "step: check schema",
        Action::SwapTable { .. } => "step: swap",
        Action::RegisterPartitions { .. } => "step: register partitions",
        Action::AppendFiles { .. } => "step: append files",
        Action::SetParameters { .. } => "step: set parameters",
        Action::MaintainIceberg { .. } => "step: maintain iceberg",
        Action::DeleteReplacedPartitions { .. } => "step: delete replaced",
        Action::DropPartitions { .. } => "step: drop partitions",
        Action::DropCatalogEntry { .. } => "step: drop entry",
        Action::DeletePrefix { .. } => "step: delete prefix",
        Action::ExpireCatalogVersions { .. } => "step: expire versions",
        Action::RevokeLakeFormation { .. } | Action::GrantLakeFormation { .. } => "step: grants",
    }
}

/// The context of one unit of work: its run, whether the run is resumed, the token
/// generations journaled for it, and a hook that journals a resubmission.
fn work_ctx(
    run_id: &str,
    work_id: &str,
    resumed: bool,
    generations: &crate::execute::journal::Generations,
    journal: &std::sync::Arc<crate::execute::journal::Journal>,
) -> crate::engine::WorkCtx {
    let journal = journal.clone();
    let step = work_id.to_string();
    crate::engine::WorkCtx {
        run_id: run_id.to_string(),
        work_id: work_id.to_string(),
        resumed,
        generations: generations.get(work_id).cloned().unwrap_or_default(),
        on_resubmit: Some(std::sync::Arc::new(move |statement, generation| {
            // If the line is lost, a later resume starts from an older generation: it meets
            // that execution, sees it failed, and moves on once more.
            let _ = journal.write(&JournalEvent::Resubmitted {
                step: step.clone(),
                statement,
                generation,
            });
        })),
    }
}

/// Journal a step's start; before a swap, also the catalog entry it replaces.
fn journal_before(
    journal: &crate::execute::journal::Journal,
    engine: &dyn Engine,
    step: &Step,
) -> Result<(), String> {
    if let Action::SwapTable { table, .. } = &step.action {
        let _span = crate::diag::timings::span("run: table snapshot");
        let previous = engine.table_snapshot(table).map_err(|e| {
            t!(
                "run-cannot-read-before-swap",
                table = table.to_string(),
                error = e.message
            )
        })?;
        journal
            .write(&JournalEvent::Replacing {
                step: step.id.clone(),
                table: table.clone(),
                previous,
            })
            .map_err(|e| t!("run-cannot-write-journal", error = e.to_string()))?;
    }
    journal
        .write(&JournalEvent::Started {
            step: step.id.clone(),
        })
        .map_err(|e| t!("run-cannot-write-journal", error = e.to_string()))
}

pub use crate::sql::secrets::SECRET_PREFIX;

/// A step with `{run_id}` and the `{secret:NAME}` placeholders filled in (declared secrets
/// only, see [`crate::execute::secrets`]), and the secrets filled, to redact from the engine's messages.
pub fn with_runtime_values(
    step: &Step,
    run_id: &str,
    vault: &Vault,
) -> Result<(Step, Filled), String> {
    let json = serde_json::to_string(step)
        .expect("steps serialise")
        .replace(RUN_ID_PLACEHOLDER, run_id);
    if let Action::Sql {
        sql,
        writes: Some(crate::plan::step::Writes::View { .. }),
        ..
    } = &step.action
    {
        if sql.contains(SECRET_PREFIX) {
            return Err(t!("run-secret-in-view"));
        }
    }
    // SQL string content (quotes doubled), then JSON string content.
    let (json, filled) = vault.fill(&json, &|value| {
        let encoded = serde_json::to_string(&value.replace('\'', "''")).expect("strings serialise");
        encoded[1..encoded.len() - 1].to_string()
    })?;
    Ok((
        serde_json::from_str(&json).expect("steps deserialise"),
        filled,
    ))
}

/// Write `target/run_results.json`, and a copy in the run's journal folder for `karte runs`.
pub fn write_results(root: &std::path::Path, results: &RunResults) -> Result<(), Diagnostic> {
    let path = root.join("target").join("run_results.json");
    let json = serde_json::to_string_pretty(results).expect("results serialise") + "\n";
    let kept = journal::run_dir(root, &results.run_id);
    if kept.is_dir() {
        let _ = std::fs::write(kept.join("run_results.json"), &json);
    }
    std::fs::create_dir_all(root.join("target"))
        .and_then(|_| std::fs::write(&path, json))
        .map_err(|e| {
            Diagnostic::error(
                Code::Io,
                t!(
                    "run-cannot-write-file",
                    path = path.display().to_string(),
                    error = e.to_string()
                ),
            )
        })
}

/// Runs looked at for [`last_durations`].
const DURATION_RUNS: usize = 10;

/// How long each node and test took when it last ran on `target`, from the newest runs' results
/// kept in the journals (seconds, by unique id).
pub fn last_durations(root: &std::path::Path, target: &str) -> HashMap<String, f64> {
    let mut took = HashMap::new();
    for run in journal::run_ids(root).into_iter().rev().take(DURATION_RUNS) {
        let Ok(text) =
            std::fs::read_to_string(journal::run_dir(root, &run).join("run_results.json"))
        else {
            continue;
        };
        let Ok(r) = serde_json::from_str::<RunResults>(&text) else {
            continue;
        };
        if r.target != target {
            continue;
        }
        for n in r.results {
            if n.status != Status::Skipped && n.execution_time > 0.0 {
                took.entry(n.unique_id).or_insert(n.execution_time);
            }
        }
    }
    took
}

/// Read the last `target/run_results.json`.
pub fn read_results(root: &std::path::Path) -> Result<RunResults, Diagnostic> {
    let path = root.join("target").join("run_results.json");
    let text = std::fs::read_to_string(&path).map_err(|_| {
        Diagnostic::error(Code::InvalidArgument, t!("run-no-previous-run"))
            .help(t!("run-no-previous-run-help"))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Diagnostic::error(
            Code::InvalidArgument,
            t!("run-results-unreadable", error = e.to_string()),
        )
    })
}

#[cfg(test)]
mod unit_tests {
    use super::*;
    use crate::plan::step::Action;

    fn step(sql: &str) -> Step {
        Step {
            id: "m/01-sql".into(),
            action: Action::Sql {
                purpose: "p".into(),
                sql: sql.into(),
                writes: None,
            },
            depends_on: Vec::new(),
            destroys: Vec::new(),
            idempotency_key: "k".into(),
        }
    }

    fn sql_of(s: &Step) -> &str {
        match &s.action {
            Action::Sql { sql, .. } => sql,
            _ => unreachable!(),
        }
    }

    #[test]
    fn secrets_and_run_ids_are_filled_in_when_a_step_runs() {
        let declared = crate::project::Secrets(
            [("SALT".to_string(), None), ("NOPE".to_string(), None)].into(),
        );
        let vault = Vault::new(&declared, |n| {
            (n == "SALT").then(|| "s'3\"cr\\et".to_string())
        });
        let (s, filled) = with_runtime_values(
            &step("CREATE TABLE t__{run_id} AS SELECT hmac(x, '{secret:SALT}') FROM a"),
            "run_1",
            &vault,
        )
        .unwrap();
        assert_eq!(
            sql_of(&s),
            "CREATE TABLE t__run_1 AS SELECT hmac(x, 's''3\"cr\\et') FROM a"
        );
        assert_eq!(filled.redact("near 's''3\"cr\\et'"), "near '{secret:SALT}'");
        let err = with_runtime_values(&step("SELECT '{secret:NOPE}'"), "r", &vault).unwrap_err();
        assert!(err.contains("NOPE is not set"), "{err}");
        let err = with_runtime_values(&step("SELECT '{secret:HOME}'"), "r", &vault).unwrap_err();
        assert!(err.contains("`HOME` is not declared"), "{err}");
        let mut view = step("CREATE OR REPLACE VIEW v AS SELECT hmac(x, '{secret:SALT}') FROM a");
        if let Action::Sql { writes, .. } = &mut view.action {
            *writes = Some(crate::plan::step::Writes::View {
                view: crate::plan::TableRef {
                    schema: "s".into(),
                    name: "v".into(),
                },
            });
        }
        let err = with_runtime_values(&view, "r", &vault).unwrap_err();
        assert!(err.contains("cannot be used in a view"), "{err}");
    }

    #[test]
    fn a_secret_holding_placeholders_is_not_filled_again() {
        let declared =
            crate::project::Secrets([("A".to_string(), None), ("B".to_string(), None)].into());
        let vault = Vault::new(&declared, |n| match n {
            "A" => Some("{secret:B}{run_id}".to_string()),
            _ => Some("b".to_string()),
        });
        let (s, _) =
            with_runtime_values(&step("SELECT '{secret:A}', '{run_id}'"), "run_1", &vault).unwrap();
        assert_eq!(sql_of(&s), "SELECT '{secret:B}{run_id}', 'run_1'");
    }
}
