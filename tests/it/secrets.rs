//! Secrets and patient data never leave karte in what it prints or writes: `{secret:NAME}`
//! takes only declared names, is filled once, also in data tests, and is redacted from engine
//! errors; failing-row samples hide the values of classified columns.

use std::path::Path;

use crate::support::{flat, karte_env, project_from_spec, run_results};

const SALT: &str = "salt-Zq9-ソルト";

/// Every file under `target/` (journal, run results, catalog, lake) whose bytes hold `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    walkdir::WalkDir::new(dir.join("target"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
        .map(|e| e.path().display().to_string())
        .collect()
}

#[test]
fn an_undeclared_secret_is_a_compile_error_at_the_model() {
    let tmp = project_from_spec(
        r#"
=== karte.yml
name: s
layers: { silver: silver }
secrets: [KARTE_SALT]
=== models/silver/m.sql
{{ config(materialized='table') }}
select 1 as a,
  '{secret:HOME}' as h
"#,
    );
    let dir = tmp.path();
    let home = "/home/secret-home-Xy7";
    for cmd in ["compile", "build"] {
        let (code, out, err) = karte_env(dir, &[cmd], &[("HOME", home)]);
        let all = format!("{out}{err}");
        assert_ne!(code, 0, "{all}");
        assert!(all.contains("E211"), "{all}");
        assert!(all.contains("models/silver/m.sql:3:4"), "{all}");
        assert!(all.contains("secrets:"), "{all}");
        assert!(!all.contains(home), "{all}");
    }
    assert!(files_holding(dir, home).is_empty());

    // A macro's placeholder points at the call that names the secret.
    std::fs::write(
        dir.join("models/silver/m.sql"),
        "{{ config(materialized='table') }}\nselect\n  {{ pseudonymize('a', salt_var='OTHER_SALT') }} as h\nfrom (select 1 as a)\n",
    )
    .unwrap();
    let (code, out, err) = karte_env(dir, &["compile"], &[]);
    let all = format!("{out}{err}");
    assert_ne!(code, 0, "{all}");
    assert!(all.contains("E211") && all.contains("OTHER_SALT"), "{all}");
    assert!(all.contains("models/silver/m.sql:3:"), "{all}");
}

#[test]
fn a_declared_secret_is_filled_once() {
    let tmp = project_from_spec(
        r#"
=== karte.yml
name: s
layers: { silver: silver }
secrets:
  S1: a value with placeholders in it
  S2: another one
=== models/silver/m.sql
{{ config(materialized='table') }}
select '{secret:S1}' as v
"#,
    );
    let dir = tmp.path();
    let value = "a{secret:S2}b{run_id}c";
    let (code, out, err) = karte_env(dir, &["build"], &[("S1", value), ("S2", "nope")]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(flat(dir, "select v from silver.m"), [value]);
}

const TESTED: &str = r#"
=== karte.yml
name: s
layers: { silver: silver }
secrets: [SALT]
=== models/silver/m.sql
{{ config(materialized='table') }}
select 'x' || '{secret:SALT}' as v
=== models/silver/m.yml
models:
  - name: m
    tests:
      - expression_is_true:
          expression: "v <> 'x' || '{secret:SALT}'"
          store_failures: true
=== tests/filled.sql
-- passes only if the placeholder is filled
select v from silver.m where v <> 'x' || '{secret:SALT}'
"#;

#[test]
fn data_tests_and_stored_failures_fill_secrets() {
    let tmp = project_from_spec(TESTED);
    let dir = tmp.path();
    let (code, out, err) = karte_env(dir, &["build"], &[("SALT", SALT)]);
    let all = format!("{out}{err}");
    assert_ne!(code, 0, "{all}");
    let results = run_results(dir);
    let status = |name: &str| {
        results["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {results}"))
            .clone()
    };
    assert_eq!(status("filled")["status"], "pass", "{all}");
    let failing = status("expression_is_true_m");
    assert_eq!(failing["status"], "fail", "{all}");
    assert_eq!(failing["failures"], 1, "{all}");
    // The stored failures were selected with the secret filled in; the sample is redacted.
    assert_eq!(
        flat(
            dir,
            "select count(*) from test_failures.expression_is_true_m"
        ),
        ["1"]
    );
    assert!(!all.contains(SALT), "{all}");
    assert!(!results.to_string().contains(SALT), "{results}");

    // A test that names an undeclared secret stops the build before anything runs.
    std::fs::write(
        dir.join("tests/filled.sql"),
        "select v from silver.m where v = '{secret:NOT_DECLARED}'\n",
    )
    .unwrap();
    let (code, out, err) = karte_env(dir, &["build"], &[("SALT", SALT)]);
    let all = format!("{out}{err}");
    assert_ne!(code, 0, "{all}");
    assert!(
        all.contains("E211") && all.contains("tests/filled.sql:1:"),
        "{all}"
    );
}

