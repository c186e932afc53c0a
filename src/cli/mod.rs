//! The command line: parse arguments, call the library, print, return an exit status.
//! Exit 0: success; 1: something in the project failed; 2: karte could not run; with
//! `--wait-for-upstream`, 3: an upstream project's run failed, 4: it was late (timeout).

mod commands;
pub mod help;
pub mod progress;
pub mod stdio;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::diag::{Blame, Code, Diagnostic, Diagnostics};
use crate::project::NodeKind;

/// karte — SQL transforms for medical data lakes on Athena, with a local engine.
#[derive(Debug, Parser)]
#[command(name = "karte", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Language of messages and help: ja or en (default: KARTE_LANG, else the locale).
    #[arg(long, global = true, value_parser = ["ja", "en"])]
    lang: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render and check every model, and write compiled SQL and manifest.json under target/.
    Compile(CompileArgs),
    /// List the selected nodes in dependency order.
    Ls(LsArgs),
    /// Show where a column comes from and what is computed from it (column lineage).
    Lineage(LineageArgs),
    /// Find the mistakes Athena SQL is known for (integer division, `= NULL`, …); `--fix` corrects the safe ones.
    Lint(LintArgs),
    /// Show the steps a build would run (SQL, catalog and storage operations), and what each may destroy.
    Plan(PlanArgs),
    /// Show what each role of `access:` may read (tables, columns, classes), or check one table.
    Access(AccessArgs),
    /// Compare with a saved manifest (production's): per new, modified and removed node, the
    /// compiled SQL's diff and the plan's (new steps that may destroy data called out).
    Diff(DiffArgs),
    /// Create a new, working project in DIR.
    Init(InitArgs),
    /// Start something new in the project: `karte new model gold/my_mart`.
    #[command(subcommand)]
    New(NewCommand),
    /// Turn Athena scripts (CREATE TABLE … AS SELECT, INSERT INTO, views, external tables)
    /// into a karte project; what cannot be converted is listed in import-report.md.
    ImportSql(commands::import_sql::ImportSqlArgs),
    /// A static documentation site of the project (tables, columns, classes, tests, SQL,
    /// lineage): `karte docs generate` writes target/docs, `karte docs serve` shows it.
    #[command(subcommand)]
    Docs(DocsCommand),
    /// Sources and ingest tables: `karte source freshness` checks how old their newest data is.
    #[command(subcommand)]
    Source(SourceCommand),
    /// Build seeds, models and snapshots and run their tests, in dependency order.
    Build(RunCmdArgs),
    /// Build models only (no seeds, snapshots or tests).
    Run(RunCmdArgs),
    /// Load the seed CSV files.
    Seed(RunCmdArgs),
    /// Take the SCD2 snapshots.
    Snapshot(RunCmdArgs),
    /// Run the data tests of the selected nodes.
    Test(RunCmdArgs),
    /// Run again what failed or was skipped in the last run.
    Retry(RetryArgs),
    /// Recent runs (status, duration, bytes scanned, cost) and the slowest and most expensive nodes.
    Runs(RunsArgs),
    /// dbt projects: install the packages of packages.yml into dbt_packages/ (as `dbt deps`).
    Deps(DepsArgs),
    /// Undo the table swaps of an interrupted or failed run (see target/journal/).
    Rollback(RollbackArgs),
    /// Write the example project's synthetic deliveries (CP932, zipped) and their answer key.
    ExampleData(commands::example_data::ExampleDataArgs),
    /// Load delivered files (zip/gzip, CP932 CSV/TSV/UKE) into bronze tables by the project's ingest rules.
    #[cfg(feature = "duckdb-engine")]
    Ingest(commands::ingest::IngestArgs),
    /// Print the rows of a model (building first what it needs locally), or of `--sql`, from
    /// the local lake, on this machine only.
    #[cfg(feature = "duckdb-engine")]
    Show(ShowArgs),
}

