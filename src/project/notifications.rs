//! `notifications:` of karte.yml, checked into typed [`Channel`]s when the project loads:
//! every problem located in karte.yml (E801), and a secret written into the file instead of
//! named by its environment variable refused (E802) without showing it. The selectors and
//! templates are checked once the graph exists (`notify::check`); sending is `crate::notify`.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::config::{NotificationConfig, ProjectConfig};
use super::PROJECT_FILE;
use crate::diag::{suggest, Code, Diagnostic, Diagnostics, Location};

/// What happened to a run, as a channel's `on:` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// Something failed, was skipped because of a failure, or the run was interrupted.
    Failure,
    /// Everything built and passed.
    Success,
    /// Everything built, and a test of severity `warn` found rows.
    Warnings,
    /// Not a failure, after a run on the same target that failed.
    Recovery,
}

impl Event {
    /// Every event, with the name `on:` uses.
    pub const ALL: [(&'static str, Event); 4] = [
        ("failure", Event::Failure),
        ("success", Event::Success),
        ("warnings", Event::Warnings),
        ("recovery", Event::Recovery),
    ];

    /// The name `on:` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Failure => "failure",
            Event::Success => "success",
            Event::Warnings => "warnings",
            Event::Recovery => "recovery",
        }
    }
}

/// How an SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption (a relay on the same host or network).
    None,
}

/// Where a channel sends, with the environment variables that hold its secrets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChannelKind {
    /// A Slack incoming webhook.
    SlackWebhook {
        /// Variable holding the webhook URL.
        webhook_url_env: String,
    },
    /// Slack's `chat.postMessage` with a bot token.
    SlackBot {
        /// Variable holding the token.
        token_env: String,
        /// Channel name or id.
        channel: String,
        /// Web API base URL.
        api_url: String,
    },
    /// A Microsoft Teams workflow webhook, sent an Adaptive Card.
    Teams {
        /// Variable holding the workflow URL.
        webhook_url_env: String,
    },
    /// Any HTTP endpoint, sent karte's JSON body.
    Webhook {
        /// Variable holding the URL.
        url_env: String,
        /// Header name → variable holding its value.
        headers_env: BTreeMap<String, String>,
    },
    /// PagerDuty Events API v2.
    PagerDuty {
        /// Variable holding the routing key.
        routing_key_env: String,
        /// The Events API URL.
        events_url: String,
        /// Severity of the alerts triggered.
        severity: String,
    },
    /// E-mail through an SMTP server.
    Email {
        /// Server.
        smtp_host: String,
        /// Port.
        smtp_port: u16,
        /// Encryption.
        tls: SmtpTls,
        /// Variable holding the user name (with `password_env`).
        username_env: Option<String>,
        /// Variable holding the password.
        password_env: Option<String>,
        /// Sender.
        from: String,
        /// Recipients.
        to: Vec<String>,
        /// Subject template.
        subject: Option<String>,
    },
}

impl ChannelKind {
    /// The `type` as written (`slack` for both Slack forms), for records and messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ChannelKind::SlackWebhook { .. } | ChannelKind::SlackBot { .. } => "slack",
            ChannelKind::Teams { .. } => "teams",
            ChannelKind::Webhook { .. } => "webhook",
            ChannelKind::PagerDuty { .. } => "pagerduty",
            ChannelKind::Email { .. } => "email",
        }
    }

    /// The environment variables this channel reads its secrets from.
    pub fn secret_vars(&self) -> Vec<&str> {
        match self {
            ChannelKind::SlackWebhook { webhook_url_env }
            | ChannelKind::Teams { webhook_url_env } => {
                vec![webhook_url_env]
            }
            ChannelKind::SlackBot { token_env, .. } => vec![token_env],
            ChannelKind::Webhook {
                url_env,
                headers_env,
            } => std::iter::once(url_env.as_str())
                .chain(headers_env.values().map(String::as_str))
                .collect(),
            ChannelKind::PagerDuty {
                routing_key_env, ..
            } => vec![routing_key_env],
            ChannelKind::Email {
                username_env,
                password_env,
                ..
            } => username_env
                .iter()
                .chain(password_env)
                .map(String::as_str)
                .collect(),
        }
    }
}

