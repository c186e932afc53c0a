//! Lexical checks for characters that people typing SQL with a Japanese input method (or pasting
//! from Word / Excel) enter by accident: full-width spaces and punctuation, ideographic commas,
//! curly quotes, and the like.
//!
//! The scan works on the raw template source. It skips SQL string literals (`'…'` with `''`
//! escapes), quoted identifiers (`"…"`, `` `…` ``), SQL comments (`-- …`, `/* … */`) and Jinja
//! comments (`{# … #}`). Jinja expressions and statements (`{{ … }}`, `{% … %}`) are scanned too,
//! skipping their string literals (`'…'` or `"…"`, with backslash escapes). Jinja delimiters are
//! recognised everywhere, as Jinja itself does, so a `{{ … }}` inside a SQL string ends where
//! Jinja says it does.

use std::ops::Range;

/// A character that looks like SQL punctuation or space but is not ASCII.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspiciousChar {
    /// Byte range of the character.
    pub span: Range<usize>,
    /// The character found.
    pub found: char,
    /// The ASCII text to write instead (e.g. `"("` for `'（'`, `" "` for U+3000).
    pub replacement: &'static str,
    /// A short name, e.g. `full-width-space`, `full-width-parenthesis`, `ideographic-comma`,
    /// `curly-quote` ([`SuspiciousChar::describe`] says it in words).
    pub name: &'static str,
}

/// Printable ASCII, `!` (0x21) to `~` (0x7E): the targets of the full-width forms U+FF01–U+FF5E.
const PRINTABLE_ASCII: &str =
    "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/// Finds characters outside string literals, quoted identifiers and comments that look like
/// SQL punctuation or space but are not ASCII, in text order.
///
/// Reported: U+3000 ideographic space, the full-width forms U+FF01–U+FF5E (`（）＊，．；＝` …,
/// full-width digits and letters), `、` and `。`, curly quotes U+2018/U+2019/U+201C/U+201D,
/// U+2212 minus sign and U+00A0 no-break space. Japanese letters are not reported.
pub fn find_suspicious_chars(text: &str) -> Vec<SuspiciousChar> {
    let mut found = Vec::new();
    // Fast path: pure ASCII has nothing to report.
    if text.is_ascii() {
        return found;
    }
    Scanner {
        text,
        bytes: text.as_bytes(),
        found: &mut found,
    }
    .run();
    found
}

/// Where the SQL scan is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Code,
    /// In a `'…'` string literal or an identifier quoted with the given byte.
    Quoted(u8),
    LineComment,
    BlockComment,
}

struct Scanner<'a, 'f> {
    text: &'a str,
    bytes: &'a [u8],
    found: &'f mut Vec<SuspiciousChar>,
}

impl Scanner<'_, '_> {
    fn run(&mut self) {
        let bytes = self.bytes;
        let mut state = State::Code;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let next = bytes.get(i + 1).copied();
            // Jinja delimiters are seen through SQL strings and comments, as Jinja sees them.
            if b == b'{' {
                let report = state == State::Code;
                match next {
                    Some(b'{') => {
                        i = self.jinja_block(i + 2, b'}', report);
                        continue;
                    }
                    Some(b'%') => {
                        i = self.jinja_block(i + 2, b'%', report);
                        continue;
                    }
                    Some(b'#') => {
                        i = find(bytes, i + 2, b"#}").map_or(bytes.len(), |e| e + 2);
                        continue;
                    }
                    _ => {}
                }
            }
            match state {
                State::Code => match (b, next) {
                    (b'\'' | b'"' | b'`', _) => state = State::Quoted(b),
                    (b'-', Some(b'-')) => {
                        state = State::LineComment;
                        i += 1;
                    }
                    (b'/', Some(b'*')) => {
                        state = State::BlockComment;
                        i += 1;
                    }
                    _ if !b.is_ascii() => {
                        i += self.check_char(i);
                        continue;
                    }
                    _ => {}
                },
                State::Quoted(q) if b == q => {
                    if next == Some(q) {
                        i += 1; // a doubled quote is an escaped quote
                    } else {
                        state = State::Code;
                    }
                }
                State::LineComment if b == b'\n' => state = State::Code,
                State::BlockComment if b == b'*' && next == Some(b'/') => {
                    state = State::Code;
                    i += 1;
                }
                _ => {}
            }
            i += 1;
        }
    }

    /// Scans a Jinja expression or statement from `start` to its closing `}}` / `%}` (`close`
    /// is the first byte of that), reporting characters outside Jinja strings if `report`.
    /// Returns the index after the block (or the end of the text if it is not closed).
    fn jinja_block(&mut self, start: usize, close: u8, report: bool) -> usize {
        let bytes = self.bytes;
        let mut quote = None;
        let mut i = start;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(_) if b == b'\\' => i += 1,
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'\'' || b == b'"' => quote = Some(b),
                None if b == close && bytes.get(i + 1) == Some(&b'}') => return i + 2,
                None if !b.is_ascii() && report => {
                    i += self.check_char(i);
                    continue;
                }
                None => {}
            }
            i += 1;
        }
        bytes.len()
    }

    /// Checks the character at byte `i` and records it if suspicious; returns its length.
    fn check_char(&mut self, i: usize) -> usize {
        let Some(ch) = self.text.get(i..).and_then(|s| s.chars().next()) else {
            return 1; // not a character boundary (cannot happen when called at one)
        };
        let len = ch.len_utf8();
        if let Some((replacement, name)) = classify(ch) {
            self.found.push(SuspiciousChar {
                span: i..i + len,
                found: ch,
                replacement,
                name,
            });
        }
        len
    }
}

