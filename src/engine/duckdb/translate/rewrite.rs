//! The walk over the syntax tree: each expression, table factor and function call is rewritten
//! after its children (division, date ± interval, literals, `UNNEST`, `EXTRACT`, calls through
//! [`FUNCTIONS`](super::FUNCTIONS)).

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, DataType, DateTimeField, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, LambdaSyntax, ObjectName, ObjectNamePart, Spanned, TableFactor,
    TableVersion, TimezoneInfo, Value, ValueWithSpan, VisitorMut,
};
use sqlparser::tokenizer::Span;

use super::expr::{
    call, func, function_name, instantiate, instantiate_query, null, number, paren, plain_args,
    string, strip,
};
use super::functions::{lookup, Mapping, Rewrite};
use super::scan::{time_travel, Positions};
use super::strings::WS;
use super::time::{at_time_zone, interval_amount, is_interval, rewrite_interval};
use super::types::rewrite_cast;
use super::Untranslatable;

pub(super) struct Rewriter<'a> {
    pub(super) positions: &'a Positions<'a>,
    pub(super) problems: Vec<Untranslatable>,
}

impl Rewriter<'_> {
    fn problem(&mut self, construct: impl Into<String>, span: Span, message: impl Into<String>) {
        self.problems.push(Untranslatable {
            construct: construct.into(),
            offset: self.positions.offset(span.start),
            message: message.into(),
        });
    }
}

impl VisitorMut for Rewriter<'_> {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            version: Some(version),
            name,
            ..
        } = factor
        {
            let kind = match version {
                TableVersion::VersionAsOf(_) => "FOR VERSION AS OF",
                _ => "FOR TIMESTAMP AS OF",
            };
            let offset = self.positions.offset(name.span().start);
            self.problems.push(time_travel(kind, offset));
        }
        ControlFlow::Continue(())
    }

    fn post_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let Err(message) = rewrite_unnest(factor) {
            let span = factor.span();
            self.problem("UNNEST", span, message);
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, query: &mut sqlparser::ast::Query) -> ControlFlow<()> {
        super::unnest_join::flatten(query);
        ControlFlow::Continue(())
    }

    fn pre_visit_ident(&mut self, ident: &mut Ident) -> ControlFlow<()> {
        if ident.quote_style == Some('`') {
            ident.quote_style = Some('"');
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match rewrite_expr(expr) {
            Ok(Some(new)) => *expr = paren(new),
            Ok(None) => {}
            // Only now the span (computing it walks the subtree): a call keeps its name's.
            Err((construct, message)) => {
                let span = expr.span();
                self.problem(construct, span, message);
            }
        }
        ControlFlow::Continue(())
    }
}

/// What went wrong: the construct and the message.
pub(super) type Problem = (String, String);

/// Rewrites one expression whose children are already rewritten; `Ok(None)` keeps it.
fn rewrite_expr(expr: &mut Expr) -> Result<Option<Expr>, Problem> {
    match expr {
        Expr::Function(f) => rewrite_function(f),
        Expr::Lambda(l) => {
            l.syntax = LambdaSyntax::LambdaKeyword;
            Ok(None)
        }
        Expr::BinaryOp { left, op, right } => Ok(rewrite_binary(left, op, right)),
        Expr::Cast {
            kind,
            expr: inner,
            data_type,
            ..
        } => rewrite_cast(kind.clone(), inner, data_type),
        Expr::AtTimeZone {
            timestamp,
            time_zone,
        } => Ok(Some(at_time_zone(
            std::mem::replace(timestamp.as_mut(), null()),
            std::mem::replace(time_zone.as_mut(), null()),
        ))),
        Expr::Interval(interval) => rewrite_interval(interval),
        Expr::Extract {
            field, expr: inner, ..
        } => rewrite_extract(field, inner),
        Expr::Substring {
            expr: inner,
            substring_from,
            substring_for,
            ..
        } => {
            let mut args = vec![std::mem::replace(inner.as_mut(), null())];
            args.push(
                substring_from
                    .as_deref()
                    .cloned()
                    .unwrap_or_else(|| number("1")),
            );
            if let Some(len) = substring_for {
                args.push(len.as_ref().clone());
            }
            let mut f = call("substr", args);
            Ok(Some(rewrite_function(&mut f)?.unwrap_or(Expr::Function(f))))
        }
        Expr::Trim {
            expr: inner,
            trim_where,
            trim_what: None,
            trim_characters: None,
        } => {
            let name = match trim_where {
                Some(sqlparser::ast::TrimWhereField::Leading) => "ltrim",
                Some(sqlparser::ast::TrimWhereField::Trailing) => "rtrim",
                _ => "trim",
            };
            Ok(Some(func(
                name,
                vec![std::mem::replace(inner.as_mut(), null()), string(WS)],
            )))
        }
        Expr::Value(ValueWithSpan { value, .. }) => Ok(rewrite_value(value)),
        Expr::TypedString(ts) => Ok(rewrite_typed_string(ts)),
        _ => Ok(None),
    }
}

