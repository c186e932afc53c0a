//! A local build killed anywhere, then run again, ends with exactly what an uninterrupted build
//! makes: the rows of every table, the catalog entries, the DuckDB objects and the files of the
//! lake (run ids compared by their order); after a killed first run, the second goes on as
//! usual. Killed, each point alone, right before and right after every step of a first and a
//! second run (CTAS, INSERT, MERGE, swap, partition batches and registration, deletes,
//! releases, snapshots) and of the deletes and release pruning of a third run, and at
//! operations drawn at random from a seed (`KARTE_KILL_SEED=<n>` reruns with another; every
//! failure names the seed and the operation); and inside every one of those steps, in a row of
//! processes each resuming the run and killed at the next step (see
//! [`crate::kill_points::Chain`]): right after the operation that completes the step (applied,
//! not yet journaled) and, where files are written or deleted, right before it. See
//! `KARTE_FAILPOINT` in src/engine/failpoint.rs.

use std::path::{Path, PathBuf};

use crate::kill_points::{
    boundary, diff, number_runs, ops_of, ops_of_step, random_points, run_and_check, seed,
    start_workers, step_op, steps_of_latest_run, Chain, Kind, Reference, Rng,
};
use crate::support::karte_env;

const FIRST: &str = "claim_id,person_id,service_month,amount,loaded_at\nc1,p1,2024-04-01,100,1\nc2,p2,2024-04-01,200,1\nc3,p1,2024-05-01,300,1\n";
const SECOND: &str = "claim_id,person_id,service_month,amount,loaded_at\nc1,p1,2024-04-01,150,2\nc2,p2,2024-04-01,200,1\nc3,p1,2024-05-01,300,1\nc4,p3,2024-06-01,400,2\n";
const THIRD: &str = "claim_id,person_id,service_month,amount,loaded_at\nc1,p1,2024-04-01,150,2\nc2,p2,2024-04-01,250,3\nc3,p1,2024-05-01,300,1\nc4,p3,2024-06-01,400,2\nc5,p1,2024-07-01,500,3\n";
const INPUTS: [&str; 3] = [FIRST, SECOND, THIRD];
/// Random kill points per run.
const RANDOM_PER_RUN: usize = 8;

fn fixture(dir: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects/local_build");
    crate::compile::copy_dir(&src, dir);
    // An append without a filter: every run adds all rows again, so a write done twice shows.
    std::fs::write(
        dir.join("models/silver/i_log.sql"),
        "{{ config(materialized='incremental', incremental_strategy='append') }}\nselect claim_id, amount from raw.claims\n",
    )
    .unwrap();
    // Files in the lake that no table owns: never touched.
    for f in [
        "target/lake/keep.txt",
        "target/lake/silver/not_karte/keep.parquet",
    ] {
        crate::support::write_file(dir, Path::new(f), b"not karte's");
    }
}

fn set_claims(dir: &Path, csv: &str) {
    std::fs::write(dir.join("seeds/raw/claims.csv"), csv).unwrap();
}

fn build(dir: &Path, env: &[(&str, &str)]) -> (i32, String) {
    let (code, out, err) = karte_env(dir, &["build", "--threads", "1"], env);
    (code, format!("{out}{err}"))
}

