//! `karte deps`: install a dbt project's packages (`project/dbt/deps.rs`).

use crate::cli::ProjectArgs;
use crate::diag::Diagnostics;

/// Install the packages of the dbt project in `args.project_dir` (the versions package-lock.yml
/// pinned, unless `upgrade`); one line per package.
pub fn run(args: &ProjectArgs, upgrade: bool) -> Result<bool, Diagnostics> {
    let hub = std::env::var("KARTE_DBT_HUB_URL")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| crate::project::dbt::deps::DBT_HUB_URL.to_string());
    let installed = crate::project::dbt::deps::install(&args.project_dir, &hub, upgrade)?;
    if installed.is_empty() {
        println!("{}", crate::t!("deps-none"));
    }
    for p in &installed {
        println!(
            "{}",
            crate::t!(
                "deps-installed",
                name = p.name.clone(),
                version = p.version.clone(),
                from = p.from.clone()
            )
        );
    }
    Ok(true)
}
