//! Reading project files as text, with the hygiene non-engineers' editors need: a UTF-8 BOM and
//! CRLF line ends are accepted; text saved as Shift_JIS/CP932 gets an error that says so.

use std::path::Path;

use crate::diag::{Code, Diagnostic, Location};

/// Read `abs` (shown to the user as `rel`) as UTF-8 text, without a BOM.
pub fn read_text(abs: &Path, rel: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(abs).map_err(|e| {
        Diagnostic::error(
            Code::Io,
            crate::t!("project-cannot-read-file", error = e.to_string()),
        )
        .at(Location::file_only(rel))
    })?;
    decode(rel, bytes)
}

/// Decode bytes as UTF-8, dropping a BOM.
pub fn decode(rel: &Path, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| not_utf8(rel, e))
}

fn not_utf8(rel: &Path, e: std::string::FromUtf8Error) -> Diagnostic {
    let bytes = e.as_bytes();
    let bad = e.utf8_error().valid_up_to();
    let line = super::encoding::line_of(bytes, bad);
    let line_start = bytes[..bad]
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let col = String::from_utf8_lossy(&bytes[line_start..bad])
        .chars()
        .count()
        + 1;
    let looks_sjis = looks_like_shift_jis(bytes);
    let mut loc = Location::file_only(rel);
    loc.line = line;
    loc.col = col;
    loc.width = 1;
    let line_end = bytes[bad..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| bad + i)
        .unwrap_or(bytes.len());
    loc.source_line = String::from_utf8_lossy(&bytes[line_start..line_end])
        .trim_end()
        .to_string();
    let msg = if looks_sjis {
        crate::t!("e101-not-utf8-shift-jis")
    } else {
        crate::t!("e101-not-utf8")
    };
    Diagnostic::error(Code::NotUtf8, msg)
        .at(loc)
        .label(crate::t!(
            "e101-not-utf8-label",
            byte = format!("0x{:02X}", bytes[bad])
        ))
        .help(crate::t!("e101-not-utf8-help"))
}

/// A cheap check: do the bytes decode as a sequence of Shift_JIS double-byte characters?
fn looks_like_shift_jis(bytes: &[u8]) -> bool {
    let mut i = 0;
    let mut doubles = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 || (0xA1..=0xDF).contains(&b) {
            i += 1;
        } else if (0x81..=0x9F).contains(&b) || (0xE0..=0xFC).contains(&b) {
            match bytes.get(i + 1) {
                Some(&t) if (0x40..=0xFC).contains(&t) && t != 0x7F => {
                    doubles += 1;
                    i += 2;
                }
                _ => return false,
            }
        } else {
            return false;
        }
    }
    doubles > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_dropped_and_sjis_is_named() {
        let p = Path::new("m.sql");
        assert_eq!(
            decode(p, b"\xEF\xBB\xBFselect 1".to_vec()).unwrap(),
            "select 1"
        );
        // "患者" in Shift_JIS
        let d = decode(p, b"select 1 -- \x8a\xb3\x8e\xd2\n".to_vec()).unwrap_err();
        assert_eq!(d.code, Code::NotUtf8);
        assert!(d.message.contains("Shift_JIS"), "{}", d.message);
        assert_eq!(d.location.unwrap().col, 13);
    }
}
