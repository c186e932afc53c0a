//! The Athena plan: every materialization × table type × strategy, first and later runs, the
//! partition batching, and the safety rules.

use std::path::{Path, PathBuf};

use karte::plan::batch::{expand, PartitionValue};
use karte::plan::step::{NewTable, TableFormat, TableRef, Writes};
use karte::plan::{check_order, Action, CatalogState, Plan, PlanOptions};

use crate::support::{project_from_spec, rendered};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects/materializations")
}

fn plan_dir(dir: &Path, state: Option<&Path>, full_refresh: bool) -> Result<Plan, String> {
    let c = karte::compile(&karte::CompileOptions {
        project_dir: dir.to_path_buf(),
        target: Some("athena".into()),
        ..Default::default()
    })
    .map_err(|d| rendered(&d))?;
    let catalog = match state {
        Some(p) => CatalogState::load(p).map_err(|d| karte::diag::render(&d))?,
        None => CatalogState::default(),
    };
    karte::plan::plan(
        &c,
        &catalog,
        &PlanOptions {
            full_refresh,
            as_of: "2026-11-21".into(),
            tests: true,
        },
    )
    .map_err(|d| rendered(&d))
}

fn state() -> PathBuf {
    fixture().join("catalog_state.json")
}

#[test]
fn first_run() {
    let plan = plan_dir(&fixture(), None, false).unwrap();
    insta::assert_snapshot!("first_run_text", karte::plan::text::render(&plan));
    insta::assert_json_snapshot!("first_run_json", plan);
}

#[test]
fn subsequent_run() {
    let plan = plan_dir(&fixture(), Some(&state()), false).unwrap();
    insta::assert_snapshot!("subsequent_run_text", karte::plan::text::render(&plan));
    insta::assert_json_snapshot!("subsequent_run_json", plan);
}

#[test]
fn full_refresh() {
    let plan = plan_dir(&fixture(), Some(&state()), true).unwrap();
    insta::assert_snapshot!("full_refresh_text", karte::plan::text::render(&plan));
}

