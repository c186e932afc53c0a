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
        println!("upstream (where it comes from):");
        print!("{}", text::draw(&up, "←"));
        println!();
        println!("downstream (what is computed from it):");
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
        return Err(
            Diagnostic::error(Code::InvalidArgument, format!("`{arg}` names no column"))
                .help("write RELATION.COLUMN, e.g. `karte lineage silver.receipts.person_id`"),
        );
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
                format!("no model, seed, snapshot or source `{rel}`"),
            )
            .maybe_help(suggest(rel, shown).map(|s| format!("did you mean `{s}`?"))));
        }
        many => {
            let shown: Vec<&str> = many
                .iter()
                .filter_map(|id| names.get(*id).map(String::as_str))
                .collect();
            return Err(Diagnostic::error(
                Code::InvalidArgument,
                format!("`{rel}` names more than one relation: {}", shown.join(", ")),
            )
            .help("write it with its layer or source, e.g. `silver.receipts`"));
        }
    };
    let Some(cols) = l.columns(&id) else {
        return Err(Diagnostic::error(
            Code::InvalidArgument,
            format!("the columns of `{rel}` are not known"),
        )
        .help("declare them under `columns:` in its property file"));
    };
    if !cols.iter().any(|c| c.name == column) {
        let cand: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        return Err(Diagnostic::error(
            Code::UnknownColumn,
            format!("`{rel}` has no column `{column}`"),
        )
        .help(match suggest(column, cand.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("its columns: {}", cand.join(", ")),
        }));
    }
    Ok(ColumnId {
        relation: id.into(),
        column: column.into(),
    })
}