fn rewrite_value(value: &mut Value) -> Option<Expr> {
    match value {
        Value::UnicodeStringLiteral(s) => {
            *value = Value::SingleQuotedString(std::mem::take(s));
            None
        }
        Value::HexStringLiteral(s) => Some(func("unhex", vec![string(s)])),
        _ => None,
    }
}

/// `TIMESTAMP '2024-01-01 00:00:00 Asia/Tokyo'` → `karte_with_timezone(TIMESTAMP '…', 'Asia/Tokyo')`.
fn rewrite_typed_string(ts: &sqlparser::ast::TypedString) -> Option<Expr> {
    if !matches!(ts.data_type, DataType::Timestamp(..)) {
        return None;
    }
    let Value::SingleQuotedString(text) = &ts.value.value else {
        return None;
    };
    let text = text.trim();
    // A zone is a last word (`UTC`, `Asia/Tokyo`, `+09:00`) or an offset glued to the time.
    let (local, zone) = match text.rfind(' ') {
        Some(i)
            if i > 10
                && text[i + 1..]
                    .starts_with(|c: char| c.is_ascii_alphabetic() || c == '+' || c == '-') =>
        {
            (&text[..i], &text[i + 1..])
        }
        _ => match text.get(11..).and_then(|t| t.find(['+', '-'])) {
            Some(i) => (&text[..11 + i], &text[11 + i..]),
            None => return None,
        },
    };
    let literal = Expr::TypedString(sqlparser::ast::TypedString {
        data_type: DataType::Timestamp(None, TimezoneInfo::None),
        value: ValueWithSpan {
            value: Value::SingleQuotedString(local.trim().to_string()),
            span: Span::empty(),
        },
        uses_odbc_syntax: false,
    });
    Some(func("karte_with_timezone", vec![literal, string(zone)]))
}

// ---- division and date ± interval ----------------------------------------------------------

fn rewrite_binary(left: &mut Expr, op: &mut BinaryOperator, right: &mut Expr) -> Option<Expr> {
    match op {
        BinaryOperator::Divide => {
            if !is_interval(left) && !is_interval(right) {
                *op = BinaryOperator::DuckIntegerDivide;
            }
            None
        }
        BinaryOperator::Plus | BinaryOperator::Minus
            if !(is_interval(left) && is_interval(right)) =>
        {
            let negate = matches!(op, BinaryOperator::Minus);
            let (value, interval) = if let Some(i) = interval_amount(right) {
                (left, i)
            } else if let (false, Some(i)) = (negate, interval_amount(left)) {
                (right, i)
            } else {
                return None;
            };
            let (unit, amount) = interval;
            let amount = if negate {
                amount.checked_neg()?
            } else {
                amount
            };
            Some(func(
                "karte_date_add",
                vec![
                    string(unit),
                    number(&amount.to_string()),
                    std::mem::replace(value, null()),
                ],
            ))
        }
        _ => None,
    }
}