#[test]
fn plans_are_deterministic() {
    let a = serde_json::to_string(&plan_dir(&fixture(), Some(&state()), false).unwrap()).unwrap();
    let b = serde_json::to_string(&plan_dir(&fixture(), Some(&state()), false).unwrap()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn no_delete_before_the_replacing_data_is_written() {
    for (state, full) in [(None, false), (Some(state()), false), (Some(state()), true)] {
        let plan = plan_dir(&fixture(), state.as_deref(), full).unwrap();
        for node in &plan.nodes {
            check_order(node).unwrap();
            let first_write = node.steps.iter().position(|s| s.writes_data());
            for (i, s) in node.steps.iter().enumerate() {
                let deletes = s
                    .destroys
                    .iter()
                    .any(|d| d.kind == "objects" || d.kind == "partitions");
                if deletes {
                    assert!(
                        first_write.is_some_and(|w| w < i),
                        "{} deletes before {} writes",
                        s.id,
                        node.name
                    );
                }
            }
        }
    }
}

#[test]
fn check_order_rejects_a_delete_first() {
    let mut plan = plan_dir(&fixture(), Some(&state()), false).unwrap();
    let node = plan.nodes.iter_mut().find(|n| n.name == "t_hive").unwrap();
    let delete = node
        .steps
        .iter()
        .position(|s| matches!(s.action, Action::DeletePrefix { .. }))
        .unwrap();
    let step = node.steps.remove(delete);
    node.steps.insert(0, step);
    assert!(check_order(node).is_err());
}

#[test]
fn deletes_stay_inside_owned_prefixes() {
    let plan = plan_dir(&fixture(), Some(&state()), false).unwrap();
    for s in plan.nodes.iter().flat_map(|n| &n.steps) {
        if let Action::DeletePrefix { prefix, owner, .. } = &s.action {
            let owned = format!("s3://lake-bucket/lake/{}/{}/", owner.schema, owner.name);
            assert!(
                prefix.starts_with(&owned) && prefix.len() > owned.len(),
                "{prefix}"
            );
        }
    }
}

fn batched_write(plan: &Plan, node: &str) -> Action {
    plan.nodes
        .iter()
        .find(|n| n.name == node)
        .unwrap()
        .steps
        .iter()
        .find(|s| matches!(s.action, Action::BatchedWrite { .. }))
        .unwrap()
        .action
        .clone()
}

/// The action of the last step of `node` named `name` (`sql`, `batched-write`, …).
fn step_action(plan: &Plan, node: &str, name: &str) -> Action {
    plan.nodes
        .iter()
        .find(|n| n.name == node)
        .unwrap()
        .steps
        .iter()
        .rev()
        .find(|s| s.action.name() == name)
        .unwrap()
        .action
        .clone()
}

#[test]
fn sql_steps_carry_what_they_write() {
    let table = |schema: &str, name: &str| TableRef {
        schema: schema.into(),
        name: name.into(),
    };
    let plan = plan_dir(&fixture(), None, false).unwrap();
    // A CTAS into the staging table: format, location and partitioning as planned, next to
    // the SQL rendered from the same inputs.
    let Action::BatchedWrite {
        first_sql,
        first_writes: Some(Writes::Table(new)),
        rest_writes: Some(Writes::Insert { table: rest }),
        ..
    } = step_action(&plan, "t_hive_partitioned", "batched-write")
    else {
        panic!("a batched CTAS + INSERTs")
    };
    let staging = table("silver", "t_hive_partitioned__karte_{run_id}");
    assert_eq!(
        *new,
        NewTable {
            table: staging.clone(),
            format: TableFormat::Hive,
            location: "s3://lake-bucket/lake/silver/t_hive_partitioned/{run_id}/".into(),
            owned_prefix: "s3://lake-bucket/lake/silver/t_hive_partitioned/".into(),
            staging: true,
            partitioned_by: vec!["service_month".into()],
            write_compression: "ZSTD".into(),
        }
    );
    assert_eq!(rest, staging);
    assert!(first_sql.contains(&format!("external_location = '{}'", new.location)));
    let Action::Sql {
        writes: Some(Writes::Table(new)),
        ..
    } = step_action(&plan, "i_iceberg_append", "sql")
    else {
        panic!("a CTAS")
    };
    assert_eq!(new.format, TableFormat::Iceberg);
    assert!(new.partitioned_by.is_empty());
    // A table created in place owns its location; a view and a MERGE name what they write.
    let Action::Sql {
        writes: Some(Writes::Table(new)),
        ..
    } = step_action(&plan, "mart_quarterly", "sql")
    else {
        panic!("the releases CTAS")
    };
    assert_eq!(new.table, table("gold", "mart_quarterly_releases"));
    assert!(!new.staging);
    assert_eq!(new.owned_prefix, new.location);
    let Action::Sql { writes, .. } = step_action(&plan, "v_claims", "sql") else {
        unreachable!()
    };
    assert_eq!(
        writes,
        Some(Writes::View {
            view: table("gold", "v_claims")
        })
    );
    let later = plan_dir(&fixture(), Some(&state()), false).unwrap();
    let Action::Sql { writes, .. } = step_action(&later, "i_iceberg_merge", "sql") else {
        unreachable!()
    };
    assert_eq!(
        writes,
        Some(Writes::Merge {
            table: table("silver", "i_iceberg_merge")
        })
    );
    // A plan written before steps said what they write still reads (engines refuse its steps).
    let old: Action =
        serde_json::from_str(r#"{"type": "sql", "purpose": "p", "sql": "SELECT 1"}"#).unwrap();
    assert_eq!(old.writes(), None);
}

fn months(n: usize) -> Vec<Vec<PartitionValue>> {
    (0..n)
        .map(|i| {
            let (y, m) = (2004 + i / 12, i % 12 + 1);
            vec![PartitionValue::new(format!("{y}-{m:02}-01"), "date")]
        })
        .collect()
}

#[test]
fn two_hundred_fifty_partitions_are_three_queries() {
    let plan = plan_dir(&fixture(), Some(&state()), false).unwrap();
    let write = batched_write(&plan, "i_hive_overwrite");
    let statements = expand(&write, &months(250));
    assert_eq!(statements.len(), 3);
    assert!(statements[0]
        .starts_with("CREATE TABLE awsdatacatalog.silver.i_hive_overwrite__karte_{run_id}"));
    assert!(statements[1]
        .starts_with("INSERT INTO awsdatacatalog.silver.i_hive_overwrite__karte_{run_id}"));
    let counts: Vec<usize> = statements
        .iter()
        .map(|s| s.matches("DATE '").count())
        .collect();
    assert_eq!(counts, vec![100, 100, 50]);
    insta::assert_snapshot!("batch_250_last", statements[2]);
    for s in &statements {
        assert!(s.len() < karte::plan::MAX_STATEMENT_BYTES);
    }
}

#[test]
fn bucketed_tables_count_buckets() {
    let plan = plan_dir(&fixture(), None, false).unwrap();
    let write = batched_write(&plan, "t_hive_bucketed");
    let Action::BatchedWrite {
        max_partitions_per_query,
        ..
    } = &write
    else {
        unreachable!()
    };
    assert_eq!(*max_partitions_per_query, 25);
    assert_eq!(expand(&write, &months(250)).len(), 10);
}

#[test]
fn no_partitions_creates_an_empty_table_or_does_nothing() {
    let plan = plan_dir(&fixture(), Some(&state()), false).unwrap();
    let create = batched_write(&plan, "i_hive_overwrite");
    let statements = expand(&create, &[]);
    assert_eq!(statements.len(), 1);
    assert!(statements[0].ends_with("WHERE false"));
    let merge = batched_write(&plan, "i_iceberg_delete_insert");
    assert!(expand(&merge, &[]).is_empty());
}

const ATHENA: &str = "=== karte.yml\nname: f\ndefault_target: athena\ntargets:\n  athena: { type: athena, lake_root: 's3://lake/root/' }\n";

fn plan_spec(spec: &str) -> String {
    let dir = project_from_spec(&format!("{ATHENA}{spec}"));
    match plan_dir(dir.path(), None, false) {
        Ok(_) => "planned OK".into(),
        Err(e) => e,
    }
}

#[test]
fn plan_errors() {
    let cases = [
        ("outside_lake", "=== models/silver/a.sql\n{{ config(materialized='table', external_location='s3://other-bucket/a/') }}\nselect 1 as x\n"),
        ("inside_other_table", "=== models/silver/a.sql\n{{ config(materialized='table') }}\nselect 1 as x\n=== models/silver/b.sql\n{{ config(materialized='table', external_location='s3://lake/root/silver/a/b/') }}\nselect 1 as x\n"),
        ("merge_on_hive", "=== models/silver/a.sql\n{{ config(materialized='incremental', incremental_strategy='merge', unique_key='id') }}\nselect 1 as id\n"),
        ("overwrite_on_iceberg", "=== models/silver/a.sql\n{{ config(materialized='incremental', table_type='iceberg', incremental_strategy='insert_overwrite', partitioned_by=['m']) }}\nselect 1 as m\n"),
        ("overwrite_without_partitions", "=== models/silver/a.sql\n{{ config(materialized='incremental', incremental_strategy='insert_overwrite') }}\nselect 1 as m\n"),
        ("merge_without_key", "=== models/silver/a.sql\n{{ config(materialized='incremental', table_type='iceberg', incremental_strategy='merge') }}\nselect 1 as m\n"),
        ("bad_materialized", "=== models/silver/a.sql\n{{ config(materialized='tabel') }}\nselect 1 as m\n"),
        ("truncate_transform", "=== models/silver/a.sql\n{{ config(materialized='table', table_type='iceberg', partitioned_by=['truncate(code, 2)']) }}\nselect 'x' as code\n"),
        ("upper_case_names", "=== models/silver/Receipts.sql\n{{ config(materialized='table', partitioned_by=['ServiceMonth']) }}\nselect 1 as x\n"),
        ("partition_on_view", "=== models/silver/a.sql\n{{ config(partitioned_by=['m']) }}\nselect 1 as m\n"),
        ("no_lake_root", "=== karte.yml\nname: f\ndefault_target: athena\ntargets:\n  athena: { type: athena }\n=== models/silver/a.sql\nselect 1 as m\n"),
    ];
    for (name, spec) in cases {
        insta::assert_snapshot!(format!("plan_error_{name}"), plan_spec(spec));
    }
}

/// A config error's caret points at the key where it is written — the SQL's `config(...)`, the
/// model's property file or karte.yml — never at an earlier text hit of the same word
/// (`date_format(` for `format`).
#[test]
fn config_errors_point_at_the_key_where_it_is_written() {
    let sql = "-- months: date_format(visit_date, '%Y-%m')\n{{ config(materialized='table', table_type='iceberg', format='json') }}\nselect date_format(current_date, '%Y') as m\n";
    let in_sql = plan_spec(&format!("=== models/silver/a.sql\n{sql}"));
    let yml = "version: 2\nmodels:\n  - name: b\n    description: uses date_format\n    config:\n      materialized: table\n      table_type: iceberg\n      format: json\n  - name: a\n    config:\n      format: orc\n";
    let in_properties = plan_spec(&format!(
        "=== models/silver/a.sql\nselect date_format(current_date, '%Y') as m\n=== models/silver/b.sql\nselect date_format(current_date, '%Y') as m\n=== models/silver/_models.yml\n{yml}"
    ));
    let in_project = plan_spec(
        "=== karte.yml\nname: f\ndefault_target: athena\n# date_format is fine\nmodels:\n  +materialized: table\n  +table_type: iceberg\n  +format: json\ntargets:\n  athena: { type: athena, lake_root: 's3://lake/root/' }\n=== models/silver/a.sql\nselect date_format(current_date, '%Y') as m\n",
    );
    for (out, place) in [
        (&in_sql, " --> models/silver/a.sql:2:55"),
        (&in_properties, " --> models/silver/_models.yml:8:7"),
        (&in_project, " --> karte.yml:7:4"),
    ] {
        assert!(out.contains("error[E402]"), "{out}");
        assert!(out.contains(place), "{place} in\n{out}");
        assert!(!out.contains("date_format("), "{out}");
    }
    insta::assert_snapshot!(
        "plan_error_config_key_places",
        format!("{in_sql}\n---\n{in_properties}\n---\n{in_project}")
    );
}

#[test]
fn statement_too_long() {
    let long = format!("select '{}' as x\n", "x".repeat(270_000));
    let out = plan_spec(&format!("=== models/silver/a.sql\n{long}"));
    assert!(out.contains("error[E404]"), "{out}");
    assert!(out.contains("`a`"), "{out}");
}

#[test]
fn refuses_unmanaged_tables_and_foreign_versions() {
    let spec = "=== models/silver/a.sql\n{{ config(materialized='table') }}\nselect 1 as x\n";
    let dir = project_from_spec(&format!("{ATHENA}{spec}"));
    let state_path = dir.path().join("state.json");
    std::fs::write(
        &state_path,
        r#"{"tables": {"silver.a": {"kind": "hive", "location": "s3://lake/root/silver/a/r1/"}}}"#,
    )
    .unwrap();
    let err = plan_dir(dir.path(), Some(&state_path), false).unwrap_err();
    insta::assert_snapshot!("plan_error_unmanaged", err);
    std::fs::write(
        &state_path,
        r#"{"tables": {"silver.a": {"kind": "hive", "managed": true, "owned_prefix": "s3://lake/root/silver/a/",
            "location": "s3://lake/root/silver/a/r2/", "previous_locations": ["s3://lake/root/silver/a/r1/", "s3://lake/root/other/"]}}}"#,
    )
    .unwrap();
    let err = plan_dir(dir.path(), Some(&state_path), false).unwrap_err();
    insta::assert_snapshot!("plan_error_foreign_version", err);
}

