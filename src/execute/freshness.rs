//! `karte source freshness`: how old the newest data of each source and ingest table is,
//! against its `freshness:` bounds. An ingest table's newest data is its newest delivery, from
//! the ingest manifest kept with the table in the catalog; a declared source's is
//! `max(loaded_at_field)`, queried on the target. Nothing is written to the lake.

use serde::Serialize;

use crate::engine::{Engine, WorkCtx};
use crate::graph::Compiled;
use crate::plan::CatalogState;
use crate::project::FreshnessAfter;

/// The verdict for one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Newer than both bounds.
    Pass,
    /// Older than `warn_after`.
    Warn,
    /// Older than `error_after`.
    Error,
    /// Its age could not be found (no table, no data, no `loaded_at_field`, a failed query).
    RuntimeError,
}

/// One source or ingest table.
#[derive(Debug, Clone, Serialize)]
pub struct SourceFreshness {
    /// `source.<project>.<source>.<table>`.
    pub unique_id: String,
    /// `<source>.<table>`.
    pub name: String,
    /// The verdict.
    pub status: Status,
    /// The newest data (UTC, RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest: Option<String>,
    /// Its age in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<i64>,
    /// Where the age comes from: `ingest manifest` or `max(<loaded_at_field>)`.
    pub measured_by: String,
    /// The bounds.
    pub warn_after_seconds: Option<i64>,
    /// The bounds.
    pub error_after_seconds: Option<i64>,
    /// Why the age is unknown (runtime errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Check every source and ingest table with `freshness:` bounds, as of `now`.
pub fn check(
    c: &Compiled,
    engine: &dyn Engine,
    catalog: &CatalogState,
    run_id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<SourceFreshness> {
    let ingest: std::collections::HashSet<(String, String)> = c
        .project
        .ingest
        .rules
        .iter()
        .map(|r| (r.layer.clone(), r.name.clone()))
        .collect();
    let mut out = Vec::new();
    for (i, s) in c.project.sources.iter().enumerate() {
        let Some(bounds) = &s.freshness else {
            continue;
        };
        if bounds.warn_after.is_none() && bounds.error_after.is_none() {
            continue;
        }
        let is_ingest = ingest.contains(&(s.source.clone(), s.name.clone()));
        let (measured_by, newest) = if is_ingest {
            let schema = c.target.schema(&s.schema);
            let newest = catalog.get(&schema, &s.identifier).and_then(|t| {
                t.ingested
                    .iter()
                    .chain(t.partitions.iter().filter_map(|p| p.ingested.as_ref()))
                    .filter_map(|f| parse_time(&f.ingested_at))
                    .max()
            });
            let newest = newest.ok_or_else(|| {
                crate::t!(
                    "run-freshness-not-ingested",
                    table = format!("{}.{}", s.source, s.name)
                )
            });
            ("ingest manifest".to_string(), newest)
        } else if let Some(field) = &s.loaded_at_field {
            let newest = max_loaded_at(c, engine, i, field, run_id, "freshness").and_then(|v| {
                v.as_deref()
                    .and_then(parse_time)
                    .ok_or_else(|| crate::t!("run-freshness-not-a-time", field = field))
            });
            (format!("max({field})"), newest)
        } else {
            (String::new(), Err(crate::t!("run-freshness-no-field")))
        };
        let seconds = |a: &Option<FreshnessAfter>| a.as_ref().map(FreshnessAfter::seconds);
        let (warn, error) = (seconds(&bounds.warn_after), seconds(&bounds.error_after));
        let mut r = SourceFreshness {
            unique_id: c.project.source_id(i),
            name: format!("{}.{}", s.source, s.name),
            status: Status::RuntimeError,
            newest: None,
            age_seconds: None,
            measured_by,
            warn_after_seconds: warn,
            error_after_seconds: error,
            message: None,
        };
        match newest {
            Ok(t) => {
                let age = (now - t).num_seconds();
                r.newest = Some(t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
                r.age_seconds = Some(age);
                r.status = if error.is_some_and(|e| age > e) {
                    Status::Error
                } else if warn.is_some_and(|w| age > w) {
                    Status::Warn
                } else {
                    Status::Pass
                };
            }
            Err(m) => r.message = Some(m),
        }
        out.push(r);
    }
    out
}

/// A time as engines print it: `2026-12-03T10:00:00Z`, `2026-12-03 10:00:00[.fff]` (UTC) or
/// a date (its midnight, UTC).
pub fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
    let t = text.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f UTC",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, f) {
            return Some(Utc.from_utc_datetime(&n));
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| Utc.from_utc_datetime(&n))
}

/// A duration for people: `3d 4h`, `5h 12m`, `40m`.
pub fn human_age(seconds: i64) -> String {
    let (d, h, m) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
    );
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// `max(<field>)` of source `i` on the target, as the engine returns it (None: no rows).
/// `purpose` names the query in the run's work ids (`freshness`, `source_status`).
pub fn max_loaded_at(
    c: &Compiled,
    engine: &dyn Engine,
    i: usize,
    field: &str,
    run_id: &str,
    purpose: &str,
) -> Result<Option<String>, String> {
    let s = &c.project.sources[i];
    let sql = format!(
        "SELECT max({field}) AS newest FROM {}",
        crate::sql::source_fqn(s, &c.target)
    );
    let ctx = WorkCtx {
        run_id: run_id.to_string(),
        work_id: format!("{purpose}.{}.{}", s.source, s.name),
        resumed: false,
        generations: Default::default(),
        on_resubmit: None,
    };
    engine.query_value(&sql, &ctx).map_err(|e| {
        crate::t!(
            "run-freshness-cannot-read",
            field = field,
            error = crate::execute::scrub::without_values(&e.message)
        )
    })
}

/// The check as a run, for the notification channels (`karte source freshness` tells them
/// like a build): each table a result of kind `source` — `error` when older than
/// `error_after` or of unknown age, `warn` when older than `warn_after` — with a message
/// saying how old its newest data is. So a channel's `on: [failure]` hears about a late
/// delivery, `recovery` about its arrival.
pub fn as_run(
    c: &Compiled,
    results: &[SourceFreshness],
    run_id: &str,
    now: chrono::DateTime<chrono::Utc>,
    elapsed: f64,
) -> crate::execute::results::RunResults {
    use crate::execute::results::{NodeResult, RunResults, Status as RunStatus};
    let results = results
        .iter()
        .map(|r| {
            let status = match r.status {
                Status::Pass => RunStatus::Success,
                Status::Warn => RunStatus::Warn,
                Status::Error | Status::RuntimeError => RunStatus::Error,
            };
            let mut n = NodeResult::new(&r.unique_id, &r.name, "source", status);
            let bound = match r.status {
                Status::Warn => r.warn_after_seconds,
                _ => r.error_after_seconds,
            };
            n.message = match (r.age_seconds, &r.message) {
                (Some(age), _) if r.status != Status::Pass => Some(crate::t!(
                    "run-freshness-too-old",
                    by = r.measured_by,
                    age = human_age(age),
                    bound = bound
                        .map(|b| crate::t!("run-freshness-allowed", age = human_age(b)))
                        .unwrap_or_default()
                )),
                (_, Some(m)) => Some(m.clone()),
                _ => None,
            };
            n
        })
        .collect();
    RunResults {
        run_id: run_id.to_string(),
        command: "source freshness".to_string(),
        target: c.target.name.clone(),
        started_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        elapsed: (elapsed * 1000.0).round() / 1000.0,
        args: std::env::args().skip(1).collect(),
        interrupted: false,
        results,
        notifications: Vec::new(),
    }
}

/// The check before this one on `target` (the `target/sources.json` it wrote), as a previous
/// run: a channel's `recovery` follows a check that found a table too old.
pub fn previous(
    path: &std::path::Path,
    target: &str,
) -> Option<crate::execute::journal::PreviousRun> {
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    if doc["target"] != target {
        return None;
    }
    let failed: Vec<String> = doc["results"]
        .as_array()?
        .iter()
        .filter(|r| matches!(r["status"].as_str(), Some("error" | "runtime_error")))
        .filter_map(|r| r["unique_id"].as_str().map(String::from))
        .collect();
    Some(crate::execute::journal::PreviousRun {
        run_id: doc["run_id"]
            .as_str()
            .or(doc["checked_at"].as_str())
            .unwrap_or_default()
            .to_string(),
        status: if failed.is_empty() {
            "success"
        } else {
            "failed"
        }
        .to_string(),
        failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_times_parse() {
        for t in [
            "2026-12-03T10:00:00Z",
            "2026-12-03 10:00:00",
            "2026-12-03 10:00:00.000",
            "2026-12-03 10:00:00.123 UTC",
        ] {
            assert_eq!(
                parse_time(t).map(|t| t.format("%Y-%m-%d %H:%M").to_string()),
                Some("2026-12-03 10:00".into()),
                "{t}"
            );
        }
        assert!(parse_time("2026-12-03").is_some());
        assert!(parse_time("NULL").is_none());
        assert_eq!(human_age(3 * 86_400 + 4 * 3_600 + 5), "3d 4h");
        assert_eq!(human_age(5 * 3_600 + 12 * 60), "5h 12m");
        assert_eq!(human_age(40 * 60), "40m");
    }
}