/// One checked channel of `notifications:`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channel {
    /// Its name under `notifications:`.
    pub name: String,
    /// Where it sends.
    #[serde(flatten)]
    pub kind: ChannelKind,
    /// The events that send (sorted).
    pub on: Vec<Event>,
    /// Selector expressions (`select:`, and `tag:x` for each of `tags:`): only failures and
    /// warnings of these nodes count. Empty: every node.
    pub select: Vec<String>,
    /// Only these targets (empty: all).
    pub targets: Vec<String>,
    /// The message template, if not the default.
    pub template: Option<String>,
    /// The language of the message's words (`lang:`); None: the language karte runs in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<crate::i18n::Lang>,
    /// Time one attempt may take.
    #[serde(skip)]
    pub timeout: Duration,
    /// Attempts before giving up.
    pub attempts: u32,
}

/// The default events of a channel.
pub const DEFAULT_EVENTS: [Event; 2] = [Event::Failure, Event::Recovery];
/// Default and largest attempts.
pub const ATTEMPTS: (u32, u32) = (3, 5);
/// Default and largest seconds per attempt.
pub const TIMEOUT_SECONDS: (u64, u64) = (10, 30);
const TYPES: [&str; 5] = ["slack", "teams", "webhook", "pagerduty", "email"];
const PAGERDUTY_URL: &str = "https://events.pagerduty.com/v2/enqueue";
const SLACK_API_URL: &str = "https://slack.com/api";
const SEVERITIES: [&str; 4] = ["critical", "error", "warning", "info"];

/// Check `notifications:` of `config` (whose text is `text`); `root` is the project directory
/// (for `template_file`). Every problem is pushed to `diags`; the channels without problems
/// are returned.
pub fn check(
    config: &ProjectConfig,
    text: &str,
    root: &Path,
    diags: &mut Diagnostics,
) -> Vec<Channel> {
    let mut out = Vec::new();
    for (name, raw) in &config.notifications {
        let mut c = Checker {
            text,
            name,
            diags: Vec::new(),
        };
        if let Some(ch) = c.channel(raw, config, root) {
            if c.diags.is_empty() {
                out.push(ch);
            }
        }
        diags.extend(c.diags);
    }
    out
}

struct Checker<'a> {
    text: &'a str,
    name: &'a str,
    diags: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// True once a secret written in the file was found: the keys it stands for are not
    /// asked for again.
    fn found_secret(&self) -> bool {
        self.diags.iter().any(|d| d.code == Code::SecretInConfig)
    }
}

