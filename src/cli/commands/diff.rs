//! `karte diff --state PATH`.

use std::path::Path;

use crate::cli::{report, ProjectArgs, SelectArgs};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::plan::CatalogState;
use crate::state::StateArg;

/// Compile for the saved manifest's target (unless --target is given), compare, print.
pub fn run(
    args: &ProjectArgs,
    state: &str,
    catalog_state: Option<&Path>,
    json: bool,
) -> Result<(), Diagnostics> {
    let mut opts = args.compile_options(&SelectArgs::default())?;
    opts.state = Some(StateArg::Given(state.to_string()));
    let mut compiled = crate::compile(&opts)?;
    // Table names compare only when both sides are compiled for the same target.
    if let Some(saved) = compiled.state.clone() {
        let other = saved.metadata.target != compiled.target.name;
        if other && args.target.is_none() {
            if compiled
                .project
                .config
                .targets
                .contains_key(&saved.metadata.target)
            {
                opts.target = Some(saved.metadata.target.clone());
                opts.state = Some(StateArg::Loaded(saved));
                compiled = crate::compile(&opts)?;
            } else {
                compiled.diagnostics.push(
                    Diagnostic::warning(
                        Code::StateInvalid,
                        crate::t!(
                            "e305-diff-unknown-target",
                            saved_target = saved.metadata.target,
                            target = compiled.target.name
                        ),
                    )
                    .help(crate::t!("e305-diff-unknown-target-help")),
                );
            }
        }
    }
    report(&compiled.diagnostics);
    let catalog = catalog_state
        .map(CatalogState::load)
        .transpose()
        .map_err(|d| Diagnostics(vec![d]))?;
    let as_of = crate::cli::commands::plan::today();
    let found = crate::state::diff::diff(&mut compiled, catalog.as_ref(), &as_of)?;
    if json {
        let text = serde_json::to_string_pretty(&found).map_err(|e| {
            Diagnostics(vec![Diagnostic::error(
                Code::Internal,
                crate::t!("e000-cannot-serialise-diff", error = e.to_string()),
            )])
        })?;
        println!("{text}");
    } else {
        print!("{}", crate::state::diff::render(&found));
    }
    Ok(())
}
