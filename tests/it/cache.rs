//! The compile cache (`target/cache/`): a compile that finds it gives exactly what a compile
//! without it gives — after an edit of a model, a macro, a variable or a parent's columns —
//! parses and resolves the lineage of only what changed, and survives a damaged or deleted
//! cache.

use std::path::Path;

use crate::support::{karte_env, project_from_spec, write_file};

const PROJECT: &str = r#"
=== karte.yml
name: fixture
layers:
  bronze: bronze
  silver: silver
  gold: gold
vars:
  lookback_months: 3
=== models/sources.yml
sources:
  - name: raw
    tables:
      - name: visits
        columns:
          - name: person_id
          - name: visit_date
          - name: points
=== macros/util.sql
{% macro months_back(n) -%}
date_add('month', -{{ n }}, current_date)
{%- endmacro %}
=== models/bronze/visits.sql
select person_id, visit_date, points
from {{ source('raw', 'visits') }}
where visit_date >= {{ months_back(var('lookback_months')) }}
=== models/silver/per_person.sql
select person_id, sum(points) as points
from bronze.visits
group by person_id
=== models/gold/summary.sql
select count(*) as persons, sum(points) as points
from {{ ref('per_person') }}
"#;

/// What a compile gives: its exit code, what it printed (the time taken left out), the manifest
/// and every compiled file.
fn outcome(dir: &Path, env: &[(&str, &str)]) -> String {
    let (code, out, err) = karte_env(dir, &["compile"], env);
    let mut s = format!("exit {code}\n");
    for line in out.lines().chain(err.lines()) {
        if !line.starts_with("timing ") {
            s.push_str(line.split(" in ").next().unwrap_or_default());
            s.push('\n');
        }
    }
    let target = dir.join("target");
    if let Ok(m) = std::fs::read_to_string(target.join("manifest.json")) {
        s.push_str(&m);
    }
    let mut files: Vec<_> = walkdir::WalkDir::new(target.join("compiled"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .collect();
    files.sort();
    for f in files {
        s.push_str(&format!("--- {}\n", f.strip_prefix(dir).unwrap().display()));
        s.push_str(&std::fs::read_to_string(&f).unwrap());
    }
    s
}

/// Compile with the cache the earlier compiles left, then again from nothing (no target dir,
/// cache off) and check both give the same; returns what the first found in the cache
/// (`sql: 2 found, 1 parsed; lineage: 2 found, 1 resolved`).
fn same_as_cold(dir: &Path) -> String {
    let (_, _, err) = karte_env(dir, &["compile"], &[("KARTE_TIMINGS", "1")]);
    let notes: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix("timing cache "))
        .collect();
    let note = notes.join("; ");
    // A failing compile writes nothing: both compiles start without the artifacts.
    let _ = std::fs::remove_file(dir.join("target/manifest.json"));
    let _ = std::fs::remove_dir_all(dir.join("target/compiled"));
    let warm = outcome(dir, &[]);
    let cache = dir.join("target/cache");
    let kept = tempfile::tempdir().unwrap();
    std::fs::rename(&cache, kept.path().join("cache")).unwrap();
    std::fs::remove_dir_all(dir.join("target")).unwrap();
    let cold = outcome(dir, &[("KARTE_NO_CACHE", "1")]);
    assert!(!cache.exists(), "KARTE_NO_CACHE=1 wrote a cache");
    assert_eq!(
        warm, cold,
        "a compile with the cache differs from one without"
    );
    std::fs::create_dir_all(dir.join("target")).unwrap();
    std::fs::rename(kept.path().join("cache"), &cache).unwrap();
    note
}

fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} has no {from:?}");
    write_file(dir, Path::new(rel), text.replace(from, to).as_bytes());
}

