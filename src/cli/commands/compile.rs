//! `karte compile`.

use std::time::Instant;

use crate::cli::{report, ProjectArgs, SelectArgs};
use crate::diag::Diagnostics;

/// Compile the project and write target/compiled and target/manifest.json.
pub fn run(args: &ProjectArgs, select: &SelectArgs, defer: bool) -> Result<(), Diagnostics> {
    let started = Instant::now();
    let mut opts = args.compile_options(select)?;
    opts.defer = defer;
    let compiled = crate::compile(&opts)?;
    // The compiled SQL does not depend on the catalog, but `--defer` does: here every unselected
    // parent counts as not built on the target.
    let compiled = if defer {
        crate::compile_for_catalog(&opts, compiled, &crate::plan::CatalogState::default(), true)?
    } else {
        compiled
    };
    let mut clock = crate::diag::timings::Clock::start();
    report(&compiled.diagnostics);
    // `access:` rules name layers, models, tags and classes of the compiled project.
    crate::access::resolve(&compiled)?;
    clock.lap("access");
    let full = select.select.is_empty() && select.exclude.is_empty();
    crate::artifacts::write(&compiled, full).map_err(|d| Diagnostics(vec![d]))?;
    clock.lap("write");
    let warnings = compiled.diagnostics.warning_count();
    let seconds = format!("{:.2}", started.elapsed().as_secs_f64());
    let target = crate::diag::display_path(&compiled.project.root.join("target"));
    let line = if warnings > 0 {
        crate::t!(
            "compile-summary-warnings",
            selected = compiled.selected.len(),
            total = compiled.project.nodes.len(),
            seconds = seconds,
            warnings = warnings,
            target = target
        )
    } else {
        crate::t!(
            "compile-summary",
            selected = compiled.selected.len(),
            total = compiled.project.nodes.len(),
            seconds = seconds,
            target = target
        )
    };
    println!("{line}");
    // The process ends here: freeing millions of small allocations one by one would add a
    // tenth of the compile's time for nothing.
    std::mem::forget(compiled);
    Ok(())
}