#[test]
fn an_engine_error_never_shows_a_filled_secret() {
    let tmp = project_from_spec(
        r#"
=== karte.yml
name: s
layers: { silver: silver }
secrets: [SALT]
=== models/silver/bad.sql
{{ config(materialized='table') }}
select cast('{secret:SALT}' as integer) as x
"#,
    );
    let dir = tmp.path();
    let (code, out, err) = karte_env(dir, &["build"], &[("SALT", SALT)]);
    let all = format!("{out}{err}");
    assert_ne!(code, 0, "{all}");
    // The engine's message is kept, with the secret replaced by its placeholder.
    assert!(all.contains("{secret:SALT}"), "{all}");
    assert!(!all.contains(SALT), "{all}");
    assert!(
        files_holding(dir, SALT).is_empty(),
        "{:?}",
        files_holding(dir, SALT)
    );
}

#[test]
fn failing_rows_hide_classified_columns() {
    let tmp = project_from_spec(
        r#"
=== karte.yml
name: s
layers: { silver: silver }
=== seeds/raw/people.csv
pid,patient_name,note
p1,山田太郎,note-1
p2,山田太郎,
p3,佐藤花子,note-3
=== seeds/raw/raw.yml
seeds:
  - name: people
    columns:
      - { name: patient_name, classification: pii }
=== models/silver/p.sql
{{ config(materialized='table') }}
select pid, patient_name, note from raw.people
=== models/silver/p.yml
models:
  - name: p
    columns:
      - name: note
        tests: [not_null]
      - name: patient_name
        tests:
          - unique
          - accepted_values: { values: ['鈴木一郎'] }
=== tests/duplicated_people.sql
-- a name renamed: the lineage still knows it is one
select upper(patient_name) as who, count(*) as n_records from silver.p group by 1 having count(*) > 1
"#,
    );
    let dir = tmp.path();
    let (code, out, err) = karte_env(dir, &["build"], &[]);
    let all = format!("{out}{err}");
    assert_ne!(code, 0, "{all}");
    let results = run_results(dir).to_string();
    for name in ["山田太郎", "佐藤花子"] {
        assert!(!all.contains(name), "{all}");
        assert!(!results.contains(name), "{results}");
    }
    // Counts and the columns that are not personal are still shown.
    assert!(all.contains("1 failing row"), "{all}");
    assert!(all.contains("pid=p2"), "{all}");
    assert!(results.contains("n_records=2"), "{results}");
    // A classified column under another name is hidden too (its class follows the lineage).
    assert!(results.contains("who=***"), "{results}");
}

#[test]
fn env_var_refuses_a_declared_secret() {
    let tmp = project_from_spec(
        r#"
=== karte.yml
name: s
layers: { silver: silver }
env_vars: [SALT]
secrets: [SALT]
=== models/silver/m.sql
select '{{ env_var("SALT") }}' as v
"#,
    );
    let dir = tmp.path();
    let (code, out, err) = karte_env(dir, &["compile"], &[("SALT", SALT)]);
    let all = format!("{out}{err}");
    assert_ne!(code, 0, "{all}");
    assert!(
        all.contains("E206") && all.contains("{secret:SALT}"),
        "{all}"
    );
    assert!(!all.contains(SALT), "{all}");
    assert!(files_holding(dir, SALT).is_empty());
}

