//! `karte ingest`: land delivered files (zipped CP932 CSV/TSV, UKE, …) in bronze tables.
//!
//! Each file is classified by the project's ingest rules (`crate::project::ingest`), read and
//! checked in one streaming pass (`read.rs`), converted to Parquet (DuckDB, in memory) and
//! published to its own partition — a location named by the file's checksum, registered in the
//! catalog after the data is in place, so readers see the old file or the new one, never half.
//! A file maps to exactly one partition (an unpartitioned table holds one file); the partition
//! keeps the file's name, checksum, size, rows and load time (the manifest), which makes a
//! second ingest of the same file a no-op and a changed file a replacement of its partition.
//! Bad files are copied to a quarantine location with a report; the rest of the batch goes on.

#[cfg(feature = "athena")]
pub mod limit;
pub mod read;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use crate::engine::lake::Lake;
use crate::engine::EngineError;
use crate::plan::catalog::{ColumnState, IngestedFile, PartitionState, TableKind, TableState};
use crate::plan::layout::is_under;
use crate::plan::TableRef;
use crate::project::ingest::{IngestRule, IngestRules, LINE_COLUMN, SOURCE_FILE_COLUMN};
use crate::project::Project;
use crate::t;
pub use read::Problem;

/// What happened to one delivered file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Loaded into a new partition.
    Loaded,
    /// Loaded, replacing the partition of an earlier, different version of the file.
    Replaced,
    /// Already loaded with the same checksum: nothing done.
    Unchanged,
    /// Would be loaded (`--dry-run`; the file was read and checked).
    WouldLoad,
    /// Would replace its partition (`--dry-run`).
    WouldReplace,
    /// Bad data: copied to quarantine, not loaded.
    Quarantined,
    /// Not loaded: its partition holds another file, or two rules match it.
    Conflict,
    /// No rule matches it.
    Unmatched,
    /// Matches an `ignore` glob.
    Ignored,
}

impl Outcome {
    fn failed(self) -> bool {
        matches!(
            self,
            Outcome::Quarantined | Outcome::Conflict | Outcome::Unmatched
        )
    }
}

/// One file in the report.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file's name as matched (or its path when unmatched).
    pub file: String,
    /// What happened.
    pub outcome: Outcome,
    /// `schema.table`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Partition, `key=value/…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// Rows loaded.
    pub rows: u64,
    /// Bytes of the delivered file.
    pub bytes: u64,
    /// Bytes after decompression.
    pub bytes_uncompressed: u64,
    /// SHA-256.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sha256: String,
    /// The file replaced (its checksum), for `replaced`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_sha256: Option<String>,
    /// Problems (quarantined / conflict).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// Where the quarantined copy is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarantined_to: Option<String>,
}

/// The report of one `karte ingest`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Run id.
    pub run_id: String,
    /// Target.
    pub target: String,
    /// Dry run.
    pub dry_run: bool,
    /// Files, in path order.
    pub files: Vec<FileReport>,
    /// Seconds taken.
    pub seconds: f64,
}

impl Report {
    /// True if any file failed (quarantined, in conflict, unmatched).
    pub fn failed(&self) -> bool {
        self.files.iter().any(|f| f.outcome.failed())
    }

    /// Count of files with an outcome.
    pub fn count(&self, o: Outcome) -> usize {
        self.files.iter().filter(|f| f.outcome == o).count()
    }
}

/// Options of one run.
pub struct Options {
    /// Files and directories to ingest.
    pub paths: Vec<PathBuf>,
    /// Read and check, but change nothing.
    pub dry_run: bool,
    /// Run id (`YYYYMMDDTHHMMSSZ-…`).
    pub run_id: String,
    /// Target name.
    pub target: String,
}

/// A delivered file matched by a rule.
struct Matched<'a> {
    path: PathBuf,
    name: String,
    rule: &'a IngestRule,
    values: Vec<String>,
}

