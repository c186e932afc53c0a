//! The run journal: `target/journal/<run id>/` holds the plan of a run (`plan.json`) and one
//! JSON line per step event (`events.jsonl`: started, done with query ids, failed, the
//! catalog entry a swap replaced) written and flushed before the run goes on. With it:
//!
//! - `karte build` after an interrupted run (killed, or stopped with Ctrl-C) resumes that run:
//!   the same plan and run id, finished steps skipped, so no write is done twice (a resubmitted
//!   Athena query also carries the same ClientRequestToken);
//! - `karte rollback RUN_ID` puts back the catalog entries the run's swaps replaced.
//!
//! Engine-independent: both engines run through it. Where the run happens elsewhere than this
//! machine's disk (Athena: S3), the engine gives a [`Mirror`]: every journal write goes to it as
//! well before the run goes on, so that a run whose machine died (a CI job, a Fargate task) is
//! resumed or rolled back from another machine ([`fetch`]).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::engine::mirror::{Mirror, SharedMirror};
use crate::engine::EngineError;
use crate::plan::{NodePlan, TableRef};

/// One line of `events.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The run began.
    Run {
        /// Run id.
        run_id: String,
        /// Target name.
        target: String,
        /// Command.
        command: String,
    },
    /// A step began.
    Started {
        /// Step id.
        step: String,
    },
    /// A step finished.
    Done {
        /// Step id.
        step: String,
        /// Athena query ids.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        query_ids: Vec<String>,
        /// Previous locations of repointed partitions, still to be deleted.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        replaced: Vec<String>,
    },
    /// A statement of a step (or test) is submitted again under a new token generation: a
    /// retry, or a resumed run meeting an execution that failed or was stopped.
    Resubmitted {
        /// Step id (or test unique id).
        step: String,
        /// Statement index within the step.
        statement: usize,
        /// The new generation.
        generation: u32,
    },
    /// A step failed.
    Failed {
        /// Step id.
        step: String,
        /// Why.
        message: String,
    },
    /// Before a swap: the catalog entry it replaces (engine-specific; null if none).
    Replacing {
        /// Step id.
        step: String,
        /// Table.
        table: TableRef,
        /// The previous entry.
        previous: Option<serde_json::Value>,
    },
    /// After a swap: the catalog entry the run installed (engine-specific), so that a rollback
    /// can tell whether the table still holds it.
    Installed {
        /// Step id.
        step: String,
        /// Table.
        table: TableRef,
        /// The entry as the swap left it.
        current: Option<serde_json::Value>,
    },
    /// The run ended.
    Finished {
        /// `success`, `failed` or `interrupted`.
        status: String,
        /// The nodes and tests (unique ids) that failed or were skipped, so that the next run
        /// on the target can tell a recovery of the ones a notification channel watches.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        failed: Vec<String>,
    },
}

/// The journal of one run.
pub struct Journal {
    dir: PathBuf,
    /// The local events file, and (with a mirror) every line written so far.
    file: Mutex<(std::fs::File, Vec<u8>)>,
    mirror: Option<SharedMirror>,
    done: HashSet<String>,
    interrupted: HashSet<String>,
    /// Run id.
    pub run_id: String,
}

/// What a run was asked to build: a resume must be asked for the same.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// `--select`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub select: Vec<String>,
    /// `--exclude`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// `--full-refresh`.
    #[serde(default)]
    pub full_refresh: bool,
}

impl Selection {
    /// As the command line would say it.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.select.is_empty() {
            parts.push(format!("--select {}", self.select.join(" ")));
        }
        if !self.exclude.is_empty() {
            parts.push(format!("--exclude {}", self.exclude.join(" ")));
        }
        if self.full_refresh {
            parts.push("--full-refresh".into());
        }
        if parts.is_empty() {
            crate::t!("run-selection-everything")
        } else {
            parts.join(" ")
        }
    }
}

/// What `plan.json` holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct SavedPlan {
    /// Run id.
    pub run_id: String,
    /// Target.
    pub target: String,
    /// The command that started the run (`build`, `run`, `seed`, …).
    #[serde(default)]
    pub command: String,
    /// Node plans, with `{run_id}` not yet filled in.
    pub nodes: Vec<NodePlan>,
    /// What the run was asked to build.
    #[serde(default)]
    pub selection: Selection,
}

/// An earlier run that did not finish.
pub struct Incomplete {
    /// Its plan.
    pub plan: SavedPlan,
    /// Steps already done.
    pub done: HashSet<String>,
    /// Steps started and not finished: they may have left partial output.
    pub interrupted: HashSet<String>,
    /// Replaced partition locations recorded by finished steps.
    pub replaced: HashMap<String, Vec<String>>,
    /// Per step (or test) and statement, the newest token generation journaled.
    pub generations: Generations,
}

