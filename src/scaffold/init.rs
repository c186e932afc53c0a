//! `karte init DIR`: a small project whose `karte build` passes on the local engine as it is.
//! It reads a seed of sample visits (made up, not patient data), so nothing has to be
//! delivered or ingested first; karte.yml says how real deliveries take the seed's place.

use std::path::Path;

use super::{write_new, Lang};
use crate::diag::{display_path, Code, Diagnostic, Diagnostics};

/// (path in the project, English text, Japanese text).
const FILES: &[(&str, &str, &str)] = &[
    (
        "karte.yml",
        include_str!("../../templates/init/en/karte.yml"),
        include_str!("../../templates/init/ja/karte.yml"),
    ),
    (
        "seeds/sample_visits.csv",
        include_str!("../../templates/init/common/seeds/sample_visits.csv"),
        include_str!("../../templates/init/common/seeds/sample_visits.csv"),
    ),
    (
        "seeds/_seeds.yml",
        include_str!("../../templates/init/en/seeds/_seeds.yml"),
        include_str!("../../templates/init/ja/seeds/_seeds.yml"),
    ),
    (
        "models/silver/visits.sql",
        include_str!("../../templates/init/en/models/silver/visits.sql"),
        include_str!("../../templates/init/ja/models/silver/visits.sql"),
    ),
    (
        "models/silver/_silver.yml",
        include_str!("../../templates/init/en/models/silver/_silver.yml"),
        include_str!("../../templates/init/ja/models/silver/_silver.yml"),
    ),
    (
        "models/gold/monthly_visits.sql",
        include_str!("../../templates/init/en/models/gold/monthly_visits.sql"),
        include_str!("../../templates/init/ja/models/gold/monthly_visits.sql"),
    ),
    (
        "models/gold/_gold.yml",
        include_str!("../../templates/init/en/models/gold/_gold.yml"),
        include_str!("../../templates/init/ja/models/gold/_gold.yml"),
    ),
    ("macros/.gitkeep", "", ""),
    ("tests/.gitkeep", "", ""),
    ("snapshots/.gitkeep", "", ""),
    ("ingest/.gitkeep", "", ""),
    (".gitignore", "target/\n", "target/\n"),
];

/// What `init` made.
#[derive(Debug)]
pub struct Created {
    /// The project's name.
    pub name: String,
    /// The files written, relative to the project.
    pub files: Vec<&'static str>,
}

/// Create the project in `dir` (which must not hold one yet).
pub fn init(dir: &Path, name: Option<&str>, lang: Lang) -> Result<Created, Diagnostics> {
    if dir.join("karte.yml").exists() {
        return Err(Diagnostics(vec![Diagnostic::error(
            Code::InvalidArgument,
            messages::already_a_project(lang, &display_path(dir)),
        )
        .help(messages::choose_new_dir(lang))]));
    }
    let name = name.map(String::from).unwrap_or_else(|| {
        dir.file_name()
            .map(|n| {
                n.to_string_lossy()
                    .to_lowercase()
                    .replace(['-', ' ', '.'], "_")
            })
            .unwrap_or_else(|| "karte_project".into())
    });
    let mut files = Vec::new();
    for (path, en, ja) in FILES {
        let text = lang.pick(en, ja).replace("{name}", &name);
        write_new(dir, path, &text).map_err(|d| Diagnostics(vec![d]))?;
        files.push(*path);
    }
    Ok(Created { name, files })
}

/// What `init` tells the user (catalogue: `src/i18n/*/scaffold.ftl`).
pub mod messages {
    use super::Lang;

    /// The directory already holds a project.
    pub fn already_a_project(lang: Lang, dir: &str) -> String {
        crate::t!(lang => "init-already", dir = dir)
    }

    /// Help for [`already_a_project`].
    pub fn choose_new_dir(lang: Lang) -> String {
        crate::t!(lang => "init-choose-new-dir")
    }

    /// The project was created; what to run next.
    pub fn created(lang: Lang, name: &str, dir: &str) -> String {
        let steps = [
            (
                format!("karte build --project-dir {dir}"),
                crate::t!(lang => "init-step-build"),
            ),
            (
                format!("karte show monthly_visits --project-dir {dir}"),
                crate::t!(lang => "init-step-show"),
            ),
            (
                format!("karte new model gold/my_mart --project-dir {dir}"),
                crate::t!(lang => "init-step-new"),
            ),
        ];
        let width = steps.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
        let lines: String = steps
            .iter()
            .map(|(c, what)| format!("  {c:<width$}  # {what}\n"))
            .collect();
        format!(
            "{}\n\n{}\n{lines}\n{}",
            crate::t!(lang => "init-created", name = name, dir = dir),
            crate::t!(lang => "init-next"),
            crate::t!(lang => "init-sample")
        )
    }
}
