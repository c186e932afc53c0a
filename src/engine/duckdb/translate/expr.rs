//! Expression builders shared by the rewrites: call parts, templates, lambdas, literals.

use std::ops::ControlFlow;

use sqlparser::ast::{
    AccessExpr, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList,
    FunctionArguments, Ident, LambdaFunction, LambdaFunctionParameter, LambdaSyntax, ObjectName,
    ObjectNamePart, OneOrManyWithParens, Value, ValueWithSpan, VisitMut, VisitorMut,
};
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::Parser;

/// The translated arguments of a call, or `None` if some are named or wildcards.
pub(super) fn plain_args(f: &Function) -> Option<Vec<Expr>> {
    match &f.args {
        FunctionArguments::None => Some(Vec::new()),
        FunctionArguments::Subquery(_) => None,
        FunctionArguments::List(list) => list
            .args
            .iter()
            .map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                _ => None,
            })
            .collect(),
    }
}

pub(super) fn function_name(f: &Function) -> String {
    match f.name.0.last() {
        Some(ObjectNamePart::Identifier(i)) => i.value.to_ascii_lowercase(),
        _ => f.name.to_string().to_ascii_lowercase(),
    }
}

/// The lower-case name and arguments of a plain call (through parentheses).
pub(super) fn call_parts(e: &Expr) -> Option<(String, Vec<Expr>)> {
    match strip(e) {
        Expr::Function(f) if f.over.is_none() && f.filter.is_none() => {
            Some((function_name(f), plain_args(f)?))
        }
        _ => None,
    }
}

// ---- templates and lambdas ------------------------------------------------------------------

/// Parses a DuckDB template and replaces `$1`, `$2`, … with `args`.
pub(super) fn instantiate(template: &str, args: &[Expr]) -> Result<Expr, String> {
    let mut expr = Parser::new(&DuckDbDialect {})
        .try_with_sql(template)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| format!("internal error in template {template:?}: {e}"))?;
    let mut missing = None;
    let _ = sqlparser::ast::visit_expressions_mut(&mut expr, |e| {
        if let Expr::Value(ValueWithSpan {
            value: Value::Placeholder(p),
            ..
        }) = e
        {
            let arg = p
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(1))
                .and_then(|n| args.get(n));
            match arg {
                Some(arg) => *e = paren(arg.clone()),
                None => missing = Some(p.clone()),
            }
        }
        ControlFlow::<()>::Continue(())
    });
    match missing {
        Some(p) => Err(format!(
            "internal error: template {template:?} has no argument {p}"
        )),
        None => Ok(expr),
    }
}

