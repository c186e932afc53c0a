//! Deletion safety on the Athena engine, against the emulator (see `athena.rs`): deletes and
//! Glue DeleteTable calls checked when they run, against Glue as it is then, and a model turned
//! from a table into a view and back.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use serde_json::{json, Value};

use crate::athena::{build, call_lines, karte, project, FakeAws};

impl FakeAws {
    /// One AWS call made directly (a person or another tool changing the account behind karte's
    /// back): JSON protocol for Glue, REST for S3; moto does not check signatures.
    fn aws_call(
        &self,
        service: &str,
        method: &str,
        path: &str,
        target: &str,
        body: &str,
    ) -> String {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20261121/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n{target}Content-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        let text = String::from_utf8_lossy(&out).to_string();
        let (head, payload) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(" 200 "), "{method} {path} {target}: {text}");
        payload.to_string()
    }

    fn glue(&self, op: &str, body: Value) -> Value {
        let out = self.aws_call(
            "glue",
            "POST",
            "/",
            &format!("X-Amz-Target: AWSGlue.{op}\r\n"),
            &body.to_string(),
        );
        serde_json::from_str(&out).unwrap()
    }

    /// A Glue table as GetTable returns it.
    fn glue_table(&self, db: &str, name: &str) -> Value {
        self.glue("GetTable", json!({"DatabaseName": db, "Name": name}))["Table"].clone()
    }

    /// Change a Glue table by hand: `edit` gets its TableInput.
    fn edit_glue_table(&self, db: &str, name: &str, edit: impl FnOnce(&mut Value)) {
        let t = self.glue_table(db, name);
        let mut input = json!({});
        for k in [
            "Name",
            "TableType",
            "StorageDescriptor",
            "PartitionKeys",
            "Parameters",
            "ViewOriginalText",
            "ViewExpandedText",
        ] {
            if !t[k].is_null() {
                input[k] = t[k].clone();
            }
        }
        edit(&mut input);
        self.glue(
            "UpdateTable",
            json!({"DatabaseName": db, "TableInput": input}),
        );
    }

    /// Keys under a prefix of the lake bucket.
    fn s3_keys(&self, prefix: &str) -> Vec<String> {
        let xml = self.aws_call(
            "s3",
            "GET",
            &format!("/lake-bucket?list-type=2&prefix={prefix}"),
            "",
            "",
        );
        xml.split("<Key>")
            .skip(1)
            .filter_map(|k| k.split("</Key>").next().map(str::to_string))
            .collect()
    }
}

fn set_model(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(format!("models/silver/{name}.sql")), text).unwrap();
}

/// t_table built as a table, then turned into a view by a run killed right after the view was
/// created: what remains of that run is deleting the old table's data. Returns its location.
fn killed_before_the_delete(aws: &FakeAws, dir: &Path) -> String {
    build(dir, &["--select", "claims t_table"]);
    let old = aws.glue_table("silver", "t_table")["StorageDescriptor"]["Location"]
        .as_str()
        .unwrap()
        .to_string();
    set_model(dir, "t_table", "select claim_id, amount from raw.claims\n");
    let (code, _, err) = karte(
        dir,
        &["build", "--threads", "1", "--select", "claims t_table"],
        &[("KARTE_FAILPOINT", "exit-after:t_table/03-sql")],
    );
    assert_eq!(code, 137, "{err}");
    old
}

fn resume_is_refused(aws: &FakeAws, dir: &Path, oldest: &str, wanted: &[&str]) {
    aws.post("/_karte/reset-calls", json!({}));
    let (code, out, err) = karte(
        dir,
        &["build", "--threads", "1", "--select", "claims t_table"],
        &[],
    );
    let all = format!("{out}{err}{}", crate::support::run_results(dir));
    assert_ne!(code, 0, "{all}");
    for w in wanted {
        assert!(all.contains(w), "`{w}` missing in {all}");
    }
    let key = oldest.trim_start_matches("s3://lake-bucket/");
    assert!(!aws.s3_keys(key).is_empty(), "{oldest} was deleted");
    assert!(
        !aws.calls()
            .iter()
            .any(|c| c["operation"] == "DeleteObjects"),
        "{}",
        call_lines(&aws.calls())
    );
}

