//! Partition projection and Iceberg maintenance on the Athena engine, against the emulator:
//! projected tables get their projection with the swap's UpdateTable and never a Glue partition
//! call (no GetPartitions, BatchCreatePartition or BatchUpdatePartition on them), an append
//! copies its files where the template points, and OPTIMIZE runs when due and records its date.

use serde_json::{json, Value};

use crate::athena::{arm_months, build, call_lines, karte, FakeAws};

fn project(aws: &FakeAws) -> tempfile::TempDir {
    let spec = format!(
        r#"=== karte.yml
name: big
layers:
  silver: silver
default_target: athena
targets:
  athena:
    type: athena
    region: us-east-1
    workgroup: primary
    s3_staging_dir: s3://query-results/karte/
    lake_root: s3://lake-bucket/lake/
    endpoint_url: {}
    max_concurrency: 2
    retry_base_delay_ms: 1
    poll_interval_ms: 1
=== seeds/raw/claims.csv
claim_id,amount,loaded_at,service_month
c1,100,1,2024-04-01
=== models/silver/t_proj.sql
{{{{ config(materialized='table', partitioned_by=['service_month'],
          partition_projection={{'service_month': {{'type': 'date', 'range': '2024-01-01,NOW', 'format': 'yyyy-MM-dd', 'interval': 1, 'unit': 'MONTHS'}}}}) }}}}
select claim_id, amount, service_month from raw.claims
=== models/silver/i_proj.sql
{{{{ config(materialized='incremental', incremental_strategy='append', partitioned_by=['service_month'],
          partition_projection={{'service_month': {{'type': 'date', 'range': '2024-01-01,NOW', 'format': 'yyyy-MM-dd', 'interval': 1, 'unit': 'MONTHS'}}}}) }}}}
select claim_id, amount, loaded_at, service_month from raw.claims
=== models/silver/i_ice.sql
{{{{ config(materialized='incremental', table_type='iceberg', incremental_strategy='merge', unique_key=['claim_id'],
          optimize={{'every': '7d'}}, vacuum={{'every': '30d'}}) }}}}
select claim_id, amount from raw.claims
"#,
        aws.url()
    );
    crate::support::project_from_spec(&spec)
}

/// Glue partition calls on a table (whatever their outcome).
fn partition_calls(aws: &FakeAws, table: &str) -> Vec<String> {
    aws.calls()
        .iter()
        .filter(|c| {
            c["service"] == "glue"
                && c["operation"].as_str().unwrap_or("").contains("Partition")
                && c["params"]["TableName"] == table
        })
        .map(|c| c["operation"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The parameters of the last UpdateTable/CreateTable of `table`.
fn last_parameters(aws: &FakeAws, table: &str) -> Value {
    aws.calls()
        .into_iter()
        .rev()
        .find(|c| {
            (c["operation"] == "UpdateTable" || c["operation"] == "CreateTable")
                && c["params"]["TableInput"]["Name"] == table
        })
        .unwrap_or_else(|| panic!("no UpdateTable of {table}"))["params"]["TableInput"]
        ["Parameters"]
        .clone()
}

#[test]
fn projected_tables_are_published_without_glue_partitions() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01"], 2);
    build(dir, &[]);
    for t in ["t_proj", "i_proj"] {
        assert_eq!(partition_calls(&aws, t), Vec::<String>::new(), "{t}");
        let p = last_parameters(&aws, t);
        assert_eq!(p["projection.enabled"], "true", "{p}");
        assert_eq!(p["projection.service_month.type"], "date", "{p}");
        assert_eq!(p["projection.service_month.format"], "yyyy-MM-dd", "{p}");
        let template = p["storage.location.template"].as_str().unwrap();
        assert!(
            template.starts_with(&format!("s3://lake-bucket/lake/silver/{t}/run_"))
                && template.ends_with("/service_month=${service_month}/"),
            "{template}"
        );
    }

    // Second run: the append copies its files where the template points (a new month too);
    // the catalog is read without GetPartitions on projected tables.
    aws.post("/_karte/reset-calls", json!({}));
    std::fs::write(
        dir.join("seeds/raw/claims.csv"),
        "claim_id,amount,loaded_at,service_month\nc1,100,1,2024-04-01\nc2,200,2,2024-05-01\n",
    )
    .unwrap();
    arm_months(&aws, &["2024-04-01", "2024-05-01"], 2);
    build(dir, &[]);
    insta::assert_snapshot!("athena_projection_second_run", call_lines(&aws.calls()));
    for t in ["t_proj", "i_proj"] {
        assert_eq!(partition_calls(&aws, t), Vec::<String>::new(), "{t}");
    }
    let copies: Vec<String> = aws
        .calls()
        .iter()
        .filter(|c| c["operation"] == "CopyObject")
        .filter_map(|c| c["params"]["key"].as_str().map(str::to_string))
        .collect();
    assert!(
        copies
            .iter()
            .any(|k| k.starts_with("lake/silver/i_proj/run_")
                && k.contains("/service_month=2024-05-01/run_")),
        "{copies:?}"
    );
}

#[test]
fn optimize_runs_when_due_and_records_the_date() {
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    arm_months(&aws, &["2024-04-01"], 2);
    build(dir, &[]);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(last_parameters(&aws, "i_ice")["karte_last_optimize"], today);
    // Not due today: no maintenance statement.
    arm_months(&aws, &["2024-04-01"], 2);
    build(dir, &[]);
    assert!(!aws
        .queries()
        .iter()
        .any(|q| q["query"].as_str().unwrap_or("").starts_with("OPTIMIZE")));
    // Planned for eight days later and run: OPTIMIZE, then the date; VACUUM (30 days) is not due.
    let later = (chrono::Utc::now() + chrono::Duration::days(8))
        .format("%Y-%m-%d")
        .to_string();
    let plan = dir.join("reviewed.json").to_string_lossy().to_string();
    let (code, out, err) = karte(dir, &["plan", "--as-of", &later, "--out", &plan], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("i_ice/") && out.contains("-optimize"), "{out}");
    aws.post("/_karte/reset-calls", json!({}));
    arm_months(&aws, &["2024-04-01"], 2);
    let (code, out, err) = karte(dir, &["build", "--plan", &plan, "--threads", "1"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    let queries: Vec<String> = aws
        .queries()
        .iter()
        .filter_map(|q| q["query"].as_str().map(str::to_string))
        .filter(|q| q.starts_with("OPTIMIZE") || q.starts_with("VACUUM"))
        .collect();
    assert_eq!(
        queries,
        ["OPTIMIZE silver.i_ice REWRITE DATA USING BIN_PACK"],
        "{queries:?}"
    );
    assert_eq!(last_parameters(&aws, "i_ice")["karte_last_optimize"], later);
}
