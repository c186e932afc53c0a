//! Seeds: the CSV file is loaded into a staging table at a run-specific location, then swapped
//! in like a table.

use super::{table, NodeCtx, Planned};
use crate::diag::Diagnostic;
use crate::plan::step::Action;

/// Plan a seed.
pub fn plan(ctx: &NodeCtx) -> Result<Planned, Diagnostic> {
    let seed = &ctx.settings.seed;
    let load = Action::LoadSeed {
        file: crate::diag::display_path(&ctx.node.path),
        table: ctx.staging(),
        location: ctx.run_location(),
        column_types: seed.column_types.clone(),
        encoding: seed.encoding.clone(),
        delimiter: seed.delimiter.clone(),
    };
    Ok(Planned {
        mode: table::rebuild_mode(ctx).into(),
        actions: table::rebuild(ctx, load)?,
    })
}
