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
