//! `karte lint`: each rule fires where a fixture says and stays silent on the near misses;
//! `--fix` edits only the author's text; JSON output, suppression, per-folder config, Jinja
//! positions and exit codes.

use std::path::Path;
use std::process::Command;

use crate::support::{compile_dir, project_from_spec};

const RULES: &str = include_str!("../fixtures/lint/rules.txt");

fn karte(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_karte"))
        .env("KARTE_LANG", "en")
        .arg("lint")
        .arg("--project-dir")
        .arg(dir)
        .args(args)
        .env_remove("KARTE_LANG")
        .env("LANG", "C")
        .output()
        .expect("run karte");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (file, line, code) of every finding, in the library.
fn findings(dir: &Path) -> Vec<(String, usize, String)> {
    let compiled = compile_dir(dir).unwrap_or_else(|d| panic!("{}", crate::support::rendered(&d)));
    let settings = karte::lint::Settings::of(&compiled.project).expect("settings");
    karte::lint::lint(&compiled, &settings)
        .into_iter()
        .map(|f| {
            (
                f.location.file.clone(),
                f.location.line,
                f.rule.code.as_str().to_string(),
            )
        })
        .collect()
}

/// (file, line, code) of every `-- fires Lxxx` marker of a spec.
fn markers(spec: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    let mut file = String::new();
    let mut line = 0;
    for l in spec.lines() {
        if let Some(p) = l.strip_prefix("=== ") {
            file = p.trim().to_string();
            line = 0;
            continue;
        }
        line += 1;
        if file.is_empty() {
            continue;
        }
        if let Some(at) = l.find("-- fires ") {
            for code in l[at + "-- fires ".len()..].split_whitespace() {
                out.push((file.clone(), line, code.to_string()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_rule_fires_on_its_mistake_and_not_on_the_near_miss() {
    let dir = project_from_spec(RULES);
    let mut got = findings(dir.path());
    got.sort();
    let want = markers(RULES);
    assert_eq!(got, want);
    // Every rule on the syntax tree has a marker (E102 is tested apart).
    for r in karte::lint::RULES {
        if r.code.as_str().starts_with('L') {
            assert!(
                want.iter().any(|(_, _, c)| c == r.code.as_str()),
                "{} has no fixture",
                r.code.as_str()
            );
        }
    }
}

#[test]
fn fix_edits_only_what_is_safe_and_keeps_comments() {
    let dir = project_from_spec(RULES);
    let (code, out, err) = karte(dir.path(), &["--fix"]);
    assert_eq!(code, 1, "findings without a fix remain\n{out}{err}");
    let read = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap();
    let fixed = [
        "models/silver/divisions.sql",
        "models/silver/nulls.sql",
        "models/silver/date_strings.sql",
        "models/silver/unqualified.sql",
        "models/silver/ordered.sql",
    ]
    .map(|p| format!("=== {p}\n{}", read(p)))
    .join("");
    insta::assert_snapshot!(fixed);
    // What had no safe fix is still reported; the fixed ones are gone.
    let left: Vec<String> = findings(dir.path())
        .into_iter()
        .map(|(_, _, c)| c)
        .collect();
    for gone in ["L001", "L002", "L005", "L007", "L009"] {
        assert!(!left.iter().any(|c| c == gone), "{gone} left: {left:?}");
    }
    for kept in ["L003", "L004", "L006", "L008", "L010", "L011"] {
        assert!(left.iter().any(|c| c == kept), "{kept} gone: {left:?}");
    }
    // The project still compiles.
    compile_dir(dir.path()).unwrap_or_else(|d| panic!("{}", crate::support::rendered(&d)));
}

#[test]
fn full_width_characters_are_found_before_compiling_and_fixed() {
    let dir = project_from_spec(
        "=== models/silver/a.sql\nselect\u{3000}1 as x， 2 as y -- 全角（コメントは対象外）\n",
    );
    let (code, out, _) = karte(dir.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("warning[E102]"), "{out}");
    assert!(out.contains("models/silver/a.sql:1:7"), "{out}");
    let (code, out, err) = karte(dir.path(), &["--fix"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("models/silver/a.sql")).unwrap(),
        "select 1 as x, 2 as y -- 全角（コメントは対象外）\n"
    );
}

#[test]
fn json_output_for_ci_and_japanese_messages() {
    let dir = project_from_spec(
        "=== models/silver/a.sql\nselect count(*) / count(*) as r from (values (1)) as t(x)\n",
    );
    let (code, out, err) = karte(dir.path(), &["--output", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["code"], "L001");
    assert_eq!(f["rule"], "integer-division");
    assert_eq!(f["file"], "models/silver/a.sql");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(8))
    );
    assert_eq!(f["fixable"], true);
    assert_eq!(f["found"], "count(*) / count(*)");
    assert_eq!(v["checked"], 1);
    let (_, out, _) = karte(dir.path(), &["--lang", "ja"]);
    assert!(out.contains("整数どうしの割り算です"), "{out}");
    let out = Command::new(env!("CARGO_BIN_EXE_karte"))
        .env("KARTE_LANG", "en")
        .args(["lint", "--project-dir"])
        .arg(dir.path())
        .env("LANG", "ja_JP.UTF-8")
        .env_remove("KARTE_LANG")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("小数点以下が切り捨て"));
}

#[test]
fn clean_project_exits_zero_and_bad_config_is_located() {
    let dir = project_from_spec("=== models/silver/a.sql\nselect 1 as x\n");
    let (code, out, err) = karte(dir.path(), &[]);
    assert_eq!(code, 0, "{out}{err}");
    let dir = project_from_spec(
        "=== karte.yml\nname: p\nlint:\n  ignore: [L999]\n=== models/silver/a.sql\nselect 1 as x\n",
    );
    let (code, _, err) = karte(dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("error[E004]: `lint:` names no rule `L999`"),
        "{err}"
    );
    assert!(err.contains("karte.yml:3:12"), "{err}");
}

#[test]
fn per_folder_config_and_noqa() {
    let spec = "=== karte.yml\nname: p\nlint:\n  ignore: [order-by-in-model]\n  folders:\n    gold:\n      ignore: [L001]\n    gold/strict:\n      select: [L001]\n\
=== models/silver/a.sql\nselect count(*) / count(*) as r from (values (1)) as t(x) order by 1\n\
=== models/gold/b.sql\nselect count(*) / count(*) as r from (values (1)) as t(x)\n\
=== models/gold/strict/c.sql\nselect count(*) / count(*) as r from (values (1)) as t(x) order by 1\n\
=== models/gold/strict/d.sql\nselect count(*) / count(*) as r from (values (1)) as t(x) /* noqa */\n\
=== models/gold/strict/e.sql\nselect count(*) / count(*) as r -- noqa: L009, integer-division\nfrom (values (1)) as t(x)\n";
    let dir = project_from_spec(spec);
    let got = findings(dir.path());
    assert_eq!(
        got,
        [
            (
                "models/gold/strict/c.sql".to_string(),
                1,
                "L001".to_string()
            ),
            ("models/silver/a.sql".to_string(), 1, "L001".to_string()),
        ]
    );
}

#[test]
fn jinja_models_point_into_the_template_and_fix_only_exact_places() {
    let spec = "=== models/silver/v.sql\nselect 1 as a, 2 as b\n\
=== macros/m.sql\n{% macro ratio(x, y) %}count({{ x }}) / count({{ y }}){% endmacro %}\n\
=== models/silver/t.sql\n-- {{ 'comment' }}\nselect\n    count(a) / count(b) as direct,\n    {{ ratio('a', 'b') }} as via_macro\nfrom {{ ref('v') }}\n";
    let dir = project_from_spec(spec);
    let compiled = compile_dir(dir.path()).unwrap();
    let settings = karte::lint::Settings::of(&compiled.project).unwrap();
    let found = karte::lint::lint(&compiled, &settings);
    let shown: Vec<(String, usize, usize, bool)> = found
        .iter()
        .map(|f| {
            (
                f.location.file.clone(),
                f.location.line,
                f.location.col,
                f.exact,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("models/silver/t.sql".to_string(), 3, 5, true),
            (
                "models/silver/t.sql (rendered SQL, line 4 col 5)".to_string(),
                4,
                5,
                false
            ),
        ]
    );
    let (code, out, err) = karte(dir.path(), &["--fix"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("no exact place in the file"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("models/silver/t.sql")).unwrap(),
        "-- {{ 'comment' }}\nselect\n    cast(count(a) as double) / count(b) as direct,\n    {{ ratio('a', 'b') }} as via_macro\nfrom {{ ref('v') }}\n"
    );
}

/// The example project is the domain experts' SQL as it should be: nothing to report.
#[test]
fn the_example_project_lints_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("example_project");
    let (code, out, err) = karte(&dir, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains(": 0 findings"), "{err}");
}
