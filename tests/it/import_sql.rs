//! `karte import-sql`: a corpus of Athena scripts (レセプト, DPC, 調剤, 検査) becomes a project
//! that compiles and plans the same tables with the same properties; every statement that
//! cannot be converted is reported at its place; unreadable SQL stops with file:line:col.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import_sql")
}

/// Run karte in `cwd` (so that script paths show as given): (exit code, stdout, stderr).
fn karte_in(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_karte"))
        .current_dir(cwd)
        .args(args)
        .env_remove("KARTE_LANG")
        .env("LANG", "C")
        .output()
        .expect("run karte");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Import the medical corpus into `<tmp>/project`.
fn import_corpus(tmp: &Path, lang: &str) -> (i32, String, String, PathBuf) {
    let out = tmp.join("project");
    let (code, stdout, stderr) = karte_in(
        &fixtures(),
        &[
            "import-sql",
            "medical",
            "--layer",
            "silver",
            "--out",
            out.to_str().unwrap(),
            "--lang",
            lang,
        ],
    );
    let clean = |s: &str| s.replace(out.to_str().unwrap(), "[OUT]");
    (code, clean(&stdout), clean(&stderr), out)
}

/// Every written file, in path order, each after a `=== path` line.
fn written_files(root: &Path) -> String {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.path().starts_with(root.join("target")))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    let mut out = String::new();
    for f in files {
        let rel = f
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        out.push_str(&format!(
            "=== {rel}\n{}\n",
            std::fs::read_to_string(&f).unwrap()
        ));
    }
    out
}

#[test]
fn medical_scripts_become_a_project_that_compiles_and_plans_the_same_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stdout, stderr, out) = import_corpus(tmp.path(), "en");
    // Some statements are not converted (MSCK, ALTER … PARTITION, UNLOAD, a template): exit 1.
    assert_eq!(code, 1, "{stderr}");
    insta::assert_snapshot!("import_medical_stderr", stderr);
    insta::assert_snapshot!("import_medical_stdout", stdout);
    insta::assert_snapshot!("import_medical_files", written_files(&out));

    // The author's SELECT is in the model byte for byte (comments and layout included).
    let script = std::fs::read_to_string(fixtures().join("medical/01_receipts.sql")).unwrap();
    let start = script.find("-- 点数は").unwrap();
    let end = script.find("FROM raw.receipts_raw").unwrap();
    let model = std::fs::read_to_string(out.join("models/silver/receipts.sql")).unwrap();
    assert!(model.contains(&script[start..end]), "{model}");
    // A name another script creates now names the model.
    let diagnoses = std::fs::read_to_string(out.join("models/silver/diagnoses.sql")).unwrap();
    assert!(
        diagnoses.contains("JOIN silver.receipts AS r"),
        "{diagnoses}"
    );

    let dir = out.to_str().unwrap();
    let (code, _, stderr) = karte_in(tmp.path(), &["compile", "--project-dir", dir]);
    assert_eq!(code, 0, "{stderr}");
    // Every model parses after the rewrite (no token-scan fallback).
    assert!(!stderr.contains("W101"), "{stderr}");
    let (code, plan, stderr) = karte_in(
        tmp.path(),
        &[
            "plan",
            "--project-dir",
            dir,
            "--target",
            "athena",
            "--as-of",
            "2026-11-21",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("import_medical_plan", plan);

    // The same tables, in the scripts' schema, with the scripts' properties.
    let node = |table: &str| {
        let header = format!("awsdatacatalog.medical_mart.{table} — ");
        let at = plan
            .find(&header)
            .unwrap_or_else(|| panic!("{table} not planned:\n{plan}"));
        let rest = &plan[at..];
        // Up to the next node's header (`\n\n12. …`).
        let end = rest
            .match_indices("\n\n")
            .map(|(e, _)| e)
            .find(|&e| rest[e + 2..].starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(rest.len());
        (at, rest[..end].to_string())
    };
    let (receipts_at, receipts) = node("receipts");
    assert!(receipts.contains("table (hive)"), "{receipts}");
    assert!(
        receipts.contains("partitioned_by = ARRAY['service_month']"),
        "{receipts}"
    );
    assert!(receipts.contains("external_location = 's3://hospital-lake/mart/receipts/{run_id}/'"));
    let (diagnoses_at, diagnoses) = node("diagnoses");
    assert!(
        diagnoses.contains("format = 'ORC'") && diagnoses.contains("write_compression = 'ZSTD'")
    );
    assert!(
        diagnoses.contains("bucketed_by = ARRAY['patient_key']")
            && diagnoses.contains("bucket_count = 8")
    );
    let (_, prescriptions) = node("prescriptions");
    assert!(
        prescriptions.contains("incremental (iceberg, append)"),
        "{prescriptions}"
    );
    assert!(prescriptions.contains("partitioning = ARRAY['month(dispensed_on)']"));
    let (cost_at, cost) = node("monthly_cost");
    assert!(cost.contains("view"), "{cost}");
    let (labs_at, _) = node("lab_results");
    let (hba1c_at, _) = node("hba1c_tested");
    node("dpc_stays");
    // Dependency order: what a script reads is built before it.
    assert!(receipts_at < diagnoses_at && receipts_at < cost_at && labs_at < hba1c_at);
    // The scheduler's INSERT is a model reading a karte variable (karte.yml starts it at 0).
    assert!(plan.contains("receipts_archive"), "{plan}");
}

#[test]
fn report_and_messages_in_japanese() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr, out) = import_corpus(tmp.path(), "ja");
    assert_eq!(code, 1, "{stderr}");
    insta::assert_snapshot!("import_medical_stderr_ja", stderr);
    let report = std::fs::read_to_string(out.join("import-report.md")).unwrap();
    insta::assert_snapshot!("import_medical_report_ja", report);
}