#[test]
fn ephemeral_models_are_inlined() {
    let c = karte::compile(&karte::CompileOptions {
        project_dir: fixture(),
        target: Some("athena".into()),
        ..Default::default()
    })
    .unwrap();
    insta::assert_snapshot!(
        "ephemeral_consumer",
        crate::support::compiled_sql(&c, "v_claims")
    );
}

/// `karte plan --target athena` on the example project: what a reviewer reads before the first
/// build on Athena (every bronze table comes from `karte ingest`, so the plan starts at silver).
#[test]
fn example_project_athena_plan() {
    let plan = plan_dir(&crate::support::example_project(), None, false).unwrap();
    let text = karte::plan::text::render(&plan);
    insta::assert_snapshot!("example_project_athena_plan", text);
}

/// `plan_spec` with a whole karte.yml of one Athena target (`target` is its YAML map body).
fn plan_with_target(target: &str, layers: &str, spec: &str) -> String {
    let yml = format!(
        "=== karte.yml\nname: f\ndefault_target: athena\nlayers:\n{layers}targets:\n  athena: {{ type: athena, {target} }}\n"
    );
    let dir = project_from_spec(&format!("{yml}{spec}"));
    match plan_dir(dir.path(), None, false) {
        Ok(_) => "planned OK".into(),
        Err(e) => e,
    }
}

