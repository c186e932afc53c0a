//! Sending: an HTTP POST (ureq) or an e-mail (lettre's SMTP), each attempt bounded by the
//! channel's timeout, retried with backoff after a network error, a timeout, HTTP 429 or 5xx
//! (or a transient SMTP reply), never past the run's notification deadline. TLS is rustls
//! with the AWS SDK's crypto provider and the system's root certificates.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::payload::{HttpRequest, Mail, Request};
use crate::project::notifications::SmtpTls;

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempt {
    /// Accepted (HTTP status or SMTP code).
    Sent(u16),
    /// Worth another try: a network error, a timeout, 429, 5xx, a transient SMTP reply.
    Retry(Option<u16>, String),
    /// Another try would end the same (4xx, a refused login or recipient, Slack's `ok: false`).
    Fatal(Option<u16>, String),
}

/// The result of delivering: the last attempt's outcome and how many were made.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The last attempt's outcome.
    pub last: Attempt,
    /// Attempts made.
    pub attempts: u32,
}

/// The first wait between attempts; doubled each time, at most [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(4);

/// Send `request`, trying up to `attempts` times with `timeout` per attempt, and not starting
/// an attempt that could end after `deadline`.
pub fn deliver(request: &Request, attempts: u32, timeout: Duration, deadline: Instant) -> Delivery {
    let mut made = 0;
    let mut backoff = FIRST_BACKOFF;
    loop {
        made += 1;
        let last = match request {
            Request::Http(r) => post(r, timeout),
            Request::Mail(m) => mail(m, timeout),
        };
        let retry = matches!(last, Attempt::Retry(..));
        if !retry || made >= attempts {
            return Delivery {
                last,
                attempts: made,
            };
        }
        if Instant::now() + backoff + timeout > deadline {
            let last = match last {
                Attempt::Retry(s, e) => Attempt::Retry(
                    s,
                    format!("{e} (no further attempt: the notifications' time budget is spent)"),
                ),
                other => other,
            };
            return Delivery {
                last,
                attempts: made,
            };
        }
        std::thread::sleep(backoff);
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// The crypto provider for rustls (the AWS SDK's, aws-lc-rs), installed for the process once.
pub(crate) fn install_crypto() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
}

/// The system's root certificates (as the AWS SDK reads them), loaded once.
pub(crate) fn roots() -> Arc<Vec<ureq::tls::Certificate<'static>>> {
    static ROOTS: OnceLock<Arc<Vec<ureq::tls::Certificate<'static>>>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let found = rustls_native_certs::load_native_certs();
            Arc::new(
                found
                    .certs
                    .iter()
                    .map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned())
                    .collect(),
            )
        })
        .clone()
}

/// One POST.
fn post(r: &HttpRequest, timeout: Duration) -> Attempt {
    install_crypto();
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("karte/", env!("CARGO_PKG_VERSION")));
    if r.url.starts_with("https://") {
        config = config.tls_config(
            ureq::tls::TlsConfig::builder()
                .provider(ureq::tls::TlsProvider::Rustls)
                .root_certs(ureq::tls::RootCerts::Specific(roots()))
                .build(),
        );
    }
    let agent = ureq::Agent::new_with_config(config.build());
    let body = serde_json::to_vec(&r.body).expect("bodies serialise");
    let mut req = agent
        .post(&r.url)
        .header("Content-Type", "application/json; charset=utf-8");
    for (name, value) in &r.headers {
        req = req.header(name, value);
    }
    let mut resp = match req.send(&body[..]) {
        Ok(resp) => resp,
        Err(e) => {
            let fatal = matches!(
                e,
                ureq::Error::BadUri(_) | ureq::Error::Http(_) | ureq::Error::RequireHttpsOnly(_)
            );
            let message = transport_error(&e);
            return if fatal {
                Attempt::Fatal(None, message)
            } else {
                Attempt::Retry(None, message)
            };
        }
    };
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    let said = || {
        let t: String = text.trim().chars().take(200).collect();
        if t.is_empty() {
            String::new()
        } else {
            format!(": {t}")
        }
    };
    match status {
        200..=299 if r.slack_api => slack_answer(status, &text),
        200..=299 => Attempt::Sent(status),
        429 | 500..=599 => Attempt::Retry(Some(status), format!("HTTP {status}{}", said())),
        _ => Attempt::Fatal(Some(status), format!("HTTP {status}{}", said())),
    }
}

