//! `--wait-for-upstream [--timeout 30m] [--poll 30s]` on `build`/`run`.
//!
//! For each upstream project whose public models the selected nodes read, with R the set of
//! those models and D this project's newest successful run that built a model reading them:
//!
//! - U is the upstream's newest run (by run id, i.e. start time) whose plan builds a model of R;
//! - no U yet, or U not ended: wait;
//! - U ended `failed` or `interrupted`: stop with E905 (exit 3), nothing is built;
//! - U ended `success`: ready if it is newer than D: later than the upstream run D waited for
//!   (D's `upstream.json`), or, when D did not wait, started after D started; no D at all:
//!   ready. Otherwise wait.
//!
//! Waiting polls every `--poll` until `--timeout`, then stops with E906 (exit 4). A run that
//! waited records the upstream runs it read in its journal (`upstream.json`), which the next
//! wait compares with.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use super::runs::{self, RunInfo, RunStore};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::graph::Compiled;

/// `--timeout` and `--poll`.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    /// Give up after this long.
    pub timeout: Duration,
    /// Look again after this long.
    pub poll: Duration,
}

/// How one check went.
#[derive(Debug)]
pub enum Check {
    /// Every upstream is ready: project → the run read.
    Ready(BTreeMap<String, String>),
    /// Some are not (yet): why, one line each.
    Waiting(Vec<String>),
}

/// `30s`, `30m`, `2h`, `1h30m`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || crate::t!("upstream-bad-duration", value = s);
    let t = s.trim();
    if let Ok(n) = t.parse::<u64>() {
        return Ok(Duration::from_secs(n));
    }
    let mut total = 0u64;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = num.parse().map_err(|_| bad())?;
        total += n * unit;
        num.clear();
    }
    if !num.is_empty() || t.is_empty() {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

fn list(ids: &BTreeSet<String>) -> String {
    let names: Vec<&str> = ids
        .iter()
        .map(|id| id.splitn(3, '.').nth(2).unwrap_or(id))
        .collect();
    names.join(", ")
}

fn unreadable(project: &str, why: String) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error(
        Code::InvalidDependency,
        crate::t!("upstream-runs-unreadable", project = project, why = why),
    )
    .help(crate::t!("upstream-runs-unreadable-help"))])
}

/// Check once whether the upstreams the selected nodes read are ready.
pub fn check(c: &Compiled, ours: &dyn RunStore) -> Result<Check, Diagnostics> {
    let up = &c.project.upstream;
    // Per upstream project: the models the selected nodes read.
    let mut read: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for u in super::read_by(&c.models, &c.selected).into_keys() {
        let m = &up.models[u];
        read.entry(m.project)
            .or_default()
            .insert(m.unique_id.clone());
    }
    let mut ready = BTreeMap::new();
    let mut waiting = Vec::new();
    for (p, models) in read {
        let project = &up.projects[p];
        let name = &project.name;
        let store = runs::store(&project.published.runs, &c.target);
        let builds_one = |r: &RunInfo| r.nodes.iter().any(|n| models.contains(n));
        let newest = runs::newest(store.as_ref(), builds_one).map_err(|e| unreadable(name, e))?;
        let Some(u) = newest else {
            waiting.push(crate::t!(
                "upstream-no-run-yet",
                project = name,
                models = list(&models),
                runs = store.shown()
            ));
            continue;
        };
        let Some((status, failed)) = &u.finished else {
            waiting.push(crate::t!(
                "upstream-still-running",
                project = name,
                run = u.run_id
            ));
            continue;
        };
        if status != "success" {
            let failed: Vec<&str> = failed
                .iter()
                .take(5)
                .map(|id| id.splitn(3, '.').nth(2).unwrap_or(id))
                .collect();
            let mut d = Diagnostic::error(
                Code::UpstreamFailed,
                crate::t!(
                    "upstream-failed",
                    project = name,
                    models = list(&models),
                    run = u.run_id,
                    status = status
                ),
            )
            .help(crate::t!("upstream-failed-help", project = name));
            if !failed.is_empty() {
                d = d.note(crate::t!("upstream-failed-note", nodes = failed.join(", ")));
            }
            return Err(Diagnostics(vec![d]));
        }
        // This project's newest successful run that built a model reading these.
        let readers: BTreeSet<String> = c
            .models
            .iter()
            .filter(|m| {
                m.depends_on.iter().any(|d| {
                    matches!(d, crate::sql::Dependency::Upstream(x) if models.contains(&up.models[*x].unique_id))
                })
            })
            .map(|m| c.project.node_id(m.node))
            .collect();
        let ours_last = runs::newest(ours, |r| {
            r.finished.as_ref().is_some_and(|(s, _)| s == "success")
                && r.nodes.iter().any(|n| readers.contains(n))
        })
        .map_err(|e| unreadable(&c.project.config.name, e))?;
        let newer = match &ours_last {
            None => true,
            Some(d) => match runs::waited_for(ours, &d.run_id).get(name) {
                Some(read_then) => u.run_id > *read_then,
                None => u.run_id > d.run_id,
            },
        };
        if newer {
            ready.insert(name.clone(), u.run_id.clone());
        } else {
            waiting.push(crate::t!(
                "upstream-not-newer",
                project = name,
                run = u.run_id,
                ours = ours_last.map(|d| d.run_id).unwrap_or_default()
            ));
        }
    }
    Ok(if waiting.is_empty() {
        Check::Ready(ready)
    } else {
        Check::Waiting(waiting)
    })
}

