//! What a notification says: the facts of a run ([`Context`], also the generic webhook's JSON
//! body) and the messages rendered from them with minijinja (`templates/notify/*.txt`, or a
//! channel's `template:`). Nothing from the data goes in: a failing test is its count of rows
//! (never the sample rows run_results.json shows), and values an engine quotes in an error are
//! hidden.

use std::collections::HashMap;

use serde::Serialize;

use crate::execute::journal::PreviousRun;
use crate::execute::results::{NodeResult, RunResults, Status};
use crate::graph::Compiled;
use crate::project::notifications::Event;

/// The default templates, by name: English under the plain names, Japanese under `ja/`
/// ([`super::words::template_name`]).
pub const TEMPLATES: [(&str, &str); 8] = [
    ("text", include_str!("../../templates/notify/en/text.txt")),
    ("slack", include_str!("../../templates/notify/en/slack.txt")),
    ("teams", include_str!("../../templates/notify/en/teams.txt")),
    (
        "pagerduty",
        include_str!("../../templates/notify/en/pagerduty.txt"),
    ),
    (
        "ja/text",
        include_str!("../../templates/notify/ja/text.txt"),
    ),
    (
        "ja/slack",
        include_str!("../../templates/notify/ja/slack.txt"),
    ),
    (
        "ja/teams",
        include_str!("../../templates/notify/ja/teams.txt"),
    ),
    (
        "ja/pagerduty",
        include_str!("../../templates/notify/ja/pagerduty.txt"),
    ),
];

/// Items listed per kind (failed, warned, skipped) in a context; the counts are complete.
const MAX_ITEMS: usize = 100;

/// One node or test in a notification.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Item {
    /// `model.<project>.<name>`, `test.<project>.<name>`.
    pub unique_id: String,
    /// Name.
    pub name: String,
    /// `model`, `seed`, `snapshot`, `test`.
    pub kind: String,
    /// `error`, `fail`, `warn`, `skipped`.
    pub status: String,
    /// The file that defines it (a generic test: the property file declaring it).
    pub file: Option<String>,
    /// What went wrong, in plain words, without data values.
    pub error: Option<String>,
    /// A test's failing rows.
    pub failures: Option<u64>,
}

/// Results by status.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Counts {
    /// Built.
    pub success: usize,
    /// Failed.
    pub error: usize,
    /// Not run.
    pub skipped: usize,
    /// Tests without failing rows.
    pub pass: usize,
    /// Tests with failing rows (severity error).
    pub fail: usize,
    /// Tests with failing rows (severity warn).
    pub warn: usize,
}

/// The facts of a run a message is made of: the variables of every template, and (with the
/// rendered `text`) the body the generic webhook posts (docs/operations.md lists each field).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Context {
    /// The event sent: `failure`, `success`, `warnings`, `recovery`.
    pub event: &'static str,
    /// One line: what happened to which project on which target.
    pub title: String,
    /// One or two sentences: the run, its duration and cost, the counts.
    pub summary: String,
    /// Project name.
    pub project: String,
    /// Target name.
    pub target: String,
    /// `build`, `run`, `seed`, `snapshot`, `test`, `retry`.
    pub command: String,
    /// Run id.
    pub run_id: String,
    /// Start (UTC, RFC 3339).
    pub started_at: String,
    /// Duration, for people (`3.2s`, `4m 05s`).
    pub duration: String,
    /// Duration in seconds.
    pub duration_seconds: f64,
    /// Stopped with Ctrl-C.
    pub interrupted: bool,
    /// Bytes the run's queries scanned (Athena), if known.
    pub bytes_scanned: Option<u64>,
    /// What the run cost in USD (Athena), if known.
    pub cost_usd: Option<f64>,
    /// `about $0.0123`, if known.
    pub cost: Option<String>,
    /// Results by status.
    pub counts: Counts,
    /// What failed (models, seeds, snapshots with an error; tests with failing rows or an error).
    pub failed: Vec<Item>,
    /// Tests of severity `warn` that found rows.
    pub warned: Vec<Item>,
    /// Models, seeds and snapshots not built because something upstream failed.
    pub skipped: Vec<Item>,
    /// The command that builds again what failed and what it held up.
    pub retry_command: Option<String>,
    /// The earlier run this one is compared with (a recovery follows a failed one).
    pub previous_run_id: Option<String>,
    /// Its status: `success`, `failed`, `interrupted`.
    pub previous_status: Option<String>,
}

