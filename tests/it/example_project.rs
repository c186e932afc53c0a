//! The example project end to end, as the README tells a newcomer to run it: generate the tiny
//! deliveries, `karte ingest` them into bronze, `karte build` silver and gold with the
//! pseudonym salt set, and check the gold marts against the generator's answer key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use duckdb::{AccessMode, Config, Connection};
use serde_json::Value;

const SALT: &str = "test-salt";

/// Run karte with `args` (in `dir` if given), the salt set unless `salt` is false.
fn karte(dir: Option<&Path>, args: &[&str], salt: bool) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_karte"));
    cmd.env("KARTE_LANG", "en");
    cmd.args(args);
    if let Some(dir) = dir {
        cmd.arg("--project-dir").arg(dir);
    }
    if salt {
        cmd.env("KARTE_PSEUDONYM_SALT", SALT);
    } else {
        cmd.env_remove("KARTE_PSEUDONYM_SALT");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The project's local catalog, read-only.
fn catalog(project: &Path) -> Connection {
    let config = Config::default().access_mode(AccessMode::ReadOnly).unwrap();
    Connection::open_with_flags(project.join("target/karte.duckdb"), config).unwrap()
}

/// Rows of `sql` as (text key, integer values): the first column is the key, the others are
/// read as BIGINT (cast them in the query: sums are wider locally).
fn keyed(conn: &Connection, sql: &str, values: usize) -> BTreeMap<String, Vec<i64>> {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let rows = stmt
        .query_map([], |r| {
            let key: String = r.get(0)?;
            let mut v = Vec::with_capacity(values);
            for i in 1..=values {
                v.push(r.get::<_, i64>(i)?);
            }
            Ok((key, v))
        })
        .unwrap();
    rows.map(|r| r.unwrap()).collect()
}

fn one(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get::<_, i64>(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Claims by service month, as the answer key and as `gold.claims_by_month`.
fn claims(key: &Value, conn: &Connection, section: &str, claim_type: &str) {
    const FIELDS: [&str; 7] = [
        "receipts",
        "re_records",
        "points",
        "persons",
        "inpatient_receipts",
        "late_receipts",
        "resubmitted_receipts",
    ];
    let expected: BTreeMap<String, Vec<i64>> = key[section]["by_service_month"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(m, v)| (m.clone(), FIELDS.iter().map(|f| n(&v[*f])).collect()))
        .collect();
    let got = keyed(
        conn,
        &format!(
            "select strftime(service_month, '%Y-%m'), cast(receipts as bigint), \
             cast(re_records as bigint), cast(points as bigint), cast(members as bigint), \
             cast(inpatient_receipts as bigint), cast(late_receipts as bigint), \
             cast(resubmitted_receipts as bigint) \
             from gold.claims_by_month where claim_type = '{claim_type}'"
        ),
        FIELDS.len(),
    );
    assert_eq!(got, expected, "{section} by service month: {FIELDS:?}");
}

/// A month → count map of the answer key as the same shape as `keyed(…, 1)`.
fn by_month(v: &Value) -> BTreeMap<String, Vec<i64>> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(m, x)| (m.clone(), vec![n(x)]))
        .collect()
}

fn check_gold(project: &Path, key: &Value) {
    let conn = catalog(project);

    // レセプト: distinct receipts, RE records (resubmissions included), points, members,
    // inpatient, late and resubmitted receipts, per service month.
    claims(key, &conn, "medical_claims", "medical");
    claims(key, &conn, "pharmacy_claims", "pharmacy");

    // Member-months: the PMPM denominators add up to the enrollment ledgers.
    assert_eq!(
        keyed(
            &conn,
            "select strftime(service_month, '%Y-%m'), cast(sum(members) as bigint) \
             from gold.pmpm group by 1",
            1
        ),
        by_month(&key["enrollment"]["by_month"]),
        "member-months"
    );

    // T2DM: memberships with a confirmed E11 diagnosis, and persons across insurer changes.
    assert_eq!(
        one(&conn, "select count(*) from gold.t2dm_cohort"),
        n(&key["diagnoses"]["t2dm_members"])
    );
    assert_eq!(
        one(
            &conn,
            "select count(distinct individual_id) from gold.t2dm_cohort"
        ),
        n(&key["diagnoses"]["t2dm_persons"])
    );

    // HbA1c: tests claimed per service month (clinics included), lab results per month.
    let claimed: BTreeMap<String, Vec<i64>> = key["medical_claims"]["by_service_month"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(m, v)| (m.clone(), vec![n(&v["hba1c_tests_claimed"])]))
        .collect();
    assert_eq!(
        keyed(
            &conn,
            "select strftime(service_month, '%Y-%m'), cast(hba1c_tests_claimed as bigint) \
             from gold.hba1c_testing",
            1
        ),
        claimed,
        "HbA1c tests claimed"
    );
    assert_eq!(
        keyed(
            &conn,
            "select strftime(service_month, '%Y-%m'), cast(hba1c_lab_results as bigint) \
             from gold.hba1c_testing where hba1c_lab_results > 0",
            1
        ),
        by_month(&key["labs"]["hba1c_by_month"]),
        "HbA1c lab results"
    );
    assert_eq!(
        one(
            &conn,
            "select cast(sum(hba1c_lab_results) as bigint) from gold.hba1c_testing"
        ),
        n(&key["labs"]["hba1c_tests"])
    );

    // DPC: admissions and length of stay by discharge month, and the mean.
    let dpc: BTreeMap<String, Vec<i64>> = key["dpc"]["by_discharge_month"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(m, v)| {
            (
                m.clone(),
                vec![n(&v["admissions"]), n(&v["los_days_total"])],
            )
        })
        .collect();
    assert_eq!(
        keyed(
            &conn,
            "select strftime(discharge_month, '%Y-%m'), cast(sum(admissions) as bigint), \
             cast(sum(los_days_total) as bigint) from gold.dpc_length_of_stay group by 1",
            2
        ),
        dpc,
        "DPC admissions and LOS by discharge month"
    );
    let mean: f64 = conn
        .query_row(
            "select round(sum(los_days_total) * 1.0 / sum(admissions), 2) \
             from gold.dpc_length_of_stay",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let expected_mean = key["dpc"]["mean_los_days"].as_f64().unwrap();
    assert!(
        (mean - expected_mean).abs() < 1e-9,
        "mean LOS {mean} != {expected_mean}"
    );

    // The one broken GO trailer is reported, and only it.
    let mut stmt = conn
        .prepare(
            "select source_file, cast(re_records as bigint), cast(go_total_count as bigint) \
             from gold.delivery_reconciliation where not count_matches order by 1",
        )
        .unwrap();
    let broken: Vec<(String, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let expected: Vec<(String, i64, i64)> = key["dirt"]["broken_go_trailers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                format!(
                    "{}!{}",
                    b["zip"].as_str().unwrap(),
                    b["entry"].as_str().unwrap()
                ),
                n(&b["re_records"]),
                n(&b["go_total_count_written"]),
            )
        })
        .collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(broken, expected);
}

