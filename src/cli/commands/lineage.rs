//! `karte lineage RELATION.COLUMN`: where a column comes from and where it goes.

use crate::cli::{report, ProjectArgs, SelectArgs};
use crate::diag::{suggest, Code, Diagnostic, Diagnostics};
use crate::lineage::{text, ColumnId};

/// Print the column's upstream and downstream trees (or both as JSON).
pub fn run(args: &ProjectArgs, column: &str, json: bool) -> Result<(), Diagnostics> {
    let compiled = crate::compile(&args.compile_options(&SelectArgs::default())?)?;
    report(&compiled.diagnostics);
    let names = text::display_names(&compiled.project);
    let id = find(&compiled.lineage, &names, column).map_err(|d| Diagnostics(vec![d]))?;
    let up = text::upstream(&compiled.lineage, &names, &id);
    let down = text::downstream(&compiled.lineage, &names, &id);
    if json {
        let out = serde_json::json!({ "column": up.column, "upstream": up.next, "downstream": down.next });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        println!("{}", crate::t!("lineage-upstream-heading"));
        print!("{}", text::draw(&up, "←"));
        println!();
        println!("{}", crate::t!("lineage-downstream-heading"));
        print!("{}", text::draw(&down, "→"));
    }
    Ok(())
}

/// `layer.model.column`, `source.table.column`, `model.column` or `<unique id>.column`.
fn find(
    l: &crate::lineage::Lineage,
    names: &std::collections::HashMap<String, String>,
    arg: &str,
) -> Result<ColumnId, Diagnostic> {
    let arg = arg.trim().to_lowercase();
    let Some((rel, column)) = arg.rsplit_once('.') else {
        return Err(Diagnostic::error(
            Code::InvalidArgument,
            crate::t!("e006-lineage-no-column", arg = arg.as_str()),
        )
        .help(crate::t!("e006-lineage-no-column-help")));
    };
    let matches: Vec<&String> = l
        .relations
        .keys()
        .filter(|id| {
            *id == rel
                || names
                    .get(*id)
                    .is_some_and(|n| n.to_lowercase() == rel || n.rsplit('.').next() == Some(rel))
        })
        .collect();
    let id = match matches.as_slice() {
        [one] => (*one).clone(),
        [] => {
            let shown: Vec<&str> = names.values().map(String::as_str).collect();
            return Err(Diagnostic::error(
                Code::UnknownModel,
                crate::t!("e204-lineage-unknown-relation", name = rel),
            )
            .maybe_help(suggest(rel, shown).map(|s| crate::t!("project-did-you-mean", name = s))));
        }
        many => {
            let shown: Vec<&str> = many
                .iter()
                .filter_map(|id| names.get(*id).map(String::as_str))
                .collect();
            return Err(Diagnostic::error(
                Code::InvalidArgument,
                crate::t!(
                    "e006-lineage-ambiguous",
                    name = rel,
                    relations = shown.join(", ")
                ),
            )
            .help(crate::t!("e006-lineage-ambiguous-help")));
        }
    };
    let Some(cols) = l.columns(&id) else {
        return Err(Diagnostic::error(
            Code::InvalidArgument,
            crate::t!("e006-lineage-columns-unknown", name = rel),
        )
        .help(crate::t!("e006-lineage-columns-unknown-help")));
    };
    if !cols.iter().any(|c| c.name == column) {
        let cand: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        return Err(Diagnostic::error(
            Code::UnknownColumn,
            crate::t!("e212-no-column", relation = rel, column = column),
        )
        .help(match suggest(column, cand.iter().copied()) {
            Some(s) => crate::t!("project-did-you-mean", name = s),
            None => crate::t!("lineage-its-columns", columns = cand.join(", ")),
        }));
    }
    Ok(ColumnId {
        relation: id.into(),
        column: column.into(),
    })
}