/// Copy a directory tree (a project with its `target/`).
fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// What a reader and the next run see: every table's rows (snapshot history without its
/// timestamps), the catalog entries, the DuckDB objects, and how many files each directory of
/// the lake holds (and none left in target/tmp).
fn end_state(dir: &Path) -> Vec<String> {
    let engine = karte::engine::duckdb::LocalEngine::open(dir, "target/lake").unwrap();
    let rows = |sql: &str| -> Vec<String> {
        let mut rows: Vec<String> = engine
            .query_text(sql)
            .unwrap_or_else(|e| panic!("{sql}: {}", e.message))
            .1
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|v| v.unwrap_or_else(|| "NULL".into()))
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect();
        rows.sort();
        rows
    };
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
        "gold.g_month_releases",
    ] {
        state.push(format!(
            "{table}: {}",
            rows(&format!("select * from {table}")).join("; ")
        ));
    }
    state.push(format!(
        "history.claim_history: {}",
        rows("select claim_id, amount, dbt_valid_to is null from history.claim_history").join("; ")
    ));
    for e in
        rows("select schema_name || '.' || table_name || ' ' || state from karte_catalog.entries")
    {
        state.push(format!("entry {e}"));
    }
    for o in rows(
        "select table_schema || '.' || table_name || ' ' || table_type from information_schema.tables where table_schema <> 'karte_catalog'",
    ) {
        state.push(format!("object {o}"));
    }
    drop(engine);
    let mut files: std::collections::BTreeMap<String, usize> = Default::default();
    let lake = dir.join("target/lake");
    for e in walkdir::WalkDir::new(&lake).into_iter().flatten() {
        let rel = e
            .path()
            .strip_prefix(&lake)
            .unwrap()
            .to_string_lossy()
            .to_string();
        if e.file_type().is_file() && !rel.starts_with("_karte") {
            let parent = Path::new(&rel)
                .parent()
                .unwrap()
                .to_string_lossy()
                .to_string();
            *files.entry(parent).or_default() += 1;
        }
    }
    for (d, n) in files {
        state.push(format!("lake {d}/: {n} file(s)"));
    }
    let tmp = walkdir::WalkDir::new(dir.join("target/tmp"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count();
    state.push(format!("target/tmp: {tmp} file(s)"));
    number_runs(state)
}

/// A worker: one project path that every chain it runs is copied to (DuckDB views name their
/// files by absolute path, so a project is only ever used at the path it was built at), the
/// project as it is before each run, and what the runs leave uninterrupted.
struct Worker {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    /// `templates[k]`: the project before run k + 1.
    templates: Vec<PathBuf>,
    reference: Reference,
}

impl Worker {
    fn new() -> Worker {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("p");
        fixture(&dir);
        let mut templates = Vec::new();
        let mut reference = Reference {
            after: Vec::new(),
            steps: Vec::new(),
            ops: Vec::new(),
        };
        for (k, input) in INPUTS.iter().enumerate() {
            set_claims(&dir, input);
            let t = tmp.path().join(format!("before{}", k + 1));
            copy_tree(&dir, &t);
            templates.push(t);
            let (code, out, err) = karte_env(
                &dir,
                &["build", "--threads", "1"],
                &[("KARTE_FAILPOINT", "count-ops")],
            );
            assert_eq!(code, 0, "reference run {}: {out}{err}", k + 1);
            reference.ops.push(ops_of(&err));
            reference.steps.push(steps_of_latest_run(&dir));
            reference.after.push(end_state(&dir));
        }
        std::fs::remove_dir_all(&dir).unwrap();
        Worker {
            _tmp: tmp,
            dir,
            templates,
            reference,
        }
    }

    /// Kill run `chain.run` at each point of the chain in turn, finish it, compare; then, after
    /// a first run killed at step boundaries or at several points, the next run.
    fn run_chain(&self, chain: &Chain) -> Result<(), String> {
        let dir = &self.dir;
        if dir.exists() {
            std::fs::remove_dir_all(dir).unwrap();
        }
        copy_tree(&self.templates[chain.run - 1], dir);
        for p in &chain.points {
            let (code, out) = build(dir, &[("KARTE_FAILPOINT", &p.failpoint)]);
            if code != 137 {
                return Err(format!("{}: not killed (exit {code}): {out}", p.failpoint));
            }
        }
        let (code, out) = build(dir, &[]);
        if code != 0 {
            return Err(format!("the run after the kill failed: {out}"));
        }
        let got = end_state(dir);
        let want = &self.reference.after[chain.run - 1];
        if &got != want {
            return Err(format!("end state differs:\n{}", diff(want, &got)));
        }
        // And the run after that goes on as usual.
        let several = chain.points.len() > 1 || chain.points[0].kind == Kind::Boundary;
        if chain.run == 1 && several {
            set_claims(dir, SECOND);
            let (code, out) = build(dir, &[]);
            if code != 0 {
                return Err(format!("the next run failed: {out}"));
            }
            let got = end_state(dir);
            if got != self.reference.after[1] {
                return Err(format!(
                    "the next run's end state differs:\n{}",
                    diff(&self.reference.after[1], &got)
                ));
            }
        }
        Ok(())
    }
}

/// Steps of the third run that are killed (its deletes and the release pruning); the first two
/// runs are killed at every step.
fn third_run_step(step: &str) -> bool {
    step.contains("-delete-prefix") || step.contains("-drop-partitions")
}

/// Steps that write or delete files: killed right before their last operation too (written or
/// deleted, not committed or recorded).
fn writes_files(step: &str) -> bool {
    [
        "-sql",
        "-batched-write",
        "-load-seed",
        "-delete-prefix",
        "-drop-partitions",
        "-delete-replaced-partitions",
    ]
    .iter()
    .any(|k| step.ends_with(k))
}

#[test]
fn a_build_killed_anywhere_ends_as_an_uninterrupted_one() {
    let seed = seed();
    let started = std::time::Instant::now();
    let workers = start_workers(Worker::new, |w: &Worker| &w.reference);
    let r = &workers[0].reference;
    assert!(
        r.steps[2].iter().filter(|s| third_run_step(s)).count() >= 4,
        "{:?}",
        r.steps[2]
    );

    let mut chains = Vec::new();
    let mut rng = Rng::new(seed);
    for run in 1..=3 {
        let ops = &r.ops[run - 1];
        let steps: Vec<&String> = r.steps[run - 1]
            .iter()
            .filter(|s| run < 3 || third_run_step(s))
            .collect();
        // Each alone: killed right after a step is journaled as started (before it ran: the
        // rerun must run it, once), and right after it is journaled as done.
        for s in &steps {
            for after in [true, false] {
                chains.push(Chain {
                    run,
                    points: vec![boundary(s, after)],
                });
            }
        }
        // Inside every step, in a row of processes: right after its last operation (applied,
        // not yet journaled: the next process must not apply it again) …
        chains.push(Chain {
            run,
            points: steps
                .iter()
                .filter(|s| ops_of_step(ops, s) > 0)
                .map(|s| step_op(ops, s, ops_of_step(ops, s), false))
                .collect(),
        });
        // … and right before it where files are written or deleted (the next process must
        // remove what the killed one wrote, and finish what it deleted).
        chains.push(Chain {
            run,
            points: steps
                .iter()
                .filter(|s| writes_files(s) && ops_of_step(ops, s) > 0)
                .map(|s| step_op(ops, s, ops_of_step(ops, s), true))
                .collect(),
        });
        chains.extend(random_points(run, ops, RANDOM_PER_RUN, &mut rng));
    }
    run_and_check(
        "local",
        &workers,
        &chains,
        seed,
        started,
        &|w: &Worker, c: &Chain| w.run_chain(c),
    );
}
