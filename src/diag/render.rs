//! Rendering diagnostics the way rustc and ruff do.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use super::{Diagnostic, Severity};

/// Render one diagnostic as text (no colour: the output is the same in a terminal, a log and a
/// snapshot).
pub fn render(d: &Diagnostic) -> String {
    let mut out = String::new();
    let kind = match d.severity {
        Severity::Error => crate::t!("severity-error"),
        Severity::Warning => crate::t!("severity-warning"),
    };
    let _ = writeln!(out, "{kind}[{}]: {}", d.code.as_str(), d.message);
    let gutter = d
        .location
        .as_ref()
        .map(|l| l.line.to_string().len())
        .unwrap_or(1);
    let pad = " ".repeat(gutter);
    if let Some(loc) = &d.location {
        if loc.line == 0 {
            let _ = writeln!(out, "{pad}--> {}", loc.file);
        } else {
            let _ = writeln!(out, "{pad}--> {}:{}:{}", loc.file, loc.line, loc.col);
            let line = loc.source_line.replace('\t', "    ");
            let prefix: String = loc
                .source_line
                .chars()
                .take(loc.col.saturating_sub(1))
                .collect::<String>()
                .replace('\t', "    ");
            let marked: String = loc
                .source_line
                .chars()
                .skip(loc.col.saturating_sub(1))
                .take(loc.width)
                .collect::<String>()
                .replace('\t', "    ");
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{} | {}", loc.line, line.trim_end());
            let carets = "^".repeat(marked.width().max(1));
            let label = d
                .label
                .as_deref()
                .map(|l| format!(" {l}"))
                .unwrap_or_default();
            let _ = writeln!(out, "{pad} | {}{carets}{label}", " ".repeat(prefix.width()));
        }
    }
    if !d.notes.is_empty() {
        let note = crate::t!("diag-note");
        for n in &d.notes {
            let _ = writeln!(out, "{pad} = {note}: {n}");
        }
    }
    if let Some(h) = &d.help {
        let _ = writeln!(out, "{pad} = {}: {h}", crate::t!("diag-help"));
    }
    out
}
