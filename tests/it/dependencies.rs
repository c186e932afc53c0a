//! Projects that depend on other projects: two local projects in one temp dir, the upstream
//! built with the local engine, the downstream reading its public model as `silver.receipts`,
//! and `--wait-for-upstream` on a new, an old, a failed and a late upstream run.

use std::path::Path;

use crate::support::{flat, karte, write_file};

const UPSTREAM: &str = "name: silver_team\nlayers:\n  silver: silver\n";

fn upstream_project(root: &Path) {
    write_file(root, Path::new("karte.yml"), UPSTREAM.as_bytes());
    write_file(
        root,
        Path::new("models/silver/receipts.sql"),
        b"select 1 as id, 'a' as patient_name\nunion all\nselect 2, 'b'\n",
    );
    write_file(
        root,
        Path::new("models/silver/internal.sql"),
        b"select 1 as id, 'x' as code\n",
    );
    write_file(
        root,
        Path::new("models/silver/_silver.yml"),
        b"models:\n  - name: receipts\n    config:\n      access: public\n      materialized: table\n    columns:\n      - name: id\n      - name: patient_name\n        classification: direct_identifier\n  - name: internal\n    config:\n      materialized: table\n",
    );
}

fn downstream_project(root: &Path, upstream: &Path) {
    write_file(
        root,
        Path::new("karte.yml"),
        format!(
            "name: gold_team\nlayers:\n  gold: gold\ndependencies:\n  silver_team: {}\n",
            upstream.display()
        )
        .as_bytes(),
    );
    write_file(
        root,
        Path::new("models/gold/receipt_count.sql"),
        b"{{ config(materialized='table') }}\nselect count(*) as n, max(length(patient_name)) as longest\nfrom silver.receipts\n",
    );
}

/// Make the upstream's `receipts` fail when it runs.
pub(crate) fn break_upstream(root: &Path) {
    write_file(
        root,
        Path::new("models/silver/receipts.sql"),
        b"select cast('not a number' as integer) as id, 'a' as patient_name\n",
    );
}

pub(crate) struct Two {
    _dir: tempfile::TempDir,
    pub up: std::path::PathBuf,
    pub down: std::path::PathBuf,
}

pub(crate) fn two_projects() -> Two {
    let dir = tempfile::tempdir().unwrap();
    let up = dir.path().join("silver");
    let down = dir.path().join("gold");
    upstream_project(&up);
    downstream_project(&down, &up);
    Two {
        _dir: dir,
        up,
        down,
    }
}

fn build(dir: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["build"];
    args.extend_from_slice(extra);
    karte(dir, &args)
}

pub(crate) const WAIT: &[&str] = &["--wait-for-upstream", "--timeout", "3s", "--poll", "1s"];

/// Run ids are per millisecond; make the next run's id later than the last one's.
fn next_ms() {
    std::thread::sleep(std::time::Duration::from_millis(5));
}

/// `karte build` run inside a project directory (`--project-dir .`).
fn build_in(dir: &Path) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_karte"))
        .env("KARTE_LANG", "en")
        .args(["build", "--project-dir", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn downstream_reads_the_upstream_public_model() {
    let t = two_projects();
    // Each team builds in its own directory: the upstream's tables are found from the other.
    let (code, out, err) = build_in(&t.up);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = build_in(&t.down);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        flat(&t.down, "select n, longest from gold.receipt_count"),
        ["2|1"]
    );

    // The manifest says what it read, and carries the lineage and classes across projects.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(t.down.join("target/manifest.json")).unwrap(),
    )
    .unwrap();
    let node = &manifest["nodes"]["model.gold_team.receipt_count"];
    assert_eq!(
        node["depends_on"]["upstream"],
        serde_json::json!(["model.silver_team.receipts"])
    );
    let longest = manifest["lineage"]["model.gold_team.receipt_count"]["columns"][1].clone();
    assert_eq!(
        longest["upstream"][0]["relation"],
        "model.silver_team.receipts"
    );
    assert_eq!(longest["upstream"][0]["column"], "patient_name");
    assert_eq!(
        manifest["classes"]["model.silver_team.receipts"]["patient_name"]["classes"],
        serde_json::json!(["direct_identifier"])
    );
    // The compiled SQL reads the upstream's local catalog.
    let sql = std::fs::read_to_string(t.down.join("target/compiled/models/gold/receipt_count.sql"))
        .unwrap();
    assert!(
        sql.contains("upstream_silver_team.silver.receipts"),
        "{sql}"
    );
}

