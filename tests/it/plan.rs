//! The Athena plan: every materialization × table type × strategy, first and later runs, the
//! partition batching, and the safety rules.

use std::path::{Path, PathBuf};

use karte::plan::batch::{expand, PartitionValue};
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
