//! `karte ingest PATH… [--dry-run] [--list]`: land delivered files in bronze tables.

use std::path::PathBuf;

use clap::Args;

use crate::cli::ProjectArgs;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ingest::{self, FileReport, Lake, Outcome};

/// Arguments of `karte ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Files or directories of delivered files (directories are searched recursively).
    pub paths: Vec<PathBuf>,
    /// Read and check every file, report what would be loaded; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the manifest: which file each bronze partition holds (checksum, rows, load time).
    #[arg(long, conflicts_with = "dry_run")]
    pub list: bool,
    /// Then build what the new deliveries feed: every node that reads an ingest table (at any
    /// depth) that received a new or replaced file since the node was last built
    /// (`karte build --select source_status:fresher+`). Nothing is built if a file was not loaded.
    #[arg(long, conflicts_with_all = ["dry_run", "list"])]
    pub then_build: bool,
    /// With --then-build: nodes built at the same time (default: the target's `threads:`, else 4).
    #[arg(long, requires = "then_build")]
    pub threads: Option<usize>,
    /// With --then-build: send no notification for the build.
    #[arg(long, requires = "then_build")]
    pub no_notify: bool,
}

/// A line for people: stdout, or stderr when stdout holds `build -o json`'s events.
macro_rules! say {
    ($($t:tt)*) => {
        if crate::cli::progress::text_to_stderr() {
            eprintln!($($t)*)
        } else {
            println!($($t)*)
        }
    };
}

fn fail(message: String) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error(Code::EngineFailed, message)])
}

/// Run `karte ingest`; Ok(false) when a file was quarantined, in conflict or unmatched.
pub fn run(a: &IngestArgs) -> Result<bool, Diagnostics> {
    let root = a.project.project_dir.clone();
    let (project, warnings) = crate::project::load(&root)?;
    crate::cli::report(&warnings);
    let target = project
        .target(a.project.target.as_deref())
        .map_err(|d| Diagnostics(vec![d]))?;
    let lake = crate::engine::open::lake(&project, &target)?;
    if a.list {
        return list(&project, lake.as_ref());
    }
    if a.paths.is_empty() {
        return Err(Diagnostics(vec![Diagnostic::error(
            Code::InvalidArgument,
            crate::t!("ingest-no-paths"),
        )
        .help(crate::t!("ingest-no-paths-help"))]));
    }
    let opts = ingest::Options {
        paths: a.paths.clone(),
        dry_run: a.dry_run,
        run_id: crate::execute::new_run_id(),
        target: target.name.clone(),
    };
    if a.dry_run {
        say!(
            "{}",
            crate::t!(
                "ingest-header-dry-run",
                target = target.name,
                run = opts.run_id
            )
        );
    } else {
        say!(
            "{}",
            crate::t!("ingest-header", target = target.name, run = opts.run_id)
        );
    }
    let report = ingest::run(&project, lake.as_ref(), &opts, &print_file)
        .map_err(|e| e.into_diagnostics(""))?;
    for f in report.files.iter().filter(|f| {
        matches!(f.outcome, Outcome::Unmatched | Outcome::Conflict) && f.table.is_none()
    }) {
        print_file(f);
    }
    let path = root
        .join("target")
        .join("ingest")
        .join(format!("{}.json", report.run_id));
    let json = serde_json::to_string_pretty(&report).map_err(|e| fail(e.to_string()))?;
    std::fs::write(&path, json + "\n").map_err(|e| {
        fail(crate::t!(
            "ingest-cannot-write-report",
            path = path.display().to_string(),
            error = e.to_string()
        ))
    })?;
    let rows: u64 = report.files.iter().map(|f| f.rows).sum();
    let read: u64 = report
        .files
        .iter()
        .filter(|f| f.rows > 0)
        .map(|f| f.bytes)
        .sum();
    let raw: u64 = report.files.iter().map(|f| f.bytes_uncompressed).sum();
    let secs = report.seconds.max(1e-3);
    let mut counts = Vec::new();
    for o in [
        Outcome::Loaded,
        Outcome::Replaced,
        Outcome::WouldLoad,
        Outcome::WouldReplace,
        Outcome::Unchanged,
        Outcome::Quarantined,
        Outcome::Conflict,
        Outcome::Unmatched,
        Outcome::Ignored,
    ] {
        let n = report.count(o);
        if n > 0 {
            counts.push(count_of(o, n));
        }
    }
    say!(
        "{}",
        crate::t!(
            "ingest-summary",
            files = report.files.len(),
            counts = counts.join(&crate::t!("ingest-count-separator")),
            rows = rows,
            read = mb(read),
            raw = mb(raw),
            seconds = format!("{secs:.1}"),
            rate = format!("{:.1}", raw as f64 / 1e6 / secs)
        )
    );
    say!(
        "{}",
        crate::t!("ingest-report", path = path.display().to_string())
    );
    if report.failed() {
        eprintln!("{}", crate::t!("ingest-some-failed"));
    }
    Ok(!report.failed())
}

