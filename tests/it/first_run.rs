//! The first ten minutes: `karte init` makes a project whose `karte build` passes on the local
//! engine, in the user's language; a source with nothing loaded into it is E307 (naming the
//! source, the model and where it is read, and how to load it) before anything runs.

use std::path::Path;

use crate::support::{karte_env, project_from_spec};

fn init(parent: &Path, name: &str, lang: &str) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_karte"))
        .arg("init")
        .arg(parent.join(name))
        .env("KARTE_LANG", lang)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn init_then_build_passes_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    for lang in ["en", "ja"] {
        let name = format!("demo_{lang}");
        let (code, out, err) = init(tmp.path(), &name, lang);
        assert_eq!(code, 0, "{out}{err}");
        let dir = tmp.path().join(&name);
        let (code, out, err) = karte_env(&dir, &["build"], &[("KARTE_LANG", lang)]);
        assert_eq!(code, 0, "{out}{err}");
        // Seed, both models and every test ran.
        let results = crate::support::run_results(&dir);
        let statuses: Vec<String> = results["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["name"].as_str().unwrap(),
                    r["status"].as_str().unwrap()
                )
            })
            .collect();
        assert!(
            statuses.contains(&"sample_visits success".to_string()),
            "{statuses:?}"
        );
        assert!(
            statuses.contains(&"monthly_visits success".to_string()),
            "{statuses:?}"
        );
        assert!(
            statuses
                .iter()
                .all(|s| s.ends_with("success") || s.ends_with("pass")),
            "{statuses:?}"
        );
        let rows = crate::support::flat(
            &dir,
            "select strftime(visit_month, '%Y-%m'), department, visit_count from gold.monthly_visits order by 1, 2",
        );
        assert_eq!(rows.len(), 10, "{rows:?}");
        assert!(rows.contains(&"2024-04|内科|2".to_string()), "{rows:?}");
    }
    // The prose is in the user's language: the Japanese project's files and next steps.
    let (_, out_ja, _) = init(tmp.path(), "again_ja", "ja");
    assert!(out_ja.contains("次に試すこと"), "{out_ja}");
    let yml = std::fs::read_to_string(tmp.path().join("demo_ja/karte.yml")).unwrap();
    assert!(yml.contains("層ごとに 1 つのスキーマ"), "{yml}");
    let yml = std::fs::read_to_string(tmp.path().join("demo_en/karte.yml")).unwrap();
    assert!(yml.contains("each layer is a schema"), "{yml}");
    let sql = std::fs::read_to_string(tmp.path().join("demo_ja/models/silver/visits.sql")).unwrap();
    assert!(sql.starts_with("-- 外来受診"), "{sql}");
    // A second init into the same directory is refused.
    let (code, _, err) = init(tmp.path(), "demo_ja", "ja");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("もう karte のプロジェクトがあります"), "{err}");
}

const MISSING: &str = r#"
A declared source nothing was loaded into, read directly and through an ephemeral model;
an ingest rule's table before `karte ingest`.
=== karte.yml
name: fixture
layers:
  bronze: bronze
  silver: silver
  gold: gold
=== models/sources.yml
sources:
  - name: raw
    tables:
      - name: visits
        columns:
          - name: visit_id
          - name: visit_date
=== models/silver/visits.sql
select visit_id, visit_date
from raw.visits
=== models/silver/recent.sql
{{ config(materialized='ephemeral') }}
select visit_id from raw.visits where visit_date > date '2024-01-01'
=== models/gold/recent_count.sql
select count(*) as n from silver.recent
=== models/gold/claims_count.sql
select count(*) as n from bronze.claims
=== models/gold/fine.sql
select 1 as one
=== ingest/claims.yml
tables:
  - name: claims
    files: "claims/claims_{month}.csv"
    header: present
    columns:
      - { name: claim_id, header: claim_id }
"#;

#[test]
fn a_source_with_no_local_data_is_e307_before_anything_runs() {
    let dir = project_from_spec(MISSING);
    for lang in ["en", "ja"] {
        let (code, out, err) = karte_env(dir.path(), &["build"], &[("KARTE_LANG", lang)]);
        assert_eq!(code, 1, "{out}{err}");
        insta::assert_snapshot!(format!("missing_source_{lang}"), err);
        // Nothing ran (not even the model that needs no source).
        assert!(!dir.path().join("target/lake/gold").exists(), "{out}");
        assert!(!dir.path().join("target/run_results.json").exists());
    }
    // Without the models that read them, the build runs.
    let (code, out, err) = karte_env(
        dir.path(),
        &["build", "--select", "fine"],
        &[("KARTE_LANG", "en")],
    );
    assert_eq!(code, 0, "{out}{err}");
}
