//! `karte runs`: recent runs, newest first, and the slowest and most expensive nodes of one.

use crate::cli::ProjectArgs;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::execute::runs;

/// List up to `limit` runs (text or JSON); with `run`, that run's top nodes (else the newest's).
pub fn run(
    args: &ProjectArgs,
    limit: usize,
    run: Option<&str>,
    json: bool,
) -> Result<bool, Diagnostics> {
    let (project, _) = crate::project::load(&args.project_dir)?;
    let target = project
        .target(args.target.as_deref())
        .map_err(|d| Diagnostics(vec![d]))?;
    let usd_per_tb = target.config.usd_per_tb_scanned.unwrap_or(5.0);
    let all = runs::list(&project.root, usd_per_tb);
    let shown: Vec<&runs::RunSummary> = all
        .iter()
        .filter(|r| args.target.is_none() || r.target == target.name)
        .take(limit)
        .collect();
    let focus = match run {
        Some(id) => Some(all.iter().find(|r| r.run_id == id).ok_or_else(|| {
            Diagnostics(vec![Diagnostic::error(
                Code::InvalidArgument,
                crate::t!("runs-no-such-run", run = id),
            )
            .help(crate::t!("runs-no-such-run-help"))])
        })?),
        None => shown.first().copied(),
    };
    let top = focus
        .and_then(|r| r.results.as_ref())
        .map(|r| runs::top(r, 5));
    if json {
        let out = serde_json::json!({
            "runs": shown,
            "focus": focus.map(|r| &r.run_id),
            "slowest": top.as_ref().map(|t| &t.0),
            "most_expensive": top.as_ref().map(|t| &t.1),
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).expect("runs serialise")
        );
        return Ok(true);
    }
    if shown.is_empty() {
        println!("{}", crate::t!("runs-none"));
        return Ok(true);
    }
    use crate::cli::{pad_end as l, pad_start as r};
    println!(
        "{} {} {} {} {} {} {} {}",
        l(&crate::t!("runs-col-run"), 26),
        l(&crate::t!("runs-col-command"), 8),
        l(&crate::t!("runs-col-target"), 10),
        l(&crate::t!("runs-col-status"), 11),
        r(&crate::t!("runs-col-duration"), 9),
        r(&crate::t!("runs-col-ok"), 7),
        r(&crate::t!("runs-col-scanned"), 10),
        r(&crate::t!("runs-col-cost"), 9),
    );
    for r in &shown {
        println!(
            "{:<26} {:<8} {:<10} {:<11} {:>9} {:>7} {:>10} {:>9}",
            r.run_id,
            r.command,
            r.target,
            r.status,
            r.elapsed.map_or("-".into(), |s| format!("{s:.1}s")),
            format!("{}/{}", r.ok, r.not_ok),
            crate::project::ingest::show_size(r.bytes_scanned),
            format!("${:.4}", r.cost_usd),
        );
    }
    if let (Some(r), Some((slow, costly))) = (focus, &top) {
        println!("\n{}", crate::t!("runs-slowest", run = r.run_id));
        for (name, secs, _) in slow {
            println!("  {secs:>8.2}s  {name}");
        }
        if !costly.is_empty() {
            println!("{}", crate::t!("runs-most-expensive", run = r.run_id));
            for (name, _, bytes) in costly {
                println!(
                    "  {:>10}  ${:.4}  {name}",
                    crate::project::ingest::show_size(*bytes),
                    crate::engine::cost_usd(*bytes, usd_per_tb)
                );
            }
        }
    }
    Ok(true)
}
