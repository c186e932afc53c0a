//! Every diagnostic as the user reads it: one fixture per case in tests/fixtures/errors/, its
//! rendered diagnostics snapshotted in tests/it/snapshots/.

use crate::support::{compile_dir, project_from_spec, rendered};

#[test]
fn error_fixtures() {
    insta::glob!("../fixtures/errors", "*.txt", |path| {
        let spec = std::fs::read_to_string(path).expect("fixture");
        let dir = project_from_spec(&spec);
        let out = match compile_dir(dir.path()) {
            Ok(c) => format!("compiled OK\n{}", rendered(&c.diagnostics)),
            Err(d) => rendered(&d),
        };
        insta::assert_snapshot!(out);
    });
}

#[test]
fn shift_jis_file_is_named() {
    let dir = project_from_spec("=== models/silver/a.sql\nselect 1\n");
    // "-- 患者" in Shift_JIS on line 2
    crate::support::write_file(
        dir.path(),
        std::path::Path::new("models/silver/b.sql"),
        b"select 1 as x\n-- \x8a\xb3\x8e\xd2\n",
    );
    let err = compile_dir(dir.path()).unwrap_err();
    insta::assert_snapshot!(rendered(&err));
}

#[test]
fn bom_and_crlf_are_accepted() {
    let dir = project_from_spec("=== models/silver/a.sql\nselect 1 as x\n");
    crate::support::write_file(
        dir.path(),
        std::path::Path::new("models/silver/b.sql"),
        b"\xEF\xBB\xBFselect x\r\nfrom silver.a\r\n-- done\r\n",
    );
    let c = compile_dir(dir.path()).expect("compiles");
    assert_eq!(crate::support::deps(&c, "b"), vec!["a"]);
    assert_eq!(
        crate::support::compiled_sql(&c, "b"),
        "select x\r\nfrom silver.a\r\n-- done\r\n"
    );
}

#[test]
fn every_error_of_a_stage_is_reported() {
    let dir = project_from_spec(
        "=== models/silver/a.sql\nselect * from silver.nope\n=== models/silver/b.sql\nselect * from {{ ref('missing') }}\n=== models/silver/c.sql\nselect {{ var('undefined_var') }}\n",
    );
    let err = compile_dir(dir.path()).unwrap_err();
    let codes: Vec<&str> = err.0.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, vec!["E210", "E204", "E203"]);
}
