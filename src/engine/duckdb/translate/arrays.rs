//! Lambdas, arrays and maps: the custom rewrites of `reduce`, `zip_with`, the match
//! functions, map lambdas, `cardinality`, `reverse` and `concat`.

use sqlparser::ast::{AccessExpr, BinaryOperator, DataType, Expr, Function, Ident, UnaryOperator};

use super::expr::{
    call_parts, func, function_name, instantiate, lambda, lambda_of, lambda_params, paren, strip,
    substitute, take,
};
use super::functions::SKETCH;

// ---- lambdas --------------------------------------------------------------------------------

pub(super) fn rw_reduce(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [array, initial, step, output] = take::<4>(args)?;
    let step = lambda_of(step, 2, "reduce")?;
    let output = lambda_of(output, 1, "reduce")?;
    // DuckDB's list_reduce needs the state and the elements to have one type, so both travel
    // in a struct {s: state, x: element}.
    let names = lambda_params(&step);
    let field = |root: &str, f: &str| Expr::CompoundFieldAccess {
        root: Box::new(Expr::Identifier(Ident::new(root))),
        access_chain: vec![AccessExpr::Dot(Expr::Identifier(Ident::new(f)))],
    };
    let body = substitute(
        *step.body,
        &[
            (names[0].clone(), field("__acc", "s")),
            (names[1].clone(), field("__e", "x")),
        ],
    );
    let reduced = instantiate(
        "struct_extract(list_reduce(list_transform($1, lambda __x : {'s': NULL, 'x': __x}), \
         lambda __acc, __e : {'s': $3, 'x': __e.x}, {'s': $2, 'x': NULL}), 's')",
        &[array, initial, body],
    )?;
    let param = &lambda_params(&output)[0];
    if matches!(output.body.as_ref(), Expr::Identifier(i) if i.value.eq_ignore_ascii_case(param)) {
        return Ok(reduced);
    }
    Ok(substitute(*output.body, &[(param.clone(), reduced)]))
}

pub(super) fn rw_zip_with(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [a, b, f] = take::<3>(args)?;
    let f = lambda_of(f, 2, "zip_with")?;
    let params = lambda_params(&f);
    let z = Expr::Identifier(Ident::new("__z"));
    let field = |n: &str| Expr::CompoundFieldAccess {
        root: Box::new(z.clone()),
        access_chain: vec![AccessExpr::Dot(Expr::Identifier(Ident::new(n)))],
    };
    let body = substitute(
        *f.body,
        &[
            (params[0].clone(), field("a")),
            (params[1].clone(), field("b")),
        ],
    );
    let zipped = instantiate("list_zip($1, $2)", &[a, b])?;
    // list_zip's struct fields are named after its arguments; name them.
    let renamed = instantiate(
        "list_transform($1, lambda __p : {'a': __p[1], 'b': __p[2]})",
        &[zipped],
    )?;
    Ok(func(
        "list_transform",
        vec![renamed, lambda(&["__z"], body)],
    ))
}

/// The lambdas `x -> p`, `x -> NOT p` and `x -> p IS NULL` of a match function.
fn match_lambdas(args: Vec<Expr>, name: &str) -> Result<Vec<Expr>, String> {
    let [array, f] = take::<2>(args)?;
    let f = lambda_of(f, 1, name)?;
    let param = lambda_params(&f)[0].clone();
    let p = *f.body;
    let nested = Expr::Nested(Box::new(p.clone()));
    Ok(vec![
        array,
        lambda(&[&param], p),
        lambda(
            &[&param],
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr: Box::new(nested.clone()),
            },
        ),
        lambda(&[&param], Expr::IsNull(Box::new(nested))),
    ])
}

pub(super) fn rw_any_match(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    instantiate(
        "CASE WHEN $1 IS NULL THEN NULL WHEN len(list_filter($1, $2)) > 0 THEN true \
         WHEN len(list_filter($1, $4)) > 0 THEN NULL ELSE false END",
        &match_lambdas(args, "any_match")?,
    )
}

