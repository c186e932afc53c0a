//! Big tables: partition projection (`partition_projection:`) and Iceberg maintenance
//! (`optimize:` / `vacuum:`): the plan (first and later runs, what is refused and why) and, on
//! the local engine, builds that read projected tables where their template points and keep the
//! maintenance cadence.

use std::path::Path;

use karte::plan::{Action, CatalogState, Plan, PlanOptions};

use crate::support::{project_from_spec, rendered};

const ATHENA: &str = "=== karte.yml\nname: big\ndefault_target: athena\nlayers:\n  silver: silver\ntargets:\n  athena: { type: athena, lake_root: 's3://lake/root/' }\n";

/// A projected table (date), a projected Hive append (enum), and an incremental Iceberg model
/// with maintenance.
const MODELS: &str = r#"=== models/silver/t_proj.sql
{{ config(materialized='table', partitioned_by=['service_month'],
          partition_projection={'service_month': {'type': 'date', 'range': '2024-01,NOW', 'format': 'yyyy-MM', 'interval': 1, 'unit': 'MONTHS'}}) }}
select 'c1' as claim_id, 100 as amount, '2024-04' as service_month
=== models/silver/i_proj.sql
{{ config(materialized='incremental', incremental_strategy='append', partitioned_by=['service_month'],
          partition_projection={'service_month': {'type': 'enum', 'values': ['2024-04', '2024-05', '2024-06']}}) }}
select 'c1' as claim_id, 100 as amount, '2024-04' as service_month
=== models/silver/i_ice.sql
{{ config(materialized='incremental', table_type='iceberg', incremental_strategy='merge', unique_key=['claim_id'],
          optimize={'every': '7d', 'where': "service_month >= '2024-01'"}, vacuum={'every': '30d'}) }}
select 'c1' as claim_id, 100 as amount, '2024-04' as service_month
"#;

/// The three tables as the catalog has them after a first build on 2026-11-01: `i_proj`
/// projected with two enum values (the config now has three), `i_ice` optimized 2026-11-01
/// and vacuumed 2026-10-01.
const LATER: &str = r#"{"tables": {
  "silver.t_proj": {"kind": "hive", "managed": true, "owned_prefix": "s3://lake/root/silver/t_proj/",
    "location": "s3://lake/root/silver/t_proj/r1/", "partition_keys": ["service_month"],
    "columns": [{"name": "claim_id", "type": "varchar"}],
    "parameters": {"projection.enabled": "true", "projection.service_month.type": "date",
      "storage.location.template": "s3://lake/root/silver/t_proj/r1/service_month=${service_month}/"}},
  "silver.i_proj": {"kind": "hive", "managed": true, "owned_prefix": "s3://lake/root/silver/i_proj/",
    "location": "s3://lake/root/silver/i_proj/r1/", "partition_keys": ["service_month"], "version_id": "3",
    "columns": [{"name": "claim_id", "type": "varchar"}, {"name": "amount", "type": "integer"}],
    "parameters": {"projection.enabled": "true", "projection.service_month.type": "enum",
      "projection.service_month.values": "2024-04,2024-05",
      "storage.location.template": "s3://lake/root/silver/i_proj/r1/service_month=${service_month}/"}},
  "silver.i_ice": {"kind": "iceberg", "managed": true, "owned_prefix": "s3://lake/root/silver/i_ice/",
    "location": "s3://lake/root/silver/i_ice/r1/",
    "columns": [{"name": "claim_id", "type": "varchar"}, {"name": "amount", "type": "integer"}, {"name": "service_month", "type": "varchar"}],
    "parameters": {"karte_last_optimize": "2026-11-01", "karte_last_vacuum": "2026-10-01"}}
}}"#;

