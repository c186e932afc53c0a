//! `karte build`, `run`, `seed`, `snapshot`, `test`, `retry`: run the selected nodes on the
//! target's engine, with progress, a summary, and `target/run_results.json`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::cli::{report, ProjectArgs, SelectArgs};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::engine::build::{BuildOptions, Work};
use crate::engine::results::{RunResults, Status};
use crate::engine::runner::{Event, Job};
use crate::project::{NodeKind, TargetType};

/// What a run command runs.
pub struct RunArgs {
    /// Command name.
    pub command: &'static str,
    /// Node kinds built.
    pub kinds: Vec<NodeKind>,
    /// Run data tests.
    pub tests: bool,
    /// Threads.
    pub threads: usize,
    /// Full refresh.
    pub full_refresh: bool,
}

/// Run a build-like command. Returns Ok(true) if everything succeeded.
pub fn run(args: &ProjectArgs, select: &SelectArgs, r: RunArgs) -> Result<bool, Diagnostics> {
    let copts = args.compile_options(select)?;
    let compiled = crate::compile(&copts)?;
    report(&compiled.diagnostics);
    let root = compiled.project.root.clone();
    let engine = open_engine(&compiled)?;
    let catalog = engine.catalog_state().map_err(|e| {
        Diagnostics(vec![Diagnostic::error(
            Code::EngineFailed,
            format!("cannot read the catalog: {}", e.message),
        )])
    })?;
    let compiled = crate::compile_for_catalog(&copts, compiled, &catalog, r.full_refresh)?;
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let cancel = cancel.clone();
        // A second Ctrl-C kills at once (the default behaviour is restored by exiting).
        let _ = ctrlc::set_handler(move || {
            if cancel.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!("\ninterrupted: finishing the running steps, starting no new ones (Ctrl-C again to stop at once)");
        });
    }
    let opts = BuildOptions {
        command: r.command.to_string(),
        kinds: r.kinds,
        tests: r.tests,
        threads: r.threads.max(1),
        full_refresh: r.full_refresh,
        as_of: crate::cli::commands::plan::today(),
        args: std::env::args().skip(1).collect(),
    };
    let progress = Progress::new();
    let on_event = |job: &Job<Work>, e: Event| progress.event(job, e);
    let check = |c: &crate::Compiled, nodes: &[usize]| engine_check(c, nodes);
    let results = crate::engine::build::build(
        &compiled,
        engine.as_ref(),
        &opts,
        &cancel,
        &on_event,
        &check,
    )?;
    progress.finish();
    crate::engine::build::write_results(&root, &results).map_err(|d| Diagnostics(vec![d]))?;
    print_summary(&results);
    Ok(!results.failed())
}

/// `karte retry`: build again what failed or was skipped in the last run.
pub fn retry(args: &ProjectArgs, threads: usize) -> Result<bool, Diagnostics> {
    let root = args_root(args);
    let last = crate::engine::build::read_results(&root).map_err(|d| Diagnostics(vec![d]))?;
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
        println!("nothing to retry: the last run ({}) succeeded", last.run_id);
        return Ok(true);
    }
    println!("retrying what failed or was skipped in {}", last.run_id);
    // Failed or skipped nodes are built again with their tests; if only tests failed, the
    // tests run again.
    let (select, kinds) = if names.is_empty() {
        (SelectArgs::default(), Vec::new())
    } else {
        (
            SelectArgs {
                select: vec![names.join(" ")],
                exclude: Vec::new(),
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
        },
    )
}

fn args_root(args: &ProjectArgs) -> std::path::PathBuf {
    args.compile_options(&SelectArgs::default())
        .map(|o| o.project_dir)
        .unwrap_or_else(|_| std::path::PathBuf::from("."))
}

#[cfg(feature = "duckdb-engine")]
fn open_engine(c: &crate::Compiled) -> Result<Box<dyn crate::engine::Engine>, Diagnostics> {
    match c.target.config.kind {
        TargetType::Local => {
            let lake = c
                .target
                .config
                .lake_dir
                .clone()
                .unwrap_or_else(|| "target/lake".into());
            crate::engine::duckdb::LocalEngine::open(&c.project.root, &lake)
                .map(|e| Box::new(e) as Box<dyn crate::engine::Engine>)
                .map_err(|e| Diagnostics(vec![Diagnostic::error(Code::EngineFailed, e.message)]))
        }
        TargetType::Athena => Err(not_yet(c)),
    }
}

