//! Diagnostics: every problem karte reports to a person, with a stable code, a place in a file,
//! and a hint on how to fix it. All stage errors convert into [`Diagnostic`].

mod codes;
mod render;
mod source;
pub mod timings;

use std::ops::Range;
use std::path::Path;

use serde::Serialize;

pub use codes::Code;
pub use render::render;
pub use source::LineIndex;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the command after the current stage.
    Error,
    /// Reported, but the command goes on.
    Warning,
}

/// Who has to act on a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Blame {
    /// Something in the project's files: the source is shown.
    Project,
    /// The machine, the files system or the cloud account.
    Environment,
    /// A bug in karte itself.
    Internal,
}

/// A place in a source file, resolved to line and column when the diagnostic is made, so that
/// rendering never has to read files again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Path shown to the user (relative to the project directory).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Number of characters the span covers on its first line (at least 1).
    pub width: usize,
    /// The text of the line, for the snippet.
    #[serde(skip)]
    pub source_line: String,
}

impl Location {
    /// Locate byte range `span` of `text`, which is the content of `file`.
    pub fn from_span(file: &Path, text: &str, span: Range<usize>) -> Location {
        Self::from_span_indexed(file, text, &LineIndex::new(text), span)
    }

    /// Like [`Location::from_span`] with a prebuilt line index.
    pub fn from_span_indexed(
        file: &Path,
        text: &str,
        index: &LineIndex,
        span: Range<usize>,
    ) -> Location {
        let start = span.start.min(text.len());
        let (line, col) = index.line_col(text, start);
        let line_range = index.line_range(text, line);
        let end = span.end.clamp(start, line_range.end.max(start));
        let width = text.get(start..end).map(|s| s.chars().count()).unwrap_or(1);
        Location {
            file: display_path(file),
            line,
            col,
            width: width.max(1),
            source_line: text[line_range].to_string(),
        }
    }

    /// A location naming only a file.
    pub fn file_only(file: &Path) -> Location {
        Location {
            file: display_path(file),
            line: 0,
            col: 0,
            width: 0,
            source_line: String::new(),
        }
    }
}

/// Paths are shown with forward slashes, so that output is the same on every OS.
pub fn display_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// One problem, ready to be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, documented in docs/errors.md.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// Who has to act.
    pub blame: Blame,
    /// One line saying what is wrong.
    pub message: String,
    /// Where, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Box<Location>>,
    /// Short text shown under the carets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Further facts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error about the project's files.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            blame: code.blame(),
            message: message.into(),
            location: None,
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    /// A new warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    /// Attach a location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(Box::new(location));
        self
    }

    /// Attach the text under the carets.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Add a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Set the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Set the help line if there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Put `prefix` in front of the message (what was being done).
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        self.message.insert_str(0, prefix);
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The diagnostics of one command, in a stable order.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Add one.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Add many.
    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(ds);
    }

    /// True if any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    /// Sort by file, line, column, code: output does not depend on thread scheduling.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map(|l| (l.file.clone(), l.line, l.col))
                    .unwrap_or_default()
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.code.cmp(&b.code))
                .then_with(|| a.message.cmp(&b.message))
        });
        self.0.dedup();
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The closest candidate to `name`, for "did you mean" hints.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lower = name.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&lower, &c.to_lowercase());
        if score >= 0.8 && best.is_none_or(|(s, b)| score > s || (score == s && c < b)) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}
