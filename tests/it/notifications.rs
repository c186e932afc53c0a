//! Notifications end to end: a small project built on the local engine, failing and then
//! recovering, with every kind of channel pointed at servers this test runs on 127.0.0.1 (an
//! HTTP server that records requests, a fake SMTP server), and one channel that is down. The
//! payloads are snapshotted; secrets and data values must never appear.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{karte_env, project_from_spec, run_results};

/// One request the HTTP server received.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: BTreeMap<String, String>,
    body: String,
}

/// A server on 127.0.0.1 that hands each connection to `handle` in turn and keeps what it
/// returns; it stops when dropped.
struct Server<T> {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<T>>>,
    stop: Arc<AtomicBool>,
}

impl<T: Send + 'static> Server<T> {
    fn start(handle: impl Fn(TcpStream) -> Option<T> + Send + 'static) -> Server<T> {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (rec, st) = (received.clone(), stop.clone());
        std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                        if let Some(r) = handle(stream) {
                            rec.lock().unwrap().push(r);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            addr,
            received,
            stop,
        }
    }

    /// Everything received so far, forgotten.
    fn take_all(&self) -> Vec<T> {
        std::mem::take(&mut *self.received.lock().unwrap())
    }
}

impl<T> Drop for Server<T> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// A tiny HTTP/1.1 server that records every request and answers by path.
type Recorder = Server<Received>;

