//! `karte show MODEL` / `karte show --sql "select …"`: rows from the local lake, for the
//! person who asked, on their own machine. What MODEL needs that is not built locally is
//! built first; the rows go to stdout only (never to run_results.json, the journal or a log).

use crate::cli::progress::Reporting;
use crate::cli::{ProjectArgs, SelectArgs};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::engine::Engine;
use crate::project::{NodeKind, TargetType};
use crate::scaffold::Lang;
use crate::show::{self, messages, Subject};

/// Output formats of `show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowOutput {
    /// A table lined up for the terminal (Japanese text by its display width).
    Table,
    /// CSV with a header.
    Csv,
    /// A JSON array of objects.
    Json,
}

/// What `show` was asked.
pub struct ShowArgs<'a> {
    /// The model, seed, snapshot or source.
    pub model: Option<&'a str>,
    /// `--sql`.
    pub sql: Option<&'a str>,
    /// `--where`.
    pub condition: Option<&'a str>,
    /// `--limit` (0: all).
    pub limit: usize,
    /// `--output`.
    pub output: ShowOutput,
    /// `--rebuild`.
    pub rebuild: bool,
    /// `--threads` for what is built first.
    pub threads: Option<usize>,
}

/// Show the rows.
pub fn run(args: &ProjectArgs, a: &ShowArgs) -> Result<bool, Diagnostics> {
    let lang = crate::i18n::lang();
    let one = |d: Diagnostic| Diagnostics(vec![d]);
    let mut copts = args.compile_options(&SelectArgs::default())?;
    let compiled = crate::compile(&copts)?;
    // The local lake: the target asked for must be local; without --target, the default
    // target if it is local, else the project's local target.
    if compiled.target.config.kind != TargetType::Local {
        if args.target.is_some() {
            return Err(one(Diagnostic::error(
                Code::ShowFailed,
                messages::not_local(lang, &compiled.target.name),
            )
            .help(messages::not_local_help(lang))));
        }
        let local = compiled
            .project
            .config
            .targets
            .iter()
            .find(|(_, t)| t.kind == TargetType::Local)
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| "local".into());
        copts.target = Some(local);
        return run_on(args, &copts, crate::compile(&copts)?, a, lang);
    }
    run_on(args, &copts, compiled, a, lang)
}

fn run_on(
    args: &ProjectArgs,
    copts: &crate::CompileOptions,
    compiled: crate::Compiled,
    a: &ShowArgs,
    lang: Lang,
) -> Result<bool, Diagnostics> {
    let limit = (a.limit > 0).then_some(a.limit);
    let (sql, subject) = match (a.sql, a.model) {
        (Some(sql), _) => (show::adhoc(sql, a.condition), None),
        (None, Some(name)) => {
            let subject = show::find(&compiled, name, lang).map_err(|d| Diagnostics(vec![d]))?;
            (show::query(&compiled, subject, a.condition), Some(subject))
        }
        (None, None) => unreachable!("clap requires MODEL or --sql"),
    };
    if let Some(subject) = subject {
        let engine = crate::engine::open::local(&compiled)?;
        if let Subject::Source(s) = subject {
            let src = &compiled.project.sources[s];
            if !engine.relation_exists(&crate::sql::source_fqn(src, &compiled.target)) {
                let shown = format!("{}.{}", src.source, src.name);
                let ingest = src.path.starts_with("ingest/");
                use crate::execute::inputs::messages as m;
                return Err(Diagnostics(vec![Diagnostic::error(
                    Code::SourceNotLoaded,
                    m::no_data(lang, &shown, false, ingest),
                )
                .help(if ingest {
                    m::help_ingest(lang, &src.path)
                } else {
                    m::help_source(lang, &shown)
                })]));
            }
        }
        // What the builds on this machine recorded: a node whose file changed since is stale.
        let built = crate::execute::source_status::load(
            &compiled.project.root,
            &compiled.target.name,
            None,
        );
        let edited = |i: usize| {
            let node = &compiled.project.nodes[i];
            built
                .nodes
                .get(&compiled.project.node_id(i))
                .and_then(|b| b.file.as_deref())
                .is_some_and(|f| f != node.checksum)
        };
        let todo = show::missing(
            &compiled,
            subject,
            &|rel| engine.relation_exists(rel),
            &edited,
            a.rebuild,
        );
        // One DuckDB database per process: the build opens its own.
        drop(engine);
        if todo.is_empty() {
            // (A build shows the compile's warnings itself.)
            crate::cli::report(&compiled.diagnostics);
        } else {
            let names: Vec<String> = todo
                .iter()
                .map(|&i| {
                    let n = &compiled.project.nodes[i];
                    format!("{}.{}", n.layer, n.name)
                })
                .collect();
            let what = a.model.unwrap_or_default();
            eprintln!("{}", messages::building(lang, what, &names.join(", ")));
            let plain: Vec<String> = todo
                .iter()
                .map(|&i| compiled.project.nodes[i].name.clone())
                .collect();
            let ok = crate::cli::commands::build::run(
                &ProjectArgs {
                    target: copts.target.clone(),
                    ..args.clone()
                },
                &SelectArgs {
                    select: vec![plain.join(" ")],
                    exclude: Vec::new(),
                    state: None,
                },
                crate::cli::commands::build::RunArgs {
                    command: "show",
                    kinds: vec![NodeKind::Model, NodeKind::Seed, NodeKind::Snapshot],
                    tests: false,
                    threads: a.threads,
                    full_refresh: false,
                    no_resume: true,
                    break_lock: false,
                    max_bytes_scanned: None,
                    plan: None,
                    defer: false,
                    no_notify: true,
                    wait_for_upstream: None,
                    report: Reporting {
                        stdout_free: true,
                        ..Reporting::default()
                    },
                },
            )?;
            if !ok {
                eprintln!("{}", messages::build_failed(lang));
                return Ok(false);
            }
        }
    }
    if subject.is_none() {
        crate::cli::report(&compiled.diagnostics);
    }
    let engine = crate::engine::open::local(&compiled)?;
    // One more row than asked for tells whether there are more.
    let (columns, (_, mut rows)) = engine.query_rows(&sql, limit.map(|n| n + 1)).map_err(|e| {
        Diagnostics(vec![Diagnostic::error(
            Code::ShowFailed,
            // DuckDB's first line; the rest quotes the query as karte wrapped it.
            messages::query_failed(lang, e.message.lines().next().unwrap_or_default()),
        )
        .help(messages::query_failed_help(lang))])
    })?;
    let more = limit.is_some_and(|n| rows.len() > n);
    if let Some(n) = limit {
        rows.truncate(n);
    }
    let rows = show::Rows {
        columns,
        rows,
        more,
    };
    let text = match a.output {
        ShowOutput::Table => format!(
            "{}{}\n",
            show::table::text(&rows),
            messages::count(lang, rows.rows.len(), rows.more)
        ),
        ShowOutput::Csv => show::table::csv(&rows).map_err(|e| {
            Diagnostics(vec![Diagnostic::error(Code::Internal, format!("csv: {e}"))])
        })?,
        ShowOutput::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&show::table::json(&rows)).expect("JSON")
        ),
    };
    // `karte show … | head` closes the pipe early: that is not an error.
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    }
    if more && a.output != ShowOutput::Table {
        eprintln!("{}", messages::count(lang, rows.rows.len(), true));
    }
    Ok(true)
}
