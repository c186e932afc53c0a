//! Texts recorded in English as data — the phrases of plan.json (resume compares them), the
//! local engine's reasons for refusing a function — shown in a language: each known text is a
//! message, found by the recorded English. A text with values in it is found by a pattern
//! (`take release {name} of {table}`) whose holes are the message's arguments; a value that is
//! itself a known text is shown in the language too. An unknown text stays as recorded.

use fluent_bundle::FluentValue;

use super::{format_in, Lang};

/// `recorded` in `lang`: `exact` lists `(English, message id)`, `patterns` lists `(English
/// pattern, message id)` tried in order (put the more specific of two overlapping ones first).
pub fn show(
    lang: Lang,
    exact: &[(&str, &str)],
    patterns: &[(&str, &str)],
    recorded: &str,
) -> String {
    if let Some((_, id)) = exact.iter().find(|(en, _)| *en == recorded) {
        return format_in(lang, id, &[]);
    }
    for (pattern, id) in patterns {
        if let Some(values) = match_pattern(pattern, recorded) {
            let args: Vec<(&str, FluentValue<'static>)> = values
                .into_iter()
                .map(|(name, value)| (name, show(lang, exact, patterns, value).into()))
                .collect();
            return format_in(lang, id, &args);
        }
    }
    recorded.to_string()
}

/// The values of the `{name}` holes when `text` has the shape of `pattern` (the literal pieces
/// equal, each value non-empty; a value followed by a literal piece ends at that piece's last
/// place), else `None`.
pub fn match_pattern<'p, 't>(pattern: &'p str, text: &'t str) -> Option<Vec<(&'p str, &'t str)>> {
    // Literal pieces and hole names, alternating: lit, name, lit, name, …, lit.
    let mut lits = Vec::new();
    let mut names = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        lits.push(&rest[..open]);
        names.push(&rest[open + 1..close]);
        rest = &rest[close + 1..];
    }
    lits.push(rest);
    if names.is_empty() {
        return (pattern == text).then(Vec::new);
    }
    let mut t = text.strip_prefix(lits[0])?;
    t = t.strip_suffix(lits[lits.len() - 1])?;
    let inner = &lits[1..lits.len() - 1];
    let mut values = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let value = match inner.get(i) {
            Some(lit) => {
                let end = t.rfind(lit)?;
                let v = &t[..end];
                t = &t[end + lit.len()..];
                v
            }
            None => std::mem::take(&mut t),
        };
        if value.is_empty() {
            return None;
        }
        values.push((*name, value));
    }
    Some(values)
}