const TABLE_A: &str =
    "=== models/silver/a.sql\n{{ config(materialized='table') }}\nselect 1 as x\n";

#[test]
fn unsafe_lake_layouts_are_errors() {
    let root = "lake_root: 's3://lake/root/'";
    let silver = "  silver: silver\n";
    let cases: [(&str, String, &str, &str, &[&str]); 8] = [
        ("bucket root", "lake_root: 's3://lake/'".into(), silver, TABLE_A, &["error[E408]", "karte.yml", "s3://lake/", "bucket"]),
        ("dot-dot in lake_root", "lake_root: 's3://lake/root/../other/'".into(), silver, TABLE_A, &["error[E408]", "karte.yml", "`..`"]),
        ("empty segment in lake_root", "lake_root: 's3://lake//root/'".into(), silver, TABLE_A, &["error[E408]", "empty"]),
        ("slash in schema_prefix", format!("{root}, schema_prefix: 'dev/'"), silver, TABLE_A, &["error[E408]", "schema_prefix", "dev/"]),
        ("dot-dot in schema_prefix", format!("{root}, schema_prefix: '..'"), silver, TABLE_A, &["error[E408]", "schema_prefix"]),
        ("layer schema with a path", root.into(), "  silver: '../gold'\n", TABLE_A, &["error[E408]", "karte.yml", "../gold"]),
        ("external_location with dot-dot", root.into(), silver, "=== models/silver/a.sql\n{{ config(materialized='table', external_location='s3://lake/root/silver/../../elsewhere/') }}\nselect 1 as x\n", &["error[E403]", "models/silver/a.sql", "`..`"]),
        ("reserved staging name", root.into(), silver, "=== models/silver/a__karte_1.sql\n{{ config(materialized='table') }}\nselect 1 as x\n", &["error[E408]", "__karte_"]),
    ];
    for (what, target, layers, spec, wanted) in cases {
        let out = plan_with_target(&target, layers, spec);
        for w in wanted {
            assert!(out.contains(w), "{what}: `{w}` missing in\n{out}");
        }
    }
}

