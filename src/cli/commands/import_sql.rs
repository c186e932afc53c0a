//! `karte import-sql DIR_OR_FILES --layer silver [--out DIR]`: Athena scripts → a karte
//! project (docs/import-sql.md).

use std::path::PathBuf;

use clap::Args;

use crate::cli::report;
use crate::diag::{display_path, Diagnostics};
use crate::import_sql::{self, messages, ImportOptions, Lang};

/// Arguments of `karte import-sql`.
#[derive(Debug, Args)]
pub struct ImportSqlArgs {
    /// Script files, or directories searched for `*.sql` (read in name order: the order the
    /// scripts ran in, e.g. 01_…, 02_…).
    #[arg(required = true, value_name = "DIR_OR_FILES")]
    pub inputs: Vec<PathBuf>,
    /// The layer the models go to (`models/<layer>/`).
    #[arg(long, default_value = "silver")]
    pub layer: String,
    /// The project directory to write: a new (or empty) directory, or an existing karte
    /// project to add to.
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
    /// External tables over delimited text (CSV/TSV) become ingest rules (bronze tables that
    /// `karte ingest` loads from a copy of their files) with a bronze view giving the columns
    /// their types, instead of sources.
    #[arg(long)]
    pub ingest: bool,
}

/// Import; Ok(true) when every statement was converted, Ok(false) when some are only listed
/// in the report (exit 1), Err when nothing was written.
pub fn run(a: &ImportSqlArgs) -> Result<bool, Diagnostics> {
    let lang: Lang = crate::i18n::lang();
    let opts = ImportOptions {
        inputs: a.inputs.clone(),
        layer: a.layer.clone(),
        out: a.out.clone(),
        ingest: a.ingest,
        lang,
    };
    let (conversion, written) = import_sql::import(&opts)?;
    let mut diags = conversion.diagnostics.clone();
    diags.extend(written.diagnostics.0.clone());
    report(&diags);
    for f in &written.files {
        println!("{}", display_path(&opts.out.join(f)));
    }
    let source_tables: usize = conversion.sources.values().map(|s| s.tables.len()).sum();
    let report_path = display_path(&opts.out.join(import_sql::write::REPORT));
    eprintln!(
        "{}",
        messages::summary(
            lang,
            conversion.scripts.len(),
            conversion.statements,
            conversion.models.len(),
            source_tables,
            conversion.skipped.len(),
            &report_path,
        )
    );
    eprintln!("{}", messages::next_steps(lang, &display_path(&opts.out)));
    Ok(conversion.skipped.is_empty())
}