/// Per unit of work and statement index, the newest token generation.
pub type Generations = HashMap<String, std::collections::BTreeMap<usize, u32>>;

/// The newest generation of every resubmitted statement in `evs`.
pub fn generations(evs: &[Event]) -> Generations {
    let mut out = Generations::new();
    for e in evs {
        if let Event::Resubmitted {
            step,
            statement,
            generation,
        } = e
        {
            let g = out
                .entry(step.clone())
                .or_default()
                .entry(*statement)
                .or_default();
            *g = (*g).max(*generation);
        }
    }
    out
}

/// Journals kept under target/journal (the oldest go when a new run starts).
pub const KEEP_JOURNALS: usize = 50;

/// Remove all but the newest `keep` run journals (run ids sort by time).
fn prune(root: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut runs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    runs.sort();
    let excess = runs.len().saturating_sub(keep.saturating_sub(1));
    for old in runs.into_iter().take(excess) {
        let _ = std::fs::remove_dir_all(old);
    }
}

fn journal_root(project: &Path) -> PathBuf {
    project.join("target").join("journal")
}

/// The folder of one run's journal.
pub fn run_dir(project: &Path, run_id: &str) -> PathBuf {
    journal_root(project).join(run_id)
}

/// The run ids journaled under `target/journal/`, oldest first (ids sort by start time).
pub fn run_ids(project: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(journal_root(project))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("events.jsonl").is_file())
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .collect();
    ids.sort();
    ids
}

impl Journal {
    /// Start a journal for a new run, or reopen one being resumed. With a mirror, the plan and
    /// every event are written to it too.
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        project: &Path,
        run_id: &str,
        target: &str,
        command: &str,
        selection: &Selection,
        nodes: &[NodePlan],
        done: HashSet<String>,
        interrupted: HashSet<String>,
        mirror: Option<SharedMirror>,
    ) -> std::io::Result<Journal> {
        let dir = journal_root(project).join(run_id);
        std::fs::create_dir_all(&dir)?;
        let plan_path = dir.join("plan.json");
        let new_run = !plan_path.exists();
        if new_run {
            prune(&journal_root(project), KEEP_JOURNALS);
            if let Some(m) = &mirror {
                prune_mirror(m.as_ref(), KEEP_JOURNALS).map_err(mirror_error)?;
            }
            let saved = SavedPlan {
                run_id: run_id.to_string(),
                target: target.to_string(),
                command: command.to_string(),
                nodes: nodes.to_vec(),
                selection: selection.clone(),
            };
            let tmp = dir.join("plan.json.tmp");
            // Durable before the run goes on: the file's bytes, then its name in the directory
            // (a crash must not leave a journal whose plan is empty or missing).
            {
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(&serde_json::to_vec_pretty(&saved).expect("plan serialises"))?;
                f.sync_all()?;
            }
            std::fs::rename(&tmp, &plan_path)?;
            std::fs::File::open(&dir)?.sync_all()?;
        }
        let events_path = dir.join("events.jsonl");
        let so_far = if mirror.is_some() {
            // (A resumed run's plan may be only here: it started before the mirror was kept.)
            if new_run || mirror_lacks_plan(&mirror, run_id)? {
                let plan = std::fs::read(&plan_path)?;
                put(&mirror, run_id, "plan.json", &plan)?;
            }
            complete_lines(std::fs::read(&events_path).unwrap_or_default())
        } else {
            Vec::new()
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&events_path)?;
        let j = Journal {
            dir,
            file: Mutex::new((file, so_far)),
            mirror,
            done,
            interrupted,
            run_id: run_id.to_string(),
        };
        j.write(&Event::Run {
            run_id: run_id.to_string(),
            target: target.to_string(),
            command: command.to_string(),
        })?;
        Ok(j)
    }

    /// True if the step finished in an earlier attempt of this run.
    pub fn is_done(&self, step: &str) -> bool {
        self.done.contains(step)
    }

    /// True if the step was started in an earlier attempt of this run and did not finish.
    pub fn was_interrupted(&self, step: &str) -> bool {
        self.interrupted.contains(step)
    }

    /// Append an event (one `write`: once it returns, a killed process has not lost it) and
    /// copy the journal to the mirror. Only the events that must survive a crash of the
    /// machine itself are forced to disk before going on — the entry a swap replaces (what a
    /// rollback restores) and the end of the run; docs/architecture.md ("The journal on disk")
    /// says why the others need not be.
    pub fn write(&self, e: &Event) -> std::io::Result<()> {
        let mut line = serde_json::to_string(e).expect("events serialise");
        line.push('\n');
        let mut guard = self.file.lock().expect("journal");
        let (f, so_far) = &mut *guard;
        let _span = crate::diag::timings::span("journal: write");
        f.write_all(line.as_bytes())?;
        if must_sync(e) {
            let _span = crate::diag::timings::span("journal: sync");
            f.sync_data()?;
        }
        if self.mirror.is_some() {
            so_far.extend_from_slice(line.as_bytes());
            put(&self.mirror, &self.run_id, "events.jsonl", so_far)?;
        }
        Ok(())
    }

    /// The directory of this journal.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// True for the events forced to disk before the run goes on (see [`Journal::write`]).