#[test]
fn versions_to_keep_is_at_least_one() {
    let out = plan_spec("=== models/silver/a.sql\n{{ config(materialized='table', versions_to_keep=0) }}\nselect 1 as x\n");
    assert!(out.contains("error[E401]"), "{out}");
    assert!(out.contains("versions_to_keep"), "{out}");
    assert!(out.contains("models/silver/a.sql"), "{out}");
}

const INGEST_ENROLLMENT: &str = "=== ingest/enrollment.yml\ntables:\n  - name: enrollment\n    files: \"enrollment/{month}.csv\"\n    columns: [person_id]\n";

#[test]
fn a_model_or_seed_may_not_write_an_ingest_table() {
    for (file, body) in [
        (
            "models/bronze/enrollment.sql",
            "{{ config(materialized='table') }}\nselect 1 as x\n",
        ),
        ("seeds/bronze/enrollment.csv", "x\n1\n"),
    ] {
        let out = plan_spec(&format!("{INGEST_ENROLLMENT}=== {file}\n{body}"));
        assert!(out.contains("error[E602]"), "{file}: {out}");
        assert!(out.contains(file), "{file}: {out}");
        assert!(out.contains("ingest/enrollment.yml"), "{file}: {out}");
        assert!(out.contains("bronze.enrollment"), "{file}: {out}");
        assert!(out.contains("help:"), "{file}: {out}");
    }
}