/// The facts of `results` for `event`, their words in `lang`; `cost_usd` as the engine
/// counted it.
pub fn context(
    c: &Compiled,
    results: &RunResults,
    event: Event,
    previous: Option<&PreviousRun>,
    cost_usd: Option<f64>,
    tests: &HashMap<String, TestInfo>,
    lang: crate::i18n::Lang,
) -> Context {
    let files = node_files(c);
    let item = |r: &NodeResult| -> Item {
        let test = tests.get(&r.unique_id);
        let file = files
            .get(&r.unique_id)
            .cloned()
            .or_else(|| test.and_then(|t| t.file.clone()));
        Item {
            unique_id: r.unique_id.clone(),
            name: r.name.clone(),
            kind: r.kind.clone(),
            status: status_name(&r.status).to_string(),
            file,
            error: super::words::test_rows(lang, r).or_else(|| plain_error(r)),
            failures: r.failures,
        }
    };
    let pick = |f: &dyn Fn(&NodeResult) -> bool| -> Vec<Item> {
        results
            .results
            .iter()
            .filter(|r| f(r))
            .take(MAX_ITEMS)
            .map(item)
            .collect()
    };
    let failed = pick(&|r| matches!(r.status, Status::Error | Status::Fail));
    let warned = pick(&|r| r.status == Status::Warn);
    let skipped = pick(&|r| r.status == Status::Skipped && r.kind != "test");
    let counts = Counts {
        success: results.count(Status::Success),
        error: results.count(Status::Error),
        skipped: results.count(Status::Skipped),
        pass: results.count(Status::Pass),
        fail: results.count(Status::Fail),
        warn: results.count(Status::Warn),
    };
    let bytes: Vec<u64> = results
        .results
        .iter()
        .filter_map(|r| r.bytes_scanned)
        .collect();
    let bytes_scanned = (!bytes.is_empty()).then(|| bytes.iter().sum());
    let cost = cost_usd.map(|usd| super::words::cost(lang, usd));
    let title = super::words::title(lang, results, &c.project.config.name, event);
    let duration = super::words::duration(lang, results.elapsed);
    let summary = super::words::summary(
        lang,
        results,
        event,
        previous,
        bytes_scanned,
        cost.as_deref(),
        &counts,
    );
    Context {
        event: event.as_str(),
        title,
        summary,
        project: c.project.config.name.clone(),
        target: results.target.clone(),
        command: results.command.clone(),
        run_id: results.run_id.clone(),
        started_at: results.started_at.clone(),
        duration,
        duration_seconds: results.elapsed,
        interrupted: results.interrupted,
        bytes_scanned,
        cost_usd,
        cost,
        counts,
        retry_command: retry_command(results, tests),
        failed,
        warned,
        skipped,
        previous_run_id: previous.map(|p| p.run_id.clone()),
        previous_status: previous.map(|p| p.status.clone()),
    }
}

/// What a notification needs of a data test: the node it tests and the file declaring it.
#[derive(Debug, Clone, Default)]
pub struct TestInfo {
    /// Name of the node tested.
    pub tested: Option<String>,
    /// Unique id of the node tested.
    pub tested_id: Option<String>,
    /// The property file (generic tests) or the test's own file.
    pub file: Option<String>,
}

/// Per test of the project: the node it tests and its file.
pub fn test_infos(c: &Compiled) -> HashMap<String, TestInfo> {
    let by_id: HashMap<String, usize> = (0..c.project.nodes.len())
        .map(|i| (c.project.node_id(i), i))
        .collect();
    let Ok(tests) = crate::plan::data_tests::collect(c, &c.graph.order) else {
        return HashMap::new();
    };
    tests
        .into_iter()
        .map(|t| {
            let own = by_id.get(&t.unique_id).copied();
            let tested = t.depends_on.first().and_then(|id| by_id.get(id)).copied();
            let file = match (own, tested) {
                (Some(i), _) => Some(crate::diag::display_path(&c.project.nodes[i].path)),
                (None, Some(i)) => {
                    let n = &c.project.nodes[i];
                    n.tests
                        .iter()
                        .find(|s| t.name.starts_with(&s.name))
                        .map(|s| s.file.clone())
                        .or_else(|| Some(crate::diag::display_path(&n.path)))
                }
                (None, None) => None,
            };
            let info = TestInfo {
                tested: tested
                    .filter(|_| own.is_none())
                    .map(|i| c.project.nodes[i].name.clone()),
                tested_id: t.depends_on.first().cloned(),
                file,
            };
            (t.unique_id, info)
        })
        .collect()
}

