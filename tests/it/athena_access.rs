//! `access:` on Athena: Lake Formation grants and revokes against the emulator
//! (tests/aws/fake_aws.py serves ListPermissions in pages of 2, checks batch sizes and reports
//! per-entry failures as Lake Formation documents), with exact call sequences.

use std::path::Path;

use serde_json::{json, Value};

use crate::athena::{build, call_lines, karte, FakeAws};

/// One Lake Formation call as a short line: the table listed (and the page asked for), or each
/// entry of a batch.
pub(crate) fn lf_line(op: &str, p: &Value) -> String {
    let table = |r: &Value| {
        let t = r
            .get("Table")
            .or_else(|| r.get("TableWithColumns"))
            .cloned()
            .unwrap_or(Value::Null);
        let cols = match r.get("TableWithColumns") {
            None => String::new(),
            Some(t) => match t.get("ColumnWildcard") {
                Some(w) => match w["ExcludedColumnNames"].as_array() {
                    Some(ex) if !ex.is_empty() => format!(
                        " (all columns except {})",
                        ex.iter()
                            .map(|c| c.as_str().unwrap_or(""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    _ => " (all columns)".into(),
                },
                None => format!(" (columns {})", t["ColumnNames"]),
            },
        };
        format!(
            "{}.{}{cols}",
            t["DatabaseName"].as_str().unwrap_or(""),
            t["Name"].as_str().unwrap_or("")
        )
    };
    match op {
        "ListPermissions" => format!(
            "{}{}",
            table(&p["Resource"]),
            p["NextToken"]
                .as_str()
                .map(|t| format!(" (page from {t})"))
                .unwrap_or_default()
        ),
        _ => p["Entries"]
            .as_array()
            .map(|es| {
                format!(
                    "({} entr{})",
                    es.len(),
                    if es.len() == 1 { "y" } else { "ies" }
                ) + &es
                    .iter()
                    .map(|e| {
                        format!(
                            "\n    {} {} {}",
                            e["Principal"]["DataLakePrincipalIdentifier"]
                                .as_str()
                                .unwrap_or("")
                                .rsplit('/')
                                .next()
                                .unwrap_or(""),
                            e["Permissions"],
                            table(&e["Resource"])
                        )
                    })
                    .collect::<String>()
            })
            .unwrap_or_default(),
    }
}

/// The access fixture with an Athena target on the emulator.
fn project(aws: &FakeAws) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects/access");
    crate::compile::copy_dir(&src, tmp.path());
    let yml = std::fs::read_to_string(tmp.path().join("karte.yml")).unwrap();
    let yml = yml.replace(
        "targets:\n  local: { type: local }\n",
        &format!(
            "default_target: athena
targets:
  athena:
    type: athena
    region: us-east-1
    workgroup: primary
    s3_staging_dir: s3://query-results/karte/
    lake_root: s3://lake-bucket/lake/
    endpoint_url: {}
    retry_base_delay_ms: 1
    poll_interval_ms: 1
",
            aws.url()
        ),
    );
    std::fs::write(tmp.path().join("karte.yml"), yml).unwrap();
    tmp
}

/// Every permission Lake Formation holds, one line each, sorted.
fn held(aws: &FakeAws) -> Vec<String> {
    let mut out: Vec<String> = aws
        .request("GET", "/_karte/lf-permissions", &json!({}))
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {} grantable {} {}",
                p["Principal"]["DataLakePrincipalIdentifier"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap(),
                p["Permissions"],
                p["PermissionsWithGrantOption"],
                lf_line("ListPermissions", &json!({"Resource": p["Resource"]}))
            )
        })
        .collect();
    out.sort();
    out
}

fn lf_calls(aws: &FakeAws) -> String {
    let calls: Vec<Value> = aws
        .calls()
        .into_iter()
        .filter(|c| c["service"] == "lakeformation")
        .collect();
    call_lines(&calls)
}