/// Ingest `opts.paths` into `lake`; `progress` gets one line per file.
pub fn run(
    project: &Project,
    lake: &(dyn Lake + Sync),
    opts: &Options,
    progress: &(dyn Fn(&FileReport) + Sync),
) -> Result<Report, EngineError> {
    let started = Instant::now();
    let rules = &project.ingest;
    if rules.rules.is_empty() {
        return Err(EngineError::project(t!("ingest-no-rules")));
    }
    let work = project
        .root
        .join("target")
        .join("ingest")
        .join(&opts.run_id);
    std::fs::create_dir_all(&work).map_err(|e| {
        EngineError::environment(t!(
            "ingest-cannot-create",
            path = work.display().to_string(),
            error = e.to_string()
        ))
    })?;

    let (mut files, by_table) = classify(rules, &opts.paths)?;
    for ((layer, name), matched) in by_table {
        let table = TableRef {
            schema: lake.schema(&project.layer_schema(&layer)),
            name,
        };
        let job = TableJob {
            lake,
            opts,
            progress,
            work: &work,
            table: &table,
        };
        files.extend(job.ingest(matched)?);
    }
    let _ = std::fs::remove_dir_all(&work);
    files.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(Report {
        run_id: opts.run_id.clone(),
        target: opts.target.clone(),
        dry_run: opts.dry_run,
        files,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Files matched by one rule each, by the rule's (layer, table).
type ByTable<'a> = BTreeMap<(String, String), Vec<Matched<'a>>>;

/// Sorts the delivered files under `paths` by the rules: a file ignored, matched by no rule or
/// by more than one gets its report at once; a file matched by one rule goes to its table.
fn classify<'a>(
    rules: &'a IngestRules,
    paths: &[PathBuf],
) -> Result<(Vec<FileReport>, ByTable<'a>), EngineError> {
    let mut files: Vec<FileReport> = Vec::new();
    let mut by_table: ByTable = BTreeMap::new();
    for (path, rel) in list_files(paths)? {
        if rules
            .ignore
            .iter()
            .any(|g| g.is_match(&rel) || rel.rsplit('/').next().is_some_and(|n| g.is_match(n)))
        {
            files.push(report(&rel, Outcome::Ignored));
            continue;
        }
        let hits: Vec<(&IngestRule, regex::Captures)> = rules
            .rules
            .iter()
            .filter_map(|r| r.regex.captures(&rel).map(|c| (r, c)))
            .collect();
        match hits.as_slice() {
            [] => {
                let mut f = report(&rel, Outcome::Unmatched);
                f.problems.push(problem(&t!("ingest-no-rule")));
                files.push(f);
            }
            [(rule, caps)] => {
                let name = caps
                    .get(0)
                    .map(|m| m.as_str().trim_start_matches('/'))
                    .unwrap_or(&rel)
                    .to_string();
                let values: Vec<String> = rule
                    .partitioned_by
                    .iter()
                    .map(|p| {
                        caps.name(p)
                            .map(|m| m.as_str().to_string())
                            .unwrap_or_default()
                    })
                    .collect();
                by_table
                    .entry((rule.layer.clone(), rule.name.clone()))
                    .or_default()
                    .push(Matched {
                        path,
                        name,
                        rule,
                        values,
                    });
            }
            many => {
                let mut f = report(&rel, Outcome::Conflict);
                let names: Vec<String> = many
                    .iter()
                    .map(|(r, _)| format!("{} ({})", r.name, r.path))
                    .collect();
                f.problems.push(problem(&t!(
                    "ingest-several-rules",
                    rules = names.join(", ")
                )));
                files.push(f);
            }
        }
    }
    Ok((files, by_table))
}

/// What ingesting the files of one table needs.
struct TableJob<'a> {
    lake: &'a (dyn Lake + Sync),
    opts: &'a Options,
    progress: &'a (dyn Fn(&FileReport) + Sync),
    work: &'a Path,
    table: &'a TableRef,
}

impl TableJob<'_> {
    /// Ingests the files `matched` for this table (all by one rule): the table made ready,
    /// each file's outcome decided, the files loaded (two at a time, one per core), then their
    /// partitions published and the locations they replace deleted.
    fn ingest(&self, matched: Vec<Matched>) -> Result<Vec<FileReport>, EngineError> {
        let (lake, table) = (self.lake, self.table);
        let rule = matched[0].rule;
        let prefix = lake.table_prefix(table);
        let mut state = self.ready_table(rule, &prefix)?;
        let todo = decide(rule, table, &state, matched)?;
        let job = Job {
            rule,
            lake,
            opts: self.opts,
            work: self.work,
            prefix: &prefix,
            state: &state,
        };
        let done: Vec<Result<Loaded, EngineError>> = todo
            .into_par_iter()
            .map(|(m, f)| {
                let r = job.load(&m, f);
                if let Ok(l) = &r {
                    (self.progress)(&l.report);
                }
                r
            })
            .collect();
        let mut files = Vec::new();
        let mut publish: Vec<PartitionState> = Vec::new();
        let mut old_locations: Vec<String> = Vec::new();
        for d in done {
            let d = d?;
            files.push(d.report);
            if let Some((p, old)) = d.publish {
                publish.push(p);
                old_locations.extend(old);
            }
        }
        if !publish.is_empty() {
            lake.publish(table, &mut state, publish)?;
            for old in old_locations {
                lake.delete(table, &state, &old)?;
            }
        }
        Ok(files)
    }

    /// The table's state in the lake, checked against what `rule` wants; unless this is a dry
    /// run, the table is created, or its columns updated to the rule's.
    fn ready_table(&self, rule: &IngestRule, prefix: &str) -> Result<TableState, EngineError> {
        let (lake, table) = (self.lake, self.table);
        let wanted = table_state(rule, prefix);
        let existing = lake.table(table)?;
        let exists = existing.is_some();
        let mut state = match existing {
            Some(s) => {
                check_compatible(table, &s, &wanted)?;
                s
            }
            None => wanted.clone(),
        };
        if !self.opts.dry_run && (!exists || state.columns != wanted.columns) {
            state.columns = wanted.columns.clone();
            lake.put_table(table, &state, exists)?;
        }
        Ok(state)
    }
}