#[derive(Debug, Args)]
struct ShowArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// The model, seed, snapshot or source: `monthly_visits`, `gold.monthly_visits`, `raw.visits`.
    #[arg(required_unless_present = "sql", conflicts_with = "sql")]
    model: Option<String>,
    /// An ad-hoc query (Athena SQL) against the local lake instead: tables as
    /// `schema.table`, as they are built locally.
    #[arg(long, value_name = "QUERY")]
    sql: Option<String>,
    /// Only the rows where this condition holds (Athena SQL): --where "department = '内科'".
    #[arg(long = "where", value_name = "CONDITION")]
    condition: Option<String>,
    /// At most this many rows (0: all of them).
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    #[cfg(feature = "duckdb-engine")]
    output: commands::show::ShowOutput,
    /// Build MODEL itself again first, even though it is built (after editing its SQL).
    #[arg(long, conflicts_with = "sql")]
    rebuild: bool,
    /// Nodes built at the same time when something must be built first.
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(Debug, Subcommand)]
enum NewCommand {
    /// A model file (models/LAYER/…/NAME.sql) and its property entry (NAME.yml) listing the
    /// columns karte infers from its SQL; run it again after writing the query to fill them.
    Model(NewModelArgs),
}

#[derive(Debug, Args)]
struct NewModelArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Where: `layer/name` or `layer/folder/name` (e.g. gold/monthly_visits).
    path: String,
    /// Start from this SQL file (e.g. a query you already use) instead of a template.
    #[arg(long, value_name = "FILE")]
    from_sql: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum SourceCommand {
    /// How old each source and ingest table's newest data is, against its `freshness:` bounds
    /// (writes target/sources.json; exit 1 if one is older than `error_after`).
    Freshness(FreshnessArgs),
}

#[derive(Debug, Subcommand)]
enum DocsCommand {
    /// Write a self-contained static site to target/docs (open target/docs/index.html, or
    /// copy the folder to a static web host); metadata and SQL only, never rows.
    Generate(DocsGenerateArgs),
    /// Serve target/docs on this machine (127.0.0.1) until Ctrl-C.
    Serve(DocsServeArgs),
}

#[derive(Debug, Args)]
struct DocsGenerateArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// The project graph shows these nodes (and what they read); every table still gets its page.
    #[command(flatten)]
    select: SelectArgs,
    /// Draw the project graph only when it has at most this many tables.
    #[arg(long, default_value_t = crate::docs_site::GRAPH_LIMIT)]
    graph_limit: usize,
}

#[derive(Debug, Args)]
struct DocsServeArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Port (0: any free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on: a loopback address (127.0.0.1 or ::1).
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
}

#[derive(Debug, Args)]
struct FreshnessArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    output: Output,
    /// Send no notification (the channels of `notifications:` in karte.yml) for this check.
    #[arg(long)]
    no_notify: bool,
}

#[derive(Debug, Args)]
struct DepsArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Resolve packages.yml again (newest versions its constraints allow), not the versions
    /// package-lock.yml pinned.
    #[arg(long)]
    upgrade: bool,
}

#[derive(Debug, Args)]
struct RunsArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// How many runs to list (newest first).
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Show the slowest and most expensive nodes of this run (default: the newest listed).
    #[arg(long, value_name = "RUN_ID")]
    run: Option<String>,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    output: Output,
}

#[derive(Debug, Args)]
struct RollbackArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// The run id (a directory name under target/journal/).
    run_id: String,
    /// Also undo a run that finished successfully (e.g. it published bad data).
    #[arg(long)]
    force: bool,
}

/// Options every project command takes.
#[derive(Debug, Args, Clone)]
pub struct ProjectArgs {
    /// The project directory (holding karte.yml).
    #[arg(long, global = true, default_value = ".")]
    project_dir: PathBuf,
    /// Target from karte.yml (default: the project's default_target, usually `local`).
    #[arg(long, global = true)]
    target: Option<String>,
    /// Variables as YAML, over karte.yml's vars: --vars '{lookback_months: 6}'.
    #[arg(long, global = true)]
    vars: Option<String>,
    /// dbt projects: the folder holding profiles.yml.
    #[arg(long, global = true, value_name = "DIR")]
    profiles_dir: Option<PathBuf>,
}

/// Node selection.
#[derive(Debug, Args, Clone, Default)]
pub struct SelectArgs {
    /// Nodes to select: `name`, `+name`, `name+`, `tag:x`, `layer:silver`, `path:models/gold`,
    /// `config.materialized:table`; space = union, comma = intersection.
    #[arg(long, short = 's', num_args = 1..)]
    select: Vec<String>,
    /// Nodes to leave out, same syntax as --select.
    #[arg(long, num_args = 1..)]
    exclude: Vec<String>,
    /// A saved manifest to compare with (`state:modified`, `state:new`): a directory holding
    /// manifest.json (a copy of production's target/), the file itself, or an s3:// URI.
    #[arg(long, value_name = "PATH")]
    state: Option<String>,
}

