//! What `build`, `run`, `seed`, `snapshot`, `test` and `retry` show while they run:
//!
//! - **text** on a terminal: a bar with the real total, what is running, the time elapsed and
//!   the counts so far, and one line per finished node above it;
//! - **text** elsewhere (CI, a log file, a pipe): one line per finished node, numbered
//!   `n/total`, with the time elapsed since the run started;
//! - **quiet**: only the nodes that failed;
//! - **json**: one JSON object per line on stdout for schedulers — `run_started`,
//!   `node_started`, `node_finished` (status, duration, rows written, message) and
//!   `run_finished` (status, counts) — never a row of data (an engine's error loses the
//!   values it quotes, as in notifications).
//!
//! Messages, progress and failures go to stderr; stdout holds the summary (text) or the JSON
//! lines (json).

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::json;

use crate::execute::results::{NodeResult, RunResults, Status};
use crate::execute::runner::{Event, Job};
use crate::execute::{RunEvent, Work};

/// Set when stdout is kept for JSON lines: lines for people that other commands print on the
/// way (`build --ingest`'s ingest report) go to stderr.
static TEXT_TO_STDERR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Send the text other commands print on the way to stderr from now on.
pub fn keep_stdout_for_json() {
    TEXT_TO_STDERR.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// True once [`keep_stdout_for_json`] was called.
pub fn text_to_stderr() -> bool {
    TEXT_TO_STDERR.load(std::sync::atomic::Ordering::SeqCst)
}

/// How a run command reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RunOutput {
    /// Progress and a summary for people.
    #[default]
    Text,
    /// JSON lines of run and node events on stdout, for schedulers.
    Json,
}

/// Where a run's report goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reporting {
    /// Text or JSON lines.
    pub output: RunOutput,
    /// `--quiet`: nothing but failures (text), or no JSON line but `run_finished`.
    pub quiet: bool,
    /// Keep stdout free (`karte show` prints rows there): the summary goes to stderr.
    pub stdout_free: bool,
}

impl Default for Reporting {
    fn default() -> Self {
        Reporting {
            output: RunOutput::Text,
            quiet: false,
            stdout_free: false,
        }
    }
}

