//! Reading run journals (`<run id>/plan.json`, `<run id>/events.jsonl`,
//! `<run id>/upstream.json`) where they are: a local `target/journal/`, an S3 copy of an
//! Athena target's journals, or this project's own journals (here and in its engine's
//! mirror). What `--wait-for-upstream` needs of a run: what it built, and how it ended.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::engine::mirror::SharedMirror;
use crate::execute::journal::{outline, Event};
use crate::project::dependencies::Place;
use crate::project::Target;

/// Runs looked at, newest first (the journals keep 50).
pub const RUNS_LOOKED_AT: usize = 50;

/// The file of a run's journal that says which upstream runs it waited for.
pub const UPSTREAM_FILE: &str = "upstream.json";

/// Where run journals are read from.
pub trait RunStore {
    /// The run ids, in any order.
    fn runs(&self) -> Result<Vec<String>, String>;
    /// One file of a run's journal (None: not there).
    fn get(&self, run: &str, name: &str) -> Result<Option<Vec<u8>>, String>;
    /// Where it is, for messages.
    fn shown(&self) -> String;
}

/// A local directory of journals (`target/journal/`).
pub struct LocalRuns(pub PathBuf);

impl RunStore for LocalRuns {
    fn runs(&self) -> Result<Vec<String>, String> {
        match std::fs::read_dir(&self.0) {
            Ok(entries) => Ok(entries
                .flatten()
                .filter(|e| e.path().join("events.jsonl").is_file())
                .filter_map(|e| e.file_name().to_str().map(String::from))
                .collect()),
            // No journal yet: no run.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(crate::t!(
                "upstream-cannot-read",
                path = self.shown(),
                error = e.to_string()
            )),
        }
    }

    fn get(&self, run: &str, name: &str) -> Result<Option<Vec<u8>>, String> {
        let p = self.0.join(run).join(name);
        match std::fs::read(&p) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(crate::t!(
                "upstream-cannot-read",
                path = p,
                error = e.to_string()
            )),
        }
    }

    fn shown(&self) -> String {
        crate::diag::display_path(&self.0)
    }
}

/// An S3 copy of a target's journals (`<lake_root>_karte/journal/<target>/`), read with the
/// AWS settings of this project's target.
pub struct S3Runs {
    /// The prefix, ending in `/`.
    pub uri: String,
    /// The target whose AWS settings are used.
    pub target: Target,
}

impl RunStore for S3Runs {
    #[cfg(feature = "athena")]
    fn runs(&self) -> Result<Vec<String>, String> {
        crate::engine::athena::s3::list_folders(&self.target, &self.uri).map_err(|e| e.message)
    }

    #[cfg(not(feature = "athena"))]
    fn runs(&self) -> Result<Vec<String>, String> {
        Err(crate::t!("upstream-no-s3"))
    }

    #[cfg(feature = "athena")]
    fn get(&self, run: &str, name: &str) -> Result<Option<Vec<u8>>, String> {
        let uri = format!("{}{run}/{name}", self.uri);
        crate::engine::athena::s3::fetch_objects(&self.target, &[uri])
            .map(|mut v| v.pop().flatten())
            .map_err(|e| e.message)
    }

    #[cfg(not(feature = "athena"))]
    fn get(&self, _: &str, _: &str) -> Result<Option<Vec<u8>>, String> {
        Err(crate::t!("upstream-no-s3"))
    }

    fn shown(&self) -> String {
        self.uri.clone()
    }
}

/// This project's own journals: here, and in the engine's mirror (runs made on other
/// machines, on Athena).
pub struct OwnRuns {
    /// `target/journal/`.
    pub local: LocalRuns,
    /// The engine's copy.
    pub mirror: Option<SharedMirror>,
}

impl RunStore for OwnRuns {
    fn runs(&self) -> Result<Vec<String>, String> {
        let mut runs = self.local.runs()?;
        if let Some(m) = &self.mirror {
            runs.extend(m.runs().map_err(|e| e.message)?);
        }
        runs.sort();
        runs.dedup();
        Ok(runs)
    }

    fn get(&self, run: &str, name: &str) -> Result<Option<Vec<u8>>, String> {
        if let Some(b) = self.local.get(run, name)? {
            return Ok(Some(b));
        }
        match &self.mirror {
            Some(m) => m.get(run, name).map_err(|e| e.message),
            None => Ok(None),
        }
    }

    fn shown(&self) -> String {
        self.local.shown()
    }
}