/// Like [`instantiate`], for a whole query.
pub(super) fn instantiate_query(
    template: &str,
    args: &[Expr],
) -> Result<Box<sqlparser::ast::Query>, String> {
    let mut query = Parser::new(&DuckDbDialect {})
        .try_with_sql(template)
        .and_then(|mut p| p.parse_query())
        .map_err(|e| format!("internal error in template {template:?}: {e}"))?;
    let _ = sqlparser::ast::visit_expressions_mut(&mut query, |e| {
        if let Expr::Value(ValueWithSpan {
            value: Value::Placeholder(p),
            ..
        }) = e
        {
            let arg = p
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(1))
                .and_then(|n| args.get(n));
            if let Some(arg) = arg {
                *e = paren(arg.clone());
            }
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(query)
}

pub(super) fn lambda_of(e: Expr, params: usize, name: &str) -> Result<LambdaFunction, String> {
    match e {
        Expr::Lambda(l) if lambda_params(&l).len() == params => Ok(l),
        _ => Err(format!(
            "{name} needs a lambda with {params} parameter(s) to run locally"
        )),
    }
}

pub(super) fn lambda_params(l: &LambdaFunction) -> Vec<String> {
    match &l.params {
        OneOrManyWithParens::One(p) => vec![p.name.value.clone()],
        OneOrManyWithParens::Many(ps) => ps.iter().map(|p| p.name.value.clone()).collect(),
    }
}

pub(super) fn lambda(params: &[&str], body: Expr) -> Expr {
    let params: Vec<LambdaFunctionParameter> = params
        .iter()
        .map(|p| LambdaFunctionParameter {
            name: Ident::new(*p),
            data_type: None,
        })
        .collect();
    Expr::Lambda(LambdaFunction {
        params: if params.len() == 1 {
            OneOrManyWithParens::One(params.into_iter().next().unwrap_or_else(|| {
                LambdaFunctionParameter {
                    name: Ident::new("_"),
                    data_type: None,
                }
            }))
        } else {
            OneOrManyWithParens::Many(params)
        },
        body: Box::new(body),
        syntax: LambdaSyntax::LambdaKeyword,
    })
}

/// Replaces the free occurrences of lambda parameters in `body` (names compare
/// case-insensitively; `x.f` becomes `(replacement).f`).
pub(super) fn substitute(mut body: Expr, map: &[(String, Expr)]) -> Expr {
    struct Subst<'a> {
        map: &'a [(String, Expr)],
        /// Names rebound by the lambdas we are inside.
        shadowed: Vec<Vec<String>>,
    }
    impl Subst<'_> {
        fn replacement(&self, name: &str) -> Option<&Expr> {
            if self
                .shadowed
                .iter()
                .flatten()
                .any(|s| s.eq_ignore_ascii_case(name))
            {
                return None;
            }
            self.map
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, e)| e)
        }
    }
    impl VisitorMut for Subst<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
            if let Expr::Lambda(l) = expr {
                self.shadowed.push(lambda_params(l));
            }
            ControlFlow::Continue(())
        }
        fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
            match expr {
                Expr::Lambda(_) => {
                    self.shadowed.pop();
                }
                Expr::Identifier(i) => {
                    if let Some(r) = self.replacement(&i.value) {
                        *expr = paren(r.clone());
                    }
                }
                Expr::CompoundIdentifier(parts) if parts.len() > 1 => {
                    if let Some(r) = self.replacement(&parts[0].value) {
                        let access_chain = parts[1..]
                            .iter()
                            .map(|p| AccessExpr::Dot(Expr::Identifier(p.clone())))
                            .collect();
                        *expr = Expr::CompoundFieldAccess {
                            root: Box::new(Expr::Nested(Box::new(r.clone()))),
                            access_chain,
                        };
                    }
                }
                _ => {}
            }
            ControlFlow::Continue(())
        }
    }
    let mut s = Subst {
        map,
        shadowed: Vec::new(),
    };
    let _ = body.visit(&mut s);
    body
}

// ---- small builders -------------------------------------------------------------------------

/// `e`, parenthesised unless it is an atom (the printer does not add parentheses for
/// precedence, so a substituted `a + b` must become `(a + b)`).
pub(super) fn paren(e: Expr) -> Expr {
    match e {
        Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::CompoundFieldAccess { .. }
        | Expr::Value(_)
        | Expr::TypedString(_)
        | Expr::Function(_)
        | Expr::Cast { .. }
        | Expr::Nested(_)
        | Expr::Array(_)
        | Expr::Case { .. }
        | Expr::Lambda(_)
        | Expr::Subquery(_)
        | Expr::Dictionary(_)
        | Expr::Struct { .. }
        | Expr::Extract { .. }
        | Expr::Substring { .. }
        | Expr::Trim { .. }
        | Expr::Position { .. }
        | Expr::Ceil { .. }
        | Expr::Floor { .. } => e,
        other => Expr::Nested(Box::new(other)),
    }
}

pub(super) fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Nested(inner) => strip(inner),
        other => other,
    }
}

pub(super) fn take<const N: usize>(args: Vec<Expr>) -> Result<[Expr; N], String> {
    args.try_into()
        .map_err(|a: Vec<Expr>| format!("expected {N} arguments, got {}", a.len()))
}

pub(super) fn literal_string(e: &Expr) -> Option<&str> {
    match strip(e) {
        Expr::Value(ValueWithSpan {
            value: Value::SingleQuotedString(s),
            ..
        }) => Some(s),
        _ => None,
    }
}

pub(super) fn null() -> Expr {
    Expr::Value(Value::Null.into())
}

pub(super) fn string(s: &str) -> Expr {
    Expr::Value(Value::SingleQuotedString(s.to_string()).into())
}

pub(super) fn number(n: &str) -> Expr {
    Expr::Value(Value::Number(n.to_string(), false).into())
}

pub(super) fn call(name: &str, args: Vec<Expr>) -> Function {
    Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                .collect(),
            clauses: Vec::new(),
        }),
        within_group: Vec::new(),
        filter: None,
        null_treatment: None,
        over: None,
    }
}

pub(super) fn func(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(call(name, args))
}