fn node_files(c: &Compiled) -> HashMap<String, String> {
    (0..c.project.nodes.len())
        .map(|i| {
            (
                c.project.node_id(i),
                crate::diag::display_path(&c.project.nodes[i].path),
            )
        })
        .collect()
}

fn status_name(s: &Status) -> &'static str {
    match s {
        Status::Success => "success",
        Status::Error => "error",
        Status::Skipped => "skipped",
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Warn => "warn",
    }
}

/// `3.2s`, `4m 05s`, `1h 02m`.
pub fn human_duration(seconds: f64) -> String {
    super::words::duration(crate::i18n::Lang::En, seconds)
}

/// What went wrong with one result, in plain words and without values from the data: a
/// failing test is its count of rows (run_results.json's sample rows are not sent), an
/// error is the engine's message without the values it quotes and without karte's
/// `(step …, path)` suffix (the file is given apart).
fn plain_error(r: &NodeResult) -> Option<String> {
    let rows = |n: u64| {
        format!(
            "{n} row{} fail{} the test",
            plural(n),
            if n == 1 { "s" } else { "" }
        )
    };
    match (&r.status, r.failures) {
        (Status::Fail, Some(n)) => Some(rows(n)),
        (Status::Warn, Some(n)) => Some(format!("{} (severity warn)", rows(n))),
        // A source getting late (`karte source freshness`): how late, in karte's words.
        (Status::Warn, None) => r.message.clone(),
        (Status::Error, _) => {
            let m = r.message.as_deref().unwrap_or("failed");
            // karte's `(step …, path)` suffix, in the language the run wrote it in.
            let suffix = [" (step ", " (手順 "]
                .iter()
                .filter_map(|s| m.rfind(s))
                .max();
            let m = match suffix {
                Some(i) if m.ends_with(')') => &m[..i],
                _ => m,
            };
            Some(scrub(m))
        }
        (Status::Skipped, _) => r.message.clone(),
        _ => None,
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The longest error text sent.
const MAX_ERROR: usize = 500;

/// An engine's error without the data it may quote ([`crate::execute::scrub`]), on at most
/// three lines and 500 characters.
pub fn scrub(message: &str) -> String {
    let out = crate::execute::scrub::without_values(message);
    let mut lines: Vec<&str> = out
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect();
    lines.truncate(3);
    let mut text = lines.join(" ");
    if text.chars().count() > MAX_ERROR {
        text = text.chars().take(MAX_ERROR).collect::<String>() + "...";
    }
    text
}

/// `karte build --select a+ b+ --target t`: the nodes that failed (for a test, the node it
/// tests) and everything downstream of them; for an interrupted run, the command again (it
/// resumes).
fn retry_command(results: &RunResults, tests: &HashMap<String, TestInfo>) -> Option<String> {
    if results.command == "source freshness" {
        // A late delivery is not retried by karte: once it lands, the check says so.
        return None;
    }
    if results.interrupted {
        return Some(format!("karte {}", shell_words(&results.args)));
    }
    let mut picks: Vec<String> = Vec::new();
    for r in &results.results {
        let name = match (&r.status, r.kind.as_str()) {
            (Status::Error | Status::Fail, "test") => tests
                .get(&r.unique_id)
                .map(|t| t.tested.clone().unwrap_or_else(|| r.name.clone())),
            (Status::Error, _) => Some(r.name.clone()),
            _ => None,
        };
        if let Some(n) = name {
            let sel = format!("{n}+");
            if !picks.contains(&sel) {
                picks.push(sel);
            }
        }
    }
    if picks.is_empty() {
        return None;
    }
    let command = match results.command.as_str() {
        "retry" => "build",
        other => other,
    };
    Some(format!(
        "karte {command} --select {} --target {}",
        picks.join(" "),
        results.target
    ))
}

/// Arguments as a shell would take them back.
fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:+=@,".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Slack's mrkdwn escapes (`&`, `<`, `>`), for the `mrkdwn` filter.
fn mrkdwn(s: String) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The environment messages render in: strict (an unknown variable is an error), the default
/// templates, and the `mrkdwn` filter.
pub fn environment() -> minijinja::Environment<'static> {
    let mut env = crate::render::environment(false);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .expect("the default notification templates are valid");
    }
    env.add_filter("mrkdwn", mrkdwn);
    env
}

