//! The words of a notification in the channel's language (`lang:` of the channel, else the
//! process language): the title, the summary, durations, costs and a failing test's count of
//! rows (catalogue: `src/i18n/*/notify.ftl`), and the default templates of that language
//! (`templates/notify/{en,ja}/`). The facts ([`super::message::Context`]) are the same in
//! both; only the words for people differ.

use crate::execute::journal::PreviousRun;
use crate::execute::results::{NodeResult, RunResults, Status};
use crate::i18n::Lang;
use crate::project::notifications::Event;

use super::message::Counts;

/// The name of the default template `kind` (`text`, `slack`, `teams`, `pagerduty`) in `lang`
/// (the English ones keep their plain names).
pub fn template_name(lang: Lang, kind: &str) -> String {
    match lang {
        Lang::En => kind.to_string(),
        Lang::Ja => format!("ja/{kind}"),
    }
}

/// One line: what happened to which project on which target.
pub fn title(lang: Lang, results: &RunResults, project: &str, event: Event) -> String {
    let place = crate::t!(lang => "notify-place", project = project, target = results.target);
    let command = &results.command;
    if command == "source freshness" {
        return match event {
            Event::Failure => crate::t!(lang => "notify-title-sources-late", place = place),
            Event::Recovery => {
                crate::t!(lang => "notify-title-sources-on-time-again", place = place)
            }
            Event::Warnings => {
                crate::t!(lang => "notify-title-sources-getting-late", place = place)
            }
            Event::Success => crate::t!(lang => "notify-title-sources-on-time", place = place),
        };
    }
    match (event, results.interrupted) {
        (Event::Failure, true) => {
            crate::t!(lang => "notify-title-interrupted", command = command, place = place)
        }
        (Event::Failure, false) => {
            crate::t!(lang => "notify-title-failed", command = command, place = place)
        }
        (Event::Recovery, _) => {
            crate::t!(lang => "notify-title-recovered", command = command, place = place)
        }
        (Event::Warnings, _) => {
            crate::t!(lang => "notify-title-warnings", command = command, place = place)
        }
        (Event::Success, _) => {
            crate::t!(lang => "notify-title-succeeded", command = command, place = place)
        }
    }
}

/// One or two sentences: the run, its duration, what it scanned and cost, the counts, the
/// previous run (for a recovery), and whether it was stopped before the end.
pub fn summary(
    lang: Lang,
    results: &RunResults,
    event: Event,
    previous: Option<&PreviousRun>,
    bytes_scanned: Option<u64>,
    cost: Option<&str>,
    counts: &Counts,
) -> String {
    let scanned = bytes_scanned
        .map(|b| {
            crate::t!(lang => "notify-summary-scanned", size = crate::project::ingest::show_size(b))
        })
        .unwrap_or_default();
    let cost = cost
        .map(|c| crate::t!(lang => "notify-summary-cost", cost = c))
        .unwrap_or_default();
    let previous = match (event, previous) {
        (Event::Recovery, Some(p)) => crate::t!(
            lang => "notify-summary-previous",
            run = p.run_id,
            status = p.status
        ),
        _ => String::new(),
    };
    let stopped = if results.interrupted {
        crate::t!(lang => "notify-summary-stopped")
    } else {
        String::new()
    };
    crate::t!(
        lang => "notify-summary",
        run = results.run_id,
        duration = duration(lang, results.elapsed),
        scanned = scanned,
        cost = cost,
        counts = counts_sentence(lang, counts),
        previous = previous,
        stopped = stopped
    )
}

