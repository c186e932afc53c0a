//! The text of a dbt project's templates, rewritten before minijinja parses it (docs/dbt.md,
//! "The Jinja dbt projects use"):
//!
//! - in macro files, `{% macro name(` becomes `{% macro __karte_name(`, so that every call of
//!   `name` goes through the global `name` (which handles `return()` and packages), and a
//!   generic test block `{% test name(…) %}…{% endtest %}` becomes the macro `test_name`, as
//!   dbt makes it;
//! - everywhere, list and dict literals (`[]`, `['a', b]`, `{}`, `{'k': v}`) become
//!   `__karte_list(…)` / `__karte_dict(…)`: values that `append`, `extend`, `update`, `pop`
//!   change in place, as Python's do (dbt templates build lists that way; minijinja's own are
//!   immutable).
//!
//! Every change is recorded as an [`Edit`], so an error's position in the rewritten text can
//! be placed back in the file as written ([`back`]).

use super::INNER;

/// One change: at `at` in the new text, `new` bytes replace `old` bytes of the original.
pub(crate) type Edit = (usize, usize, usize);

/// The global that makes a list literal changeable.
pub(super) const LIST: &str = "__karte_list";
/// The global that makes a dict literal changeable.
pub(super) const DICT: &str = "__karte_dict";

/// The rewritten text and its edits. `macros`: the text is a macro file (macro and test
/// blocks are renamed).
pub(crate) fn rewrite(text: &str, macros: bool) -> (String, Vec<Edit>) {
    let mut w = Writer {
        text,
        out: String::with_capacity(text.len() + text.len() / 8),
        edits: Vec::new(),
        copied: 0,
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        let close: &[u8] = match bytes[i + 1] {
            b'{' => b"}}",
            b'%' => b"%}",
            b'#' => {
                // A comment: nothing in it is rewritten.
                i = find(bytes, i + 2, b"#}").map_or(bytes.len(), |j| j + 2);
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let start = i + 2;
        if bytes[i + 1] == b'%' && is_raw(text, start) {
            i = text[start..]
                .find("endraw")
                .map_or(bytes.len(), |j| start + j);
            continue;
        }
        if macros && bytes[i + 1] == b'%' {
            w.block_tag(start);
        }
        i = w.expression(start, close);
    }
    w.out.push_str(&text[w.copied..]);
    (w.out, w.edits)
}

fn find(bytes: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|j| from + j)
}

fn is_raw(text: &str, start: usize) -> bool {
    let rest = text[start..].trim_start_matches(['-', '+']).trim_start();
    rest.starts_with("raw") && rest[3..].starts_with(|c: char| c.is_whitespace() || c == '-')
}

struct Writer<'a> {
    text: &'a str,
    out: String,
    edits: Vec<Edit>,
    /// How much of `text` is in `out`.
    copied: usize,
}

impl Writer<'_> {
    /// Replace `old` bytes at `at` (in the original) by `new`.
    fn replace(&mut self, at: usize, old: usize, new: &str) {
        self.out.push_str(&self.text[self.copied..at]);
        self.edits.push((self.out.len(), new.len(), old));
        self.out.push_str(new);
        self.copied = at + old;
    }

    /// `{% macro name(`, `{% test name(`, `{% endtest %}` at the start of a block tag.
    fn block_tag(&mut self, start: usize) {
        let rest = &self.text[start..];
        let lead = rest.len() - rest.trim_start_matches(['-', '+']).trim_start().len();
        let word_at = start + lead;
        let word: &str = word(&self.text[word_at..]);
        match word {
            "macro" | "test" => {
                let after = &self.text[word_at + word.len()..];
                if !after.starts_with(char::is_whitespace) {
                    return;
                }
                let name_at = self.text.len() - after.trim_start().len();
                if word == "test" {
                    self.replace(word_at, 4, "macro");
                    self.replace(name_at, 0, &format!("{INNER}test_"));
                } else {
                    self.replace(name_at, 0, INNER);
                }
            }
            "endtest" => self.replace(word_at, 7, "endmacro"),
            _ => {}
        }
    }

    /// Rewrite the literals of the expression starting at `start` up to `close`; returns the
    /// position after `close`.
    fn expression(&mut self, start: usize, close: &[u8]) -> usize {
        let bytes = self.text.as_bytes();
        // Open literals: (position of the bracket, closing byte).
        let mut open: Vec<u8> = Vec::new();
        // What came before: true if a `[` here starts a literal (not a subscript).
        let mut literal_next = true;
        let mut i = start;
        while i < bytes.len() {
            let b = bytes[i];
            if open.is_empty() && bytes[i..].starts_with(close) {
                return i + close.len();
            }
            match b {
                b'\'' | b'"' => {
                    i = skip_string(bytes, i);
                    literal_next = false;
                    continue;
                }
                b'[' | b'{' => {
                    if b == b'{' || literal_next {
                        let global = if b == b'[' { LIST } else { DICT };
                        self.replace(i, 0, &format!("{global}("));
                        open.push(if b == b'[' { b']' } else { b'}' });
                    } else {
                        open.push(0);
                    }
                    literal_next = true;
                }
                b']' | b'}' if !open.is_empty() => {
                    let wrapped = open.pop().is_some_and(|c| c != 0);
                    if wrapped {
                        self.replace(i + 1, 0, ")");
                    }
                    literal_next = false;
                }
                b'(' => {
                    open.push(0);
                    literal_next = true;
                }
                b')' => {
                    if open.last() == Some(&0) {
                        open.pop();
                    }
                    literal_next = false;
                }
                b if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 => {
                    let w = word(&self.text[i..]);
                    // A character that is not part of a name (`、`) is stepped over whole.
                    let len = match w.len() {
                        0 => self.text[i..].chars().next().map_or(1, char::len_utf8),
                        n => n,
                    };
                    literal_next = matches!(
                        w,
                        "in" | "and" | "or" | "not" | "if" | "else" | "is" | "return" | "do"
                    );
                    i += len;
                    continue;
                }
                b if b.is_ascii_whitespace() => {}
                _ => literal_next = true,
            }
            i += 1;
        }
        bytes.len()
    }
}