/// The store of a [`Place`].
pub fn store(place: &Place, target: &Target) -> Box<dyn RunStore> {
    match place {
        Place::Local(p) => Box::new(LocalRuns(p.clone())),
        Place::S3(u) => Box::new(S3Runs {
            uri: format!("{}/", u.trim_end_matches('/')),
            target: target.clone(),
        }),
    }
}

/// What `--wait-for-upstream` reads of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// Run id (`run_YYYYMMDD_HHMMSS_mmm`, its start in UTC: ids sort by start).
    pub run_id: String,
    /// The nodes its plan built (unique ids).
    pub nodes: Vec<String>,
    /// How it ended (`success`, `failed`, `interrupted`) with what failed or was skipped;
    /// None while it runs (or if it was killed).
    pub finished: Option<(String, Vec<String>)>,
}

#[derive(Deserialize)]
struct PlanNodes {
    #[serde(default)]
    nodes: Vec<PlanNode>,
}

#[derive(Deserialize)]
struct PlanNode {
    unique_id: String,
}

/// One run's plan and end (None: its plan is not there, or not readable as one).
pub fn read_run(store: &dyn RunStore, run: &str) -> Result<Option<RunInfo>, String> {
    let Some(plan) = store.get(run, "plan.json")? else {
        return Ok(None);
    };
    let Ok(plan) = serde_json::from_slice::<PlanNodes>(&plan) else {
        return Ok(None);
    };
    let events = store.get(run, "events.jsonl")?.unwrap_or_default();
    let evs: Vec<Event> = String::from_utf8_lossy(&events)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let o = outline(&evs);
    if o.command == "rollback" {
        return Ok(None);
    }
    Ok(Some(RunInfo {
        run_id: run.to_string(),
        nodes: plan.nodes.into_iter().map(|n| n.unique_id).collect(),
        finished: o.finished,
    }))
}

/// The newest run (of the newest [`RUNS_LOOKED_AT`]) for which `wanted` holds.
pub fn newest(
    store: &dyn RunStore,
    wanted: impl Fn(&RunInfo) -> bool,
) -> Result<Option<RunInfo>, String> {
    let mut runs = store.runs()?;
    runs.sort();
    for run in runs.iter().rev().take(RUNS_LOOKED_AT) {
        if let Some(info) = read_run(store, run)? {
            if wanted(&info) {
                return Ok(Some(info));
            }
        }
    }
    Ok(None)
}

/// The upstream runs a run waited for: upstream project → its run id (`upstream.json`).
pub fn waited_for(store: &dyn RunStore, run: &str) -> BTreeMap<String, String> {
    store
        .get(run, UPSTREAM_FILE)
        .ok()
        .flatten()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_run(dir: &std::path::Path, run: &str, nodes: &[&str], end: Option<&str>) {
        let d = dir.join(run);
        std::fs::create_dir_all(&d).unwrap();
        let plan = serde_json::json!({
            "run_id": run, "target": "local", "command": "build",
            "nodes": nodes.iter().map(|n| serde_json::json!({"unique_id": n})).collect::<Vec<_>>(),
        });
        std::fs::write(d.join("plan.json"), plan.to_string()).unwrap();
        let mut ev = format!(
            "{}\n",
            serde_json::json!({"event": "run", "run_id": run, "target": "local", "command": "build"})
        );
        if let Some(s) = end {
            ev.push_str(&format!(
                "{}\n",
                serde_json::json!({"event": "finished", "status": s, "failed": []})
            ));
        }
        std::fs::write(d.join("events.jsonl"), ev).unwrap();
    }

    #[test]
    fn the_newest_run_that_built_a_model() {
        let dir = tempfile::tempdir().unwrap();
        write_run(
            dir.path(),
            "run_20250101_010000_000",
            &["model.up.a"],
            Some("success"),
        );
        write_run(
            dir.path(),
            "run_20250102_010000_000",
            &["model.up.b"],
            Some("failed"),
        );
        write_run(dir.path(), "run_20250103_010000_000", &["model.up.a"], None);
        let store = LocalRuns(dir.path().to_path_buf());
        let has = |id: &'static str| move |r: &RunInfo| r.nodes.iter().any(|n| n == id);
        let a = newest(&store, has("model.up.a")).unwrap().unwrap();
        assert_eq!(a.run_id, "run_20250103_010000_000");
        assert_eq!(a.finished, None);
        let b = newest(&store, has("model.up.b")).unwrap().unwrap();
        assert_eq!(b.finished.unwrap().0, "failed");
        assert!(newest(&store, has("model.up.c")).unwrap().is_none());
        let none = LocalRuns(dir.path().join("missing"));
        assert!(none.runs().unwrap().is_empty());
    }
}