impl Recorder {
    fn http(answer: fn(&str) -> (u16, &'static str)) -> Recorder {
        Server::start(move |stream| serve_http(stream, answer))
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The requests to `path`, in the order received, and forget them.
    fn take(&self, path: &str) -> Vec<Received> {
        let mut all = self.received.lock().unwrap();
        let (mine, rest): (Vec<_>, Vec<_>) = all.drain(..).partition(|r| r.path == path);
        *all = rest;
        mine
    }
}

fn serve_http(stream: TcpStream, answer: fn(&str) -> (u16, &'static str)) -> Option<Received> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.insert(k.trim().to_lowercase(), v.trim().to_string());
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    let (status, text) = answer(&path);
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )
    .ok()?;
    Some(Received {
        path,
        headers,
        body: String::from_utf8_lossy(&body).to_string(),
    })
}

/// What the services answer.
fn answer(path: &str) -> (u16, &'static str) {
    match path {
        "/slack/hook" => (200, "ok"),
        "/slack/api/chat.postMessage" => (200, r#"{"ok":true,"channel":"C1","ts":"1.2"}"#),
        "/teams" => (202, ""),
        "/hook" => (200, "{}"),
        "/pagerduty/v2/enqueue" => (202, r#"{"status":"success","message":"Event processed"}"#),
        _ => (404, "{}"),
    }
}

/// A fake SMTP server speaking enough of the protocol for one client at a time (EHLO, AUTH
/// PLAIN, MAIL, RCPT, DATA, QUIT); it records each session, with the AUTH line's credentials
/// checked and left out.
type FakeSmtp = Server<String>;

fn fake_smtp(user: &'static str, password: &'static str) -> FakeSmtp {
    Server::start(move |stream| Some(smtp_session(stream, user, password)))
}

fn smtp_session(stream: TcpStream, user: &str, password: &str) -> String {
    let mut out = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut log = Vec::new();
    let say = |out: &mut TcpStream, s: &str| {
        let _ = out.write_all(s.as_bytes());
    };
    say(&mut out, "220 fake.smtp.test ESMTP\r\n");
    let mut in_data = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let l = line.trim_end_matches(['\r', '\n']).to_string();
        if in_data {
            if l == "." {
                in_data = false;
                log.push(".".into());
                say(&mut out, "250 2.0.0 queued\r\n");
            } else {
                log.push(format!("  {l}"));
            }
            continue;
        }
        let upper = l.to_uppercase();
        if upper.starts_with("EHLO") {
            log.push("EHLO [client]".into());
            say(
                &mut out,
                "250-fake.smtp.test\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            );
        } else if upper.starts_with("AUTH PLAIN") {
            let expected = plain_auth(user, password);
            let ok = l.split_whitespace().nth(2) == Some(expected.as_str());
            log.push(format!(
                "AUTH PLAIN [{}]",
                if ok { "accepted" } else { "refused" }
            ));
            say(
                &mut out,
                if ok {
                    "235 2.7.0 authenticated\r\n"
                } else {
                    "535 5.7.8 bad credentials\r\n"
                },
            );
        } else if upper.starts_with("DATA") {
            log.push(l);
            in_data = true;
            say(&mut out, "354 go ahead\r\n");
        } else if upper.starts_with("QUIT") {
            log.push(l);
            say(&mut out, "221 bye\r\n");
            break;
        } else {
            log.push(l);
            say(&mut out, "250 2.0.0 ok\r\n");
        }
    }
    log.join("\n")
}

/// `AUTH PLAIN`'s argument: base64 of `\0user\0password`.
fn plain_auth(user: &str, password: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = format!("\0{user}\0{password}").into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A recorded SMTP session with its quoted-printable body decoded (soft line breaks joined,
/// `=XX` bytes put back), so that the snapshot reads as the mail does.
fn decoded(session: &str) -> String {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in session.lines() {
        match line.strip_prefix("  ") {
            Some(l) if l.ends_with('=') => pending.push_str(&l[..l.len() - 1]),
            Some(l) => {
                pending.push_str(l);
                out.push(format!("  {}", unquote(&std::mem::take(&mut pending))));
            }
            None => out.push(line.to_string()),
        }
    }
    out.join("\n")
}

fn unquote(s: &str) -> String {
    let b = s.as_bytes();
    let mut bytes = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                bytes.push(v);
                i += 3;
                continue;
            }
        }
        bytes.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&bytes).to_string()
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const SLACK_TOKEN: &str = "xoxb-test-0000-secret-token";
const PD_KEY: &str = "pd-routing-key-secret-0123456789";
const SMTP_PASSWORD: &str = "smtp-p@ss-secret";
const HOOK_TOKEN: &str = "Bearer hook-secret-token";
/// A value of the data (a failing test's row) that must never be sent.
const PATIENT: &str = "P-0002";

const BROKEN: &str =
    "select claim_id, person_id, cast(amount as integer) as amount from raw.claims\n";
const FIXED: &str =
    "select claim_id, person_id, try_cast(amount as integer) as amount from raw.claims\n";

fn project(http: &Recorder, smtp_port: u16) -> tempfile::TempDir {
    let spec = format!(
        r##"
=== karte.yml
name: clinic
layers:
  silver: silver
  gold: gold
models:
  +materialized: table
targets:
  local: {{ type: local }}
notifications:
  ops_slack:
    type: slack
    webhook_url_env: T_SLACK_WEBHOOK_URL
  ops_bot:
    type: slack
    token_env: T_SLACK_BOT_TOKEN
    channel: "#data-alerts"
    api_url: {slack_api}
  ops_teams:
    type: teams
    webhook_url_env: T_TEAMS_WEBHOOK_URL
  ops_hook:
    type: webhook
    url_env: T_HOOK_URL
    headers_env:
      Authorization: T_HOOK_AUTH
  ops_pager:
    type: pagerduty
    routing_key_env: T_PAGERDUTY_KEY
    events_url: {pd}
  ops_mail:
    type: email
    smtp_host: 127.0.0.1
    smtp_port: {smtp_port}
    tls: none
    username_env: T_SMTP_USER
    password_env: T_SMTP_PASSWORD
    from: karte@clinic.example.jp
    to: [data-team@clinic.example.jp]
  gold_only:
    type: webhook
    url_env: T_HOOK_URL
    select: layer:gold
    on: [success]
  down:
    type: webhook
    url_env: T_DOWN_URL
=== seeds/raw/claims.csv
claim_id,person_id,amount
c1,P-0001,100
c2,{PATIENT},abc
=== seeds/raw/raw.yml
seeds:
  - name: claims
    config:
      column_types: {{claim_id: varchar, person_id: varchar, amount: varchar}}
    columns:
      - {{ name: claim_id, classification: pseudonym }}
      - name: person_id
        tests:
          - accepted_values: {{values: ['P-0001'], severity: warn}}
=== models/silver/claims_clean.sql
{BROKEN}=== models/gold/claim_totals.sql
select count(*) as claims, sum(amount) as total from silver.claims_clean
"##,
        slack_api = http.url("/slack/api"),
        pd = http.url("/pagerduty/v2/enqueue"),
    );
    project_from_spec(&spec)
}

/// The secrets, in the environment of the build.
fn env(http: &Recorder, down: u16) -> Vec<(&'static str, String)> {
    vec![
        ("T_SLACK_WEBHOOK_URL", http.url("/slack/hook")),
        ("T_SLACK_BOT_TOKEN", SLACK_TOKEN.into()),
        ("T_TEAMS_WEBHOOK_URL", http.url("/teams")),
        ("T_HOOK_URL", http.url("/hook")),
        ("T_HOOK_AUTH", HOOK_TOKEN.into()),
        ("T_PAGERDUTY_KEY", PD_KEY.into()),
        ("T_SMTP_USER", "karte".into()),
        ("T_SMTP_PASSWORD", SMTP_PASSWORD.into()),
        ("T_DOWN_URL", format!("http://127.0.0.1:{down}/hook")),
    ]
}

fn build(dir: &Path, env: &[(&'static str, String)]) -> (i32, String) {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (code, out, err) = karte_env(dir, &["build", "--threads", "2"], &env);
    (code, format!("{out}{err}"))
}

/// Text with what changes between runs (run ids, times, durations, ports) replaced.
fn normalise(text: &str) -> String {
    let rules = [
        (r"run_\d{8}_\d{6}_\d{3}", "[run_id]"),
        (
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
            "[time]",
        ),
        (r"\b\d+m \d\ds\b|\b\d+\.\ds\b", "[duration]"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
        (
            r#""(duration_seconds|elapsed)": [0-9.e-]+"#,
            r#""$1": "[seconds]""#,
        ),
        (r"(?m)^  (Date|Message-ID): .*$", "  $1: [redacted]"),
    ];
    let mut out = text.to_string();
    for (pattern, with) in rules {
        out = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&out, with)
            .to_string();
    }
    out
}

/// The requests to one path as the snapshot shows them: headers that matter, the JSON body.
fn shown(requests: &[Received]) -> String {
    requests
        .iter()
        .map(|r| {
            let mut head = format!("POST {}\n", r.path);
            for h in ["content-type", "authorization"] {
                if let Some(v) = r.headers.get(h) {
                    let v = v
                        .replace(SLACK_TOKEN, "[token]")
                        .replace(HOOK_TOKEN, "[auth]");
                    head.push_str(&format!("{h}: {v}\n"));
                }
            }
            let body: serde_json::Value = serde_json::from_str(&r.body).expect("a JSON body");
            let body = serde_json::to_string_pretty(&body)
                .unwrap()
                .replace(PD_KEY, "[routing key]");
            normalise(&format!("{head}\n{body}"))
        })
        .collect::<Vec<_>>()
        .join("\n\n----\n\n")
}

#[test]
fn every_channel_on_failure_then_recovery() {
    let http = Recorder::http(answer);
    let smtp = fake_smtp("karte", SMTP_PASSWORD);
    let down = closed_port();
    let tmp = project(&http, smtp.addr.port());
    let dir = tmp.path();
    let env = env(&http, down);

    const PATHS: [&str; 5] = [
        "/slack/hook",
        "/slack/api/chat.postMessage",
        "/teams",
        "/hook",
        "/pagerduty/v2/enqueue",
    ];
    let take_all =
        || -> BTreeMap<&str, Vec<Received>> { PATHS.iter().map(|p| (*p, http.take(p))).collect() };

    // 1. The silver model fails on a value it cannot cast; gold is not built.
    let (code, out) = build(dir, &env);
    assert_eq!(
        code, 1,
        "a failed build stays failed, whatever the notifications did\n{out}"
    );
    assert!(
        out.contains("warning: notification `down` (webhook: failure) was not sent after 3 attempts: connection refused; the build's result is unchanged"),
        "{out}"
    );
    assert!(
        out.contains("notified `ops_slack` (slack: failure)"),
        "{out}"
    );
    let first = run_results(dir);
    let sent1 = take_all();
    let mail1 = smtp.take_all();

    // 2. The model is fixed: the build recovers (the test of severity warn still warns).
    std::fs::write(dir.join("models/silver/claims_clean.sql"), FIXED).unwrap();
    let (code, out2) = build(dir, &env);
    assert_eq!(
        code, 0,
        "a channel that is down does not fail the build\n{out2}"
    );
    let second = run_results(dir);
    let sent2 = take_all();
    let mail2 = smtp.take_all();

    // 3. Nothing changed: a plain success, which only `gold_only` (on: [success]) sends.
    let (code, out3) = build(dir, &env);
    assert_eq!(code, 0, "{out3}");
    let third = run_results(dir);
    let sent3 = take_all();
    assert!(smtp.take_all().is_empty());

    // Every channel sent once per build, failure then recovery; `gold_only` watches gold: it
    // said nothing when gold was not built (its `on:` has no failure), and a success when
    // gold was built again, and again after.
    let by_channel = |sent: &BTreeMap<&str, Vec<Received>>, channel: &str| -> Vec<Received> {
        sent["/hook"]
            .iter()
            .filter(|r| r.body.contains(&format!(r#""channel":"{channel}""#)))
            .cloned()
            .collect()
    };
    for (path, seen) in &sent1 {
        assert_eq!(seen.len(), 1, "{path} on failure: {seen:?}");
        assert_eq!(
            sent2[path].len(),
            if *path == "/hook" { 2 } else { 1 },
            "{path} on recovery"
        );
    }
    assert!(by_channel(&sent1, "gold_only").is_empty());
    assert_eq!(by_channel(&sent2, "gold_only").len(), 1);
    assert_eq!(
        sent3.values().map(Vec::len).sum::<usize>(),
        1,
        "only gold_only sends a plain success: {sent3:?}"
    );
    let both =
        |path: &str| -> Vec<Received> { sent1[path].iter().chain(&sent2[path]).cloned().collect() };
    let ops_hook: Vec<Received> = by_channel(&sent1, "ops_hook")
        .into_iter()
        .chain(by_channel(&sent2, "ops_hook"))
        .collect();
    insta::assert_snapshot!("notify_slack_webhook", shown(&both("/slack/hook")));
    insta::assert_snapshot!(
        "notify_slack_bot",
        shown(&both("/slack/api/chat.postMessage"))
    );
    insta::assert_snapshot!("notify_teams", shown(&both("/teams")));
    insta::assert_snapshot!("notify_webhook", shown(&ops_hook));
    insta::assert_snapshot!("notify_pagerduty", shown(&both("/pagerduty/v2/enqueue")));
    insta::assert_snapshot!("notify_gold_only_success", shown(&sent3["/hook"]));
    let mail: Vec<String> = mail1.into_iter().chain(mail2).collect();
    assert_eq!(mail.len(), 2, "{mail:?}");
    let shown_mail: Vec<String> = mail.iter().map(|m| decoded(m)).collect();
    insta::assert_snapshot!("notify_email", normalise(&shown_mail.join("\n\n----\n\n")));

    // What run_results.json recorded.
    let records = |r: &serde_json::Value| {
        normalise(&serde_json::to_string_pretty(&r["notifications"]).unwrap())
    };
    insta::assert_snapshot!(
        "notify_records",
        format!(
            "failure:\n{}\n\nrecovery:\n{}\n\nsuccess:\n{}",
            records(&first),
            records(&second),
            records(&third)
        )
    );

    // No secret is printed or recorded, and no value of the data is sent.
    let everything = format!(
        "{out}{out2}{out3}{first}{second}{third}{}",
        std::fs::read_to_string(dir.join("karte.yml")).unwrap()
    );
    for (var, value) in &env {
        if var.ends_with("_URL") {
            // The URLs hold the port; the paths are the secret part.
            let path = value
                .split(&format!("{}", http.addr))
                .nth(1)
                .unwrap_or(value);
            assert!(
                !everything.contains(&format!("{}{path}", http.addr)),
                "{var} leaked"
            );
        } else if var != &"T_SMTP_USER" {
            assert!(!everything.contains(value.as_str()), "{var} leaked");
        }
    }
    let sent: String = [&sent1, &sent2, &sent3]
        .iter()
        .flat_map(|m| m.values().flatten())
        .map(|r| r.body.clone())
        .chain(mail.iter().cloned())
        .collect();
    assert!(
        first.to_string().contains(PATIENT),
        "run_results.json keeps the failing rows' sample: the test would prove nothing"
    );
    assert!(!sent.contains(PATIENT), "a data value was sent: {sent}");
    assert!(
        !sent.contains("'abc'"),
        "a value quoted in an error was sent: {sent}"
    );
}

#[test]
fn no_notify_sends_nothing() {
    let http = Recorder::http(answer);
    let tmp = project(&http, closed_port());
    let dir = tmp.path();
    let env = env(&http, closed_port());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (code, out, err) = karte_env(dir, &["build", "--no-notify"], &env);
    assert_eq!(code, 1, "{out}{err}");
    assert!(http.received.lock().unwrap().is_empty());
    assert!(run_results(dir).get("notifications").is_none());
}

#[test]
fn a_missing_secret_is_recorded_not_fatal() {
    let http = Recorder::http(answer);
    let tmp = project(&http, closed_port());
    let dir = tmp.path();
    std::fs::write(dir.join("models/silver/claims_clean.sql"), FIXED).unwrap();
    // No variable set at all: nothing can be sent, and the build still succeeds. A plain
    // first success sends nothing but gold_only's.
    let (code, out, err) = karte_env(dir, &["build"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    let r = run_results(dir);
    let records = r["notifications"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{r}");
    assert_eq!(records[0]["channel"], "gold_only");
    assert_eq!(records[0]["status"], "failed");
    assert_eq!(records[0]["attempts"], 0);
    assert_eq!(
        records[0]["error"],
        "the environment variable T_HOOK_URL is not set"
    );
    assert!(err.contains("warning: notification `gold_only`"), "{err}");
}

#[test]
fn late_sources_are_a_failure_then_a_recovery() {
    let http = Recorder::http(answer);
    let loaded = |at: &str| format!("id,loaded_at\n1,2020-01-01 00:00:00\n2,{at}\n");
    let spec = format!(
        r##"
=== karte.yml
name: clinic
layers:
  silver: silver
  seeds: raw
targets:
  local: {{ type: local }}
notifications:
  ops_hook:
    type: webhook
    url_env: T_HOOK_URL
  ops_pager:
    type: pagerduty
    routing_key_env: T_PAGERDUTY_KEY
    events_url: {pd}
=== seeds/loads.csv
{csv}=== seeds/loads.yml
seeds:
  - name: loads
    config: {{ column_types: {{ id: integer, loaded_at: timestamp }} }}
=== models/sources.yml
sources:
  - name: feed
    schema: raw
    loaded_at_field: loaded_at
    freshness: {{ error_after: {{ count: 30, period: day }} }}
    tables:
      - name: loads
"##,
        pd = http.url("/pagerduty/v2/enqueue"),
        csv = loaded("2020-01-02 06:00:00"),
    );
    let tmp = project_from_spec(&spec);
    let dir = tmp.path();
    let env = env(&http, closed_port());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (code, out, err) = karte_env(dir, &["seed", "--no-notify"], &env);
    assert_eq!(code, 0, "{out}{err}");

    let (code, out, err) = karte_env(dir, &["source", "freshness"], &env);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("notified `ops_hook` (webhook: failure)"),
        "{out}{err}"
    );
    let hook = http.take("/hook");
    assert_eq!(hook.len(), 1);
    let body: serde_json::Value = serde_json::from_str(&hook[0].body).unwrap();
    assert_eq!(body["event"], "failure");
    assert_eq!(body["command"], "source freshness");
    assert_eq!(
        body["title"],
        "sources are late (karte source freshness): clinic on local"
    );
    assert_eq!(body["failed"][0]["name"], "feed.loads");
    assert_eq!(body["failed"][0]["kind"], "source");
    let why = body["failed"][0]["error"].as_str().unwrap();
    assert!(
        why.starts_with("its newest data (by max(loaded_at)) is ") && why.contains("more than the"),
        "{why}"
    );
    assert!(body["retry_command"].is_null(), "{body}");
    let pd = http.take("/pagerduty/v2/enqueue");
    let pd: serde_json::Value = serde_json::from_str(&pd[0].body).unwrap();
    assert_eq!(pd["event_action"], "trigger");
    assert_eq!(pd["dedup_key"], "karte/clinic/local/freshness");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("target/sources.json")).unwrap())
            .unwrap();
    assert_eq!(written["notifications"].as_array().unwrap().len(), 2);

    // The delivery arrives: the next check is a recovery, and PagerDuty's alert resolves.
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
    std::fs::write(dir.join("seeds/loads.csv"), loaded(&now)).unwrap();
    let (code, out, err) = karte_env(dir, &["seed", "--no-notify"], &env);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = karte_env(dir, &["source", "freshness"], &env);
    assert_eq!(code, 0, "{out}{err}");
    let hook = http.take("/hook");
    let body: serde_json::Value = serde_json::from_str(&hook[0].body).unwrap();
    assert_eq!(body["event"], "recovery", "{body}");
    let pd = http.take("/pagerduty/v2/enqueue");
    let pd: serde_json::Value = serde_json::from_str(&pd[0].body).unwrap();
    assert_eq!(pd["event_action"], "resolve");
    assert_eq!(pd["dedup_key"], "karte/clinic/local/freshness");

    // Nothing is sent with --no-notify.
    let (code, _, _) = karte_env(dir, &["source", "freshness", "--no-notify"], &env);
    assert_eq!(code, 0);
    assert!(http.received.lock().unwrap().is_empty());
}

#[test]
fn an_upstream_wait_that_gives_up_is_a_failure() {
    use crate::dependencies::{break_upstream, two_projects, WAIT};
    let http = Recorder::http(answer);
    let t = two_projects();
    let yml = t.down.join("karte.yml");
    let mut text = std::fs::read_to_string(&yml).unwrap();
    text.push_str("notifications:\n  ops:\n    type: webhook\n    url_env: T_HOOK_URL\n");
    std::fs::write(&yml, text).unwrap();
    let env = [("T_HOOK_URL", http.url("/hook"))];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let build = |args: &[&str]| {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        karte_env(&t.down, &all, &env)
    };

    // The upstream was never run: late (exit 4), and the channel hears it.
    assert_eq!(karte_env(&t.up, &["compile"], &[]).0, 0);
    let (code, out, err) = build(WAIT);
    assert_eq!(code, 4, "{out}{err}");
    let sent = http.take("/hook");
    assert_eq!(sent.len(), 1, "{out}{err}");
    let body: serde_json::Value = serde_json::from_str(&sent[0].body).unwrap();
    assert_eq!(body["event"], "failure", "{body}");
    let text = body.to_string();
    assert!(
        text.contains("E906") && text.contains("silver_team"),
        "{text}"
    );
    assert!(text.contains("receipt_count"), "the skipped model: {text}");
    assert!(out.contains("ops"), "the console says what was sent: {out}");

    // The upstream's run failed (exit 3): a failure too, saying so.
    break_upstream(&t.up);
    assert_eq!(karte_env(&t.up, &["build"], &[]).0, 1);
    let (code, out, err) = build(WAIT);
    assert_eq!(code, 3, "{out}{err}");
    let sent = http.take("/hook");
    assert_eq!(sent.len(), 1, "{out}{err}");
    assert!(sent[0].body.contains("E905"), "{}", sent[0].body);

    // --no-notify sends nothing.
    let mut args = WAIT.to_vec();
    args.push("--no-notify");
    assert_eq!(build(&args).0, 3);
    assert!(http.take("/hook").is_empty());
}

/// The channels of [`project`] with `lang:` set: Japanese for most, English for `ops_hook`,
/// and `ops_teams` without one (it follows the language karte runs in).
fn with_langs(dir: &Path) {
    let path = dir.join("karte.yml");
    let yml = std::fs::read_to_string(&path).unwrap();
    let mut out = String::new();
    for line in yml.lines() {
        out.push_str(line);
        out.push('\n');
        if let Some(name) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
            let channel = if name.starts_with(' ') { "" } else { name };
            let lang = match channel {
                "ops_teams" | "" => None,
                "ops_hook" => Some("en"),
                _ => Some("ja"),
            };
            if let Some(l) = lang {
                out.push_str(&format!("    lang: {l}\n"));
            }
        }
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn each_channel_in_its_own_language() {
    let http = Recorder::http(answer);
    let smtp = fake_smtp("karte", SMTP_PASSWORD);
    let tmp = project(&http, smtp.addr.port());
    let dir = tmp.path();
    with_langs(dir);
    let mut env = env(&http, closed_port());
    // karte itself runs in Japanese: `ops_teams` (no `lang:`) follows it.
    env.push(("KARTE_LANG", "ja".into()));
    let japanese = |text: &str| {
        regex::Regex::new(r"\d+\.\d 秒|\d+ 分 \d\d 秒")
            .unwrap()
            .replace_all(&normalise(text), "[duration]")
            .to_string()
    };
    let (code, out) = build(dir, &env);
    assert_eq!(code, 1, "{out}");
    std::fs::write(dir.join("models/silver/claims_clean.sql"), FIXED).unwrap();
    let (code, out2) = build(dir, &env);
    assert_eq!(code, 0, "{out2}");
    let mut shown_all = Vec::new();
    for path in ["/slack/hook", "/teams", "/pagerduty/v2/enqueue"] {
        shown_all.push(shown(&http.take(path)));
    }
    let hooks = http.take("/hook");
    let ops_hook: Vec<Received> = hooks
        .iter()
        .filter(|r| r.body.contains(r#""channel":"ops_hook""#))
        .cloned()
        .collect();
    shown_all.push(shown(&ops_hook));
    let mail: Vec<String> = smtp.take_all().iter().map(|m| decoded_base64(m)).collect();
    assert_eq!(mail.len(), 2, "{mail:?}");
    shown_all.push(mail.join("\n\n----\n\n"));
    let all = japanese(&shown_all.join("\n\n========\n\n"));
    insta::assert_snapshot!("notify_japanese", all);
    // Japanese where asked for or followed, English where `lang: en` says so.
    assert!(
        all.contains("karte build が失敗しました: clinic (ターゲット local)"),
        "{all}"
    );
    assert!(all.contains("karte build が復旧しました"), "{all}");
    assert!(all.contains("\"title\": \"かかった時間\""), "{all}");
    let hook = japanese(&shown(&ops_hook));
    assert!(
        hook.contains("karte build failed: clinic on local"),
        "{hook}"
    );
    assert!(!hook.contains("失敗"), "{hook}");
    // Never a value of the data, in any language.
    assert!(!all.contains(PATIENT) && !all.contains("'abc'"), "{all}");
}

#[test]
fn a_language_karte_does_not_write_is_located() {
    let http = Recorder::http(answer);
    let tmp = project(&http, closed_port());
    let dir = tmp.path();
    let path = dir.join("karte.yml");
    let yml = std::fs::read_to_string(&path)
        .unwrap()
        .replace("  ops_teams:\n", "  ops_teams:\n    lang: fr\n");
    std::fs::write(&path, yml).unwrap();
    let (code, out, err) = karte_env(dir, &["compile"], &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(
            "error[E801]: notification `ops_teams`: `lang: fr` is not a language karte writes"
        ),
        "{err}"
    );
    // At the value of the key, in the channel's block.
    assert!(err.contains("--> karte.yml:19:11"), "{err}");
}

/// A recorded SMTP session of a mail that is not ASCII: the subject's encoded words and the
/// base64 body decoded, so that the snapshot reads as the mail does.
fn decoded_base64(session: &str) -> String {
    let word = regex::Regex::new(r"=\?utf-8\?b\?([A-Za-z0-9+/=]*)\?=").unwrap();
    let mut out: Vec<String> = Vec::new();
    let mut body: Option<String> = None;
    for line in session.lines() {
        match (line.strip_prefix("  "), &mut body) {
            (Some(l), Some(b)) => b.push_str(l.trim()),
            (Some(""), None) => body = Some(String::new()),
            // A folded header line goes on the line it continues.
            (Some(l), None) if l.starts_with(' ') => {
                let last = out.last_mut().expect("a header before");
                last.push_str(l);
            }
            (Some(l), None) => out.push(format!("  {l}")),
            (None, Some(b)) => {
                let text = String::from_utf8(base64(b)).expect("UTF-8 body");
                out.push("  ".into());
                out.extend(text.replace("\r\n", "\n").lines().map(|l| format!("  {l}")));
                body = None;
                out.push(line.to_string());
            }
            (None, None) => out.push(line.to_string()),
        }
    }
    out.into_iter()
        .map(|l| {
            word.replace_all(&l, |c: &regex::Captures| {
                String::from_utf8(base64(&c[1])).expect("UTF-8 word")
            })
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Standard base64 (padding ignored).
fn base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