/// Slack's Web API answers 200 with `{"ok": false, "error": "channel_not_found"}` when it
/// did not post.
fn slack_answer(status: u16, text: &str) -> Attempt {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    if v.get("ok").and_then(|o| o.as_bool()) == Some(true) {
        return Attempt::Sent(status);
    }
    let error = v
        .get("error")
        .and_then(|e| e.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| crate::t!("notify-slack-no-ok"));
    if matches!(
        error.as_str(),
        "ratelimited" | "internal_error" | "fatal_error" | "service_unavailable"
    ) {
        Attempt::Retry(Some(status), crate::t!("notify-slack-said", error = error))
    } else {
        Attempt::Fatal(Some(status), crate::t!("notify-slack-said", error = error))
    }
}

/// A transport error in plain words (what, never where: the URL is a secret).
fn transport_error(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => crate::t!("notify-timeout"),
        ureq::Error::HostNotFound => crate::t!("notify-host-not-found"),
        ureq::Error::ConnectionFailed => crate::t!("notify-could-not-connect"),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => crate::t!("notify-connection-refused"),
            std::io::ErrorKind::ConnectionReset => crate::t!("notify-connection-reset"),
            std::io::ErrorKind::TimedOut => crate::t!("notify-timeout"),
            _ => crate::t!("notify-network-error", error = io.to_string()),
        },
        ureq::Error::BadUri(_) => crate::t!("notify-bad-url"),
        other => other.to_string(),
    }
}

/// One e-mail.
fn mail(m: &Mail, timeout: Duration) -> Attempt {
    use lettre::message::header::ContentType;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{Message, SmtpTransport, Transport};

    install_crypto();
    let mut b = Message::builder().subject(m.subject.clone());
    match m.from.parse() {
        Ok(from) => b = b.from(from),
        Err(e) => {
            return Attempt::Fatal(
                None,
                crate::t!(
                    "notify-not-an-address",
                    address = "from",
                    error = e.to_string()
                ),
            )
        }
    }
    for to in &m.to {
        match to.parse() {
            Ok(a) => b = b.to(a),
            Err(e) => {
                return Attempt::Fatal(
                    None,
                    crate::t!("notify-not-an-address", address = to, error = e.to_string()),
                )
            }
        }
    }
    let message = match b.header(ContentType::TEXT_PLAIN).body(m.body.clone()) {
        Ok(msg) => msg,
        Err(e) => {
            return Attempt::Fatal(
                None,
                crate::t!("notify-cannot-build-mail", error = e.to_string()),
            )
        }
    };
    let builder = match m.tls {
        SmtpTls::Starttls => SmtpTransport::starttls_relay(&m.host),
        SmtpTls::Tls => SmtpTransport::relay(&m.host),
        SmtpTls::None => Ok(SmtpTransport::builder_dangerous(&m.host)),
    };
    let builder = match builder {
        Ok(b) => b.port(m.port).timeout(Some(timeout)),
        Err(e) => {
            return Attempt::Fatal(
                None,
                crate::t!("notify-cannot-set-up-tls", error = e.to_string()),
            )
        }
    };
    let builder = match &m.credentials {
        Some((user, password)) => {
            builder.credentials(Credentials::new(user.clone(), password.clone()))
        }
        None => builder,
    };
    match builder.build().send(&message) {
        Ok(resp) => Attempt::Sent(u16::from(resp.code())),
        Err(e) => {
            let code = e.status().map(u16::from);
            let message = format!("SMTP: {e}");
            if e.is_permanent() || e.is_tls() || e.is_client() {
                Attempt::Fatal(code, message)
            } else {
                Attempt::Retry(code, message)
            }
        }
    }
}
