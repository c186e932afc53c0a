//! Stage 8, `notify`: after a run, say how it went to the channels of `notifications:` in
//! karte.yml (docs/operations.md): Slack (incoming webhook or bot), Microsoft Teams (workflow
//! webhook, an Adaptive Card), a generic webhook (karte's JSON body), PagerDuty Events v2
//! (trigger on failure, resolve on recovery, one alert per project and target) and e-mail
//! (SMTP).
//!
//! - Which event a run is for a channel ([`event_for`]): a failure (something failed or was
//!   not built because of a failure, or the run was interrupted), a recovery (no failure
//!   after a run on the same target that failed: [`crate::execute::journal::previous_run`]),
//!   warnings, or a success; with `select:`/`tags:`, only those nodes' failures and warnings
//!   count. A channel sends the event if its `on:` names it.
//! - What it says ([`message`]): what failed, the error in plain words, the file, what was not
//!   built because of it, duration and cost, and the command that retries; never a value from
//!   the data (no sample rows, no values quoted in an engine's error).
//! - How it is sent ([`payload`], [`deliver`]): secrets read from the environment when the
//!   run ends, never printed (errors are redacted of them); each channel on its own thread,
//!   retried with backoff, all within [`DEADLINE`]. A channel that cannot be reached is a
//!   warning and a record in run_results.json (`notifications`), never a failed build.

pub mod deliver;
pub mod message;
pub mod payload;
pub mod words;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::execute::journal::PreviousRun;
use crate::execute::results::{NotificationRecord, RunResults, Status};
use crate::graph::select::{parse_atom, select, SelectContext};
use crate::graph::Compiled;
use crate::project::notifications::{locate, Channel, ChannelKind, Event};
use crate::project::PROJECT_FILE;
use deliver::Attempt;
use message::TestInfo;

/// The longest the notifications of one run may take, all channels together (each sends in
/// parallel; no attempt starts that could end later).
pub const DEADLINE: Duration = Duration::from_secs(60);

/// What the notifications know of a run besides its results.
#[derive(Debug, Clone, Default)]
pub struct RunFacts {
    /// The run on the same target before this one, if any.
    pub previous: Option<PreviousRun>,
    /// What the run cost (Athena), if the engine knows.
    pub cost_usd: Option<f64>,
}

/// Reads an environment variable.
pub type Env<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// The channels' selectors and templates, checked when the project compiles: E801 located in
/// karte.yml for a malformed selector or a template that does not render (an unknown
/// variable), W303 for a selector that matches nothing.
pub fn check(c: &Compiled) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if c.project.notifications.is_empty() {
        return diags;
    }
    let text = std::fs::read_to_string(c.project.root.join(PROJECT_FILE)).unwrap_or_default();
    let env = message::environment();
    let sample = message::sample();
    let known = message::variables();
    let unknown_variables = |env: &minijinja::Environment, t: &str| -> Vec<String> {
        let Ok(tpl) = env.template_from_str(t) else {
            return Vec::new();
        };
        let mut names: Vec<String> = tpl
            .undeclared_variables(false)
            .into_iter()
            .filter(|v| !known.contains(v) && !env.globals().any(|(g, _)| g == v))
            .collect();
        names.sort();
        names
    };
    for ch in &c.project.notifications {
        let key = if c.project.config.notifications[&ch.name].select.is_some() {
            "select"
        } else {
            "tags"
        };
        let mut bad_selector = false;
        for atom in ch
            .select
            .iter()
            .flat_map(|s| s.split_whitespace())
            .flat_map(|t| t.split(','))
            .filter(|a| !a.is_empty())
        {
            if let Err(d) = parse_atom(atom) {
                bad_selector = true;
                diags.push(
                    Diagnostic::error(
                        Code::InvalidNotification,
                        crate::t!("notify-invalid", channel = ch.name, problem = d.message),
                    )
                    .at(locate(&text, &ch.name, key))
                    .maybe_help(d.help),
                );
            }
        }
        if !ch.select.is_empty() && !bad_selector {
            let found = match select(&select_context(c), &ch.select, &[]) {
                Ok((_, warnings)) => warnings.0,
                Err(errors) => errors.0,
            };
            for d in found {
                let located = Diagnostic {
                    code: if d.is_error() {
                        Code::InvalidNotification
                    } else {
                        d.code
                    },
                    message: format!("notification `{}`: {}", ch.name, d.message),
                    ..d
                };
                diags.push(located.at(locate(&text, &ch.name, key)));
            }
        }
        let raw = &c.project.config.notifications[&ch.name];
        let template_key = if raw.template_file.is_some() {
            "template_file"
        } else {
            "template"
        };
        let mut templates = vec![(template_key, ch.template.as_deref())];
        if let ChannelKind::Email { subject, .. } = &ch.kind {
            templates.push(("subject", subject.as_deref()));
        }
        for (key, t) in templates {
            let Some(t) = t else { continue };
            let unknown = unknown_variables(&env, t);
            for name in &unknown {
                diags.push(
                    Diagnostic::error(
                        Code::InvalidNotification,
                        crate::t!(
                            "notify-unknown-variable",
                            channel = ch.name,
                            key = key,
                            name = name.to_string()
                        ),
                    )
                    .at(locate(&text, &ch.name, key))
                    .help(
                        match crate::diag::suggest(name, known.iter().map(String::as_str)) {
                            Some(s) => crate::t!("notify-did-you-mean", name = s),
                            None => crate::t!("notify-variables-are", names = known.join(", ")),
                        },
                    ),
                );
            }
            if !unknown.is_empty() {
                continue;
            }
            if let Err(e) = message::render(&env, Some(t), "text", &sample) {
                diags.push(
                    Diagnostic::error(
                        Code::InvalidNotification,
                        crate::t!(
                            "notify-does-not-render",
                            channel = ch.name,
                            key = key,
                            error = e.to_string()
                        ),
                    )
                    .at(locate(&text, &ch.name, key))
                    .help(crate::t!("notify-does-not-render-help")),
                );
            }
        }
    }
    diags
}

