//! Where an engine keeps a second copy of the run journals ([`crate::execute::journal`]): the
//! place the target's data lives, so that a run whose machine died is resumed or rolled back
//! from another machine. The Athena engine's is `athena/journal.rs` (S3); the local engine has
//! none (its journal is on the same disk as its data).

use super::EngineError;

/// A second copy of the journals of one target, where the target's data lives (on Athena:
/// `<lake_root>_karte/journal/<target>/<run id>/`). Files are replaced whole.
pub trait Mirror: Send + Sync {
    /// Write (replace) one file of a run's journal.
    fn put(&self, run_id: &str, name: &str, body: &[u8]) -> Result<(), EngineError>;
    /// Read one file of a run's journal (None: not there).
    fn get(&self, run_id: &str, name: &str) -> Result<Option<Vec<u8>>, EngineError>;
    /// The run ids with a journal, in any order.
    fn runs(&self) -> Result<Vec<String>, EngineError>;
    /// Remove the journals of these runs.
    fn remove(&self, run_ids: &[String]) -> Result<(), EngineError>;
    /// Where a run's journal is, for messages (`s3://…/<run id>/`).
    fn location(&self, run_id: &str) -> String;
}

/// A shared mirror.
pub type SharedMirror = std::sync::Arc<dyn Mirror>;