// ---- UNNEST ---------------------------------------------------------------------------------

/// Trino's `UNNEST` forms DuckDB's table function lacks, as a lateral subquery:
/// several arrays zipped (`UNNEST(a, b) AS t(x, y)`), and one array of rows or one map
/// expanded into columns (`UNNEST(rows) AS t(a, b)`, `UNNEST(map) AS t(k, v)`).
fn rewrite_unnest(factor: &mut TableFactor) -> Result<(), String> {
    // The Athena dialect parses `UNNEST(…)` as a table function; other dialects as `UNNEST`.
    let (alias, array_exprs, with_ordinality) = match factor {
        TableFactor::UNNEST {
            alias,
            array_exprs,
            with_ordinality,
            ..
        } => (alias, array_exprs.clone(), *with_ordinality),
        TableFactor::Table {
            name,
            args: Some(args),
            alias,
            with_ordinality,
            ..
        } if name.0.len() == 1 && name.to_string().eq_ignore_ascii_case("unnest") => {
            let exprs: Option<Vec<Expr>> = args
                .args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                    _ => None,
                })
                .collect();
            match exprs {
                Some(exprs) => (alias, exprs, *with_ordinality),
                None => return Ok(()),
            }
        }
        _ => return Ok(()),
    };
    let columns = alias.as_ref().map_or(0, |a| a.columns.len());
    let ordinality = usize::from(with_ordinality);
    let arrays = array_exprs.len();
    let mut select: Vec<String> = Vec::new();
    if arrays >= 2 {
        select.extend((1..=arrays).map(|i| format!("unnest(${i})")));
        if ordinality == 1 {
            let lens: Vec<String> = (1..=arrays).map(|i| format!("len(${i})")).collect();
            select.push(format!(
                "unnest(range(1, greatest({}) + 1))",
                lens.join(", ")
            ));
        }
    } else if arrays == 1 && columns > 1 + ordinality {
        // Trino expands a row into its fields and a map into key and value.
        let entries = if is_map(&array_exprs[0]) {
            "map_entries($1)"
        } else {
            "$1"
        };
        select.push(format!("unnest({entries}, recursive := true)"));
        if ordinality == 1 {
            select.push(format!("unnest(range(1, len({entries}) + 1))"));
        }
    } else {
        return Ok(());
    }
    let template = format!("SELECT {}", select.join(", "));
    let subquery = instantiate_query(&template, &array_exprs)?;
    let alias = alias.take();
    *factor = TableFactor::Derived {
        lateral: false,
        subquery,
        alias,
        sample: None,
    };
    Ok(())
}

/// True if `e` is visibly a map (a map constructor, cast or map-returning function).
fn is_map(e: &Expr) -> bool {
    match strip(e) {
        Expr::Cast { data_type, .. } => matches!(data_type, DataType::Map(..)),
        Expr::Function(f) => matches!(
            function_name(f).as_str(),
            "map" | "map_from_entries" | "map_concat" | "histogram"
        ),
        _ => false,
    }
}

// ---- EXTRACT --------------------------------------------------------------------------------

fn rewrite_extract(field: &DateTimeField, inner: &mut Expr) -> Result<Option<Expr>, Problem> {
    let name = match field {
        DateTimeField::Year => "year",
        DateTimeField::Quarter => "quarter",
        DateTimeField::Month => "month",
        DateTimeField::Week(None) => "week",
        DateTimeField::Day => "day",
        DateTimeField::DayOfWeek | DateTimeField::Dow => "day_of_week",
        DateTimeField::DayOfYear | DateTimeField::Doy => "day_of_year",
        DateTimeField::Hour => "hour",
        DateTimeField::Minute => "minute",
        DateTimeField::Second => "second",
        DateTimeField::Millisecond => "millisecond",
        DateTimeField::TimezoneHour | DateTimeField::TimezoneMinute => {
            return Err((
                format!("EXTRACT({field})"),
                "time zone offsets are not kept by the local engine".into(),
            ))
        }
        DateTimeField::Custom(ident) => {
            let lower = ident.value.to_ascii_lowercase();
            match lower.as_str() {
                "day_of_week" | "dow" => "day_of_week",
                "day_of_year" | "doy" => "day_of_year",
                "day_of_month" => "day",
                "year_of_week" | "yow" => "year_of_week",
                _ => return Ok(None),
            }
        }
        _ => return Ok(None),
    };
    let mut f = call(name, vec![std::mem::replace(inner, null())]);
    Ok(Some(rewrite_function(&mut f)?.unwrap_or(Expr::Function(f))))
}

