//! `greatest` and `least` with Trino's NULL handling.

use sqlparser::ast::{BinaryOperator, Expr, Function};

use super::expr::{func, instantiate, paren};

/// `greatest`/`least` that are NULL when any argument is NULL, as Trino.
fn null_if_any_null(name: &str, args: Vec<Expr>) -> Result<Expr, String> {
    let mut any_null: Option<Expr> = None;
    for a in &args {
        let test = Expr::IsNull(Box::new(paren(a.clone())));
        any_null = Some(match any_null {
            None => test,
            Some(acc) => Expr::BinaryOp {
                left: Box::new(acc),
                op: BinaryOperator::Or,
                right: Box::new(test),
            },
        });
    }
    let any_null = any_null.ok_or_else(|| format!("{name} needs an argument"))?;
    instantiate(
        "CASE WHEN $1 THEN NULL ELSE $2 END",
        &[any_null, func(name, args)],
    )
}

pub(super) fn rw_greatest(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    null_if_any_null("greatest", args)
}

pub(super) fn rw_least(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    null_if_any_null("least", args)
}
