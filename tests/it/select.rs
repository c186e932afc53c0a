//! Selection syntax over a small layered project.

use crate::support::{compile_dir, project_from_spec};

const SPEC: &str = r#"
=== karte.yml
name: fixture
models:
  silver:
    +tags: [claims]
  gold:
    +materialized: table
=== models/bronze/lines.sql
select 1 as id
=== models/silver/receipts.sql
select * from bronze.lines
=== models/silver/persons.sql
select * from bronze.lines
=== models/silver/dpc/admissions.sql
{{ config(tags=['dpc']) }}
select * from silver.persons
=== models/gold/cost.sql
select * from silver.receipts r join silver.persons p on r.id = p.id
=== models/gold/los.sql
select * from silver.admissions
"#;

fn names(select: &[&str], exclude: &[&str]) -> Vec<String> {
    let dir = project_from_spec(SPEC);
    let c = karte::compile(&karte::CompileOptions {
        project_dir: dir.path().to_path_buf(),
        select: select.iter().map(|s| s.to_string()).collect(),
        exclude: exclude.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    })
    .unwrap_or_else(|d| panic!("{}", crate::support::rendered(&d)));
    c.selected
        .iter()
        .map(|&i| c.project.nodes[i].name.clone())
        .collect()
}

#[test]
fn all_in_dependency_order() {
    assert_eq!(
        names(&[], &[]),
        vec!["lines", "persons", "receipts", "cost", "admissions", "los"]
    );
}

#[test]
fn graph_operators() {
    assert_eq!(names(&["cost"], &[]), vec!["cost"]);
    assert_eq!(
        names(&["+cost"], &[]),
        vec!["lines", "persons", "receipts", "cost"]
    );
    assert_eq!(names(&["1+cost"], &[]), vec!["persons", "receipts", "cost"]);
    assert_eq!(
        names(&["persons+"], &[]),
        vec!["persons", "cost", "admissions", "los"]
    );
    assert_eq!(
        names(&["persons+1"], &[]),
        vec!["persons", "cost", "admissions"]
    );
    assert_eq!(
        names(&["@admissions"], &[]),
        vec!["lines", "persons", "admissions", "los"]
    );
}

#[test]
fn methods() {
    assert_eq!(
        names(&["tag:claims"], &[]),
        vec!["persons", "receipts", "admissions"]
    );
    assert_eq!(names(&["tag:dpc"], &[]), vec!["admissions"]);
    assert_eq!(names(&["layer:gold"], &[]), vec!["cost", "los"]);
    assert_eq!(names(&["path:models/silver/dpc"], &[]), vec!["admissions"]);
    assert_eq!(
        names(&["config.materialized:table"], &[]),
        vec!["cost", "los"]
    );
    assert_eq!(names(&["kind:model", "r*"], &["layer:gold"]).len(), 4);
    assert_eq!(names(&["re*"], &[]), vec!["receipts"]);
}

#[test]
fn union_intersection_exclude() {
    assert_eq!(names(&["cost los"], &[]), vec!["cost", "los"]);
    assert_eq!(names(&["cost", "los"], &[]), vec!["cost", "los"]);
    assert_eq!(
        names(&["tag:claims,persons+"], &[]),
        vec!["persons", "admissions"]
    );
    assert_eq!(
        names(&["+cost"], &["bronze_nothing", "lines"]),
        vec!["persons", "receipts", "cost"]
    );
}

#[test]
fn bad_selector_is_an_error_and_no_match_a_warning() {
    let dir = project_from_spec(SPEC);
    let run = |s: &str| {
        karte::compile(&karte::CompileOptions {
            project_dir: dir.path().to_path_buf(),
            select: vec![s.to_string()],
            ..Default::default()
        })
    };
    let err = run("colour:red").unwrap_err();
    insta::assert_snapshot!("bad_selector", crate::support::rendered(&err));
    let ok = run("reciepts").unwrap();
    assert!(ok.selected.is_empty());
    insta::assert_snapshot!("no_match", crate::support::rendered(&ok.diagnostics));
}

#[test]
fn compile_dir_smoke() {
    assert!(compile_dir(project_from_spec(SPEC).path()).is_ok());
}
