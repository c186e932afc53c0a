//! `karte build`, `run`, `seed`, `snapshot`, `test`, `retry`: run the selected nodes on the
//! target's engine, with progress, a summary, and `target/run_results.json`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::cli::progress::{status_word, Progress, Reporting, RunOutput};
use crate::cli::{report, ProjectArgs, SelectArgs};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::execute::results::{RunResults, Status};
use crate::execute::RunOptions;
use crate::project::NodeKind;

/// What a run command runs.
pub struct RunArgs {
    /// Command name.
    pub command: &'static str,
    /// Node kinds built.
    pub kinds: Vec<NodeKind>,
    /// Run data tests.
    pub tests: bool,
    /// `--threads`: None for the target's `threads:` (else 4).
    pub threads: Option<usize>,
    /// Full refresh.
    pub full_refresh: bool,
    /// Start afresh even if the last run was interrupted.
    pub no_resume: bool,
    /// Take over a stale run lock.
    pub break_lock: bool,
    /// Athena: stop starting queries once this many bytes were scanned.
    pub max_bytes_scanned: Option<u64>,
    /// Run exactly this reviewed plan (`karte plan --out`).
    pub plan: Option<std::path::PathBuf>,
    /// `--defer`.
    pub defer: bool,
    /// Send no notification.
    pub no_notify: bool,
    /// `--wait-for-upstream`: wait for the upstream projects first.
    pub wait_for_upstream: Option<crate::upstream::wait::WaitOptions>,
    /// How the run reports (`--output`, `--quiet`).
    pub report: Reporting,
}

/// Read a plan written by `karte plan --out`.
fn read_reviewed(path: &std::path::Path) -> Result<crate::plan::Plan, Diagnostics> {
    let shown = crate::diag::display_path(path);
    let stale = |message: String| {
        Diagnostics(vec![
            Diagnostic::error(Code::PlanStale, message).help(crate::t!("e504-plan-help"))
        ])
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostics(vec![Diagnostic::error(
            Code::Io,
            crate::t!(
                "build-cannot-read-plan",
                file = shown,
                error = e.to_string()
            ),
        )])
    })?;
    let plan: crate::plan::Plan = serde_json::from_str(&text).map_err(|e| {
        stale(crate::t!(
            "e504-not-a-plan",
            file = shown,
            error = e.to_string()
        ))
    })?;
    if plan.plan_version != crate::plan::step::PLAN_VERSION {
        return Err(stale(crate::t!(
            "e504-plan-format",
            file = shown,
            format = plan.plan_version.to_string(),
            ours = crate::plan::step::PLAN_VERSION.to_string()
        )));
    }
    if plan.reviewed.is_none() {
        return Err(stale(crate::t!("e504-not-reviewed", file = shown)));
    }
    Ok(plan)
}

