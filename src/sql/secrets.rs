//! Secrets in SQL, at compile time: `{secret:NAME}` placeholders (put there by macros such as
//! `pseudonymize`, or written in a string literal) name environment variables that are filled
//! in only when a step or a data test runs ([`crate::execute::secrets`]), so compiled files,
//! plans and journals never hold the value. Only names declared under `secrets:` in karte.yml
//! are filled; any other name is error `E211` at compile time ([`check_nodes`], [`check_sql`])
//! and refused again at run time.

use std::ops::Range;
use std::path::Path;

use crate::diag::{Code, Diagnostic, Location};
use crate::project::{Project, Secrets};

/// Placeholder for a secret, `{secret:NAME}`.
pub const SECRET_PREFIX: &str = "{secret:";

/// The placeholders in `text`: the byte range of each `{secret:…}` and the name inside (not
/// checked; see [`valid_name`]).
pub fn placeholders(text: &str) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(SECRET_PREFIX) {
        let start = from + i;
        let name_start = start + SECRET_PREFIX.len();
        let Some(len) = text[name_start..].find('}') else {
            break;
        };
        let end = name_start + len + 1;
        out.push((start..end, &text[name_start..name_start + len]));
        from = end;
    }
    out
}

/// A secret's name is an environment variable name: ASCII letters, digits and `_`.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `place(name, placeholder, diagnostic)` locates it in the file the SQL came from.
pub fn check_sql(
    sql: &str,
    declared: &Secrets,
    place: &dyn Fn(&str, &str, Diagnostic) -> Diagnostic,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (_, name) in placeholders(sql) {
        if declared.contains(name) || !seen.insert(name) {
            continue;
        }
        let d = if valid_name(name) {
            let mut names: Vec<&str> = declared.names().collect();
            names.sort_unstable();
            Diagnostic::error(
                Code::SecretNotDeclared,
                crate::t!("e211-secret-not-declared", name = name),
            )
            .label(crate::t!("e211-label"))
            .help(crate::t!(
                "e211-help",
                names = names
                    .into_iter()
                    .chain(std::iter::once(name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        } else {
            Diagnostic::error(
                Code::SecretNotDeclared,
                crate::t!(
                    "e211-bad-placeholder",
                    placeholder = format!("{SECRET_PREFIX}{name}}}")
                ),
            )
            .help(crate::t!("e211-bad-placeholder-help"))
        };
        out.push(place(name, &format!("{SECRET_PREFIX}{name}}}"), d));
    }
    out
}

/// [`check_sql`] for rendered nodes: `(node index, SQL)`. A placeholder is placed where the
/// model writes it, else at the macro call that names the secret (`salt_var='NAME'`), else at
/// the start of the file.
pub fn check_nodes<'a>(
    project: &Project,
    rendered: impl IntoIterator<Item = (usize, &'a str)>,
) -> Vec<Diagnostic> {
    let declared = &project.config.secrets;
    let mut out = Vec::new();
    for name in declared.names() {
        if !valid_name(name) {
            out.push(
                Diagnostic::error(
                    Code::InvalidConfig,
                    crate::t!("e004-bad-secret-name", name = name),
                )
                .at(Location::file_only(Path::new(crate::project::PROJECT_FILE)))
                .help(crate::t!("e004-bad-secret-name-help")),
            );
        }
    }
    for (i, sql) in rendered {
        let node = &project.nodes[i];
        let place = |name: &str, placeholder: &str, d: Diagnostic| {
            let text = &node.text;
            let span = text
                .find(placeholder)
                .map(|s| s..s + placeholder.len())
                .or_else(|| {
                    ['\'', '"'].iter().find_map(|q| {
                        let quoted = format!("{q}{name}{q}");
                        text.find(&quoted).map(|s| s + 1..s + 1 + name.len())
                    })
                });
            match span {
                Some(span) => d.at(Location::from_span(&node.path, text, span)),
                None => d
                    .at(Location::from_span(&node.path, text, 0..0))
                    .note(crate::t!("e211-from-macro")),
            }
        };
        out.extend(check_sql(sql, declared, &place));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(names: &[&str]) -> Secrets {
        Secrets(names.iter().map(|n| (n.to_string(), None)).collect())
    }

    #[test]
    fn undeclared_placeholders_are_located() {
        let d = declared(&["A"]);
        let text = "select\n  '{secret:B}', '{secret:A}', '{secret:B}'";
        let diags = check_sql(text, &d, &|_, p, d| {
            let s = text.find(p).unwrap();
            d.at(Location::from_span(
                Path::new("m.sql"),
                text,
                s..s + p.len(),
            ))
        });
        assert_eq!(diags.len(), 1);
        let loc = diags[0].location.as_ref().unwrap();
        assert_eq!((loc.line, loc.col), (2, 4));
        assert!(diags[0]
            .help
            .as_deref()
            .unwrap()
            .contains("secrets: [A, B]"));
    }
}
