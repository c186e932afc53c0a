//! `karte access`.

use crate::cli::{report, ProjectArgs, SelectArgs};
use crate::diag::{suggest, Code, Diagnostic, Diagnostics};

/// Print what each role may read; with `check`, answer whether `role` may read that table
/// (Ok(false): it may not).
pub fn run(
    args: &ProjectArgs,
    role: Option<&str>,
    check: Option<&str>,
) -> Result<bool, Diagnostics> {
    let compiled = crate::compile(&args.compile_options(&SelectArgs::default())?)?;
    report(&compiled.diagnostics);
    let access = crate::access::resolve(&compiled)?;
    let one = |d: Diagnostic| Diagnostics(vec![d]);
    if access.roles.is_empty() {
        return Err(one(Diagnostic::error(
            Code::InvalidArgument,
            "the project has no `access:` roles in karte.yml",
        )
        .help("declare roles under `access:` (docs/governance.md)")));
    }
    if let Some(r) = role {
        if !access.roles.contains_key(r) {
            return Err(one(Diagnostic::error(
                Code::InvalidArgument,
                format!("no role `{r}` under `access:`"),
            )
            .maybe_help(
                suggest(r, access.roles.keys().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?")),
            )
            .note(format!(
                "roles: {}",
                access.roles.keys().cloned().collect::<Vec<_>>().join(", ")
            ))));
        }
    }
    let Some(table) = check else {
        print!("{}", crate::access::text::render(&compiled, &access, role));
        return Ok(true);
    };
    let Some(role) = role else {
        return Err(one(Diagnostic::error(
            Code::InvalidArgument,
            "--check needs --role",
        )
        .help("karte access --role analysts --check gold.pmpm")));
    };
    let i = access.find_table(&compiled, table).map_err(one)?;
    let decision = access.decide(role, i).expect("the role exists");
    let name = &access.governed[&i];
    println!(
        "{}: `{role}` {} read {name}",
        if decision.allowed { "yes" } else { "no" },
        if decision.allowed { "may" } else { "may not" }
    );
    for r in &decision.reasons {
        println!("  {r}");
    }
    Ok(decision.allowed)
}
