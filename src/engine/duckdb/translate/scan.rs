//! Byte offsets of parser locations, and the constructs visible in the tokens alone (time
//! travel, `$` pseudo-columns).

use sqlparser::tokenizer::{Location, Token, Tokenizer};

use super::Untranslatable;
use crate::sql::AthenaDialect;

/// Maps sqlparser's line/column locations to byte offsets.
pub(super) struct Positions<'a> {
    sql: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Positions<'a> {
    pub(super) fn new(sql: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(sql.match_indices('\n').map(|(i, _)| i + 1));
        Positions { sql, line_starts }
    }

    pub(super) fn offset(&self, loc: Location) -> usize {
        let (Ok(line), Ok(column)) = (usize::try_from(loc.line), usize::try_from(loc.column))
        else {
            return 0;
        };
        if line == 0 || column == 0 {
            return 0;
        }
        let Some(&start) = self.line_starts.get(line - 1) else {
            return 0;
        };
        let rest = self.sql.get(start..).unwrap_or("");
        start
            + rest
                .char_indices()
                .nth(column - 1)
                .map_or(rest.len(), |(i, _)| i)
    }

    /// The offset of the `Line: l, Column: c` a parser message mentions, or 0.
    pub(super) fn offset_in_message(&self, message: &str) -> usize {
        let number_after = |key: &str| -> Option<u64> {
            let rest = &message[message.rfind(key)? + key.len()..];
            let digits: String = rest
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        };
        match (number_after("Line:"), number_after("Column:")) {
            (Some(line), Some(column)) => self.offset(Location { line, column }),
            _ => 0,
        }
    }
}

/// Finds constructs visible in the tokens alone: time travel and `$` pseudo-columns.
pub(super) fn scan_tokens(sql: &str, positions: &Positions) -> Vec<Untranslatable> {
    let Ok(tokens) = Tokenizer::new(&AthenaDialect, sql).tokenize_with_location() else {
        return Vec::new();
    };
    /// A token's text as written, upper-cased for keyword comparison, whether it is a quoted
    /// identifier, and where it starts.
    struct Word {
        text: String,
        upper: String,
        quoted: bool,
        start: Location,
    }
    let words: Vec<Word> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .map(|t| {
            let (text, quoted) = match &t.token {
                Token::Word(w) => (w.value.clone(), w.quote_style.is_some()),
                other => (other.to_string(), false),
            };
            Word {
                upper: text.to_ascii_uppercase(),
                text,
                quoted,
                start: t.span.start,
            }
        })
        .collect();
    let mut problems = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let next = |k: usize| words.get(i + k).map(|w| w.upper.as_str());
        if word.upper == "FOR" && !word.quoted && next(2) == Some("AS") && next(3) == Some("OF") {
            let kind = match next(1) {
                Some("TIMESTAMP") | Some("SYSTEM_TIME") => "FOR TIMESTAMP AS OF",
                Some("VERSION") | Some("SYSTEM_VERSION") => "FOR VERSION AS OF",
                _ => continue,
            };
            problems.push(time_travel(kind, positions.offset(word.start)));
        }
        let name = &word.text;
        if name.len() > 1
            && name.starts_with('$')
            && !name[1..].starts_with(|c: char| c.is_ascii_digit())
        {
            problems.push(Untranslatable {
                construct: format!("\"{name}\""),
                offset: positions.offset(word.start),
                message: format!(
                    "the pseudo-column \"{name}\" describes Athena's files and only exists on Athena"
                ),
            });
        }
    }
    problems
}

pub(super) fn time_travel(kind: &str, offset: usize) -> Untranslatable {
    Untranslatable {
        construct: kind.into(),
        offset,
        message: "Iceberg time travel only runs on Athena; the local engine has only the \
                  current table"
            .into(),
    }
}
