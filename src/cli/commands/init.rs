//! `karte init DIR`: a small project that compiles as it is.

use std::path::Path;

use crate::diag::{display_path, Code, Diagnostic, Diagnostics};

const FILES: &[(&str, &str)] = &[
    (
        "karte.yml",
        "name: {name}\n\
         \n\
         # The first folder under models/ is the layer; each layer is a schema (a Glue database).\n\
         layers:\n  bronze: bronze\n  silver: silver\n  gold: gold\n\
         \n\
         vars:\n  start_month: '2024-04'\n\
         \n\
         # Defaults per folder, as in dbt (`+key: value`).\n\
         models:\n  +materialized: view\n  silver:\n    +materialized: table\n  gold:\n    +materialized: table\n\
         \n\
         default_target: local\n\
         targets:\n  local:\n    type: local\n    lake_dir: target/lake\n\
         \x20 athena:\n    type: athena\n    region: ap-northeast-1\n    workgroup: primary\n\
         \x20   s3_staging_dir: s3://CHANGE-ME-athena-results/\n    lake_root: s3://CHANGE-ME-lake/\n",
    ),
    (
        "models/sources.yml",
        "sources:\n  - name: raw\n    description: 病院から届いたファイル (files as delivered)\n    tables:\n      - name: visits\n        description: 外来受診 (outpatient visits)\n        columns:\n          - {name: visit_id, description: 受診番号}\n          - {name: patient_id, description: 患者番号, classification: identification_code}\n          - {name: visit_date, description: 受診日}\n          - {name: department, description: 診療科}\n",
    ),
    (
        "models/bronze/visits.sql",
        "-- 受診データをそのまま取り込む (raw visits as delivered)\nselect *\nfrom raw.visits\n",
    ),
    (
        "models/silver/monthly_visits.sql",
        "-- 月ごとの受診件数 (visits per month)\nselect\n    date_trunc('month', visit_date) as visit_month,\n    count(*) as visit_count\nfrom bronze.visits\nwhere visit_date >= date '{{ var(\"start_month\") }}-01'\ngroup by 1\n",
    ),
    (
        "models/silver/schema.yml",
        "models:\n  - name: monthly_visits\n    description: 月ごとの受診件数\n    columns:\n      - name: visit_month\n        tests: [not_null, unique]\n",
    ),
    ("macros/.gitkeep", ""),
    ("seeds/.gitkeep", ""),
    ("tests/.gitkeep", ""),
    ("snapshots/.gitkeep", ""),
    (".gitignore", "target/\n"),
];

/// Create the project.
pub fn run(dir: &Path, name: Option<&str>) -> Result<(), Diagnostics> {
    let fail = |msg: String| Diagnostics(vec![Diagnostic::error(Code::Io, msg)]);
    if dir.join("karte.yml").exists() {
        return Err(Diagnostics(vec![Diagnostic::error(
            Code::InvalidArgument,
            format!("`{}` already holds a karte project", display_path(dir)),
        )
        .help("choose a new directory")]));
    }
    let name = name.map(String::from).unwrap_or_else(|| {
        dir.file_name()
            .map(|n| n.to_string_lossy().replace(['-', ' '], "_"))
            .unwrap_or_else(|| "karte_project".into())
    });
    for (path, text) in FILES {
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| fail(format!("cannot create `{}`: {e}", display_path(parent))))?;
        }
        std::fs::write(&p, text.replace("{name}", &name))
            .map_err(|e| fail(format!("cannot write `{}`: {e}", display_path(&p))))?;
    }
    println!(
        "created project `{name}` in {}\nnext: karte compile --project-dir {}",
        display_path(dir),
        display_path(dir)
    );
    Ok(())
}