/// Each file's outcome before it is read, in file order: checksums (computed on both cores),
/// then a partition value that is not allowed, two files of the batch for one partition, or
/// what the partition holds now (the same file: unchanged; an earlier version: replaced;
/// another file: a conflict).
fn decide<'a>(
    rule: &IngestRule,
    table: &TableRef,
    state: &TableState,
    matched: Vec<Matched<'a>>,
) -> Result<Vec<(Matched<'a>, FileReport)>, EngineError> {
    let sums: Vec<Result<(String, u64), EngineError>> =
        matched.par_iter().map(|m| checksum(&m.path)).collect();
    let mut seen: BTreeMap<Vec<String>, String> = BTreeMap::new();
    let mut todo: Vec<(Matched, FileReport)> = Vec::new();
    for (m, sum) in matched.into_iter().zip(sums) {
        let (sha, bytes) = sum?;
        let mut f = report(&m.name, Outcome::Loaded);
        f.table = Some(table.to_string());
        f.partition = Some(
            partition_path(rule, &m.values)
                .trim_end_matches('/')
                .to_string(),
        )
        .filter(|p| !p.is_empty());
        f.sha256 = sha.clone();
        f.bytes = bytes;
        if let Some(bad) = rule
            .partitioned_by
            .iter()
            .zip(&m.values)
            .find_map(|(k, v)| bad_partition_value(k, v))
        {
            f.outcome = Outcome::Conflict;
            f.problems.push(problem(&bad));
        } else if let Some(other) = seen.get(&m.values) {
            f.outcome = Outcome::Conflict;
            f.problems
                .push(problem(&t!("ingest-same-partition", other = other)));
        }
        if f.outcome == Outcome::Loaded {
            seen.insert(m.values.clone(), m.name.clone());
            match current_file(state, &m.values) {
                Some(c) if c.sha256 == sha => f.outcome = Outcome::Unchanged,
                Some(c) if c.file != m.name => {
                    f.outcome = Outcome::Conflict;
                    f.problems.push(problem(&t!(
                        "ingest-partition-taken",
                        file = c.file,
                        at = c.ingested_at.to_string()
                    )));
                }
                Some(c) => {
                    f.outcome = Outcome::Replaced;
                    f.previous_sha256 = Some(c.sha256.clone());
                }
                None => {}
            }
        }
        todo.push((m, f));
    }
    Ok(todo)
}

