//! A local build killed after any of its steps, then run again, ends with exactly the tables an
//! uninterrupted build makes: every kill point of a first run and of a second run over changed
//! input (CTAS, INSERT, MERGE, swap, partition registration, deletes, releases, snapshots).

use std::path::Path;

use crate::support::{flat, karte_env};

const FIRST: &str = "claim_id,person_id,service_month,amount,loaded_at\nc1,p1,2024-04-01,100,1\nc2,p2,2024-04-01,200,1\nc3,p1,2024-05-01,300,1\n";
const SECOND: &str = "claim_id,person_id,service_month,amount,loaded_at\nc1,p1,2024-04-01,150,2\nc2,p2,2024-04-01,200,1\nc3,p1,2024-05-01,300,1\nc4,p3,2024-06-01,400,2\n";

fn fixture(claims: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects/local_build");
    crate::compile::copy_dir(&src, tmp.path());
    set_claims(tmp.path(), claims);
    // An append without a filter: every run adds all rows again, so a write done twice shows.
    std::fs::write(
        tmp.path().join("models/silver/i_log.sql"),
        "{{ config(materialized='incremental', incremental_strategy='append') }}\nselect claim_id, amount from raw.claims\n",
    )
    .unwrap();
    tmp
}

fn set_claims(dir: &Path, csv: &str) {
    std::fs::write(dir.join("seeds/raw/claims.csv"), csv).unwrap();
}

fn build(dir: &Path, env: &[(&str, &str)]) -> (i32, String) {
    let (code, out, err) = karte_env(dir, &["build", "--threads", "1"], env);
    (code, format!("{out}{err}"))
}

/// What a reader sees: every table's rows (snapshot history without its timestamps).
fn end_state(dir: &Path) -> Vec<String> {
    let mut state = Vec::new();
    for table in [
        "raw.claims",
        "silver.t_table",
        "silver.v_view",
        "silver.i_append",
        "silver.i_delete_insert",
        "silver.i_iceberg_append",
        "silver.i_merge",
        "silver.i_overwrite",
        "silver.i_log",
        "gold.g_month",
    ] {
        let mut rows = flat(dir, &format!("select * from {table}"));
        rows.sort();
        state.push(format!("{table}: {}", rows.join("; ")));
    }
    let mut history = flat(
        dir,
        "select claim_id, amount, dbt_valid_to is null from history.claim_history",
    );
    history.sort();
    state.push(format!("history.claim_history: {}", history.join("; ")));
    state
}

/// The step ids of the newest run, in the order they finished.
fn steps_of_latest_run(dir: &Path) -> Vec<String> {
    let events =
        std::fs::read_to_string(crate::support::latest_journal(dir).join("events.jsonl")).unwrap();
    events
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "done")
        .map(|e| e["step"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_build_killed_after_any_step_ends_as_an_uninterrupted_one() {
    // The reference: two uninterrupted builds, the second over changed input.
    let reference = fixture(FIRST);
    let r = reference.path();
    assert_eq!(build(r, &[]).0, 0);
    let first_steps = steps_of_latest_run(r);
    let after_first = end_state(r);
    set_claims(r, SECOND);
    assert_eq!(build(r, &[]).0, 0);
    let second_steps = steps_of_latest_run(r);
    let after_second = end_state(r);
    assert!(first_steps.len() >= 20 && second_steps.len() >= 20);

    let mut kill_points = 0;
    for (run, steps) in [(1, &first_steps), (2, &second_steps)] {
        // Killed right after a step is journaled as done, and right after one is journaled as
        // started (before it ran: the rerun must run it, once).
        let points = steps
            .iter()
            .flat_map(|s| [format!("exit-after:{s}"), format!("exit-before:{s}")]);
        for point in points {
            let step = &point;
            let tmp = fixture(FIRST);
            let dir = tmp.path();
            if run == 2 {
                assert_eq!(build(dir, &[]).0, 0);
                set_claims(dir, SECOND);
            }
            let (code, out) = build(dir, &[("KARTE_FAILPOINT", step)]);
            assert_eq!(code, 137, "run {run}, {step}: {out}");
            kill_points += 1;
            let (code, out) = build(dir, &[]);
            assert_eq!(code, 0, "run {run}, rerun after {step}: {out}");
            let want = if run == 1 {
                &after_first
            } else {
                &after_second
            };
            assert_eq!(&end_state(dir), want, "run {run}, {step}");
            // And the run after that goes on as usual.
            if run == 1 {
                set_claims(dir, SECOND);
                let (code, out) = build(dir, &[]);
                assert_eq!(code, 0, "run 2 after run 1 was killed at {step}: {out}");
                assert_eq!(
                    end_state(dir),
                    after_second,
                    "run 2 after run 1 was killed at {step}"
                );
            }
        }
    }
    assert!(kill_points >= 80, "{kill_points} kill points");
}
