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
            crate::t!("e006-access-no-roles"),
        )
        .help(crate::t!("e006-access-no-roles-help"))));
    }
    if let Some(r) = role {
        if !access.roles.contains_key(r) {
            return Err(one(Diagnostic::error(
                Code::InvalidArgument,
                crate::t!("e006-access-no-role", role = r),
            )
            .maybe_help(
                suggest(r, access.roles.keys().map(String::as_str))
                    .map(|s| crate::t!("project-did-you-mean", name = s)),
            )
            .note(crate::t!(
                "e006-access-roles",
                roles = access.roles.keys().cloned().collect::<Vec<_>>().join(", ")
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
            crate::t!("e006-access-check-needs-role"),
        )
        .help(crate::t!("e006-access-check-needs-role-help"))));
    };
    let i = access.find_table(&compiled, table).map_err(one)?;
    let decision = access.decide(role, i).expect("the role exists");
    let name = &access.governed[&i];
    if decision.allowed {
        println!(
            "{}",
            crate::t!("access-check-yes", role = role, table = name)
        );
    } else {
        println!(
            "{}",
            crate::t!("access-check-no", role = role, table = name)
        );
    }
    for r in &decision.reasons {
        println!("  {r}");
    }
    Ok(decision.allowed)
}