/// What one file needs to be loaded.
struct Job<'a> {
    rule: &'a IngestRule,
    lake: &'a (dyn Lake + Sync),
    opts: &'a Options,
    work: &'a Path,
    prefix: &'a str,
    state: &'a TableState,
}

/// A file after loading: its report, and the partition to publish with the location it
/// replaces.
struct Loaded {
    report: FileReport,
    publish: Option<(PartitionState, Option<String>)>,
}

impl Job<'_> {
    /// Read, check, convert and upload one file whose outcome so far is `f.outcome`.
    fn load(&self, m: &Matched, mut f: FileReport) -> Result<Loaded, EngineError> {
        if !matches!(f.outcome, Outcome::Loaded | Outcome::Replaced) {
            return Ok(Loaded {
                report: f,
                publish: None,
            });
        }
        let (rule, opts) = (self.rule, self.opts);
        let key = &f.sha256[..16];
        let csv = self.work.join(format!("{key}.csv"));
        let staged = read::stage(rule, &m.path, &m.name, &csv);
        let result = match staged {
            Err(problems) => {
                f.outcome = Outcome::Quarantined;
                f.problems = problems;
                if !opts.dry_run {
                    let text = quarantine_text(&f);
                    f.quarantined_to =
                        Some(
                            self.lake
                                .quarantine(&opts.run_id, &m.name, &m.path, &text)?,
                        );
                }
                None
            }
            Ok(staged) if opts.dry_run => {
                f.rows = staged.rows;
                f.bytes_uncompressed = staged.bytes_in;
                f.outcome = if f.outcome == Outcome::Replaced {
                    Outcome::WouldReplace
                } else {
                    Outcome::WouldLoad
                };
                None
            }
            Ok(staged) => {
                f.rows = staged.rows;
                f.bytes_uncompressed = staged.bytes_in;
                let parquet = self.work.join(format!("{key}.parquet"));
                to_parquet(rule, &csv, &parquet)?;
                let _ = std::fs::remove_file(&csv);
                let location =
                    format!("{}{}f-{key}/", self.prefix, partition_path(rule, &m.values));
                if !is_under(&location, self.prefix) || location.contains("/../") {
                    return Err(EngineError::internal(t!(
                        "ingest-outside-prefix",
                        location = location,
                        prefix = self.prefix.to_string()
                    )));
                }
                self.lake
                    .upload(&parquet, &format!("{location}data.parquet"))?;
                let _ = std::fs::remove_file(&parquet);
                let ingested = IngestedFile {
                    file: m.name.clone(),
                    sha256: f.sha256.clone(),
                    bytes: f.bytes,
                    rows: staged.rows,
                    ingested_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    run_id: opts.run_id.clone(),
                };
                let old = current_location(self.state, &m.values).filter(|old| *old != location);
                Some((
                    PartitionState {
                        values: m.values.clone(),
                        location,
                        ingested: Some(ingested),
                    },
                    old,
                ))
            }
        };
        let _ = std::fs::remove_file(&csv);
        Ok(Loaded {
            report: f,
            publish: result,
        })
    }
}

fn report(file: &str, outcome: Outcome) -> FileReport {
    FileReport {
        file: file.to_string(),
        outcome,
        table: None,
        partition: None,
        rows: 0,
        bytes: 0,
        bytes_uncompressed: 0,
        sha256: String::new(),
        previous_sha256: None,
        problems: Vec::new(),
        quarantined_to: None,
    }
}