/// The identifier at the start of `s`.
fn word(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The position after the string literal starting at `i`.
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let q = bytes[i];
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            c if c == q => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// A position of a rewritten text back in the original.
pub(crate) fn back(edits: &[Edit], pos: usize) -> usize {
    let mut shift: isize = 0;
    for &(at, new, old) in edits {
        if pos >= at + new {
            shift += new as isize - old as isize;
        } else if pos >= at {
            // Inside an edit: its start in the original.
            return (at as isize - shift).max(0) as usize;
        } else {
            break;
        }
    }
    (pos as isize - shift).max(0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_macros_and_maps_positions_back() {
        let text = "{% macro a(x) %}{{ b() }}{% endmacro %}\n{%- macro b() -%}1{% endmacro %}";
        let (out, edits) = rewrite(text, true);
        assert_eq!(
            out,
            "{% macro __karte_a(x) %}{{ b() }}{% endmacro %}\n{%- macro __karte_b() -%}1{% endmacro %}"
        );
        let b_call = out.find("b()").unwrap();
        assert_eq!(back(&edits, b_call), text.find("b()").unwrap());
        let last = out.rfind("endmacro").unwrap();
        assert_eq!(back(&edits, last), text.rfind("endmacro").unwrap());
    }

    #[test]
    fn test_blocks_become_macros_named_test_name() {
        let text = "{% test positive(model, column_name) %}\nselect 1 where {{ column_name }} < 0\n{% endtest %}";
        let (out, edits) = rewrite(text, true);
        assert_eq!(
            out,
            "{% macro __karte_test_positive(model, column_name) %}\nselect 1 where {{ column_name }} < 0\n{% endmacro %}"
        );
        let col = out.find("column_name }}").unwrap();
        assert_eq!(back(&edits, col), text.find("column_name }}").unwrap());
        assert_eq!(
            back(&edits, out.find("endmacro").unwrap()),
            text.find("endtest").unwrap()
        );
    }

    #[test]
    fn literals_are_wrapped_and_subscripts_are_not() {
        let (out, _) = rewrite(
            "{% set a = [] %}{% set d = {'k': [1, x[0]]} %}{{ a[0] ~ f([2])[1] }}{% for i in ['[', \"{\"] %}{% endfor %}",
            false,
        );
        assert_eq!(
            out,
            "{% set a = __karte_list([]) %}{% set d = __karte_dict({'k': __karte_list([1, x[0]])}) %}{{ a[0] ~ f(__karte_list([2]))[1] }}{% for i in __karte_list(['[', \"{\"]) %}{% endfor %}"
        );
    }

    #[test]
    fn text_outside_blocks_comments_and_raw_stay() {
        let text = "select a[1], {x} {# [] #}{% raw %}{{ [] }}{% endraw %} from t";
        let (out, edits) = rewrite(text, false);
        assert_eq!(out, text);
        assert!(edits.is_empty());
    }

    #[test]
    fn unterminated_input_does_not_panic() {
        for t in [
            "{{ [",
            "{% set x = {'a",
            "{#",
            "{% macro",
            "{% test x(",
            "{{ 'a\\",
            "{{ 、[] }}",
            "{{ x、y }}",
        ] {
            let _ = rewrite(t, true);
        }
    }
}