#[test]
fn edits_compile_as_a_cold_compile_does_and_only_what_changed_is_done_again() {
    let dir = project_from_spec(PROJECT);
    let d = dir.path();
    assert_eq!(
        same_as_cold(d),
        "sql: 0 found, 3 parsed; lineage: 0 found, 3 resolved"
    );
    assert!(d.join("target/cache/sql.bin").is_file());
    assert!(d.join("target/cache/lineage.bin").is_file());
    // Nothing changed: nothing parsed or resolved.
    assert_eq!(
        same_as_cold(d),
        "sql: 3 found, 0 parsed; lineage: 3 found, 0 resolved"
    );

    // A model's body.
    edit(
        d,
        "models/gold/summary.sql",
        "count(*) as persons",
        "count(person_id) as persons",
    );
    assert_eq!(
        same_as_cold(d),
        "sql: 2 found, 1 parsed; lineage: 2 found, 1 resolved"
    );

    // A macro: the model using it renders differently; its readers see the same columns.
    edit(d, "macros/util.sql", "current_date", "date '2024-04-01'");
    assert_eq!(
        same_as_cold(d),
        "sql: 2 found, 1 parsed; lineage: 2 found, 1 resolved"
    );

    // A variable.
    edit(d, "karte.yml", "lookback_months: 3", "lookback_months: 12");
    assert_eq!(
        same_as_cold(d),
        "sql: 2 found, 1 parsed; lineage: 2 found, 1 resolved"
    );

    // A parent's columns: its reader's text is the same (its parse comes from the cache), its
    // lineage is not (resolved again, and now an error).
    edit(
        d,
        "models/silver/per_person.sql",
        "sum(points) as points",
        "sum(points) as total",
    );
    assert_eq!(
        same_as_cold(d),
        "sql: 2 found, 1 parsed; lineage: 1 found, 2 resolved"
    );
    let (code, _, err) = karte_env(d, &["compile"], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E212"), "{err}");
    edit(d, "models/gold/summary.sql", "sum(points)", "sum(total)");
    assert_eq!(
        same_as_cold(d),
        "sql: 2 found, 1 parsed; lineage: 2 found, 1 resolved"
    );

    // A parent whose columns stay the same: only it is resolved again.
    edit(
        d,
        "models/silver/per_person.sql",
        "group by person_id",
        "group by 1",
    );
    assert_eq!(
        same_as_cold(d),
        "sql: 2 found, 1 parsed; lineage: 2 found, 1 resolved"
    );

    // A new model, and one removed.
    write_file(
        d,
        Path::new("models/gold/extra.sql"),
        b"select persons from gold.summary\n",
    );
    assert_eq!(
        same_as_cold(d),
        "sql: 3 found, 1 parsed; lineage: 3 found, 1 resolved"
    );
    std::fs::remove_file(d.join("models/gold/extra.sql")).unwrap();
    assert_eq!(
        same_as_cold(d),
        "sql: 3 found, 0 parsed; lineage: 3 found, 0 resolved"
    );
}

#[test]
fn a_damaged_or_deleted_cache_is_rebuilt() {
    let dir = project_from_spec(PROJECT);
    let d = dir.path();
    same_as_cold(d);
    for (file, expected) in [
        (
            "sql",
            "sql: 0 found, 3 parsed; lineage: 3 found, 0 resolved",
        ),
        (
            "lineage",
            "sql: 3 found, 0 parsed; lineage: 0 found, 3 resolved",
        ),
    ] {
        let path = d.join(format!("target/cache/{file}.bin"));
        let whole = std::fs::read(&path).unwrap();
        for damaged in [
            b"garbage".to_vec(),
            Vec::new(),
            whole[..whole.len() / 2].to_vec(),
            whole.iter().map(|b| b ^ 1).collect(),
        ] {
            std::fs::write(&path, &damaged).unwrap();
            assert_eq!(same_as_cold(d), expected);
            assert_eq!(
                std::fs::read(&path).unwrap(),
                whole,
                "{file}.bin was not rebuilt"
            );
        }
    }
    std::fs::remove_dir_all(d.join("target/cache")).unwrap();
    assert_eq!(
        same_as_cold(d),
        "sql: 0 found, 3 parsed; lineage: 0 found, 3 resolved"
    );
    // Directories where the files should be: it compiles, without a cache.
    std::fs::remove_dir_all(d.join("target/cache")).unwrap();
    std::fs::create_dir_all(d.join("target/cache/sql.bin")).unwrap();
    std::fs::create_dir_all(d.join("target/cache/lineage.bin")).unwrap();
    let (code, _, err) = karte_env(d, &["compile"], &[]);
    assert_eq!(code, 0, "{err}");
}
