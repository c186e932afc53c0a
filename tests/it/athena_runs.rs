//! Runs on Athena as Athena really behaves (the emulator follows the documented semantics): a
//! ClientRequestToken names one execution for good, so every run must submit its own queries;
//! a resumed run must not take a stopped execution for a result; faults injected at random
//! (throttling, 5xx, lost replies) are retried and the end state is the same.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::athena::{arm_months, build, karte, karte_cmd, partitions_created, project, FakeAws};

fn tokens(queries: &[Value]) -> HashSet<String> {
    queries
        .iter()
        .filter_map(|q| q["client_request_token"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn every_run_submits_its_own_queries() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01", "2024-05-01"], 1);
    build(dir, &[]);
    let first = aws.queries();
    let first_tokens = tokens(&first);

    // The second run, over changed input: the probe of i_overwrite finds a new month, and a
    // data test now finds failing rows. Its SQL text is the same as the first run's.
    arm_months(&aws, &["2024-06-01"], 1);
    aws.post(
        "/_karte/query-results",
        json!({"match": "AS karte_test", "columns": [{"name": "_col0", "type": "bigint"}],
               "rows": [[3]], "count": 1}),
    );
    let (code, out, err) = karte(dir, &["build", "--threads", "1"], &[]);
    let second: Vec<Value> = aws.queries()[first.len()..].to_vec();
    let reused: Vec<&Value> = second
        .iter()
        .filter(|q| {
            q["duplicate"] == true
                || first_tokens.contains(q["client_request_token"].as_str().unwrap_or(""))
        })
        .collect();
    assert!(
        reused.is_empty(),
        "the second run reused the first run's tokens, so Athena ran nothing: {reused:#?}"
    );
    // What the second run's probe found was written.
    assert!(
        partitions_created(&aws, "i_overwrite").contains(&json!(["2024-06-01"])),
        "the second run's new month was not written"
    );
    // And the data test's new result counts: the build fails on it.
    assert_eq!(code, 1, "a failing test fails the build\n{out}{err}");
    let results = crate::support::run_results(dir);
    let failed: Vec<&Value> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "fail")
        .collect();
    assert_eq!(failed.len(), 1, "{results:#}");
    assert_eq!(failed[0]["failures"], 3, "{results:#}");
}

#[test]
fn a_used_token_with_other_sql_is_refused_as_athena_does() {
    let aws = FakeAws::start();
    let body = |sql: &str| {
        json!({"QueryString": sql, "ClientRequestToken": "karte-0123456789abcdef0123456789abcdef",
               "WorkGroup": "primary"})
    };
    let first = athena_call(&aws, "StartQueryExecution", &body("SELECT 1"));
    assert!(first["QueryExecutionId"].is_string(), "{first}");
    let again = athena_call(&aws, "StartQueryExecution", &body("SELECT 1"));
    assert_eq!(again["QueryExecutionId"], first["QueryExecutionId"]);
    let other = athena_call(&aws, "StartQueryExecution", &body("SELECT 2"));
    assert_eq!(other["__type"], "InvalidRequestException", "{other}");
}

/// An unsigned Athena JSON call to the emulator (as the control side of a test).
fn athena_call(aws: &FakeAws, operation: &str, body: &Value) -> Value {
    json_call(aws, &format!("AmazonAthena.{operation}"), body)
}

/// The names of the tables in the Glue databases the fixture writes.
fn glue_tables(aws: &FakeAws) -> Vec<String> {
    let mut names = Vec::new();
    for db in ["raw", "silver", "gold", "history"] {
        let r = json_call(aws, "AWSGlue.GetTables", &json!({"DatabaseName": db}));
        for t in r["TableList"].as_array().into_iter().flatten() {
            names.push(format!("{db}.{}", t["Name"].as_str().unwrap()));
        }
    }
    names.sort();
    names
}

pub(crate) fn json_call(aws: &FakeAws, target: &str, body: &Value) -> Value {
    let service = if target.starts_with("AWSGlue") {
        "glue"
    } else {
        "athena"
    };
    let headers = format!("X-Amz-Target: {target}\r\nContent-Type: application/x-amz-json-1.1\r\n");
    let out = signed_request(aws, "POST /", service, &headers, &body.to_string());
    let (_, payload) = out.split_once("\r\n\r\n").unwrap();
    serde_json::from_str(payload).unwrap_or(json!({}))
}

/// One HTTP request to the emulator with the test credentials (the emulator does not check
/// signatures; it reads the account, region and service from the credential scope); the whole
/// response as text.
pub(crate) fn signed_request(
    aws: &FakeAws,
    line: &str,
    service: &str,
    headers: &str,
    body: &str,
) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(&aws.addr).unwrap();
    write!(
        s,
        "{line} HTTP/1.1\r\nHost: {}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20261203/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0\r\nX-Amz-Content-Sha256: UNSIGNED-PAYLOAD\r\nX-Amz-Date: 20261203T000000Z\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        aws.addr,
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn signal(pid: u32, sig: &str) {
    let ok = std::process::Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} {pid}");
}

fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn journal_events(dir: &Path) -> String {
    let run = crate::support::latest_run_id(dir);
    std::fs::read_to_string(dir.join("target/journal").join(run).join("events.jsonl")).unwrap()
}

#[test]
fn a_resumed_run_submits_a_stopped_query_again() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01"], 1);
    build(dir, &[]);
    // The second run's t_table query runs until it is stopped; the user presses Ctrl-C twice
    // while it runs (the second stops running queries and exits).
    aws.post(
        "/_karte/query-outcome",
        json!({"match": "t_table__karte_", "state": "RUNNING", "count": 1}),
    );
    arm_months(&aws, &["2024-04-01"], 1);
    let mut child = karte_cmd(dir, &["build", "--threads", "1", "--select", "t_table"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let running = |aws: &FakeAws| {
        aws.queries().iter().any(|q| {
            q["state"] == "RUNNING" && q["query"].as_str().unwrap().contains("t_table__karte_")
        })
    };
    wait_for("t_table's query runs", || running(&aws));
    // (Time for karte to note the query as running, and to take the first Ctrl-C, even on a
    // loaded machine.)
    std::thread::sleep(Duration::from_millis(500));
    signal(child.id(), "-INT");
    std::thread::sleep(Duration::from_millis(700));
    signal(child.id(), "-INT");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let stopped: Vec<Value> = aws
        .queries()
        .into_iter()
        .filter(|q| q["state"] == "CANCELLED")
        .collect();
    assert_eq!(stopped.len(), 1, "{stopped:#?}");

    // The next build resumes the run: the stopped execution is not a result.
    let (code, out, err) = karte(
        dir,
        &["build", "--threads", "1", "--select", "t_table"],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("resuming"), "{err}");
    let t: Vec<Value> = aws
        .queries()
        .into_iter()
        .filter(|q| {
            q["query"].as_str().unwrap().contains("t_table__karte_") && q["duplicate"] != true
        })
        .collect();
    let states: Vec<&str> = t.iter().map(|q| q["state"].as_str().unwrap()).collect();
    assert!(
        states.ends_with(&["CANCELLED", "SUCCEEDED"]),
        "submitted again under a new token: {t:#?}"
    );
    let events = journal_events(dir);
    assert!(
        events.contains(r#""event":"resubmitted","step":"t_table/02-sql""#),
        "{events}"
    );
}

#[test]
fn faults_at_random_are_retried_and_the_end_state_is_the_same() {
    // The same two builds, without and with faults (seeded): the same partitions and tables.
    let end_state = |chaos: Option<u64>| {
        let aws = FakeAws::start();
        let tmp = project(&aws);
        let dir = tmp.path();
        if let Some(seed) = chaos {
            // Not GetQueryExecution: karte's polling is covered by the injected faults of the
            // calls around it, and the test stays fast.
            aws.post(
                "/_karte/chaos",
                json!({"seed": seed, "rate": 0.15, "after": 0.5,
                       "spare": ["GetQueryExecution", "GetQueryResults"]}),
            );
        }
        for months in [
            &["2024-04-01", "2024-05-01"][..],
            &["2024-05-01", "2024-06-01"],
        ] {
            arm_months(&aws, months, 1);
            build(dir, &[]);
        }
        let injected = aws.request("GET", "/_karte/chaos", &json!({}))["injected"]
            .as_u64()
            .unwrap();
        aws.post("/_karte/chaos", json!({"rate": 0}));
        // Each write statement ran once: a lost reply was retried under the same token.
        let mut writes: Vec<String> = aws
            .queries()
            .iter()
            .filter(|q| q["duplicate"] != true)
            .filter_map(|q| q["query"].as_str().map(str::to_string))
            .filter(|q| q.starts_with("INSERT") || q.starts_with("MERGE"))
            .collect();
        let n = writes.len();
        writes.sort();
        writes.dedup();
        assert_eq!(writes.len(), n, "a write ran twice");
        (
            partitions_created(&aws, "i_overwrite"),
            glue_tables(&aws),
            n,
            injected,
        )
    };
    let calm = end_state(None);
    for seed in [7, 11] {
        let stormy = end_state(Some(seed));
        assert!(
            stormy.3 >= 5,
            "seed {seed}: only {} faults injected",
            stormy.3
        );
        assert_eq!(
            (&calm.0, &calm.1, calm.2),
            (&stormy.0, &stormy.1, stormy.2),
            "seed {seed}"
        );
    }
}

/// Put an object into the emulator's S3 (path style, unsigned).
fn s3_put(aws: &FakeAws, path: &str, body: &str) {
    let out = signed_request(aws, &format!("PUT {path}"), "s3", "", body);
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
}

fn s3_exists(aws: &FakeAws, path: &str) -> bool {
    signed_request(aws, &format!("HEAD {path}"), "s3", "", "").starts_with("HTTP/1.1 200")
}

const LOCK: &str = "/lake-bucket/lake/_karte/locks/athena.json";

#[test]
fn one_run_at_a_time_per_target_and_a_stale_lock_is_broken_only_on_request() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01"], 1);
    build(dir, &[]);
    assert!(!s3_exists(&aws, LOCK), "a finished build releases its lock");

    // Another run holds the lock, its lease running.
    let holder = |expires: &str| {
        json!({"command": "build", "host": "fargate-task-7", "pid": 4242,
               "since": "2026-12-03T01:00:00Z", "expires": expires})
        .to_string()
    };
    s3_put(&aws, LOCK, &holder("2999-01-01T00:00:00Z"));
    let queries = aws.queries().len();
    let (code, out, err) = karte(dir, &["build", "--threads", "1", "--break-lock"], &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("E503") && err.contains("fargate-task-7") && err.contains("pid 4242"),
        "{err}"
    );
    assert_eq!(aws.queries().len(), queries, "nothing ran");

    // Its lease ran out: refused, with the way out; taken over with --break-lock.
    s3_put(&aws, LOCK, &holder("2026-01-01T00:00:00Z"));
    let (code, _, err) = karte(dir, &["build", "--threads", "1"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--break-lock"), "{err}");
    arm_months(&aws, &["2024-04-01"], 1);
    let (code, out, err) = karte(dir, &["build", "--threads", "1", "--break-lock"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("breaking the stale lock"), "{err}");
    assert!(!s3_exists(&aws, LOCK));
}

/// Another writer changes silver.t_table in Glue (an UpdateTable with a parameter of its
/// own); returns the table as it was read before.
fn another_writer_updates_t_table(aws: &FakeAws) -> Value {
    let mut t = json_call(
        aws,
        "AWSGlue.GetTable",
        &json!({"DatabaseName": "silver", "Name": "t_table"}),
    )["Table"]
        .clone();
    t["Parameters"]["changed_by"] = json!("another team");
    let input = json!({"Name": "t_table", "StorageDescriptor": t["StorageDescriptor"],
                       "PartitionKeys": t["PartitionKeys"], "TableType": t["TableType"],
                       "Parameters": t["Parameters"]});
    let r = json_call(
        aws,
        "AWSGlue.UpdateTable",
        &json!({"DatabaseName": "silver", "TableInput": input}),
    );
    assert!(r.get("__type").is_none(), "{r}");
    t
}

#[test]
fn a_swap_is_refused_when_another_writer_changed_the_table_since_the_plan() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01"], 1);
    build(dir, &[]);
    // The second run is planned, writes t_table's new data, and is killed before its swap.
    arm_months(&aws, &["2024-04-01"], 1);
    let (code, _, err) = karte(
        dir,
        &["build", "--threads", "1", "--select", "t_table"],
        // (With --select, t_table's first step creates its schema.)
        &[("KARTE_FAILPOINT", "exit-after:t_table/02-sql")],
    );
    assert_eq!(code, 137, "{err}");
    // Meanwhile another writer changes the table.
    let get = |aws: &FakeAws| {
        json_call(
            aws,
            "AWSGlue.GetTable",
            &json!({"DatabaseName": "silver", "Name": "t_table"}),
        )["Table"]
            .clone()
    };
    let t = another_writer_updates_t_table(&aws);
    let location = t["StorageDescriptor"]["Location"].clone();

    // The resumed run does not overwrite that change.
    let (code, out, err) = karte(
        dir,
        &["build", "--threads", "1", "--select", "t_table"],
        &[],
    );
    assert_eq!(code, 1, "{out}{err}");
    let results = crate::support::run_results(dir).to_string();
    assert!(
        results.contains("changed since this run was planned"),
        "{results}"
    );
    let now = get(&aws);
    assert_eq!(now["Parameters"]["changed_by"], "another team");
    assert_eq!(now["StorageDescriptor"]["Location"], location);
}

#[test]
fn a_lock_created_with_a_lost_reply_is_recognised_as_this_runs_own() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    // The lock's create takes effect, its reply is lost (500), and the retry meets a lock.
    aws.post(
        "/_karte/faults",
        json!({"operation": "PutObject", "error": "InternalError", "status": 500,
               "after": true, "count": 1}),
    );
    arm_months(&aws, &["2024-04-01"], 1);
    build(dir, &[]);
    assert!(!s3_exists(&aws, LOCK), "released at the end");
}

/// The run journal's copy under the lake root.
const JOURNALS: &str = "/lake-bucket/lake/_karte/journal/athena/";

#[test]
fn a_run_whose_machine_died_is_resumed_and_rolled_back_from_another_machine() {
    let aws = FakeAws::start();
    // Machine A: a first run, then a second one killed after t_table's swap.
    let a = project(&aws);
    arm_months(&aws, &["2024-04-01"], 1);
    build(a.path(), &[]);
    arm_months(&aws, &["2024-04-01", "2024-05-01"], 1);
    let (code, out, err) = karte(
        a.path(),
        &["build", "--threads", "1"],
        &[("KARTE_FAILPOINT", "exit-after:t_table/02-swap")],
    );
    assert_eq!(code, 137, "{out}{err}");
    let run = crate::support::latest_run_id(a.path());
    assert!(
        s3_exists(&aws, &format!("{JOURNALS}{run}/plan.json"))
            && s3_exists(&aws, &format!("{JOURNALS}{run}/events.jsonl")),
        "the journal is written to the lake as the run goes"
    );
    let t_table_writes = |aws: &FakeAws| {
        aws.queries()
            .iter()
            .filter(|q| {
                q["duplicate"] != true
                    && q["query"]
                        .as_str()
                        .is_some_and(|s| s.contains("t_table__karte_"))
            })
            .count()
    };
    let written_on_a = t_table_writes(&aws);

    // Machine B: a fresh checkout (no target/ directory) resumes A's run from the lake.
    let b = project(&aws);
    let (code, out, err) = karte(b.path(), &["build", "--threads", "1"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains(&format!("resuming {run}")) && err.contains("copied from s3://lake-bucket/"),
        "{err}"
    );
    assert_eq!(
        t_table_writes(&aws),
        written_on_a,
        "steps done on machine A are not run again"
    );
    let finished = crate::support::latest_run_id(b.path());
    assert_eq!(finished, run, "the same run, finished on B");

    // Machine C: rolls the run back (it published bad data), with nothing but the lake.
    let c = project(&aws);
    let (code, out, err) = karte(c.path(), &["rollback", &run, "--force"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("previous version restored"), "{out}");
    // And the journal on the lake says the run is over: nobody resumes it.
    let d = project(&aws);
    let (code, out, err) = karte(
        d.path(),
        &["build", "--threads", "1", "--select", "t_table"],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("resuming"), "{err}");
}

#[test]
fn a_reviewed_plan_is_refused_when_glue_changed_since_it_was_planned() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01"], 1);
    build(dir, &[]);
    let plan = dir.join("reviewed.json").to_string_lossy().to_string();
    let (code, out, err) = karte(dir, &["plan", "--out", &plan], &[]);
    assert_eq!(code, 0, "{out}{err}");
    // Unchanged: it runs.
    arm_months(&aws, &["2024-04-01"], 1);
    let (code, out, err) = karte(dir, &["build", "--plan", &plan, "--threads", "1"], &[]);
    assert_eq!(code, 0, "{out}{err}");

    // Planned again, then another writer updates a table the plan writes: refused, no query.
    let (code, out, err) = karte(dir, &["plan", "--out", &plan], &[]);
    assert_eq!(code, 0, "{out}{err}");
    another_writer_updates_t_table(&aws);
    let queries = aws.queries().len();
    let (code, out, err) = karte(dir, &["build", "--plan", &plan, "--threads", "1"], &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("E504") && err.contains("silver.t_table was written"),
        "{err}"
    );
    assert_eq!(aws.queries().len(), queries, "nothing was run");
}

/// The keys under a prefix of the emulator's lake bucket.
fn s3_keys(aws: &FakeAws, prefix: &str) -> Vec<String> {
    let out = signed_request(
        aws,
        &format!("GET /lake-bucket?list-type=2&prefix={prefix}"),
        "s3",
        "",
        "",
    );
    out.split("<Key>")
        .skip(1)
        .filter_map(|s| s.split("</Key>").next())
        .map(str::to_string)
        .collect()
}

#[test]
fn a_hive_append_that_fails_halfway_adds_no_row_twice() {
    // As Athena documents: a failed write can leave the files it wrote. The append's write
    // fails after writing its files; the next build appends once, and the table holds exactly
    // the files of the runs that succeeded.
    let data_files = |aws: &FakeAws| {
        let table = json_call(
            aws,
            "AWSGlue.GetTable",
            &json!({"DatabaseName": "silver", "Name": "i_append"}),
        );
        let location = table["Table"]["StorageDescriptor"]["Location"]
            .as_str()
            .unwrap()
            .trim_start_matches("s3://lake-bucket/")
            .to_string();
        s3_keys(aws, &location)
    };
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01"], 1);
    build(dir, &[]);
    assert_eq!(data_files(&aws).len(), 1, "the first run's file");
    aws.post(
        "/_karte/query-outcome",
        json!({"match": "i_append", "state": "FAILED", "leaves_files": true,
               "message": "HIVE_WRITER_CLOSE_ERROR: Error committing write", "count": 1}),
    );
    arm_months(&aws, &["2024-04-01"], 1);
    let (code, out, err) = karte(dir, &["build", "--threads", "1"], &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        data_files(&aws).len(),
        1,
        "the failed write left nothing where the table reads: {:?}",
        data_files(&aws)
    );
    arm_months(&aws, &["2024-04-01"], 1);
    build(dir, &[]);
    assert_eq!(
        data_files(&aws).len(),
        2,
        "one more file, once: {:?}",
        data_files(&aws)
    );
}