/// `--defer`.
#[derive(Debug, Args, Clone, Default)]
pub struct DeferArgs {
    /// With --state: read unselected parents that are not built on this target from the
    /// relations the saved manifest names (production's tables).
    #[arg(long, requires = "state")]
    defer: bool,
}

#[derive(Debug, Args)]
struct AccessArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Only this role.
    #[arg(long)]
    role: Option<String>,
    /// Answer whether --role may read this table (`gold.pmpm`): exit 0 yes, 1 no.
    #[arg(long, value_name = "TABLE")]
    check: Option<String>,
}

#[derive(Debug, Args)]
struct CompileArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    select: SelectArgs,
    #[command(flatten)]
    defer: DeferArgs,
}

#[derive(Debug, Args)]
struct DiffArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// The saved manifest: a directory holding manifest.json and compiled/ (a copy of
    /// production's target/), the file itself, or an s3:// URI.
    #[arg(long, value_name = "PATH")]
    state: String,
    /// Plan against this saved catalog state (`karte plan --live --save-catalog-state FILE` on
    /// production); default: the tables the saved manifest says production has.
    #[arg(long, value_name = "FILE")]
    catalog_state: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    output: Output,
}

/// Output formats of listing commands.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
enum Output {
    /// One line per node.
    Text,
    /// A JSON array.
    Json,
}

#[derive(Debug, Args)]
struct LineageArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// The column: `layer.model.column` (e.g. `silver.receipts.person_id`), `source.table.column`,
    /// or `model.column`.
    column: String,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    output: Output,
}

#[derive(Debug, Args)]
struct LintArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    select: SelectArgs,
    /// Correct what is safe to correct in the files (full-width characters, `= NULL`,
    /// integer division, a date literal, ORDER BY without LIMIT, a column's table).
    #[arg(long)]
    fix: bool,
    /// Output format (json: for CI).
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    output: Output,
}

#[derive(Debug, Args)]
struct LsArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    select: SelectArgs,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    output: Output,
}

#[derive(Debug, Args)]
struct PlanArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    select: SelectArgs,
    #[command(flatten)]
    defer: DeferArgs,
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    output: Output,
    /// The catalog as saved in a JSON file (tables, locations, partitions); default: empty, a first run.
    #[arg(long, conflicts_with = "live")]
    catalog_state: Option<PathBuf>,
    /// Read the catalog from the target itself (Glue on Athena, the local catalog locally);
    /// `--save-catalog-state FILE` keeps it for offline planning.
    #[arg(long)]
    live: bool,
    /// With --live: also write the catalog state read to FILE (input for --catalog-state).
    #[arg(long, requires = "live")]
    save_catalog_state: Option<PathBuf>,
    /// Rebuild incremental models and snapshots from scratch.
    #[arg(long)]
    full_refresh: bool,
    /// Plan as of this date (YYYY-MM-DD; default: today): release snapshot periods depend on it.
    #[arg(long)]
    as_of: Option<String>,
    /// Also write the plan to FILE for `karte build --plan FILE`, with what it was planned
    /// against (the catalog is read from the target unless --catalog-state is given).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct RunCmdArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    select: SelectArgs,
    #[command(flatten)]
    defer: DeferArgs,
    /// Nodes built at the same time (default: the target's `threads:`, else 4).
    #[arg(long)]
    threads: Option<usize>,
    /// Rebuild incremental models and snapshots from scratch.
    #[arg(long)]
    full_refresh: bool,
    /// Start a new run even if the last one was interrupted (default: resume it).
    #[arg(long)]
    no_resume: bool,
    /// Athena: take over the target's run lock if its lease ran out (the run that held it died).
    #[arg(long)]
    break_lock: bool,
    /// Athena: start no more queries once this much was scanned in the run (e.g. 500GB, 2TB).
    #[arg(long, value_parser = parse_bytes)]
    max_bytes_scanned: Option<u64>,
    /// First `karte ingest` these delivered files or directories; nothing is built if a file
    /// is quarantined, in conflict or unmatched.
    #[arg(long, num_args = 1..)]
    ingest: Vec<PathBuf>,
    /// Run exactly the plan `karte plan --out FILE` wrote (its selection, date and
    /// --full-refresh), refusing if the catalog changed since it was planned (build only).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["select", "exclude", "full_refresh"])]
    plan: Option<PathBuf>,
    /// Send no notification (the channels of `notifications:` in karte.yml) for this run.
    #[arg(long)]
    no_notify: bool,
    /// First wait until the upstream projects (`dependencies:`) the selected models read have
    /// a successful run newer than this project's last build of them (docs/operations.md).
    /// Exit 3 if an upstream run failed, 4 at the timeout; nothing is built then.
    #[arg(long)]
    wait_for_upstream: bool,
    /// With --wait-for-upstream: give up after this long (e.g. 90s, 30m, 2h).
    #[arg(long, value_parser = parse_duration, default_value = "30m", requires = "wait_for_upstream")]
    timeout: std::time::Duration,
    /// With --wait-for-upstream: look again after this long.
    #[arg(long, value_parser = parse_duration, default_value = "30s", requires = "wait_for_upstream")]
    poll: std::time::Duration,
    /// Progress and summary for people (text), or JSON lines of run and node events on
    /// stdout for schedulers (json: node started/finished with status and duration).
    #[arg(long, short = 'o', value_enum, default_value = "text")]
    output: progress::RunOutput,
    /// Print nothing but the nodes that failed (with --output json: only `run_finished`).
    #[arg(long, short = 'q')]
    quiet: bool,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    crate::upstream::wait::parse_duration(s)
}

