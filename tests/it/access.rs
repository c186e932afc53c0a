//! `karte access` and `access:` rules, locally: what each role reads, `--check`, errors in
//! karte.yml, and the grant steps of a plan.

use std::path::Path;
use std::process::Command;

fn fixture() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects/access");
    crate::compile::copy_dir(&src, tmp.path());
    tmp
}

fn karte(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_karte"))
        .env("KARTE_LANG", "en")
        .args(args)
        .arg("--project-dir")
        .arg(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join("karte.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in karte.yml");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn access_prints_what_each_role_reads() {
    let tmp = fixture();
    let (code, out, err) = karte(tmp.path(), &["access"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("access_roles", out);
    let (code, out, _) = karte(tmp.path(), &["access", "--role", "external_reports"]);
    assert_eq!(code, 0);
    assert!(out.contains("external_reports"), "{out}");
    assert!(!out.contains("\nanalysts"), "{out}");
}

#[test]
fn check_answers_yes_or_no_with_the_rule_and_the_exit_status() {
    let tmp = fixture();
    let (code, out, _) = karte(
        tmp.path(),
        &["access", "--role", "analysts", "--check", "silver.claims"],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        "yes: `analysts` may read silver.claims\n  allowed by read[2]: layer silver except quasi_identifier\n  columns left out: birth_year [quasi_identifier], zip_code [quasi_identifier]\n"
    );
    let (code, out, _) = karte(
        tmp.path(),
        &[
            "access",
            "--role",
            "external_reports",
            "--check",
            "gold.by_area",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out,
        "no: `external_reports` may not read gold.by_area\n  no read rule of role `external_reports` selects it:\n    read[1]: tag release\n"
    );
    // A bare model name works too.
    let (code, out, _) = karte(
        tmp.path(),
        &["access", "--role", "external_reports", "--check", "pmpm"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("allowed by read[1]: tag release"), "{out}");
    // Unknown role or table: karte could not answer (2), with a suggestion.
    let (code, _, err) = karte(
        tmp.path(),
        &["access", "--role", "analyst", "--check", "gold.pmpm"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did you mean `analysts`?"), "{err}");
    let (code, _, err) = karte(
        tmp.path(),
        &["access", "--role", "analysts", "--check", "gold.pmpn"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("did you mean `gold.pmpm`?"), "{err}");
}

#[test]
fn unknown_names_in_rules_are_errors_at_their_place_in_karte_yml() {
    let tmp = fixture();
    edit(
        tmp.path(),
        "except_classes: [quasi_identifier]",
        "except_classes: [quasi_identifer]",
    );
    edit(tmp.path(), "- tag: release", "- tag: relase");
    edit(tmp.path(), "read: [all]", "read: [everything]");
    let (code, _, err) = karte(tmp.path(), &["access"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("access_rule_errors", err);
    // The same errors stop a plan (and so a build).
    let (code, _, err) = karte(tmp.path(), &["plan"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[E701]"), "{err}");
}

#[test]
fn a_rule_needs_exactly_one_selector_and_a_principal_an_arn() {
    let tmp = fixture();
    edit(
        tmp.path(),
        "- tag: release",
        "- tag: release\n        layer: gold",
    );
    edit(
        tmp.path(),
        "principal: arn:aws:iam::123456789012:role/platform",
        "principal: platform",
    );
    let (code, _, err) = karte(tmp.path(), &["access"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("role `external_reports`, read rule 1: has 2 selectors (layer, tag)"),
        "{err}"
    );
    assert!(
        err.contains("the principal of role `platform` `platform` is not an ARN or an account id"),
        "{err}"
    );
    assert!(err.contains("karte.yml:"), "{err}");
}

#[test]
fn plans_grant_on_athena_targets_only() {
    let tmp = fixture();
    // Local: nothing to grant.
    let (code, out, err) = karte(tmp.path(), &["plan"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("lf-grant"), "{out}");
    // Athena, planned offline: nothing is taken as granted, so every role is granted after
    // its table's last step.
    edit(
        tmp.path(),
        "targets:\n",
        "targets:\n  athena:\n    type: athena\n    region: us-east-1\n    lake_root: s3://lake-bucket/lake/\n",
    );
    let (code, out, err) = karte(
        tmp.path(),
        &["plan", "--target", "athena", "--as-of", "2026-01-01"],
    );
    assert_eq!(code, 0, "{err}");
    // The step lines, and the principals of each grant.
    let mut lines = Vec::new();
    let mut in_grant = false;
    for l in out.lines() {
        let step = l.starts_with("   ") && l.contains("/0");
        if step {
            lines.push(l);
            in_grant = l.contains("-lf-");
        } else if in_grant && l.starts_with("        ") {
            lines.push(l);
        }
    }
    insta::assert_snapshot!("access_plan_first_run", lines.join("\n"));
    let plan: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("target/plan.json")).unwrap(),
    )
    .unwrap();
    for node in plan["nodes"].as_array().unwrap() {
        let steps = node["steps"].as_array().unwrap();
        let last = steps.last().unwrap();
        assert_eq!(last["action"]["type"], "grant_lake_formation", "{node}");
        assert_eq!(
            last["depends_on"][0],
            steps[steps.len() - 2]["id"],
            "a table's grants run after its last step"
        );
    }
}
