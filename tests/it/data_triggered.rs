//! Builds started by data: `karte ingest DIR --then-build` and `--select source_status:fresher+`
//! build exactly what reads a delivery that is new or replaced since it was last built.

use std::path::Path;

use crate::support::{built_nodes as built, flat, karte, project_from_spec, write_file};

const PROJECT: &str = r#"
=== karte.yml
name: lake
layers:
  bronze: bronze
  silver: silver
  gold: gold
  seeds: seeds
models:
  +materialized: table
=== ingest/deliveries.yml
tables:
  - name: labs
    files: "lab/{facility}_lab_{month}.csv"
    encoding: utf-8
    header: absent
    columns: [patient_id, test_name, result]
  - name: members
    files: "members/KANYU_{insurer}.csv"
    encoding: utf-8
    header: absent
    columns: [member_no, birth_year]
=== seeds/test_codes.csv
test_name,label
hba1c,HbA1c
=== models/silver/labs_clean.sql
select patient_id, test_name, cast(result as double) as result, month from bronze.labs
=== models/silver/members_clean.sql
select member_no, cast(birth_year as integer) as birth_year from bronze.members
=== models/silver/lab_rows.sql
{{ config(materialized='ephemeral') }}
select month from silver.labs_clean
=== models/gold/lab_counts.sql
select month, count(*) as n from silver.lab_rows group by month
=== models/gold/member_counts.sql
select count(*) as n from silver.members_clean
=== models/gold/labelled_labs.sql
select l.patient_id, c.label from silver.labs_clean l join seeds.test_codes c on l.test_name = c.test_name
=== models/gold/code_list.sql
select label from seeds.test_codes
"#;

fn ingest_then_build(dir: &Path, deliveries: &Path) -> String {
    let (code, out, err) = karte(
        dir,
        &["ingest", deliveries.to_str().unwrap(), "--then-build"],
    );
    assert_eq!(code, 0, "{out}{err}");
    format!("{out}{err}")
}

#[test]
fn each_delivery_builds_only_what_it_feeds() {
    let p = project_from_spec(PROJECT);
    let dir = p.path();
    let d = tempfile::tempdir().unwrap();
    let lab = |name: &str, body: &str| write_file(d.path(), Path::new(name), body.as_bytes());
    lab("lab/1310001_lab_201812.csv", "p1,hba1c,6.8\np2,hba1c,7.1\n");
    lab("members/KANYU_06139999.csv", "1001,1950\n1002,1962\n");

    // The seed is loaded by hand (no delivery feeds it).
    let (code, out, err) = karte(dir, &["seed"]);
    assert_eq!(code, 0, "{out}{err}");
    // The first delivery: everything that reads a delivery is built (nothing was built from
    // it before); what reads only the seed is not.
    let out = ingest_then_build(dir, d.path());
    assert!(out.contains("source_status:fresher: 5 node(s)"), "{out}");
    assert_eq!(
        built(dir),
        [
            "lab_counts success",
            "labelled_labs success",
            "labs_clean success",
            "member_counts success",
            "members_clean success"
        ],
        "{out}"
    );

    // A new month of lab results: only the lab side, not the members.
    lab("lab/1310001_lab_201901.csv", "p1,hba1c,6.5\n");
    let out = ingest_then_build(dir, d.path());
    assert_eq!(
        built(dir),
        [
            "lab_counts success",
            "labelled_labs success",
            "labs_clean success"
        ],
        "{out}"
    );
    assert_eq!(
        flat(dir, "select month, n from gold.lab_counts order by month"),
        ["201812|2", "201901|1"]
    );

    // The same files delivered again: nothing changed, nothing is built.
    let out = ingest_then_build(dir, d.path());
    assert_eq!(built(dir), Vec::<String>::new(), "{out}");
    assert!(out.contains("source_status:fresher: 0 node(s)"), "{out}");
    // Nothing new is the usual answer of a data-triggered build, not a warning (which would
    // send the `on: warnings` notifications of every quiet run).
    assert!(!out.contains("W303"), "{out}");

    // A corrected member list (the same file name, new content) rebuilds the member side.
    lab(
        "members/KANYU_06139999.csv",
        "1001,1950\n1002,1962\n1003,1971\n",
    );
    // Ingested but not built yet: `plan --live` shows what a data-triggered build would do.
    let (code, out, err) = karte(dir, &["ingest", d.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = karte(
        dir,
        &[
            "plan",
            "--live",
            "--select",
            "source_status:fresher+",
            "--output",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("source_status:fresher: 2 node(s)"), "{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut planned: Vec<String> = plan["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{plan}"))
        .iter()
        .map(|n| n["name"].as_str().unwrap_or_default().to_string())
        .collect();
    planned.sort();
    assert_eq!(planned, ["member_counts", "members_clean"], "{out}");
    // Without the live catalog there is nothing to compare with: E306.
    let (code, _, err) = karte(dir, &["plan", "--select", "source_status:fresher+"]);
    assert_ne!(code, 0);
    assert!(err.contains("E306") && err.contains("plan --live"), "{err}");
    let out = ingest_then_build(dir, d.path());
    assert_eq!(
        built(dir),
        ["member_counts success", "members_clean success"],
        "{out}"
    );
    assert_eq!(flat(dir, "select n from gold.member_counts"), ["3"]);
}

#[test]
fn a_failed_node_is_built_again_by_the_next_data_triggered_build() {
    let p = project_from_spec(PROJECT);
    let dir = p.path();
    let d = tempfile::tempdir().unwrap();
    write_file(
        d.path(),
        Path::new("members/KANYU_06139999.csv"),
        b"1001,1950\n",
    );
    // member_counts fails at run time on this delivery.
    write_file(
        dir,
        Path::new("models/gold/member_counts.sql"),
        b"select count(*) as n, max(cast(member_no || 'x' as integer)) as broken from silver.members_clean",
    );
    let (code, out, err) = karte(dir, &["ingest", d.path().to_str().unwrap(), "--then-build"]);
    assert_eq!(code, 1, "{out}{err}");
    let after_failure = built(dir);
    assert!(
        after_failure.contains(&"member_counts error".to_string()),
        "{after_failure:?}"
    );
    // Fixed, with no new data: the failed model is still behind its source, the others not.
    write_file(
        dir,
        Path::new("models/gold/member_counts.sql"),
        b"select count(*) as n from silver.members_clean",
    );
    let (code, out, err) = karte(dir, &["build", "--select", "source_status:fresher+"]);
    assert_eq!(code, 0, "{out}{err}");
    let rebuilt = built(dir);
    assert!(
        rebuilt.contains(&"member_counts success".to_string()),
        "{rebuilt:?}"
    );
    assert!(
        !rebuilt.iter().any(|r| r.starts_with("members_clean")),
        "members_clean was built from this delivery already: {rebuilt:?}"
    );
}

#[test]
fn source_status_is_refused_where_nothing_is_built() {
    let p = project_from_spec(PROJECT);
    let (code, out, err) = karte(p.path(), &["compile", "--select", "source_status:fresher+"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("E306"), "{err}");
    let (code, _, err) = karte(p.path(), &["build", "--select", "source_status:stale"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("E306") && err.contains("takes `fresher`"),
        "{err}"
    );
}
