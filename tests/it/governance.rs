//! Classes that follow the data, policies, and `min_cell_size` as data tests, end to end on
//! the local engine. (The diagnostics are in tests/fixtures/errors/: policy_violation.txt,
//! reclassified_without_reason.txt.)

use crate::support::{karte, project_from_spec, run_results};

const PROJECT: &str = "=== karte.yml
name: cells
layers: {gold: gold}
governance:
  policies:
    - layer: gold
      forbid: [direct_identifier]
    - tag: external
      min_cell_size: 3
=== seeds/visits.csv
person_id,dept,patient_name
p1,naika,A
p2,naika,B
p3,naika,C
p4,geka,D
=== seeds/visits.yml
seeds:
  - name: visits
    columns:
      - {name: person_id, classification: pseudonym}
      - {name: patient_name, classification: direct_identifier}
=== models/gold/by_dept.sql
{{ config(materialized='table', tags=['external']) }}
select dept, count(distinct person_id) as persons, count(*) as visits
from seeds.visits
group by dept
";

#[test]
fn a_person_count_below_min_cell_size_fails_its_data_test() {
    let dir = project_from_spec(PROJECT);
    let (code, out, err) = karte(dir.path(), &["plan"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("min_cell_size_by_dept_persons (error) on by_dept"),
        "{out}"
    );
    assert!(
        !out.contains("min_cell_size_by_dept_visits"),
        "visits are not persons: {out}"
    );
    let (code, out, err) = karte(dir.path(), &["build"]);
    assert_eq!(code, 1, "{out}{err}");
    let results = run_results(dir.path());
    let test = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "min_cell_size_by_dept_persons")
        .expect("the test ran")
        .clone();
    assert_eq!(test["status"], "fail", "{test}");
    assert_eq!(test["failures"], 1, "geka has one person: {test}");
}

#[test]
fn a_name_that_reaches_gold_stops_the_compile() {
    let spec = PROJECT.replace(
        "select dept, count(distinct person_id) as persons, count(*) as visits",
        "select dept, max(patient_name) as someone, count(distinct person_id) as persons",
    );
    let dir = project_from_spec(&spec);
    let (code, out, err) = karte(dir.path(), &["compile"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("E704"), "{err}");
    assert!(
        err.contains("gold.by_dept.someone ← seeds.visits.patient_name (direct_identifier)"),
        "{err}"
    );
}