/// Every file karte writes about a run (not the lake or the catalog, which hold the data):
/// run_results.json and the run journals.
fn run_files_holding(dir: &Path, needle: &str) -> Vec<String> {
    files_holding(dir, needle)
        .into_iter()
        .filter(|f| f.ends_with("run_results.json") || f.contains("/journal/"))
        .collect()
}

#[test]
fn an_engine_error_never_quotes_a_value_from_the_data() {
    // Engines quote the value that broke a cast or a parse ("Could not convert string
    // 'ヤマダ 太郎' to INT32"): the value comes from a patient's row, so it must not reach
    // the progress lines, run_results.json or the journal, in either output format.
    let tmp = project_from_spec(
        r#"
=== karte.yml
name: s
layers: { silver: silver }
=== seeds/raw/patients.csv
patient_id,name,birth,kana_no
p1,ヤマダ 太郎,1980-02-30,X9Q7-22
=== models/silver/as_int.sql
{{ config(materialized='table') }}
select cast(name as integer) as n from raw.patients
=== models/silver/as_date.sql
{{ config(materialized='table') }}
select cast(birth as date) as d from raw.patients
=== models/silver/parsed.sql
{{ config(materialized='table') }}
select strptime(kana_no, '%Y-%m') as t from raw.patients
=== models/silver/wide.sql
{{ config(materialized='table') }}
select cast(cast(99999999999 as bigint) + length(patient_id) as integer) as w from raw.patients
"#,
    );
    let dir = tmp.path();
    for output in ["text", "json"] {
        let (code, out, err) = karte_env(dir, &["build", "-o", output], &[]);
        let all = format!("{out}{err}");
        assert_ne!(code, 0, "{all}");
        let results = run_results(dir).to_string();
        // The errors are there, with what kind of value failed...
        for model in ["as_int", "as_date", "parsed", "wide"] {
            assert_eq!(
                crate::support::status_of(&run_results(dir), model),
                "error",
                "{results}"
            );
        }
        assert!(all.contains("INT32") || all.contains("INTEGER"), "{all}");
        // ...and none of the values.
        for value in ["ヤマダ", "1980-02-30", "X9Q7-22", "100000000000"] {
            assert!(
                !all.contains(value),
                "{value} in the {output} output:\n{all}"
            );
            assert!(
                !results.contains(value),
                "{value} in run_results.json:\n{results}"
            );
            assert!(
                run_files_holding(dir, value).is_empty(),
                "{value} in {:?}",
                run_files_holding(dir, value)
            );
        }
    }
}

#[test]
fn a_project_that_classifies_nothing_shows_no_value_of_failing_rows() {
    // karte cannot tell which columns are personal: every value is hidden.
    let tmp = project_from_spec(
        r#"
=== karte.yml
name: s
layers: { silver: silver }
=== seeds/raw/people.csv
pid,patient_name,note
p1,山田太郎,note-1
p2,佐藤花子,
=== models/silver/p.sql
{{ config(materialized='table') }}
select pid, patient_name, note from raw.people
=== models/silver/p.yml
models:
  - name: p
    columns:
      - name: note
        tests: [not_null]
"#,
    );
    let dir = tmp.path();
    let (code, out, err) = karte_env(dir, &["build"], &[]);
    let all = format!("{out}{err}");
    assert_ne!(code, 0, "{all}");
    let results = run_results(dir).to_string();
    assert!(all.contains("1 failing row"), "{all}");
    assert!(all.contains("pid=***, patient_name=***, note=***"), "{all}");
    for value in ["佐藤花子", "p2"] {
        assert!(!all.contains(&format!("={value}")), "{all}");
        assert!(!results.contains(&format!("={value}")), "{results}");
    }
    assert!(!results.contains("佐藤花子"), "{results}");
}