/// One small script per kind of statement karte cannot convert: each is a W970 at its
/// file:line:col, listed in the report, and the rest still converts and compiles.
#[test]
fn every_unconvertible_kind_is_reported_at_its_place() {
    let cases: &[(&str, &str)] = &[
        ("drop_only", "DROP TABLE IF EXISTS medical_mart.old_receipts;"),
        ("msck", "MSCK REPAIR TABLE raw.receipts_raw;"),
        (
            "alter_partition",
            "ALTER TABLE raw.receipts_raw ADD PARTITION (billing_ym = '202404')\nLOCATION 's3://hospital-raw/receipts/billing_ym=202404/';",
        ),
        ("alter", "ALTER TABLE medical_mart.receipts ADD COLUMNS (memo string);"),
        ("unload", "UNLOAD (SELECT 1 AS a) TO 's3://export/x/' WITH (format = 'PARQUET');"),
        ("select_alone", "SELECT count(*) FROM medical_mart.receipts;"),
        ("jinja", "CREATE TABLE medical_mart.monthly AS\nSELECT * FROM raw.receipts_raw WHERE billing_ym = '{{ ds }}' AND 1 = {{ one }};"),
        // A scheduler variable in a query's value becomes var(); in a table name it cannot.
        ("dollar", "CREATE TABLE medical_mart.monthly AS\nSELECT * FROM raw.receipts_${month};"),
        ("insert_values", "INSERT INTO medical_mart.codes VALUES ('01', '主傷病');"),
        ("delete", "DELETE FROM medical_mart.receipts WHERE service_month < '201904';"),
        ("optimize", "OPTIMIZE medical_mart.prescriptions REWRITE DATA USING BIN_PACK;"),
        ("no_data", "CREATE TABLE medical_mart.empty AS SELECT 1 AS a WITH NO DATA;"),
        ("empty_table", "CREATE TABLE medical_mart.iceberg_empty (a int) LOCATION 's3://lake/x/' TBLPROPERTIES ('table_type' = 'ICEBERG');"),
        ("view_columns", "CREATE VIEW medical_mart.v (a) AS SELECT 1;"),
    ];
    let mut all = String::new();
    for (name, sql) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let scripts = tmp.path().join("scripts");
        std::fs::create_dir_all(&scripts).unwrap();
        // A converted statement first, so the project is not empty.
        std::fs::write(
            scripts.join(format!("{name}.sql")),
            format!("-- {name}\nCREATE TABLE medical_mart.kept AS SELECT 1 AS a;\n\n{sql}\n"),
        )
        .unwrap();
        let (code, _, stderr) =
            karte_in(tmp.path(), &["import-sql", "scripts", "--out", "project"]);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(stderr.contains("warning[W970]"), "{name}: {stderr}");
        let place = format!("scripts/{name}.sql:4:1");
        assert!(stderr.contains(&format!("--> {place}")), "{name}: {stderr}");
        let report = std::fs::read_to_string(tmp.path().join("project/import-report.md")).unwrap();
        assert!(report.contains(&format!("`{place}`")), "{name}: {report}");
        let (code, _, stderr_c) = karte_in(tmp.path(), &["compile", "--project-dir", "project"]);
        assert_eq!(code, 0, "{name}: {stderr_c}");
        all.push_str(&format!("=== {name}\n{stderr}\n"));
    }
    insta::assert_snapshot!("import_not_converted", all);
}

