//! The binary as users run it: exit codes, output, files.

use std::process::Command;

use crate::support::project_from_spec;

fn karte(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_karte"))
        .env("KARTE_LANG", "en")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn compile_writes_artifacts_and_exits_0() {
    let dir = project_from_spec(
        "=== models/silver/a.sql\nselect 1 as x\n=== models/gold/b.sql\nselect * from silver.a\n",
    );
    let p = dir.path().to_str().unwrap();
    let out = karte(&["compile", "--project-dir", p]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("compiled 2 of 2 nodes"));
    assert!(dir
        .path()
        .join("target/compiled/models/gold/b.sql")
        .is_file());
    assert!(dir.path().join("target/manifest.json").is_file());
}

#[test]
fn project_errors_exit_1_and_missing_project_exits_2() {
    let dir = project_from_spec("=== models/gold/b.sql\nselect * from silver.a\n");
    let out = karte(&["compile", "--project-dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("error[E210]"), "{stderr}");
    assert!(stderr.contains("1 error, 0 warnings"), "{stderr}");

    let empty = tempfile::tempdir().unwrap();
    let out = karte(&["compile", "--project-dir", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[E002]"));

    let out = karte(&["compile", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn ls_text_and_json() {
    let dir = project_from_spec(
        "=== models/silver/a.sql\nselect 1 as x\n=== models/gold/b.sql\nselect * from silver.a\n",
    );
    let p = dir.path().to_str().unwrap();
    let out = karte(&["ls", "--project-dir", p, "-s", "+b"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "silver.a\ngold.b\n");
    let out = karte(&["ls", "--project-dir", p, "-o", "json", "-s", "b"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["unique_id"], "model.fixture.b");
    assert_eq!(v[0]["depends_on"]["nodes"][0], "model.fixture.a");
}

#[test]
fn vars_on_the_command_line() {
    let dir = project_from_spec("=== models/silver/a.sql\nselect {{ var('n') }} as x\n");
    let p = dir.path().to_str().unwrap();
    let out = karte(&["compile", "--project-dir", p, "--vars", "{n: 42}"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sql =
        std::fs::read_to_string(dir.path().join("target/compiled/models/silver/a.sql")).unwrap();
    assert_eq!(sql, "select 42 as x\n");
    let out = karte(&["compile", "--project-dir", p, "--vars", "[1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unknown_target_exits_2_with_suggestion() {
    let dir = project_from_spec("=== karte.yml\nname: f\ntargets:\n  athena: { type: athena }\n=== models/silver/a.sql\nselect 1 as x\n");
    let out = karte(&[
        "compile",
        "--project-dir",
        dir.path().to_str().unwrap(),
        "--target",
        "athna",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `athena`?"));
}

#[test]
fn help_lists_commands() {
    let out = karte(&["--help"]);
    let s = String::from_utf8_lossy(&out.stdout);
    for cmd in ["compile", "ls", "init"] {
        assert!(s.contains(cmd), "{s}");
    }
}

#[test]
fn recompile_removes_stale_files_and_keeps_current_ones() {
    let dir = project_from_spec(
        "=== models/silver/a.sql\nselect 1 as x\n=== models/gold/b.sql\nselect * from silver.a\n",
    );
    let p = dir.path().to_str().unwrap();
    assert_eq!(
        karte(&["compile", "--project-dir", p]).status.code(),
        Some(0)
    );
    std::fs::remove_file(dir.path().join("models/gold/b.sql")).unwrap();
    std::fs::write(dir.path().join("models/silver/a.sql"), "select 2 as x\n").unwrap();
    assert_eq!(
        karte(&["compile", "--project-dir", p]).status.code(),
        Some(0)
    );
    assert!(!dir
        .path()
        .join("target/compiled/models/gold/b.sql")
        .exists());
    let a =
        std::fs::read_to_string(dir.path().join("target/compiled/models/silver/a.sql")).unwrap();
    assert_eq!(a, "select 2 as x\n");
}

/// Warnings printed on the way (the compile's) are counted in the last line when an error
/// stops the command later (here E307: a source with nothing loaded into it).
#[test]
fn the_count_line_counts_the_warnings_printed_before_the_error() {
    let dir = project_from_spec(
        "=== models/sources.yml\nsources:\n  - name: raw\n    tables:\n      - name: visits\n=== models/silver/a.sql\nselect * from raw.visits\n",
    );
    let out = karte(&["build", "--project-dir", dir.path().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let warnings = err.matches("warning[").count();
    let errors = err.matches("error[").count();
    assert!(warnings >= 1 && errors == 1, "{err}");
    let last = err.trim_end().lines().last().unwrap_or_default();
    let noun = if warnings == 1 { "warning" } else { "warnings" };
    assert_eq!(last, format!("1 error, {warnings} {noun}"), "{err}");
}

/// `karte ls | head -1`: the reader goes away before karte writes. Every command stops
/// writing quietly (no panic, no message) and exits as it would have.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    let dir = project_from_spec(
        "=== models/silver/a.sql\nselect 1 as x\n=== models/gold/b.sql\nselect * from silver.a\n",
    );
    let p = dir.path().to_str().unwrap();
    for args in [
        &["ls", "--project-dir", p][..],
        &["ls", "--output", "json", "--project-dir", p],
        &["plan", "--project-dir", p],
        &["lineage", "silver.a.x", "--project-dir", p],
        &["compile", "--project-dir", p],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_karte"))
            .env("KARTE_LANG", "en")
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}
