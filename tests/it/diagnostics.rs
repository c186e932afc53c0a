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

/// What of a rendered diagnostic line is not a message: codes, `-->` file:line:col, the source
/// lines with their gutter, where the carets are and how many; `= note` and `= help` lines keep
/// only that they are there. Message texts become empty.
fn structure(line: &str) -> String {
    let header = regex::Regex::new(r"^(\S+)\[([A-Z]\d{3})\]: ").unwrap();
    let carets = regex::Regex::new(r"^(\s*\| *)(\^+)").unwrap();
    let source = regex::Regex::new(r"^\d+ \| ").unwrap();
    let aside = regex::Regex::new(r"^(\s*)= ([^:]+): ").unwrap();
    if let Some(c) = header.captures(line) {
        let severity = match &c[1] {
            "error" | "エラー" => "error",
            "warning" | "警告" => "warning",
            other => panic!("unknown severity word `{other}` in `{line}`"),
        };
        return format!("{severity}[{}]", &c[2]);
    }
    if line.trim_start().starts_with("--> ") || source.is_match(line) || line.trim() == "|" {
        return line.to_string();
    }
    if let Some(c) = carets.captures(line) {
        return format!("{}{}", &c[1], &c[2]);
    }
    if let Some(c) = aside.captures(line) {
        let kind = match &c[2] {
            "note" | "補足" => "note",
            "help" | "直し方" => "help",
            other => panic!("unknown aside `{other}` in `{line}`"),
        };
        return format!("{}= {kind}", &c[1]);
    }
    String::new()
}

/// `karte compile` on a fixture in one language: what it prints on stderr (the diagnostics and
/// their count), after `compiled OK` if it compiled.
fn compile_in(dir: &std::path::Path, lang: &str) -> String {
    let (code, _stdout, stderr) =
        crate::support::karte_env(dir, &["compile"], &[("KARTE_LANG", lang)]);
    let outcome = if code == 0 { "compiled OK\n" } else { "" };
    format!("{outcome}{stderr}")
}

/// The message text of a rendered line: after `error[E204]: `, after `= help: `, the label
/// after the carets, or the whole line (the count line); None for source and `-->` lines.
fn message_of(line: &str) -> Option<&str> {
    let source = regex::Regex::new(r"^\d+ \| ").unwrap();
    let carets = regex::Regex::new(r"^\s*\| *\^+").unwrap();
    let t = line.trim();
    if t.is_empty() || t == "|" || t.starts_with("--> ") || source.is_match(line) {
        return None;
    }
    if let Some(m) = carets.find(line) {
        let label = line[m.end()..].trim();
        return (!label.is_empty()).then_some(label);
    }
    if let Some((_, m)) = line.split_once("]: ") {
        return Some(m);
    }
    if t.starts_with("= ") {
        return t.split_once(": ").map(|(_, m)| m);
    }
    Some(t)
}

/// Fixtures with a message of an area not translated yet: (fixture, where the message is).
/// When that area is translated this test fails until the entry is removed.
const WAITING: &[(&str, &str)] = &[];

/// Every error fixture in Japanese (snapshots `error_fixtures_ja@…`), from the karte binary as
/// a user runs it. The same output in English has the same codes, places and carets, line by
/// line; every message of the Japanese is in Japanese.
#[test]
fn error_fixtures_ja() {
    // Kana or kanji.
    let japanese = |s: &str| {
        s.chars().any(|c| {
            ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{4e00}'..='\u{9fff}').contains(&c)
        })
    };
    insta::glob!("../fixtures/errors", "*.txt", |path| {
        let spec = std::fs::read_to_string(path).expect("fixture");
        let dir = project_from_spec(&spec);
        let en = compile_in(dir.path(), "en");
        let ja = compile_in(dir.path(), "ja");
        let (en_lines, ja_lines): (Vec<&str>, Vec<&str>) =
            (en.lines().collect(), ja.lines().collect());
        assert_eq!(
            en_lines.len(),
            ja_lines.len(),
            "{}: not as many lines in Japanese as in English\n{en}\n{ja}",
            path.display()
        );
        let name = path.file_name().unwrap().to_string_lossy();
        let waiting = WAITING.iter().find(|(f, _)| *f == name);
        let mut english = Vec::new();
        for (e, j) in en_lines.iter().zip(&ja_lines) {
            assert_eq!(
                structure(e),
                structure(j),
                "{}: codes, places or carets differ between\n  {e}\n  {j}",
                path.display()
            );
            match message_of(j) {
                Some(m) if *e != "compiled OK" && !japanese(m) => english.push(*j),
                _ => {}
            }
        }
        match waiting {
            None => assert!(
                english.is_empty(),
                "{}: messages not in Japanese:\n{}",
                path.display(),
                english.join("\n")
            ),
            Some((_, area)) => assert!(
                !english.is_empty(),
                "{}: every message is in Japanese now: remove it from WAITING ({area})",
                path.display()
            ),
        }
        insta::assert_snapshot!(ja);
    });
}

