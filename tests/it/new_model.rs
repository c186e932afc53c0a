//! `karte new model layer/name`: the model file and its property entry, with the columns karte
//! infers from the SQL (and the descriptions of the columns they copy), in the user's language.

use std::path::Path;

use crate::support::karte_env;

fn new_project(parent: &Path, lang: &str) -> std::path::PathBuf {
    let dir = parent.join(format!("lake_{lang}"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_karte"))
        .arg("init")
        .arg(&dir)
        .env("KARTE_LANG", lang)
        .output()
        .unwrap();
    assert!(out.status.success());
    dir
}

fn new_model(dir: &Path, args: &[&str], lang: &str) -> (i32, String, String) {
    let mut all = vec!["new", "model"];
    all.extend_from_slice(args);
    karte_env(dir, &all, &[("KARTE_LANG", lang)])
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn a_new_model_gets_its_columns_after_its_query_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    for lang in ["en", "ja"] {
        let dir = new_project(tmp.path(), lang);
        // 1. A template that compiles, and an entry without columns yet.
        let (code, out, err) = new_model(&dir, &["gold/by_department"], lang);
        assert_eq!(code, 0, "{out}{err}");
        let sql = read(&dir, "models/gold/by_department.sql");
        insta::assert_snapshot!(format!("new_model_template_{lang}"), sql);
        let yml = read(&dir, "models/gold/by_department.yml");
        assert!(!yml.contains("columns:"), "{yml}");
        let (code, out, err) = karte_env(&dir, &["build"], &[]);
        assert_eq!(code, 0, "the template builds: {out}{err}");

        // 2. The query written, the same command lists its columns; copied columns bring
        // their description (from silver.visits), computed ones are left to write.
        std::fs::write(
            dir.join("models/gold/by_department.sql"),
            "select\n    department,\n    count(*) as visits,\n    max(visit_date) as last_visit\nfrom silver.visits\ngroup by 1\n",
        )
        .unwrap();
        let (code, out, err) = new_model(&dir, &["gold/by_department"], lang);
        assert_eq!(code, 0, "{out}{err}");
        insta::assert_snapshot!(
            format!("new_model_entry_{lang}"),
            format!("{out}---\n{}", read(&dir, "models/gold/by_department.yml"))
        );
        // karte reads it back: the project compiles without warnings and knows the columns.
        let c = crate::support::compile_dir(&dir).unwrap();
        assert!(
            c.diagnostics.is_empty(),
            "{}",
            crate::support::rendered(&c.diagnostics)
        );
        let node = c
            .project
            .nodes
            .iter()
            .find(|n| n.name == "by_department")
            .unwrap();
        let names: Vec<&str> = node.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["department", "visits", "last_visit"]);

        // 3. Once it has columns, karte does not touch the entry again.
        let (code, _, err) = new_model(&dir, &["gold/by_department"], lang);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("[E309]"), "{err}");
    }
}

#[test]
fn from_sql_and_the_mistakes_people_make() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_project(tmp.path(), "en");
    let query = tmp.path().join("ids.sql");
    std::fs::write(
        &query,
        "-- ids\nselect visit_id, patient_code from silver.visits\n",
    )
    .unwrap();
    let (code, out, err) = new_model(
        &dir,
        &[
            "silver/keys/visit_ids",
            "--from-sql",
            query.to_str().unwrap(),
        ],
        "en",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        read(&dir, "models/silver/keys/visit_ids.sql"),
        "-- ids\nselect visit_id, patient_code from silver.visits\n"
    );
    let yml = read(&dir, "models/silver/keys/visit_ids.yml");
    assert!(
        yml.contains("- name: visit_id\n        description: \"Visit number\""),
        "{yml}"
    );
    assert!(out.contains("2 column(s)"), "{out}");

    // SQL that does not compile: the file stays, the entry waits (W306), exit 1.
    let bad = tmp.path().join("bad.sql");
    std::fs::write(&bad, "select nope from silver.visits\n").unwrap();
    let (code, out, err) = new_model(
        &dir,
        &["gold/bad", "--from-sql", bad.to_str().unwrap()],
        "en",
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("error[E212]") && err.contains("warning[W306]"),
        "{err}"
    );
    assert!(dir.join("models/gold/bad.sql").exists());
    assert!(!dir.join("models/gold/bad.yml").exists());
    std::fs::remove_file(dir.join("models/gold/bad.sql")).unwrap();

    // `select *` over a source whose columns are not declared: no columns, W306.
    std::fs::write(
        dir.join("models/sources.yml"),
        "sources:\n  - name: raw\n    tables:\n      - name: visits\n",
    )
    .unwrap();
    let star = tmp.path().join("star.sql");
    std::fs::write(&star, "select * from raw.visits\n").unwrap();
    let (code, out, err) = new_model(
        &dir,
        &["bronze/raw_visits", "--from-sql", star.to_str().unwrap()],
        "en",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("warning[W306]"), "{err}");
    assert!(!read(&dir, "models/bronze/raw_visits.yml").contains("columns:"));

    let mut errors = String::new();
    for (args, lang) in [
        (vec!["monthly"], "en"),
        (vec!["gld/monthly"], "en"),
        (vec!["gold/Monthly"], "ja"),
        (vec!["gold/monthly_visits"], "en"),
        (vec!["silver/visits"], "ja"),
        (vec!["gold/other/visits"], "en"),
        (
            vec![
                "silver/keys/visit_ids",
                "--from-sql",
                query.to_str().unwrap(),
            ],
            "en",
        ),
    ] {
        let (code, _, err) = new_model(&dir, &args, lang);
        assert_eq!(code, 1, "{args:?}: {err}");
        errors.push_str(&format!("$ karte new model {}\n{err}\n", args[0]));
    }
    insta::assert_snapshot!("new_model_errors", errors);
}
