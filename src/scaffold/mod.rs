//! Stage 0, `scaffold`: files karte writes for a person to edit — a new project (`karte init`)
//! and a new model with its property entry (`karte new model`). The files are templates under
//! `templates/init/` and `templates/new/`, one set per language, embedded in the binary; the
//! prose in them (comments, descriptions, the next steps printed) is in the user's language.

pub mod init;
pub mod model;

use std::path::Path;

use crate::diag::{display_path, Code, Diagnostic};
pub use crate::i18n::Lang;

/// Write `text` to `root/rel`, creating directories; never over an existing file.
pub(crate) fn write_new(root: &Path, rel: &str, text: &str) -> Result<(), Diagnostic> {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            Diagnostic::error(
                Code::Io,
                format!("cannot create `{}`: {e}", display_path(parent)),
            )
        })?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&p)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|e| {
            Diagnostic::error(
                Code::Io,
                format!("cannot write `{}`: {e}", display_path(&p)),
            )
        })
}
