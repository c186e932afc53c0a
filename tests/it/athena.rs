//! The Athena engine against a local AWS emulator (tests/aws/fake_aws.py: moto's server on
//! 127.0.0.1 with Athena's side effects on Glue and S3 emulated, call recording and fault
//! injection). Nothing here talks to anything outside 127.0.0.1 or needs AWS credentials.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

/// One emulator process per test (isolated state and call log); stopped on drop.
pub(crate) struct FakeAws {
    child: Child,
    pub(crate) addr: String,
}

impl FakeAws {
    pub(crate) fn start() -> FakeAws {
        let python = std::env::var("KARTE_PYTHON").unwrap_or_else(|_| "python3".into());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws/fake_aws.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .args(["--bucket", "lake-bucket", "--bucket", "query-results"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {python} {}: {e}; run the tests with `bash tests/run.sh`, which installs moto", script.display())
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("READY ")
            .unwrap_or_else(|| {
                panic!("the AWS emulator did not start (is moto installed? `bash tests/run.sh` installs it): {line:?}")
            })
            .to_string();
        FakeAws {
            child,
            addr: url.trim_start_matches("http://").to_string(),
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub(crate) fn request(&self, method: &str, path: &str, body: &Value) -> Value {
        let body = if method == "GET" {
            String::new()
        } else {
            body.to_string()
        };
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        let text = String::from_utf8_lossy(&out);
        let (_, payload) = text.split_once("\r\n\r\n").unwrap();
        serde_json::from_str(payload).unwrap_or_else(|e| panic!("{path}: {e}: {payload}"))
    }

    pub(crate) fn post(&self, path: &str, body: Value) {
        let r = self.request("POST", path, &body);
        assert_eq!(r["ok"], true, "{path}: {r}");
    }

    pub(crate) fn calls(&self) -> Vec<Value> {
        self.request("GET", "/_karte/calls", &json!({}))
            .as_array()
            .unwrap()
            .clone()
    }

    pub(crate) fn queries(&self) -> Vec<Value> {
        self.request("GET", "/_karte/queries", &json!({}))
            .as_array()
            .unwrap()
            .clone()
    }
}

impl Drop for FakeAws {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A copy of the local_build fixture with an Athena target pointing at the emulator.
pub(crate) fn project(aws: &FakeAws) -> tempfile::TempDir {
    project_with(aws, "")
}

/// As [`project`], with extra settings for the Athena target (indented YAML lines).
pub(crate) fn project_with(aws: &FakeAws, extra: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects/local_build");
    crate::compile::copy_dir(&src, tmp.path());
    std::fs::write(
        tmp.path().join("karte.yml"),
        format!(
            "name: local_build
layers:
  silver: silver
  gold: gold
  snapshots: history
default_target: athena
targets:
  athena:
    type: athena
    region: us-east-1
    workgroup: primary
    s3_staging_dir: s3://query-results/karte/
    lake_root: s3://lake-bucket/lake/
    endpoint_url: {}
    max_concurrency: 2
    retry_base_delay_ms: 1
    poll_interval_ms: 1
{extra}",
            aws.url()
        ),
    )
    .unwrap();
    tmp
}

/// The karte command with fake credentials: only 127.0.0.1 is reached.
pub(crate) fn karte_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_karte"));
    cmd.env("KARTE_LANG", "en");
    cmd.args(args)
        .arg("--project-dir")
        .arg(dir)
        // Fake credentials; no profile files, no instance metadata: only 127.0.0.1 is reached.
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env_remove("KARTE_FAILPOINT");
    cmd
}

pub(crate) fn karte(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = karte_cmd(dir, args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

pub(crate) fn build(dir: &Path, extra: &[&str]) {
    let mut args = vec!["build", "--threads", "1"];
    args.extend(extra);
    let (code, out, err) = karte(dir, &args, &[]);
    assert_eq!(code, 0, "build failed\nstdout:\n{out}\nstderr:\n{err}");
}

/// The values of the partitions created in `table` (calls that were not failed by a fault).
pub(crate) fn partitions_created(aws: &FakeAws, table: &str) -> Vec<Value> {
    aws.calls()
        .iter()
        .filter(|c| {
            c["operation"] == "BatchCreatePartition"
                && c["params"]["TableName"] == table
                && c.get("fault").is_none()
        })
        .flat_map(|c| {
            c["params"]["PartitionInputList"]
                .as_array()
                .unwrap()
                .clone()
        })
        .map(|p| p["Values"].clone())
        .collect()
}

/// The partition values the probe queries return (Athena would compute them).
pub(crate) fn arm_months(aws: &FakeAws, months: &[&str], count: u32) {
    aws.post(
        "/_karte/query-results",
        json!({
            "match": "SELECT DISTINCT service_month",
            "columns": [{"name": "service_month", "type": "date"}],
            "rows": months.iter().map(|m| json!([m])).collect::<Vec<_>>(),
            "count": count,
        }),
    );
}

/// The calls as short lines, run ids and query ids redacted: the sequence a reviewer reads.
pub(crate) fn call_lines(calls: &[Value]) -> String {
    let run = regex_lite_replace;
    calls
        .iter()
        .filter(|c| c["operation"] != "GetQueryExecution" && c["operation"] != "GetQueryResults")
        .map(|c| {
            let p = &c["params"];
            let op = c["operation"].as_str().unwrap_or("?");
            let what = match (c["service"].as_str().unwrap_or(""), op) {
                ("athena", "StartQueryExecution") => {
                    let q = p["QueryString"].as_str().unwrap_or("");
                    let first = q.lines().next().unwrap_or("").trim();
                    first.chars().take(90).collect::<String>()
                }
                ("glue", _) => {
                    let db = p["DatabaseName"]
                        .as_str()
                        .or(p["DatabaseInput"]["Name"].as_str())
                        .unwrap_or("");
                    let t = p["TableName"]
                        .as_str()
                        .or(p["Name"].as_str())
                        .or(p["TableInput"]["Name"].as_str())
                        .unwrap_or("");
                    let n = p["PartitionInputList"]
                        .as_array()
                        .or(p["PartitionsToDelete"].as_array())
                        .or(p["Entries"].as_array())
                        .or(p["VersionIds"].as_array())
                        .map(|a| format!(" ({} entries)", a.len()))
                        .unwrap_or_default();
                    format!("{db}.{t}{n}")
                }
                ("lakeformation", _) => crate::athena_access::lf_line(op, p),
                ("s3", _) => format!(
                    "{}/{}{}",
                    p["bucket"].as_str().unwrap_or(""),
                    p["prefix"].as_str().or(p["key"].as_str()).unwrap_or(""),
                    p["keys"]
                        .as_array()
                        .map(|k| format!(" ({} keys)", k.len()))
                        .unwrap_or_default()
                ),
                _ => String::new(),
            };
            let fault = c["fault"]
                .as_str()
                .map(|f| format!("  [fault: {f}]"))
                .unwrap_or_default();
            run(&format!(
                "{} {op} {what}{fault}",
                c["service"].as_str().unwrap_or("")
            ))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `run_20261121_101500_123` → `{run}`.
fn regex_lite_replace(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("run_") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 4..];
        let n = tail
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '_')
            .count();
        if n >= 15 {
            out.push_str("{run}");
            rest = &tail[n..];
        } else {
            out.push_str("run_");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn call_sequences_first_run_second_run_full_refresh() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01", "2024-05-01"], 1);
    build(dir, &[]);
    insta::assert_snapshot!("athena_first_run", call_lines(&aws.calls()));
    // A table created in place (the release copies) is marked as karte's, owning its prefix.
    let marked = aws.calls().into_iter().find(|c| {
        c["operation"] == "UpdateTable" && c["params"]["TableInput"]["Name"] == "g_month_releases"
    });
    let params =
        &marked.expect("the releases table is marked")["params"]["TableInput"]["Parameters"];
    assert_eq!(params["karte_managed"], "true", "{params}");
    assert_eq!(
        params["karte_owned_prefix"], "s3://lake-bucket/lake/gold/g_month_releases/",
        "{params}"
    );
    // Per node: its query ids and the bytes they scanned.
    let results = crate::support::run_results(dir);
    let t = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "t_table")
        .unwrap();
    assert_eq!(t["query_ids"].as_array().unwrap().len(), 1, "{t}");
    assert!(t["bytes_scanned"].as_u64().unwrap() > 0, "{t}");
    aws.post("/_karte/reset-calls", json!({}));
    arm_months(&aws, &["2024-05-01", "2024-06-01"], 1);
    build(dir, &[]);
    insta::assert_snapshot!("athena_second_run", call_lines(&aws.calls()));
    aws.post("/_karte/reset-calls", json!({}));
    arm_months(&aws, &["2024-04-01"], 1);
    build(dir, &["--full-refresh"]);
    insta::assert_snapshot!("athena_full_refresh", call_lines(&aws.calls()));
}

#[test]
fn nothing_outside_managed_prefixes_is_listed_or_deleted() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    // Queries go QUEUED → RUNNING → SUCCEEDED over several polls (moto's state manager).
    let body = json!({"model_name": "athena::execution", "transition": {"progression": "manual", "times": 2}});
    let mut s = TcpStream::connect(&aws.addr).unwrap();
    write!(
        s,
        "POST /moto-api/state-manager/set-transition HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        aws.addr,
        body.to_string().len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(
        reply.starts_with("HTTP/1.1 2") || reply.starts_with("HTTP/1.0 2"),
        "{reply}"
    );
    for months in [
        &["2024-04-01", "2024-05-01"][..],
        &["2024-05-01"],
        &["2024-06-01"],
    ] {
        arm_months(&aws, months, 1);
        build(dir, &[]);
    }
    let count = |op: &str| aws.calls().iter().filter(|c| c["operation"] == op).count();
    assert!(
        count("GetQueryExecution") >= 2 * count("StartQueryExecution"),
        "karte polls each query until it finishes: {} polls for {} queries",
        count("GetQueryExecution"),
        count("StartQueryExecution")
    );
    let outside = outside_owned_prefixes(&aws.calls());
    assert!(outside.is_empty(), "{outside:#?}");
}

/// The S3 listings and deletes among `calls` that reach outside what karte owns: the tables'
/// prefixes `lake/<schema>/<table>/…` (never a schema or the lake root itself), the target's run
/// lock, and the run journal's copy (its listing of runs, and exactly a run's two files).
pub(crate) fn outside_owned_prefixes(calls: &[Value]) -> Vec<String> {
    let owned = ["lake/raw/", "lake/silver/", "lake/gold/", "lake/history/"];
    let mut outside = Vec::new();
    for c in calls {
        let op = c["operation"].as_str().unwrap_or("");
        if matches!(op, "ListObjectsV2" | "DeleteObjects" | "DeleteObject") {
            let p = &c["params"];
            if p["bucket"] != "lake-bucket" {
                outside.push(format!("{op} in bucket {}", p["bucket"]));
                continue;
            }
            let prefix = p["prefix"].as_str().unwrap_or("");
            let keys: Vec<&str> = p["keys"]
                .as_array()
                .map(|k| k.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let key = p["key"].as_str().unwrap_or("");
            for path in [prefix, key]
                .into_iter()
                .filter(|p| !p.is_empty())
                .chain(keys)
            {
                // The run lock of the target is karte's own object.
                if path == "lake/_karte/locks/athena.json" && op == "DeleteObject" {
                    continue;
                }
                // So is the run journal's copy: its listing of runs, and (pruning old runs)
                // exactly the journal's two files of a run.
                if let Some(rest) = path.strip_prefix("lake/_karte/journal/athena/") {
                    let file = rest.split_once('/').map(|(_, f)| f);
                    if !((op == "ListObjectsV2" && rest.is_empty())
                        || (op == "DeleteObjects"
                            && matches!(file, Some("plan.json" | "events.jsonl"))))
                    {
                        outside.push(format!("{op} {path}"));
                    }
                    continue;
                }
                // lake/<schema>/<table>/… — never a schema or the lake root itself.
                if !(owned.iter().any(|o| path.starts_with(o))
                    && path.split('/').filter(|s| !s.is_empty()).count() >= 3)
                {
                    outside.push(format!("{op} outside a table's prefix: {path}"));
                }
            }
        }
    }
    outside
}

#[test]
fn two_hundred_fifty_partitions_are_three_writes_and_three_glue_calls() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    let months: Vec<String> = (0..250)
        .map(|i| {
            let d = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Months::new(i);
            d.to_string()
        })
        .collect();
    let refs: Vec<&str> = months.iter().map(String::as_str).collect();
    arm_months(&aws, &refs, 1);
    let (code, out, err) = karte(
        dir,
        &["build", "--select", "i_overwrite", "--threads", "1"],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    let writes: Vec<String> = aws
        .queries()
        .iter()
        .filter_map(|q| q["query"].as_str().map(str::to_string))
        .filter(|q| {
            q.contains("i_overwrite__karte_")
                && (q.starts_with("CREATE TABLE") || q.starts_with("INSERT INTO"))
        })
        .collect();
    assert_eq!(writes.len(), 3, "{writes:#?}");
    let creates: Vec<usize> = aws
        .calls()
        .iter()
        .filter(|c| {
            c["operation"] == "BatchCreatePartition" && c["params"]["TableName"] == "i_overwrite"
        })
        .map(|c| c["params"]["PartitionInputList"].as_array().unwrap().len())
        .collect();
    assert_eq!(creates, vec![100, 100, 50]);
}

#[test]
fn throttling_is_retried_and_the_build_ends_the_same() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    for (op, err, n) in [
        ("StartQueryExecution", "TooManyRequestsException", 2),
        ("BatchCreatePartition", "ThrottlingException", 2),
        ("GetTable", "ThrottlingException", 3),
        ("ListObjectsV2", "SlowDown", 1),
        ("DeleteObjects", "SlowDown", 1),
    ] {
        aws.post(
            "/_karte/faults",
            json!({"operation": op, "error": err, "count": n}),
        );
    }
    for months in [
        &["2024-04-01", "2024-05-01"][..],
        &["2024-05-01", "2024-06-01"],
    ] {
        arm_months(&aws, months, 1);
        build(dir, &[]);
    }
    let faulted: Vec<String> = aws
        .calls()
        .iter()
        .filter_map(|c| {
            c["fault"]
                .as_str()
                .map(|f| format!("{} {f}", c["operation"].as_str().unwrap()))
        })
        .collect();
    assert_eq!(
        faulted.len(),
        9,
        "every injected fault was met: {faulted:?}"
    );
    // The same end state as without faults: three months registered once each.
    let (_, out, _) = karte(dir, &["ls"], &[]);
    assert!(out.contains("i_overwrite"), "{out}");
    assert_eq!(
        partitions_created(&aws, "i_overwrite"),
        vec![
            json!(["2024-04-01"]),
            json!(["2024-05-01"]),
            json!(["2024-06-01"])
        ]
    );
}

#[test]
fn a_syntax_error_fails_at_once_with_the_query_id() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01"], 1);
    aws.post(
        "/_karte/query-outcome",
        json!({"match": "t_table__karte_", "state": "FAILED", "error_category": 2, "retryable": false,
               "message": "SYNTAX_ERROR: line 8:8: Column 'amount2' cannot be resolved", "count": 5}),
    );
    let (code, out, err) = karte(dir, &["build", "--threads", "1"], &[]);
    assert_eq!(code, 1, "{out}{err}");
    let results = crate::support::run_results(dir);
    let t = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "t_table")
        .unwrap()
        .clone();
    let msg = t["message"].as_str().unwrap();
    let failed: Vec<Value> = aws
        .queries()
        .into_iter()
        .filter(|q| q["state"] == "FAILED")
        .collect();
    assert_eq!(failed.len(), 1, "submitted once, not retried: {failed:#?}");
    let id = failed[0]["id"].as_str().unwrap();
    assert!(
        msg.contains(id)
            && msg.contains("SYNTAX_ERROR")
            && msg.contains("models/silver/t_table.sql"),
        "{msg}"
    );
    // Its descendants are skipped, the rest built.
    let status = |n: &str| {
        results["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == n)
            .map(|r| r["status"].clone())
    };
    assert_eq!(status("t_table"), Some(json!("error")));
    assert_eq!(status("i_merge"), Some(json!("success")));
}

#[test]
fn a_retryable_query_failure_is_submitted_again() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    aws.post(
        "/_karte/query-outcome",
        json!({"match": "MERGE INTO", "state": "FAILED", "retryable": false,
               "message": "ICEBERG_COMMIT_ERROR: Failed to commit Iceberg update to table", "count": 1}),
    );
    arm_months(&aws, &["2024-04-01"], 1);
    build(dir, &[]);
    arm_months(&aws, &["2024-04-01"], 1);
    build(dir, &[]);
    let merges: Vec<Value> = aws
        .queries()
        .into_iter()
        .filter(|q| q["query"].as_str().unwrap().starts_with("MERGE INTO"))
        .collect();
    assert!(merges.iter().any(|q| q["state"] == "FAILED"), "{merges:#?}");
    assert!(
        merges.iter().any(|q| q["state"] == "SUCCEEDED"),
        "{merges:#?}"
    );
}

#[test]
fn a_killed_build_resumes_without_duplicate_writes_and_rollback_restores() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01", "2024-05-01"], 1);
    build(dir, &[]);
    arm_months(&aws, &["2024-05-01"], 1);
    // Second run, killed right after t_table's new data is written, before its swap.
    let (code, _, err) = karte(
        dir,
        &["build", "--threads", "1"],
        &[("KARTE_FAILPOINT", "exit-after:t_table/01-sql")],
    );
    assert_eq!(code, 137, "{err}");
    let before: usize = aws.queries().len();
    // (The probe of the killed run was done: the resumed run does not ask again.)
    let (code, out, err) = karte(dir, &["build", "--threads", "1"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("resuming"), "{err}");
    // Every write statement ran once: the resumed run skipped what was done.
    let mut writes: Vec<String> = aws
        .queries()
        .iter()
        .filter(|q| q["duplicate"] != true)
        .filter_map(|q| q["query"].as_str().map(str::to_string))
        .filter(|q| {
            q.starts_with("CREATE TABLE") || q.starts_with("INSERT") || q.starts_with("MERGE")
        })
        .collect();
    let n = writes.len();
    writes.sort();
    writes.dedup();
    assert_eq!(writes.len(), n, "a write ran twice");
    assert!(aws.queries().len() > before);

    // Rollback of an interrupted run puts the swapped table back.
    arm_months(&aws, &["2024-05-01"], 1);
    let (code, _, err) = karte(
        dir,
        &["build", "--threads", "1"],
        &[("KARTE_FAILPOINT", "exit-after:t_table/02-swap")],
    );
    assert_eq!(code, 137, "{err}");
    let run_id = crate::support::latest_run_id(dir);
    let (code, out, err) = karte(dir, &["rollback", &run_id], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("silver.t_table: previous version restored"),
        "{out}"
    );
    // The seed was swapped in the same run before t_table: both go back.
    assert!(
        out.contains("raw.claims: previous version restored"),
        "{out}"
    );
    let restores = aws
        .calls()
        .iter()
        .filter(|c| c["operation"] == "GetTableVersion")
        .count();
    // Two to check that the data of the versions to restore is there, two to restore them.
    assert_eq!(restores, 4);
    // After a rollback, the next build starts a new run.
    arm_months(&aws, &["2024-05-01"], 1);
    let (code, _, err) = karte(dir, &["build", "--threads", "1"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("resuming"), "{err}");
}

#[test]
fn a_query_past_its_timeout_is_stopped() {
    let aws = FakeAws::start();
    let tmp = project_with(&aws, "    query_timeout_seconds: 1\n");
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01"], 1);
    aws.post(
        "/_karte/query-outcome",
        json!({"match": "t_table__karte_", "state": "RUNNING", "count": 1}),
    );
    let (code, out, err) = karte(
        dir,
        &["build", "--threads", "1", "--select", "t_table"],
        &[],
    );
    assert_eq!(code, 1, "{out}{err}");
    let stopped: Vec<Value> = aws
        .queries()
        .into_iter()
        .filter(|q| q["query"].as_str().unwrap().contains("t_table__karte_"))
        .collect();
    assert_eq!(stopped.len(), 1);
    assert_eq!(stopped[0]["state"], "CANCELLED", "{stopped:#?}");
    assert!(aws
        .calls()
        .iter()
        .any(|c| c["operation"] == "StopQueryExecution"));
    let results = crate::support::run_results(dir).to_string();
    assert!(results.contains("query_timeout_seconds"), "{results}");
}

#[test]
fn max_bytes_scanned_stops_before_the_next_query() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01"], 1);
    let (code, out, err) = karte(
        dir,
        &["build", "--threads", "1", "--max-bytes-scanned", "1KB"],
        &[],
    );
    assert_eq!(code, 1, "{out}{err}");
    let results = crate::support::run_results(dir).to_string();
    assert!(results.contains("--max-bytes-scanned reached"), "{results}");
    // The totals are shown at the end.
    assert!(out.contains("Athena: ") && out.contains("scanned"), "{out}");
}

#[test]
fn plan_live_reads_glue_and_saves_the_state() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01"], 1);
    build(dir, &[]);
    let state = dir.join("state.json");
    let (code, out, err) = karte(
        dir,
        &[
            "plan",
            "--live",
            "--save-catalog-state",
            state.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    // The tables exist now: incremental models plan an incremental run, not a first one.
    assert!(
        out.contains("silver.i_append — incremental (hive, append) — incremental (append)"),
        "{out}"
    );
    // The saved state plans offline to the same text.
    let (code, offline, err) = karte(
        dir,
        &["plan", "--catalog-state", state.to_str().unwrap()],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(offline, out);
}

/// A project with an Athena target and one ingest rule over gzip CSVs.
fn ingest_project(aws: &FakeAws) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("karte.yml"),
        format!(
            "name: lake
layers:
  bronze: bronze
default_target: athena
targets:
  athena:
    type: athena
    region: us-east-1
    workgroup: primary
    s3_staging_dir: s3://query-results/karte/
    lake_root: s3://lake-bucket/lake/
    endpoint_url: {}
    retry_base_delay_ms: 1
",
            aws.url()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(tmp.path().join("ingest")).unwrap();
    std::fs::write(
        tmp.path().join("ingest/labs.yml"),
        "tables:
  - name: labs
    files: \"lab/{facility}_lab_{month}.csv.gz\"
    columns:
      - { name: patient_id, header: 患者ID }
      - { name: result, header: 結果値 }
",
    )
    .unwrap();
    tmp
}

fn lab_file(dir: &Path, facility: &str, month: &str, rows: usize) {
    use std::io::Write as _;
    let mut text = String::from("患者ID,結果値\r\n");
    for i in 0..rows {
        text.push_str(&format!("{i:010},6.{i}\r\n"));
    }
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).unwrap();
    let path = dir.join(format!("lab/{facility}_lab_{month}.csv.gz"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, gz.finish().unwrap()).unwrap();
}

/// The calls of an ingest run; files are uploaded two at a time, so runs of uploads are sorted.
fn ingest_calls(aws: &FakeAws) -> String {
    let mut lines: Vec<String> = call_lines(&aws.calls())
        .lines()
        .map(|l| {
            // f-<checksum>/ names are content hashes: stable, but long.
            match l.find("/f-") {
                Some(i) => format!("{}/f-…{}", &l[..i], &l[i + 19..]),
                None => l.to_string(),
            }
        })
        .collect();
    for run in
        lines.chunk_by_mut(|a, b| a.starts_with("s3 PutObject") && b.starts_with("s3 PutObject"))
    {
        run.sort();
    }
    lines.join("\n")
}

#[test]
fn ingest_writes_parquet_to_s3_and_registers_partitions_in_glue() {
    let aws = FakeAws::start();
    let tmp = ingest_project(&aws);
    let dir = tmp.path();
    let deliveries = tempfile::tempdir().unwrap();
    lab_file(deliveries.path(), "1310001", "201901", 3);
    lab_file(deliveries.path(), "1310002", "201901", 2);
    let run = |what: &str| {
        aws.post("/_karte/reset-calls", json!({}));
        let (code, out, err) = karte(dir, &["ingest", deliveries.path().to_str().unwrap()], &[]);
        assert_eq!(code, 0, "{what}\n{out}{err}");
        (out, ingest_calls(&aws))
    };

    let (out, calls) = run("first");
    assert!(out.contains("2 loaded"), "{out}");
    insta::assert_snapshot!("athena_ingest_first", calls);

    // The same files again: Glue is read, nothing is written.
    let (out, calls) = run("again");
    assert!(out.contains("2 unchanged"), "{out}");
    assert!(
        calls.lines().all(|l| l.contains(" Get")),
        "only reads on a second ingest:\n{calls}"
    );

    // A corrected file: new object, BatchUpdatePartition, then the old location is deleted.
    lab_file(deliveries.path(), "1310002", "201901", 4);
    let (out, calls) = run("changed");
    assert!(out.contains("1 replaced, 1 unchanged"), "{out}");
    insta::assert_snapshot!("athena_ingest_replace", calls);
    for c in aws.calls() {
        if matches!(
            c["operation"].as_str(),
            Some("DeleteObjects" | "ListObjectsV2")
        ) {
            let p = &c["params"];
            let keys: Vec<&str> = p["keys"]
                .as_array()
                .map(|k| k.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for path in p["prefix"].as_str().into_iter().chain(keys) {
                assert!(
                    path.starts_with("lake/bronze/labs/facility=1310002/month=201901/f-"),
                    "{c}"
                );
            }
        }
    }

    // The manifest comes back from the Glue partition parameters.
    let (code, out, err) = karte(dir, &["ingest", "--list"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("facility=1310002/month=201901")
            && out.contains("lab/1310002_lab_201901.csv.gz")
            && out.contains("4 rows"),
        "{out}"
    );
}

#[test]
fn a_data_triggered_build_in_a_fresh_container_knows_what_was_built_from_what() {
    let aws = FakeAws::start();
    let tmp = ingest_project(&aws);
    let dir = tmp.path();
    std::fs::write(
        dir.join("karte.yml"),
        std::fs::read_to_string(dir.join("karte.yml"))
            .unwrap()
            .replace("  bronze: bronze\n", "  bronze: bronze\n  silver: silver\n"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("models/silver")).unwrap();
    std::fs::write(
        dir.join("models/silver/lab_summary.sql"),
        "select facility, month, count(*) as results from bronze.labs group by facility, month\n",
    )
    .unwrap();
    let deliveries = tempfile::tempdir().unwrap();
    let built = crate::support::built_nodes;
    let then_build = |what: &str| {
        let (code, out, err) = karte(
            dir,
            &[
                "ingest",
                deliveries.path().to_str().unwrap(),
                "--then-build",
            ],
            &[],
        );
        assert_eq!(code, 0, "{what}\n{out}{err}");
        format!("{out}{err}")
    };

    lab_file(deliveries.path(), "1310001", "201901", 3);
    let out = then_build("first delivery");
    assert_eq!(built(dir), ["lab_summary success"], "{out}");

    // A new container: no local journals. The record comes from the journal's copy on S3, so
    // nothing is built again.
    std::fs::remove_dir_all(dir.join("target")).unwrap();
    aws.post("/_karte/reset-calls", json!({}));
    let (code, out, err) = karte(dir, &["build", "--select", "source_status:fresher+"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("source_status:fresher: 0 node(s)"),
        "{out}{err}"
    );
    assert_eq!(built(dir), Vec::<String>::new());
    assert!(
        call_lines(&aws.calls())
            .lines()
            .any(|l| l.starts_with("s3 GetObject") && l.ends_with("/built_from.json")),
        "the record is read from S3"
    );

    // The next month's file: built again, from S3's record too.
    std::fs::remove_dir_all(dir.join("target")).unwrap();
    lab_file(deliveries.path(), "1310001", "201902", 2);
    let out = then_build("second delivery");
    assert_eq!(built(dir), ["lab_summary success"], "{out}");
}

#[test]
fn a_source_missing_from_glue_is_e307_before_any_query() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    build(dir, &[]);
    std::fs::write(
        dir.join("models/gold/sources.yml"),
        "sources:\n  - name: feed\n    schema: hospital_feed\n    tables:\n      - name: visits\n  - name: earlier\n    schema: silver\n    tables:\n      - name: t_table\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("models/gold/visit_count.sql"),
        "{{ config(materialized='table') }}\nselect count(*) as n\nfrom feed.visits\n",
    )
    .unwrap();
    aws.post("/_karte/reset-calls", json!({}));
    let (code, out, err) = karte(dir, &["build", "--select", "visit_count"], &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("E307"), "{err}");
    assert!(err.contains("feed.visits"), "{err}");
    assert!(err.contains("models/gold/visit_count.sql:3:6"), "{err}");
    assert!(
        err.contains("Glue has no table `visits` in database `hospital_feed`"),
        "{err}"
    );
    let calls = aws.calls();
    // Asked Glue, once, for that table; no query was started.
    let asked: Vec<&Value> = calls
        .iter()
        .filter(|c| c["operation"] == "GetTable" && c["params"]["Name"] == "visits")
        .collect();
    assert_eq!(asked.len(), 1, "{calls:?}");
    assert_eq!(asked[0]["params"]["DatabaseName"], "hospital_feed");
    assert!(
        !calls
            .iter()
            .any(|c| c["operation"] == "StartQueryExecution"),
        "{calls:?}"
    );

    // A source that Glue has (a table of the earlier build) is read as usual.
    std::fs::write(
        dir.join("models/gold/visit_count.sql"),
        "{{ config(materialized='table') }}\nselect count(*) as n\nfrom earlier.t_table\n",
    )
    .unwrap();
    let (code, out, err) = karte(dir, &["build", "--select", "visit_count"], &[]);
    assert_eq!(code, 0, "{out}{err}");
}