/// `3 built, 1 failed, 2 not run; tests: 4 passed, 1 failed, 1 warned`.
pub fn counts_sentence(lang: Lang, c: &Counts) -> String {
    let sep = crate::t!(lang => "notify-list-separator");
    let mut nodes = vec![crate::t!(lang => "notify-count-built", count = c.success)];
    if c.error > 0 {
        nodes.push(crate::t!(lang => "notify-count-failed", count = c.error));
    }
    if c.skipped > 0 {
        nodes.push(crate::t!(lang => "notify-count-not-run", count = c.skipped));
    }
    let mut tests = Vec::new();
    if c.pass > 0 {
        tests.push(crate::t!(lang => "notify-tests-passed", count = c.pass));
    }
    if c.fail > 0 {
        tests.push(crate::t!(lang => "notify-tests-failed", count = c.fail));
    }
    if c.warn > 0 {
        tests.push(crate::t!(lang => "notify-tests-warned", count = c.warn));
    }
    if tests.is_empty() {
        nodes.join(&sep)
    } else {
        crate::t!(
            lang => "notify-counts-with-tests",
            nodes = nodes.join(&sep),
            tests = tests.join(&sep)
        )
    }
}

/// `3.2s`, `4m 05s`, `1h 02m` (in Japanese `3.2 秒`, `4 分 05 秒`, `1 時間 02 分`).
pub fn duration(lang: Lang, seconds: f64) -> String {
    let s = seconds.max(0.0);
    if s < 60.0 {
        crate::t!(lang => "notify-duration-seconds", seconds = format!("{s:.1}"))
    } else if s < 3600.0 {
        crate::t!(
            lang => "notify-duration-minutes",
            minutes = ((s / 60.0) as u64).to_string(),
            seconds = format!("{:02}", (s % 60.0) as u64)
        )
    } else {
        crate::t!(
            lang => "notify-duration-hours",
            hours = ((s / 3600.0) as u64).to_string(),
            minutes = format!("{:02}", ((s % 3600.0) / 60.0) as u64)
        )
    }
}

/// `about $0.0123`.
pub fn cost(lang: Lang, usd: f64) -> String {
    crate::t!(lang => "notify-cost", usd = format!("{usd:.4}"))
}

/// A failing test in words: its count of rows (never the rows). None for anything else.
pub fn test_rows(lang: Lang, r: &NodeResult) -> Option<String> {
    let rows = |n: u64| crate::t!(lang => "notify-rows-fail", count = n);
    match (&r.status, r.failures) {
        (Status::Fail, Some(n)) => Some(rows(n)),
        (Status::Warn, Some(n)) => Some(crate::t!(lang => "notify-rows-warn", rows = rows(n))),
        _ => None,
    }
}

/// The title of a fact of a Teams card (`project`, `target`, `run`, `duration`, `cost`).
pub fn fact(lang: Lang, which: &str) -> String {
    match which {
        "project" => crate::t!(lang => "notify-fact-project"),
        "target" => crate::t!(lang => "notify-fact-target"),
        "run" => crate::t!(lang => "notify-fact-run"),
        "duration" => crate::t!(lang => "notify-fact-duration"),
        _ => crate::t!(lang => "notify-fact-cost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well_in_both_languages() {
        assert_eq!(duration(Lang::En, 3.21), "3.2s");
        assert_eq!(duration(Lang::En, 245.0), "4m 05s");
        assert_eq!(duration(Lang::En, 3725.0), "1h 02m");
        assert_eq!(duration(Lang::Ja, 3.21), "3.2 秒");
        assert_eq!(duration(Lang::Ja, 245.0), "4 分 05 秒");
        assert_eq!(duration(Lang::Ja, 3725.0), "1 時間 02 分");
    }

    #[test]
    fn counts_read_as_before_in_english() {
        let c = Counts {
            success: 3,
            error: 1,
            skipped: 2,
            pass: 4,
            fail: 1,
            warn: 1,
        };
        assert_eq!(
            counts_sentence(Lang::En, &c),
            "3 built, 1 failed, 2 not run; tests: 4 passed, 1 failed, 1 warned"
        );
        assert_eq!(
            counts_sentence(Lang::Ja, &c),
            "作成 3、失敗 1、未実行 2。テスト: 合格 4、不合格 1、警告 1"
        );
        assert_eq!(counts_sentence(Lang::En, &Counts::default()), "0 built");
    }
}