#[test]
fn a_delete_of_what_the_table_reads_now_is_refused_when_it_runs() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    let oldest = killed_before_the_delete(&aws, dir);
    // Someone puts the table back by hand, reading its old data.
    aws.edit_glue_table("silver", "t_table", |t| {
        t["TableType"] = json!("EXTERNAL_TABLE");
        t["StorageDescriptor"]["Location"] = json!(oldest.clone());
        t["Parameters"]["karte_owned_prefix"] = json!("s3://lake-bucket/lake/silver/t_table/");
    });
    resume_is_refused(
        &aws,
        dir,
        &oldest,
        &[
            "refusing",
            "s3://lake-bucket/lake/silver/t_table/",
            "current location",
        ],
    );
}

#[test]
fn a_widened_glue_owned_prefix_is_refused_when_it_runs() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    let oldest = killed_before_the_delete(&aws, dir);
    aws.edit_glue_table("silver", "t_table", |t| {
        t["Parameters"]["karte_owned_prefix"] = json!("s3://lake-bucket/lake/silver/");
    });
    resume_is_refused(
        &aws,
        dir,
        &oldest,
        &[
            "refusing",
            "s3://lake-bucket/lake/silver/",
            "s3://lake-bucket/lake/silver/t_table/",
        ],
    );
}

#[test]
fn rollback_does_not_delete_a_glue_table_karte_does_not_manage() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    // A first run (its first step creates the schema) killed after t_table was created: its rollback removes the table again...
    let (code, _, err) = karte(
        dir,
        &["build", "--threads", "1", "--select", "claims t_table"],
        &[("KARTE_FAILPOINT", "exit-after:t_table/03-swap")],
    );
    assert_eq!(code, 137, "{err}");
    // ...unless it is no longer karte's.
    aws.edit_glue_table("silver", "t_table", |t| {
        t["Parameters"]["karte_managed"] = json!("false");
    });
    let run_id = crate::support::latest_run_id(dir);
    aws.post("/_karte/reset-calls", json!({}));
    let (code, out, err) = karte(dir, &["rollback", &run_id], &[]);
    assert_ne!(code, 0, "{out}{err}");
    // Refused before anything changes: the table is no longer what the run installed (and
    // DeleteTable would refuse a table that is not karte's too).
    let said = format!("{out}{err}");
    assert!(
        said.contains("karte_managed") || said.contains("changed since run"),
        "{said}"
    );
    assert!(!aws.glue_table("silver", "t_table").is_null());
    assert!(
        !aws.calls()
            .iter()
            .any(|c| c["operation"] == "DeleteTable" && c["params"]["Name"] == "t_table"),
        "{}",
        call_lines(&aws.calls())
    );
}

#[test]
fn a_table_becomes_a_view_and_back() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    let select = ["--select", "t_table"];
    build(dir, &["--select", "claims t_table"]);
    build(dir, &select);
    let seed_keys = aws.s3_keys("lake/raw/claims/");
    assert!(!aws.s3_keys("lake/silver/t_table/").is_empty());

    set_model(dir, "t_table", "select claim_id, amount from raw.claims\n");
    aws.post("/_karte/reset-calls", json!({}));
    build(dir, &select);
    let view = aws.glue_table("silver", "t_table");
    assert_eq!(view["TableType"], "VIRTUAL_VIEW", "{view}");
    assert_eq!(view["Parameters"]["karte_managed"], "true", "{view}");
    assert!(aws.s3_keys("lake/silver/t_table/").is_empty());
    assert_eq!(aws.s3_keys("lake/raw/claims/"), seed_keys);
    for c in aws.calls() {
        if c["operation"] == "DeleteObjects" {
            for k in c["params"]["keys"].as_array().unwrap() {
                assert!(
                    k.as_str().unwrap().starts_with("lake/silver/t_table/"),
                    "{c}"
                );
            }
        }
    }

    set_model(
        dir,
        "t_table",
        "{{ config(materialized='table') }}\nselect claim_id, amount from raw.claims\n",
    );
    build(dir, &select);
    build(dir, &select);
    let table = aws.glue_table("silver", "t_table");
    assert_ne!(table["TableType"], "VIRTUAL_VIEW", "{table}");
    assert_eq!(table["Parameters"]["karte_managed"], "true", "{table}");
    assert_eq!(
        table["Parameters"]["karte_owned_prefix"], "s3://lake-bucket/lake/silver/t_table/",
        "{table}"
    );
    assert!(table["StorageDescriptor"]["Location"]
        .as_str()
        .unwrap()
        .starts_with("s3://lake-bucket/lake/silver/t_table/"));
}