fn select_context(c: &Compiled) -> SelectContext<'_> {
    SelectContext {
        project: &c.project,
        graph: &c.graph,
        configs: c.models.iter().map(|m| (m.node, &m.config)).collect(),
        // A channel watches nodes of the project, not changes against a saved manifest.
        state: None,
        fresher: None,
    }
}

/// The unique ids a channel watches (its selected nodes and their tests); None: everything.
fn watched(
    c: &Compiled,
    ch: &Channel,
    tests: &HashMap<String, TestInfo>,
) -> Option<HashSet<String>> {
    if ch.select.is_empty() {
        return None;
    }
    let nodes = select(&select_context(c), &ch.select, &[])
        .map(|(n, _)| n)
        .unwrap_or_default();
    let mut ids: HashSet<String> = nodes.iter().map(|&i| c.project.node_id(i)).collect();
    for (id, t) in tests {
        if t.tested_id.as_ref().is_some_and(|x| ids.contains(x)) {
            ids.insert(id.clone());
        }
    }
    Some(ids)
}

/// The event `channel` sends for this run, if any: a failure (of a watched node, or an
/// interrupted run) if `on:` has it; otherwise the first of recovery (the previous run on the
/// target failed, for a watched node), warnings (of a watched node) and success that happened
/// and that `on:` names.
pub fn event_for(
    channel: &Channel,
    results: &RunResults,
    previous: Option<&PreviousRun>,
    watched: Option<&HashSet<String>>,
) -> Option<Event> {
    let ours = |id: &str| watched.is_none_or(|w| w.contains(id));
    let failed = results.interrupted
        || results.results.iter().any(|r| {
            matches!(r.status, Status::Error | Status::Fail | Status::Skipped) && ours(&r.unique_id)
        });
    if failed {
        return channel
            .on
            .contains(&Event::Failure)
            .then_some(Event::Failure);
    }
    let warned = results
        .results
        .iter()
        .any(|r| r.status == Status::Warn && ours(&r.unique_id));
    let recovered = previous.is_some_and(|p| match watched {
        None => p.status != "success",
        Some(_) => p.failed.iter().any(|id| ours(id)),
    });
    [
        (recovered, Event::Recovery),
        (warned, Event::Warnings),
        (true, Event::Success),
    ]
    .into_iter()
    .find(|(happened, e)| *happened && channel.on.contains(e))
    .map(|(_, e)| e)
}