fn plan_on(spec: &str, state: Option<&str>, as_of: &str) -> Result<Plan, String> {
    let dir = project_from_spec(&format!("{ATHENA}{spec}"));
    let c = karte::compile(&karte::CompileOptions {
        project_dir: dir.path().to_path_buf(),
        target: Some("athena".into()),
        ..Default::default()
    })
    .map_err(|d| rendered(&d))?;
    let catalog: CatalogState = match state {
        Some(s) => serde_json::from_str(s).unwrap(),
        None => CatalogState::default(),
    };
    karte::plan::plan(
        &c,
        &catalog,
        &PlanOptions {
            full_refresh: false,
            as_of: as_of.into(),
            tests: false,
        },
    )
    .map_err(|d| rendered(&d))
}

fn steps(plan: &Plan, node: &str) -> Vec<String> {
    plan.nodes
        .iter()
        .find(|n| n.name == node)
        .unwrap()
        .steps
        .iter()
        .map(|s| s.id.clone())
        .collect()
}

#[test]
fn first_run_writes_projection_with_the_swap() {
    let plan = plan_on(MODELS, None, "2026-11-21").unwrap();
    insta::assert_snapshot!("projection_first_run", karte::plan::text::render(&plan));
    for node in ["t_proj", "i_proj"] {
        let swap = plan
            .nodes
            .iter()
            .find(|n| n.name == node)
            .unwrap()
            .steps
            .iter()
            .find_map(|s| match &s.action {
                Action::SwapTable {
                    parameters,
                    projected,
                    ..
                } => Some((parameters.clone(), *projected)),
                _ => None,
            })
            .unwrap();
        assert!(swap.1, "{node}");
        assert_eq!(swap.0["projection.enabled"], "true");
        // The template points into the version folder this run writes.
        assert_eq!(
            swap.0["storage.location.template"],
            format!("s3://lake/root/silver/{node}/{{run_id}}/service_month=${{service_month}}/")
        );
    }
    // A table created afresh starts its maintenance cadence: nothing to compact yet.
    assert!(!steps(&plan, "i_ice")
        .iter()
        .any(|s| s.ends_with("optimize") || s.ends_with("vacuum")));
    let json = serde_json::to_string(&plan).unwrap();
    assert!(
        json.contains(r#""karte_last_optimize":"2026-11-21""#),
        "{json}"
    );
}

#[test]
fn later_runs_append_without_partitions_and_maintain_on_cadence() {
    // 2026-11-21: optimize is due (20 days since, every 7), vacuum too (51 days, every 30).
    let plan = plan_on(MODELS, Some(LATER), "2026-11-21").unwrap();
    insta::assert_snapshot!("projection_later_run", karte::plan::text::render(&plan));
    let i_proj = steps(&plan, "i_proj");
    assert!(
        i_proj.iter().any(|s| s.ends_with("set-parameters")),
        "{i_proj:?}"
    );
    assert!(!i_proj.iter().any(|s| s.contains("register-partitions")));
    let ice = steps(&plan, "i_ice");
    assert!(ice.iter().any(|s| s.ends_with("-optimize")), "{ice:?}");
    assert!(ice.iter().any(|s| s.ends_with("-vacuum")), "{ice:?}");
    // 2026-11-05: optimize ran 4 days ago (not due); vacuum 35 days ago (due): each keeps its
    // own cadence.
    let plan = plan_on(MODELS, Some(LATER), "2026-11-05").unwrap();
    let ice = steps(&plan, "i_ice");
    assert!(!ice.iter().any(|s| s.ends_with("-optimize")), "{ice:?}");
    assert!(ice.iter().any(|s| s.ends_with("-vacuum")), "{ice:?}");
    // 2026-10-20: neither.
    let plan = plan_on(
        MODELS,
        Some(&LATER.replace("2026-11-01", "2026-10-15")),
        "2026-10-20",
    )
    .unwrap();
    let ice = steps(&plan, "i_ice");
    assert!(
        !ice.iter()
            .any(|s| s.ends_with("-optimize") || s.ends_with("-vacuum")),
        "{ice:?}"
    );
    // The projection config unchanged: no parameter update.
    let same = LATER.replace("2024-04,2024-05\"", "2024-04,2024-05,2024-06\"");
    let plan = plan_on(MODELS, Some(&same), "2026-11-05").unwrap();
    assert!(!steps(&plan, "i_proj")
        .iter()
        .any(|s| s.ends_with("set-parameters")));
}

#[test]
fn what_cannot_be_projected_or_maintained_is_refused() {
    let cases = [
        ("bad_date_bound", "{{ config(materialized='table', partitioned_by=['m'], partition_projection={'m': {'type': 'date', 'range': '2024/01,NOW', 'format': 'yyyy-MM'}}) }}\nselect '2024-01' as m\n"),
        ("column_not_partitioned", "{{ config(materialized='table', partitioned_by=['m'], partition_projection={'m': {'type': 'injected'}, 'x': {'type': 'injected'}}) }}\nselect 1 as x, '2024-01' as m\n"),
        ("partition_without_projection", "{{ config(materialized='table', partitioned_by=['m', 'p'], partition_projection={'m': {'type': 'injected'}}) }}\nselect '13' as p, '2024-01' as m\n"),
        ("unknown_type", "{{ config(materialized='table', partitioned_by=['m'], partition_projection={'m': {'type': 'list'}}) }}\nselect '2024-01' as m\n"),
        ("integer_range", "{{ config(materialized='table', partitioned_by=['y'], partition_projection={'y': {'type': 'integer', 'range': '2030,2010'}}) }}\nselect 2024 as y\n"),
        ("iceberg", "{{ config(materialized='table', table_type='iceberg', partitioned_by=['m'], partition_projection={'m': {'type': 'injected'}}) }}\nselect '2024-01' as m\n"),
        ("insert_overwrite", "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partitioned_by=['m'], partition_projection={'m': {'type': 'injected'}}) }}\nselect '2024-01' as m\n"),
        ("view", "{{ config(partition_projection={'m': {'type': 'injected'}}) }}\nselect '2024-01' as m\n"),
        ("optimize_on_hive", "{{ config(materialized='incremental', incremental_strategy='append', optimize={'every': '7d'}) }}\nselect 1 as x\n"),
        ("optimize_on_table", "{{ config(materialized='table', table_type='iceberg', optimize={'every': '7d'}) }}\nselect 1 as x\n"),
        ("bad_cadence", "{{ config(materialized='incremental', table_type='iceberg', unique_key=['x'], vacuum={'every': 'monthly'}) }}\nselect 1 as x\n"),
    ];
    let mut out = String::new();
    for (name, model) in cases {
        let err = plan_on(
            &format!("=== models/silver/a.sql\n{model}"),
            None,
            "2026-11-21",
        )
        .map(|_| "planned OK".to_string())
        .unwrap_or_else(|e| e);
        let code = match name {
            "iceberg" | "insert_overwrite" | "view" => "E410",
            "optimize_on_hive" | "optimize_on_table" | "bad_cadence" => "E411",
            _ => "E409",
        };
        assert!(err.contains(&format!("error[{code}]")), "{name}: {err}");
        out.push_str(&format!("--- {name}\n{err}\n"));
    }
    insta::assert_snapshot!("projection_refusals", out);
}

#[test]
fn switching_projection_on_an_incremental_table_needs_a_full_refresh() {
    // i_proj exists unprojected (its partitions in Glue): the config now projects it.
    let state = LATER.replace(
        r#""parameters": {"projection.enabled": "true", "projection.service_month.type": "enum",
      "projection.service_month.values": "2024-04,2024-05",
      "storage.location.template": "s3://lake/root/silver/i_proj/r1/service_month=${service_month}/"}"#,
        r#""parameters": {}"#,
    );
    assert_ne!(state, LATER);
    let err = plan_on(MODELS, Some(&state), "2026-11-21").unwrap_err();
    assert!(err.contains("error[E410]"), "{err}");
    assert!(err.contains("--full-refresh -s i_proj"), "{err}");
}

