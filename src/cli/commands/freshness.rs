//! `karte source freshness`: how old each source and ingest table's newest data is.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::cli::{report, ProjectArgs, SelectArgs};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::execute::freshness::{self, Status};

/// Check the tables with `freshness:` bounds, print a line each (or JSON), tell the
/// notification channels, write `target/sources.json`. Returns false (exit 1) when one is too
/// old or cannot be measured.
pub fn run(args: &ProjectArgs, json: bool, no_notify: bool) -> Result<bool, Diagnostics> {
    let compiled = crate::compile(&args.compile_options(&SelectArgs::default())?)?;
    report(&compiled.diagnostics);
    let (engine, _stop) =
        crate::engine::open::engine(&compiled, Arc::new(AtomicBool::new(false)), None)?;
    let catalog = engine
        .catalog_state()
        .map_err(|e| e.into_diagnostics(&crate::t!("cmd-cannot-read-catalog")))?;
    let now = chrono::Utc::now();
    let run_id = crate::execute::new_run_id();
    let started = std::time::Instant::now();
    let results = freshness::check(&compiled, engine.as_ref(), &catalog, &run_id, now);
    let path = compiled.project.root.join("target").join("sources.json");
    let notifications = if no_notify || compiled.project.notifications.is_empty() {
        Vec::new()
    } else {
        let previous = freshness::previous(&path, &compiled.target.name);
        let as_run = freshness::as_run(
            &compiled,
            &results,
            &run_id,
            now,
            started.elapsed().as_secs_f64(),
        );
        let facts = crate::notify::RunFacts {
            previous,
            cost_usd: engine.cost_usd(),
        };
        crate::notify::send(&compiled, &as_run, &facts, &|name| std::env::var(name).ok())
    };
    let doc = serde_json::json!({
        "run_id": run_id,
        "checked_at": now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "target": compiled.target.name,
        "results": results,
        "notifications": notifications,
    });
    let text = serde_json::to_string_pretty(&doc).expect("results serialise") + "\n";
    std::fs::create_dir_all(compiled.project.root.join("target"))
        .and_then(|()| std::fs::write(&path, &text))
        .map_err(|e| {
            Diagnostics(vec![Diagnostic::error(
                Code::Io,
                crate::t!("cmd-cannot-write", path = path, error = e.to_string()),
            )])
        })?;
    if json {
        print!("{text}");
    } else if results.is_empty() {
        println!("{}", crate::t!("freshness-none"));
    } else {
        for r in &results {
            let verdict = match r.status {
                Status::Pass => crate::t!("freshness-ok"),
                Status::Warn => crate::t!("freshness-warn"),
                Status::Error => crate::t!("freshness-error"),
                Status::RuntimeError => crate::t!("freshness-error"),
            };
            let verdict = crate::cli::pad_end(&verdict, 5);
            match (&r.newest, r.age_seconds) {
                (Some(newest), Some(age)) => println!(
                    "{}",
                    crate::t!(
                        "freshness-line",
                        verdict = verdict,
                        name = r.name,
                        newest = newest,
                        age = freshness::human_age(age),
                        by = r.measured_by
                    )
                ),
                _ => println!(
                    "{}",
                    crate::t!(
                        "freshness-line-unknown",
                        verdict = verdict,
                        name = r.name,
                        message = r
                            .message
                            .clone()
                            .unwrap_or_else(|| crate::t!("freshness-unknown-age"))
                    )
                ),
            }
        }
    }
    crate::notify::report(&notifications);
    Ok(!results
        .iter()
        .any(|r| matches!(r.status, Status::Error | Status::RuntimeError)))
}
