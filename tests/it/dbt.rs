//! dbt projects run unchanged (docs/dbt.md): the fixture `tests/fixtures/dbt/clinic` (a small
//! clinic's project written for these tests, jaffle_shop-shaped) compiled, listed, planned and
//! built on the local engine; schema naming, seeds typed as dbt types them, incremental models
//! with `unique_key`, tests passing and failing; and the clear errors for what is not supported.

use std::path::Path;

use crate::support::{flat, karte_env, write_file};

/// A copy of the clinic fixture in a temp dir.
fn clinic() -> tempfile::TempDir {
    fixture("clinic")
}

/// A copy of `tests/fixtures/dbt/<name>` in a temp dir.
fn fixture(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dbt")
        .join(name);
    crate::compile::copy_dir(&src, tmp.path());
    tmp
}

/// Run karte in `dir` with no profiles.yml but the project's (no ~/.dbt, no DBT_PROFILES_DIR).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let home = dir.join(".home");
    run_env(dir, args, &[("HOME", home.to_str().unwrap())])
}

fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut all = vec![("DBT_PROFILES_DIR", "")];
    all.extend_from_slice(env);
    karte_env(dir, args, &all)
}

#[test]
fn a_dbt_project_lists_with_its_folders_as_layers() {
    let p = clinic();
    let (code, out, err) = run(p.path(), &["ls"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("dbt_ls", out);
    // exposures are not read yet: said once, where they are.
    assert!(
        err.contains("warning[W981]: `exposures` is not read by karte yet"),
        "{err}"
    );
    assert!(err.contains("models/marts/schema.yml:14:1"), "{err}");
}

#[test]
fn schemas_are_named_by_generate_schema_name_as_dbt_names_them() {
    let p = clinic();
    let (code, _, err) = run(p.path(), &["compile"]);
    assert_eq!(code, 0, "{err}");
    let compiled =
        |rel: &str| std::fs::read_to_string(p.path().join("target/compiled").join(rel)).unwrap();
    // The profile's schema (`analytics`, from env_var's default), `_marts` where `+schema: marts`.
    let summary = compiled("models/marts/patient_summary.sql");
    assert!(
        summary.contains("from analytics.stg_patients pt"),
        "{summary}"
    );
    // return() of a project macro gives a list; a macro renders inline; vars, scoped and global.
    assert!(summary.contains("as no_show_visits"), "{summary}");
    assert!(
        summary.contains("round(coalesce(sum(v.cost_yen), 0) / 10000.0, 2)"),
        "{summary}"
    );
    assert!(summary.contains("* 1500 as fees_yen"), "{summary}");
    // config.get() reads the config dbt_project.yml gives.
    assert!(
        summary.contains("-- built as a table, tags []"),
        "{summary}"
    );
    assert!(
        compiled("models/marts/ward_costs.sql").contains("from analytics_marts.patient_summary")
    );
    assert!(compiled("models/staging/stg_visits.sql").contains(">= 2023"));

    // env_var() in profiles.yml.
    let (code, _, err) = run_env(
        p.path(),
        &["compile"],
        &[("CLINIC_SCHEMA", "ward7"), ("HOME", "/nonexistent")],
    );
    assert_eq!(code, 0, "{err}");
    assert!(compiled("models/marts/ward_costs.sql").contains("from ward7_marts.patient_summary"));

    // The athena output of the profile: its schema, catalog, S3 locations.
    let (code, out, err) = run(p.path(), &["plan", "--target", "prod"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("on target `prod` (athena)"), "{out}");
    assert!(
        out.contains("awsdatacatalog.clinic_prod_finance.ward_costs"),
        "{out}"
    );
    assert!(
        out.contains("s3://clinic-lake/dbt/clinic_prod/raw_patients/"),
        "{out}"
    );
}

#[test]
fn a_project_macro_overrides_generate_schema_name() {
    let p = clinic();
    write_file(
        p.path(),
        Path::new("macros/generate_schema_name.sql"),
        b"{% macro generate_schema_name(custom_schema_name, node) -%}\n\
          {%- if custom_schema_name is none -%}{{ target.schema }}\n\
          {%- elif target.name == 'prod' -%}{{ custom_schema_name | trim }}\n\
          {%- else -%}dev_{{ custom_schema_name | trim }}{%- endif -%}\n\
          {%- endmacro %}\n",
    );
    let (code, _, err) = run(p.path(), &["build"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        flat(p.path(), "select count(*) from dev_marts.patient_summary"),
        ["6"]
    );
    assert_eq!(
        flat(p.path(), "select count(*) from dev_finance.ward_costs"),
        ["3"]
    );
    assert_eq!(
        flat(p.path(), "select count(*) from analytics.stg_visits"),
        ["9"]
    );
    let (code, out, err) = run(p.path(), &["plan", "--target", "prod"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("awsdatacatalog.finance.ward_costs"), "{out}");
}

#[test]
fn a_dbt_project_builds_the_tables_dbt_builds() {
    let p = clinic();
    let (code, out, err) = run(p.path(), &["build"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("test           0      0      0    11     0     0"),
        "{out}"
    );
    // Seeds typed as dbt types them: integers add up (a sum of integers stays an integer, as
    // on Athena), dates compare, decimals multiply.
    assert_eq!(
        flat(
            p.path(),
            "select patient_id, ward, completed_visits, cancelled_visits, no_show_visits, \
             cost_yen, cost_man_yen, drug_cost_yen, fees_yen \
             from analytics_marts.patient_summary order by patient_id"
        ),
        [
            "1|internal|2|0|0|6000|0.6|350.0|3000",
            "2|surgery|0|1|0|0|0.0|0.0|0",
            "3|internal|2|0|0|6600|0.66|672.0|3000",
            "4|pediatrics|0|0|1|0|0.0|0.0|0",
            "5|surgery|2|0|0|9900|0.99|97.5|3000",
            "6|pediatrics|1|0|0|1800|0.18|100.0|1500",
        ]
    );
    // The incremental model keeps one row per unique_key when built again (as dbt-duckdb).
    let (code, _, err) = run(p.path(), &["build"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        flat(
            p.path(),
            "select ward, patients, cost_yen from analytics_finance.ward_costs order by ward"
        ),
        ["internal|2|12600", "pediatrics|2|1800", "surgery|2|9900"]
    );
}

#[test]
fn a_failing_dbt_test_fails_the_build() {
    let p = clinic();
    let csv = std::fs::read_to_string(p.path().join("seeds/raw_patients.csv")).unwrap();
    write_file(
        p.path(),
        Path::new("seeds/raw_patients.csv"),
        csv.replace("6,2015,M,pediatrics", "6,2015,X,pediatrics")
            .as_bytes(),
    );
    let (code, out, _) = run(p.path(), &["build"]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("FAIL accepted_values_stg_patients_sex"),
        "{out}"
    );
    // The project classifies no column, so no value of the failing rows is shown.
    assert!(out.contains("value=***"), "{out}");
    assert!(!out.contains("value=X"), "{out}");
}

/// The files of a small dbt project (`=== path` before each), written into a temp dir.
fn dbt_project(spec: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let mut path: Option<String> = None;
    let mut text = String::new();
    let mut files = Vec::new();
    for line in spec.split_inclusive('\n') {
        if let Some(p) = line.strip_prefix("=== ") {
            if let Some(prev) = path.take() {
                files.push((prev, std::mem::take(&mut text)));
            }
            path = Some(p.trim().to_string());
        } else {
            text.push_str(line);
        }
    }
    files.extend(path.map(|p| (p, text)));
    for (p, t) in files {
        write_file(tmp.path(), Path::new(&p), t.as_bytes());
    }
    tmp
}

const PROFILE: &str =
    "=== profiles.yml\nshop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, schema: main}\n";

/// What karte does not support yet, each an error at the place that uses it.
const UNSUPPORTED_FILES: &str = "\
=== dbt_project.yml
name: shop
profile: shop
=== models/forecast.py
def model(dbt, session):
    return dbt.ref('orders')
=== macros/tests.sql
{% test is_even(model, column_name) %}
select * from {{ model }} where {{ column_name }} % 2 = 1
{% endtest %}
=== models/orders.sql
select 1 as id
";

const UNSUPPORTED_JINJA: &str = "\
=== dbt_project.yml
name: shop
profile: shop
models:
  shop:
    +materialized: table
=== macros/helpers.sql
{% macro order_count() %}
  {% set result = run_query('select count(*) from orders') %}
  {{ return(result) }}
{% endmacro %}
=== models/orders.sql
select 1 as id, {{ adapter.dispatch('safe_add', 'shop')(1, 2) }} as two
=== models/counts.sql
select {{ order_count() }} as n
=== models/daily.sql
select {{ dbt.get_intervals_between('a', 'b', 'day') }} as day from {{ ref('orders') }}
";

const UNSUPPORTED_CONFIG: &str = "\
=== dbt_project.yml
name: shop
profile: shop
=== models/orders.sql
select 1 as id
=== models/renamed.sql
{{ config(alias='orders_v2', post_hook='grant select on {{ this }} to reporting') }}
select * from {{ ref('orders') }}
";

#[test]
fn unsupported_dbt_features_are_clear_errors_in_both_languages() {
    for (name, spec) in [
        ("dbt_unsupported_files", UNSUPPORTED_FILES),
        ("dbt_unsupported_jinja", UNSUPPORTED_JINJA),
        ("dbt_unsupported_config", UNSUPPORTED_CONFIG),
    ] {
        let p = dbt_project(&format!("{spec}{PROFILE}"));
        for lang in ["en", "ja"] {
            let (code, out, err) = run_env(p.path(), &["compile"], &[("KARTE_LANG", lang)]);
            assert_eq!(code, 1, "{out}{err}");
            assert!(!err.contains("panicked"), "{err}");
            insta::assert_snapshot!(format!("{name}_{lang}"), err);
        }
    }
}

#[test]
fn profiles_are_found_where_dbt_looks_or_refused_clearly() {
    let base =
        "=== dbt_project.yml\nname: shop\nprofile: shop\n=== models/orders.sql\nselect 1 as id\n";
    // No profiles.yml anywhere: the local engine, schema `main`, and a warning saying so.
    let p = dbt_project(base);
    let (code, out, err) = run(p.path(), &["build"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("warning[W980]"), "{err}");
    assert_eq!(flat(p.path(), "select id from main.orders"), ["1"]);

    // --profiles-dir, another database type, a profile that is not there.
    let dir = p.path().join("elsewhere");
    write_file(
        &dir,
        Path::new("profiles.yml"),
        b"shop:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n      host: localhost\n      schema: public\n    dev:\n      type: duckdb\n      schema: sales\n",
    );
    let d = dir.to_str().unwrap();
    let (code, _, err) = run(p.path(), &["compile", "--profiles-dir", d]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("dbt_profile_other_database", err);
    write_file(
        &dir,
        Path::new("profiles.yml"),
        b"shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      schema: sales\n",
    );
    let (code, _, err) = run(p.path(), &["build", "--profiles-dir", d]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(flat(p.path(), "select id from sales.orders"), ["1"]);
    write_file(&dir, Path::new("profiles.yml"), b"shoppe:\n  outputs: {}\n");
    let (code, _, err) = run(p.path(), &["compile", "--profiles-dir", d]);
    assert_eq!(code, 1);
    assert!(err.contains("error[E981]: profile `shop`"), "{err}");
    assert!(err.contains("did you mean `shoppe`?"), "{err}");
}

#[test]
fn packages_dispatch_and_dbts_own_macros_build_the_tables_dbt_builds() {
    // tests/dbt_compat/compare.sh finds the same tables with dbt-core + dbt-duckdb (docs/dbt.md).
    let p = fixture("pharmacy");
    let (code, out, err) = run(p.path(), &["build"]);
    assert_eq!(code, 0, "{out}{err}");
    // The package's custom materialization is left out without a word (nothing uses it).
    assert!(!err.contains("by_period"), "{err}");
    assert_eq!(
        flat(
            p.path(),
            "select dispensing_id, patient_drug_key, drug_code, category, dispensed_on, total_g, \
             building, days_supply from main.stg_dispensings order by dispensing_id"
        ),
        STG_DISPENSINGS
    );
    assert_eq!(
        flat(
            p.path(),
            "select month, dispensings, n_cardio, n_diabetes, n_pain, longest_supply_days, \
             drug_codes from main.monthly_dispensing order by month"
        ),
        [
            "2024-01-01|2|1|1|0|28|620001,620002",
            "2024-02-01|3|1|0|2|14|620001,620003,620003",
            "2024-03-01|2|1|1|0|28|620002,620001",
        ]
    );
    assert_eq!(
        flat(
            p.path(),
            "select count(*), min(date_day), max(date_day) from main.calendar"
        ),
        ["7|2024-01-01 00:00:00|2024-01-07 00:00:00"]
    );
}

/// `md5('<patient_id>-<drug_code>')` (the package's surrogate key, as dbt-duckdb gives it),
/// grams, the first folder of the ward path, and the project's own days_supply (dispatch:
/// the project first), which never goes below one day.
const STG_DISPENSINGS: [&str; 7] = [
    "1|f1031938e5e8efe845eaf33224d9251c|620001|cardio|2024-01-05|0.14|east|28",
    "2|52e3a8b8945f531529002e79b63e44fe|620002|diabetes|2024-01-20|28.0|east|28",
    "3|2c12b03b105f072cfe503903ff32e305|620001|cardio|2024-02-03|0.07|west|14",
    "4|681911fe128a91dd8672fe9869e2916e|620003|pain|2024-02-14|0.54|west|3",
    "5|bb9a396fe98605b3f84a108c4ece8421|620003|pain|2024-02-29|0.18|west|1",
    "6|13a99f75df4fd514c18efa1cca847fb0|620002|diabetes|2024-03-01|0.5|east|1",
    "7|f1031938e5e8efe845eaf33224d9251c|620001|cardio|2024-03-02|0.14|east|28",
];

const PACKAGE_ERRORS: &str = "\
=== dbt_project.yml
name: shop
profile: shop
dispatch:
  - macro_namespace: tools
    search_order: [shop, missing_pkg]
=== packages.yml
packages:
  - local: vendor/tools
=== vendor/tools/dbt_project.yml
name: tools
=== vendor/tools/macros/tools.sql
{% macro cents(x) %}{{ x }} * 100{% endmacro %}
{% macro label(x) %}{{ return(adapter.dispatch('label', 'tools')(x)) }}{% endmacro %}
=== models/orders.sql
select 1 as id, {{ cents(2) }} as unqualified
=== models/labels.sql
select {{ tools.label('a') }} as l
=== models/fixed.sql
{% set ids = range(3) | list %}{% do ids.append(3) %}
select {{ ids | length }} as n
=== models/missing.sql
select {{ tools.dollars(1) }} as d, {{ adapter.dispatch('nothing', 'shop')() }} as n
";

#[test]
fn package_mistakes_are_clear_errors_in_both_languages() {
    let p = dbt_project(&format!("{PACKAGE_ERRORS}{PROFILE}"));
    for lang in ["en", "ja"] {
        let (code, out, err) = run_env(p.path(), &["compile"], &[("KARTE_LANG", lang)]);
        assert_eq!(code, 1, "{out}{err}");
        assert!(!err.contains("panicked"), "{err}");
        insta::assert_snapshot!(format!("dbt_package_errors_{lang}"), err);
    }
    // A hub package that `dbt deps` has not installed: an error at its line.
    let p = dbt_project(&format!(
        "=== dbt_project.yml\nname: shop\nprofile: shop\n=== models/a.sql\nselect 1 as id\n\
         === packages.yml\npackages:\n  - package: dbt-labs/codegen\n    version: 0.13.1\n\
         {PROFILE}"
    ));
    let (code, _, err) = run(p.path(), &["compile"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("dbt_package_not_installed", err);
}

#[test]
fn generic_tests_of_the_project_and_of_packages_run_as_data_tests() {
    let p = fixture("pharmacy");
    let (code, out, err) = run(p.path(), &["build"]);
    assert_eq!(code, 0, "{out}{err}");
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(p.path().join("target/run_results.json")).unwrap(),
    )
    .unwrap();
    for name in [
        "at_most_stg_dispensings_quantity",
        "rx_utils_positive_stg_dispensings_quantity",
        "rx_utils_positive_stg_dispensings_days_supply",
        "same_row_count_stg_dispensings",
    ] {
        assert_eq!(crate::support::status_of(&results, name), "pass", "{name}");
    }
    // The project's `at_most` test fails when a value is above its argument.
    let yml = p.path().join("models/staging/stg_dispensings.yml");
    let text = std::fs::read_to_string(&yml).unwrap();
    std::fs::write(&yml, text.replace("value: 90", "value: 30")).unwrap();
    let (code, out, _) = run(p.path(), &["build"]);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("FAIL at_most_stg_dispensings_quantity"),
        "{out}"
    );
}

/// Run `git` in `dir` (test setup).
fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

/// A one-thread HTTP server on 127.0.0.1 answering GETs from `files` (path → body; `HUB` in
/// a `.json` body is the server's own URL) until the test ends; its base URL.
fn serve(files: Vec<(String, Vec<u8>)>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(p, b)| match p.ends_with(".json") {
            true => {
                let text = String::from_utf8(b).unwrap().replace("HUB", &url);
                (p, text.into_bytes())
            }
            false => (p, b),
        })
        .collect();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).map_or(true, |n| n == 0) || h.trim().is_empty() {
                    break;
                }
            }
            let mut w = &stream;
            match files.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => {
                    let _ = write!(
                        w,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = w.write_all(body);
                }
                None => {
                    let _ = write!(
                        w,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                }
            }
        }
    });
    url
}

/// A package folder `<top>/` with a dbt_project.yml and one macro, as a .tar.gz.
fn package_tarball(top: &str, name: &str, body: &str) -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(top);
    write_file(
        &dir,
        Path::new("dbt_project.yml"),
        format!("name: {name}\n").as_bytes(),
    );
    write_file(
        &dir,
        Path::new("macros/m.sql"),
        format!("{{% macro answer() %}}{body}{{% endmacro %}}\n").as_bytes(),
    );
    let out = tmp.path().join("p.tar.gz");
    let ok = std::process::Command::new("tar")
        .arg("-czf")
        .arg(&out)
        .arg("-C")
        .arg(tmp.path())
        .arg(top)
        .status()
        .unwrap();
    assert!(ok.success());
    std::fs::read(out).unwrap()
}

#[test]
fn deps_installs_hub_git_and_local_packages_where_dbt_does() {
    // A git repository whose tag v1 answers 1 (its newest commit answers 2).
    let repo = tempfile::tempdir().unwrap();
    write_file(repo.path(), Path::new("dbt_project.yml"), b"name: gitpkg\n");
    write_file(
        repo.path(),
        Path::new("macros/m.sql"),
        b"{% macro git_answer() %}1{% endmacro %}\n",
    );
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "one"]);
    git(repo.path(), &["tag", "v1"]);
    write_file(
        repo.path(),
        Path::new("macros/m.sql"),
        b"{% macro git_answer() %}2{% endmacro %}\n",
    );
    git(repo.path(), &["commit", "-qam", "two"]);
    // A hub with two versions of acme/hubpkg; the constraints choose 1.2.0.
    let hub = serve(vec![
        (
            "/api/v1/acme/hubpkg.json".into(),
            br#"{"name": "hubpkg", "versions": {
                "1.2.0": {"downloads": {"tarball": "HUB/t/120.tar.gz"}},
                "1.3.0": {"downloads": {"tarball": "HUB/t/130.tar.gz"}},
                "0.9.0": {"downloads": {"tarball": "HUB/t/090.tar.gz"}}}}"#
                .to_vec(),
        ),
        (
            "/t/120.tar.gz".into(),
            package_tarball("acme-hubpkg-1.2.0", "hubpkg", "120"),
        ),
        (
            "/t/130.tar.gz".into(),
            package_tarball("acme-hubpkg-1.3.0", "hubpkg", "130"),
        ),
    ]);
    let p = dbt_project(&format!(
        "=== dbt_project.yml\nname: shop\nprofile: shop\nmodels:\n  shop:\n    +materialized: table\n\
         === packages.yml\npackages:\n  - package: acme/hubpkg\n    version: [\">=1.0.0\", \"<1.3.0\"]\n\
         \x20 - git: \"file://{}\"\n    revision: v1\n  - local: vendor/here\n\
         === vendor/here/dbt_project.yml\nname: here\n\
         === vendor/here/macros/h.sql\n{{% macro three() %}}3{{% endmacro %}}\n\
         === models/answers.sql\n\
         select {{{{ hubpkg.answer() }}}} as hub, {{{{ gitpkg.git_answer() }}}} as git, {{{{ here.three() }}}} as here\n\
         {PROFILE}",
        repo.path().display()
    ));
    let (code, out, err) = run_env(p.path(), &["deps"], &[("KARTE_DBT_HUB_URL", &hub)]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("installed hubpkg 1.2.0"), "{out}");
    assert!(out.contains("installed gitpkg v1"), "{out}");
    assert!(out.contains("installed here local"), "{out}");
    let installed = p.path().join("dbt_packages");
    assert!(std::fs::symlink_metadata(installed.join("here"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(!installed.join("gitpkg/.git").exists());
    let (code, out, err) = run(p.path(), &["build"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        flat(p.path(), "select hub, git, here from main.answers"),
        ["120|1|3"]
    );
    // package-lock.yml pins what was installed: a hub with a newer release that meets the
    // constraints changes nothing until `--upgrade`.
    let lock = std::fs::read_to_string(p.path().join("package-lock.yml")).unwrap();
    assert!(lock.contains("version: 1.2.0"), "{lock}");
    let newer = serve(vec![
        (
            "/api/v1/acme/hubpkg.json".into(),
            br#"{"versions": {
                "1.2.0": {"downloads": {"tarball": "HUB/t/120.tar.gz"}},
                "1.2.5": {"downloads": {"tarball": "HUB/t/125.tar.gz"}}}}"#
                .to_vec(),
        ),
        (
            "/t/120.tar.gz".into(),
            package_tarball("acme-hubpkg-1.2.0", "hubpkg", "120"),
        ),
        (
            "/t/125.tar.gz".into(),
            package_tarball("acme-hubpkg-1.2.5", "hubpkg", "125"),
        ),
    ]);
    let (code, out, err) = run_env(p.path(), &["deps"], &[("KARTE_DBT_HUB_URL", &newer)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("installed hubpkg 1.2.0"), "{out}");
    assert!(
        out.contains("installed gitpkg v1") || out.contains("installed gitpkg "),
        "{out}"
    );
    let (code, out, err) = run_env(
        p.path(),
        &["deps", "--upgrade"],
        &[("KARTE_DBT_HUB_URL", &newer)],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("installed hubpkg 1.2.5"), "{out}");
    // A version no release meets is a clear error.
    let yml = p.path().join("packages.yml");
    let text = std::fs::read_to_string(&yml).unwrap();
    std::fs::write(&yml, text.replace("\"<1.3.0\"", "\"<1.0.0\"")).unwrap();
    let (code, _, err) = run_env(p.path(), &["deps"], &[("KARTE_DBT_HUB_URL", &hub)]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("cannot install package `acme/hubpkg`: no version meets >=1.0.0, <1.0.0"),
        "{err}"
    );
}

#[test]
fn snapshot_blocks_keep_the_history_dbt_keeps() {
    let p = fixture("pharmacy");
    let (code, out, err) = run(p.path(), &["build"]);
    assert_eq!(code, 0, "{out}{err}");
    // `{% snapshot drug_price_history %}` in snapshots/drug_prices.sql, in its target_schema.
    let current = "select drug_code, drug_name from history.drug_price_history \
                   where dbt_valid_to is null order by 1";
    assert_eq!(
        flat(p.path(), current),
        [
            "620001|Amlodipine 5mg",
            "620002|Metformin 500mg",
            "620003|Loxoprofen 60mg"
        ]
    );
    // A renamed drug (check_cols: all) closes its version and opens a new one.
    let seed = p.path().join("seeds/raw_dispensings.csv");
    let csv = std::fs::read_to_string(&seed).unwrap();
    std::fs::write(&seed, csv.replace("Amlodipine 5mg", "Amlodipine OD 5mg")).unwrap();
    let (code, out, err) = run(p.path(), &["build"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(flat(p.path(), current)[0], "620001|Amlodipine OD 5mg");
    assert_eq!(
        flat(
            p.path(),
            "select drug_name from history.drug_price_history where dbt_valid_to is not null"
        ),
        ["Amlodipine 5mg"]
    );
}

#[test]
fn snapshot_column_renames_are_refused() {
    let p = dbt_project(&format!(
        "=== dbt_project.yml\nname: shop\nprofile: shop\n=== models/orders.sql\nselect 1 as id\n\
         === snapshots/orders_history.sql\n{{% snapshot orders_history %}}\n\
         {{{{ config(unique_key='id', strategy='check', check_cols='all', \
         snapshot_meta_column_names={{'dbt_valid_to': 'valid_until'}}) }}}}\n\
         select * from {{{{ ref('orders') }}}}\n{{% endsnapshot %}}\n{PROFILE}"
    ));
    let (code, _, err) = run(p.path(), &["compile"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error[E986]: `snapshot_meta_column_names` of `orders_history`"),
        "{err}"
    );
    assert!(err.contains("snapshots/orders_history.sql:2:"), "{err}");
}
