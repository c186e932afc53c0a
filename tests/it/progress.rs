//! What a build shows while it runs, when stderr is not a terminal (CI, logs): a first line
//! with the real total, one line per node numbered n/total; `--quiet`; and `--output json`,
//! JSON lines of run and node events for schedulers, with no row data.

use std::path::Path;

use crate::support::{karte_env, project_from_spec};

const PROJECT: &str = r#"
=== karte.yml
name: fixture
layers:
  silver: silver
  gold: gold
  seeds: seeds
=== seeds/wards.csv
code,name
01,内科病棟ひまわり
02,外科病棟さくら
=== seeds/_seeds.yml
seeds:
  - name: wards
    columns:
      - name: code
        tests: [not_null, unique]
=== models/silver/ward_names.sql
select code, name from seeds.wards
=== models/gold/ward_count.sql
select count(*) as n from silver.ward_names
"#;

/// Durations, elapsed times and run ids vary: replaced for snapshots.
fn stable(text: &str) -> String {
    let secs = regex::Regex::new(r"\d+\.\d+s").unwrap();
    let run = regex::Regex::new(r"run_\d{8}_\d{6}_\d{3}").unwrap();
    run.replace_all(&secs.replace_all(text, "<t>s"), "<run_id>")
        .to_string()
}

fn build(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["build", "--threads", "1"];
    all.extend_from_slice(args);
    karte_env(dir, &all, &[("KARTE_LANG", "en")])
}

#[test]
fn without_a_terminal_one_line_per_node_with_the_real_total() {
    let dir = project_from_spec(PROJECT);
    let (code, out, err) = build(dir.path(), &[]);
    assert_eq!(code, 0, "{out}{err}");
    insta::assert_snapshot!("progress_lines", stable(&err));
    // The summary is on stdout.
    assert!(out.contains("build finished in"), "{out}");
}