/// The directories whose messages all come from the catalogue (`t!`): a string literal or a
/// `format!` given to a diagnostic there is an English-only message.
const TRANSLATED: &[&str] = &[
    "src/project",
    "src/render",
    "src/sql",
    "src/graph",
    "src/lineage",
    "src/governance",
    "src/access",
    "src/state",
    "src/diag",
    "src/lint",
    "src/artifacts",
    "src/lib.rs",
    "src/cli/commands/lint.rs",
    "src/cli/commands/compile.rs",
    "src/cli/commands/ls.rs",
    "src/cli/commands/lineage.rs",
    "src/cli/commands/access.rs",
    "src/cli/commands/diff.rs",
];

/// `file:line: call` for each text given to `Diagnostic::error`/`warning` or to `.help`,
/// `.note`, `.label`, `.maybe_help` as a string literal or a `format!` (not a `t!` message),
/// outside `#[cfg(test)]` modules and tests.rs files, in the `.rs` files under `paths`. A text
/// that is not a message (SQL, a name) is marked by a `// not a message` comment on the line
/// before.
pub fn untranslated_messages(root: &std::path::Path, paths: &[&str]) -> Vec<String> {
    // The argument that is the message: the second of Diagnostic::error/warning (after the
    // code), the first of the others.
    let call = regex::Regex::new(
        r#"(?s)(Diagnostic::(?:error|warning)\(\s*[^,()]+,|\.(?:help|note|label|maybe_help)\()\s*(&?format!\s*\(|"|Some\(\s*(?:format!|"))"#,
    )
    .unwrap();
    let mut found = Vec::new();
    for p in paths {
        for entry in walkdir::WalkDir::new(root.join(p)) {
            let entry = entry.unwrap();
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "rs")
                || path.file_name().is_some_and(|n| n == "tests.rs")
            {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for m in call.find_iter(code) {
                let line = code[..m.start()].matches('\n').count() + 1;
                let before = code.lines().nth(line.saturating_sub(2)).unwrap_or_default();
                if line > 1 && before.contains("// not a message") {
                    continue;
                }
                let rel = path.strip_prefix(root).unwrap_or(path).display();
                let shown: String = m.as_str().split_whitespace().collect::<Vec<_>>().join(" ");
                found.push(format!("{rel}:{line}: {shown}"));
            }
        }
    }
    found
}

/// A new English-only message in a translated directory fails here: write it as a `t!`
/// message in src/i18n/{en,ja}/<area>.ftl.
#[test]
fn translated_directories_give_diagnostics_only_catalogue_messages() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = untranslated_messages(root, TRANSLATED);
    assert!(
        found.is_empty(),
        "messages that are not from the catalogue (use crate::t!, see docs/architecture.md):\n{}",
        found.join("\n")
    );
}

/// The scan finds what it should: a literal, a `format!` and a literal note, not `t!`
/// messages, marked texts or tests.
#[test]
fn the_message_scan_finds_literals_and_formats() {
    let dir = tempfile::tempdir().unwrap();
    let src = "fn f() {\n    Diagnostic::error(Code::Io, \"cannot\")\n        .help(crate::t!(\"x\"));\n    Diagnostic::warning(\n        Code::Io,\n        format!(\"no {x}\"),\n    )\n    .note(\"a note\")\n    // not a message: SQL\n    .label(format!(\"`{sql}`\"))\n    .label(t!(\"y\"));\n}\n#[cfg(test)]\nmod tests { fn g() { Diagnostic::error(Code::Io, \"ok in tests\"); } }\n";
    std::fs::create_dir_all(dir.path().join("src/a")).unwrap();
    std::fs::write(dir.path().join("src/a/m.rs"), src).unwrap();
    let found = untranslated_messages(dir.path(), &["src/a"]);
    let lines: Vec<&str> = found
        .iter()
        .map(|f| f.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["src/a/m.rs:2", "src/a/m.rs:4", "src/a/m.rs:8"],
        "{found:#?}"
    );
}
