//! Compiling: templating, plain-SQL dependencies, span-preserving rewriting, the manifest.

use crate::support::{compile_dir, compiled_sql, deps, example_project, project_from_spec};

const TEMPLATED: &str = r#"
=== karte.yml
name: fixture
layers:
  bronze: bronze
  silver: silver_db
  gold: gold
vars:
  lookback_months: 3
env_vars: [FIXTURE_REGION]
targets:
  local: { type: local }
  athena: { type: athena, schema_prefix: dev_ }
=== models/sources.yml
sources:
  - name: raw
    schema: raw_files
    tables:
      - name: receipt_lines
        identifier: receipt_lines_v2
=== macros/util.sql
{% macro months_back(n) -%}
date_add('month', -{{ n }}, current_date)
{%- endmacro %}
=== models/bronze/lines.sql
select * from {{ source('raw', 'receipt_lines') }}
=== models/silver/receipts.sql
{{ config(materialized='incremental', unique_key='receipt_id', tags=['claims']) }}
select *
from {{ ref('lines') }}
where service_month >= {{ months_back(var('lookback_months')) }}
{% if is_incremental() %}
  and service_month > (select max(service_month) from {{ this }})
{% endif %}
-- target={{ target.name }} region={{ env_var('FIXTURE_REGION', 'none') }} k={{ env_var('KARTE_FIXTURE_X', 'dflt') }}
=== models/gold/summary.sql
select {{ safe_divide('a', 'b') }} as ratio, {{ var('missing', 7) }} as seven
from {{ ref('receipts') }}
"#;

#[test]
fn jinja_functions_and_macros() {
    let dir = project_from_spec(TEMPLATED);
    let c = compile_dir(dir.path()).unwrap_or_else(|d| panic!("{}", crate::support::rendered(&d)));
    assert_eq!(deps(&c, "lines"), vec!["raw.receipt_lines"]);
    assert_eq!(deps(&c, "receipts"), vec!["lines"]);
    assert_eq!(deps(&c, "summary"), vec!["receipts"]);
    insta::assert_snapshot!("templated_receipts", compiled_sql(&c, "receipts"));
    insta::assert_snapshot!("templated_summary", compiled_sql(&c, "summary"));
    assert_eq!(
        compiled_sql(&c, "lines"),
        "select * from raw_files.receipt_lines_v2\n"
    );
    let m = c
        .models
        .iter()
        .find(|m| c.project.nodes[m.node].name == "receipts")
        .unwrap();
    assert_eq!(m.config.materialized(), "incremental");
    assert_eq!(m.config.tags(), vec!["claims"]);
}