/// Unreadable SQL: an error with file:line:col, and nothing is written.
#[test]
fn unreadable_sql_stops_with_its_place_and_writes_nothing() {
    let mut all = String::new();
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("bad"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("project");
        let (code, _, stderr) = karte_in(
            &fixtures(),
            &[
                "import-sql",
                &format!("bad/{name}"),
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(stderr.contains("error[E970]"), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("--> bad/{name}:")),
            "{name}: {stderr}"
        );
        assert!(!out.exists(), "{name}: nothing may be written");
        all.push_str(&format!("=== {name}\n{stderr}\n"));
    }
    insta::assert_snapshot!("import_unreadable", all);
}

/// A query sqlparser does not parse is kept as written (W971 at its place); an INSERT into a
/// table no script creates becomes an incremental model reading itself as `{{ this }}`.
#[test]
fn unparsed_query_and_self_reading_insert() {
    let tmp = tempfile::tempdir().unwrap();
    let scripts = tmp.path().join("scripts");
    std::fs::create_dir_all(&scripts).unwrap();
    std::fs::write(
        scripts.join("a.sql"),
        "CREATE TABLE mart.by_month AS\nSELECT service_month, count(*) AS n\nFROM raw.receipts_raw\nGROUP BY DISTINCT service_month;\n\n\
         -- 新しいレセプトだけ追加\nINSERT INTO mart.receipt_log\nSELECT r.receipt_no FROM raw.receipts_raw r\nWHERE NOT EXISTS (SELECT 1 FROM mart.receipt_log l WHERE l.receipt_no = r.receipt_no);\n\n\
         CREATE VIEW mart.log_codes AS SELECT c.code FROM receipt_log g JOIN codes c ON c.code = g.receipt_no;\n",
    )
    .unwrap();
    let (code, _, stderr) = karte_in(tmp.path(), &["import-sql", "scripts", "--out", "project"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning[W971]") && stderr.contains("--> scripts/a.sql:4:"),
        "{stderr}"
    );
    let log =
        std::fs::read_to_string(tmp.path().join("project/models/silver/receipt_log.sql")).unwrap();
    assert!(log.contains("FROM {{ this }} l"), "{log}");
    // Names without a schema: a table a script creates, or Athena's `default` database.
    let view =
        std::fs::read_to_string(tmp.path().join("project/models/silver/log_codes.sql")).unwrap();
    assert!(
        view.contains("FROM silver.receipt_log g JOIN default_db.codes c"),
        "{view}"
    );
    let props =
        std::fs::read_to_string(tmp.path().join("project/models/silver/_imported.yml")).unwrap();
    assert!(
        props.contains("materialized: incremental")
            && props.contains("incremental_strategy: append"),
        "{props}"
    );
    let (code, _, stderr) = karte_in(tmp.path(), &["compile", "--project-dir", "project"]);
    assert_eq!(code, 0, "{stderr}");
}

/// Into an existing project: the models are added next to its own; a second import of the same
/// scripts refuses to overwrite them (E971); a layer the project lacks is E972.
#[test]
fn adds_to_an_existing_project_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = karte_in(tmp.path(), &["init", "proj"]);
    assert_eq!(code, 0, "{stderr}");
    let scripts = tmp.path().join("scripts");
    std::fs::create_dir_all(&scripts).unwrap();
    std::fs::write(
        scripts.join("a.sql"),
        "-- 受診月ごとの件数\nCREATE TABLE mart.visit_counts WITH (format = 'PARQUET') AS\nSELECT visit_month, visit_count FROM silver.monthly_visits;\n",
    )
    .unwrap();
    let (code, _, stderr) = karte_in(
        tmp.path(),
        &["import-sql", "scripts", "--layer", "gold", "--out", "proj"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(tmp
        .path()
        .join("proj/models/gold/visit_counts.sql")
        .is_file());
    let (code, _, stderr) = karte_in(tmp.path(), &["compile", "--project-dir", "proj"]);
    assert_eq!(code, 0, "{stderr}");
    // The project's own model is read, not declared as a source.
    let c = karte::compile(&karte::CompileOptions {
        project_dir: tmp.path().join("proj"),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        crate::support::deps(&c, "visit_counts"),
        vec!["silver.monthly_visits"]
    );

    let (code, _, stderr) = karte_in(
        tmp.path(),
        &["import-sql", "scripts", "--layer", "gold", "--out", "proj"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[E971]"), "{stderr}");
    let (code, _, stderr) = karte_in(
        tmp.path(),
        &[
            "import-sql",
            "scripts",
            "--layer",
            "platinum",
            "--out",
            "proj",
        ],
    );
    // Bad arguments: karte could not run (exit 2).
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error[E972]") && stderr.contains("platinum"),
        "{stderr}"
    );
}

/// A property karte cannot keep is a W973 at its place: a format it does not support, a
/// location outside the lake root (the table goes to karte's own place); the plan still runs.
#[test]
fn properties_karte_cannot_keep_are_warned_at_their_place() {
    let tmp = tempfile::tempdir().unwrap();
    let scripts = tmp.path().join("scripts");
    std::fs::create_dir_all(&scripts).unwrap();
    std::fs::write(
        scripts.join("a.sql"),
        "CREATE TABLE mart.a WITH (format = 'ION', external_location = 's3://lake/mart/a/') AS SELECT 1 AS x;\n\
         CREATE TABLE mart.b WITH (external_location = 's3://other-bucket/b/') AS SELECT 2 AS y;\n",
    )
    .unwrap();
    let (code, _, stderr) = karte_in(tmp.path(), &["import-sql", "scripts", "--out", "project"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning[W973]: property `format`")
            && stderr.contains("--> scripts/a.sql:1:27"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning[W973]: property `external_location`")
            && stderr.contains("--> scripts/a.sql:2:27"),
        "{stderr}"
    );
    let props =
        std::fs::read_to_string(tmp.path().join("project/models/silver/_imported.yml")).unwrap();
    assert!(
        !props.contains("ION") && !props.contains("other-bucket"),
        "{props}"
    );
    let (code, plan, stderr) = karte_in(
        tmp.path(),
        &[
            "plan",
            "--project-dir",
            "project",
            "--target",
            "athena",
            "--as-of",
            "2026-11-21",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    // Across two buckets there is no common lake root: karte.yml says so, and each table goes
    // to karte's own place under it.
    assert!(
        plan.contains("s3://CHANGE-ME-lake/lake/mart/b/{run_id}/"),
        "{plan}"
    );
}

/// `--ingest`: the external tables over CSV/TSV become ingest rules with a bronze view giving
/// their columns their types; a copy of their files laid out as on S3 is ingested, and the
/// imported models build on the local engine from it (`external_location` is Athena's only).
#[cfg(feature = "duckdb-engine")]
#[test]
fn with_ingest_the_imported_project_builds_locally_from_the_delivered_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("project");
    let (code, _, stderr) = karte_in(
        &fixtures(),
        &[
            "import-sql",
            "medical",
            "--out",
            out.to_str().unwrap(),
            "--ingest",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let rules = std::fs::read_to_string(out.join("ingest/imported.yml")).unwrap();
    let view = std::fs::read_to_string(out.join("models/bronze/receipts_raw.sql")).unwrap();
    insta::assert_snapshot!(
        "import_ingest_rules",
        format!("{rules}\n=== models/bronze/receipts_raw.sql\n{view}")
    );
    // Parquet external tables stay sources.
    let sources = std::fs::read_to_string(out.join("models/_imported_sources.yml")).unwrap();
    assert!(sources.contains("name: dispensing_raw") && !sources.contains("name: receipts_raw"));
    let report = std::fs::read_to_string(out.join("import-report.md")).unwrap();
    assert!(report.contains("## Ingest rules (`--ingest`)"), "{report}");
    assert!(
        report.contains("- `bronze.receipts_raw_files` ← `medical/00_external_tables.sql:7:1`"),
        "{report}"
    );
    assert!(
        report.contains(
            "`raw.dispensing_raw` stays a source (not an ingest rule): its files are parquet"
        ),
        "{report}"
    );

    // The files as they lie under the tables' S3 locations.
    let receipts = out.join("deliveries/receipts/billing_ym=202404");
    std::fs::create_dir_all(&receipts).unwrap();
    std::fs::write(
        receipts.join("part-0000.csv"),
        "receipt_no,facility_code,insurer_number,patient_key,service_ym,points\n\"R1\",\"1310001\",\"06131234\",\"P1\",\"202403\",\"1200\"\n\"R2\",\"1310001\",\"06131234\",\"P2\",\"202403\",\"850\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(out.join("deliveries/diagnoses")).unwrap();
    std::fs::write(
        out.join("deliveries/diagnoses/sy_202404.tsv"),
        "R1\tP1\tE119\t01\t2024-03-02\nR2\tP2\tI10\t02\t2024-03-05\n",
    )
    .unwrap();
    let dir = out.to_str().unwrap();
    let (code, _, stderr) = karte_in(
        tmp.path(),
        &["ingest", "--project-dir", dir, &format!("{dir}/deliveries")],
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = karte_in(
        tmp.path(),
        &["build", "--project-dir", dir, "-s", "+diagnoses"],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    let rows = crate::support::rows(
        &out,
        "select receipt_no, disease_code, is_main_disease, service_month from medical_mart.diagnoses order by 1",
    );
    assert_eq!(
        rows,
        [
            ["R1", "E119", "true", "202403"],
            ["R2", "I10", "false", "202403"]
        ]
    );
    let amounts = crate::support::rows(&out, "select sum(amount_yen) from medical_mart.receipts");
    assert_eq!(amounts, [["20500"]]);
}

/// Import one script `scripts/a.sql` holding `sql` into `<tmp>/project`: (exit code, stdout and
/// stderr, the project).
fn import_one(tmp: &Path, sql: &str) -> (i32, String, PathBuf) {
    let scripts = tmp.join("scripts");
    std::fs::create_dir_all(&scripts).unwrap();
    std::fs::write(scripts.join("a.sql"), sql).unwrap();
    let out = tmp.join("project");
    let (code, stdout, stderr) = karte_in(
        tmp,
        &[
            "import-sql",
            "scripts",
            "--layer",
            "silver",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    (code, format!("{stdout}{stderr}"), out)
}

#[test]
fn a_table_created_twice_keeps_the_first_statement() {
    // A view, then an external table of the same name: the second is reported, not converted;
    // an external table created twice likewise.
    let tmp = tempfile::tempdir().unwrap();
    let (code, all, out) = import_one(
        tmp.path(),
        "CREATE VIEW silver.v AS SELECT 1 AS x;\n\
         CREATE EXTERNAL TABLE silver.v (x int) LOCATION 's3://b/v/';\n\
         CREATE EXTERNAL TABLE raw.e (x int) LOCATION 's3://b/e/';\n\
         CREATE EXTERNAL TABLE raw.e (y int) LOCATION 's3://b/e2/';\n\
         CREATE TABLE silver.t AS SELECT x FROM raw.e;\n",
    );
    // Some statements are only listed in the report: exit 1.
    assert_eq!(code, 1, "{all}");
    for (line, table) in [(2, "silver.v"), (4, "raw.e")] {
        assert!(
            all.contains(&format!("scripts/a.sql:{line}:"))
                && all.contains(&format!("`{table}` was created by an earlier statement")),
            "{all}"
        );
    }
    let view = std::fs::read_to_string(out.join("models/silver/v.sql")).unwrap();
    assert!(view.contains("SELECT 1 AS x"), "{view}");
}

#[test]
fn scheduler_variables_in_queries_become_karte_variables() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, all, out) = import_one(
        tmp.path(),
        "CREATE EXTERNAL TABLE raw.visits (patient_id string, ym int, month string) LOCATION 's3://b/visits/';\n\
         CREATE TABLE silver.t AS SELECT patient_id, ym FROM raw.visits WHERE month = '${target_month}' AND ym >= ${ym};\n\
         CREATE TABLE silver.u AS SELECT * FROM raw.visits_${ym};\n\
         CREATE TABLE silver.w WITH (external_location = 's3://b/${env}/w/') AS SELECT 1 AS x;\n",
    );
    assert_eq!(code, 1, "{all}");
    let model = std::fs::read_to_string(out.join("models/silver/t.sql")).unwrap();
    assert!(
        model.contains("WHERE month = '{{ var('target_month') }}' AND ym >= {{ var('ym') }}"),
        "{model}"
    );
    // A variable in a table name or a property is not guessed at: not converted.
    assert!(
        all.contains("scripts/a.sql:3:1") && all.contains("scripts/a.sql:4:1"),
        "{all}"
    );
    assert!(!out.join("models/silver/u.sql").exists());
    assert!(!out.join("models/silver/w.sql").exists());
    let yml = std::fs::read_to_string(out.join("karte.yml")).unwrap();
    assert!(
        yml.contains("vars:\n  target_month: \"\"\n  ym: 0\n"),
        "{yml}"
    );
    let report = std::fs::read_to_string(out.join("import-report.md")).unwrap();
    assert!(report.contains("target_month, ym"), "{report}");
    // It compiles as written, and with the values of a run.
    let (code, o, e) = karte_in(
        &out,
        &["compile", "--vars", "{target_month: '2024-05', ym: 202405}"],
    );
    assert_eq!(code, 0, "{o}{e}");
    let compiled =
        std::fs::read_to_string(out.join("target/compiled/models/silver/t.sql")).unwrap();
    assert!(
        compiled.contains("month = '2024-05' AND ym >= 202405"),
        "{compiled}"
    );
}
