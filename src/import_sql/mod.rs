//! `karte import-sql`: a team's Athena scripts (`CREATE TABLE … AS SELECT`, `INSERT INTO …
//! SELECT`, `CREATE VIEW`, `CREATE EXTERNAL TABLE`, run in a fixed order) turned into a karte
//! project. The pipeline, one file per stage:
//!
//! ```text
//! scripts ──split──▶ Statement* ──classify──▶ Kind* ──convert──▶ Conversion ──write──▶ files + import-report.md
//! ```
//!
//! - [`split`]: tokens of each script (sqlparser's tokenizer with karte's Athena dialect), cut
//!   at `;`; comments stay with the statement they precede.
//! - [`statement`]: the kind of each statement, read from its tokens (Hive DDL included), with
//!   the byte range of its query — models hold the author's text, never a re-printed tree.
//! - [`convert`]: models (CTAS, views, INSERTs → incremental), sources (external tables), the
//!   table names rewritten to karte's (`layer.model`), and what is not converted, with why.
//! - [`write`]: the model files, their properties, karte.yml (new projects) and the report.
//!
//! Unreadable statements are errors (E970) and nothing is written; what karte cannot express is
//! never dropped silently: a warning (W970) and a line in `import-report.md`.

pub mod convert;
pub mod messages;
pub mod split;
pub mod statement;
pub mod write;

use std::path::PathBuf;

use crate::diag::{display_path, Code, Diagnostic, Diagnostics, Location};
pub use convert::{convert, Conversion};
pub use messages::Lang;
pub use split::Script;
pub use write::{write, Written};

/// What `karte import-sql` was asked.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Script files and directories (searched for `*.sql`, in name order).
    pub inputs: Vec<PathBuf>,
    /// The layer the models go to (`models/<layer>/`).
    pub layer: String,
    /// The project directory written (a new one, or an existing karte project).
    pub out: PathBuf,
    /// External tables over delimited text become ingest rules and bronze views.
    pub ingest: bool,
    /// Language of the messages and the report.
    pub lang: Lang,
}

/// Why a statement was not converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotConverted {
    /// `{{ … }}`, `${…}`: template or scheduler text.
    Template,
    /// `MSCK REPAIR TABLE`.
    MsckRepair,
    /// `ALTER TABLE … ADD/DROP PARTITION`.
    AlterPartition,
    /// Another `ALTER`.
    Alter,
    /// `UNLOAD`.
    Unload,
    /// A SELECT whose result goes nowhere.
    StandaloneQuery,
    /// `DELETE`, `UPDATE`, `MERGE`.
    RowChange(String),
    /// `OPTIMIZE`, `VACUUM`.
    Maintenance(String),
    /// Hive's `INSERT OVERWRITE`.
    InsertOverwrite,
    /// `INSERT … VALUES`.
    InsertValues,
    /// `CREATE VIEW v (a, b) AS`.
    ViewColumnList,
    /// `CREATE TABLE … AS … WITH NO DATA`.
    NoData,
    /// `CREATE TABLE t (…)` that no INSERT fills.
    EmptyTable,
    /// `DROP` of a table no later statement creates.
    DropOnly,
    /// A second `INSERT INTO` the same table.
    SecondInsert,
    /// `INSERT INTO` an external table or a view.
    InsertIntoNonTable,
    /// A table created a second time.
    CreatedTwice,
    /// Any other statement (its first words).
    Other(String),
}

/// A statement that cannot be read, with where.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ImportError {
    /// Unreadable SQL (E970).
    #[error("cannot read the statement")]
    Syntax {
        /// Index of the script.
        script: usize,
        /// Byte offset in the script.
        at: usize,
        /// What is wrong.
        detail: messages::Detail,
    },
}

impl ImportError {
    /// As a diagnostic at its place in the script.
    pub fn diagnostic(&self, scripts: &[Script], lang: Lang) -> Diagnostic {
        match self {
            ImportError::Syntax { script, at, detail } => {
                let s = &scripts[*script];
                Diagnostic::error(Code::ImportSqlUnreadable, messages::syntax_error(lang))
                    .at(Location::from_span(&s.path, &s.text, *at..*at + 1))
                    .label(detail.message(lang))
                    .help(messages::syntax_help(lang))
            }
        }
    }
}

/// Read the scripts named by `inputs` (files as given; directories searched for `*.sql`, each
/// directory's files in name order).
pub fn read_scripts(inputs: &[PathBuf], lang: Lang) -> Result<Vec<Script>, Diagnostics> {
    let mut paths = Vec::new();
    let mut diags = Diagnostics::default();
    for input in inputs {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(input)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| {
                    e.file_type().is_file()
                        && e.path()
                            .extension()
                            .is_some_and(|x| x.eq_ignore_ascii_case("sql"))
                })
                .map(|e| e.into_path())
                .collect();
            if found.is_empty() {
                diags.push(Diagnostic::error(
                    Code::ImportSqlArguments,
                    messages::no_scripts(lang, &display_path(input)),
                ));
            }
            paths.append(&mut found);
        } else if input.is_file() {
            paths.push(input.clone());
        } else {
            diags.push(Diagnostic::error(
                Code::ImportSqlArguments,
                messages::no_such_path(lang, &display_path(input)),
            ));
        }
    }
    let mut scripts = Vec::new();
    for path in paths {
        match crate::project::files::read_text(&path, &path) {
            Ok(text) => scripts.push(Script::new(
                path,
                text.strip_prefix('\u{feff}').unwrap_or(&text).to_string(),
            )),
            Err(d) => diags.push(d),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(scripts)
}

/// The whole import: read, convert, write. Errors stop before anything is written.
pub fn import(opts: &ImportOptions) -> Result<(Conversion, Written), Diagnostics> {
    let scripts = read_scripts(&opts.inputs, opts.lang)?;
    let existing = write::Existing::read(&opts.out, &opts.layer, opts.lang)?;
    let conversion = convert(scripts, &opts.layer, &existing, opts.ingest, opts.lang)?;
    let written = write(&conversion, &existing, opts)?;
    Ok((conversion, written))
}

#[cfg(test)]
mod tests;