#[test]
fn athena_target_uses_catalog_and_prefix() {
    let dir = project_from_spec(TEMPLATED);
    let c = karte::compile(&karte::CompileOptions {
        project_dir: dir.path().to_path_buf(),
        target: Some("athena".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        compiled_sql(&c, "summary").lines().last().unwrap(),
        "from awsdatacatalog.dev_silver_db.receipts"
    );
}

#[test]
fn incremental_model_reads_this() {
    let dir = project_from_spec(
        "=== karte.yml\nname: f\ntargets:\n  local: { type: local, schema_prefix: dev_ }\n=== models/silver/a.sql\n{{ config(materialized='incremental') }}\nselect * from silver.b\nwhere x > (select max(x) from {{ this }})\n=== models/silver/b.sql\nselect 1 as x\n",
    );
    let c = compile_dir(dir.path()).unwrap_or_else(|d| panic!("{}", crate::support::rendered(&d)));
    assert_eq!(deps(&c, "a"), vec!["b"]);
    assert_eq!(
        compiled_sql(&c, "a"),
        "\nselect * from dev_silver.b\nwhere x > (select max(x) from dev_silver.a)\n"
    );
}

#[test]
fn is_incremental_is_false_at_compile() {
    let dir = project_from_spec(TEMPLATED);
    let c = compile_dir(dir.path()).unwrap();
    assert!(!compiled_sql(&c, "receipts").contains("max(service_month)"));
}

#[test]
fn plain_sql_dependencies() {
    let dir = project_from_spec(
        r#"
=== karte.yml
name: fixture
layers: { bronze: bronze, silver: silver_db, gold: gold }
external_relations: ["legacy.*"]
=== models/sources.yml
sources:
  - name: raw
    schema: raw_files
    tables: [{ name: receipt_lines }]
=== models/bronze/lines.sql
select * from raw.receipt_lines
=== models/bronze/lines2.sql
select * from raw_files.receipt_lines
=== models/silver/receipts.sql
-- layer name and schema name both resolve
select l.*, l2.x
from silver_db.persons p
join bronze.lines l on l.id = p.id
join "bronze"."lines2" l2 on l2.id = l.id
=== models/silver/persons.sql
select * from awsdatacatalog.bronze.lines
=== models/gold/shadow.sql
-- a CTE named like a model shadows it
with receipts as (
    select * from silver.persons
)
select * from receipts
=== models/gold/bare.sql
select * from receipts r, legacy.claims_2019 c
where r.id in (select id from silver.persons)
"#,
    );
    let c = compile_dir(dir.path()).unwrap_or_else(|d| panic!("{}", crate::support::rendered(&d)));
    assert_eq!(deps(&c, "lines"), vec!["raw.receipt_lines"]);
    assert_eq!(deps(&c, "lines2"), vec!["raw.receipt_lines"]);
    assert_eq!(deps(&c, "receipts"), vec!["lines", "lines2", "persons"]);
    assert_eq!(deps(&c, "persons"), vec!["lines"]);
    assert_eq!(deps(&c, "shadow"), vec!["persons"]);
    assert_eq!(
        deps(&c, "bare"),
        vec!["persons", "receipts", "external:legacy.claims_2019"]
    );
    insta::assert_snapshot!("plain_receipts", compiled_sql(&c, "receipts"));
    insta::assert_snapshot!("plain_shadow", compiled_sql(&c, "shadow"));
}

#[test]
fn rewriting_keeps_comments_and_layout() {
    let sql = "/* 先頭コメント */\nSELECT  a.x -- 患者 silver.a\n  , b.y, 'silver.a' as s\nFROM   silver.a   AS a /* keep */\n    JOIN\tsilver.b b\n      ON a.x = b.x\n";
    let dir = project_from_spec(&format!(
        "=== karte.yml\nname: f\ntargets:\n  local: {{ type: local, schema_prefix: dev_ }}\n=== models/silver/a.sql\nselect 1 as x\n=== models/silver/b.sql\nselect 1 as x, 2 as y\n=== models/gold/c.sql\n{sql}"
    ));
    let c = compile_dir(dir.path()).unwrap();
    let expected = "/* 先頭コメント */\nSELECT  a.x -- 患者 silver.a\n  , b.y, 'silver.a' as s\nFROM   dev_silver.a   AS a /* keep */\n    JOIN\tdev_silver.b b\n      ON a.x = b.x\n";
    assert_eq!(compiled_sql(&c, "c"), expected);
}

#[test]
fn rewriting_is_stable_under_reparse() {
    let dir = project_from_spec(
        "=== karte.yml\nname: f\ntargets:\n  athena: { type: athena }\n=== models/silver/a.sql\nselect 1 as x\n=== models/gold/c.sql\nSELECT x -- c\nFROM silver.a /* k */ WHERE x > 0\n",
    );
    let c = karte::compile(&karte::CompileOptions {
        project_dir: dir.path().to_path_buf(),
        target: Some("athena".into()),
        ..Default::default()
    })
    .unwrap();
    let out = compiled_sql(&c, "c");
    assert_eq!(
        out,
        "SELECT x -- c\nFROM awsdatacatalog.silver.a /* k */ WHERE x > 0\n"
    );
    // The rewritten SQL parses to the same statement with the new name.
    let again = karte::sql::analyze_sql(out);
    assert!(again.parse_error.is_none());
    assert_eq!(again.relations.len(), 1);
    assert_eq!(
        again.relations[0].parts,
        vec!["awsdatacatalog", "silver", "a"]
    );
}

#[test]
fn manifest_is_deterministic() {
    let first = compile_and_read_manifest();
    let second = compile_and_read_manifest();
    assert_eq!(first, second);
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    let node = &v["nodes"]["model.medical_lake.disease_prevalence"];
    assert_eq!(node["layer"], "gold");
    assert_eq!(node["relation"], "gold.disease_prevalence");
    assert_eq!(
        node["depends_on"]["nodes"],
        serde_json::json!([
            "model.medical_lake.diagnoses",
            "seed.medical_lake.disease_codes"
        ])
    );
    assert_eq!(node["checksum"].as_str().unwrap().len(), 64);
    let receipts = &v["nodes"]["model.medical_lake.receipts"];
    assert_eq!(receipts["config"]["materialized"], "incremental");
    assert_eq!(
        receipts["columns"]["receipt_id"]["description"],
        "レセプトの疑似キー"
    );
    assert_eq!(receipts["tests"][0]["name"], "not_null");
}

fn compile_and_read_manifest() -> String {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&example_project(), tmp.path());
    let c = compile_dir(tmp.path()).unwrap();
    karte::artifacts::write(&c, true).unwrap();
    let compiled = tmp
        .path()
        .join("target/compiled/models/gold/disease_prevalence.sql");
    assert!(compiled.is_file());
    std::fs::read_to_string(tmp.path().join("target/manifest.json")).unwrap()
}

/// Copy a directory tree, leaving out `target/` and generated `deliveries/`.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        if rel.starts_with("target") || rel.starts_with("deliveries") {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_symlink() {
            // As `dbt deps` installs a local package: a link, kept a link.
            let link = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(link, &dest).unwrap();
        } else if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

