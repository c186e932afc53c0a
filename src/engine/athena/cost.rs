//! What a run on Athena costs: the run's totals (queries, bytes scanned and billed, engine
//! time, retries) and the line that reports them, with Athena's billing rules (per TB of
//! 2^40 bytes, at least 10 MB per query).

use std::sync::atomic::{AtomicU64, Ordering};

use super::AthenaEngine;

/// Totals of a run on Athena.
#[derive(Debug, Default)]
pub struct Totals {
    /// Queries that finished.
    pub queries: AtomicU64,
    /// Bytes scanned.
    pub bytes_scanned: AtomicU64,
    /// Bytes billed (each query at least 10 MB).
    pub bytes_billed: AtomicU64,
    /// Engine time in ms.
    pub engine_ms: AtomicU64,
    /// Calls retried after throttling or a retryable failure.
    pub retries: AtomicU64,
}

impl AthenaEngine {
    /// One line with the run's totals: queries, data scanned, cost, retries.
    pub fn totals_line(&self) -> String {
        let scanned = self.totals.bytes_scanned.load(Ordering::SeqCst);
        let billed = self.totals.bytes_billed.load(Ordering::SeqCst);
        crate::t!(
            "engine-athena-totals",
            queries = self.totals.queries.load(Ordering::SeqCst),
            scanned = human_bytes(scanned),
            cost = format!("{:.4}", cost_usd(billed, self.settings.usd_per_tb)),
            per_tb = self.settings.usd_per_tb.to_string(),
            seconds = format!(
                "{:.1}",
                self.totals.engine_ms.load(Ordering::SeqCst) as f64 / 1000.0
            ),
            retries = self.totals.retries.load(Ordering::SeqCst)
        )
    }
}

pub use crate::engine::cost_usd;

/// Athena bills at least 10 MB per query.
pub const MIN_BILLED_BYTES: u64 = 10 * 1024 * 1024;

/// `1.2 GB` style.
pub fn human_bytes(b: u64) -> String {
    crate::project::ingest::show_size(b)
}