/// Render `template` (a channel's own) or the default `default` with `ctx`.
pub fn render(
    env: &minijinja::Environment,
    template: Option<&str>,
    default: &str,
    ctx: &Context,
) -> Result<String, String> {
    let out = match template {
        Some(t) => env.render_str(t, ctx),
        None => env.get_template(default).and_then(|t| t.render(ctx)),
    };
    out.map(|s| s.trim().to_string()).map_err(|e| {
        let mut m = e.to_string();
        if let Some(d) = e.detail() {
            if !m.contains(d) {
                m.push_str(&format!(": {d}"));
            }
        }
        m
    })
}

/// A context with every field filled, to check a channel's template when the project
/// compiles (an unknown variable is found then, not when a build fails at night).
pub fn sample() -> Context {
    let item = |name: &str, kind: &str, status: &str, error: &str| Item {
        unique_id: format!("{kind}.project.{name}"),
        name: name.into(),
        kind: kind.into(),
        status: status.into(),
        file: Some(format!("models/silver/{name}.sql")),
        error: Some(error.into()),
        failures: Some(1),
    };
    Context {
        event: "failure",
        title: "karte build failed: project on prod".into(),
        summary: "Run run_20250101_000000_000 took 3.2s: 1 built, 1 failed, 1 not run.".into(),
        project: "project".into(),
        target: "prod".into(),
        command: "build".into(),
        run_id: "run_20250101_000000_000".into(),
        started_at: "2025-01-01T00:00:00Z".into(),
        duration: "3.2s".into(),
        duration_seconds: 3.2,
        interrupted: false,
        bytes_scanned: Some(1),
        cost_usd: Some(0.0),
        cost: Some("about $0.0000".into()),
        counts: Counts::default(),
        failed: vec![item("a", "model", "error", "the query failed")],
        warned: vec![item("t", "test", "warn", "1 row fails the test")],
        skipped: vec![item("b", "model", "skipped", "skipped")],
        retry_command: Some("karte build --select a+ --target prod".into()),
        previous_run_id: Some("run_20241231_000000_000".into()),
        previous_status: Some("failed".into()),
    }
}

/// The variables of a template (the fields of [`Context`]).
pub fn variables() -> Vec<String> {
    match serde_json::to_value(sample()).expect("contexts serialise") {
        serde_json::Value::Object(m) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The generic webhook's body: the context, the rendered text, and the version of this form.
pub fn webhook_body(ctx: &Context, channel: &str, text: &str) -> serde_json::Value {
    let mut body = serde_json::Map::new();
    body.insert("version".into(), 1.into());
    body.insert("channel".into(), channel.into());
    body.insert("text".into(), text.into());
    if let serde_json::Value::Object(fields) =
        serde_json::to_value(ctx).expect("contexts serialise")
    {
        body.extend(fields);
    }
    serde_json::Value::Object(body)
}

/// Keys of [`webhook_body`], in order (docs/operations.md documents each; a test checks).
pub fn webhook_keys() -> Vec<String> {
    match webhook_body(&sample(), "c", "") {
        serde_json::Value::Object(m) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_lose_the_values_they_quote() {
        assert_eq!(
            scrub("Conversion Error: Could not convert string 'ヤマダ 太郎' to INT32"),
            "Conversion Error: Could not convert string '...' to INT32"
        );
        assert_eq!(
            scrub("INVALID_CAST_ARGUMENT: Value cannot be cast to date: 1980-02-30"),
            "INVALID_CAST_ARGUMENT: Value cannot be cast to date: ..."
        );
        assert_eq!(scrub("a\n\nb\nc\nd"), "a b c");
        assert_eq!(
            scrub(
                "Conversion Error: x\n\nLINE 1: COPY (SELECT 'P-1' FROM t) TO 'f'\n              ^"
            ),
            "Conversion Error: x"
        );
        assert_eq!(scrub("it's"), "it's");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(3.21), "3.2s");
        assert_eq!(human_duration(245.0), "4m 05s");
        assert_eq!(human_duration(3725.0), "1h 02m");
    }

    #[test]
    fn default_templates_render_the_sample() {
        let env = environment();
        for (name, _) in TEMPLATES {
            let out = render(&env, None, name, &sample()).unwrap();
            assert!(
                out.contains("karte build") || out.contains("Run "),
                "{name}: {out}"
            );
        }
        let err = render(&env, Some("{{ nope }}"), "text", &sample()).unwrap_err();
        assert!(err.contains("undefined"), "{err}");
        assert!(webhook_keys().contains(&"retry_command".to_string()));
    }
}
