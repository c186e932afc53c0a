//! Slim CI: `state:` selectors against a saved manifest, `--defer` to production's tables,
//! `karte diff`, and what a bad `--state` says.

use std::path::Path;

use crate::support::{project_from_spec, rendered, write_file};

const SPEC: &str = r#"
=== karte.yml
name: shop
layers:
  bronze: bronze
  silver: silver
  gold: gold
models:
  +materialized: table
default_target: prod
targets:
  prod: { type: local, lake_dir: target/lake }
  ci: { type: local, lake_dir: target/lake, schema_prefix: ci_ }
=== macros/amounts.sql
{% macro yen(col) %}{{ col }} * 100{% endmacro %}
=== models/bronze/lines.sql
select 1 as id, 'a' as name union all select 2 as id, 'b' as name
=== models/silver/persons.sql
select id, name from bronze.lines
=== models/silver/receipts.sql
select id, {{ yen('id') }} as amount from bronze.lines
=== models/silver/_silver.yml
models:
  - name: persons
    description: 患者
=== models/gold/cost.sql
select p.id, p.name, r.amount from silver.persons p join silver.receipts r on r.id = p.id
=== models/gold/names.sql
select name from silver.persons
"#;

/// A project compiled for `prod`, its target/ saved as `prod-state/` (manifest and compiled SQL).
fn saved_project() -> tempfile::TempDir {
    let dir = project_from_spec(SPEC);
    let c = karte::compile(&karte::CompileOptions {
        project_dir: dir.path().to_path_buf(),
        ..Default::default()
    })
    .unwrap_or_else(|d| panic!("{}", rendered(&d)));
    karte::artifacts::write(&c, true).unwrap();
    save_state(dir.path());
    dir
}

/// [`saved_project`], then these files written (path, text): the change under review.
fn changed(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = saved_project();
    for (rel, text) in files {
        edit(tmp.path(), rel, text);
    }
    tmp
}

fn save_state(dir: &Path) {
    let state = dir.join("prod-state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::copy(
        dir.join("target/manifest.json"),
        state.join("manifest.json"),
    )
    .unwrap();
    crate::compile::copy_dir(&dir.join("target/compiled"), &state.join("compiled"));
}

fn selected(dir: &Path, select: &[&str]) -> Vec<String> {
    let c = compile_state(dir, select).unwrap_or_else(|d| panic!("{}", rendered(&d)));
    c.selected
        .iter()
        .map(|&i| c.project.nodes[i].name.clone())
        .collect()
}

fn compile_state(dir: &Path, select: &[&str]) -> Result<karte::Compiled, karte::diag::Diagnostics> {
    karte::compile(&karte::CompileOptions {
        project_dir: dir.to_path_buf(),
        select: select.iter().map(|s| s.to_string()).collect(),
        state: Some(karte::state::StateArg::Given(
            dir.join("prod-state").to_string_lossy().to_string(),
        )),
        ..Default::default()
    })
}

fn edit(dir: &Path, rel: &str, text: &str) {
    write_file(dir, Path::new(rel), text.as_bytes());
}

/// Each selector selects these nodes, in dependency order.
fn check(dir: &Path, cases: &[(&str, &[&str])]) {
    for (select, want) in cases {
        assert_eq!(selected(dir, &[select]), *want, "--select {select}");
    }
}

#[test]
fn nothing_changed_selects_nothing() {
    let tmp = saved_project();
    check(tmp.path(), &[("state:modified+", &[]), ("state:new", &[])]);
}

#[test]
fn modified_body_with_graph_operators() {
    let tmp = changed(&[(
        "models/silver/persons.sql",
        "select id, upper(name) as name from bronze.lines\n",
    )]);
    let dir = tmp.path();
    check(
        dir,
        &[
            ("state:modified", &["persons"]),
            ("state:modified.body", &["persons"]),
            ("state:modified.configs", &[]),
            ("state:modified+", &["persons", "cost", "names"]),
            ("state:modified+1", &["persons", "cost", "names"]),
            ("+state:modified", &["lines", "persons"]),
            (
                "@state:modified",
                &["lines", "persons", "receipts", "cost", "names"],
            ),
            ("state:modified+,layer:gold", &["cost", "names"]),
        ],
    );
}