/// Plan one model against a catalog state given as JSON.
fn plan_against(spec: &str, state: &str) -> Result<Plan, String> {
    let dir = project_from_spec(&format!("{ATHENA}{spec}"));
    let state_path = dir.path().join("state.json");
    std::fs::write(&state_path, state).unwrap();
    plan_dir(dir.path(), Some(&state_path), false)
}

#[test]
fn the_owned_prefix_comes_from_the_layout_not_from_glue() {
    let view_a = "=== models/silver/a.sql\nselect 1 as x\n";
    let overwrite_a = "=== models/silver/a.sql\n{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partitioned_by=['m']) }}\nselect 1 as x, 2 as m\n";
    // Glue says the table owns the whole schema (an old or tampered parameter).
    let widened = r#"{"tables": {"silver.a": {"kind": "hive", "managed": true, "owned_prefix": "s3://lake/root/silver/",
        "location": "s3://lake/root/silver/a/r2/", "previous_locations": ["s3://lake/root/silver/a/r1/"],
        "columns": [{"name": "x", "type": "integer"}], "partition_keys": ["m"]}}}"#;
    for (what, spec) in [
        ("table", TABLE_A),
        ("table becomes a view", view_a),
        ("insert_overwrite", overwrite_a),
    ] {
        let err = plan_against(spec, widened).unwrap_err();
        assert!(err.contains("error[E403]"), "{what}: {err}");
        assert!(err.contains("s3://lake/root/silver/a/"), "{what}: {err}");
        assert!(
            err.contains("s3://lake/root/silver/`") || err.contains("s3://lake/root/silver/ "),
            "{what}: names Glue's value: {err}"
        );
    }
}