/// Wait until [`check`] says ready (E905 when an upstream failed, E906 at the timeout);
/// progress lines go to stderr. Returns the upstream runs to record.
pub fn wait(
    c: &Compiled,
    ours: &dyn RunStore,
    opts: WaitOptions,
) -> Result<BTreeMap<String, String>, Diagnostics> {
    let started = Instant::now();
    loop {
        match check(c, ours)? {
            Check::Ready(read) => {
                for (p, run) in &read {
                    eprintln!("{}", crate::t!("upstream-ready", project = p, run = run));
                }
                return Ok(read);
            }
            Check::Waiting(why) => {
                let waited = started.elapsed();
                if waited + opts.poll > opts.timeout {
                    let mut d = Diagnostic::error(
                        Code::UpstreamLate,
                        crate::t!("upstream-late", seconds = waited.as_secs().to_string()),
                    )
                    .help(crate::t!("upstream-late-help"));
                    for w in why {
                        d = d.note(w);
                    }
                    return Err(Diagnostics(vec![d]));
                }
                for w in &why {
                    eprintln!(
                        "{}",
                        crate::t!(
                            "upstream-waiting",
                            why = w,
                            seconds = opts.poll.as_secs().to_string()
                        )
                    );
                }
                std::thread::sleep(opts.poll);
            }
        }
    }
}

/// Record the upstream runs a run read in its journal (here, and in the engine's mirror).
pub fn record(
    root: &std::path::Path,
    run_id: &str,
    read: &BTreeMap<String, String>,
    mirror: Option<&dyn crate::engine::mirror::Mirror>,
) -> Result<(), String> {
    let body = serde_json::to_vec_pretty(read).expect("a map of strings serialises");
    let dir = crate::execute::journal::run_dir(root, run_id);
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(runs::UPSTREAM_FILE), &body))
        .map_err(|e| crate::t!("upstream-cannot-write", path = dir, error = e.to_string()))?;
    if let Some(m) = mirror {
        m.put(run_id, runs::UPSTREAM_FILE, &body)
            .map_err(|e| e.message)?;
    }
    Ok(())
}

/// A wait that gave up (E905/E906 in `diags`) as a run, for the notification channels: the
/// waiting is one `upstream` result in error, with the diagnostic's words, and every selected
/// node is `skipped` (not built). So a channel's `on: [failure]` hears that the build did not
/// happen and why, filtered by its `select:` like a build's failures. None for other errors.
pub fn as_run(
    c: &Compiled,
    diags: &Diagnostics,
    started: chrono::DateTime<chrono::Utc>,
    elapsed: f64,
) -> Option<crate::execute::results::RunResults> {
    use crate::execute::results::{NodeResult, RunResults, Status};
    let d = diags
        .0
        .iter()
        .find(|d| matches!(d.code, Code::UpstreamFailed | Code::UpstreamLate))?;
    let mut why = NodeResult::new(
        &format!("upstream.{}", c.project.config.name),
        &crate::t!("upstream-wait-node"),
        "upstream",
        Status::Error,
    );
    let mut message = format!("{} {}", d.code.as_str(), d.message);
    for n in &d.notes {
        message.push_str("; ");
        message.push_str(n);
    }
    why.message = Some(message);
    let mut results = vec![why];
    for &i in &c.selected {
        let node = &c.project.nodes[i];
        if !node.kind.is_relation() {
            continue;
        }
        let mut r = NodeResult::new(
            &c.project.node_id(i),
            &node.name,
            node.kind.as_str(),
            Status::Skipped,
        );
        r.message = Some(crate::t!("upstream-wait-skipped"));
        results.push(r);
    }
    Some(RunResults {
        run_id: crate::execute::new_run_id(),
        command: "build".to_string(),
        target: c.target.name.clone(),
        started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        elapsed: (elapsed * 1000.0).round() / 1000.0,
        args: std::env::args().skip(1).collect(),
        interrupted: false,
        results,
        notifications: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("45").unwrap(), Duration::from_secs(45));
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("30x").is_err());
        assert!(parse_duration("1h3").is_err());
        assert!(parse_duration("").is_err());
    }
}