pub fn must_sync(e: &Event) -> bool {
    matches!(e, Event::Replacing { .. } | Event::Finished { .. })
}

fn mirror_error(e: EngineError) -> std::io::Error {
    std::io::Error::other(crate::t!("run-journal-copy-error", error = e.message))
}

fn put(
    mirror: &Option<SharedMirror>,
    run_id: &str,
    name: &str,
    body: &[u8],
) -> std::io::Result<()> {
    match mirror {
        Some(m) => m.put(run_id, name, body).map_err(mirror_error),
        None => Ok(()),
    }
}

fn mirror_lacks_plan(mirror: &Option<SharedMirror>, run_id: &str) -> std::io::Result<bool> {
    match mirror {
        Some(m) => Ok(m.get(run_id, "plan.json").map_err(mirror_error)?.is_none()),
        None => Ok(false),
    }
}

/// The bytes up to the last complete line (a line cut short by a kill is dropped).
fn complete_lines(mut bytes: Vec<u8>) -> Vec<u8> {
    let end = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    bytes.truncate(end);
    bytes
}

/// Remove all but the newest `keep` journals of the mirror.
fn prune_mirror(mirror: &dyn Mirror, keep: usize) -> Result<(), EngineError> {
    let mut runs = mirror.runs()?;
    runs.sort();
    let excess = runs.len().saturating_sub(keep.saturating_sub(1));
    if excess > 0 {
        mirror.remove(&runs[..excess])?;
    }
    Ok(())
}

/// Bring a run's journal from the mirror to `target/journal/<run id>/` when the mirror knows
/// more of it than this machine (the run went on, or died, elsewhere). `run_id` None: the
/// newest run of the mirror. Returns the run id fetched, if any.
pub fn fetch(
    project: &Path,
    mirror: &dyn Mirror,
    run_id: Option<&str>,
) -> Result<Option<String>, EngineError> {
    let run_id = match run_id {
        Some(r) => r.to_string(),
        None => match mirror.runs()?.into_iter().max() {
            Some(r) => r,
            None => return Ok(None),
        },
    };
    let Some(plan) = mirror.get(&run_id, "plan.json")? else {
        return Ok(None);
    };
    let events = complete_lines(mirror.get(&run_id, "events.jsonl")?.unwrap_or_default());
    let dir = journal_root(project).join(&run_id);
    let local = complete_lines(std::fs::read(dir.join("events.jsonl")).unwrap_or_default());
    if dir.join("plan.json").exists() && local.len() >= events.len() {
        return Ok(None);
    }
    let io = |e: std::io::Error| {
        EngineError::environment(crate::t!(
            "run-cannot-write-journal-dir",
            path = dir.display().to_string(),
            error = e.to_string()
        ))
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    for (name, body) in [("plan.json", &plan), ("events.jsonl", &events)] {
        let tmp = dir.join(format!("{name}.tmp"));
        std::fs::write(&tmp, body)
            .and_then(|_| std::fs::rename(&tmp, dir.join(name)))
            .map_err(io)?;
    }
    Ok(Some(run_id))
}

/// Read a run's events.
pub fn events(project: &Path, run_id: &str) -> std::io::Result<Vec<Event>> {
    let text = std::fs::read_to_string(journal_root(project).join(run_id).join("events.jsonl"))?;
    // A line cut short by a kill is ignored.
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// What a run's events say of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outline {
    /// The command that started it.
    pub command: String,
    /// Its target.
    pub target: String,
    /// How it ended (`success`, `failed`, `interrupted`) and the nodes and tests that failed
    /// or were skipped; None while it runs, or if it was killed.
    pub finished: Option<(String, Vec<String>)>,
}

/// The command, target and end of the run whose events are `evs` (the last end, for a run
/// that was resumed).
pub fn outline(evs: &[Event]) -> Outline {
    let mut o = Outline::default();
    for e in evs {
        match e {
            Event::Run {
                command, target, ..
            } => {
                o.command = command.clone();
                o.target = target.clone();
            }
            Event::Finished { status, failed } => {
                o.finished = Some((status.clone(), failed.clone()))
            }
            _ => {}
        }
    }
    o
}

/// How an earlier run on a target ended.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviousRun {
    /// Its run id.
    pub run_id: String,
    /// `success`, `failed` or `interrupted`.
    pub status: String,
    /// The nodes and tests (unique ids) that failed or were skipped.
    pub failed: Vec<String>,
}