/// Send to every channel this run concerns (its target, its event), each on its own thread,
/// all within [`DEADLINE`]; the records, in the channels' order. `env` reads the secrets.
pub fn send(
    c: &Compiled,
    results: &RunResults,
    facts: &RunFacts,
    env: Env,
) -> Vec<NotificationRecord> {
    let channels: Vec<&Channel> = c
        .project
        .notifications
        .iter()
        .filter(|ch| ch.targets.is_empty() || ch.targets.contains(&results.target))
        .collect();
    if channels.is_empty() {
        return Vec::new();
    }
    let tests = message::test_infos(c);
    let to_send: Vec<(&Channel, Event)> = channels
        .into_iter()
        .filter_map(|ch| {
            let w = watched(c, ch, &tests);
            event_for(ch, results, facts.previous.as_ref(), w.as_ref()).map(|e| (ch, e))
        })
        .collect();
    let deadline = Instant::now() + DEADLINE;
    std::thread::scope(|s| {
        let handles: Vec<_> = to_send
            .iter()
            .map(|&(ch, event)| {
                let tests = &tests;
                s.spawn(move || one(c, ch, event, results, facts, tests, env, deadline))
            })
            .collect();
        handles
            .into_iter()
            .zip(&to_send)
            .map(|(h, (ch, event))| {
                h.join().unwrap_or_else(|_| NotificationRecord {
                    error: Some(crate::t!("notify-internal-error")),
                    ..NotificationRecord::unsent(&ch.name, ch.kind.type_name(), event.as_str())
                })
            })
            .collect()
    })
}

/// Build, send and record one channel's message.
#[allow(clippy::too_many_arguments)]
fn one(
    c: &Compiled,
    ch: &Channel,
    event: Event,
    results: &RunResults,
    facts: &RunFacts,
    tests: &HashMap<String, TestInfo>,
    env: Env,
    deadline: Instant,
) -> NotificationRecord {
    let started = Instant::now();
    let ctx = message::context(
        c,
        results,
        event,
        facts.previous.as_ref(),
        facts.cost_usd,
        tests,
        ch.lang.unwrap_or_else(crate::i18n::lang),
    );
    let mut rec = NotificationRecord::unsent(&ch.name, ch.kind.type_name(), event.as_str());
    match payload::prepare(ch, &ctx, env) {
        Err(e) => rec.error = Some(e),
        Ok(p) => {
            rec.action = p.action.map(String::from);
            let d = deliver::deliver(&p.request, ch.attempts, ch.timeout, deadline);
            rec.attempts = d.attempts;
            let code = match &d.last {
                Attempt::Sent(code) => Some(*code),
                Attempt::Retry(code, _) | Attempt::Fatal(code, _) => *code,
            };
            if matches!(ch.kind, ChannelKind::Email { .. }) {
                rec.smtp_code = code;
            } else {
                rec.http_status = code;
            }
            match d.last {
                Attempt::Sent(_) => {
                    rec.status = "sent".into();
                    rec.error = p.note;
                }
                Attempt::Retry(_, e) | Attempt::Fatal(_, e) => {
                    let e = match p.note {
                        Some(n) => format!("{e}; {n}"),
                        None => e,
                    };
                    rec.error = Some(p.secrets.redact(&e));
                }
            }
        }
    }
    rec.elapsed = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    rec
}