// ---- function calls -------------------------------------------------------------------------

/// Applies [`FUNCTIONS`](super::FUNCTIONS) to one call; `Ok(None)` keeps it.
fn rewrite_function(f: &mut Function) -> Result<Option<Expr>, Problem> {
    if f.name.0.len() != 1 {
        return Ok(None);
    }
    let name = function_name(f);
    let Some(args) = plain_args(f) else {
        // Named arguments or wildcards: only renames and refusals apply.
        return match lookup(&name, usize::MAX - 1) {
            Some(Mapping {
                rewrite: Rewrite::Unsupported(reason),
                ..
            }) => Err((name, (*reason).to_string())),
            _ => Ok(None),
        };
    };
    // Argument counts without a row run as written (DuckDB has them, or rejects them).
    let Some(mapping) = lookup(&name, args.len()) else {
        return Ok(None);
    };
    let result = match mapping.rewrite {
        Rewrite::Rename(new) | Rewrite::Udf(new) => {
            f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(new))]);
            return Ok(None);
        }
        Rewrite::Unsupported(reason) => return Err((name, reason.to_string())),
        Rewrite::Template(template) => instantiate(template, &args),
        Rewrite::Custom(rewrite) => rewrite(f, args),
        Rewrite::Aggregate(rewrite) => {
            return rewrite(f, args).map(Some).map_err(|m| (name, m));
        }
    };
    let mut result = result.map_err(|m| (name.clone(), m))?;
    carry_clauses(f, &mut result).map_err(|m| (name, m))?;
    Ok(Some(result))
}

/// Moves `OVER`, `FILTER`, `DISTINCT`, … of the original call onto the rewritten one.
pub(super) fn carry_clauses(original: &Function, result: &mut Expr) -> Result<(), String> {
    let (distinct, clauses) = match &original.args {
        FunctionArguments::List(list) => (list.duplicate_treatment, list.clauses.clone()),
        _ => (None, Vec::new()),
    };
    let within = original.within_group.clone();
    let has_any = original.over.is_some()
        || original.filter.is_some()
        || original.null_treatment.is_some()
        || distinct.is_some()
        || !clauses.is_empty()
        || !within.is_empty();
    if !has_any {
        return Ok(());
    }
    let Expr::Function(target) = result else {
        return Err(format!(
            "{} with OVER, FILTER, DISTINCT or ORDER BY has no local equivalent",
            function_name(original)
        ));
    };
    if original.over.is_some() {
        target.over = original.over.clone();
    }
    if original.filter.is_some() {
        target.filter = match (target.filter.take(), original.filter.clone()) {
            (Some(a), Some(b)) => Some(Box::new(Expr::BinaryOp {
                left: Box::new(Expr::Nested(a)),
                op: BinaryOperator::And,
                right: Box::new(Expr::Nested(b)),
            })),
            (a, b) => a.or(b),
        };
    }
    if original.null_treatment.is_some() {
        target.null_treatment = original.null_treatment;
    }
    if !within.is_empty() {
        target.within_group = within;
    }
    if let FunctionArguments::List(list) = &mut target.args {
        if list.duplicate_treatment.is_none() {
            list.duplicate_treatment = distinct;
        }
        list.clauses.extend(clauses);
    }
    Ok(())
}