/// Runs looked at, newest first, for [`previous_run`].
const PREVIOUS_RUNS_LOOKED_AT: usize = 20;

/// The newest run on `target` before `run_id` that ended (killed runs and rollbacks do not
/// count), from the journals here and in the mirror (a run on another machine): what a
/// notification's `recovery` compares with.
pub fn previous_run(
    project: &Path,
    target: &str,
    run_id: &str,
    mirror: Option<&dyn Mirror>,
) -> Option<PreviousRun> {
    let mut runs: std::collections::BTreeSet<String> = run_ids(project).into_iter().collect();
    if let Some(m) = mirror {
        runs.extend(m.runs().unwrap_or_default());
    }
    for run in runs
        .into_iter()
        .rev()
        .filter(|r| r.as_str() < run_id)
        .take(PREVIOUS_RUNS_LOOKED_AT)
    {
        let evs = match events(project, &run) {
            Ok(evs) => evs,
            Err(_) => match mirror.and_then(|m| m.get(&run, "events.jsonl").ok().flatten()) {
                Some(bytes) => String::from_utf8_lossy(&bytes)
                    .lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect(),
                None => continue,
            },
        };
        let o = outline(&evs);
        if let (true, Some((status, failed))) =
            (o.target == target && o.command != "rollback", o.finished)
        {
            return Some(PreviousRun {
                run_id: run,
                status,
                failed,
            });
        }
    }
    None
}

/// The newest run on `target` that neither finished nor failed (killed or interrupted), if
/// it was started by the same `command` (an interrupted `seed` is not resumed by `build`).
pub fn find_incomplete(project: &Path, target: &str, command: &str) -> Option<Incomplete> {
    let mut runs: Vec<String> = std::fs::read_dir(journal_root(project))
        .ok()?
        .flatten()
        .filter(|e| e.path().join("plan.json").exists())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    runs.sort();
    let run_id = runs.pop()?;
    let evs = events(project, &run_id).ok()?;
    let status = evs.iter().rev().find_map(|e| match e {
        Event::Finished { status, .. } => Some(status.clone()),
        _ => None,
    });
    if matches!(status.as_deref(), Some("success") | Some("failed")) {
        return None;
    }
    let plan: SavedPlan = serde_json::from_slice(
        &std::fs::read(journal_root(project).join(&run_id).join("plan.json")).ok()?,
    )
    .ok()?;
    if plan.target != target || plan.command != command {
        return None;
    }
    let done: HashSet<String> = evs
        .iter()
        .filter_map(|e| match e {
            Event::Done { step, .. } => Some(step.clone()),
            _ => None,
        })
        .collect();
    let interrupted = evs
        .iter()
        .filter_map(|e| match e {
            Event::Started { step } if !done.contains(step) => Some(step.clone()),
            _ => None,
        })
        .collect();
    let replaced = evs
        .iter()
        .filter_map(|e| match e {
            Event::Done { step, replaced, .. } if !replaced.is_empty() => {
                Some((step.clone(), replaced.clone()))
            }
            _ => None,
        })
        .collect();
    Some(Incomplete {
        plan,
        done,
        interrupted,
        replaced,
        generations: generations(&evs),
    })
}

/// A swap of a run to undo.
#[derive(Debug, Clone)]
pub struct SwapToUndo {
    /// The table.
    pub table: TableRef,
    /// The entry to return to (None: the table did not exist).
    pub previous: Option<serde_json::Value>,
    /// The entry the run's last swap of it installed, if that swap finished.
    pub installed: Option<serde_json::Value>,
}

/// The swaps of a run to undo, newest first, only for swaps that may have happened (a
/// `Replacing` event was written before each).
pub fn swaps_to_undo(evs: &[Event]) -> Vec<SwapToUndo> {
    let mut seen: HashMap<TableRef, usize> = HashMap::new();
    let mut out: Vec<SwapToUndo> = Vec::new();
    for e in evs {
        match e {
            Event::Replacing {
                table, previous, ..
            } if !seen.contains_key(table) => {
                // The first entry recorded for a table in the run is the one to return to.
                seen.insert(table.clone(), out.len());
                out.push(SwapToUndo {
                    table: table.clone(),
                    previous: previous.clone(),
                    installed: None,
                });
            }
            Event::Installed { table, current, .. } => {
                if let Some(&i) = seen.get(table) {
                    out[i].installed = current.clone();
                }
            }
            _ => {}
        }
    }
    out.reverse();
    out
}