impl Checker<'_> {
    /// Where `key` of this channel is written (its value, or the key when it has none).
    fn at(&self, key: &str) -> Location {
        locate(self.text, self.name, key)
    }

    fn error(&mut self, key: &str, message: String, help: impl Into<String>) {
        let d = Diagnostic::error(
            Code::InvalidNotification,
            crate::t!("e801-notification", name = self.name, message = message),
        )
        .at(self.at(key))
        .help(help);
        self.diags.push(d);
    }

    /// E802 for a secret written under `key`; the source line is shown without its value.
    fn secret_written(&mut self, key: &str, what: &str, help: String) {
        let mut loc = locate_key(self.text, self.name, key);
        loc.source_line = mask_value(&loc.source_line, key);
        self.diags.push(
            Diagnostic::error(
                Code::SecretInConfig,
                crate::t!("e802-secret-written", name = self.name, what = what),
            )
            .at(loc)
            .label(crate::t!("e802-label"))
            .note(crate::t!("e802-note"))
            .help(help),
        );
    }

    /// E802 for a secret written under `key` where `env_key` should name its variable.
    fn secret_for(&mut self, key: &str, what: &str, env_key: &str, example: &str) {
        self.secret_written(
            key,
            what,
            crate::t!("e802-secret-for-help", example = example, env_key = env_key),
        );
    }

    fn channel(
        &mut self,
        raw: &NotificationConfig,
        config: &ProjectConfig,
        root: &Path,
    ) -> Option<Channel> {
        // Secrets written where their variables' names belong.
        for (key, value, env_key, example) in [
            (
                "webhook_url",
                &raw.webhook_url,
                "webhook_url_env",
                "SLACK_WEBHOOK_URL",
            ),
            ("url", &raw.url, "url_env", "KARTE_WEBHOOK_URL"),
            ("token", &raw.token, "token_env", "SLACK_BOT_TOKEN"),
            (
                "routing_key",
                &raw.routing_key,
                "routing_key_env",
                "PAGERDUTY_ROUTING_KEY",
            ),
            ("password", &raw.password, "password_env", "SMTP_PASSWORD"),
        ] {
            if value.is_some() {
                let what = match key {
                    "webhook_url" => crate::t!("notification-secret-webhook-url"),
                    "url" => crate::t!("notification-secret-url"),
                    "token" => crate::t!("notification-secret-token"),
                    "routing_key" => crate::t!("notification-secret-routing-key"),
                    _ => crate::t!("notification-secret-password"),
                };
                self.secret_for(key, &what, env_key, example);
            }
        }
        let env_keys: Vec<(&str, Option<&String>)> = vec![
            ("webhook_url_env", raw.webhook_url_env.as_ref()),
            ("token_env", raw.token_env.as_ref()),
            ("url_env", raw.url_env.as_ref()),
            ("routing_key_env", raw.routing_key_env.as_ref()),
            ("username_env", raw.username_env.as_ref()),
            ("password_env", raw.password_env.as_ref()),
        ];
        for (key, value) in &env_keys {
            if let Some(v) = value {
                self.env_name(key, v);
            }
        }
        for (header, var) in &raw.headers_env {
            self.env_name(header, var);
        }
        // Secrets pasted into values that are not secret.
        for (key, value) in [
            ("channel", raw.channel.as_deref()),
            ("api_url", raw.api_url.as_deref()),
            ("events_url", raw.events_url.as_deref()),
            ("template", raw.template.as_deref()),
            ("subject", raw.subject.as_deref()),
            ("smtp_host", raw.smtp_host.as_deref()),
            ("from", raw.from.as_deref()),
            ("select", raw.select.as_deref()),
        ] {
            if let Some(what) = value.and_then(looks_secret) {
                self.secret_written(key, &what, crate::t!("e802-secret-pasted-help"));
            }
        }
        for url_key in ["api_url", "events_url"] {
            let value = if url_key == "api_url" {
                &raw.api_url
            } else {
                &raw.events_url
            };
            if let Some(u) = value {
                if !(u.starts_with("https://") || u.starts_with("http://")) {
                    self.error(
                        url_key,
                        crate::t!("e801-not-http-url", key = url_key),
                        crate::t!("e801-not-http-url-help"),
                    );
                }
            }
        }
        let on = self.events(&raw.on);
        let timeout = raw.timeout_seconds.unwrap_or(TIMEOUT_SECONDS.0);
        if timeout == 0 || timeout > TIMEOUT_SECONDS.1 {
            self.error(
                "timeout_seconds",
                crate::t!("e801-timeout-out-of-range", timeout = timeout.to_string()),
                crate::t!(
                    "e801-timeout-out-of-range-help",
                    max = TIMEOUT_SECONDS.1.to_string()
                ),
            );
        }
        let attempts = raw.attempts.unwrap_or(ATTEMPTS.0);
        if attempts == 0 || attempts > ATTEMPTS.1 {
            self.error(
                "attempts",
                crate::t!(
                    "e801-attempts-out-of-range",
                    attempts = attempts.to_string()
                ),
                crate::t!(
                    "e801-attempts-out-of-range-help",
                    max = ATTEMPTS.1.to_string()
                ),
            );
        }
        for t in &raw.targets {
            if t != "local" && !config.targets.contains_key(t) {
                let hint = suggest(t, config.targets.keys().map(String::as_str))
                    .map(|s| crate::t!("project-did-you-mean", name = s))
                    .unwrap_or_else(|| crate::t!("e801-unknown-target-help"));
                self.error(
                    "targets",
                    crate::t!("e801-unknown-target", target = t),
                    hint,
                );
            }
        }
        let mut select: Vec<String> = raw
            .select
            .iter()
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .collect();
        select.extend(raw.tags.iter().map(|t| format!("tag:{t}")));
        let template = self.template(raw, root);
        let lang = raw.lang.as_deref().and_then(|l| match l.trim() {
            "ja" => Some(crate::i18n::Lang::Ja),
            "en" => Some(crate::i18n::Lang::En),
            other => {
                self.error(
                    "lang",
                    crate::t!("e801-bad-lang", lang = other),
                    crate::t!("e801-bad-lang-help"),
                );
                None
            }
        });
        let kind = self.kind(raw)?;
        Some(Channel {
            name: self.name.to_string(),
            kind,
            on,
            select,
            targets: raw.targets.clone(),
            template,
            lang,
            timeout: Duration::from_secs(timeout),
            attempts,
        })
    }

    /// An `*_env` value must name a variable; a URL or token there is the secret itself.
    fn env_name(&mut self, key: &str, value: &str) {
        if looks_secret(value).is_some() || value.contains("://") {
            self.secret_written(
                key,
                &crate::t!("notification-secret-in-env-key"),
                crate::t!("e802-secret-in-env-key-help", key = key),
            );
        } else if !valid_var(value) {
            self.error(
                key,
                crate::t!("e801-not-a-variable", value = value),
                crate::t!("e801-not-a-variable-help"),
            );
        }
    }

    fn events(&mut self, on: &[String]) -> Vec<Event> {
        if on.is_empty() {
            return DEFAULT_EVENTS.to_vec();
        }
        let mut out = Vec::new();
        for e in on {
            match Event::ALL.iter().find(|(n, _)| n == e) {
                Some((_, ev)) => out.push(*ev),
                None => {
                    let hint = suggest(e, Event::ALL.iter().map(|(n, _)| *n))
                        .map(|s| crate::t!("project-did-you-mean", name = s))
                        .unwrap_or_else(|| crate::t!("e801-unknown-event-help"));
                    self.error("on", crate::t!("e801-unknown-event", event = e), hint);
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn template(&mut self, raw: &NotificationConfig, root: &Path) -> Option<String> {
        match (&raw.template, &raw.template_file) {
            (Some(_), Some(_)) => {
                self.error(
                    "template_file",
                    crate::t!("e801-two-templates"),
                    crate::t!("e801-two-templates-help"),
                );
                None
            }
            (Some(t), None) => Some(t.clone()),
            (None, Some(f)) => match std::fs::read_to_string(root.join(f)) {
                Ok(t) => Some(t),
                Err(e) => {
                    self.error(
                        "template_file",
                        crate::t!("e801-cannot-read-template", file = f, error = e.to_string()),
                        crate::t!("e801-cannot-read-template-help"),
                    );
                    None
                }
            },
            (None, None) => None,
        }
    }

    /// The channel's kind, with the keys of its type present and no other's.
    fn kind(&mut self, raw: &NotificationConfig) -> Option<ChannelKind> {
        let given: Vec<&str> = [
            ("webhook_url_env", raw.webhook_url_env.is_some()),
            ("token_env", raw.token_env.is_some()),
            ("channel", raw.channel.is_some()),
            ("api_url", raw.api_url.is_some()),
            ("url_env", raw.url_env.is_some()),
            ("headers_env", !raw.headers_env.is_empty()),
            ("routing_key_env", raw.routing_key_env.is_some()),
            ("events_url", raw.events_url.is_some()),
            ("severity", raw.severity.is_some()),
            ("smtp_host", raw.smtp_host.is_some()),
            ("smtp_port", raw.smtp_port.is_some()),
            ("tls", raw.tls.is_some()),
            ("username_env", raw.username_env.is_some()),
            ("password_env", raw.password_env.is_some()),
            ("from", raw.from.is_some()),
            ("to", !raw.to.is_empty()),
            ("subject", raw.subject.is_some()),
        ]
        .into_iter()
        .filter(|(_, g)| *g)
        .map(|(k, _)| k)
        .collect();
        let allowed: &[&str] = match raw.kind.as_str() {
            "slack" => &["webhook_url_env", "token_env", "channel", "api_url"],
            "teams" => &["webhook_url_env"],
            "webhook" => &["url_env", "headers_env"],
            "pagerduty" => &["routing_key_env", "events_url", "severity"],
            "email" => &[
                "smtp_host",
                "smtp_port",
                "tls",
                "username_env",
                "password_env",
                "from",
                "to",
                "subject",
            ],
            "" => {
                self.error(
                    "type",
                    crate::t!("e801-no-type"),
                    crate::t!("e801-no-type-help", types = TYPES.join(", ")),
                );
                return None;
            }
            other => {
                let hint = suggest(other, TYPES)
                    .map(|s| crate::t!("project-did-you-mean", name = s))
                    .unwrap_or_else(|| crate::t!("e801-use-one-of", values = TYPES.join(", ")));
                self.error("type", crate::t!("e801-unknown-type", kind = other), hint);
                return None;
            }
        };
        for key in given.iter().filter(|k| !allowed.contains(k)) {
            self.error(
                key,
                crate::t!("e801-foreign-key", key = key, kind = raw.kind),
                crate::t!(
                    "e801-foreign-key-help",
                    kind = raw.kind,
                    keys = allowed.join(", ")
                ),
            );
        }
        let need = |c: &mut Self, key: &str, v: &Option<String>, example: &str| -> Option<String> {
            match v {
                Some(v) => Some(v.clone()),
                None if c.found_secret() => None,
                None => {
                    c.error(
                        "type",
                        crate::t!("e801-missing-key", kind = raw.kind, key = key),
                        crate::t!("e801-missing-key-help", key = key, example = example),
                    );
                    None
                }
            }
        };
        match raw.kind.as_str() {
            "slack" => match (&raw.webhook_url_env, &raw.token_env) {
                (Some(w), None) => {
                    for k in ["channel", "api_url"] {
                        if given.contains(&k) {
                            self.error(
                                k,
                                crate::t!("e801-bot-key-on-webhook", key = k),
                                crate::t!("e801-bot-key-on-webhook-help"),
                            );
                        }
                    }
                    Some(ChannelKind::SlackWebhook {
                        webhook_url_env: w.clone(),
                    })
                }
                (None, Some(t)) => {
                    let channel = need(self, "channel", &raw.channel, "\"#data-alerts\"")?;
                    Some(ChannelKind::SlackBot {
                        token_env: t.clone(),
                        channel,
                        api_url: raw
                            .api_url
                            .clone()
                            .unwrap_or_else(|| SLACK_API_URL.into())
                            .trim_end_matches('/')
                            .to_string(),
                    })
                }
                (Some(_), Some(_)) => {
                    self.error(
                        "token_env",
                        crate::t!("e801-webhook-and-bot"),
                        crate::t!("e801-webhook-and-bot-help"),
                    );
                    None
                }
                (None, None) if self.found_secret() => None,
                (None, None) => {
                    self.error(
                        "type",
                        crate::t!("e801-slack-needs"),
                        crate::t!("e801-slack-needs-help"),
                    );
                    None
                }
            },
            "teams" => Some(ChannelKind::Teams {
                webhook_url_env: need(
                    self,
                    "webhook_url_env",
                    &raw.webhook_url_env,
                    "TEAMS_WEBHOOK_URL",
                )?,
            }),
            "webhook" => Some(ChannelKind::Webhook {
                url_env: need(self, "url_env", &raw.url_env, "KARTE_WEBHOOK_URL")?,
                headers_env: raw.headers_env.clone(),
            }),
            "pagerduty" => {
                let severity = raw.severity.clone().unwrap_or_else(|| "error".into());
                if !SEVERITIES.contains(&severity.as_str()) {
                    self.error(
                        "severity",
                        crate::t!("e801-unknown-severity", severity = severity.as_str()),
                        crate::t!("e801-use-one-of", values = SEVERITIES.join(", ")),
                    );
                }
                Some(ChannelKind::PagerDuty {
                    routing_key_env: need(
                        self,
                        "routing_key_env",
                        &raw.routing_key_env,
                        "PAGERDUTY_ROUTING_KEY",
                    )?,
                    events_url: raw
                        .events_url
                        .clone()
                        .unwrap_or_else(|| PAGERDUTY_URL.into()),
                    severity,
                })
            }
            _ => self.email(raw, &need),
        }
    }

    #[allow(clippy::type_complexity)]
    fn email(
        &mut self,
        raw: &NotificationConfig,
        need: &dyn Fn(&mut Self, &str, &Option<String>, &str) -> Option<String>,
    ) -> Option<ChannelKind> {
        let tls = match raw.tls.as_deref().unwrap_or("starttls") {
            "starttls" => SmtpTls::Starttls,
            "tls" => SmtpTls::Tls,
            "none" => SmtpTls::None,
            other => {
                self.error(
                    "tls",
                    crate::t!("e801-unknown-tls", tls = other),
                    crate::t!("e801-unknown-tls-help"),
                );
                return None;
            }
        };
        if raw.username_env.is_some() != raw.password_env.is_some() {
            self.error(
                if raw.username_env.is_some() {
                    "username_env"
                } else {
                    "password_env"
                },
                crate::t!("e801-login-pair"),
                crate::t!("e801-login-pair-help"),
            );
        }
        if raw.to.is_empty() {
            self.error(
                "type",
                crate::t!("e801-email-needs-to"),
                crate::t!("e801-email-needs-to-help"),
            );
        }
        for a in raw.to.iter().chain(&raw.from) {
            if a.parse::<lettre::message::Mailbox>().is_err() {
                let key = if raw.from.as_ref() == Some(a) {
                    "from"
                } else {
                    "to"
                };
                self.error(
                    key,
                    crate::t!("e801-not-an-address", address = a),
                    crate::t!("e801-not-an-address-help"),
                );
            }
        }
        let smtp_host = need(self, "smtp_host", &raw.smtp_host, "smtp.example.jp")?;
        let from = need(self, "from", &raw.from, "karte@example.jp")?;
        Some(ChannelKind::Email {
            smtp_port: raw.smtp_port.unwrap_or(match tls {
                SmtpTls::Starttls => 587,
                SmtpTls::Tls => 465,
                SmtpTls::None => 25,
            }),
            smtp_host,
            tls,
            username_env: raw.username_env.clone(),
            password_env: raw.password_env.clone(),
            from,
            to: raw.to.clone(),
            subject: raw.subject.clone(),
        })
    }
}

/// True for a valid environment variable name.
fn valid_var(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What a value that should not hold a secret looks like if it does: a Slack, Teams or
/// webhook URL with its secret path or signature, a token, a URL with a password or a key in
/// its query.
pub fn looks_secret(value: &str) -> Option<String> {
    let v = value.to_ascii_lowercase();
    if ["xoxb-", "xoxp-", "xoxa-", "xoxs-", "xapp-"]
        .iter()
        .any(|p| v.contains(p))
    {
        return Some(crate::t!("notification-secret-slack-token"));
    }
    if v.contains("hooks.slack.com/") {
        return Some(crate::t!("notification-secret-slack-webhook"));
    }
    if v.contains(".webhook.office.com/")
        || v.contains("logic.azure.com")
        || v.contains("powerplatform.com")
    {
        return Some(crate::t!("notification-secret-teams-webhook"));
    }
    if let Some(rest) = v.split("://").nth(1) {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Some(crate::t!("notification-secret-url-with-login"));
        }
        if let Some(query) = rest.split_once('?').map(|(_, q)| q) {
            let secret_param = query.split('&').any(|kv| {
                let k = kv.split('=').next().unwrap_or("");
                [
                    "sig",
                    "signature",
                    "token",
                    "key",
                    "code",
                    "secret",
                    "apikey",
                    "api_key",
                ]
                .contains(&k)
            });
            if secret_param {
                return Some(crate::t!("notification-secret-url-with-key"));
            }
        }
    }
    None
}

/// `source_line` with what follows `key:` replaced by `***`.
fn mask_value(line: &str, key: &str) -> String {
    match line.find(&format!("{key}:")) {
        Some(i) => {
            let end = i + key.len() + 1;
            let rest = &line[end..];
            if rest.trim().is_empty() {
                line.to_string()
            } else {
                format!("{} ***", &line[..end])
            }
        }
        None => "***".to_string(),
    }
}

/// The lines of `text` with their byte offsets and indentation (blank and comment lines left
/// out).
fn lines(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').filter_map(move |raw| {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        Some((start, line.len() - trimmed.len(), line))
    })
}

/// The byte range of the block under a `key:` line (the lines indented deeper), searching
/// `range` of `text` for `key:` at indentation `indent` (any, if None).
fn block(
    text: &str,
    range: Range<usize>,
    key: &str,
    indent: Option<usize>,
) -> Option<(usize, Range<usize>)> {
    let mut found: Option<(usize, usize)> = None;
    let mut end = range.end;
    for (start, ind, line) in lines(&text[range.clone()]).map(|(s, i, l)| (s + range.start, i, l)) {
        if let Some((_, at_indent)) = found {
            if ind <= at_indent {
                end = start;
                break;
            }
            continue;
        }
        let t = line.trim_start().trim_start_matches("- ");
        let unquoted = t.trim_start_matches(['"', '\'']);
        let key_end = unquoted
            .strip_prefix(key)
            .map(|r| r.trim_start_matches(['"', '\'']));
        if key_end.is_some_and(|r| r.starts_with(':')) && indent.is_none_or(|i| i == ind) {
            found = Some((start, ind));
        }
    }
    found.map(|(start, _)| (start, start..end))
}

/// Where `key` of channel `channel` is written: its value (or the key, when the value is on
/// the next lines), else the channel's name, else the `notifications:` key, else the file.
pub fn locate(text: &str, channel: &str, key: &str) -> Location {
    locate_in(text, channel, key, true)
}

/// Like [`locate`], at the key itself.
fn locate_key(text: &str, channel: &str, key: &str) -> Location {
    locate_in(text, channel, key, false)
}

fn locate_in(text: &str, channel: &str, key: &str, value: bool) -> Location {
    let file = Path::new(PROJECT_FILE);
    let Some((n_at, section)) = block(text, 0..text.len(), "notifications", Some(0)) else {
        return Location::file_only(file);
    };
    let name_span = |at: usize, name: &str| {
        let i = text[at..].find(name).map_or(at, |j| at + j);
        i..i + name.len()
    };
    let Some((c_at, ch)) = block(text, section.start + 1..section.end, channel, None) else {
        return Location::from_span(file, text, name_span(n_at, "notifications"));
    };
    let span = match block(text, c_at + 1..ch.end, key, None) {
        Some((k_at, _)) => {
            let key_span = name_span(k_at, key);
            let line_end = text[k_at..].find('\n').map_or(text.len(), |j| k_at + j);
            let after = key_span.end + 1;
            let v = text.get(after..line_end).unwrap_or("");
            let lead = v.len() - v.trim_start().len();
            let val = v.trim().trim_end_matches('\r');
            if value && !val.is_empty() {
                after + lead..after + lead + val.len()
            } else {
                key_span
            }
        }
        None => name_span(c_at, channel),
    };
    Location::from_span(file, text, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name: p\nnotifications:\n  ops:\n    type: slack\n    webhook_url: https://hooks.slack.com/services/T/B/X\n  page:\n    type: pagerduty\n    on: [failure, recover]\ntargets: {}\n";

    #[test]
    fn locates_keys_inside_their_channel() {
        let loc = locate(TEXT, "page", "on");
        assert_eq!((loc.line, loc.col), (8, 9));
        let loc = locate(TEXT, "page", "type");
        assert_eq!((loc.line, loc.col, loc.width), (7, 11, 9));
        let loc = locate(TEXT, "ops", "nope");
        assert_eq!((loc.line, loc.col), (3, 3));
        let loc = locate_key(TEXT, "ops", "webhook_url");
        assert_eq!((loc.line, loc.col), (5, 5));
        assert_eq!(
            mask_value(&loc.source_line, "webhook_url"),
            "    webhook_url: ***"
        );
    }

    #[test]
    fn secrets_are_recognised() {
        assert!(looks_secret("https://hooks.slack.com/services/T0/B0/xyz").is_some());
        assert!(looks_secret("xoxb-123-456").is_some());
        assert!(
            looks_secret("https://prod-1.westeurope.logic.azure.com/workflows/x?sig=abc").is_some()
        );
        assert!(looks_secret("https://user:pw@example.jp/hook").is_some());
        assert!(looks_secret("https://example.jp/hook?token=abc").is_some());
        assert!(looks_secret("https://events.pagerduty.com/v2/enqueue").is_none());
        assert!(looks_secret("#data-alerts").is_none());
        assert!(valid_var("SLACK_WEBHOOK_URL") && !valid_var("1X") && !valid_var("A-B"));
    }
}