fn problem(reason: &str) -> Problem {
    Problem {
        entry: None,
        line: None,
        reason: reason.to_string(),
    }
}

/// The files under the given paths, sorted, with the path each rule is matched against
/// (relative to a directory argument; as given for a file argument), `/`-separated.
fn list_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, EngineError> {
    let mut out = BTreeSet::new();
    for p in paths {
        if p.is_dir() {
            for e in walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                })
            {
                let e = e.map_err(|e| {
                    EngineError::environment(t!(
                        "ingest-cannot-list",
                        path = p.display().to_string(),
                        error = e.to_string()
                    ))
                })?;
                if e.file_type().is_file() {
                    let rel = e.path().strip_prefix(p).unwrap_or(e.path());
                    out.insert((e.path().to_path_buf(), slash(rel)));
                }
            }
        } else if p.is_file() {
            out.insert((p.clone(), slash(p)));
        } else {
            return Err(EngineError::project(t!(
                "ingest-no-such-path",
                path = p.display().to_string()
            )));
        }
    }
    Ok(out.into_iter().collect())
}

fn slash(p: &Path) -> String {
    p.to_string_lossy()
        .replace('\\', "/")
        .trim_start_matches("./")
        .to_string()
}

fn checksum(path: &Path) -> Result<(String, u64), EngineError> {
    let mut f = std::fs::File::open(path).map_err(|e| {
        EngineError::environment(t!(
            "ingest-cannot-read",
            path = path.display().to_string(),
            error = e.to_string()
        ))
    })?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| {
            EngineError::environment(t!(
                "ingest-cannot-read",
                path = path.display().to_string(),
                error = e.to_string()
            ))
        })?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((hex, n))
}

/// Why a value captured from a file's name cannot be the partition value of `key`, if it
/// cannot: a partition value is one folder name inside the table's prefix.
fn bad_partition_value(key: &str, v: &str) -> Option<String> {
    let why = if v.is_empty() {
        t!("ingest-value-empty")
    } else if v.contains(['/', '\\']) {
        t!("ingest-value-separator")
    } else if v.contains("..") {
        t!("ingest-value-dots")
    } else if v.contains(['=', ':']) || v.chars().any(char::is_control) {
        t!("ingest-value-bad-char")
    } else {
        return None;
    };
    let shown = if v.is_empty() {
        t!("ingest-value-shown-empty")
    } else {
        format!("`{v}`")
    };
    Some(t!(
        "ingest-bad-partition-value",
        value = shown,
        key = key,
        why = why
    ))
}

/// `key=value/…/` of a file's partition ("" when unpartitioned).
fn partition_path(rule: &IngestRule, values: &[String]) -> String {
    rule.partitioned_by
        .iter()
        .zip(values)
        .map(|(k, v)| format!("{k}={v}/"))
        .collect()
}

/// The catalog entry a rule asks for.
pub fn table_state(rule: &IngestRule, prefix: &str) -> TableState {
    let mut columns: Vec<ColumnState> = rule
        .columns
        .iter()
        .map(|c| ColumnState {
            name: c.name.clone(),
            data_type: "string".into(),
        })
        .collect();
    columns.push(ColumnState {
        name: SOURCE_FILE_COLUMN.into(),
        data_type: "string".into(),
    });
    columns.push(ColumnState {
        name: LINE_COLUMN.into(),
        data_type: "bigint".into(),
    });
    TableState {
        kind: TableKind::Hive,
        location: Some(prefix.to_string()),
        managed: true,
        owned_prefix: Some(prefix.to_string()),
        columns,
        partition_keys: rule.partitioned_by.clone(),
        partition_types: rule
            .partitioned_by
            .iter()
            .map(|_| "string".to_string())
            .collect(),
        partitions: Vec::new(),
        previous_locations: Vec::new(),
        ingested: None,
        version_id: None,
        parameters: Default::default(),
    }
}

