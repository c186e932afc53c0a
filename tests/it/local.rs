//! The local engine end to end: builds run twice over changing input give what Athena would.

use std::path::{Path, PathBuf};

use crate::support::{flat, karte, karte_env, run_results};

fn fixture_copy(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/projects")
        .join(name);
    crate::compile::copy_dir(&src, tmp.path());
    tmp
}

fn build_ok(dir: &Path, extra: &[&str]) {
    let mut args = vec!["build", "--threads", "2"];
    args.extend(extra);
    let (code, out, err) = karte(dir, &args);
    assert_eq!(code, 0, "build failed\nstdout:\n{out}\nstderr:\n{err}");
}

fn set_claims(dir: &Path, csv: &str) {
    std::fs::write(dir.join("seeds/raw/claims.csv"), csv).unwrap();
}

const SECOND: &str = "claim_id,person_id,service_month,amount,loaded_at\nc1,p1,2024-04-01,150,2\nc2,p2,2024-04-01,200,1\nc3,p1,2024-05-01,300,1\nc4,p3,2024-06-01,400,2\n";

#[test]
fn every_materialization_twice_with_changing_input() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    build_ok(dir, &[]);
    assert_eq!(
        flat(
            dir,
            "select claim_id || ':' || amount from silver.t_table order by 1"
        ),
        ["c1:100", "c2:200", "c3:300"]
    );
    assert_eq!(flat(dir, "select count(*) from silver.i_append"), ["3"]);
    let first_overwrite_files = lake_files(dir, "silver/i_overwrite");

    // The input changes: c1 is corrected, c4 arrives in a new month.
    set_claims(dir, SECOND);
    build_ok(dir, &[]);

    // table: rebuilt from the new input.
    assert_eq!(
        flat(
            dir,
            "select claim_id || ':' || amount from silver.t_table order by 1"
        ),
        ["c1:150", "c2:200", "c3:300", "c4:400"]
    );
    // view: always current.
    assert_eq!(
        flat(dir, "select n || ':' || total from silver.v_view"),
        ["4:1050"]
    );
    // append (Hive): only rows newer than the last load are added (c1 again, c4).
    assert_eq!(
        flat(
            dir,
            "select claim_id || ':' || amount from silver.i_append order by 1"
        ),
        ["c1:100", "c1:150", "c2:200", "c3:300", "c4:400"]
    );
    // insert_overwrite: the partitions of the new rows (2024-04, 2024-06) are replaced,
    // 2024-05 is untouched: c2 is gone from 2024-04 because this run's rows are c1 and c4 only.
    assert_eq!(
        flat(dir, "select service_month || ':' || claim_id || ':' || amount from silver.i_overwrite order by 1"),
        ["2024-04-01:c1:150", "2024-05-01:c3:300", "2024-06-01:c4:400"]
    );
    // ... and the replaced partition's old files are gone, the untouched one's kept.
    let now = lake_files(dir, "silver/i_overwrite");
    let old_april: Vec<_> = first_overwrite_files
        .iter()
        .filter(|f| f.contains("2024-04-01"))
        .collect();
    let old_may: Vec<_> = first_overwrite_files
        .iter()
        .filter(|f| f.contains("2024-05-01"))
        .collect();
    assert!(
        old_april.iter().all(|f| !now.contains(f)),
        "old April files remain: {now:?}"
    );
    assert!(
        old_may.iter().all(|f| now.contains(f)),
        "May files were deleted: {now:?}"
    );
    // merge (Iceberg): c1 updated, c4 inserted.
    assert_eq!(
        flat(
            dir,
            "select claim_id || ':' || amount from silver.i_merge order by 1"
        ),
        ["c1:150", "c2:200", "c3:300", "c4:400"]
    );
    // delete+insert (Iceberg) by person: p1's rows replaced by this run's (c1 only), p3 added.
    assert_eq!(
        flat(dir, "select person_id || ':' || claim_id || ':' || amount from silver.i_delete_insert order by 1"),
        ["p1:c1:150", "p2:c2:200", "p3:c4:400"]
    );
    // append (Iceberg).
    assert_eq!(
        flat(dir, "select count(*) from silver.i_iceberg_append"),
        ["5"]
    );
    // SCD2 snapshot (check on amount): c1's first version closed, a new one open; c4 new.
    assert_eq!(
        flat(dir, "select claim_id || ':' || amount || ':' || (dbt_valid_to is null) from history.claim_history order by claim_id, amount"),
        ["c1:100:false", "c1:150:true", "c2:200:true", "c3:300:true", "c4:400:true"]
    );
    // Release snapshots (every run, keep 2): two releases so far.
    assert_eq!(
        flat(
            dir,
            "select count(distinct release) from gold.g_month_releases"
        ),
        ["2"]
    );

    // A third run keeps only two releases; a full refresh rebuilds incrementals from scratch.
    build_ok(dir, &["--full-refresh"]);
    assert_eq!(
        flat(
            dir,
            "select count(distinct release) from gold.g_month_releases"
        ),
        ["2"]
    );
    assert_eq!(flat(dir, "select count(*) from silver.i_append"), ["4"]);
    assert_eq!(
        flat(dir, "select count(*) from history.claim_history"),
        ["4"],
        "a full refresh starts the snapshot history again"
    );
}