/// Run a build-like command. Returns Ok(true) if everything succeeded.
pub fn run(args: &ProjectArgs, select: &SelectArgs, r: RunArgs) -> Result<bool, Diagnostics> {
    let reviewed = r.plan.as_deref().map(read_reviewed).transpose()?;
    // A reviewed plan brings its own selection, date and --full-refresh.
    let mut r = r;
    let select = match &reviewed {
        Some(p) => {
            let seen = p.reviewed.as_ref().expect("checked");
            r.full_refresh = p.full_refresh;
            &SelectArgs {
                select: seen.select.clone(),
                exclude: seen.exclude.clone(),
                state: select.state.clone(),
            }
        }
        None => select,
    };
    let mut copts = args.compile_options(select)?;
    copts.defer = r.defer;
    // `source_status:` needs the catalog and the run journals: compile without the selection,
    // select once they are read.
    let by_status = reviewed.is_none()
        && crate::execute::source_status::selects_by_status(&copts.select, &copts.exclude);
    let compiled = if by_status {
        crate::compile(&crate::CompileOptions {
            select: Vec::new(),
            exclude: Vec::new(),
            ..copts.clone()
        })?
    } else {
        crate::compile(&copts)?
    };
    if let Some(p) = &reviewed {
        if (p.project.as_str(), p.target.as_str())
            != (
                compiled.project.config.name.as_str(),
                compiled.target.name.as_str(),
            )
        {
            return Err(Diagnostics(vec![Diagnostic::error(
                Code::PlanStale,
                crate::t!(
                    "e504-other-target",
                    project = p.project,
                    target = p.target,
                    this_project = compiled.project.config.name,
                    this_target = compiled.target.name
                ),
            )
            .help(crate::t!("e504-other-target-help", target = p.target))]));
        }
    }
    let root = compiled.project.root.clone();
    let own_runs = |mirror| crate::upstream::runs::OwnRuns {
        local: crate::upstream::runs::LocalRuns(root.join("target").join("journal")),
        mirror,
    };
    // `--wait-for-upstream`: locally before the engine opens (it reads the upstreams'
    // catalogs), on Athena with the engine's copy of this project's journals.
    let local = compiled.target.config.kind == crate::project::TargetType::Local;
    // A wait that gives up is a failure the notification channels hear about.
    let (waited_from, waiting) = (chrono::Utc::now(), std::time::Instant::now());
    let gave_up = |diags: Diagnostics, compiled: &crate::graph::Compiled| {
        if r.no_notify || compiled.project.notifications.is_empty() {
            return diags;
        }
        let elapsed = waiting.elapsed().as_secs_f64();
        if let Some(run) = crate::upstream::wait::as_run(compiled, &diags, waited_from, elapsed) {
            let facts = crate::notify::RunFacts {
                previous: None,
                cost_usd: None,
            };
            let sent =
                crate::notify::send(compiled, &run, &facts, &|name| std::env::var(name).ok());
            crate::notify::report(&sent);
        }
        diags
    };
    let mut upstream_runs = match r.wait_for_upstream {
        Some(w) if local => Some(
            crate::upstream::wait::wait(&compiled, &own_runs(None), w)
                .map_err(|d| gave_up(d, &compiled))?,
        ),
        _ => None,
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let (engine, stopper) =
        crate::engine::open::engine(&compiled, cancel.clone(), r.max_bytes_scanned)?;
    if let (Some(w), None) = (r.wait_for_upstream, &upstream_runs) {
        let mirror = engine
            .journal_mirror(&compiled.target.name)
            .map_err(|e| e.into_diagnostics(&crate::t!("build-cannot-read-journals-copy")))?;
        upstream_runs = Some(
            crate::upstream::wait::wait(&compiled, &own_runs(mirror), w)
                .map_err(|d| gave_up(d, &compiled))?,
        );
    }
    let catalog = engine
        .catalog_state()
        .map_err(|e| e.into_diagnostics(&crate::t!("cmd-cannot-read-catalog")))?;
    let mut compiled = compiled;
    // `test` builds nothing, so it records nothing (but may select by source status).
    let sources = if r.kinds.is_empty() && !by_status {
        None
    } else {
        let mirror = engine
            .journal_mirror(&compiled.target.name)
            .map_err(|e| e.into_diagnostics(&crate::t!("run-journal-copy")))?;
        let states = if by_status {
            let (states, warnings, fresher) = crate::execute::source_status::SourceStates::select(
                &mut compiled,
                engine.as_ref(),
                &catalog,
                mirror.as_deref(),
                (&copts.select, &copts.exclude),
            )?;
            report(&warnings);
            r.report
                .say(&crate::t!("run-fresher-count", count = fresher));
            states
        } else {
            let nodes = compiled.selected.clone();
            crate::execute::source_status::SourceStates::read(
                &compiled,
                engine.as_ref(),
                &catalog,
                &nodes,
                false,
                mirror.as_deref(),
            )
            .0
        };
        (!r.kinds.is_empty()).then(|| Arc::new(states))
    };
    let compiled = crate::compile_for_catalog(&copts, compiled, &catalog, r.full_refresh)?;
    // Warnings of the compile against the catalog (a source's columns may come from it) and
    // of `--defer`.
    report(&compiled.diagnostics);
    // target/manifest.json and the compiled SQL of what runs, as `karte compile` writes them:
    // the manifest is what downstream projects (`dependencies:`) read of this one.
    let full = select.select.is_empty() && select.exclude.is_empty();
    crate::artifacts::write(&compiled, full).map_err(|d| Diagnostics(vec![d]))?;
    {
        let cancel = cancel.clone();
        // A second Ctrl-C kills at once (running Athena queries are stopped first).
        let _ = ctrlc::set_handler(move || {
            if cancel.swap(true, Ordering::SeqCst) {
                if let Some(stop) = &stopper {
                    stop();
                }
                std::process::exit(130);
            }
            eprintln!("\n{}", crate::t!("build-interrupted"));
        });
    }
    let opts = RunOptions {
        command: r.command.to_string(),
        kinds: r.kinds,
        tests: r.tests,
        threads: r
            .threads
            .or(compiled.target.config.threads.map(|t| t as usize))
            .unwrap_or(DEFAULT_THREADS)
            .max(1),
        full_refresh: r.full_refresh,
        as_of: reviewed
            .as_ref()
            .map(|p| p.as_of.clone())
            .unwrap_or_else(crate::cli::commands::plan::today),
        args: std::env::args().skip(1).collect(),
        resume: !r.no_resume,
        break_lock: r.break_lock,
        selection: crate::execute::journal::Selection {
            select: copts.select.clone(),
            exclude: copts.exclude.clone(),
            full_refresh: r.full_refresh,
        },
        reviewed,
        sources,
    };
    let reporting = r.report;
    let progress = Progress::new(r.command, reporting);
    let on_event = |e: crate::execute::RunEvent| progress.event(e);
    let check = |c: &crate::graph::Compiled, nodes: &[usize]| {
        let mut found = engine_check(c, nodes);
        // A source with nothing loaded into it (E307), before the engine meets it.
        found.extend(crate::execute::inputs::check(c, nodes, &|rel| engine.relation_exists(rel)).0);
        found
    };
    let mut results = crate::execute::execute(
        &compiled,
        engine.as_ref(),
        &opts,
        &cancel,
        &on_event,
        &check,
        &catalog,
    )?;
    progress.finish(&results);

    if let Some(read) = &upstream_runs {
        // What the next `--wait-for-upstream` compares with.
        let mirror = engine.journal_mirror(&compiled.target.name).ok().flatten();
        if let Err(e) =
            crate::upstream::wait::record(&root, &results.run_id, read, mirror.as_deref())
        {
            eprintln!(
                "{}",
                crate::t!("build-upstream-not-recorded", error = e.to_string())
            );
        }
    }
    if !r.no_notify && !compiled.project.notifications.is_empty() {
        // The journals' copy (Athena) knows runs made on other machines.
        let mirror = engine.journal_mirror(&compiled.target.name).ok().flatten();
        let facts = crate::notify::RunFacts {
            previous: crate::execute::journal::previous_run(
                &root,
                &compiled.target.name,
                &results.run_id,
                mirror.as_deref(),
            ),
            cost_usd: engine.cost_usd(),
        };
        results.notifications = crate::notify::send(&compiled, &results, &facts, &|name| {
            std::env::var(name).ok()
        });
    }
    crate::execute::write_results(&root, &results).map_err(|d| Diagnostics(vec![d]))?;
    print_summary(&results, reporting);
    if let Some(line) = engine.summary() {
        reporting.say(&line);
    }
    if reporting.output == RunOutput::Text && !reporting.stdout_free {
        crate::notify::report(&results.notifications);
    }
    Ok(!results.failed())
}

/// Nodes built at the same time when neither `--threads` nor the target's `threads:` says.
pub const DEFAULT_THREADS: usize = 4;

/// `karte retry`: build again what failed or was skipped in the last run.
pub fn retry(
    args: &ProjectArgs,
    threads: Option<usize>,
    no_notify: bool,
) -> Result<bool, Diagnostics> {
    let root = args_root(args);
    let last = crate::execute::read_results(&root).map_err(|d| Diagnostics(vec![d]))?;
    let names: Vec<String> = last
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Error | Status::Skipped | Status::Fail))
        .filter(|r| r.kind != "test")
        .map(|r| r.name.clone())
        .collect();
    let failed_tests = last.results.iter().any(|r| {
        r.kind == "test" && matches!(r.status, Status::Error | Status::Fail | Status::Skipped)
    });
    if names.is_empty() && !failed_tests {
        println!("{}", crate::t!("retry-nothing", run = last.run_id));
        return Ok(true);
    }
    println!("{}", crate::t!("retry-starting", run = last.run_id));
    // Failed or skipped nodes are built again with their tests; if only tests failed, the
    // tests run again.
    let (select, kinds) = if names.is_empty() {
        (SelectArgs::default(), Vec::new())
    } else {
        (
            SelectArgs {
                select: vec![names.join(" ")],
                exclude: Vec::new(),
                state: None,
            },
            vec![NodeKind::Model, NodeKind::Seed, NodeKind::Snapshot],
        )
    };
    run(
        args,
        &select,
        RunArgs {
            command: "retry",
            kinds,
            tests: true,
            threads,
            full_refresh: false,
            no_resume: true,
            break_lock: false,
            max_bytes_scanned: None,
            plan: None,
            defer: false,
            no_notify,
            wait_for_upstream: None,
            report: Reporting::default(),
        },
    )
}

