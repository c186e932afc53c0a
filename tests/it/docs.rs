//! Documentation stays true: every diagnostic code is in docs/errors.md, the local engine's
//! function table in docs/local-engine.md is the one in the code.

fn read_doc(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The codes of a table row (`| E204 | …`), in the order of the file.
fn documented_codes(doc: &str) -> Vec<String> {
    doc.lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split_once(" |"))
        .map(|(code, _)| code.to_string())
        .filter(|c| {
            c.len() == 4
                && c.starts_with(['E', 'W', 'L'])
                && c[1..].chars().all(|d| d.is_ascii_digit())
        })
        .collect()
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn every_code_is_documented() {
    for path in ["docs/errors.md", "docs/ja/errors.md"] {
        let doc = read_doc(path);
        for code in karte::diag::Code::ALL {
            let needle = format!("| {} |", code.as_str());
            assert!(doc.contains(&needle), "{} is not in {path}", code.as_str());
        }
    }
}

/// docs/ja/errors.md is the twin of docs/errors.md: the same codes in the same order, and
/// under each section the anchor of the English heading, so that links work in both.
#[test]
fn the_japanese_error_list_is_the_english_one() {
    let (en, ja) = (read_doc("docs/errors.md"), read_doc("docs/ja/errors.md"));
    let (en_codes, ja_codes) = (documented_codes(&en), documented_codes(&ja));
    assert!(en_codes.len() > 50, "codes not found in docs/errors.md");
    assert_eq!(
        en_codes, ja_codes,
        "docs/errors.md and docs/ja/errors.md list different codes (or in another order)"
    );
    let en_anchors: Vec<String> = en
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(anchor)
        .collect();
    let ja_anchors: Vec<String> = ja
        .lines()
        .filter_map(|l| l.strip_prefix("<a id=\""))
        .filter_map(|l| l.split_once('"'))
        .map(|(id, _)| id.to_string())
        .collect();
    assert_eq!(
        en_anchors, ja_anchors,
        "every `## ` section of docs/errors.md needs `<a id=\"…\"></a>` with its anchor in docs/ja/errors.md, in the same order"
    );
    assert!(
        en.contains("](ja/errors.md)"),
        "docs/errors.md links to its Japanese twin"
    );
    assert!(
        ja.contains("](../errors.md)"),
        "docs/ja/errors.md links to the English list"
    );
}

/// docs/operations.md documents every field of the generic webhook's body (and so every
/// template variable) and of its items.
#[test]
fn the_webhook_body_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/operations.md"))
        .unwrap();
    let item = serde_json::to_value(&karte::notify::message::sample().failed[0]).unwrap();
    let item_keys = item.as_object().unwrap().keys().cloned();
    for key in karte::notify::message::webhook_keys()
        .into_iter()
        .chain(item_keys)
    {
        assert!(
            doc.contains(&format!("| `{key}` |")),
            "`{key}` is not documented in docs/operations.md"
        );
    }
}

/// docs/local-engine.md holds the translation's function table as generated from the code.
#[cfg(feature = "duckdb-engine")]
#[test]
fn local_engine_function_table_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/local-engine.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let (begin, end) = ("<!-- functions:begin -->\n", "<!-- functions:end -->");
    let start = doc.find(begin).expect("begin marker") + begin.len();
    let stop = doc.find(end).expect("end marker");
    let table = karte::engine::duckdb::translate::functions_markdown();
    if doc[start..stop] != table {
        if std::env::var_os("KARTE_UPDATE_DOCS").is_some() {
            let new = format!("{}{}{}", &doc[..start], table, &doc[stop..]);
            std::fs::write(path, new).unwrap();
            return;
        }
        panic!("docs/local-engine.md's function table is out of date: run the tests with KARTE_UPDATE_DOCS=1");
    }
}

/// The commands of a README: the lines of its ```sh, ```bash and ```console blocks that run
/// karte, cargo or bash (or show a `$ ` prompt), without a trailing `# comment` (comments are
/// translated, commands are not).
fn readme_commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        let t = line.trim();
        if let Some(lang) = t.strip_prefix("```") {
            in_block = !in_block && matches!(lang.trim(), "sh" | "bash" | "console");
            continue;
        }
        if !in_block {
            continue;
        }
        let command = match t.find("  #") {
            Some(i) => t[..i].trim_end(),
            None => t,
        };
        if ["karte", "cargo", "bash", "$ "]
            .iter()
            .any(|p| command.starts_with(p))
        {
            out.push(command.to_string());
        }
    }
    out
}

/// README.ja.md is README.md for Japanese readers: both give the same commands.
#[test]
fn both_readmes_give_the_same_commands() {
    let (en, ja) = (read_doc("README.md"), read_doc("README.ja.md"));
    let (en_cmds, ja_cmds) = (readme_commands(&en), readme_commands(&ja));
    assert!(
        en_cmds.len() >= 5,
        "commands not found in README.md: {en_cmds:?}"
    );
    for c in &en_cmds {
        assert!(
            ja_cmds.contains(c),
            "README.ja.md lacks `{c}` (in README.md)"
        );
    }
    for c in &ja_cmds {
        assert!(
            en_cmds.contains(c),
            "README.md lacks `{c}` (in README.ja.md)"
        );
    }
    // The first lines are the same two commands.
    assert_eq!(
        en_cmds[..2],
        ja_cmds[..2],
        "both READMEs start with the same commands"
    );
    assert!(
        en.contains("](README.ja.md)"),
        "README.md links to README.ja.md"
    );
    assert!(
        ja.contains("](README.md)"),
        "README.ja.md links to README.md"
    );
}
