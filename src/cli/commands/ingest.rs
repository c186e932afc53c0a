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
    /// With --then-build: nodes built at the same time.
    #[arg(long, default_value_t = 4, requires = "then_build")]
    pub threads: usize,
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
        return Err(Diagnostics(vec![Diagnostic::error(Code::InvalidArgument, "give the files or directories to ingest: karte ingest DELIVERIES_DIR".to_string())
            .help("e.g. `karte ingest deliveries/` (see docs/ingest.md); `karte ingest --list` shows what is loaded")]));
    }
    let opts = ingest::Options {
        paths: a.paths.clone(),
        dry_run: a.dry_run,
        run_id: crate::execute::new_run_id(),
        target: target.name.clone(),
    };
    say!(
        "ingest{} → target `{}`, run {}",
        if a.dry_run {
            " (dry run: nothing is written)"
        } else {
            ""
        },
        target.name,
        opts.run_id
    );
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
    std::fs::write(&path, json + "\n")
        .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
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
    for (o, word) in [
        (Outcome::Loaded, "loaded"),
        (Outcome::Replaced, "replaced"),
        (Outcome::WouldLoad, "would load"),
        (Outcome::WouldReplace, "would replace"),
        (Outcome::Unchanged, "unchanged"),
        (Outcome::Quarantined, "quarantined"),
        (Outcome::Conflict, "in conflict"),
        (Outcome::Unmatched, "unmatched"),
        (Outcome::Ignored, "ignored"),
    ] {
        let n = report.count(o);
        if n > 0 {
            counts.push(format!("{n} {word}"));
        }
    }
    say!(
        "{} file(s): {} · {} rows · {} read ({} uncompressed) in {:.1} s = {:.1} MB/s uncompressed",
        report.files.len(),
        counts.join(", "),
        rows,
        mb(read),
        mb(raw),
        secs,
        raw as f64 / 1e6 / secs
    );
    say!("report: {}", path.display());
    if report.failed() {
        eprintln!("some files were not loaded: see the lines marked above (quarantined files keep a report next to their copy)");
    }
    Ok(!report.failed())
}

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

fn print_file(f: &FileReport) {
    let word = match f.outcome {
        Outcome::Loaded => "loaded",
        Outcome::Replaced => "replaced",
        Outcome::Unchanged => "unchanged",
        Outcome::WouldLoad => "would load",
        Outcome::WouldReplace => "would replace",
        Outcome::Quarantined => "QUARANTINED",
        Outcome::Conflict => "CONFLICT",
        Outcome::Unmatched => "UNMATCHED",
        Outcome::Ignored => return,
    };
    let dest = match (&f.table, &f.partition) {
        (Some(t), Some(p)) => format!(" → {t} ({p})"),
        (Some(t), None) => format!(" → {t}"),
        _ => String::new(),
    };
    let size = if f.rows > 0 {
        format!("  {} rows", f.rows)
    } else {
        String::new()
    };
    say!("  {word:<13} {}{dest}{size}", f.file);
    for p in &f.problems {
        say!("  {:<13}   {}", "", ingest::describe(p));
    }
    if let Some(q) = &f.quarantined_to {
        say!("  {:<13}   copied to {q} (+ .problems.txt)", "");
    }
}

fn list(project: &crate::project::Project, lake: &dyn Lake) -> Result<bool, Diagnostics> {
    for r in &project.ingest.rules {
        let t = crate::plan::TableRef {
            schema: lake.schema(&project.layer_schema(&r.layer)),
            name: r.name.clone(),
        };
        let Some(state) = lake.table(&t).map_err(|e| e.into_diagnostics(""))? else {
            say!("{t}: not created yet");
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
        say!("{t}: {} partition(s)", held.len());
        for (p, i) in held {
            match i {
                Some(i) => say!(
                    "  {p:<40} {}  sha256 {}  {} bytes  {} rows  {}",
                    i.file,
                    &i.sha256[..16.min(i.sha256.len())],
                    i.bytes,
                    i.rows,
                    i.ingested_at
                ),
                None => say!("  {p:<40} (not loaded by karte ingest)"),
            }
        }
    }
    Ok(true)
}
