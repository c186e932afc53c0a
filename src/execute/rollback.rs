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
            crate::t!("run-rollback-bad-id", run = run_id),
        )
        .help(crate::t!("run-rollback-bad-id-help"))]));
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
        .map_err(|e| e.into_diagnostics(&crate::t!("run-journal-copy")))?;
    if let Some(m) = &mirror {
        journal::fetch(root, m.as_ref(), Some(run_id))
            .map_err(|e| e.into_diagnostics(&crate::t!("run-cannot-read-journal-copy")))?;
    }
    let events = journal::events(root, run_id).map_err(|e| {
        let also = mirror
            .as_ref()
            .map(|m| crate::t!("run-rollback-nor-at", location = m.location(run_id)))
            .unwrap_or_default();
        Diagnostics(vec![Diagnostic::error(
            Code::InvalidArgument,
            crate::t!(
                "run-rollback-no-journal",
                run = run_id,
                also = also,
                error = e.to_string()
            ),
        )
        .help(crate::t!("run-rollback-no-journal-help"))])
    })?;
    if !force
        && events
            .iter()
            .any(|e| matches!(e, journal::Event::Finished { status, .. } if status == "success"))
    {
        return Err(Diagnostics(vec![Diagnostic::error(
            Code::InvalidArgument,
            crate::t!("run-rollback-succeeded", run = run_id),
        )
        .help(crate::t!("run-rollback-succeeded-help"))]));
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
        let now = engine.table_version(&s.table).map_err(|e| {
            e.into_diagnostics(&crate::t!(
                "run-rollback-cannot-read",
                table = s.table.to_string()
            ))
        })?;
        if let Some(installed) = &s.installed {
            let same = now
                .as_ref()
                .is_some_and(|n| crate::engine::same_version(n, installed));
            if !same {
                problems.push(crate::t!(
                    "run-rollback-changed",
                    table = s.table.to_string(),
                    run = run_id
                ));
                continue;
            }
        }
        if let Some(previous) = &s.previous {
            match engine.snapshot_has_data(&s.table, previous) {
                Ok(true) => {}
                Ok(false) => problems.push(crate::t!(
                    "run-rollback-data-gone",
                    table = s.table.to_string()
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
        crate::t!(
            "run-rollback-refused",
            run = run_id,
            problems = problems.join("; ")
        ),
    )
    .help(crate::t!("run-rollback-refused-help"))]))
}