/// `500GB`, `2TB`, `1048576` → bytes (binary units, as Athena bills).
fn parse_bytes(s: &str) -> Result<u64, String> {
    crate::project::ingest::parse_size(s).ok_or_else(|| crate::t!("cmd-not-a-size", value = s))
}

#[derive(Debug, Args)]
struct RetryArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Nodes built at the same time (default: the target's `threads:`, else 4).
    #[arg(long)]
    threads: Option<usize>,
    /// Send no notification (the channels of `notifications:` in karte.yml) for this run.
    #[arg(long)]
    no_notify: bool,
}

#[derive(Debug, Args)]
struct InitArgs {
    /// Directory to create.
    dir: PathBuf,
    /// Project name (default: the directory's name).
    #[arg(long)]
    name: Option<String>,
}

/// Run the CLI and return the process exit code.
pub fn main() -> i32 {
    // The language first: help and parse errors are already in it.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = crate::i18n::Lang::choose(lang_flag(&args).as_deref());
    crate::i18n::set_lang(lang);
    let parsed = help::localize(Cli::command(), lang)
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    use NodeKind::{Model, Seed, Snapshot};
    let result = match cli.command {
        Command::Compile(a) => {
            commands::compile::run(&a.project, &a.select, a.defer.defer).map(|()| true)
        }
        Command::Diff(a) => commands::diff::run(
            &a.project,
            &a.state,
            a.catalog_state.as_deref(),
            a.output == Output::Json,
        )
        .map(|()| true),
        Command::Ls(a) => {
            commands::ls::run(&a.project, &a.select, a.output == Output::Json).map(|()| true)
        }
        Command::Lineage(a) => {
            commands::lineage::run(&a.project, &a.column, a.output == Output::Json).map(|()| true)
        }
        Command::Lint(a) => commands::lint::run(
            &a.project,
            &commands::lint::LintArgs {
                select: &a.select,
                fix: a.fix,
                json: a.output == Output::Json,
                lang: crate::i18n::lang(),
            },
        ),
        Command::Init(a) => commands::init::run(&a.dir, a.name.as_deref()).map(|()| true),
        Command::New(NewCommand::Model(a)) => {
            commands::new::model(&a.project.project_dir, &a.path, a.from_sql.as_deref())
        }
        Command::ImportSql(a) => commands::import_sql::run(&a),
        Command::Docs(DocsCommand::Generate(a)) => commands::docs::generate(
            &a.project,
            &a.select,
            Some(crate::i18n::lang().code()),
            a.graph_limit,
        )
        .map(|()| true),
        Command::Docs(DocsCommand::Serve(a)) => {
            commands::docs::serve(&a.project, a.host, a.port, Some(crate::i18n::lang().code()))
                .map(|()| true)
        }
        Command::Source(SourceCommand::Freshness(a)) => {
            commands::freshness::run(&a.project, a.output == Output::Json, a.no_notify)
        }
        Command::Access(a) => {
            commands::access::run(&a.project, a.role.as_deref(), a.check.as_deref())
        }
        Command::Build(a) => run_cmd(&a, "build", &[Model, Seed, Snapshot], true),
        Command::Run(a) => run_cmd(&a, "run", &[Model], false),
        Command::Seed(a) => run_cmd(&a, "seed", &[Seed], false),
        Command::Snapshot(a) => run_cmd(&a, "snapshot", &[Snapshot], false),
        Command::Test(a) => run_cmd(&a, "test", &[], true),
        Command::Retry(a) => commands::build::retry(&a.project, a.threads, a.no_notify),
        Command::Deps(a) => commands::deps::run(&a.project, a.upgrade),
        Command::Runs(a) => commands::runs::run(
            &a.project,
            a.limit,
            a.run.as_deref(),
            a.output == Output::Json,
        ),
        Command::Rollback(a) => commands::build::rollback(&a.project, &a.run_id, a.force),
        Command::ExampleData(a) => commands::example_data::run(&a).map(|()| true),
        #[cfg(feature = "duckdb-engine")]
        Command::Ingest(a) if a.then_build => ingest_then_build(&a),
        #[cfg(feature = "duckdb-engine")]
        Command::Ingest(a) => commands::ingest::run(&a),
        #[cfg(feature = "duckdb-engine")]
        Command::Show(a) => commands::show::run(
            &a.project,
            &commands::show::ShowArgs {
                model: a.model.as_deref(),
                sql: a.sql.as_deref(),
                condition: a.condition.as_deref(),
                limit: a.limit,
                output: a.output,
                rebuild: a.rebuild,
                threads: a.threads,
            },
        ),
        Command::Plan(a) => commands::plan::run(
            &a.project,
            &a.select,
            commands::plan::PlanArgs {
                catalog_state: a.catalog_state.as_ref(),
                live: a.live,
                save_catalog_state: a.save_catalog_state.as_ref(),
                full_refresh: a.full_refresh,
                as_of: a.as_of.as_deref(),
                json: a.output == Output::Json,
                out: a.out.as_ref(),
                defer: a.defer.defer,
            },
        )
        .map(|()| true),
    };
    match result {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(diags) => {
            report(&diags);
            exit_code(&diags)
        }
    }
}