/// Every node succeeded or passed, but the GO trailer test, which warns about the broken file.
fn check_run_results(project: &Path, log: &str) {
    let results = crate::support::run_results(project);
    let results = results["results"].as_array().unwrap();
    assert!(results.len() > 100, "{} results", results.len());
    let mut warned = Vec::new();
    for r in results {
        match r["status"].as_str().unwrap() {
            "success" | "pass" => {}
            "warn" => warned.push(r["name"].as_str().unwrap().to_string()),
            other => panic!("{} is {other}: {r}\n{log}", r["name"]),
        }
    }
    assert_eq!(warned, ["go_trailer_counts"], "{log}");
}

#[test]
fn example_project_builds_over_the_generated_deliveries() {
    let tmp = tempfile::tempdir().unwrap();
    let project_dir: PathBuf = tmp.path().join("project");
    let project: &Path = &project_dir;
    let deliveries = tmp.path().join("deliveries");
    crate::compile::copy_dir(&crate::support::example_project(), project);

    let (code, log) = karte(
        None,
        &[
            "example-data",
            "--size",
            "tiny",
            "--seed",
            "1",
            "--out",
            deliveries.to_str().unwrap(),
        ],
        true,
    );
    assert_eq!(code, 0, "{log}");
    let key: Value =
        serde_json::from_str(&std::fs::read_to_string(deliveries.join("answer_key.json")).unwrap())
            .unwrap();

    // The README's command: ingest the deliveries, then build. Every delivered file is loaded
    // or ignored (MANIFEST.txt, the answer key, the seed masters).
    let (code, log) = karte(
        Some(project),
        &["build", "--ingest", deliveries.to_str().unwrap()],
        true,
    );
    assert_eq!(code, 0, "{log}");
    assert!(
        log.contains(" loaded") && !log.contains("unmatched"),
        "{log}"
    );
    check_run_results(project, &log);
    check_gold(project, &key);

    // Without the salt, a model that pseudonymises stops and names the variable.
    let (code, log) = karte(Some(project), &["run", "--select", "persons"], false);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("KARTE_PSEUDONYM_SALT"), "{log}");

    // The salt is never written down: the plan keeps the placeholder, and no file under
    // target/ (plans, journal, catalog, Parquet) holds the salt itself.
    let plan =
        std::fs::read_to_string(crate::support::latest_journal(project).join("plan.json")).unwrap();
    assert!(plan.contains("{secret:KARTE_PSEUDONYM_SALT}"));
    for entry in walkdir::WalkDir::new(project.join("target")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert!(
                !bytes.windows(SALT.len()).any(|w| w == SALT.as_bytes()),
                "{} holds the salt",
                entry.path().display()
            );
        }
    }

    // A second build is incremental (the last var('lookback_months') service months are
    // rebuilt): the same deliveries give the same figures.
    let (code, log) = karte(Some(project), &["build"], true);
    assert_eq!(code, 0, "{log}");
    check_run_results(project, &log);
    check_gold(project, &key);
}
