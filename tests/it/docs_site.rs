//! `karte docs generate` / `karte docs serve`: the site of the example project opened in a real
//! browser (headless Chromium, the Debian package `tests/run.sh` installs) from `file://`, and
//! what the generator writes (index, escaping, the project graph's selection).

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{karte, karte_env, project_from_spec};

const CHROMIUM: &str = "/usr/bin/chromium";

/// The DOM of `url` after its scripts ran, as headless Chromium prints it.
fn dom(url: &str) -> String {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: the docs site is tested in a real browser. Install it with \
         `apt-get install -y chromium` (tests/run.sh does this)"
    );
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish with {url} in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

fn site_url(project: &Path, hash: &str) -> String {
    format!(
        "file://{}#{hash}",
        project.join("target/docs/index.html").display()
    )
}

/// The example project in a temp dir, with a last run that passed one test and failed another.
fn example_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    crate::compile::copy_dir(&crate::support::example_project(), tmp.path());
    std::fs::create_dir_all(tmp.path().join("target")).unwrap();
    std::fs::write(
        tmp.path().join("target/run_results.json"),
        r#"{"run_id": "r1", "command": "build", "target": "local", "started_at": "2026-12-01T03:00:00Z",
            "elapsed": 1.0, "args": [], "interrupted": false, "results": [
            {"unique_id": "model.medical_lake.pmpm", "name": "pmpm", "kind": "model", "status": "success", "execution_time": 0.5},
            {"unique_id": "test.medical_lake.not_null_pmpm_service_month", "name": "not_null_pmpm_service_month", "kind": "test", "status": "pass", "execution_time": 0.1, "failures": 0},
            {"unique_id": "test.medical_lake.not_null_pmpm_insurer_number", "name": "not_null_pmpm_insurer_number", "kind": "test", "status": "fail", "execution_time": 0.1, "failures": 3, "message": "3 rows"}
        ]}"#,
    )
    .unwrap();
    let (code, out, err) = karte(tmp.path(), &["docs", "generate", "--lang", "ja"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("ドキュメントを"), "{out}");
    tmp
}

