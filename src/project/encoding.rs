//! Text encodings of the files karte reads (model and property files, seeds, deliveries): one
//! strict CP932 decoder and the helpers that say where a decode failed, shared by every reader.

/// Bytes that are not valid in the encoding asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    /// Byte offset (0-based) of the first bad byte.
    pub at: usize,
    /// The bad bytes, e.g. `0x87 0x40`.
    pub shown: String,
    /// Up to ten characters decoded before them, for the message.
    pub before: String,
}

/// `bytes` without a UTF-8 byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The 1-based line of byte `offset`.
pub fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Strict CP932 (Windows-31J: WHATWG's Shift_JIS, with the NEC and IBM extensions such as
/// ①, 髙, ～): no byte is replaced; the first bad one is reported.
pub fn decode_cp932(bytes: &[u8]) -> Result<String, Malformed> {
    if let Some(s) =
        encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return Ok(s.into_owned());
    }
    // Find where it fails, for the message.
    let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
    let mut dst = String::with_capacity(bytes.len() * 3 + 16);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut dst, true);
    let at = match result {
        encoding_rs::DecoderResult::Malformed(bad, after) => {
            read.saturating_sub(bad as usize + after as usize)
        }
        _ => read,
    };
    let shown: Vec<String> = bytes[at..bytes.len().min(at + 2)]
        .iter()
        .map(|b| format!("0x{b:02X}"))
        .collect();
    let n = dst.chars().count();
    Err(Malformed {
        at,
        shown: shown.join(" "),
        before: dst.chars().skip(n.saturating_sub(10)).collect(),
    })
}

/// A seed file's text, decoded as its `encoding` says (`utf-8`, or `cp932` and its aliases; a
/// BOM is dropped); the error names `file` and the line of the first bad byte.
pub fn decode_seed(bytes: &[u8], encoding: &str, file: &str) -> Result<String, String> {
    let bytes = strip_bom(bytes);
    match encoding.to_lowercase().as_str() {
        "utf-8" | "utf8" => String::from_utf8(bytes.to_vec()).map_err(|e| {
            let line = line_of(bytes, e.utf8_error().valid_up_to());
            crate::t!("project-seed-not-utf8", file = file, line = line)
        }),
        "cp932" | "shift_jis" | "sjis" | "windows-31j" => decode_cp932(bytes).map_err(|m| {
            crate::t!(
                "project-seed-not-cp932",
                file = file,
                line = line_of(bytes, m.at),
                bytes = m.shown
            )
        }),
        other => Err(crate::t!(
            "project-seed-unknown-encoding",
            file = file,
            encoding = other
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp932_is_strict_and_says_where() {
        assert_eq!(decode_cp932(b"\x87\x40\xFB\xFC\x81\x60").unwrap(), "①髙～");
        let m = decode_cp932(b"ab\ncd\x85\x40").unwrap_err();
        assert_eq!(
            (m.at, m.shown.as_str(), m.before.as_str()),
            (5, "0x85 0x40", "ab\ncd")
        );
        assert_eq!(line_of(b"ab\ncd\x85\x40", m.at), 2);
        assert_eq!(strip_bom(b"\xEF\xBB\xBFx"), b"x");
    }
}
