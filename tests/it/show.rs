//! `karte show`: rows of a model from the local lake, building first only what is not built;
//! `--sql` for ad-hoc queries; a table that lines Japanese text up by display width; the rows
//! are printed and written nowhere else.

use std::path::Path;

use crate::support::{karte_env, project_from_spec};

const SALT: (&str, &str) = ("KARTE_PSEUDONYM_SALT", "test-salt");

fn show(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["show"];
    all.extend_from_slice(args);
    karte_env(dir, &all, &[SALT, ("KARTE_LANG", "en")])
}

fn run_id(dir: &Path) -> String {
    crate::support::run_results(dir)["run_id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn show_over_the_example_project_builds_only_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    let deliveries = tmp.path().join("deliveries");
    crate::compile::copy_dir(&crate::support::example_project(), &project);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_karte"))
        .args(["example-data", "--size", "tiny", "--seed", "1", "--out"])
        .arg(&deliveries)
        .output()
        .unwrap();
    assert!(out.status.success());
    let (code, out, err) = karte_env(&project, &["ingest", deliveries.to_str().unwrap()], &[SALT]);
    assert_eq!(code, 0, "{out}{err}");

    // Nothing is built yet: show builds what gold.pmpm reads, and nothing else.
    let (code, out, err) = show(&project, &["gold.pmpm", "--limit", "3", "-o", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("building first"), "{err}");
    for needed in ["silver.receipts", "silver.enrollment_months", "gold.pmpm"] {
        assert!(err.contains(needed), "{needed} not built first: {err}");
    }
    assert!(!err.contains("dpc_readmissions"), "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{out}");
    assert!(rows[0]["members"].is_i64(), "{out}");
    assert!(rows[0]["insurer_name"].is_string(), "{out}");
    assert!(err.contains("first 3 rows; more exist"), "{err}");
    let built = crate::support::flat(
        &project,
        "select table_name from karte_catalog.entries where schema_name = 'gold' order by 1",
    );
    // (`pmpm_releases`: the release copies of pmpm's `release:` config.)
    assert!(
        built.iter().all(|t| t.starts_with("pmpm")),
        "only gold.pmpm of gold was built: {built:?}"
    );
    let first = run_id(&project);

    // Built: a second show builds nothing (the last run is still the first show's).
    let (code, out, err) = show(&project, &["pmpm", "--limit", "0", "-o", "csv"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("building first"), "{err}");
    assert_eq!(run_id(&project), first);
    let all = crate::support::flat(&project, "select count(*) from gold.pmpm");
    assert_eq!(
        out.lines().count(),
        all[0].parse::<usize>().unwrap() + 1,
        "{out}"
    );

    // --rebuild builds the model itself again, not what it reads.
    let (code, out, err) = show(&project, &["pmpm", "--rebuild", "--limit", "1"]);
    assert_eq!(code, 0, "{out}{err}");
    let asked = err.lines().find(|l| l.contains("building first")).unwrap();
    assert!(asked.ends_with(": gold.pmpm"), "{err}");
    assert_ne!(run_id(&project), first);

    // --sql: an ad-hoc query, its rows as DuckDB has them.
    let sql = "select insurer_number, sum(members) as members from gold.pmpm group by 1 order by 1";
    let (code, out, err) = show(&project, &["--sql", sql, "-o", "csv"]);
    assert_eq!(code, 0, "{out}{err}");
    let expected: Vec<String> = crate::support::rows(&project, sql)
        .into_iter()
        .map(|r| r.join(","))
        .collect();
    assert_eq!(out.lines().skip(1).collect::<Vec<_>>(), expected);

    // --where filters; a condition that is not SQL is E308.
    let (code, out, err) = show(&project, &["pmpm", "--where", "members < 0", "-o", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.trim(), "[]");
    let (code, _, err) = show(&project, &["pmpm", "--where", "members <"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[E308]"), "{err}");

    // The rows shown are written nowhere: not in run_results.json, the journals or logs.
    let (_, out, _) = show(
        &project,
        &[
            "--sql",
            "select insurer_name from silver.insurers",
            "-o",
            "csv",
        ],
    );
    let names: Vec<&str> = out.lines().skip(1).collect();
    assert!(!names.is_empty());
    for entry in walkdir::WalkDir::new(project.join("target")) {
        let entry = entry.unwrap();
        let p = entry.path();
        let kept =
            p.ends_with("run_results.json") || p.components().any(|c| c.as_os_str() == "journal");
        if entry.file_type().is_file() && kept {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            for n in &names {
                assert!(!text.contains(n), "{} holds a shown value", p.display());
            }
        }
    }
}

const JAPANESE: &str = r#"
=== karte.yml
name: fixture
layers:
  silver: silver
  seeds: seeds
=== seeds/departments.csv
code,name,kana,beds
01,内科,ﾅｲｶ,120
02,整形外科,ｾｲｹｲｹﾞｶ,45
03,ENT,ｼﾞﾋﾞｲﾝｺｳｶ,8
04,小児科・新生児集中治療室（ＮＩＣＵ）を含む周産期母子医療センター,ｼｮｳﾆｶ,
=== seeds/_seeds.yml
seeds:
  - name: departments
    config:
      column_types: {code: varchar, name: varchar, kana: varchar, beds: integer}
=== models/silver/wards.sql
select code, name as 診療科, kana, beds from seeds.departments
"#;

#[test]
fn a_table_lines_japanese_text_up_by_display_width() {
    let dir = project_from_spec(JAPANESE);
    for lang in ["en", "ja"] {
        let (code, out, err) = karte_env(
            dir.path(),
            &["show", "wards", "--where", "code <> '00'"],
            &[("KARTE_LANG", lang)],
        );
        assert_eq!(code, 0, "{out}{err}");
        // Rows come in no set order from a table: compare sorted lines below the rule.
        let mut lines: Vec<&str> = out.lines().collect();
        let n = lines.len();
        lines[2..n - 1].sort();
        insta::assert_snapshot!(format!("show_japanese_{lang}"), lines.join("\n"));
    }
    // Every separator is in the same terminal column on every line.
    let (_, out, _) = karte_env(
        dir.path(),
        &["show", "--sql", "select * from silver.wards order by code"],
        &[],
    );
    let table: Vec<&str> = out
        .lines()
        .filter(|l| l.contains('|') || l.contains('+'))
        .collect();
    let columns = |l: &str| -> Vec<usize> {
        let mut w = 0;
        let mut at = Vec::new();
        for ch in l.chars() {
            if ch == '|' || ch == '+' {
                at.push(w);
            }
            w += unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        }
        at
    };
    assert_eq!(table.len(), 6, "{out}");
    for l in &table {
        assert_eq!(columns(l), columns(table[0]), "{out}");
    }
}

#[test]
fn a_model_edited_since_it_was_built_is_built_again_before_it_is_shown() {
    let tmp = project_from_spec(
        r#"
=== karte.yml
name: s
layers: { silver: silver, gold: gold }
=== seeds/raw/ward_list.csv
code,beds
01,10
02,20
=== models/silver/wards.sql
{{ config(materialized='table') }}
select code, cast(beds as integer) as beds from raw.ward_list
=== models/gold/beds.sql
{{ config(materialized='table') }}
select sum(beds) as total from silver.wards
"#,
    );
    let dir = tmp.path();
    let (code, out, err) = karte_env(dir, &["build"], &[("KARTE_LANG", "en")]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = show(dir, &["gold.beds", "-o", "csv"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.trim(), "total\n30", "{err}");
    // Unchanged: nothing is built.
    assert!(!err.contains("building first"), "{err}");

    // The author edits the silver model and looks at gold: both are built again.
    std::fs::write(
        dir.join("models/silver/wards.sql"),
        "{{ config(materialized='table') }}\nselect code, cast(beds as integer) * 2 as beds from raw.ward_list\n",
    )
    .unwrap();
    let (code, out, err) = show(dir, &["gold.beds", "-o", "csv"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("building first") && err.contains("silver.wards") && err.contains("gold.beds"),
        "{err}"
    );
    assert_eq!(out.trim(), "total\n60", "{err}");
    // And not again once built.
    let (_, _, err) = show(dir, &["gold.beds", "-o", "csv"]);
    assert!(!err.contains("building first"), "{err}");
}