fn args_root(args: &ProjectArgs) -> std::path::PathBuf {
    args.compile_options(&SelectArgs::default())
        .map(|o| o.project_dir)
        .unwrap_or_else(|_| std::path::PathBuf::from("."))
}

/// `karte rollback RUN_ID`: put back the catalog entries the run's swaps replaced.
pub fn rollback(args: &ProjectArgs, run_id: &str, force: bool) -> Result<bool, Diagnostics> {
    let copts = args.compile_options(&SelectArgs::default())?;
    let compiled = crate::compile(&copts)?;
    let (engine, _) =
        crate::engine::open::engine(&compiled, Arc::new(AtomicBool::new(false)), None)?;
    let restored = crate::execute::rollback::rollback(&compiled, engine.as_ref(), run_id, force)?;
    if restored.is_empty() {
        println!("{}", crate::t!("rollback-nothing", run = run_id));
    }
    let mut ok = true;
    for r in &restored {
        match &r.outcome {
            Ok(true) => println!(
                "  {}",
                crate::t!("rollback-restored", table = r.table.to_string())
            ),
            Ok(false) => println!(
                "  {}",
                crate::t!("rollback-removed", table = r.table.to_string())
            ),
            Err(message) => {
                ok = false;
                println!(
                    "  {}",
                    crate::t!(
                        "rollback-failed",
                        table = r.table.to_string(),
                        error = message
                    )
                );
            }
        }
    }
    Ok(ok)
}

