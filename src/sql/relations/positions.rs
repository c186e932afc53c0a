//! Sqlparser's locations as byte offsets in the analysed text: [`Positions`] converts the
//! 1-based (line, character column) locations of tokens and spans, and [`parse_error`] turns a
//! parser error (whose location is only in its message) into a message and an offset.

use std::ops::Range;

use sqlparser::parser::ParserError;
use sqlparser::tokenizer::{Location, Span};

use super::SqlParseError;

/// Converts sqlparser's 1-based (line, character column) locations to byte offsets.
///
/// A location on a pure-ASCII line converts in O(1) (Japanese is mostly in comments, on lines
/// of their own); on other lines a cursor remembers the last position, so converting locations
/// in text order walks each line once.
pub(crate) struct Positions<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// Per line: it is pure ASCII.
    ascii_lines: Vec<bool>,
    /// Last converted (line, column, byte offset), for non-ASCII lines.
    cursor: (u64, u64, usize),
}

impl<'a> Positions<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        let mut ascii_lines = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            start += line.len();
            line_starts.push(start);
            ascii_lines.push(line.is_ascii());
        }
        // `split_inclusive` yields no empty last line: the text's end starts no line unless
        // the text ends with a newline.
        if text.is_empty() || text.ends_with('\n') {
            ascii_lines.push(true);
        } else {
            line_starts.pop();
        }
        Positions {
            text,
            line_starts,
            ascii_lines,
            cursor: (0, 0, 0),
        }
    }

    /// Byte offset of a location; locations past the end of a line or the text are clamped, and
    /// the "unknown" location (line 0) maps to the end of the text.
    pub(crate) fn offset(&mut self, loc: Location) -> usize {
        let (line, col) = (loc.line, loc.column.max(1));
        let Some(&start) = usize::try_from(line)
            .ok()
            .and_then(|l| l.checked_sub(1))
            .and_then(|l| self.line_starts.get(l))
        else {
            return self.text.len();
        };
        let end = usize::try_from(line)
            .ok()
            .and_then(|l| self.line_starts.get(l))
            .copied()
            .unwrap_or(self.text.len());
        let ascii = usize::try_from(line - 1)
            .ok()
            .and_then(|l| self.ascii_lines.get(l))
            .copied()
            .unwrap_or(false);
        if ascii {
            let col = usize::try_from(col - 1).unwrap_or(usize::MAX);
            return start.saturating_add(col).min(end);
        }
        let (mut c, mut b) = match self.cursor {
            (l, c, b) if l == line && c <= col => (c, b),
            _ => (1, start),
        };
        let mut chars = self.text[b..end].chars();
        while c < col {
            let Some(ch) = chars.next() else { break };
            b += ch.len_utf8();
            c += 1;
        }
        self.cursor = (line, c, b);
        b
    }

    /// Byte range of a span (end exclusive, as the tokenizer reports it).
    pub(crate) fn range(&mut self, span: Span) -> Range<usize> {
        if span.start.line == 0 {
            return 0..0;
        }
        let start = self.offset(span.start);
        let end = self.offset(span.end).max(start);
        start..end
    }
}
/// Turns a parser error into a message and byte offset.
pub(super) fn parse_error(
    error: ParserError,
    sql: &str,
    positions: &mut Positions,
) -> SqlParseError {
    let message = match error {
        ParserError::ParserError(m) | ParserError::TokenizerError(m) => m,
        ParserError::RecursionLimitExceeded => {
            return SqlParseError {
                message: crate::t!("sql-nested-too-deeply"),
                offset: 0,
            }
        }
    };
    match split_location(&message) {
        Some((text, line, column)) if line > 0 => SqlParseError {
            message: text.to_string(),
            offset: positions.offset(Location { line, column }),
        },
        Some((text, _, _)) => SqlParseError {
            message: text.to_string(),
            offset: sql.len(),
        },
        None => SqlParseError {
            message,
            offset: sql.len(),
        },
    }
}

/// Splits `"… at Line: X, Column: Y"` into the message and the location.
pub(super) fn split_location(message: &str) -> Option<(&str, u64, u64)> {
    let at = message.rfind(" at Line: ")?;
    let (line, column) = message[at + " at Line: ".len()..].split_once(", Column: ")?;
    Some((
        &message[..at],
        line.trim().parse().ok()?,
        column.trim().parse().ok()?,
    ))
}
