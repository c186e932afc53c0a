//! `table`: every run writes a fresh, run-specific location through a staging table, and the
//! published table is swapped to it only after the write succeeded. The previous version is
//! kept per `versions_to_keep`, then deleted.

use super::{Actions, NodeCtx, Planned};
use crate::diag::Diagnostic;
use crate::plan::step::Action;

/// Plan a table (also used for first runs and full refreshes of incremental models).
pub fn plan(ctx: &NodeCtx, mode: &str) -> Result<Planned, Diagnostic> {
    let write = ctx.create_table(ctx.run_location(), "write the new version")?;
    Ok(Planned {
        mode: mode.into(),
        actions: rebuild(ctx, write)?,
    })
}

/// Write (into the staging table) → swap → expire old versions.
pub fn rebuild(ctx: &NodeCtx, write: Action) -> Result<Actions, Diagnostic> {
    let mut actions = vec![(write, Vec::new()), ctx.swap()];
    actions.extend(ctx.expire_old_versions()?);
    Ok(actions)
}

/// The mode word of a rebuild.
pub fn rebuild_mode(ctx: &NodeCtx) -> &'static str {
    match (ctx.existing.is_some(), ctx.full_refresh) {
        (false, _) => "first run",
        (true, true) => "full refresh",
        (true, false) => "rebuild",
    }
}
