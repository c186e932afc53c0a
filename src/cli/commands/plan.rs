//! `karte plan`.

use std::path::PathBuf;

use crate::cli::{report, ProjectArgs, SelectArgs};
use crate::diag::{display_path, Code, Diagnostic, Diagnostics};
use crate::plan::{CatalogState, PlanOptions};

/// Options of `karte plan`.
pub struct PlanArgs<'a> {
    /// Saved catalog state, or none for a first run.
    pub catalog_state: Option<&'a PathBuf>,
    /// Read the catalog from the target's engine.
    pub live: bool,
    /// Write the catalog state read live to this file.
    pub save_catalog_state: Option<&'a PathBuf>,
    /// Rebuild incremental models and snapshots.
    pub full_refresh: bool,
    /// Date of the run.
    pub as_of: Option<&'a str>,
    /// JSON on stdout instead of text.
    pub json: bool,
    /// Also write the reviewed plan here (for `karte build --plan`).
    pub out: Option<&'a PathBuf>,
    /// `--defer`.
    pub defer: bool,
}

/// Compile, plan, write target/plan.json, print the plan.
pub fn run(args: &ProjectArgs, select: &SelectArgs, p: PlanArgs) -> Result<(), Diagnostics> {
    let mut opts = args.compile_options(select)?;
    opts.defer = p.defer;
    // `source_status:` needs the live catalog and the run journals (as `build`): compile
    // without the selection, select once they are read.
    let by_status = p.catalog_state.is_none()
        && (p.live || p.out.is_some())
        && crate::execute::source_status::selects_by_status(&opts.select, &opts.exclude);
    let mut compiled = if by_status {
        crate::compile(&crate::CompileOptions {
            select: Vec::new(),
            exclude: Vec::new(),
            ..opts.clone()
        })?
    } else {
        crate::compile(&opts)?
    };
    let catalog = match p.catalog_state {
        Some(path) => CatalogState::load(path).map_err(|d| Diagnostics(vec![d]))?,
        // A plan to apply later is checked against the catalog it was planned for: the live one.
        None if p.live || p.out.is_some() => {
            let (engine, _) = crate::engine::open::engine(
                &compiled,
                std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
                None,
            )?;
            let state = engine.catalog_state().map_err(|e| {
                e.into_diagnostics(&crate::t!(
                    "cmd-cannot-read-engine-catalog",
                    engine = engine.name()
                ))
            })?;
            if by_status {
                let mirror = engine
                    .journal_mirror(&compiled.target.name)
                    .map_err(|e| e.into_diagnostics(&crate::t!("run-journal-copy")))?;
                let (_, warnings, fresher) = crate::execute::source_status::SourceStates::select(
                    &mut compiled,
                    engine.as_ref(),
                    &state,
                    mirror.as_deref(),
                    (&opts.select, &opts.exclude),
                )?;
                report(&warnings);
                eprintln!("{}", crate::t!("run-fresher-count", count = fresher));
            }
            if let Some(out) = p.save_catalog_state {
                let text = serde_json::to_string_pretty(&state).expect("states serialise") + "\n";
                std::fs::write(out, text).map_err(|e| {
                    Diagnostics(vec![Diagnostic::error(
                        Code::Io,
                        crate::t!("cmd-cannot-write", path = out, error = e.to_string()),
                    )])
                })?;
            }
            state
        }
        None => CatalogState::default(),
    };
    let compiled = crate::compile_for_catalog(&opts, compiled, &catalog, p.full_refresh)?;
    // Warnings of the compile against the catalog (a source's columns may come from it) and
    // of `--defer`.
    report(&compiled.diagnostics);
    let as_of = match p.as_of {
        Some(d) => valid_date(d)?,
        None => today(),
    };
    let mut plan = crate::plan::plan(
        &compiled,
        &catalog,
        &PlanOptions {
            full_refresh: p.full_refresh,
            as_of,
            tests: true,
        },
    )?;
    if p.out.is_some() {
        plan.reviewed = Some(crate::plan::reviewed::Reviewed {
            select: opts.select.clone(),
            exclude: opts.exclude.clone(),
            catalog: crate::plan::reviewed::fingerprints(&compiled, &plan.nodes, &catalog),
        });
    }
    let json = serde_json::to_string_pretty(&plan).map_err(|e| {
        Diagnostics(vec![Diagnostic::error(
            Code::Internal,
            crate::t!("plan-cannot-serialise", error = e.to_string()),
        )])
    })? + "\n";
    let dir = compiled.project.root.join("target");
    let path = dir.join("plan.json");
    std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&path, &json))
        .map_err(|e| {
            Diagnostics(vec![Diagnostic::error(
                Code::Io,
                crate::t!("cmd-cannot-write", path = path, error = e.to_string()),
            )])
        })?;
    if let Some(out) = p.out {
        std::fs::write(out, &json).map_err(|e| {
            Diagnostics(vec![Diagnostic::error(
                Code::Io,
                crate::t!("cmd-cannot-write", path = out, error = e.to_string()),
            )])
        })?;
        eprintln!("{}", crate::t!("plan-written", path = display_path(out)));
    }
    if p.json {
        print!("{json}");
    } else {
        print!("{}", crate::plan::text::render(&plan));
    }
    Ok(())
}

fn valid_date(d: &str) -> Result<String, Diagnostics> {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map(|date| date.format("%Y-%m-%d").to_string())
        .map_err(|_| {
            Diagnostics(vec![Diagnostic::error(
                Code::InvalidArgument,
                crate::t!("plan-bad-as-of", value = d),
            )])
        })
}

/// Today's date (UTC) as YYYY-MM-DD.
pub fn today() -> String {
    chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}