fn lake_files(dir: &Path, table: &str) -> Vec<String> {
    let base = dir.join("target/lake").join(table);
    let mut out: Vec<String> = walkdir::WalkDir::new(&base)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&base)
                .unwrap()
                .to_string_lossy()
                .to_string()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn old_table_versions_are_kept_then_deleted() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    for _ in 0..3 {
        build_ok(dir, &["--select", "claims t_table"]);
    }
    // versions_to_keep = 1: the current version and one previous one.
    let versions: Vec<PathBuf> = std::fs::read_dir(dir.join("target/lake/silver/t_table"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(versions.len(), 2, "{versions:?}");
}

#[test]
fn failing_test_skips_downstream_and_warn_does_not() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    set_claims(dir, "claim_id,person_id,service_month,amount,loaded_at\nc1,p1,2024-04-01,100,1\nc1,p2,2024-04-01,-5,1\n");
    let (code, out, err) = karte(dir, &["build", "--select", "claims t_table+"]);
    assert_eq!(code, 1, "{out}{err}");
    let results = crate::support::run_results(dir);
    let status = |name: &str| crate::support::status_of(&results, name);
    assert_eq!(status("t_table"), "success");
    assert_eq!(status("unique_t_table_claim_id"), "fail");
    assert_eq!(status("expression_is_true_t_table_amount"), "fail");
    assert_eq!(status("not_null_t_table_claim_id"), "pass");
    insta::assert_json_snapshot!("run_results_failing_test", results, {
        ".run_id" => "[run_id]",
        ".started_at" => "[time]",
        ".elapsed" => "[seconds]",
        ".results[].execution_time" => "[seconds]",
        ".args" => "[args]",
    });

    // `karte retry` runs what failed or was skipped again, and fails again the same way.
    let (code, out, _) = karte(dir, &["retry"]);
    assert_eq!(code, 1);
    assert!(out.contains("retrying"), "{out}");
}

