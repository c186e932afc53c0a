//! `karte init DIR`: a small project whose `karte build` passes as it is.

use std::path::Path;

use crate::diag::{display_path, Diagnostics};
use crate::scaffold::init;

/// Create the project and say what to run next.
pub fn run(dir: &Path, name: Option<&str>) -> Result<(), Diagnostics> {
    let lang = crate::i18n::lang();
    let created = init::init(dir, name, lang)?;
    println!(
        "{}",
        init::messages::created(lang, &created.name, &display_path(dir))
    );
    Ok(())
}
