//! Column lineage over a corpus of tricky SQL (tests/fixtures/lineage/): every computed
//! column's upstream columns and how, snapshotted; and the example project's whole lineage.

use crate::support::{compile_dir, karte, project_from_spec, rendered};

#[test]
fn lineage_corpus() {
    insta::glob!("../fixtures/lineage", "*.txt", |path| {
        let spec = std::fs::read_to_string(path).expect("fixture");
        let dir = project_from_spec(&spec);
        let out = match compile_dir(dir.path()) {
            Ok(c) => {
                let names = karte::lineage::text::display_names(&c.project);
                let mut out = karte::lineage::text::listing(&c.lineage, &names);
                if !c.diagnostics.0.is_empty() {
                    out.push('\n');
                    out.push_str(&rendered(&c.diagnostics));
                }
                out
            }
            Err(d) => rendered(&d),
        };
        insta::assert_snapshot!(out);
    });
}

/// The example project's lineage is complete (every relation's columns known) and stable.
#[test]
fn example_project_lineage() {
    let dir = crate::support::example_project();
    let c = compile_dir(&dir).expect("the example project compiles");
    let unknown: Vec<&String> = c
        .lineage
        .relations
        .iter()
        .filter(|(_, r)| r.columns.is_none())
        .map(|(id, _)| id)
        .collect();
    assert!(unknown.is_empty(), "columns unknown: {unknown:?}");
    let names = karte::lineage::text::display_names(&c.project);
    insta::assert_snapshot!(karte::lineage::text::listing(&c.lineage, &names));
}

#[test]
fn karte_lineage_shows_a_column_up_and_down() {
    let dir = project_from_spec(
        "=== models/raw/raw.yml\nsources:\n  - name: raw\n    tables:\n      - name: p\n        columns: [{name: id}, {name: name}]\n=== models/silver/p.sql\nselect id, upper(name) as name from raw.p\n=== models/gold/g.sql\nselect count(distinct name) as names from silver.p\n",
    );
    let (code, out, err) = karte(dir.path(), &["lineage", "silver.p.name"]);
    assert_eq!(code, 0, "{out}{err}");
    insta::assert_snapshot!(out);
    let (code, out, err) = karte(
        dir.path(),
        &["lineage", "silver.p.name", "--output", "json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["upstream"][0]["column"], "raw.p.name");
    assert_eq!(v["downstream"][0]["column"], "gold.g.names");
    assert_eq!(v["downstream"][0]["how"], "aggregate (count)");
    // A source column has nothing upstream, and says so.
    let (code, out, err) = karte(dir.path(), &["lineage", "raw.p.id"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("upstream (where it comes from):\nraw.p.id\n└─ (none)\n"),
        "{out}"
    );
    let (code, _, err) = karte(dir.path(), &["lineage", "silver.p.nme"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("did you mean `name`?"), "{err}");
}

/// `karte lineage` in Japanese: the headings, how each column is computed, and "(なし)".
#[test]
fn karte_lineage_in_japanese() {
    let dir = project_from_spec(
        "=== models/raw/raw.yml\nsources:\n  - name: raw\n    tables:\n      - name: p\n        columns: [{name: id}, {name: name}]\n=== models/silver/p.sql\nselect id, upper(name) as name from raw.p\n=== models/gold/g.sql\nselect count(distinct name) as names from silver.p\n",
    );
    let (code, out, err) = crate::support::karte_env(
        dir.path(),
        &["lineage", "silver.p.name"],
        &[("KARTE_LANG", "ja")],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with("上流 (この列の元になっているもの):\n"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}