#[test]
fn example_project_compiles_without_warnings() {
    let c = compile_dir(&example_project())
        .unwrap_or_else(|d| panic!("{}", crate::support::rendered(&d)));
    assert!(
        c.diagnostics.is_empty(),
        "{}",
        crate::support::rendered(&c.diagnostics)
    );
    let order: Vec<&str> = c
        .graph
        .order
        .iter()
        .map(|&i| c.project.nodes[i].name.as_str())
        .collect();
    let pos = |n: &str| order.iter().position(|x| *x == n).unwrap();
    assert!(pos("medical_claim_lines") < pos("receipts"));
    assert!(pos("receipts") < pos("diagnoses"));
    assert!(pos("diagnoses") < pos("disease_prevalence"));
    assert!(pos("disease_codes") < pos("disease_prevalence"));
}

#[test]
fn init_scaffolds_a_working_project() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new_lake");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_karte"))
        .env("KARTE_LANG", "en")
        .args(["init"])
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    let c = compile_dir(&dir).unwrap_or_else(|d| panic!("{}", crate::support::rendered(&d)));
    assert!(
        c.diagnostics.is_empty(),
        "{}",
        crate::support::rendered(&c.diagnostics)
    );
    assert_eq!(deps(&c, "monthly_visits"), vec!["visits"]);
}

#[test]
fn unparsed_sql_falls_back_to_token_scan() {
    let dir = project_from_spec(
        "=== models/silver/a.sql\nselect trim(both from code) as code\nfrom silver.b x, silver.c\n=== models/silver/b.sql\nselect 'x' as code\n=== models/silver/c.sql\nselect 1 as n\n",
    );
    let c = compile_dir(dir.path()).unwrap();
    assert_eq!(deps(&c, "a"), vec!["b", "c"]);
    assert_eq!(c.diagnostics.0[0].code.as_str(), "W101");
    let m = c
        .models
        .iter()
        .find(|m| c.project.nodes[m.node].name == "a")
        .unwrap();
    assert!(!m.parsed);
}

#[test]
fn trino_types_and_time_travel_parse() {
    let dir = project_from_spec(
        "=== models/silver/a.sql\nselect cast(codes as array(varchar)) as codes, transform(codes, x -> upper(x)) as up\nfrom silver.b for timestamp as of timestamp '2024-01-01 00:00:00'\n=== models/silver/b.sql\nselect array['a'] as codes\n",
    );
    let c = compile_dir(dir.path()).unwrap();
    assert!(
        c.diagnostics.is_empty(),
        "{}",
        crate::support::rendered(&c.diagnostics)
    );
    assert_eq!(deps(&c, "a"), vec!["b"]);
}

const DISABLED: &str = r#"
=== karte.yml
name: fixture
layers:
  bronze: bronze
  silver: silver
  gold: gold
  seeds: master
seeds:
  old_codes: { enabled: false }
=== seeds/old_codes.csv
code,name
1,a
=== seeds/codes.csv
code,name
1,a
=== models/silver/a.sql
{{ config(enabled=false) }}
select 1 as x
=== models/silver/b.sql
select 2 as x
=== models/silver/_props.yml
models:
  - name: b
    config: { enabled: false }
    columns:
      - name: x
        tests: [not_null]
=== models/gold/c.sql
select code from seeds.codes
"#;

#[test]
fn disabled_nodes_are_left_out() {
    let dir = project_from_spec(DISABLED);
    let c = compile_dir(dir.path()).unwrap_or_else(|d| panic!("{}", crate::support::rendered(&d)));
    let in_graph: Vec<&str> = c
        .graph
        .order
        .iter()
        .map(|&i| c.project.nodes[i].name.as_str())
        .collect();
    assert_eq!(in_graph, ["codes", "c"], "a, b and old_codes are disabled");
    assert!(c.models.iter().all(|m| c.project.nodes[m.node].name != "a"));
}

#[test]
fn reading_a_disabled_node_is_an_error_at_the_reference() {
    let spec = format!(
        "{DISABLED}=== models/gold/d.sql\nselect x from silver.a\n=== models/gold/e.sql\nselect * from {{{{ ref('old_codes') }}}}\n"
    );
    let dir = project_from_spec(&spec);
    let d = compile_dir(dir.path()).expect_err("reads disabled nodes");
    let text = crate::support::rendered(&d);
    assert!(text.contains("E214"), "{text}");
    assert!(
        text.contains("`d` reads `silver.a`, which is disabled"),
        "{text}"
    );
    assert!(text.contains("models/gold/d.sql:1:15"), "{text}");
    assert!(
        text.contains("`e` reads `seeds.old_codes`, which is disabled"),
        "{text}"
    );
}