impl Reporting {
    /// A line for people that is not progress (e.g. what `source_status:` selected): stdout
    /// in text mode, stderr when stdout is kept for JSON or rows, nothing when quiet.
    pub fn say(&self, line: &str) {
        if self.quiet {
            return;
        }
        if self.output == RunOutput::Json || self.stdout_free {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    done: usize,
    running: Vec<String>,
    ok: usize,
    failed: usize,
    skipped: usize,
}

/// The live display of one run.
pub struct Progress {
    report: Reporting,
    lang: crate::scaffold::Lang,
    command: String,
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    counts: Mutex<Counts>,
}

impl Progress {
    /// A display for `command` (`build`, …).
    pub fn new(command: &str, report: Reporting) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && report.output == RunOutput::Text && !report.quiet).then(|| {
            let b = indicatif::ProgressBar::new(0);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:30}] {pos}/{len} {msg}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            b
        });
        Progress {
            report,
            lang: crate::i18n::lang(),
            command: command.to_string(),
            bar,
            started: Instant::now(),
            counts: Mutex::new(Counts::default()),
        }
    }

    /// Seconds since the display started.
    fn elapsed(&self) -> f64 {
        (self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
    }

    /// One JSON line on stdout, whole.
    fn json_line(&self, v: serde_json::Value) {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let _ = writeln!(out, "{v}");
        let _ = out.flush();
    }

    /// Handle an event of the run.
    pub fn event(&self, e: RunEvent) {
        match e {
            RunEvent::Begin {
                run_id,
                total,
                threads,
            } => self.begin(run_id, total, threads),
            RunEvent::Job(job, Event::Started(_)) => self.started(job),
            RunEvent::Job(_, Event::Finished(_, r)) => self.finished(r),
        }
    }

    fn begin(&self, run_id: &str, total: usize, threads: usize) {
        self.counts.lock().expect("progress").total = total;
        match (self.report.output, &self.bar) {
            (RunOutput::Json, _) if !self.report.quiet => self.json_line(json!({
                "event": "run_started",
                "run_id": run_id,
                "command": self.command,
                "total": total,
                "threads": threads,
            })),
            (RunOutput::Text, Some(b)) => {
                b.set_length(total as u64);
                // The clock moves while long queries run.
                b.enable_steady_tick(std::time::Duration::from_millis(200));
                b.set_message(messages::counts(self.lang, 0, 0, 0, &[]));
            }
            (RunOutput::Text, None) if !self.report.quiet => {
                eprintln!(
                    "{}",
                    messages::begin(self.lang, &self.command, run_id, total)
                );
            }
            _ => {}
        }
    }

    fn started(&self, job: &Job<Work>) {
        let mut c = self.counts.lock().expect("progress");
        c.running.push(job.name.clone());
        match (self.report.output, &self.bar) {
            (RunOutput::Json, _) if !self.report.quiet => self.json_line(json!({
                "event": "node_started",
                "unique_id": job.unique_id,
                "name": job.name,
                "kind": job.kind,
                "elapsed_s": self.elapsed(),
            })),
            (RunOutput::Text, Some(b)) => b.set_message(messages::counts(
                self.lang, c.ok, c.failed, c.skipped, &c.running,
            )),
            _ => {}
        }
    }

    fn finished(&self, r: &NodeResult) {
        let mut c = self.counts.lock().expect("progress");
        c.running.retain(|n| n != &r.name);
        c.done += 1;
        match r.status {
            Status::Success | Status::Pass | Status::Warn => c.ok += 1,
            Status::Error | Status::Fail => c.failed += 1,
            Status::Skipped => c.skipped += 1,
        }
        let failed = matches!(r.status, Status::Error | Status::Fail);
        match self.report.output {
            RunOutput::Json => {
                if self.report.quiet {
                    return;
                }
                let mut v = json!({
                    "event": "node_finished",
                    "unique_id": r.unique_id,
                    "name": r.name,
                    "kind": r.kind,
                    "status": r.status,
                    "duration_s": r.execution_time,
                    "done": c.done,
                    "total": c.total,
                    "elapsed_s": self.elapsed(),
                });
                if let Some(n) = r.rows_affected {
                    v["rows_affected"] = json!(n);
                }
                if let Some(n) = r.failures {
                    v["failures"] = json!(n);
                }
                if let Some(m) = &r.message {
                    // Engines quote values in their errors (`Could not convert string
                    // '…'`): the events go to schedulers' logs, so they lose them.
                    v["message"] = json!(crate::notify::message::scrub(m));
                }
                self.json_line(v);
            }
            RunOutput::Text => {
                if self.report.quiet && !failed {
                    return;
                }
                let line = messages::node_line(self.lang, c.done, c.total, r, self.elapsed());
                match &self.bar {
                    Some(b) => {
                        b.println(line);
                        b.set_position(c.done as u64);
                        b.set_message(messages::counts(
                            self.lang, c.ok, c.failed, c.skipped, &c.running,
                        ));
                    }
                    None => eprintln!("{line}"),
                }
            }
        }
    }

    /// The run ended: clear the bar, and in JSON mode write `run_finished`.
    pub fn finish(&self, results: &RunResults) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        if self.report.output != RunOutput::Json {
            return;
        }
        let count = |s: Status| results.results.iter().filter(|r| r.status == s).count();
        let status = if results.interrupted {
            "interrupted"
        } else if results.failed() {
            "error"
        } else {
            "success"
        };
        self.json_line(json!({
            "event": "run_finished",
            "run_id": results.run_id,
            "command": results.command,
            "status": status,
            "elapsed_s": results.elapsed,
            "counts": {
                "success": count(Status::Success),
                "error": count(Status::Error),
                "skipped": count(Status::Skipped),
                "pass": count(Status::Pass),
                "fail": count(Status::Fail),
                "warn": count(Status::Warn),
            },
        }));
    }
}

/// The status as a short word.
pub fn status_word(s: &Status) -> &'static str {
    match s {
        Status::Success => "OK",
        Status::Error => "ERROR",
        Status::Skipped => "SKIP",
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Warn => "WARN",
    }
}

/// The progress texts (catalogue: `src/i18n/*/run.ftl`).
pub mod messages {
    use super::status_word;
    use crate::execute::results::NodeResult;
    use crate::scaffold::Lang;

    /// The first line when not on a terminal.
    pub fn begin(lang: Lang, command: &str, run_id: &str, total: usize) -> String {
        crate::t!(lang => "run-begin", command = command, run_id = run_id, total = total)
    }

    /// The bar's message: counts so far and what runs.
    pub fn counts(
        lang: Lang,
        ok: usize,
        failed: usize,
        skipped: usize,
        running: &[String],
    ) -> String {
        let mut s = crate::t!(lang => "run-counts", ok = ok, failed = failed, skipped = skipped);
        if !running.is_empty() {
            let shown: Vec<&str> = running.iter().take(3).map(String::as_str).collect();
            s.push_str(&format!(
                "  {}: {}",
                crate::t!(lang => "run-running"),
                shown.join(", ")
            ));
            if running.len() > 3 {
                s.push_str(&format!(" +{}", running.len() - 3));
            }
        }
        s
    }

    /// One finished node.
    pub fn node_line(
        lang: Lang,
        done: usize,
        total: usize,
        r: &NodeResult,
        elapsed: f64,
    ) -> String {
        let width = total.to_string().len();
        format!(
            "[{done:>width$}/{total}] {:<5} {:<8} {:<40} {:>7.2}s  ({} {elapsed:.1}s){}",
            status_word(&r.status),
            r.kind,
            r.name,
            r.execution_time,
            crate::t!(lang => "run-elapsed"),
            r.message
                .as_deref()
                .map(|m| format!("  {m}"))
                .unwrap_or_default()
        )
    }
}