/// Index of the first occurrence of `needle` in `bytes` at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The ASCII replacement and the name (a slug, see [`SuspiciousChar::name`]) of a suspicious
/// character.
fn classify(ch: char) -> Option<(&'static str, &'static str)> {
    let found = match ch {
        '\u{3000}' => (" ", "full-width-space"),
        '\u{00A0}' => (" ", "no-break-space"),
        '\u{3001}' => (",", "ideographic-comma"),
        '\u{3002}' => (".", "ideographic-full-stop"),
        '\u{2018}' | '\u{2019}' => ("'", "curly-quote"),
        '\u{201C}' | '\u{201D}' => ("\"", "curly-quote"),
        '\u{2212}' => ("-", "minus-sign"),
        '\u{FF01}'..='\u{FF5E}' => {
            let index = ch as usize - 0xFF01;
            let replacement = PRINTABLE_ASCII.get(index..index + 1)?;
            (replacement, full_width_name(ch))
        }
        _ => return None,
    };
    Some(found)
}

/// The name (slug) of a full-width form (U+FF01–U+FF5E).
fn full_width_name(ch: char) -> &'static str {
    match ch {
        '（' | '）' => "full-width-parenthesis",
        '［' | '］' => "full-width-bracket",
        '｛' | '｝' => "full-width-brace",
        '，' => "full-width-comma",
        '．' => "full-width-full-stop",
        '；' => "full-width-semicolon",
        '：' => "full-width-colon",
        '＝' => "full-width-equals-sign",
        '＜' => "full-width-less-than-sign",
        '＞' => "full-width-greater-than-sign",
        '＋' => "full-width-plus-sign",
        '－' => "full-width-hyphen-minus",
        '＊' => "full-width-asterisk",
        '／' => "full-width-slash",
        '＼' => "full-width-backslash",
        '＿' => "full-width-underscore",
        '％' => "full-width-percent-sign",
        '｜' => "full-width-vertical-bar",
        '＇' => "full-width-apostrophe",
        '＂' => "full-width-quotation-mark",
        '！' => "full-width-exclamation-mark",
        '？' => "full-width-question-mark",
        '０'..='９' => "full-width-digit",
        'Ａ'..='Ｚ' | 'ａ'..='ｚ' => "full-width-letter",
        _ => "full-width-character",
    }
}

