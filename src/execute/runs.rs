//! `karte runs`: the recent runs of a project (from `target/journal/`), with status, duration,
//! bytes scanned and cost, and a run's slowest and most expensive nodes.

use std::path::Path;

use serde::Serialize;

use super::journal;
use super::results::{RunResults, Status};

/// One run.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// Run id (`run_YYYYMMDD_HHMMSS_mmm`, UTC).
    pub run_id: String,
    /// `build`, `run`, `seed`, `snapshot`, `test`, `retry`.
    pub command: String,
    /// Target.
    pub target: String,
    /// `success`, `failed`, `interrupted`, or `running` (no end recorded: running, or killed).
    pub status: String,
    /// When it started (UTC, RFC 3339), if its results were kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// Seconds, if its results were kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed: Option<f64>,
    /// Nodes and tests that succeeded or passed.
    pub ok: usize,
    /// That failed, errored or were skipped.
    pub not_ok: usize,
    /// Bytes its queries scanned (Athena).
    pub bytes_scanned: u64,
    /// What that cost, at the target's `usd_per_tb_scanned`.
    pub cost_usd: f64,
    /// Its node results (for the slowest and most expensive), if kept.
    #[serde(skip)]
    pub results: Option<RunResults>,
}

/// The runs journaled in the project, newest first; `usd_per_tb` prices bytes scanned.
pub fn list(project: &Path, usd_per_tb: f64) -> Vec<RunSummary> {
    let mut out: Vec<RunSummary> = journal::run_ids(project)
        .into_iter()
        .rev()
        .filter_map(|id| summary(project, &id, usd_per_tb))
        .collect();
    out.sort_by(|a, b| b.run_id.cmp(&a.run_id));
    out
}

fn summary(project: &Path, run_id: &str, usd_per_tb: f64) -> Option<RunSummary> {
    let journal::Outline {
        command,
        target,
        finished,
    } = journal::outline(&journal::events(project, run_id).ok()?);
    let status = finished.map(|(s, _)| s);
    let results: Option<RunResults> =
        std::fs::read_to_string(journal::run_dir(project, run_id).join("run_results.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
    let (mut ok, mut not_ok, mut bytes) = (0, 0, 0u64);
    for r in results.iter().flat_map(|r| &r.results) {
        match r.status {
            Status::Success | Status::Pass | Status::Warn => ok += 1,
            _ => not_ok += 1,
        }
        bytes += r.bytes_scanned.unwrap_or(0);
    }
    Some(RunSummary {
        run_id: run_id.to_string(),
        command,
        target,
        status: status.unwrap_or_else(|| "running".into()),
        started_at: results.as_ref().map(|r| r.started_at.clone()),
        elapsed: results.as_ref().map(|r| r.elapsed),
        ok,
        not_ok,
        bytes_scanned: bytes,
        cost_usd: crate::engine::cost_usd(bytes, usd_per_tb),
        results,
    })
}

/// A node of a run: (name, seconds, bytes scanned).
pub type NodeCost = (String, f64, u64);

/// The `n` nodes of a run that took longest, and the `n` that scanned most (none scanned
/// nothing).
pub fn top(run: &RunResults, n: usize) -> (Vec<NodeCost>, Vec<NodeCost>) {
    let rows: Vec<NodeCost> = run
        .results
        .iter()
        .map(|r| {
            (
                r.name.clone(),
                r.execution_time,
                r.bytes_scanned.unwrap_or(0),
            )
        })
        .collect();
    let mut slow = rows.clone();
    slow.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    slow.truncate(n);
    let mut costly: Vec<_> = rows.into_iter().filter(|r| r.2 > 0).collect();
    costly.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    costly.truncate(n);
    (slow, costly)
}