#[test]
fn ingest_tables_refuse_projection() {
    let spec = "=== ingest/claims.yml\ntables:\n  - name: claims\n    files: 'claims_{month}.csv'\n    encoding: utf-8\n    columns: [a, b]\n    partition_projection: {month: {type: injected}}\n=== models/silver/a.sql\nselect 1 as x\n";
    let err = plan_on(spec, None, "2026-11-21").unwrap_err();
    assert!(err.contains("error[E410]"), "{err}");
    assert!(err.contains("checksum"), "{err}");
}

#[cfg(feature = "duckdb-engine")]
mod local {
    use super::*;
    use crate::support::{flat, karte};

    const LOCAL: &str =
        "=== karte.yml\nname: big\nlayers:\n  silver: silver\ntargets:\n  local: { type: local }\n";

    fn models(claims: &str) -> String {
        format!(
            r#"{LOCAL}=== seeds/raw/claims.csv
{claims}=== models/silver/t_proj.sql
{{{{ config(materialized='table', partitioned_by=['service_month'],
          partition_projection={{'service_month': {{'type': 'date', 'range': '2024-01,NOW', 'format': 'yyyy-MM', 'interval': 1, 'unit': 'MONTHS'}}}}) }}}}
select claim_id, amount, service_month from raw.claims
=== models/silver/i_proj.sql
{{{{ config(materialized='incremental', incremental_strategy='append', partitioned_by=['service_month'],
          partition_projection={{'service_month': {{'type': 'enum', 'values': ['2024-04', '2024-05', '2024-06']}}}}) }}}}
select claim_id, amount, loaded_at, service_month from raw.claims
{{% if is_incremental() %}}where loaded_at > (select max(loaded_at) from {{{{ this }}}}){{% endif %}}
=== models/silver/i_ice.sql
{{{{ config(materialized='incremental', table_type='iceberg', incremental_strategy='merge', unique_key=['claim_id'],
          optimize={{'every': '7d'}}, vacuum={{'every': '30d'}}) }}}}
select claim_id, amount from raw.claims
"#
        )
    }