impl SuspiciousChar {
    /// What the character is, in words of the process's language ("full-width space",
    /// 「全角スペース」).
    pub fn describe(&self) -> String {
        match self.name {
            "full-width-space" => crate::t!("char-full-width-space"),
            "no-break-space" => crate::t!("char-no-break-space"),
            "ideographic-comma" => crate::t!("char-ideographic-comma"),
            "ideographic-full-stop" => crate::t!("char-ideographic-full-stop"),
            "curly-quote" => crate::t!("char-curly-quote"),
            "minus-sign" => crate::t!("char-minus-sign"),
            "full-width-parenthesis" => crate::t!("char-full-width-parenthesis"),
            "full-width-bracket" => crate::t!("char-full-width-bracket"),
            "full-width-brace" => crate::t!("char-full-width-brace"),
            "full-width-comma" => crate::t!("char-full-width-comma"),
            "full-width-full-stop" => crate::t!("char-full-width-full-stop"),
            "full-width-semicolon" => crate::t!("char-full-width-semicolon"),
            "full-width-colon" => crate::t!("char-full-width-colon"),
            "full-width-equals-sign" => crate::t!("char-full-width-equals-sign"),
            "full-width-less-than-sign" => crate::t!("char-full-width-less-than-sign"),
            "full-width-greater-than-sign" => crate::t!("char-full-width-greater-than-sign"),
            "full-width-plus-sign" => crate::t!("char-full-width-plus-sign"),
            "full-width-hyphen-minus" => crate::t!("char-full-width-hyphen-minus"),
            "full-width-asterisk" => crate::t!("char-full-width-asterisk"),
            "full-width-slash" => crate::t!("char-full-width-slash"),
            "full-width-backslash" => crate::t!("char-full-width-backslash"),
            "full-width-underscore" => crate::t!("char-full-width-underscore"),
            "full-width-percent-sign" => crate::t!("char-full-width-percent-sign"),
            "full-width-vertical-bar" => crate::t!("char-full-width-vertical-bar"),
            "full-width-apostrophe" => crate::t!("char-full-width-apostrophe"),
            "full-width-quotation-mark" => crate::t!("char-full-width-quotation-mark"),
            "full-width-exclamation-mark" => crate::t!("char-full-width-exclamation-mark"),
            "full-width-question-mark" => crate::t!("char-full-width-question-mark"),
            "full-width-digit" => crate::t!("char-full-width-digit"),
            "full-width-letter" => crate::t!("char-full-width-letter"),
            _ => crate::t!("char-full-width-character"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(found, replacement)` pairs, checking each span points at the found character.
    fn check(text: &str) -> Vec<(char, &'static str)> {
        find_suspicious_chars(text)
            .into_iter()
            .map(|s| {
                assert_eq!(text[s.span.clone()].chars().next(), Some(s.found));
                assert_eq!(s.span.len(), s.found.len_utf8());
                (s.found, s.replacement)
            })
            .collect()
    }

    #[test]
    fn reports_full_width_punctuation_and_spaces() {
        let text = "select\u{3000}count（＊）， a　from t where x ＝ 1；";
        assert_eq!(
            check(text),
            [
                ('\u{3000}', " "),
                ('（', "("),
                ('＊', "*"),
                ('）', ")"),
                ('，', ","),
                ('\u{3000}', " "),
                ('＝', "="),
                ('；', ";"),
            ]
        );
        let s = &find_suspicious_chars(text)[1];
        assert_eq!(s.name, "full-width-parenthesis");
        assert_eq!(
            s.span,
            text.find('（').unwrap()..text.find('（').unwrap() + 3
        );
        assert_eq!(find_suspicious_chars(text)[0].name, "full-width-space");
    }

    #[test]
    fn reports_other_lookalikes() {
        let text = "select a、b。c ‘x’ “y” 1 − 2,\u{a0}＜＞＋－／＿ ０９ ＡＺａｚ ～！";
        let found = check(text);
        assert_eq!(
            found,
            [
                ('、', ","),
                ('。', "."),
                ('‘', "'"),
                ('’', "'"),
                ('“', "\""),
                ('”', "\""),
                ('−', "-"),
                ('\u{a0}', " "),
                ('＜', "<"),
                ('＞', ">"),
                ('＋', "+"),
                ('－', "-"),
                ('／', "/"),
                ('＿', "_"),
                ('０', "0"),
                ('９', "9"),
                ('Ａ', "A"),
                ('Ｚ', "Z"),
                ('ａ', "a"),
                ('ｚ', "z"),
                ('～', "~"),
                ('！', "!"),
            ]
        );
        let names: Vec<_> = find_suspicious_chars("、‘−\u{a0}")
            .iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(
            names,
            [
                "ideographic-comma",
                "curly-quote",
                "minus-sign",
                "no-break-space"
            ]
        );
    }

    #[test]
    fn every_full_width_form_maps_to_its_ascii() {
        for cp in 0xFF01u32..=0xFF5E {
            let ch = char::from_u32(cp).unwrap();
            let (replacement, _) = classify(ch).unwrap();
            assert_eq!(replacement.chars().next(), char::from_u32(cp - 0xFEE0));
        }
    }

    #[test]
    fn ignores_strings_identifiers_and_comments() {
        let text = "-- 患者ごとの集計（月次）\n\
                    /* 備考：（株）、　全角 */\n\
                    select '（株）' as \"会社（名）\", `列　1`, 'it''s（）' , 患者ID\n\
                    from 受診 {# メモ（）#} where x = 'a' -- 終わり。\n";
        assert_eq!(check(text), []);
    }

    #[test]
    fn doubled_quotes_do_not_end_literals() {
        let text = "select 'a''（' , \"b\"\"（\" ， x";
        assert_eq!(check(text), [('，', ",")]);
    }

    #[test]
    fn jinja_blocks_are_scanned_outside_their_strings() {
        let text =
            "select {{ ref（'受診（）') }} , {% if x　%} \"（\" {% endif %} {{ \"a\\\"（\" }}";
        assert_eq!(check(text), [('（', "("), ('\u{3000}', " ")]);
        // Jinja inside a SQL string is not reported, and its strings do not end the SQL string.
        let text = "select '{{ \"it's\" }}（' ， 1";
        assert_eq!(check(text), [('，', ",")]);
        // Jinja comments are skipped, including SQL quotes in them.
        assert_eq!(check("{# it's （ #} （"), [('（', "(")]);
    }

    #[test]
    fn japanese_letters_are_not_reported() {
        assert_eq!(check("select 患者ID, ｶﾀｶﾅ, ひらがな from 受診履歴"), []);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for text in [
            "",
            "'",
            "\"",
            "`",
            "--",
            "/*",
            "{",
            "{{",
            "{%",
            "{#",
            "{{ '",
            "{{ \\",
            "{{ '\\",
            "{{ '\\（",
            "'（",
            "/* （",
            "（",
            "{{（}}",
            "{%（%}",
            "}}（",
            "\u{FF5F}\u{FF00}",
        ] {
            for s in find_suspicious_chars(text) {
                assert!(text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
            }
        }
        assert_eq!(check("{{（}}"), [('（', "(")]);
        assert_eq!(check("}}（"), [('（', "(")]);
        assert_eq!(check("\u{FF5F}\u{FF00}"), []);
    }
}
