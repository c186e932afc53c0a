//! `target/run_results.json`: what happened to every node of a run.

use serde::{Deserialize, Serialize};

/// Result of one node (model, seed, snapshot or test).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Built.
    Success,
    /// Failed.
    Error,
    /// Not run: an upstream node failed, or the run was interrupted.
    Skipped,
    /// A test found no failing rows.
    Pass,
    /// A test found failing rows (severity error).
    Fail,
    /// A test found failing rows (severity warn).
    Warn,
}

impl Status {
    /// True if downstream nodes must not run.
    pub fn blocks(&self) -> bool {
        matches!(self, Status::Error | Status::Skipped | Status::Fail)
    }
}

/// One node's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeResult {
    /// `model.<project>.<name>`, `test.<project>.<name>`.
    pub unique_id: String,
    /// Short name.
    pub name: String,
    /// `model`, `seed`, `snapshot`, `test`.
    pub kind: String,
    /// Status.
    pub status: Status,
    /// Seconds spent.
    pub execution_time: f64,
    /// Rows written, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_affected: Option<u64>,
    /// Failing rows of a test.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failures: Option<u64>,
    /// What happened, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Query ids (Athena).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query_ids: Vec<String>,
    /// Bytes the node's queries scanned (Athena).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_scanned: Option<u64>,
}

impl NodeResult {
    /// A result with nothing measured yet (no time, rows, message or queries).
    pub fn new(unique_id: &str, name: &str, kind: &str, status: Status) -> NodeResult {
        NodeResult {
            unique_id: unique_id.to_string(),
            name: name.to_string(),
            kind: kind.to_string(),
            status,
            execution_time: 0.0,
            rows_affected: None,
            failures: None,
            message: None,
            query_ids: Vec::new(),
            bytes_scanned: None,
        }
    }
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    /// Run id (also in table locations).
    pub run_id: String,
    /// The command: `build`, `run`, `seed`, `test`, `snapshot`, `retry`.
    pub command: String,
    /// Target name.
    pub target: String,
    /// Start time (UTC, RFC 3339).
    pub started_at: String,
    /// Seconds.
    pub elapsed: f64,
    /// Command-line arguments.
    pub args: Vec<String>,
    /// Interrupted by Ctrl-C.
    pub interrupted: bool,
    /// Node results in the order they were planned.
    pub results: Vec<NodeResult>,
    /// What was sent to the channels of `notifications:` after the run (never a secret).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<NotificationRecord>,
}

/// What was sent to one channel after a run, in `run_results.json` (`crate::notify`). It
/// never holds a secret: no URL, token, routing key or password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationRecord {
    /// The channel's name under `notifications:`.
    pub channel: String,
    /// Its `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The event sent: `failure`, `success`, `warnings`, `recovery`.
    pub event: String,
    /// PagerDuty: `trigger` or `resolve`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// `sent` or `failed`.
    pub status: String,
    /// Attempts made.
    pub attempts: u32,
    /// The HTTP status of the last answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// E-mail: the SMTP server's last reply code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_code: Option<u16>,
    /// Why it was not sent (or what went wrong before it was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Seconds spent.
    pub elapsed: f64,
}

impl NotificationRecord {
    /// The record of a channel's message not sent (yet).
    pub fn unsent(channel: &str, kind: &str, event: &str) -> NotificationRecord {
        NotificationRecord {
            channel: channel.to_string(),
            kind: kind.to_string(),
            event: event.to_string(),
            action: None,
            status: "failed".into(),
            attempts: 0,
            http_status: None,
            smtp_code: None,
            error: None,
            elapsed: 0.0,
        }
    }
}

impl RunResults {
    /// True if any node failed (tests with severity warn do not count).
    pub fn failed(&self) -> bool {
        self.interrupted
            || self
                .results
                .iter()
                .any(|r| matches!(r.status, Status::Error | Status::Fail | Status::Skipped))
    }

    /// Count of results with a status.
    pub fn count(&self, s: Status) -> usize {
        self.results.iter().filter(|r| r.status == s).count()
    }
}