#[cfg(feature = "duckdb-engine")]
fn engine_check(c: &crate::graph::Compiled, nodes: &[usize]) -> Diagnostics {
    if c.target.config.kind == crate::project::TargetType::Local {
        crate::engine::duckdb::check_models(c, nodes)
    } else {
        Diagnostics::default()
    }
}

#[cfg(not(feature = "duckdb-engine"))]
fn engine_check(_: &crate::graph::Compiled, _: &[usize]) -> Diagnostics {
    Diagnostics::default()
}

fn print_summary(r: &RunResults, report: Reporting) {
    if report.quiet || report.output == RunOutput::Json {
        return;
    }
    let stderr = report.stdout_free;
    macro_rules! println {
        () => { if stderr { eprintln!() } else { crate::cli::stdio::out(format_args!("\n")) } };
        ($($t:tt)*) => {
            if stderr {
                eprintln!($($t)*)
            } else {
                crate::cli::stdio::out(format_args!("{}\n", format_args!($($t)*)))
            }
        };
    }
    println!();
    let seconds = format!("{:.2}", r.elapsed);
    println!(
        "{}",
        if r.interrupted {
            crate::t!(
                "summary-finished-interrupted",
                command = r.command,
                seconds = seconds,
                run = r.run_id
            )
        } else {
            crate::t!(
                "summary-finished",
                command = r.command,
                seconds = seconds,
                run = r.run_id
            )
        }
    );
    let mut kinds: Vec<&str> = r.results.iter().map(|x| x.kind.as_str()).collect();
    kinds.sort();
    kinds.dedup();
    // Columns as wide as their heading in the language shown (at least the English widths).
    let heads = [
        crate::t!("summary-col-ok"),
        crate::t!("summary-col-error"),
        crate::t!("summary-col-skip"),
        crate::t!("summary-col-pass"),
        crate::t!("summary-col-fail"),
        crate::t!("summary-col-warn"),
    ];
    let widths: Vec<usize> = [5, 6, 6, 5, 5, 5]
        .iter()
        .zip(&heads)
        .map(|(w, h)| (*w).max(crate::cli::text_width(h)))
        .collect();
    let labels: Vec<String> = kinds
        .iter()
        .map(|k| crate::t!("summary-kind", kind = *k))
        .collect();
    let first = labels
        .iter()
        .map(|l| crate::cli::text_width(l))
        .fold(10, usize::max);
    let row = |label: &str, cells: &[String]| {
        let mut line = format!("  {}", crate::cli::pad_end(label, first));
        for (c, w) in cells.iter().zip(&widths) {
            line.push(' ');
            line.push_str(&crate::cli::pad_start(c, *w));
        }
        line
    };
    println!("{}", row("", &heads));
    for (k, label) in kinds.iter().zip(&labels) {
        let count = |s: Status| {
            r.results
                .iter()
                .filter(|x| x.kind == *k && x.status == s)
                .count()
                .to_string()
        };
        let cells = [
            count(Status::Success),
            count(Status::Error),
            count(Status::Skipped),
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Warn),
        ];
        println!("{}", row(label, &cells));
    }
    for x in r
        .results
        .iter()
        .filter(|x| matches!(x.status, Status::Error | Status::Fail))
    {
        println!(
            "  {} {}: {}",
            status_word(&x.status),
            x.name,
            x.message.as_deref().unwrap_or("")
        );
    }
    if r.failed() {
        println!("{}", crate::t!("summary-see-results"));
    }
}