#[cfg(not(feature = "duckdb-engine"))]
fn open_engine(c: &crate::Compiled) -> Result<Box<dyn crate::engine::Engine>, Diagnostics> {
    Err(Diagnostics(vec![Diagnostic::error(
        Code::EngineFailed,
        format!(
            "this karte was built without the local engine, so target `{}` cannot run",
            c.target.name
        ),
    )
    .help("build karte with its default features")]))
}

#[cfg_attr(not(feature = "duckdb-engine"), allow(dead_code))]
fn not_yet(c: &crate::Compiled) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error(
        Code::EngineFailed,
        format!(
            "running on Athena (target `{}`) is not available in this version",
            c.target.name
        ),
    )
    .help(
        "`karte plan --target athena` shows what would run; build locally with the default target",
    )])
}

#[cfg(feature = "duckdb-engine")]
fn engine_check(c: &crate::Compiled, nodes: &[usize]) -> Diagnostics {
    if c.target.config.kind == TargetType::Local {
        crate::engine::duckdb::check_models(c, nodes)
    } else {
        Diagnostics::default()
    }
}

#[cfg(not(feature = "duckdb-engine"))]
fn engine_check(_: &crate::Compiled, _: &[usize]) -> Diagnostics {
    Diagnostics::default()
}

/// Progress: a bar on a terminal, one line per finished node otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    running: std::sync::Mutex<Vec<String>>,
    done: std::sync::atomic::AtomicUsize,
}

impl Progress {
    fn new() -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new(0);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:30}] {pos}/{len} {msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            b
        });
        Progress {
            bar,
            started: Instant::now(),
            running: std::sync::Mutex::new(Vec::new()),
            done: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn event(&self, job: &Job<Work>, e: Event) {
        match e {
            Event::Started(_) => {
                let mut running = self.running.lock().expect("progress");
                running.push(job.name.clone());
                if let Some(b) = &self.bar {
                    b.set_message(format!("running: {}", running.join(", ")));
                }
            }
            Event::Finished(_, r) => {
                let mut running = self.running.lock().expect("progress");
                running.retain(|n| n != &job.name);
                let n = self.done.fetch_add(1, Ordering::SeqCst) + 1;
                let line = format!(
                    "{:>4} {:<7} {:<9} {:<40} {:>7.2}s{}",
                    n,
                    status_word(&r.status),
                    r.kind,
                    r.name,
                    r.execution_time,
                    r.message
                        .as_deref()
                        .map(|m| format!("  {m}"))
                        .unwrap_or_default()
                );
                match &self.bar {
                    Some(b) => {
                        b.println(line);
                        b.inc(1);
                        b.set_message(format!("running: {}", running.join(", ")));
                    }
                    None => eprintln!("{line}"),
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        let _ = self.started;
    }
}

fn status_word(s: &Status) -> &'static str {
    match s {
        Status::Success => "OK",
        Status::Error => "ERROR",
        Status::Skipped => "SKIP",
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Warn => "WARN",
    }
}

fn print_summary(r: &RunResults) {
    println!();
    println!(
        "{} finished in {:.2}s ({}{})",
        r.command,
        r.elapsed,
        r.run_id,
        if r.interrupted { ", interrupted" } else { "" }
    );
    let mut kinds: Vec<&str> = r.results.iter().map(|x| x.kind.as_str()).collect();
    kinds.sort();
    kinds.dedup();
    println!(
        "  {:<10} {:>5} {:>6} {:>6} {:>5} {:>5} {:>5}",
        "", "ok", "error", "skip", "pass", "fail", "warn"
    );
    for k in kinds {
        let count = |s: Status| {
            r.results
                .iter()
                .filter(|x| x.kind == k && x.status == s)
                .count()
        };
        println!(
            "  {:<10} {:>5} {:>6} {:>6} {:>5} {:>5} {:>5}",
            k,
            count(Status::Success),
            count(Status::Error),
            count(Status::Skipped),
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Warn)
        );
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
        println!(
            "see target/run_results.json; `karte retry` runs again what failed or was skipped"
        );
    }
}