/// "3 loaded" for the count line.
fn count_of(o: Outcome, count: usize) -> String {
    match o {
        Outcome::Loaded => crate::t!("ingest-count-loaded", count = count),
        Outcome::Replaced => crate::t!("ingest-count-replaced", count = count),
        Outcome::WouldLoad => crate::t!("ingest-count-would-load", count = count),
        Outcome::WouldReplace => crate::t!("ingest-count-would-replace", count = count),
        Outcome::Unchanged => crate::t!("ingest-count-unchanged", count = count),
        Outcome::Quarantined => crate::t!("ingest-count-quarantined", count = count),
        Outcome::Conflict => crate::t!("ingest-count-conflict", count = count),
        Outcome::Unmatched => crate::t!("ingest-count-unmatched", count = count),
        Outcome::Ignored => crate::t!("ingest-count-ignored", count = count),
    }
}

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

fn print_file(f: &FileReport) {
    let word = match f.outcome {
        Outcome::Loaded => crate::t!("ingest-word-loaded"),
        Outcome::Replaced => crate::t!("ingest-word-replaced"),
        Outcome::Unchanged => crate::t!("ingest-word-unchanged"),
        Outcome::WouldLoad => crate::t!("ingest-word-would-load"),
        Outcome::WouldReplace => crate::t!("ingest-word-would-replace"),
        Outcome::Quarantined => crate::t!("ingest-word-quarantined"),
        Outcome::Conflict => crate::t!("ingest-word-conflict"),
        Outcome::Unmatched => crate::t!("ingest-word-unmatched"),
        Outcome::Ignored => return,
    };
    let word = crate::cli::pad_end(&word, 13);
    let dest = match (&f.table, &f.partition) {
        (Some(t), Some(p)) => format!(" → {t} ({p})"),
        (Some(t), None) => format!(" → {t}"),
        _ => String::new(),
    };
    let size = if f.rows > 0 {
        format!(
            "  {}",
            crate::t!("ingest-file-rows", rows = f.rows.to_string())
        )
    } else {
        String::new()
    };
    say!("  {word} {}{dest}{size}", f.file);
    for p in &f.problems {
        say!("  {:<13}   {}", "", ingest::describe(p));
    }
    if let Some(q) = &f.quarantined_to {
        say!(
            "  {:<13}   {}",
            "",
            crate::t!("ingest-file-copied-to", path = q)
        );
    }
}

fn list(project: &crate::project::Project, lake: &dyn Lake) -> Result<bool, Diagnostics> {
    for r in &project.ingest.rules {
        let t = crate::plan::TableRef {
            schema: lake.schema(&project.layer_schema(&r.layer)),
            name: r.name.clone(),
        };
        let Some(state) = lake.table(&t).map_err(|e| e.into_diagnostics(""))? else {
            say!(
                "{}",
                crate::t!("ingest-list-not-created", table = t.to_string())
            );
            continue;
        };
        let held: Vec<(String, Option<crate::plan::catalog::IngestedFile>)> =
            if state.partition_keys.is_empty() {
                vec![(String::new(), state.ingested.clone())]
            } else {
                state
                    .partitions
                    .iter()
                    .map(|p| {
                        let path: Vec<String> = state
                            .partition_keys
                            .iter()
                            .zip(&p.values)
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect();
                        (path.join("/"), p.ingested.clone())
                    })
                    .collect()
            };
        say!(
            "{}",
            crate::t!(
                "ingest-list-partitions",
                table = t.to_string(),
                count = held.len()
            )
        );
        for (p, i) in held {
            match i {
                Some(i) => say!(
                    "  {p:<40} {}",
                    crate::t!(
                        "ingest-list-file",
                        file = i.file,
                        sha = &i.sha256[..16.min(i.sha256.len())],
                        bytes = i.bytes.to_string(),
                        rows = i.rows.to_string(),
                        at = i.ingested_at.to_string()
                    )
                ),
                None => say!("  {p:<40} {}", crate::t!("ingest-list-not-loaded")),
            }
        }
    }
    Ok(true)
}