#[test]
fn grants_first_apply_then_nothing_then_a_removed_role_is_revoked() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();

    // First apply: the tables are built, then each gets its grants.
    build(dir, &[]);
    insta::assert_snapshot!("access_first_apply", call_lines(&aws.calls()));
    insta::assert_snapshot!("access_held_after_first_apply", held(&aws).join("\n"));

    // Grants that are not karte's: the table's creator and a steward with the grant option.
    let claims = json!({"Table": {"DatabaseName": "silver", "Name": "claims"}});
    aws.post(
        "/_karte/lf-grant",
        json!({"principal": "arn:aws:iam::123456789012:role/karte-runner", "resource": claims, "permissions": ["ALL"]}),
    );
    aws.post(
        "/_karte/lf-grant",
        json!({"principal": "arn:aws:iam::123456789012:role/steward", "resource": claims,
               "permissions": ["SELECT"], "grantable": ["SELECT"]}),
    );

    // Second apply: every table listed (page by page), nothing granted or revoked.
    aws.post("/_karte/reset-calls", json!({}));
    build(dir, &[]);
    insta::assert_snapshot!("access_second_apply", lf_calls(&aws));

    // A role removed from karte.yml: the plan shows its revoke as destructive, build revokes.
    let yml = std::fs::read_to_string(dir.join("karte.yml")).unwrap();
    let i = yml.find("  external_reports:").unwrap();
    let j = yml.find("default_target:").unwrap();
    let yml = format!("{}{}", &yml[..i], &yml[j..]);
    std::fs::write(dir.join("karte.yml"), yml).unwrap();
    let (code, plan, err) = karte(dir, &["plan", "--live"], &[]);
    assert_eq!(code, 0, "{err}");
    let revoke: Vec<&str> = plan
        .lines()
        .filter(|l| l.contains("lf-") || l.contains("read permission"))
        .collect();
    insta::assert_snapshot!("access_plan_role_removed", revoke.join("\n"));

    aws.post("/_karte/reset-calls", json!({}));
    build(dir, &[]);
    insta::assert_snapshot!("access_role_removed", lf_calls(&aws));
    let now = held(&aws);
    assert!(!now.iter().any(|l| l.contains("reports")), "{now:#?}");
    assert!(
        now.iter().any(|l| l.starts_with("karte-runner [\"ALL\"]")),
        "{now:#?}"
    );
    assert!(now.iter().any(|l| l.starts_with("steward")), "{now:#?}");

    // And again: nothing left to do.
    aws.post("/_karte/reset-calls", json!({}));
    build(dir, &[]);
    assert!(!lf_calls(&aws).contains("Batch"), "{}", lf_calls(&aws));
}

#[test]
fn a_project_without_access_makes_no_lake_formation_call() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    let yml = std::fs::read_to_string(dir.join("karte.yml")).unwrap();
    let i = yml.find("access:").unwrap();
    let j = yml.find("default_target:").unwrap();
    std::fs::write(dir.join("karte.yml"), format!("{}{}", &yml[..i], &yml[j..])).unwrap();
    build(dir, &[]);
    assert_eq!(lf_calls(&aws), "");
}

#[test]
fn a_failed_grant_entry_fails_the_step_and_names_the_principal() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    let yml = std::fs::read_to_string(dir.join("karte.yml")).unwrap();
    let yml = yml.replace(
        "  platform:\n",
        "  auditors:\n    principal: arn:aws:iam::123456789012:role/auditors\n    read:\n      - model: pmpm\n  platform:\n",
    );
    std::fs::write(dir.join("karte.yml"), yml).unwrap();
    // Lake Formation refuses the one entry (a principal it does not know); the others of the
    // same batch are granted.
    aws.post(
        "/_karte/lf-unknown-principals",
        json!({"principals": ["arn:aws:iam::123456789012:role/auditors"]}),
    );
    let (code, out, err) = karte(dir, &["build", "--threads", "1"], &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains("Lake Formation could not grant 1 of 4 permissions on gold.pmpm: auditors (arn:aws:iam::123456789012:role/auditors): SELECT on all columns: InvalidInputException: Invalid principal"),
        "{all}"
    );
    let now = held(&aws);
    assert!(
        now.iter()
            .any(|l| l.starts_with("platform") && l.contains("gold.pmpm")),
        "{now:#?}"
    );
    assert!(!now.iter().any(|l| l.starts_with("auditors")), "{now:#?}");
}