#[test]
fn deletes_carry_the_computed_owned_prefix() {
    let spec = "=== models/silver/b.sql\n{{ config(materialized='table', external_location='s3://lake/root/custom/b/') }}\nselect 1 as x\n";
    let state = r#"{"tables": {"silver.b": {"kind": "hive", "managed": true, "owned_prefix": "s3://lake/root/custom/b/",
        "location": "s3://lake/root/custom/b/r2/", "previous_locations": ["s3://lake/root/custom/b/r1/"]}}}"#;
    let plan = plan_against(spec, state).unwrap();
    let deletes: Vec<(String, String)> = plan
        .nodes
        .iter()
        .flat_map(|n| &n.steps)
        .filter_map(|s| match &s.action {
            Action::DeletePrefix {
                prefix,
                owned_prefix,
                ..
            } => Some((prefix.clone(), owned_prefix.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        deletes,
        [(
            "s3://lake/root/custom/b/r1/".to_string(),
            "s3://lake/root/custom/b/".to_string()
        )]
    );
}

#[test]
fn a_delete_never_covers_the_current_or_the_new_version() {
    // An old location that is the table's whole prefix (e.g. where an ingest table kept its
    // data): deleting it would delete the version just written.
    let state = r#"{"tables": {"silver.a": {"kind": "hive", "managed": true, "owned_prefix": "s3://lake/root/silver/a/",
        "location": "s3://lake/root/silver/a/r2/", "previous_locations": ["s3://lake/root/silver/a/r1/", "s3://lake/root/silver/a/"]}}}"#;
    let err = plan_against(TABLE_A, state).unwrap_err();
    assert!(err.contains("error[E403]"), "{err}");
    assert!(err.contains("s3://lake/root/silver/a/`"), "{err}");
    // The current location listed again as an old one.
    let state = r#"{"tables": {"silver.a": {"kind": "hive", "managed": true, "owned_prefix": "s3://lake/root/silver/a/",
        "location": "s3://lake/root/silver/a/r2/", "previous_locations": ["s3://lake/root/silver/a/r1/", "s3://lake/root/silver/a/r2/"]}}}"#;
    let err = plan_against(TABLE_A, state).unwrap_err();
    assert!(err.contains("error[E403]"), "{err}");
}

/// `karte plan` in Japanese: the same plan (the same steps, ids and SQL), its words in
/// Japanese; a wrong argument is refused with the same code in both languages.
#[test]
fn the_plan_reads_in_japanese_too() {
    let tmp = tempfile::tempdir().unwrap();
    crate::compile::copy_dir(&fixture(), tmp.path());
    let args = ["plan", "--target", "athena", "--as-of", "2026-11-21"];
    let (code, en, err) = crate::support::karte(tmp.path(), &args);
    assert_eq!(code, 0, "{err}");
    let (code, ja, err) = crate::support::karte_env(tmp.path(), &args, &[("KARTE_LANG", "ja")]);
    assert_eq!(code, 0, "{err}");
    assert!(en.starts_with("Plan for `"), "{en}");
    assert!(
        ja.contains("のプラン (ターゲット `athena`、athena)、基準日 2026-11-21"),
        "{ja}"
    );
    assert!(ja.contains("データを消すことがあるもの"), "{ja}");
    assert!(
        !ja.contains("Plan for") && !ja.contains("that may destroy data"),
        "{ja}"
    );
    // The same steps: the step lines start with their mark and id, whatever the language.
    let steps = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("   ") || l.starts_with(" ! "))
            .filter_map(|l| l.split_whitespace().find(|w| w.contains("/0")))
            .map(String::from)
            .collect()
    };
    assert!(!steps(&en).is_empty());
    assert_eq!(steps(&en), steps(&ja));
    // The SQL is the same text.
    let sql = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("        "))
            .map(String::from)
            .collect()
    };
    assert_eq!(sql(&en), sql(&ja));

    let bad = ["plan", "--as-of", "21.11.2026"];
    let (en_code, _, en_err) = crate::support::karte(tmp.path(), &bad);
    let (ja_code, _, ja_err) = crate::support::karte_env(tmp.path(), &bad, &[("KARTE_LANG", "ja")]);
    assert_ne!(en_code, 0, "{en_err}");
    assert_eq!(en_code, ja_code, "{ja_err}");
    assert!(
        en_err.contains("[E006]: --as-of must be a date like 2026-04-01, not `21.11.2026`"),
        "{en_err}"
    );
    assert!(
        ja_err.contains("[E006]: --as-of は 2026-04-01 のような日付にしてください (`21.11.2026` になっています)"),
        "{ja_err}"
    );
}
