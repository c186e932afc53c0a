use std::collections::{BTreeMap, BTreeSet};

use super::*;

/// `id → variables` of one catalogue source (messages and their `.attributes`).
fn messages(src: &str) -> Vec<(String, BTreeSet<String>)> {
    let var = regex::Regex::new(r"\$([a-zA-Z][a-zA-Z0-9_-]*)").unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in src.lines() {
        let starts_message = line
            .split_once(" =")
            .filter(|(id, _)| {
                !id.is_empty()
                    && id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .map(|(id, rest)| (id.to_string(), rest.to_string()));
        if let Some((id, rest)) = starts_message {
            out.push((id, rest));
        } else if let Some((_, text)) = out.last_mut() {
            if !line.starts_with('#') {
                text.push('\n');
                text.push_str(line);
            }
        }
    }
    out.into_iter()
        .map(|(id, text)| {
            let vars = var.captures_iter(&text).map(|c| c[1].to_string()).collect();
            (id, vars)
        })
        .collect()
}

#[test]
fn catalogue_files_parse() {
    for (area, en, ja) in FILES {
        for (lang, src) in [("en", en), ("ja", ja)] {
            if let Err((_, errors)) = FluentResource::try_new(src.to_string()) {
                panic!("src/i18n/{lang}/{area}.ftl does not parse: {errors:?}");
            }
        }
    }
}

#[test]
fn both_languages_have_the_same_messages_with_the_same_arguments() {
    let mut all: BTreeMap<&str, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (area, en, ja) in FILES {
        for (lang, src) in [("en", en), ("ja", ja)] {
            let map = all.entry(lang).or_default();
            for (id, vars) in messages(src) {
                assert!(
                    map.insert(id.clone(), vars).is_none(),
                    "message `{id}` is defined twice in src/i18n/{lang}/ (second time in {area}.ftl)"
                );
            }
        }
    }
    let (en, ja) = (&all["en"], &all["ja"]);
    let only_en: Vec<_> = en.keys().filter(|k| !ja.contains_key(*k)).collect();
    let only_ja: Vec<_> = ja.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty(), "only in English: {only_en:?}");
    assert!(only_ja.is_empty(), "only in Japanese: {only_ja:?}");
    for (id, vars) in en {
        assert_eq!(
            vars, &ja[id],
            "message `{id}` uses different arguments in English and Japanese"
        );
    }
}

#[test]
fn every_message_the_code_uses_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let used =
        regex::Regex::new(r#"(?:^|[^A-Za-z0-9_])t!\(\s*(?:[^"()]*=>\s*)?"([^"]+)""#).unwrap();
    let mut missing = Vec::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for c in used.captures_iter(&text) {
                for lang in Lang::ALL {
                    if bundle(lang).get_message(&c[1]).is_none() {
                        missing.push(format!(
                            "{} ({}): {}",
                            &c[1],
                            lang.code(),
                            entry.path().display()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "messages used but not in the catalogue: {missing:#?}"
    );
}

#[test]
fn arguments_and_plurals_are_formatted_by_fluent() {
    let en = t!(Lang::En => "summary-errors", count = 1usize);
    let en2 = t!(Lang::En => "summary-errors", count = 2usize);
    let ja = t!(Lang::Ja => "summary-errors", count = 2usize);
    assert_eq!(en, "1 error");
    assert_eq!(en2, "2 errors");
    assert_eq!(ja, "エラー 2 件");
    // No isolation marks around arguments.
    assert!(!en2.contains('\u{2068}'));
}

#[test]
fn the_language_comes_from_the_flag_then_the_environment() {
    assert_eq!(Lang::parse("ja_JP.UTF-8"), Some(Lang::Ja));
    assert_eq!(Lang::parse("en_US.UTF-8"), Some(Lang::En));
    assert_eq!(Lang::parse("C.UTF-8"), Some(Lang::En));
    assert_eq!(Lang::parse("fr_FR"), None);
    assert_eq!(Lang::choose(Some("ja")), Lang::Ja);
    assert_eq!(Lang::choose(Some("en")), Lang::En);
}
