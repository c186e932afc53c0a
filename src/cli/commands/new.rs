//! `karte new model layer/name`: a model file and its property entry with the columns karte
//! infers from the SQL.

use std::path::Path;

use crate::diag::Diagnostics;
use crate::scaffold::model::{messages, new_model, ModelPath};

/// Create (or complete) the model; Ok(false) when the entry could not be written yet.
pub fn model(project_dir: &Path, spec: &str, from_sql: Option<&Path>) -> Result<bool, Diagnostics> {
    let lang = crate::i18n::lang();
    let path = ModelPath::parse(spec, lang).map_err(|d| Diagnostics(vec![d]))?;
    let out = new_model(project_dir, &path, from_sql, lang)?;
    crate::cli::report(&out.diagnostics);
    println!(
        "{}",
        messages::done(
            lang,
            out.sql_written.as_deref(),
            out.yml_written.as_deref(),
            out.columns,
            &path.name,
            &path.spec()
        )
    );
    Ok(out.yml_written.is_some())
}