#[test]
fn modified_configs_sql_and_properties_are_told_apart() {
    let tmp = saved_project();
    let dir = tmp.path();
    // A folder default: configs only.
    let yml = std::fs::read_to_string(dir.join("karte.yml")).unwrap();
    edit(
        dir,
        "karte.yml",
        &yml.replace(
            "  +materialized: table\n",
            "  +materialized: table\n  gold:\n    +materialized: view\n",
        ),
    );
    // A macro: the rendered SQL of the model calling it, not its file.
    edit(
        dir,
        "macros/amounts.sql",
        "{% macro yen(col) %}{{ col }} * 110{% endmacro %}\n",
    );
    // A description: properties.
    edit(
        dir,
        "models/silver/_silver.yml",
        "models:\n  - name: persons\n    description: 患者マスタ\n",
    );
    check(
        dir,
        &[
            ("state:modified.configs", &["cost", "names"]),
            ("state:modified.sql", &["receipts"]),
            ("state:modified.properties", &["persons"]),
            ("state:modified.body", &[]),
            ("state:modified", &["persons", "receipts", "cost", "names"]),
            ("state:modified.sql+", &["receipts", "cost"]),
        ],
    );
}

#[test]
fn new_nodes_and_exclude() {
    let tmp = changed(&[
        (
            "models/gold/top.sql",
            "select max(amount) as top from gold.cost\n",
        ),
        ("models/gold/top_named.sql", "select * from gold.top\n"),
    ]);
    let dir = tmp.path();
    check(
        dir,
        &[
            ("state:new", &["top", "top_named"]),
            ("state:new+", &["top", "top_named"]),
            ("state:modified", &[]),
            ("1+state:new", &["cost", "top", "top_named"]),
        ],
    );
    let c = karte::compile(&karte::CompileOptions {
        project_dir: dir.to_path_buf(),
        select: vec!["state:new".into()],
        exclude: vec!["top_named".into()],
        state: Some(karte::state::StateArg::Given(
            dir.join("prod-state/manifest.json")
                .to_string_lossy()
                .to_string(),
        )),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(c.selected.len(), 1);
}

/// Errors, with the temporary directory's path taken out.
fn state_error(dir: &Path, select: &[&str]) -> String {
    let err = compile_state(dir, select).unwrap_err();
    rendered(&err).replace(&dir.to_string_lossy().to_string(), "PROJECT")
}

#[test]
fn bad_state_is_a_clear_error() {
    let tmp = saved_project();
    let dir = tmp.path();
    let manifest = dir.join("prod-state/manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    // A bad value is a selector error.
    let bad = rendered(&compile_state(dir, &["state:changed"]).unwrap_err());
    assert!(
        bad.contains("E303") && bad.contains("modified.body"),
        "{bad}"
    );

    // An older format.
    let old = text.replacen(
        &format!(
            "\"manifest_version\":{}",
            karte::artifacts::MANIFEST_VERSION
        ),
        "\"manifest_version\":1",
        1,
    );
    assert_ne!(old, text);
    std::fs::write(&manifest, old).unwrap();
    let version =
        state_error(dir, &["state:modified"]).replace(env!("CARGO_PKG_VERSION"), "VERSION");
    // Not a karte manifest.
    std::fs::write(
        &manifest,
        "{\"metadata\": {\"dbt_schema_version\": \"v12\"}, \"nodes\": {}}",
    )
    .unwrap();
    let dbt = state_error(dir, &["state:modified"]);
    std::fs::write(&manifest, "{\"metadata\": ").unwrap();
    let broken = state_error(dir, &["state:modified"]);
    // Another project.
    std::fs::write(
        &manifest,
        text.replacen("\"project\":\"shop\"", "\"project\":\"lab\"", 1),
    )
    .unwrap();
    let project = state_error(dir, &["state:modified"]);
    // Missing.
    std::fs::remove_file(&manifest).unwrap();
    let missing = state_error(dir, &["state:modified"]);
    // No --state at all.
    let none = rendered(
        &karte::compile(&karte::CompileOptions {
            project_dir: dir.to_path_buf(),
            select: vec!["state:modified+".into()],
            ..Default::default()
        })
        .unwrap_err(),
    );
    insta::assert_snapshot!(
        "bad_state",
        [version, dbt, broken, project, missing, none].join("\n\n")
    );
}

#[test]
fn missing_state_exits_2() {
    let tmp = saved_project();
    let (code, _, err) = crate::support::karte(
        tmp.path(),
        &[
            "ls",
            "--state",
            "/nonexistent/prod-state",
            "-s",
            "state:modified",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("E305") && err.contains("does not exist"),
        "{err}"
    );
    let (code, _, err) = crate::support::karte(tmp.path(), &["build", "--defer"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--state"), "{err}");
}

/// The string `key` of each object of a JSON array.
fn field_of_each<'a>(array: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    array
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[key].as_str().unwrap())
        .collect()
}

/// Run karte on the project, `prod-state` meaning its saved state; the project's path is
/// `PROJECT` in what it prints.
fn karte_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let state = dir.join("prod-state").to_string_lossy().to_string();
    let args: Vec<&str> = args
        .iter()
        .map(|a| {
            if *a == "prod-state" {
                state.as_str()
            } else {
                a
            }
        })
        .collect();
    let (code, out, err) = crate::support::karte(dir, &args);
    let shown = dir.to_string_lossy().to_string();
    (
        code,
        out.replace(&shown, "PROJECT"),
        err.replace(&shown, "PROJECT"),
    )
}

#[test]
fn diff_shows_sql_and_plan_changes() {
    let tmp = changed(&[
        (
            "models/silver/persons.sql",
            "select id, upper(name) as name from bronze.lines\n",
        ),
        // A table becomes a view: its data is deleted.
        (
            "models/gold/names.sql",
            "{{ config(materialized='view') }}\nselect distinct name from silver.persons\n",
        ),
        ("models/gold/top.sql", "select 1 as top\n"),
    ]);
    let dir = tmp.path();
    std::fs::remove_file(dir.join("models/gold/cost.sql")).unwrap();
    let (code, out, err) = karte_in(dir, &["diff", "--state", "prod-state"]);
    assert_eq!(code, 0, "{out}\n{err}");
    insta::assert_snapshot!(
        "diff_text",
        out.replace(env!("CARGO_PKG_VERSION"), "VERSION")
    );

    // In Japanese: the plan lines' words too, the same marks of destructive steps.
    let state = dir.join("prod-state").to_string_lossy().to_string();
    let (code, ja, err) =
        crate::support::karte_env(dir, &["diff", "--state", &state], &[("KARTE_LANG", "ja")]);
    assert_eq!(code, 0, "{ja}\n{err}");
    assert!(
        ja.contains("消すもの カタログの登録: gold.names — テーブルのカタログの登録です"),
        "{ja}"
    );
    assert!(!ja.contains("destroys"), "{ja}");
    assert_eq!(
        ja.lines().filter(|l| l.contains("+ !")).count(),
        out.lines().filter(|l| l.contains("+ !")).count()
    );

    let (code, out, err) = karte_in(dir, &["diff", "--state", "prod-state", "-o", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["new"], 1);
    assert_eq!(v["summary"]["modified"], 2);
    assert_eq!(v["summary"]["removed"], 1);
    assert_eq!(v["summary"]["new_destructive_steps"], 2);
    assert_eq!(
        field_of_each(&v["changes"], "unique_id"),
        [
            "model.shop.top",
            "model.shop.persons",
            "model.shop.names",
            "model.shop.cost"
        ]
    );
    let names = &v["changes"][2];
    assert_eq!(
        names["aspects"],
        serde_json::json!(["body", "configs", "sql"])
    );
    assert!(names["plan"]["new_destructive"][0]
        .as_str()
        .unwrap()
        .contains("drop-catalog-entry"));

    // Without the saved compiled SQL the SQL diff cannot be made, and says so.
    std::fs::remove_dir_all(dir.join("prod-state/compiled")).unwrap();
    let (_, out, _) = karte_in(dir, &["diff", "--state", "prod-state"]);
    assert!(
        out.contains(
            "the saved compiled SQL is not at PROJECT/prod-state/compiled/models/silver/persons.sql"
        ),
        "{out}"
    );
}

#[cfg(feature = "duckdb-engine")]
#[test]
fn defer_builds_only_the_change_into_the_ci_schema() {
    use crate::support::flat;
    let tmp = project_from_spec(SPEC);
    let dir = tmp.path();
    let (code, out, err) = karte_in(dir, &["build", "--target", "prod"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, _, err) = karte_in(dir, &["compile", "--target", "prod"]);
    assert_eq!(code, 0, "{err}");
    save_state(dir);

    // The change: receipts' amounts.
    edit(
        dir,
        "models/silver/receipts.sql",
        "select id, {{ yen('id') }} + 1 as amount from bronze.lines\n",
    );
    let args = [
        "--target",
        "ci",
        "--state",
        "prod-state",
        "--select",
        "state:modified+",
        "--defer",
    ];
    let mut plan = vec!["plan"];
    plan.extend(args);
    let (code, out, err) = karte_in(dir, &plan);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Deferred (--defer): not selected and not built on target `ci`, read from the saved manifest's relations:\n   ci_bronze.lines → bronze.lines  (read by receipts)\n   ci_silver.persons → silver.persons  (read by cost)\n"),
        "{out}"
    );
    let mut build = vec!["build"];
    build.extend(args);
    let (code, out, err) = karte_in(dir, &build);
    assert_eq!(code, 0, "{out}\n{err}");
    let results = crate::support::run_results(dir);
    assert_eq!(
        field_of_each(&results["results"], "name"),
        ["receipts", "cost"]
    );

    // The CI schema has the changed model and its child, built on production's parents.
    assert_eq!(
        flat(
            dir,
            "select id || ':' || amount from ci_silver.receipts order by id"
        ),
        ["1:101", "2:201"]
    );
    assert_eq!(
        flat(
            dir,
            "select name || ':' || amount from ci_gold.cost order by id"
        ),
        ["a:101", "b:201"]
    );
    // Production is untouched, and nothing else was built in the CI schema.
    assert_eq!(
        flat(
            dir,
            "select name || ':' || amount from gold.cost order by id"
        ),
        ["a:100", "b:200"]
    );
    assert_eq!(
        flat(
            dir,
            "select count(*) from information_schema.tables where table_schema in ('ci_bronze', 'ci_silver', 'ci_gold') and table_name not like '%karte%'"
        ),
        ["2"]
    );

    // Once the parents are built on the CI target, they are read from there, not deferred.
    let (code, _, err) = karte_in(dir, &["build", "--target", "ci", "--select", "+persons"]);
    assert_eq!(code, 0, "{err}");
    // (`karte plan` reads the target's catalog with --live; without it, it plans a first run.)
    plan.push("--live");
    let (_, out, _) = karte_in(dir, &plan);
    assert!(
        !out.contains("Deferred") && out.contains("from ci_bronze.lines"),
        "{out}"
    );
}

#[test]
fn defer_warns_about_a_parent_it_cannot_find() {
    let tmp = changed(&[
        ("models/silver/visits.sql", "select id from bronze.lines\n"),
        (
            "models/gold/cost.sql",
            "select p.id, p.name, r.amount from silver.persons p join silver.receipts r on r.id = p.id join silver.visits v on v.id = p.id\n",
        ),
    ]);
    let dir = tmp.path();
    let (code, out, err) = karte_in(
        dir,
        &[
            "compile",
            "--target",
            "ci",
            "--state",
            "prod-state",
            "-s",
            "state:modified",
            "--defer",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        err.contains("warning[W304]: `visits` is read by `cost` but is not selected, not built on target `ci` and not in the saved manifest"),
        "{err}"
    );
    let sql = std::fs::read_to_string(dir.join("target/compiled/models/gold/cost.sql")).unwrap();
    assert_eq!(
        sql,
        "select p.id, p.name, r.amount from silver.persons p join silver.receipts r on r.id = p.id join ci_silver.visits v on v.id = p.id\n"
    );
}

/// `--state s3://…`: the manifest and its compiled SQL read from S3 (the local emulator).
#[cfg(feature = "athena")]
#[test]
fn state_is_read_from_s3() {
    use crate::athena::{karte, project, FakeAws};
    let aws = FakeAws::start();
    let tmp = project(&aws);
    let dir = tmp.path();
    let (code, _, err) = karte(dir, &["compile"], &[]);
    assert_eq!(code, 0, "{err}");
    let put = |key: &str, file: &str| {
        let body = std::fs::read_to_string(dir.join(file)).unwrap();
        let out = crate::athena_runs::signed_request(
            &aws,
            &format!("PUT /lake-bucket/ci-state/{key}"),
            "s3",
            "",
            &body,
        );
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    };
    put("manifest.json", "target/manifest.json");
    put(
        "compiled/models/silver/t_table.sql",
        "target/compiled/models/silver/t_table.sql",
    );
    edit(
        dir,
        "models/silver/t_table.sql",
        "{{ config(materialized='table') }}\nselect claim_id, amount * 2 as amount from raw.claims\n",
    );
    let (code, out, err) = karte(
        dir,
        &[
            "ls",
            "--state",
            "s3://lake-bucket/ci-state/",
            "-s",
            "state:modified",
        ],
        &[],
    );
    assert_eq!((code, out.as_str()), (0, "silver.t_table\n"), "{err}");
    let (code, out, err) = karte(
        dir,
        &["diff", "--state", "s3://lake-bucket/ci-state/manifest.json"],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("    -select claim_id, amount from ")
            && out.contains("    +select claim_id, amount * 2 as amount from "),
        "{out}"
    );
    let (code, _, err) = karte(
        dir,
        &[
            "ls",
            "--state",
            "s3://lake-bucket/nothing/",
            "-s",
            "state:new",
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("error[E305]: the saved manifest `s3://lake-bucket/nothing/manifest.json` does not exist"),
        "{err}"
    );
}