#[test]
fn the_example_projects_site_works_in_a_browser() {
    let tmp = example_site();
    let dir = tmp.path();

    // The list: every table, with Japanese descriptions and class badges.
    let html = dom(&site_url(dir, "/"));
    assert!(html.contains("テーブル一覧"), "Japanese labels");
    let rows = html.matches("<tr data-id=").count();
    assert!(rows >= 40, "{rows} rows in the list:\n{html}");
    for name in [
        "bronze.medical_claims",
        "silver.receipts",
        "gold.pmpm",
        "seeds.eras",
    ] {
        assert!(html.contains(&format!(">{name}</a>")), "{name} in the list");
    }
    assert!(html.contains("加入者台帳"), "a Japanese description");
    assert!(html.contains(r#"class="badge class class-direct_identifier""#));

    // A model's page: columns with their classes and the path that carried one, tests and
    // their last results, the SQL as written and as compiled, the lineage graphs.
    let html = dom(&site_url(dir, "/model/gold.pmpm"));
    assert!(
        html.contains(r#"<article id="node" data-id="model.medical_lake.pmpm""#),
        "{html}"
    );
    for col in [
        "service_month",
        "insurer_number",
        "members_with_claims",
        "pmpm_yen",
    ] {
        assert!(
            html.contains(&format!(r#"data-column="{col}""#)),
            "column {col}"
        );
    }
    assert!(html.contains("その月にレセプトのあった加入者数"));
    assert!(html.contains("gold.pmpm.members_with_claims ← silver.receipts.person_id (pseudonym)"));
    assert!(html.contains(r#"<span class="badge status status-pass">pass</span>"#));
    assert!(html.contains(r#"<span class="badge status status-fail">fail</span>"#));
    assert!(
        !html.contains("3 rows"),
        "a result's message is never shown"
    );
    let written = between(&html, r#"<pre class="sql" id="sql-written">"#, "</pre>");
    assert!(
        written.contains("silver.receipts") || written.contains("ref("),
        "{written}"
    );
    let compiled = between(&html, r#"<pre class="sql" id="sql-compiled">"#, "</pre>");
    assert!(
        compiled.contains("\"silver\".\"receipts\"") || compiled.contains("silver.receipts"),
        "{compiled}"
    );
    let graph = between(&html, r#"<div class="graph-box graph">"#, "</svg>");
    assert!(graph.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" class="karte-graph""#));
    for id in [
        "model.medical_lake.pmpm",
        "model.medical_lake.receipts",
        "model.medical_lake.enrollment_months",
        "source.medical_lake.bronze.insurers",
    ] {
        assert!(
            graph.contains(&format!(r#"data-id="{id}""#)),
            "{id} in the graph"
        );
    }
    assert!(graph.contains(">silver.receipts</text>"));
    let columns = between(&html, r#"<div class="graph-box column-graph">"#, "</svg>");
    assert!(columns.contains(">gold.pmpm.members_with_claims</text>"));
    assert!(columns.contains(">silver.receipts.person_id</text>"));

    // The project graph, filtered by a selector in the page.
    let html = dom(&site_url(dir, "/graph?select=%2Bgold.pmpm"));
    let svg = between(&html, r#"<div class="graph-box project-graph">"#, "</svg>");
    assert!(svg.contains(r#"data-id="model.medical_lake.pmpm""#));
    assert!(
        svg.contains(r#"<g class="node layer-gold kind-model" data-id="model.medical_lake.pmpm""#),
        "the selected stay"
    );
    assert!(
        svg.contains(
            r#"<g class="node layer-gold kind-model dim" data-id="model.medical_lake.t2dm_cohort""#
        ),
        "the others are dimmed"
    );

    // Search: a Japanese word of a description, and a name.
    let html = dom(&site_url(dir, "/search?q=%E5%8F%97%E8%A8%BA"));
    assert!(html.contains("「受診」の検索結果: 1 件"), "{html}");
    assert!(html.contains(">silver.receipts</a>"));
    let html = dom(&site_url(dir, "/search?q=PMPM"));
    assert!(html.contains(">gold.pmpm</a>"));
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let a = s
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in:\n{s}"))
        + start.len();
    let b = s[a..].find(end).map_or(s.len(), |b| a + b);
    &s[a..b]
}

const HOSTILE: &str = r#"
=== models/silver/a.sql
select 1 as id, '<b>bold</b>' as tag
=== models/gold/b.sql
-- </script><script>document.title='pwned'</script>
select id, tag from silver.a
=== models/gold/c.sql
select id from silver.a
=== models/gold/_gold.yml
version: 2
models:
  - name: b
    description: "<img src=x onerror=alert(1)> 受診 & co"
    columns:
      - name: id
        description: "<i>id</i>"
"#;

#[test]
fn text_from_the_project_is_shown_as_text() {
    let tmp = project_from_spec(HOSTILE);
    let dir = tmp.path();
    let (code, out, err) = karte_env(dir, &["docs", "generate"], &[("KARTE_LANG", "en")]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("wrote the docs of 3 models"), "{out}");
    // No data file holds a raw `<`: nothing can close a script or open a tag.
    for entry in walkdir::WalkDir::new(dir.join("target/docs/data")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            // Graphs too: their SVG is a JSON string, its markup escaped as \u003c.
            let text = std::fs::read_to_string(entry.path()).unwrap();
            assert!(!text.contains('<'), "{}", entry.path().display());
        }
    }
    let html = dom(&site_url(dir, "/model/gold.b"));
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt; 受診 &amp; co"),
        "{html}"
    );
    assert!(html.contains("&lt;i&gt;id&lt;/i&gt;"));
    assert!(html.contains("-- &lt;/script&gt;&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
    assert!(!html.contains("<title>pwned</title>"));
    assert!(!html.contains("<img src=\"x\""));
}

#[test]
fn the_project_graph_is_the_selection_and_what_it_reads() {
    let tmp = project_from_spec(HOSTILE);
    let dir = tmp.path();
    let (code, out, err) = karte(dir, &["docs", "generate", "--select", "c"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let graph = std::fs::read_to_string(dir.join("target/docs/data/graph.js")).unwrap();
    let json = graph
        .strip_prefix("KARTE_DOCS.load(\"graph\", ")
        .and_then(|g| g.strip_suffix(");\n"))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(
        v["ids"],
        serde_json::json!(["model.fixture.a", "model.fixture.c"]),
        "{v}"
    );
    assert_eq!(v["select"], serde_json::json!(["c"]));
    let svg = v["svg"].as_str().unwrap();
    assert!(
        svg.contains(r#"data-id="model.fixture.c""#)
            && !svg.contains(r#"data-id="model.fixture.b""#)
    );
    // Every table still has its page.
    let index = std::fs::read_to_string(dir.join("target/docs/data/index.js")).unwrap();
    for id in ["model.fixture.a", "model.fixture.b", "model.fixture.c"] {
        assert!(index.contains(&format!(r#""id":"{id}""#)), "{id}");
    }

    // Over the limit: not drawn, said why.
    let (code, out, err) = karte(dir, &["docs", "generate", "--graph-limit", "2"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("warning[W960]"), "{err}");
    let graph = std::fs::read_to_string(dir.join("target/docs/data/graph.js")).unwrap();
    assert!(
        graph.contains(r#""svg":null"#) && graph.contains(r#""nodes":3"#),
        "{graph}"
    );
}

#[test]
fn the_index_lists_every_table_with_what_search_needs() {
    let tmp = example_site();
    let index = std::fs::read_to_string(tmp.path().join("target/docs/data/index.js")).unwrap();
    let json = index
        .strip_prefix("KARTE_DOCS.load(\"index\", ")
        .and_then(|g| g.strip_suffix(");\n"))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["project"], "medical_lake");
    assert_eq!(v["lang"], "ja");
    assert_eq!(v["last_run"]["run_id"], "r1");
    let listing: Vec<String> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{:9} {:38} classes={} tests={} parents={}",
                e["kind"].as_str().unwrap(),
                e["name"].as_str().unwrap(),
                e["classes"].as_array().map_or(0, |c| c.len()),
                e["tests"]["total"].as_u64().unwrap_or(0),
                e["parents"].as_array().map_or(0, |c| c.len()),
            )
        })
        .collect();
    insta::assert_snapshot!("docs_site_index", listing.join("\n"));
    let pmpm = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "gold.pmpm")
        .unwrap();
    assert_eq!(pmpm["status"], "success");
    assert_eq!(pmpm["tests"]["pass"], 1);
    assert_eq!(pmpm["tests"]["fail"], 1);
    assert!(Path::new(
        &tmp.path()
            .join("target/docs")
            .join(pmpm["file"].as_str().unwrap())
    )
    .is_file());
}

#[test]
fn serve_serves_the_site_on_loopback() {
    let tmp = project_from_spec(HOSTILE);
    let dir = tmp.path();
    let (code, _, err) = karte_env(
        dir,
        &["docs", "serve", "--port", "0"],
        &[("KARTE_LANG", "en")],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[E961]"), "{err}");
    assert!(err.contains("karte docs generate"), "{err}");
    let (code, _, err) = karte_env(
        dir,
        &["docs", "serve", "--host", "0.0.0.0"],
        &[("KARTE_LANG", "ja")],
    );
    assert_ne!(code, 0);
    assert!(err.contains("E961") || err.contains("E963"), "{err}");

    let (code, out, err) = karte(dir, &["docs", "generate"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, _, err) = karte_env(
        dir,
        &["docs", "serve", "--host", "0.0.0.0"],
        &[("KARTE_LANG", "ja")],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("[E963]") && err.contains("このマシンだけ"),
        "{err}"
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_karte"))
        .args(["docs", "serve", "--port", "0", "--project-dir"])
        .arg(dir)
        .env("KARTE_LANG", "en")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let get = |path: &str| -> String {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let index = get("/");
    let js = get("/data/index.js");
    let outside = get("/../karte.yml");
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        index.starts_with("HTTP/1.1 200 OK") && index.contains("assets/app.js"),
        "{index}"
    );
    assert!(js.contains("text/javascript") && js.contains("KARTE_DOCS.load(\"index\""));
    assert!(outside.starts_with("HTTP/1.1 403"), "{outside}");
}
