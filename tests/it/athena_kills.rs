//! A build on Athena (the emulator) killed anywhere, then run again, ends as an uninterrupted
//! build: the same Glue tables, locations and partitions, the same objects in the lake, every
//! query run once (a resumed run finds its earlier executions by their tokens), and no S3
//! listing or delete outside the prefixes karte owns. Every step of a first and a second run is
//! killed in a row of processes, each resuming the run on a fresh checkout (from the journal's
//! copy on the lake) and killed at the next point: right after the step is journaled as
//! started, right after its last operation (applied, not yet journaled), right after it is
//! journaled as done; the steps of several operations also halfway, after their first; and the
//! runs are killed alone at operations drawn at random from a seed (`KARTE_KILL_SEED=<n>`
//! reruns with another). See `KARTE_FAILPOINT` in src/engine/failpoint.rs and
//! [`crate::kill_points::Chain`].

use std::path::Path;

use serde_json::json;

use super::athena::{arm_months, karte, outside_owned_prefixes, project, FakeAws};
use super::athena_runs::{json_call, signed_request};
use crate::kill_points::{
    boundary, diff, number_runs, ops_of, ops_of_step, random_points, run_and_check, seed,
    start_workers, step_op, steps_of_latest_run, Chain, Reference, Rng,
};

/// The partition values the probe of `i_overwrite` finds in each run.
const MONTHS: [&[&str]; 2] = [&["2024-04-01", "2024-05-01"], &["2024-05-01", "2024-06-01"]];
/// Random kill points per run.
const RANDOM_PER_RUN: usize = 6;

fn build(dir: &Path, env: &[(&str, &str)]) -> (i32, String) {
    let (code, out, err) = karte(dir, &["build", "--threads", "1"], env);
    (code, format!("{out}{err}"))
}

/// The keys of the objects under `prefix` in the lake bucket.
fn lake_keys(aws: &FakeAws, prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut after = String::new();
    loop {
        let out = signed_request(
            aws,
            &format!("GET /lake-bucket?list-type=2&prefix={prefix}&start-after={after}"),
            "s3",
            "",
            "",
        );
        let page: Vec<String> = out
            .split("<Key>")
            .skip(1)
            .filter_map(|k| k.split_once("</Key>").map(|(k, _)| k.to_string()))
            .collect();
        let truncated = out.contains("<IsTruncated>true</IsTruncated>");
        match page.last() {
            Some(last) if truncated => after = last.clone(),
            _ => {
                keys.extend(page);
                return keys;
            }
        }
        keys.extend(page);
    }
}

