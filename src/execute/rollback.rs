//! `karte rollback RUN_ID`: put back the catalog entries a run's swaps replaced, newest first,
//! only if every table still holds what the run installed and the data to go back to is still
//! there; the run's journal (local, or fetched from the engine's mirror when the run happened
//! on another machine) says what to undo.

use super::journal;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::engine::Engine;
use crate::graph::Compiled;
use crate::plan::TableRef;

/// What happened to one table.
#[derive(Debug)]
pub struct Restored {
    /// The table.
    pub table: TableRef,
    /// Ok(true): its previous version is back; Ok(false): removed (it did not exist before the
    /// run); Err: why it could not be rolled back.
    pub outcome: Result<bool, String>,
}

/// Roll back run `run_id` on the compiled target's engine. `force`: a run that finished
/// successfully too. Empty: the run swapped no table.
pub fn rollback(
    c: &Compiled,
    engine: &dyn Engine,
    run_id: &str,
    force: bool,
) -> Result<Vec<Restored>, Diagnostics> {
    let root = &c.project.root;
    if run_id.is_empty()
        || !run_id
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
    {
        return Err(Diagnostics(vec![Diagnostic::error(
            Code::InvalidArgument,
            format!("`{run_id}` is not a run id"),
        )
        .help(
            "run ids look like run_20260401_093000_123: the directory names in target/journal/",
        )]));
    }
    // A rollback changes the catalog: not while a run is going on.
    let _lock = engine
        .lock(
            &c.target.name,
            &crate::engine::lock::Holder::this_process("rollback"),
            false,
        )
        .map_err(crate::engine::lock::diagnostic)?;
    // The run may have happened on another machine: its journal is then in the mirror.
    let mirror = engine
        .journal_mirror(&c.target.name)
        .map_err(|e| e.into_diagnostics("the run journal's copy: "))?;
    if let Some(m) = &mirror {
        journal::fetch(root, m.as_ref(), Some(run_id))
            .map_err(|e| e.into_diagnostics("cannot read the run journal's copy: "))?;
    }
    let events = journal::events(root, run_id).map_err(|e| {
        let also = mirror
            .as_ref()
            .map(|m| format!(" nor at {}", m.location(run_id)))
            .unwrap_or_default();
        Diagnostics(vec![Diagnostic::error(
            Code::InvalidArgument,
            format!("no journal for run `{run_id}` under target/journal{also}: {e}"),
        )
        .help("the run ids are the directory names in target/journal/")])
    })?;
    if !force
        && events
            .iter()
            .any(|e| matches!(e, journal::Event::Finished { status, .. } if status == "success"))
    {
        return Err(Diagnostics(vec![Diagnostic::error(
            Code::InvalidArgument,
            format!("run `{run_id}` finished successfully"),
        )
        .help("to undo a successful run (e.g. it published bad data), run `karte rollback --force` with its id")]));
    }
    let swaps = journal::swaps_to_undo(&events);
    if swaps.is_empty() {
        return Ok(Vec::new());
    }
    check_rollback(engine, run_id, &swaps)?;
    let restored = swaps
        .into_iter()
        .map(
            |journal::SwapToUndo {
                 table, previous, ..
             }| {
                let outcome = engine
                    .restore_table(&table, previous.as_ref())
                    .map(|()| previous.is_some())
                    .map_err(|e| e.message);
                Restored { table, outcome }
            },
        )
        .collect();
    // The run is over: a later build must not resume it.
    if let Ok(j) = journal::Journal::open(
        root,
        run_id,
        &c.target.name,
        "rollback",
        &Default::default(),
        &[],
        Default::default(),
        Default::default(),
        mirror,
    ) {
        let _ = j.write(&journal::Event::Finished {
            status: "failed".into(),
            failed: Vec::new(),
        });
    }
    Ok(restored)
}

/// Before a rollback changes anything: every table must still hold what the run installed, and
/// the data of every version to restore must still be there. Otherwise nothing is restored.
fn check_rollback(
    engine: &dyn Engine,
    run_id: &str,
    swaps: &[journal::SwapToUndo],
) -> Result<(), Diagnostics> {
    let mut problems = Vec::new();
    for s in swaps {
        // The version alone (on Athena no GetPartitions): what `installed` recorded.
        let now = engine
            .table_version(&s.table)
            .map_err(|e| e.into_diagnostics(&format!("cannot read {}: ", s.table)))?;
        if let Some(installed) = &s.installed {
            let same = now
                .as_ref()
                .is_some_and(|n| crate::engine::same_version(n, installed));
            if !same {
                problems.push(format!(
                    "{} changed since run {run_id} installed it (another run or a person wrote it since)",
                    s.table
                ));
                continue;
            }
        }
        if let Some(previous) = &s.previous {
            match engine.snapshot_has_data(&s.table, previous) {
                Ok(true) => {}
                Ok(false) => problems.push(format!(
                    "the data of the version of {} to restore is gone (deleted by a later run's clean-up, or by hand)",
                    s.table
                )),
                Err(e) => problems.push(format!("{}: {}", s.table, e.message)),
            }
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Diagnostics(vec![Diagnostic::error(
        Code::InvalidArgument,
        format!(
            "run {run_id} is not rolled back; nothing was changed: {}",
            problems.join("; ")
        ),
    )
    .help(
        "roll back the later runs first (newest first), or rebuild the table",
    )]))
}