/// One line per record for the end of a build: what was sent, and a warning for each channel
/// that could not be reached (the build's result does not change).
pub fn report(records: &[NotificationRecord]) {
    for r in records {
        let what = match &r.action {
            Some(a) => format!("{}, {a}", r.event),
            None => r.event.clone(),
        };
        if r.status == "sent" {
            println!(
                "{}",
                crate::t!(
                    "notify-sent",
                    channel = r.channel,
                    kind = r.kind.to_string(),
                    what = what
                )
            );
            if let Some(note) = &r.error {
                eprintln!(
                    "{}",
                    crate::t!("notify-warning", channel = r.channel, note = note)
                );
            }
        } else {
            eprintln!(
                "{}",
                crate::t!(
                    "notify-not-sent",
                    channel = r.channel,
                    kind = r.kind.to_string(),
                    what = what,
                    attempts = r.attempts,
                    error = r
                        .error
                        .clone()
                        .unwrap_or_else(|| crate::t!("notify-unknown-error"))
                )
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execute::results::NodeResult;

    fn channel(on: &[Event]) -> Channel {
        Channel {
            name: "c".into(),
            kind: ChannelKind::Webhook {
                url_env: "U".into(),
                headers_env: Default::default(),
            },
            on: on.to_vec(),
            select: Vec::new(),
            targets: Vec::new(),
            template: None,
            lang: None,
            timeout: Duration::from_secs(1),
            attempts: 1,
        }
    }

    fn run(statuses: &[(&str, Status)]) -> RunResults {
        RunResults {
            run_id: "run_2".into(),
            command: "build".into(),
            target: "prod".into(),
            started_at: String::new(),
            elapsed: 1.0,
            args: Vec::new(),
            interrupted: false,
            results: statuses
                .iter()
                .map(|(id, s)| NodeResult::new(id, id, "model", s.clone()))
                .collect(),
            notifications: Vec::new(),
        }
    }

    fn previous(status: &str, failed: &[&str]) -> PreviousRun {
        PreviousRun {
            run_id: "run_1".into(),
            status: status.into(),
            failed: failed.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn events_of_a_run() {
        use Event::*;
        let all = channel(&[Failure, Success, Warnings, Recovery]);
        let default = channel(&[Failure, Recovery]);
        let ok = run(&[("a", Status::Success), ("b", Status::Success)]);
        let warned = run(&[("a", Status::Success), ("t", Status::Warn)]);
        let failed = run(&[("a", Status::Error), ("b", Status::Skipped)]);
        let was_failed = previous("failed", &["a", "b"]);
        let was_ok = previous("success", &[]);

        assert_eq!(event_for(&all, &failed, None, None), Some(Failure));
        assert_eq!(event_for(&all, &ok, None, None), Some(Success));
        assert_eq!(
            event_for(&all, &ok, Some(&was_failed), None),
            Some(Recovery)
        );
        assert_eq!(
            event_for(&all, &warned, Some(&was_ok), None),
            Some(Warnings)
        );
        // The default is silent while things go well.
        assert_eq!(event_for(&default, &ok, Some(&was_ok), None), None);
        assert_eq!(event_for(&default, &warned, None, None), None);
        assert_eq!(
            event_for(&default, &ok, Some(&was_failed), None),
            Some(Recovery)
        );
        // A recovery is a success to a channel that only listens for successes.
        assert_eq!(
            event_for(&channel(&[Success]), &ok, Some(&was_failed), None),
            Some(Success)
        );
        assert_eq!(event_for(&channel(&[Success]), &failed, None, None), None);
        // An interrupted run is a failure.
        let mut stopped = ok.clone();
        stopped.interrupted = true;
        assert_eq!(event_for(&default, &stopped, None, None), Some(Failure));
    }

    #[test]
    fn a_channel_watching_some_nodes() {
        use Event::*;
        let gold = channel(&[Failure, Recovery, Warnings]);
        let watched: HashSet<String> = ["g".to_string()].into();
        let w = Some(&watched);
        // A failure elsewhere that does not hold gold up is not gold's.
        let silver_failed = run(&[("s", Status::Error), ("g", Status::Success)]);
        assert_eq!(event_for(&gold, &silver_failed, None, w), None);
        // Gold not built because of it is.
        let gold_skipped = run(&[("s", Status::Error), ("g", Status::Skipped)]);
        assert_eq!(event_for(&gold, &gold_skipped, None, w), Some(Failure));
        // Recovered only if gold failed last time.
        let ok = run(&[("s", Status::Success), ("g", Status::Success)]);
        assert_eq!(
            event_for(&gold, &ok, Some(&previous("failed", &["s"])), w),
            None
        );
        assert_eq!(
            event_for(&gold, &ok, Some(&previous("failed", &["s", "g"])), w),
            Some(Recovery)
        );
        let warned_elsewhere = run(&[("t", Status::Warn), ("g", Status::Success)]);
        assert_eq!(event_for(&gold, &warned_elsewhere, None, w), None);
    }
}
