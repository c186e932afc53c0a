//! Source text positions: byte offsets ⇄ 1-based line and column (in characters).

use std::ops::Range;

/// Line starts of one text, for turning byte offsets into line/column and back.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Index the line starts of `text` (lines end at `\n`).
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// 1-based line and 1-based character column of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let col = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and 1-based character column (as sqlparser reports them).
    /// Out-of-range positions are clamped to the text.
    pub fn offset(&self, text: &str, line: usize, col: usize) -> usize {
        if line == 0 {
            return 0;
        }
        let Some(&start) = self.starts.get(line - 1) else {
            return self.len;
        };
        let end = self.starts.get(line).copied().unwrap_or(self.len);
        let line_text = &text[start..end];
        line_text
            .char_indices()
            .nth(col.saturating_sub(1))
            .map(|(i, _)| start + i)
            .unwrap_or(end)
    }

    /// The byte range of line `line` (1-based), without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.len);
        let mut end = self.starts.get(line).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        while end > start && (bytes[end - 1] == b'\n' || bytes[end - 1] == b'\r') {
            end -= 1;
        }
        start..end
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_multibyte_columns() {
        let text = "select 1\nfrom 患者 p\n";
        let idx = LineIndex::new(text);
        let off = text.find('p').unwrap();
        assert_eq!(idx.line_col(text, off), (2, 9));
        assert_eq!(idx.offset(text, 2, 9), off);
        assert_eq!(&text[idx.line_range(text, 2)], "from 患者 p");
    }
}
