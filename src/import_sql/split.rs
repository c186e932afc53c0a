//! Reading scripts and splitting them into statements, by the tokens: a `;` at parenthesis
//! depth 0 ends a statement. Comments are kept with the statement they precede, so that a
//! model keeps its author's header.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::PathBuf;

use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use super::ImportError;
use crate::sql::{AthenaDialect, Positions};

/// One script as read.
#[derive(Debug)]
pub struct Script {
    /// The path as shown to the user.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// The text as it is parsed: every scheduler variable `${name}` that stands alone
    /// (not glued to a letter, digit or `_`) replaced by `kv_name`, of the same length, so that
    /// byte ranges are the same in both.
    pub parse: String,
    /// The names of those variables.
    pub vars: BTreeSet<String>,
}

impl Script {
    /// A script read from `path`.
    pub fn new(path: PathBuf, text: String) -> Script {
        let (parse, vars) = scheduler_vars(&text);
        Script {
            path,
            text,
            parse,
            vars,
        }
    }
}

/// The prefix a scheduler variable `${name}` becomes while parsing (`kv_name`: as long).
pub const VAR_STANDIN: &str = "kv_";

/// `text` with each standalone `${name}` replaced by `kv_name`, and the names.
fn scheduler_vars(text: &str) -> (String, BTreeSet<String>) {
    static VAR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}").expect("valid regex")
    });
    let glued = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut vars = BTreeSet::new();
    let mut last = 0;
    for m in VAR.captures_iter(text) {
        let whole = m.get(0).expect("match");
        let before = text[..whole.start()].chars().next_back();
        let after = text[whole.end()..].chars().next();
        if glued(before) || glued(after) {
            continue;
        }
        let name = &m[1];
        out.push_str(&text[last..whole.start()]);
        out.push_str(VAR_STANDIN);
        out.push_str(name);
        last = whole.end();
        vars.insert(name.to_string());
    }
    out.push_str(&text[last..]);
    (out, vars)
}

/// A token of a statement with its byte range in the script.
#[derive(Debug, Clone)]
pub struct Tok {
    /// The token (never whitespace nor a comment).
    pub token: Token,
    /// Byte range in the script.
    pub span: Range<usize>,
}

/// One statement of a script.
#[derive(Debug)]
pub struct Statement {
    /// Index of its script.
    pub script: usize,
    /// Byte range from its first token to its last (the `;` excluded).
    pub range: Range<usize>,
    /// The comment lines written before it (after the previous statement), as written.
    pub lead: String,
    /// Its tokens, without whitespace and comments.
    pub tokens: Vec<Tok>,
    /// Byte ranges of the comments inside the statement.
    pub comments: Vec<Range<usize>>,
}

/// Split a script into statements; a tokenizer error or unbalanced parentheses is an error at
/// its place.
pub fn split(script_index: usize, script: &Script) -> Result<Vec<Statement>, ImportError> {
    let text = &script.parse;
    let mut positions = Positions::new(text);
    let tokens = Tokenizer::new(&AthenaDialect, text)
        .tokenize_with_location()
        .map_err(|e| ImportError::Syntax {
            script: script_index,
            at: positions.offset(e.location),
            detail: super::messages::Detail::Tokenizer(e.message),
        })?;
    let mut out = Vec::new();
    let mut current: Vec<Tok> = Vec::new();
    let mut comments: Vec<Range<usize>> = Vec::new();
    let mut lead = String::new();
    let mut depth: Vec<usize> = Vec::new();
    for t in tokens {
        let span = positions.range(t.span);
        match &t.token {
            Token::EOF => continue,
            Token::Whitespace(w) => {
                let is_comment = matches!(
                    w,
                    Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)
                );
                if !is_comment {
                    continue;
                }
                if current.is_empty() {
                    // Before the statement: its header. A `--` comment's span ends after the
                    // line break; keep the text as written, one comment per line.
                    let c = text[span.clone()].trim_end_matches(['\n', '\r']);
                    lead.push_str(c);
                    lead.push('\n');
                } else {
                    comments.push(span);
                }
                continue;
            }
            Token::SemiColon if depth.is_empty() => {
                if let Some(s) = finish(script_index, &mut current, &mut comments, &mut lead) {
                    out.push(s);
                }
                lead.clear();
                continue;
            }
            Token::LParen => depth.push(span.start),
            Token::RParen if depth.pop().is_none() => {
                return Err(ImportError::Syntax {
                    script: script_index,
                    at: span.start,
                    detail: super::messages::Detail::UnopenedParen,
                });
            }
            _ => {}
        }
        current.push(Tok {
            token: t.token,
            span,
        });
    }
    if let Some(&open) = depth.first() {
        return Err(ImportError::Syntax {
            script: script_index,
            at: open,
            detail: super::messages::Detail::UnclosedParen,
        });
    }
    if let Some(s) = finish(script_index, &mut current, &mut comments, &mut lead) {
        out.push(s);
    }
    Ok(out)
}

fn finish(
    script: usize,
    current: &mut Vec<Tok>,
    comments: &mut Vec<Range<usize>>,
    lead: &mut String,
) -> Option<Statement> {
    if current.is_empty() {
        return None;
    }
    let tokens = std::mem::take(current);
    let comments = std::mem::take(comments);
    // Comments before the `;` stay with the statement (a `--` comment without its line break).
    let end = comments
        .last()
        .map(|c: &Range<usize>| c.end)
        .unwrap_or(0)
        .max(tokens[tokens.len() - 1].span.end);
    let range = tokens[0].span.start..end;
    Some(Statement {
        script,
        range,
        lead: std::mem::take(lead),
        tokens,
        comments,
    })
}