/// What readers and the next run see: every Glue table of the project's databases (type,
/// location, karte's marks) with its partitions (values, location, parameters), the objects of
/// the lake (not karte's own lock and journal copy), and the queries that ran (each once; a
/// resubmission under a used token, which Athena answers with the first execution, is not a
/// run).
fn end_state(aws: &FakeAws) -> Vec<String> {
    let mut lines = Vec::new();
    for db in ["raw", "silver", "gold", "history"] {
        let r = json_call(aws, "AWSGlue.GetTables", &json!({"DatabaseName": db}));
        for t in r["TableList"].as_array().into_iter().flatten() {
            let name = t["Name"].as_str().unwrap_or("?");
            let p = &t["Parameters"];
            lines.push(format!(
                "table {db}.{name} {} location={} managed={} owned={} format={}",
                t["TableType"],
                t["StorageDescriptor"]["Location"],
                p["karte_managed"],
                p["karte_owned_prefix"],
                p["table_type"]
            ));
            if t["PartitionKeys"].as_array().is_some_and(|k| !k.is_empty()) {
                let r = json_call(
                    aws,
                    "AWSGlue.GetPartitions",
                    &json!({"DatabaseName": db, "TableName": name}),
                );
                for part in r["Partitions"].as_array().into_iter().flatten() {
                    lines.push(format!(
                        "partition {db}.{name} {} {} {}",
                        part["Values"], part["StorageDescriptor"]["Location"], part["Parameters"]
                    ));
                }
            }
        }
    }
    for key in lake_keys(aws, "lake/") {
        if !key.starts_with("lake/_karte/") {
            lines.push(format!("object {key}"));
        }
    }
    for q in aws.queries() {
        if q["duplicate"] != true {
            let text = q["query"].as_str().unwrap_or("");
            lines.push(format!(
                "query {}",
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
    }
    // (The emulator puts an Iceberg table's data under the query's output location, named by
    // the query id.)
    let mut lines: Vec<String> = number_runs(lines)
        .into_iter()
        .map(|l| match l.find("query-results/karte/tables/") {
            Some(i) => {
                let start = i + "query-results/karte/tables/".len();
                let end = l[start..].find('/').map_or(l.len(), |j| start + j);
                format!("{}{{query id}}{}", &l[..start], &l[end..])
            }
            None => l,
        })
        .collect();
    lines.sort();
    lines
}

/// One emulator, its state before each run (saved once), and what the runs leave
/// uninterrupted.
struct Worker {
    aws: FakeAws,
    reference: Reference,
}

impl Worker {
    fn new() -> Worker {
        let aws = FakeAws::start();
        let tmp = project(&aws);
        let dir = tmp.path();
        let mut reference = Reference {
            after: Vec::new(),
            steps: Vec::new(),
            ops: Vec::new(),
        };
        for (k, months) in MONTHS.iter().enumerate() {
            aws.post("/_karte/save", json!({"name": format!("before{}", k + 1)}));
            arm_months(&aws, months, 1);
            let (code, out, err) = karte(
                dir,
                &["build", "--threads", "1"],
                &[("KARTE_FAILPOINT", "count-ops")],
            );
            assert_eq!(code, 0, "reference run {}: {out}{err}", k + 1);
            let outside = outside_owned_prefixes(&aws.calls());
            assert!(outside.is_empty(), "reference run {}: {outside:#?}", k + 1);
            reference.ops.push(ops_of(&err));
            reference.steps.push(steps_of_latest_run(dir));
            reference.after.push(end_state(&aws));
            // (The test's own reads are not karte's calls.)
            aws.post("/_karte/reset-calls", json!({}));
        }
        Worker { aws, reference }
    }

    /// Kill run `chain.run` at each point of the chain in turn, each time on a fresh checkout
    /// (the run is found in the journal's copy on the lake), finish it, compare.
    fn run_chain(&self, chain: &Chain) -> Result<(), String> {
        let aws = &self.aws;
        aws.post(
            "/_karte/restore",
            json!({"name": format!("before{}", chain.run)}),
        );
        arm_months(aws, MONTHS[chain.run - 1], 1);
        for p in &chain.points {
            let tmp = project(aws);
            let (code, out) = build(tmp.path(), &[("KARTE_FAILPOINT", &p.failpoint)]);
            if code != 137 {
                return Err(format!("{}: not killed (exit {code}): {out}", p.failpoint));
            }
        }
        let tmp = project(aws);
        let (code, out) = build(tmp.path(), &[]);
        if code != 0 {
            return Err(format!("the run after the kill failed: {out}"));
        }
        let outside = outside_owned_prefixes(&aws.calls());
        if !outside.is_empty() {
            return Err(format!(
                "S3 listed or deleted outside karte's prefixes: {outside:#?}"
            ));
        }
        let got = end_state(aws);
        let want = &self.reference.after[chain.run - 1];
        if &got != want {
            return Err(format!("end state differs:\n{}", diff(want, &got)));
        }
        Ok(())
    }
}

#[test]
fn a_build_on_athena_killed_anywhere_ends_as_an_uninterrupted_one() {
    let seed = seed();
    let started = std::time::Instant::now();
    let workers = start_workers(Worker::new, |w: &Worker| &w.reference);
    let r = &workers[0].reference;

    let mut chains = Vec::new();
    let mut rng = Rng::new(seed);
    for run in 1..=2 {
        let ops = &r.ops[run - 1];
        let steps = &r.steps[run - 1];
        // Every step in a row of processes: killed right after it is journaled as started,
        // right after its last operation (applied, not journaled: the next process must not
        // apply it again), right after it is journaled as done.
        let mut all = Vec::new();
        for s in steps {
            all.push(boundary(s, false));
            let n = ops_of_step(ops, s);
            if n > 0 {
                all.push(step_op(ops, s, n, false));
            }
            all.push(boundary(s, true));
        }
        // Split in four, for the two workers.
        let quarter = all.len().div_ceil(4);
        for part in all.chunks(quarter) {
            chains.push(Chain {
                run,
                points: part.to_vec(),
            });
        }
        // The steps of several operations killed halfway, after the first (the next process
        // finishes the step from there, and goes on to the next such step).
        chains.push(Chain {
            run,
            points: steps
                .iter()
                .filter(|s| ops_of_step(ops, s) > 1)
                .map(|s| step_op(ops, s, 1, false))
                .collect(),
        });
        chains.extend(random_points(run, ops, RANDOM_PER_RUN, &mut rng));
    }
    run_and_check(
        "Athena",
        &workers,
        &chains,
        seed,
        started,
        &|w: &Worker, c: &Chain| w.run_chain(c),
    );
}