#[test]
fn quiet_prints_only_what_failed() {
    let dir = project_from_spec(PROJECT);
    let (code, out, err) = build(dir.path(), &["--quiet"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
    std::fs::write(
        dir.path().join("models/silver/ward_names.sql"),
        "{{ config(materialized='table') }}\nselect code, name, cast(name as integer) as broken from seeds.wards\n",
    )
    .unwrap();
    let (code, out, err) = build(dir.path(), &["-q"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(out, "");
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains("ERROR") && lines[0].contains("ward_names"),
        "{err}"
    );
}

fn events(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line: {l}: {e}")))
        .collect()
}

#[test]
fn json_lines_of_node_events_for_schedulers() {
    let dir = project_from_spec(PROJECT);
    let (code, out, err) = build(dir.path(), &["--output", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let ev = events(&out);
    let kinds: Vec<&str> = ev.iter().map(|e| e["event"].as_str().unwrap()).collect();
    // seed, 2 tests on it, 2 models: 5 jobs, each started then finished (one thread).
    assert_eq!(kinds.first(), Some(&"run_started"));
    assert_eq!(ev[0]["total"], 5);
    assert_eq!(ev[0]["command"], "build");
    assert_eq!(kinds.last(), Some(&"run_finished"));
    assert_eq!(kinds.iter().filter(|k| **k == "node_started").count(), 5);
    assert_eq!(kinds.iter().filter(|k| **k == "node_finished").count(), 5);
    let last = ev.last().unwrap();
    assert_eq!(last["status"], "success");
    assert_eq!(last["counts"]["success"], 3);
    assert_eq!(last["counts"]["pass"], 2);
    assert_eq!(last["run_id"], ev[0]["run_id"]);
    for e in ev.iter().filter(|e| e["event"] == "node_finished") {
        assert!(e["duration_s"].is_f64(), "{e}");
        assert!(
            e["unique_id"].as_str().unwrap().contains(".fixture."),
            "{e}"
        );
        assert!(
            ["success", "pass"].contains(&e["status"].as_str().unwrap()),
            "{e}"
        );
    }
    let started = |name: &str| {
        ev.iter()
            .position(|e| e["event"] == "node_started" && e["name"] == name)
            .unwrap()
    };
    let finished = |name: &str| {
        ev.iter()
            .position(|e| e["event"] == "node_finished" && e["name"] == name)
            .unwrap()
    };
    assert!(finished("wards") < started("ward_names"));
    assert!(finished("ward_names") < started("ward_count"));
    // No row data: the seed's values are nowhere in the events.
    assert!(
        !out.contains("ひまわり") && !out.contains("さくら"),
        "{out}"
    );
    // Nothing for people on stdout; stderr has no progress lines either.
    assert!(!err.contains("[1/5]"), "{err}");

    // A failure: the node's error, what it skipped, and the run's status.
    std::fs::write(
        dir.path().join("models/silver/ward_names.sql"),
        "{{ config(materialized='table') }}\nselect code, name, cast(name as integer) as broken from seeds.wards\n",
    )
    .unwrap();
    let (code, out, err) = build(dir.path(), &["-o", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let ev = events(&out);
    let finished = |name: &str| {
        ev.iter()
            .find(|e| e["event"] == "node_finished" && e["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(finished("ward_names")["status"], "error");
    // DuckDB quotes the value it could not convert; the event does not.
    let message = finished("ward_names")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("Could not convert"), "{message}");
    assert!(
        !out.contains("ひまわり") && !out.contains("さくら"),
        "{out}"
    );
    assert_eq!(finished("ward_count")["status"], "skipped");
    assert_eq!(ev.last().unwrap()["status"], "error");
    assert_eq!(ev.last().unwrap()["counts"]["skipped"], 1);

    // --quiet with json: only run_finished. The other run commands take the same options.
    let (code, out, err) = karte_env(dir.path(), &["seed", "-o", "json", "-q"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    let ev = events(&out);
    assert_eq!(ev.len(), 1, "{out}");
    assert_eq!(ev[0]["event"], "run_finished");
    assert_eq!(ev[0]["command"], "seed");
    let (code, out, err) = karte_env(
        dir.path(),
        &["test", "-o", "json", "--select", "wards"],
        &[],
    );
    assert_eq!(code, 0, "{out}{err}");
    let ev = events(&out);
    assert_eq!(ev[0]["total"], 2, "{out}");
}

#[test]
fn threads_come_from_the_option_else_the_target_else_four() {
    let dir = project_from_spec(PROJECT);
    let started = |extra: &[&str]| {
        let mut args = vec!["build", "--output", "json"];
        args.extend_from_slice(extra);
        let (code, out, err) = karte_env(dir.path(), &args, &[("KARTE_LANG", "en")]);
        assert_eq!(code, 0, "{out}{err}");
        events(&out)[0]["threads"].clone()
    };
    assert_eq!(started(&[]), 4);
    assert_eq!(started(&["--threads", "2"]), 2);
    let yml = dir.path().join("karte.yml");
    let text = std::fs::read_to_string(&yml).unwrap();
    std::fs::write(
        &yml,
        format!("{text}\ntargets:\n  local: {{ type: local, threads: 3 }}\n"),
    )
    .unwrap();
    assert_eq!(started(&[]), 3);
    assert_eq!(started(&["--threads", "1"]), 1);
}

/// The summary table with its durations and run id replaced, in either language.
fn stable_summary(text: &str) -> String {
    let secs = regex::Regex::new(r"\d+\.\d+( 秒|s)").unwrap();
    let run = regex::Regex::new(r"run_\d{8}_\d{6}_\d{3}").unwrap();
    run.replace_all(&secs.replace_all(text, "<t>$1"), "<run_id>")
        .to_string()
}

#[test]
fn the_summary_table_in_english_and_in_japanese() {
    let dir = project_from_spec(PROJECT);
    // One model fails, so the failure line and the pointer to run_results.json show too.
    std::fs::write(
        dir.path().join("models/gold/ward_count.sql"),
        "{{ config(materialized='table') }}\nselect count(*) as n, cast(max(name) as integer) as broken from silver.ward_names\n",
    )
    .unwrap();
    let mut all = Vec::new();
    for lang in ["en", "ja"] {
        let (code, out, err) = karte_env(
            dir.path(),
            &["build", "--threads", "1"],
            &[("KARTE_LANG", lang)],
        );
        assert_eq!(code, 1, "{out}{err}");
        // The engine's message is the engine's: only karte's words are compared.
        // (its lines up to the last line, karte's pointer to run_results.json).
        let lines: Vec<&str> = out.lines().collect();
        let failed = lines
            .iter()
            .position(|l| l.contains("ward_count: "))
            .expect(&out);
        let mut kept: Vec<String> = lines[..failed].iter().map(|l| l.to_string()).collect();
        kept.push(format!(
            "{}ward_count: <engine message>",
            &lines[failed][..lines[failed].find("ward_count: ").unwrap()]
        ));
        kept.push(lines[lines.len() - 1].to_string());
        let out = kept.join("\n");
        all.push(format!("--- {lang}\n{}", stable_summary(&out)));
    }
    insta::assert_snapshot!("summary_table", all.join("\n"));
    // The Japanese table has no English words of karte's own.
    let ja = &all[1];
    for word in ["finished", "error", "skip", "pass", "model", "see target"] {
        assert!(!ja.contains(word), "`{word}` in\n{ja}");
    }
}