#[test]
fn a_model_that_is_not_public_is_refused_at_the_reference() {
    let t = two_projects();
    assert_eq!(build(&t.up, &[]).0, 0);
    write_file(
        &t.down,
        Path::new("models/gold/codes.sql"),
        b"select code from silver.internal\n",
    );
    let (code, _, err) = karte(&t.down, &["compile"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E902"), "{err}");
    assert!(err.contains("models/gold/codes.sql:1:18"), "{err}");
    assert!(err.contains("access: public"), "{err}");
}

#[test]
fn waiting_for_a_new_an_old_a_failed_and_a_late_upstream_run() {
    let t = two_projects();
    // Compiled (its manifest written) but never run: late.
    assert_eq!(karte(&t.up, &["compile"]).0, 0);
    let (code, _, err) = build(&t.down, WAIT);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("E906"), "{err}");
    assert!(err.contains("has no run that built receipts"), "{err}");
    assert!(!t.down.join("target/run_results.json").exists());

    // A successful upstream run, never read: ready; the run records what it read.
    assert_eq!(build(&t.up, &[]).0, 0);
    let up_run = crate::support::latest_run_id(&t.up);
    next_ms();
    let (code, out, err) = build(&t.down, WAIT);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains(&format!("upstream `silver_team` is ready: run {up_run}")),
        "{err}"
    );
    let recorded: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::latest_journal(&t.down).join("upstream.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(recorded, serde_json::json!({ "silver_team": up_run }));

    // The same upstream run again: not newer than what the last build read, so late.
    next_ms();
    let (code, _, err) = build(&t.down, WAIT);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("is not newer than"), "{err}");

    // A new upstream run: ready again.
    next_ms();
    assert_eq!(build(&t.up, &[]).0, 0);
    next_ms();
    let (code, out, err) = build(&t.down, WAIT);
    assert_eq!(code, 0, "{out}\n{err}");

    // The upstream's newest run failed: a clear status, and nothing built.
    next_ms();
    break_upstream(&t.up);
    assert_eq!(build(&t.up, &[]).0, 1);
    let before = crate::support::latest_run_id(&t.down);
    next_ms();
    let (code, _, err) = build(&t.down, WAIT);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("E905"), "{err}");
    assert!(err.contains("ended failed"), "{err}");
    assert!(err.contains("failed or skipped there: receipts"), "{err}");
    assert_eq!(
        crate::support::latest_run_id(&t.down),
        before,
        "nothing ran"
    );
    // Without waiting, the build reads the upstream's tables as they are.
    assert_eq!(build(&t.down, &[]).0, 0);
}

#[test]
fn a_dependency_that_was_never_built_is_a_clear_error() {
    let t = two_projects();
    let (code, _, err) = karte(&t.down, &["compile"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("E901"), "{err}");
    assert!(err.contains("karte.yml:5:3"), "{err}");
    assert!(err.contains("build the upstream project first"), "{err}");
}

/// On Athena: the upstream's manifest published on S3, its runs read from the copy of its
/// journals its target keeps on S3, and this project's last build found in its own copy.
#[cfg(feature = "athena")]
#[test]
fn on_athena_the_upstream_runs_are_read_from_its_journal_copy_on_s3() {
    use crate::athena::{arm_months, build as athena_build, karte as athena_karte, FakeAws};
    let aws = FakeAws::start();
    let up_tmp = crate::athena::project(&aws);
    let up = up_tmp.path();
    write_file(
        up,
        Path::new("models/silver/t_table.sql"),
        b"{{ config(materialized='table', access='public') }}\nselect claim_id, amount from raw.claims\n",
    );
    arm_months(&aws, &["2024-04-01"], 1);
    athena_build(up, &[]);
    let up_run = crate::support::latest_run_id(up);
    let body = std::fs::read_to_string(up.join("target/manifest.json")).unwrap();
    let out = crate::athena_runs::signed_request(
        &aws,
        "PUT /lake-bucket/published/local_build/manifest.json",
        "s3",
        "",
        &body,
    );
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");

    let down_tmp = tempfile::tempdir().unwrap();
    let down = down_tmp.path();
    write_file(
        down,
        Path::new("karte.yml"),
        format!(
            "name: gold_team
layers:
  gold: gold
default_target: athena
targets:
  athena:
    type: athena
    region: us-east-1
    workgroup: primary
    s3_staging_dir: s3://query-results/karte/
    lake_root: s3://lake-bucket/gold-lake/
    endpoint_url: {}
    retry_base_delay_ms: 1
    poll_interval_ms: 1
dependencies:
  local_build:
    manifest: s3://lake-bucket/published/local_build/manifest.json
    runs: s3://lake-bucket/lake/_karte/journal/athena/
",
            aws.url()
        )
        .as_bytes(),
    );
    write_file(
        down,
        Path::new("models/gold/claim_count.sql"),
        b"{{ config(materialized='table') }}\nselect count(*) as n from silver.t_table\n",
    );
    let args = [
        "build",
        "--wait-for-upstream",
        "--timeout",
        "3s",
        "--poll",
        "1s",
    ];
    let (code, out, err) = athena_karte(down, &args, &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains(&format!("upstream `local_build` is ready: run {up_run}")),
        "{err}"
    );
    let sql =
        std::fs::read_to_string(down.join("target/compiled/models/gold/claim_count.sql")).unwrap();
    assert!(sql.contains("awsdatacatalog.silver.t_table"), "{sql}");
    // Another machine: no local journal; the last build is found in the S3 copy, with the
    // upstream run it read, so the same upstream run is not built on twice.
    std::fs::remove_dir_all(down.join("target/journal")).unwrap();
    let (code, _, err) = athena_karte(down, &args, &[]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("is not newer than"), "{err}");
}