pub(super) fn rw_all_match(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    instantiate(
        "CASE WHEN $1 IS NULL THEN NULL WHEN len(list_filter($1, $3)) > 0 THEN false \
         WHEN len(list_filter($1, $4)) > 0 THEN NULL ELSE true END",
        &match_lambdas(args, "all_match")?,
    )
}

pub(super) fn rw_none_match(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    instantiate(
        "CASE WHEN $1 IS NULL THEN NULL WHEN len(list_filter($1, $2)) > 0 THEN false \
         WHEN len(list_filter($1, $4)) > 0 THEN NULL ELSE true END",
        &match_lambdas(args, "none_match")?,
    )
}

/// The body of a `(k, v) -> body` map lambda with `k`/`v` replaced by `__e.key`/`__e.value`.
fn map_lambda_body(f: Expr, name: &str) -> Result<Expr, String> {
    let f = lambda_of(f, 2, name)?;
    let params = lambda_params(&f);
    let entry = |field: &str| Expr::CompoundFieldAccess {
        root: Box::new(Expr::Identifier(Ident::new("__e"))),
        access_chain: vec![AccessExpr::Dot(Expr::Identifier(Ident::new(field)))],
    };
    Ok(substitute(
        *f.body,
        &[
            (params[0].clone(), entry("key")),
            (params[1].clone(), entry("value")),
        ],
    ))
}

pub(super) fn rw_transform_values(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [map, f] = take::<2>(args)?;
    let body = map_lambda_body(f, "transform_values")?;
    instantiate(
        "map_from_entries(list_transform(map_entries($1), lambda __e : {'key': __e.key, 'value': $2}))",
        &[map, body],
    )
}

pub(super) fn rw_transform_keys(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [map, f] = take::<2>(args)?;
    let body = map_lambda_body(f, "transform_keys")?;
    instantiate(
        "map_from_entries(list_transform(map_entries($1), lambda __e : {'key': $2, 'value': __e.value}))",
        &[map, body],
    )
}

pub(super) fn rw_map_filter(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [map, f] = take::<2>(args)?;
    let body = map_lambda_body(f, "map_filter")?;
    instantiate(
        "map_from_entries(list_filter(map_entries($1), lambda __e : $2))",
        &[map, body],
    )
}

// ---- arrays and maps -----------------------------------------------------------------------

pub(super) fn rw_cardinality(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [x] = take::<1>(args)?;
    if let Some((name, _)) = call_parts(&x) {
        if matches!(name.as_str(), "approx_set" | "merge" | "empty_approx_set") {
            return Err(SKETCH.into());
        }
    }
    Ok(func("karte_cardinality", vec![x]))
}

/// `reverse` of a string, or of an expression that is visibly an array.
pub(super) fn rw_reverse(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [x] = take::<1>(args)?;
    Ok(func(
        if is_array(&x) {
            "list_reverse"
        } else {
            "reverse"
        },
        vec![x],
    ))
}

/// True if `e` is visibly an array: a literal, a cast to an array type, or a call of a
/// function that returns one (after translation).
fn is_array(e: &Expr) -> bool {
    match strip(e) {
        Expr::Array(_) => true,
        Expr::Cast { data_type, .. } => matches!(data_type, DataType::Array(_)),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::StringConcat,
            right,
        } => is_array(left) || is_array(right),
        Expr::Function(f) => {
            let name = function_name(f);
            name.starts_with("list_")
                || matches!(
                    name.as_str(),
                    "string_split"
                        | "regexp_split_to_array"
                        | "regexp_extract_all"
                        | "karte_sequence"
                        | "generate_series"
                        | "map_keys"
                        | "map_values"
                        | "map_entries"
                        | "array_agg"
                        | "list"
                        | "flatten"
                )
        }
        _ => false,
    }
}

pub(super) fn rw_concat(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    // `||` is NULL when an operand is NULL, as Trino's concat (DuckDB's concat skips NULLs).
    let mut args = args.into_iter();
    let first = paren(args.next().ok_or("concat needs an argument")?);
    Ok(args.fold(first, |acc, e| Expr::BinaryOp {
        left: Box::new(acc),
        op: BinaryOperator::StringConcat,
        right: Box::new(paren(e)),
    }))
}