/// The value of `--lang X` / `--lang=X` anywhere on the command line (before clap parses it).
fn lang_flag(args: &[std::ffi::OsString]) -> Option<String> {
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            return it.next().map(|v| v.to_string());
        }
        if let Some(v) = a.strip_prefix("--lang=") {
            return Some(v.to_string());
        }
    }
    None
}

/// `karte ingest PATH… --then-build`: ingest, then build what the new deliveries feed
/// (`build --ingest PATH… --select source_status:fresher+`).
#[cfg(feature = "duckdb-engine")]
fn ingest_then_build(a: &commands::ingest::IngestArgs) -> Result<bool, Diagnostics> {
    if a.paths.is_empty() {
        return commands::ingest::run(a);
    }
    run_cmd(
        &RunCmdArgs {
            project: a.project.clone(),
            select: SelectArgs {
                select: vec!["source_status:fresher+".to_string()],
                exclude: Vec::new(),
                state: None,
            },
            defer: DeferArgs::default(),
            threads: a.threads,
            full_refresh: false,
            no_resume: false,
            break_lock: false,
            max_bytes_scanned: None,
            ingest: a.paths.clone(),
            plan: None,
            no_notify: a.no_notify,
            wait_for_upstream: false,
            timeout: std::time::Duration::from_secs(30 * 60),
            poll: std::time::Duration::from_secs(30),
            output: progress::RunOutput::Text,
            quiet: false,
        },
        "build",
        &[NodeKind::Model, NodeKind::Seed, NodeKind::Snapshot],
        true,
    )
}

fn run_cmd(
    a: &RunCmdArgs,
    command: &'static str,
    kinds: &[NodeKind],
    tests: bool,
) -> Result<bool, Diagnostics> {
    if a.plan.is_some() && command != "build" {
        return Err(Diagnostics(vec![Diagnostic::error(
            Code::InvalidArgument,
            crate::t!("cmd-plan-only-with-build", command = command),
        )]));
    }
    if a.output == progress::RunOutput::Json {
        progress::keep_stdout_for_json();
    }
    if !a.ingest.is_empty() {
        #[cfg(feature = "duckdb-engine")]
        {
            let ok = commands::ingest::run(&commands::ingest::IngestArgs {
                project: a.project.clone(),
                paths: a.ingest.clone(),
                dry_run: false,
                list: false,
                then_build: false,
                threads: a.threads,
                no_notify: a.no_notify,
            })?;
            if !ok {
                eprintln!("{}", crate::t!("cmd-not-building-ingest-failed"));
                return Ok(false);
            }
        }
        #[cfg(not(feature = "duckdb-engine"))]
        return Err(Diagnostics(vec![Diagnostic::error(
            Code::EngineFailed,
            crate::t!("cmd-no-ingest-feature"),
        )]));
    }
    commands::build::run(
        &a.project,
        &a.select,
        commands::build::RunArgs {
            command,
            kinds: kinds.to_vec(),
            tests,
            threads: a.threads,
            full_refresh: a.full_refresh,
            no_resume: a.no_resume,
            break_lock: a.break_lock,
            max_bytes_scanned: a.max_bytes_scanned,
            plan: a.plan.clone(),
            defer: a.defer.defer,
            no_notify: a.no_notify,
            wait_for_upstream: a
                .wait_for_upstream
                .then_some(crate::upstream::wait::WaitOptions {
                    timeout: a.timeout,
                    poll: a.poll,
                }),
            report: progress::Reporting {
                output: a.output,
                quiet: a.quiet,
                stdout_free: false,
            },
        },
    )
}

