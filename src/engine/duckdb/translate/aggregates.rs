//! Aggregates built by karte: `map_agg`, `approx_distinct`, `approx_percentile`, `listagg`.

use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArgumentClause, FunctionArguments,
};

use super::expr::{call, func, instantiate, string, take};
use super::rewrite::carry_clauses;

pub(super) fn rw_map_agg(original: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [k, v] = take::<2>(args)?;
    let Expr::Function(entries) = instantiate(
        "list({'key': $1, 'value': $2}) FILTER (WHERE $1 IS NOT NULL)",
        &[k, v],
    )?
    else {
        return Err("internal error: map_agg template".into());
    };
    let mut entries_expr = Expr::Function(original_clauses_onto(original, entries)?);
    // Keep the first entry of each key (DuckDB's maps reject duplicate keys).
    entries_expr = instantiate(
        "list_filter($1, lambda __e, __i : list_position(list_transform($1, lambda __f : __f.key), __e.key) = __i)",
        &[entries_expr],
    )?;
    Ok(func("map_from_entries", vec![entries_expr]))
}

/// `f` with the `OVER`/`FILTER`/… of `original` added.
fn original_clauses_onto(original: &Function, f: Function) -> Result<Function, String> {
    let mut e = Expr::Function(f);
    carry_clauses(original, &mut e)?;
    match e {
        Expr::Function(f) => Ok(f),
        _ => Err("internal error: aggregate clauses".into()),
    }
}

pub(super) fn rw_approx_distinct(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let x = args
        .into_iter()
        .next()
        .ok_or("approx_distinct needs an argument")?;
    let mut f = call("count", vec![x]);
    if let FunctionArguments::List(list) = &mut f.args {
        list.duplicate_treatment = Some(DuplicateTreatment::Distinct);
    }
    Ok(Expr::Function(f))
}

pub(super) fn rw_approx_percentile(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [x, p] = take::<2>(args)?;
    Ok(func("quantile_disc", vec![x, p]))
}

pub(super) fn rw_listagg(original: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let mut args = args.into_iter();
    let x = args.next().ok_or("listagg needs an argument")?;
    let sep = args.next().unwrap_or_else(|| string(""));
    let mut f = call("string_agg", vec![x, sep]);
    let mut plain = original.clone();
    if !plain.within_group.is_empty() {
        if let FunctionArguments::List(list) = &mut f.args {
            list.clauses
                .push(FunctionArgumentClause::OrderBy(std::mem::take(
                    &mut plain.within_group,
                )));
        }
    }
    Ok(Expr::Function(original_clauses_onto(&plain, f)?))
}
