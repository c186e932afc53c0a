//! What each kind of channel is sent: the HTTP request (Slack, Teams, the generic webhook,
//! PagerDuty) or the e-mail, with the channel's secrets read from the environment here and
//! nowhere else.

use serde_json::json;

use super::message::{render, webhook_body, Context};
use crate::execute::secrets::Filled;
use crate::project::notifications::{Channel, ChannelKind, SmtpTls};

/// An HTTP POST with a JSON body.
pub struct HttpRequest {
    /// Where (may be a secret: never shown).
    pub url: String,
    /// Headers (their values may be secrets).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: serde_json::Value,
    /// Slack's Web API: a 200 answer says `{"ok": false, "error": …}` when it failed.
    pub slack_api: bool,
}

/// An e-mail and the server to send it through.
pub struct Mail {
    /// SMTP server.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Encryption.
    pub tls: SmtpTls,
    /// User name and password.
    pub credentials: Option<(String, String)>,
    /// Sender.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// What to send.
pub enum Request {
    /// An HTTP POST.
    Http(HttpRequest),
    /// An e-mail.
    Mail(Mail),
}

/// A request ready to send, with the secrets it holds (to redact from any error) and a note
/// for the record (a template that failed, so that the default message was sent).
pub struct Prepared {
    /// The request.
    pub request: Request,
    /// The secrets in it.
    pub secrets: Filled,
    /// PagerDuty: `trigger` or `resolve`.
    pub action: Option<&'static str>,
    /// Something to record even if it is sent.
    pub note: Option<String>,
}

/// The request `channel` sends for `ctx`; `env` reads the environment. Fails when a secret's
/// variable is not set.
pub fn prepare(
    channel: &Channel,
    ctx: &Context,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Prepared, String> {
    let templates = super::message::environment();
    let lang = channel.lang.unwrap_or_else(crate::i18n::lang);
    let notes = std::cell::RefCell::new(Vec::new());
    let text = |default: &str| -> String {
        let default = super::words::template_name(lang, default);
        match render(&templates, channel.template.as_deref(), &default, ctx) {
            Ok(t) => t,
            Err(e) => {
                notes
                    .borrow_mut()
                    .push(crate::t!("notify-template-failed", error = e));
                render(&templates, None, &default, ctx).unwrap_or_else(|_| ctx.title.clone())
            }
        }
    };
    let mut secrets = Filled::default();
    let mut secret = |var: &str| -> Result<String, String> {
        let v = env(var)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| crate::t!("notify-env-not-set", name = var))?;
        secrets.extend(Filled::secret(var, v.clone()));
        Ok(v)
    };
    let mut action = None;
    let request = match &channel.kind {
        ChannelKind::SlackWebhook { webhook_url_env } => {
            let url = secret(webhook_url_env)?;
            Request::Http(HttpRequest {
                url,
                headers: Vec::new(),
                body: json!({
                    "text": text("slack"),
                    "unfurl_links": false,
                    "unfurl_media": false,
                }),
                slack_api: false,
            })
        }
        ChannelKind::SlackBot {
            token_env,
            channel: to,
            api_url,
        } => {
            let token = secret(token_env)?;
            Request::Http(HttpRequest {
                url: format!("{api_url}/chat.postMessage"),
                headers: vec![("Authorization".into(), format!("Bearer {token}"))],
                body: json!({
                    "channel": to,
                    "text": text("slack"),
                    "unfurl_links": false,
                    "unfurl_media": false,
                }),
                slack_api: true,
            })
        }
        ChannelKind::Teams { webhook_url_env } => {
            let url = secret(webhook_url_env)?;
            Request::Http(HttpRequest {
                url,
                headers: Vec::new(),
                body: teams_card(ctx, &text("teams"), lang),
                slack_api: false,
            })
        }
        ChannelKind::Webhook {
            url_env,
            headers_env,
        } => {
            let url = secret(url_env)?;
            let mut headers = Vec::new();
            for (name, var) in headers_env {
                headers.push((name.clone(), secret(var)?));
            }
            Request::Http(HttpRequest {
                url,
                headers,
                body: webhook_body(ctx, &channel.name, &text("text")),
                slack_api: false,
            })
        }
        ChannelKind::PagerDuty {
            routing_key_env,
            events_url,
            severity,
        } => {
            let key = secret(routing_key_env)?;
            // Late sources are an alert of their own: a build's success does not resolve it.
            let dedup_key = match ctx.command.as_str() {
                "source freshness" => format!("karte/{}/{}/freshness", ctx.project, ctx.target),
                _ => format!("karte/{}/{}", ctx.project, ctx.target),
            };
            let body = match ctx.event {
                "failure" | "warnings" => {
                    action = Some("trigger");
                    let summary: String = text("pagerduty").chars().take(1024).collect();
                    json!({
                        "routing_key": key,
                        "event_action": "trigger",
                        "dedup_key": dedup_key,
                        "client": "karte",
                        "payload": {
                            "summary": summary,
                            "source": crate::t!(lang => "notify-pagerduty-source", project = ctx.project, target = ctx.target),
                            "severity": if ctx.event == "warnings" { "warning" } else { severity.as_str() },
                            "timestamp": ctx.started_at,
                            "component": ctx.project,
                            "group": ctx.target,
                            "class": ctx.command,
                            "custom_details": {
                                "run_id": ctx.run_id,
                                "summary": ctx.summary,
                                "failed": ctx.failed.iter().map(|f| json!({
                                    "name": f.name, "kind": f.kind, "file": f.file, "error": f.error,
                                })).collect::<Vec<_>>(),
                                "warned": ctx.warned.iter().map(|w| &w.name).collect::<Vec<_>>(),
                                "not_built": ctx.skipped.iter().map(|s| &s.name).collect::<Vec<_>>(),
                                "retry_command": ctx.retry_command,
                                "duration_seconds": ctx.duration_seconds,
                                "cost_usd": ctx.cost_usd,
                            },
                        },
                    })
                }
                _ => {
                    action = Some("resolve");
                    json!({
                        "routing_key": key,
                        "event_action": "resolve",
                        "dedup_key": dedup_key,
                    })
                }
            };
            Request::Http(HttpRequest {
                url: events_url.clone(),
                headers: Vec::new(),
                body,
                slack_api: false,
            })
        }
        ChannelKind::Email {
            smtp_host,
            smtp_port,
            tls,
            username_env,
            password_env,
            from,
            to,
            subject,
        } => {
            let credentials = match (username_env, password_env) {
                (Some(u), Some(p)) => Some((secret(u)?, secret(p)?)),
                _ => None,
            };
            let subject = match subject {
                Some(s) => render(&templates, Some(s), "text", ctx).unwrap_or_else(|e| {
                    notes
                        .borrow_mut()
                        .push(crate::t!("notify-subject-failed", error = e));
                    ctx.title.clone()
                }),
                None => ctx.title.clone(),
            };
            let body = text("text");
            Request::Mail(Mail {
                host: smtp_host.clone(),
                port: *smtp_port,
                tls: *tls,
                credentials,
                from: from.clone(),
                to: to.clone(),
                subject: subject.lines().next().unwrap_or("").to_string(),
                body,
            })
        }
    };
    let notes = notes.into_inner();
    Ok(Prepared {
        request,
        secrets,
        action,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    })
}

/// A Teams workflow message: one Adaptive Card with the title, the rendered text and the
/// run's facts.
fn teams_card(ctx: &Context, text: &str, lang: crate::i18n::Lang) -> serde_json::Value {
    use super::words::fact;
    let color = match ctx.event {
        "failure" => "Attention",
        "warnings" => "Warning",
        _ => "Good",
    };
    let mut facts = vec![
        json!({"title": fact(lang, "project"), "value": ctx.project}),
        json!({"title": fact(lang, "target"), "value": ctx.target}),
        json!({"title": fact(lang, "run"), "value": ctx.run_id}),
        json!({"title": fact(lang, "duration"), "value": ctx.duration}),
    ];
    if let Some(c) = &ctx.cost {
        facts.push(json!({"title": fact(lang, "cost"), "value": c}));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "msteams": {"width": "Full"},
                "body": [
                    {
                        "type": "TextBlock",
                        "text": ctx.title,
                        "weight": "Bolder",
                        "size": "Medium",
                        "color": color,
                        "wrap": true,
                    },
                    {"type": "TextBlock", "text": text, "wrap": true},
                    {"type": "FactSet", "facts": facts},
                ],
            },
        }],
    })
}