    const FIRST: &str =
        "claim_id,amount,loaded_at,service_month\nc1,100,1,2024-04\nc2,200,1,2024-05\n";
    const SECOND: &str = "claim_id,amount,loaded_at,service_month\nc1,150,2,2024-04\nc2,200,1,2024-05\nc3,300,2,2024-06\n";

    fn build_ok(dir: &Path) {
        let (code, out, err) = karte(dir, &["build", "--threads", "2"]);
        assert_eq!(code, 0, "build failed\nstdout:\n{out}\nstderr:\n{err}");
    }

    fn table_state(dir: &Path, name: &str) -> karte::plan::catalog::TableState {
        let engine = karte::engine::duckdb::LocalEngine::open(dir, "target/lake").unwrap();
        let state = karte::engine::Engine::catalog_state(&engine).unwrap();
        state.get("silver", name).unwrap().clone()
    }

    fn set_parameter(dir: &Path, name: &str, key: &str, value: &str) {
        let engine = karte::engine::duckdb::LocalEngine::open(dir, "target/lake").unwrap();
        let t = karte::plan::TableRef {
            schema: "silver".into(),
            name: name.into(),
        };
        engine
            .with_conn(|c| {
                let cat = karte::engine::duckdb::catalog::get(c, &t)?;
                let mut s = cat.unwrap();
                s.parameters.insert(key.into(), value.into());
                karte::engine::duckdb::catalog::put(c, &t, &s)
            })
            .unwrap();
    }

    fn today() -> String {
        chrono::Utc::now().format("%Y-%m-%d").to_string()
    }