#[test]
fn upstream_failure_skips_descendants_only() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    std::fs::write(
        dir.join("models/silver/i_overwrite.sql"),
        // Fails when it runs (compile checks the columns): no claim id is a number.
        "{{ config(materialized='table') }}\nselect claim_id, cast(cast(claim_id as varchar) || 'x' as integer) as amount, service_month from raw.claims\n",
    )
    .unwrap();
    let (code, _, _) = karte(dir, &["build"]);
    assert_eq!(code, 1);
    let results = crate::support::run_results(dir);
    let by_name = |n: &str| {
        results["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("i_overwrite")["status"], "error");
    assert!(by_name("i_overwrite")["message"]
        .as_str()
        .unwrap()
        .contains("models/silver/i_overwrite.sql"));
    assert_eq!(by_name("g_month")["status"], "skipped");
    assert_eq!(by_name("t_table")["status"], "success");
}

#[test]
fn seeds_in_cp932_and_bad_rows() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    // ①髙～ and half-width katakana ｶﾀｶﾅ in CP932.
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode("code,name\n1,①髙橋～ｶﾀｶﾅ\n");
    std::fs::write(dir.join("seeds/names.csv"), &bytes).unwrap();
    std::fs::write(dir.join("seeds/names.yml"), "seeds:\n  - name: names\n    config:\n      encoding: cp932\n      column_types: {code: integer}\n").unwrap();
    build_ok(dir, &["--select", "names"]);
    assert_eq!(flat(dir, "select name from seeds.names"), ["①髙橋～ｶﾀｶﾅ"]);

    std::fs::write(
        dir.join("seeds/names.csv"),
        encoding_rs::SHIFT_JIS.encode("code,name\n1,a\nx,b\n").0,
    )
    .unwrap();
    let (code, out, err) = karte(dir, &["seed", "--select", "names"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("seeds/names.csv:3: `x` in column `code` is not of type integer")
            || err.contains("seeds/names.csv:3"),
        "{out}{err}"
    );
}

#[test]
fn sql_that_cannot_run_locally_is_a_diagnostic_at_its_line() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    std::fs::write(
        dir.join("models/gold/sketch.sql"),
        "select\n    service_month,\n    approx_set(person_id) as people\nfrom raw.claims\ngroup by 1\n",
    )
    .unwrap();
    let (code, out, err) = karte(dir, &["build"]);
    assert_eq!(code, 1, "{out}{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("E502"), "{all}");
    assert!(all.contains("models/gold/sketch.sql:3:5"), "{all}");
    assert!(all.contains("approx_set"), "{all}");
    // In Japanese: the same code and place, the message, reason and help in Japanese.
    let (code, out, err) = karte_env(dir, &["build"], &[("KARTE_LANG", "ja")]);
    assert_eq!(code, 1, "{out}{err}");
    let ja = format!("{out}{err}");
    for part in [
        "E502",
        "models/gold/sketch.sql:3:5",
        "`approx_set` は、ローカルのエンジンでは Athena と同じ意味で動かせません",
        "HyperLogLog やダイジェストのスケッチは Athena にしかありません",
        "--exclude で外す",
    ] {
        assert!(ja.contains(part), "`{part}` in\n{ja}");
    }
    // Nothing ran: the check happens before the first statement.
    assert!(
        !dir.join("target/lake/gold").exists() || !dir.join("target/lake/gold/sketch").exists()
    );
}

#[test]
fn a_killed_local_build_resumes_and_rollback_restores() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    build_ok(dir, &[]);
    let before = flat(dir, "select count(*) from silver.t_table");
    set_claims(dir, SECOND);
    // Killed right after t_table's new data is written, before it is published.
    let (code, _, _) = karte_env(
        dir,
        &["build", "--threads", "1"],
        &[("KARTE_FAILPOINT", "exit-after:t_table/01-sql")],
    );
    assert_eq!(code, 137);
    // Killed mid-run, the published table is still the complete old one.
    assert_eq!(flat(dir, "select count(*) from silver.t_table"), before);
    // A resume must be asked for what the run was: another selection is refused.
    for other in [&["--select", "t_table"][..], &["--full-refresh"]] {
        let mut args = vec!["build", "--threads", "1"];
        args.extend(other);
        let (code, _, err) = karte(dir, &args);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("was asked for everything, no --full-refresh; this build asks for")
                && err.contains("--no-resume"),
            "{err}"
        );
    }
    let (code, _, err) = karte(dir, &["build", "--threads", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("resuming") && err.contains("plan.json"),
        "{err}"
    );
    assert_eq!(flat(dir, "select count(*) from silver.t_table"), ["4"]);

    // Killed after the swap: rollback puts the previous version back.
    set_claims(
        dir,
        "claim_id,person_id,service_month,amount,loaded_at\nc9,p9,2024-07-01,900,3\n",
    );
    let (code, _, _) = karte_env(
        dir,
        &["build", "--threads", "1"],
        &[("KARTE_FAILPOINT", "exit-after:t_table/02-swap")],
    );
    assert_eq!(code, 137);
    assert_eq!(flat(dir, "select claim_id from silver.t_table"), ["c9"]);
    let run_id = crate::support::latest_run_id(dir);
    let (code, out, err) = karte(dir, &["rollback", &run_id]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(flat(dir, "select count(*) from silver.t_table"), ["4"]);
    let (code, _, err) = karte(dir, &["build", "--threads", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("resuming"), "{err}");
}

#[test]
fn a_step_applied_but_not_journaled_is_not_applied_again_on_resume() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    build_ok(dir, &[]);
    set_claims(dir, SECOND);
    let (code, _, _) = karte_env(
        dir,
        &["build", "--threads", "1"],
        &[("KARTE_FAILPOINT", "exit-after:t_table/01-sql")],
    );
    assert_eq!(code, 137);
    // Make it look as if the process died right after the step committed: its data is
    // there, but the journal never recorded the step as done. The resumed run finds the step's
    // record in the catalog and does not write it again (a step killed before its commit is
    // cleaned up and redone: tests/it/kills.rs).
    let journal = crate::support::latest_journal(dir).join("events.jsonl");
    let events = std::fs::read_to_string(&journal).unwrap();
    let kept: Vec<&str> = events
        .lines()
        .filter(|l| !(l.contains("\"event\":\"done\"") && l.contains("t_table/01-sql")))
        .collect();
    assert_eq!(kept.len() + 1, events.lines().count());
    std::fs::write(&journal, kept.join("\n") + "\n").unwrap();
    let (code, _, err) = karte(dir, &["build", "--threads", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("resuming"), "{err}");
    assert_eq!(flat(dir, "select count(*) from silver.t_table"), ["4"]);
}

#[test]
fn a_resumed_run_still_deletes_the_partitions_it_replaced() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    build_ok(dir, &[]);
    set_claims(dir, SECOND);
    // Killed after the new partitions are registered, before the old ones are deleted.
    let (code, _, _) = karte_env(
        dir,
        &["build", "--threads", "1"],
        &[(
            "KARTE_FAILPOINT",
            "exit-after:i_overwrite/02-register-partitions",
        )],
    );
    assert_eq!(code, 137);
    let (code, _, err) = karte(dir, &["build", "--threads", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("resuming"), "{err}");
    // Only the data the catalog points at is left: each month once.
    let months: Vec<String> = lake_files(dir, "silver/i_overwrite")
        .iter()
        .filter_map(|f| {
            f.split('/')
                .find(|p| p.starts_with("service_month="))
                .map(str::to_string)
        })
        .collect();
    let mut unique = months.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        months.len(),
        unique.len(),
        "old partition data left behind: {months:?}"
    );
    // The same data as a run that was never interrupted.
    let reference = fixture_copy("local_build");
    build_ok(reference.path(), &[]);
    set_claims(reference.path(), SECOND);
    build_ok(reference.path(), &[]);
    let q = "select service_month, claim_id, amount from silver.i_overwrite order by 1, 2";
    assert_eq!(flat(dir, q), flat(reference.path(), q));
}

#[test]
fn a_second_build_on_the_same_target_is_refused_while_one_runs() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    // Another run holds the target's lock (this test process, as a second `karte` would).
    let engine = karte::engine::duckdb::LocalEngine::open(dir, "target/lake").unwrap();
    let holder = karte::engine::lock::Holder::this_process("build");
    let guard = karte::engine::Engine::lock(&engine, "local", &holder, false).unwrap();
    // A running build also has the local catalog (target/karte.duckdb) open, and DuckDB's own
    // file lock refuses a second process first: the refusal still names the run holding it.
    let (code, out, err) = karte(dir, &["build", "--threads", "2"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("E503") && err.contains(&format!("pid {}", std::process::id())),
        "{err}"
    );
    assert!(!err.contains("E501"), "{err}");
    drop(engine);
    // The run lock alone (the catalog closed) refuses too.
    let (code, out, err) = karte(dir, &["build", "--threads", "2"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("E503") && err.contains(&format!("pid {}", std::process::id())),
        "{err}"
    );
    assert!(
        !dir.join("target/journal").exists(),
        "nothing was written before the lock"
    );
    // Released when the holder ends (dropped here; a killed process releases it too).
    drop(guard);
    build_ok(dir, &[]);
}

#[test]
fn a_table_becomes_a_view_and_back() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    let select = ["--select", "t_table"];
    let t_table = dir.join("models/silver/t_table.sql");
    build_ok(dir, &["--select", "claims t_table"]);
    build_ok(dir, &select);
    let seed_files = lake_files(dir, "raw/claims");
    assert!(!seed_files.is_empty());
    assert_eq!(lake_files(dir, "silver/t_table").len(), 2);

    std::fs::write(&t_table, "select claim_id, amount from raw.claims\n").unwrap();
    build_ok(dir, &select);
    assert_eq!(flat(dir, "select count(*) from silver.t_table"), ["3"]);
    // The old table's data is gone, and nothing else.
    assert!(lake_files(dir, "silver/t_table").is_empty());
    assert_eq!(lake_files(dir, "raw/claims"), seed_files);
    let state = local_state(dir);
    let view = state.get("silver", "t_table").expect("in the catalog");
    assert_eq!(view.kind, karte::plan::catalog::TableKind::View);
    assert!(view.managed);

    std::fs::write(
        &t_table,
        "{{ config(materialized='table') }}\nselect claim_id, amount from raw.claims\n",
    )
    .unwrap();
    build_ok(dir, &select);
    build_ok(dir, &select);
    assert_eq!(flat(dir, "select count(*) from silver.t_table"), ["3"]);
    let state = local_state(dir);
    let table = state.get("silver", "t_table").unwrap();
    assert_eq!(table.kind, karte::plan::catalog::TableKind::Hive);
    assert_eq!(
        table.owned_prefix.as_deref(),
        Some("target/lake/silver/t_table/")
    );
    assert_eq!(lake_files(dir, "raw/claims"), seed_files);
}

fn local_state(dir: &Path) -> karte::plan::CatalogState {
    use karte::engine::Engine;
    karte::engine::duckdb::LocalEngine::open(dir, "target/lake")
        .unwrap()
        .catalog_state()
        .unwrap()
}

#[test]
fn a_successful_run_is_rolled_back_only_if_nothing_changed_since() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    let sel = ["--select", "claims", "t_table"];
    let count = |dir: &Path| flat(dir, "select count(*) from silver.t_table");
    build_ok(dir, &sel);
    set_claims(dir, SECOND);
    build_ok(dir, &sel);
    let run2 = crate::support::latest_run_id(dir);
    assert_eq!(count(dir), ["4"]);
    // A successful run is undone only on request.
    let (code, _, err) = karte(dir, &["rollback", &run2]);
    assert_ne!(code, 0);
    assert!(err.contains("--force"), "{err}");

    // A later run changed the table: refused, and nothing is changed.
    set_claims(
        dir,
        "claim_id,person_id,service_month,amount,loaded_at\nc9,p9,2024-07-01,900,3\n",
    );
    build_ok(dir, &sel);
    let run3 = crate::support::latest_run_id(dir);
    let (code, _, err) = karte(dir, &["rollback", "--force", &run2]);
    assert_ne!(code, 0);
    assert!(
        err.contains("silver.t_table changed since run") && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(count(dir), ["1"]);

    // Newest first works: run 3 goes back to run 2's version.
    let (code, out, err) = karte(dir, &["rollback", "--force", &run3]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(count(dir), ["4"]);
    // Run 2's previous version was cleaned up by run 3 (versions_to_keep: 1): refused.
    let (code, _, err) = karte(dir, &["rollback", "--force", &run2]);
    assert_ne!(code, 0);
    assert!(err.contains("to restore is gone"), "{err}");
    assert_eq!(count(dir), ["4"]);
}

#[test]
fn rollback_says_what_it_did_in_japanese() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    let sel = ["--select", "claims", "t_table"];
    build_ok(dir, &sel);
    set_claims(dir, SECOND);
    build_ok(dir, &sel);
    let run = crate::support::latest_run_id(dir);
    let ja = [("KARTE_LANG", "ja")];
    let (code, out, err) = karte_env(dir, &["rollback", "--force", &run], &ja);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("silver.t_table: 前の版に戻しました"), "{out}");
    assert_eq!(flat(dir, "select count(*) from silver.t_table"), ["3"]);
    // A run that put no table in place (only tests ran) has nothing to roll back.
    let (code, out, err) = karte_env(dir, &["test"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    let tests_run = crate::support::latest_run_id(dir);
    let (code, out, err) = karte_env(dir, &["rollback", "--force", &tests_run], &ja);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(out.contains("元に戻すものはありません"), "{out}");
}

#[test]
fn a_reviewed_plan_runs_exactly_and_only_while_the_catalog_is_as_planned() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    let journals = |dir: &Path| {
        std::fs::read_dir(dir.join("target/journal"))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    let file = |name: &str| dir.join(name).to_string_lossy().to_string();
    let (reviewed, second) = (file("reviewed.json"), file("second.json"));
    // Planned and reviewed; then the model file is edited before the plan is applied.
    let (code, out, err) = karte(dir, &["plan", "--select", "+t_table", "--out", &reviewed]);
    assert_eq!(code, 0, "{out}{err}");
    std::fs::write(
        dir.join("models/silver/t_table.sql"),
        "{{ config(materialized='table') }}\nselect claim_id, amount, 'edited' as note from raw.claims\n",
    )
    .unwrap();
    // … and a test is added that would fail: the plan's tests run, not the edited file's.
    let schema = dir.join("models/silver/schema.yml");
    let yml = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(
        &schema,
        yml.replace(
            "tests: [not_null, unique]",
            "tests: [not_null, unique, {accepted_values: {values: ['none']}}]",
        ),
    )
    .unwrap();
    let planned: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&reviewed).unwrap()).unwrap();
    let planned_tests: Vec<&str> = planned["tests"]
        .as_array()
        .expect("the plan holds its data tests")
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        planned_tests,
        [
            "not_null_t_table_claim_id",
            "unique_t_table_claim_id",
            "expression_is_true_t_table_amount"
        ]
    );
    // --plan brings its own selection: nothing else is given.
    let (code, out, err) = karte(dir, &["build", "--plan", &reviewed, "--select", "claims"]);
    assert_eq!(code, 2, "{out}{err}");
    let (code, out, err) = karte(dir, &["run", "--plan", &reviewed]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("karte build"), "{err}");
    // A first run planned against the empty catalog: the catalog is unchanged, it runs; the
    // reviewed SQL runs, not the edited file.
    let (code, out, err) = karte(dir, &["build", "--plan", &reviewed, "--threads", "1"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        flat(dir, "select * from silver.t_table order by 1"),
        flat(dir, "select claim_id, amount from raw.claims order by 1"),
        "the reviewed SQL ran"
    );
    let results = run_results(dir);
    let mut tests_run: Vec<&str> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "test")
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    tests_run.sort();
    let mut expected = planned_tests.clone();
    expected.sort();
    assert_eq!(tests_run, expected, "the reviewed tests ran, and only they");
    std::fs::write(&schema, yml).unwrap();

    // A plan made now, then the catalog changes (another build), then the plan is refused.
    let (code, out, err) = karte(dir, &["plan", "--out", &second]);
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(&second).unwrap();
    assert!(text.contains("\"reviewed\""), "{text}");
    build_ok(dir, &["--select", "t_table"]);
    let before = journals(dir);
    let (code, out, err) = karte(dir, &["build", "--plan", &second]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("E504") && err.contains("silver.t_table was written"),
        "{err}"
    );
    assert!(!err.contains("silver.i_merge"), "only what changed: {err}");
    assert_eq!(journals(dir), before, "nothing was run");

    // A plan that was not written by `plan --out` is not a reviewed plan.
    let (code, out, err) = karte(dir, &["plan"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = karte(dir, &["build", "--plan", &file("target/plan.json")]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("E504") && err.contains("plan --out"), "{err}");
}

#[test]
fn a_failing_source_test_skips_the_models_that_read_the_source() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    set_claims(
        dir,
        "claim_id,person_id,service_month,amount,loaded_at\nc1,p1,2024-04-01,100,1\n,p2,2024-04-01,5,1\n",
    );
    build_ok(dir, &["--select", "claims"]);
    // The seed's table, declared as a source with tests, and a model that reads it.
    crate::support::write_file(
        dir,
        Path::new("models/sources.yml"),
        b"sources:\n  - name: lake\n    schema: raw\n    tables:\n      - name: claims\n        columns:\n          - name: claim_id\n            tests: [not_null]\n          - name: amount\n            tests: [not_null]\n",
    );
    crate::support::write_file(
        dir,
        Path::new("models/silver/from_source.sql"),
        b"select claim_id, amount from lake.claims\n",
    );
    let (code, out, err) = karte(dir, &["plan", "--select", "from_source"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("source_not_null_lake_claims_claim_id"),
        "{out}"
    );
    let (code, out, err) = karte(dir, &["build", "--select", "from_source"]);
    assert_eq!(code, 1, "{out}{err}");
    let results = run_results(dir);
    let status = |name: &str| crate::support::status_of(&results, name);
    assert_eq!(status("source_not_null_lake_claims_claim_id"), "fail");
    assert_eq!(status("source_not_null_lake_claims_amount"), "pass");
    assert_eq!(status("from_source"), "skipped");
}

#[test]
fn karte_runs_lists_recent_runs_newest_first_with_their_slowest_nodes() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    let (code, out, _) = karte(dir, &["runs"]);
    assert_eq!(code, 0);
    assert!(out.contains("no runs yet"), "{out}");
    build_ok(dir, &["--select", "claims", "t_table"]);
    // A second run with a failing model.
    std::fs::write(
        dir.join("models/silver/t_table.sql"),
        "select cast(claim_id as integer) as broken from raw.claims\n",
    )
    .unwrap();
    let (code, _, _) = karte(dir, &["build", "--select", "t_table"]);
    assert_eq!(code, 1);

    let (code, out, err) = karte(dir, &["runs", "--output", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{v}");
    assert_eq!(runs[0]["status"], "failed", "newest first: {v}");
    assert_eq!(runs[1]["status"], "success", "{v}");
    assert_eq!(runs[1]["command"], "build");
    assert!(runs[0]["not_ok"].as_u64().unwrap() >= 1, "{v}");
    assert_eq!(v["focus"], runs[0]["run_id"]);
    let first = runs[1]["run_id"].as_str().unwrap().to_string();

    let (code, out, err) = karte(dir, &["runs", "--run", &first]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("slowest in {first}:")), "{out}");
    assert!(
        out.lines().any(|l| l.trim_end().ends_with("t_table")),
        "{out}"
    );
    let (code, _, err) = karte(dir, &["runs", "--run", "run_nope"]);
    assert_eq!(code, 2, "a wrong argument");
    assert!(err.contains("there is no run `run_nope`"), "{err}");
}

#[test]
fn a_source_without_declared_columns_gets_the_catalogs_when_the_target_is_read() {
    let tmp = fixture_copy("local_build");
    let dir = tmp.path();
    build_ok(dir, &["--select", "claims"]);
    crate::support::write_file(
        dir,
        Path::new("models/sources.yml"),
        b"sources:\n  - name: lake\n    schema: raw\n    tables:\n      - name: claims\n",
    );
    crate::support::write_file(
        dir,
        Path::new("models/silver/from_source.sql"),
        b"select claim_idd from lake.claims\n",
    );
    // Without the catalog the columns are unknown: a warning, and the typo goes through.
    let (code, out, err) = karte(dir, &["compile"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("the columns of source `lake.claims` are not declared"),
        "{err}"
    );
    // Reading the target's catalog, the typo is caught before anything runs.
    let (code, out, err) = karte(dir, &["plan", "--live", "--select", "from_source"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("E212"), "{err}");
    assert!(err.contains("did you mean `claim_id`?"), "{err}");
    crate::support::write_file(
        dir,
        Path::new("models/silver/from_source.sql"),
        b"select claim_id from lake.claims\n",
    );
    let (code, out, err) = karte(dir, &["plan", "--live", "--select", "from_source"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !err.contains("are not declared"),
        "the catalog gave them: {err}"
    );
}

/// DuckDB gets the memory limit and threads of the target (`memory_limit:`, `duckdb_threads:`),
/// else a quarter of the machine's memory and one thread per core — never DuckDB's own
/// defaults (80 % of the memory); a limit karte cannot read is an error naming it.
#[test]
fn duckdb_memory_limit_and_threads_come_from_the_target_or_the_machine() {
    let settings = |dir: &Path| -> Vec<String> {
        let (code, out, err) = karte(
            dir,
            &[
                "show",
                "--sql",
                "select current_setting('memory_limit') as m, current_setting('threads') as t",
                "-o",
                "csv",
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        out.lines().skip(1).map(str::to_string).collect()
    };
    let spec = |target: &str| {
        format!(
            "=== karte.yml\nname: settings\nlayers: {{ silver: silver }}\ntargets:\n  local:\n    type: local\n{target}=== models/silver/one.sql\nselect 1 as x\n"
        )
    };
    let dir =
        crate::support::project_from_spec(&spec("    memory_limit: 1GiB\n    duckdb_threads: 1\n"));
    assert_eq!(settings(dir.path()), ["1.0 GiB,1"]);

    // From the machine: a quarter of its memory, as DuckDB prints it, and one thread per core.
    let dir = crate::support::project_from_spec(&spec(""));
    let kib: u64 = std::fs::read_to_string("/proc/meminfo")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .unwrap()
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    let got = settings(dir.path());
    let (limit, threads) = got[0].split_once(',').unwrap();
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(threads, cores.to_string(), "{got:?}");
    let gib: f64 = limit.trim_end_matches(" GiB").parse().unwrap_or(0.0);
    let quarter = kib as f64 / 4.0 / 1024.0 / 1024.0;
    // (a cgroup limit lower than the machine's memory gives less)
    assert!(
        gib > 0.0 && gib <= quarter + 0.1,
        "{limit} vs a quarter of {kib} KiB"
    );

    let dir = crate::support::project_from_spec(&spec("    memory_limit: lots\n"));
    let (code, out, err) = karte(dir.path(), &["build"]);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("`memory_limit: lots`"), "{err}");
}

#[test]
fn integer_sums_stay_bigint_in_hive_tables() {
    // DuckDB sums integers into HUGEINT, which Parquet cannot hold (DuckDB writes it as
    // DOUBLE); Athena's sum is bigint. A Hive table keeps bigint, as on Athena, in a table
    // and in the partitions an incremental insert adds.
    let tmp = crate::support::project_from_spec(
        r#"
=== karte.yml
name: s
layers: { silver: silver }
=== seeds/raw/raw.yml
seeds:
  - name: visits
    config:
      column_types: { ym: integer, n: bigint }
=== seeds/raw/visits.csv
ym,n
202401,9007199254740993
202401,1
202402,5
=== models/silver/totals.sql
{{ config(materialized='table') }}
select ym, sum(n) as total from raw.visits group by ym
=== models/silver/by_month.sql
{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partitioned_by=['ym']) }}
select sum(n) as total, ym from raw.visits group by ym
"#,
    );
    let dir = tmp.path();
    for _ in 0..2 {
        let (code, out, err) = karte(dir, &["build"]);
        assert_eq!(code, 0, "{out}{err}");
        for table in ["silver.totals", "silver.by_month"] {
            assert_eq!(
                flat(
                    dir,
                    &format!("select typeof(total), total from {table} where ym = 202401")
                ),
                ["BIGINT|9007199254740994"],
                "{table}"
            );
        }
    }
}