fn check_compatible(t: &TableRef, have: &TableState, want: &TableState) -> Result<(), EngineError> {
    if !have.managed || have.kind != TableKind::Hive {
        return Err(EngineError::project(t!(
            "ingest-not-ingest-table",
            table = t.to_string()
        )));
    }
    if have.partition_keys != want.partition_keys {
        return Err(EngineError::project(t!(
            "ingest-partitioning-changed",
            table = t.to_string(),
            have = have.partition_keys.join(", "),
            want = want.partition_keys.join(", ")
        )));
    }
    Ok(())
}

fn current_file(state: &TableState, values: &[String]) -> Option<IngestedFile> {
    if state.partition_keys.is_empty() {
        state.ingested.clone()
    } else {
        state
            .partitions
            .iter()
            .find(|p| p.values == values)
            .and_then(|p| p.ingested.clone())
    }
}

fn current_location(state: &TableState, values: &[String]) -> Option<String> {
    if state.partition_keys.is_empty() {
        state.ingested.as_ref().and(state.location.clone())
    } else {
        state
            .partitions
            .iter()
            .find(|p| p.values == values)
            .map(|p| p.location.clone())
    }
}

/// The staging CSV → Parquet (snappy, as Athena reads by default).
fn to_parquet(rule: &IngestRule, csv: &Path, out: &Path) -> Result<(), EngineError> {
    let duck = duckdb::Connection::open_in_memory()
        .map_err(|e| EngineError::environment(t!("ingest-no-duckdb", error = e.to_string())))?;
    let lit = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let mut cols: Vec<String> = rule
        .columns
        .iter()
        .map(|c| format!("{}: 'VARCHAR'", lit(&c.name)))
        .collect();
    cols.push(format!("{}: 'VARCHAR'", lit(SOURCE_FILE_COLUMN)));
    cols.push(format!("{}: 'BIGINT'", lit(LINE_COLUMN)));
    // Memory: DuckDB's CSV reader holds buffers of `buffer_size` (by default 16 × the line
    // limit) per thread, and keeping insertion order makes COPY buffer what parallel readers
    // produced out of order; one thread per conversion (two files are converted at a time),
    // rows in any order (each keeps its `_line`).
    // A staged line is at most 3 × its record as delivered (a CP932 half-width katakana is 3
    // bytes of UTF-8, a delimiter becomes `","`, a quote is doubled) plus the source file's
    // name: records are capped by `limits.line`.
    let max_line = rule.limits.line.saturating_mul(3).saturating_add(1 << 20);
    let buffer = max_line.saturating_add(8 << 20).max(64 << 20);
    let sql = format!(
        "SET threads = 1; SET preserve_insertion_order = false; COPY (SELECT * FROM read_csv({}, header = false, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false, auto_detect = false, columns = {{{}}}, max_line_size = {max_line}, buffer_size = {buffer})) TO {} (FORMAT parquet, COMPRESSION snappy)",
        lit(&csv.to_string_lossy()),
        cols.join(", "),
        lit(&out.to_string_lossy())
    );
    duck.execute_batch(&sql).map_err(|e| {
        // DuckDB's CSV errors quote the delivered line: a patient's record.
        let e = crate::execute::scrub::without_values(&e.to_string());
        EngineError::internal(format!("writing Parquet from {}: {e}", csv.display()))
    })
}

fn quarantine_text(f: &FileReport) -> String {
    let mut s = format!(
        "file: {}\nsha256: {}\ntable: {}\nproblems:\n",
        f.file,
        f.sha256,
        f.table.as_deref().unwrap_or("-")
    );
    for p in &f.problems {
        s.push_str(&format!("  - {}\n", describe(p)));
    }
    s
}

/// `member, line N: reason`.
pub fn describe(p: &Problem) -> String {
    let mut at = Vec::new();
    if let Some(e) = &p.entry {
        at.push(e.clone());
    }
    if let Some(l) = p.line {
        at.push(t!("ingest-line", line = l.to_string()));
    }
    if at.is_empty() {
        p.reason.clone()
    } else {
        format!("{}: {}", at.join(", "), p.reason)
    }
}