    #[test]
    fn projected_tables_read_where_the_template_points() {
        let tmp = project_from_spec(&models(FIRST));
        let dir = tmp.path();
        build_ok(dir);
        let t = table_state(dir, "t_proj");
        // As on Glue: no partitions kept, the template names the version folder.
        assert!(t.partitions.is_empty(), "{t:?}");
        let template = &t.parameters["storage.location.template"];
        let location = t.location.clone().unwrap();
        assert_eq!(
            template,
            &format!("{location}service_month=${{service_month}}/")
        );
        assert_eq!(
            flat(dir, "select service_month || ':' || claim_id || ':' || amount from silver.t_proj order by 1"),
            ["2024-04:c1:100", "2024-05:c2:200"]
        );

        std::fs::write(dir.join("seeds/raw/claims.csv"), SECOND).unwrap();
        build_ok(dir);
        // table: the new version, read through the new template.
        let t2 = table_state(dir, "t_proj");
        assert_ne!(t2.location, t.location);
        assert!(
            t2.parameters["storage.location.template"].starts_with(t2.location.as_deref().unwrap())
        );
        assert_eq!(
            flat(dir, "select service_month || ':' || claim_id || ':' || amount from silver.t_proj order by 1"),
            ["2024-04:c1:150", "2024-05:c2:200", "2024-06:c3:300"]
        );
        // append: the new rows land in the template's folders, a new month included; no
        // partition is registered.
        let i = table_state(dir, "i_proj");
        assert!(i.partitions.is_empty(), "{i:?}");
        assert_eq!(
            flat(dir, "select service_month || ':' || claim_id || ':' || amount from silver.i_proj order by 1"),
            ["2024-04:c1:100", "2024-04:c1:150", "2024-05:c2:200", "2024-06:c3:300"]
        );
        let loc = i.location.unwrap();
        assert!(
            dir.join(&loc).join("service_month=2024-06").is_dir(),
            "{loc}"
        );
    }

    #[test]
    fn iceberg_maintenance_keeps_its_cadence() {
        let tmp = project_from_spec(&models(FIRST));
        let dir = tmp.path();
        build_ok(dir);
        // Built afresh today: the cadence starts now.
        let ice = table_state(dir, "i_ice");
        assert_eq!(ice.parameters["karte_last_optimize"], today());
        assert_eq!(ice.parameters["karte_last_vacuum"], today());
        let (_, plan, _) = karte(dir, &["plan", "--live", "-s", "i_ice"]);
        assert!(!plan.contains("optimize"), "{plan}");
        // Eight days later, optimize is due; vacuum (30 days) is not.
        let later = (chrono::Utc::now() + chrono::Duration::days(8))
            .format("%Y-%m-%d")
            .to_string();
        let (code, plan, err) = karte(dir, &["plan", "--live", "-s", "i_ice", "--as-of", &later]);
        assert_eq!(code, 0, "{err}");
        assert!(
            plan.contains("i_ice/") && plan.contains("-optimize"),
            "{plan}"
        );
        assert!(
            plan.contains("OPTIMIZE silver.i_ice REWRITE DATA USING BIN_PACK"),
            "{plan}"
        );
        assert!(!plan.contains("-vacuum"), "{plan}");
        // The last optimize long ago: the build runs it and records today.
        set_parameter(dir, "i_ice", "karte_last_optimize", "2020-01-01");
        std::fs::write(dir.join("seeds/raw/claims.csv"), SECOND).unwrap();
        build_ok(dir);
        let ice = table_state(dir, "i_ice");
        assert_eq!(ice.parameters["karte_last_optimize"], today());
        assert_eq!(
            flat(
                dir,
                "select claim_id || ':' || amount from silver.i_ice order by 1"
            ),
            ["c1:150", "c2:200", "c3:300"]
        );
        let (_, plan, _) = karte(dir, &["plan", "--live", "-s", "i_ice"]);
        assert!(!plan.contains("-optimize"), "{plan}");
    }
}