/// 2 if karte could not run (environment or internal), else 1.
fn exit_code(diags: &Diagnostics) -> i32 {
    let could_not_run = diags.0.iter().any(|d| {
        d.is_error()
            && (d.blame != Blame::Project
                || matches!(
                    d.code,
                    Code::NoProject
                        | Code::UnknownTarget
                        | Code::InvalidArgument
                        | Code::StateInvalid
                        | Code::ImportSqlArguments
                ))
    });
    let has = |code: Code| diags.0.iter().any(|d| d.code == code);
    if has(Code::UpstreamFailed) {
        3
    } else if has(Code::UpstreamLate) {
        4
    } else if could_not_run {
        2
    } else {
        1
    }
}

/// Warnings this process printed so far: a command reports its warnings as they come (the
/// compile's, then the run's), and the count line after an error counts them all.
static WARNINGS_SHOWN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Print diagnostics to stderr, with a count line when there are errors (counting the
/// warnings printed earlier by this process too).
pub fn report(diags: &Diagnostics) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for d in &diags.0 {
        let _ = writeln!(err, "{}", crate::diag::render(d));
    }
    let e = diags.error_count();
    let w = WARNINGS_SHOWN.fetch_add(diags.warning_count(), std::sync::atomic::Ordering::SeqCst)
        + diags.warning_count();
    if e > 0 {
        let _ = writeln!(
            err,
            "{}",
            crate::t!(
                "summary-counts",
                errors = crate::t!("summary-errors", count = e),
                warnings = crate::t!("summary-warnings", count = w)
            )
        );
    }
}

impl ProjectArgs {
    /// Compile options from the command line.
    fn compile_options(&self, select: &SelectArgs) -> Result<crate::CompileOptions, Diagnostics> {
        Ok(crate::CompileOptions {
            project_dir: self.project_dir.clone(),
            target: self.target.clone(),
            vars: parse_vars(self.vars.as_deref())?,
            select: select.select.clone(),
            exclude: select.exclude.clone(),
            incremental: Default::default(),
            state: select.state.clone().map(crate::state::StateArg::Given),
            defer: false,
            catalog_columns: Default::default(),
            profiles_dir: self.profiles_dir.clone(),
        })
    }
}

fn parse_vars(text: Option<&str>) -> Result<BTreeMap<String, serde_json::Value>, Diagnostics> {
    let Some(text) = text else {
        return Ok(BTreeMap::new());
    };
    let parsed: Result<BTreeMap<String, crate::project::yaml::YamlValue>, _> =
        crate::project::yaml::parse(std::path::Path::new("--vars"), text);
    match parsed {
        Ok(map) => Ok(map
            .into_iter()
            .map(|(k, v)| (k, crate::project::yaml::to_json(&v)))
            .collect()),
        Err(_) => Err(Diagnostics(vec![Diagnostic::error(
            Code::InvalidArgument,
            crate::t!("cmd-vars-not-yaml", text = text),
        )
        .help(crate::t!("cmd-vars-not-yaml-help"))])),
    }
}

/// Columns a text takes on a terminal: Japanese (and other wide) characters take two.
pub(crate) fn text_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF => 2,
            0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF => 2,
            0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// `s` padded with spaces on the right to `width` terminal columns (`{:<width}` that counts
/// a Japanese character as two columns).
pub(crate) fn pad_end(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(text_width(s))))
}

/// `s` padded with spaces on the left to `width` terminal columns.
pub(crate) fn pad_start(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(text_width(s))))
}
