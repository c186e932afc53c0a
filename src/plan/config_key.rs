//! Where a config key of a node is written, for the caret of a config error (E401/E402…). A
//! node's config is merged from three places, most specific first: the `config(...)` call in
//! its SQL, its entry in a property file (`models/**/*.yml`, `seeds/*.yml`,
//! `snapshots/*.yml`), and karte.yml (`models:` / `seeds:` / `snapshots:` defaults, `+key:`).
//! The key is looked for as a key in each place in that order — not as any text, which would
//! find `date_format(` for `format`. Some errors name a value instead (a partition column):
//! that is found as a whole word in the node's `config(...)`, then in its file; what is found
//! nowhere names the node's file without a caret. Only errors call this: the property files
//! are read then.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::diag::Location;
use crate::project::Node;

/// The place of `key` of `node`'s config, under the project directory `root`.
pub fn locate(root: &Path, node: &Node, key: &str) -> Location {
    if let Some(span) = in_config_call(&node.text, key) {
        return Location::from_span(&node.path, &node.text, span);
    }
    for (path, text) in property_files(root) {
        if let Some(span) = in_property_entry(&text, &node.name, key) {
            return Location::from_span(&path, &text, span);
        }
    }
    let project = PathBuf::from(crate::project::PROJECT_FILE);
    if let Ok(text) = std::fs::read_to_string(root.join(&project)) {
        if let Some(span) = in_project_file(&text, key) {
            return Location::from_span(&project, &text, span);
        }
    }
    let call = regex::Regex::new(r"\{\{-?\s*config\s*\(").expect("valid regex");
    let calls = call
        .find_iter(&node.text)
        .map(|m| m.end()..call_end(&node.text, m.end()));
    for range in calls.chain(std::iter::once(0..node.text.len())) {
        if let Some(span) = whole_word(&node.text[range.clone()], key) {
            return Location::from_span(
                &node.path,
                &node.text,
                range.start + span.start..range.start + span.end,
            );
        }
    }
    Location::file_only(&node.path)
}

/// `word` in `text` where it is not part of a longer name.
fn whole_word(text: &str, word: &str) -> Option<Range<usize>> {
    let name_char = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word)
        .map(|(i, _)| i..i + word.len())
        .find(|r| {
            !text[..r.start].chars().next_back().is_some_and(name_char)
                && !text[r.end..].chars().next().is_some_and(name_char)
        })
}

/// `key` as an argument of a `{{ config(...) }}` call in a SQL file: `key=…` or `'key': …`.
fn in_config_call(text: &str, key: &str) -> Option<Range<usize>> {
    let call = regex::Regex::new(r"\{\{-?\s*config\s*\(").expect("valid regex");
    let arg = regex::Regex::new(&format!(
        r#"(?:^|[\s,(])({k})\s*=[^=]|['"]({k})['"]\s*:"#,
        k = regex::escape(key)
    ))
    .expect("valid regex");
    for m in call.find_iter(text) {
        let body = m.end()..call_end(text, m.end());
        if let Some(c) = arg.captures(&text[body.clone()]) {
            let k = c.get(1).or_else(|| c.get(2))?;
            return Some(body.start + k.start()..body.start + k.end());
        }
    }
    None
}

/// The offset of the `)` closing a call whose arguments start at `start` (quotes skipped), or
/// the end of the text.
fn call_end(text: &str, start: usize) -> usize {
    let mut depth = 1;
    let mut quote: Option<char> = None;
    for (i, c) in text[start..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return start + i;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// The YAML files that can hold a node's properties, relative to `root`, with their text.
fn property_files(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for top in ["models", "seeds", "snapshots"] {
        let mut dirs = vec![PathBuf::from(top)];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
                continue;
            };
            let mut entries: Vec<_> = entries.flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let rel = dir.join(e.file_name());
                let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                if is_dir {
                    dirs.push(rel);
                } else if rel.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                    if let Ok(text) = std::fs::read_to_string(root.join(&rel)) {
                        out.push((rel, text));
                    }
                }
            }
        }
    }
    out
}

/// Lines of `text` with their byte offset.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split_inclusive('\n').map(move |l| {
        let start = at;
        at += l.len();
        (start, l.trim_end_matches(['\n', '\r']))
    })
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// `key:` (or `+key:`) as a key written on `line`: the span of the name within the line.
fn key_on_line(line: &str, key: &str) -> Option<Range<usize>> {
    let rest = line.trim_start();
    let at = indent(line) + usize::from(rest.starts_with('+'));
    let rest = rest.strip_prefix('+').unwrap_or(rest);
    let rest = rest.strip_prefix(key)?;
    rest.trim_start()
        .starts_with(':')
        .then_some(at..at + key.len())
}

/// `key` inside the list entry `- name: <name>` of a property file.
fn in_property_entry(text: &str, name: &str, key: &str) -> Option<Range<usize>> {
    let mut entry: Option<usize> = None;
    for (start, line) in lines(text) {
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(dash) = entry {
            if indent(line) <= dash {
                entry = None;
            } else if let Some(span) = key_on_line(line, key) {
                return Some(start + span.start..start + span.end);
            }
        }
        if entry.is_none() {
            let named = content
                .strip_prefix("- name:")
                .map(|v| v.trim().trim_matches(['\'', '"']));
            if named == Some(name) {
                entry = Some(indent(line));
            }
        }
    }
    None
}

/// `+key:` or `key:` nested under karte.yml's `models:`, `seeds:` or `snapshots:`.
fn in_project_file(text: &str, key: &str) -> Option<Range<usize>> {
    let mut inside = false;
    for (start, line) in lines(text) {
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if indent(line) == 0 {
            inside = ["models:", "seeds:", "snapshots:"]
                .iter()
                .any(|s| content.starts_with(s));
            continue;
        }
        if inside {
            if let Some(span) = key_on_line(line, key) {
                return Some(start + span.start..start + span.end);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_as_a_key_not_as_a_word() {
        let sql = "-- date_format(x)\n{{ config(materialized='table', format = 'json') }}\nselect date_format(d, '%Y')";
        let span = in_config_call(sql, "format").unwrap();
        assert_eq!(&sql[span.clone()], "format");
        assert!(span.start > sql.find("{{").unwrap());
        let dict = "{{ config({'format': 'json'}) }}";
        assert_eq!(&dict[in_config_call(dict, "format").unwrap()], "format");
        assert_eq!(in_config_call("select date_format(d, 'x')", "format"), None);

        let yml = "models:\n  - name: b\n    config:\n      format: json\n  - name: a\n    description: the format of a\n    config:\n      +format: orc\n";
        let span = in_property_entry(yml, "a", "format").unwrap();
        assert_eq!(&yml[span.clone()], "format");
        assert!(span.start > yml.find("name: a").unwrap());
        assert_eq!(in_property_entry(yml, "c", "format"), None);

        let project = "name: x\nformat_notes: 1\nmodels:\n  +format: json\n";
        let span = in_project_file(project, "format").unwrap();
        assert_eq!(&project[span.clone()], "format");
        assert_eq!(span.start, project.find("+format").unwrap() + 1);
    }
}
