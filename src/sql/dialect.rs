//! The SQL dialect of Amazon Athena (engine version 3, which is Trino).
//!
//! sqlparser has no Trino dialect, so [`AthenaDialect`] switches on the hooks that match Trino's
//! grammar and adds one hook of its own: Trino's parenthesised complex types in casts
//! (`CAST(x AS ARRAY(VARCHAR))`, `MAP(VARCHAR, INTEGER)`, `ROW(a INTEGER, b VARCHAR)`), which
//! sqlparser otherwise only accepts for ClickHouse.
//!
//! Trino's time travel (`FROM t FOR TIMESTAMP AS OF …`) is handled outside the dialect: the
//! analysis drops the `FOR` token so that sqlparser's `TIMESTAMP AS OF` form applies (see
//! [`crate::sql::analyze_sql`]).
//!
//! Known Trino constructs that sqlparser 0.63 still cannot parse with this dialect (the analysis
//! then falls back to a token scan):
//!
//! - `VALUES` rows without parentheses: `VALUES 1, 2, 3` (`VALUES (1), (2)` parses);
//! - SQL/JSON clauses: `json_query(j, 'lax $.a' WITH ARRAY WRAPPER)`, `json_object(KEY 'a'
//!   VALUE x)` (plain `json_query(j, path)`, `json_value`, `json_exists` parse);
//! - `trim(BOTH FROM x)` without a trim character (`trim(BOTH ' ' FROM x)` parses);
//! - `GROUP BY DISTINCT …` / `GROUP BY ALL …`;
//! - interval types in casts: `CAST(x AS INTERVAL DAY TO SECOND)`.

use sqlparser::ast::{
    ArrayElemTypeDef, CastKind, DataType, Expr, MapBracketKind, StructBracketKind, StructField,
};
use sqlparser::dialect::Dialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// Deepest nesting of `ARRAY(…)` / `MAP(…)` / `ROW(…)` types accepted in a cast; deeper input
/// is a parse error rather than a stack overflow.
const MAX_TYPE_DEPTH: usize = 32;

/// The SQL dialect of Amazon Athena (Trino), for use with sqlparser.
///
/// Identifiers are ASCII or Unicode letters, `_` and digits (so Japanese column names work
/// unquoted); `"…"` and `` `…` `` delimit quoted identifiers. Lambdas (`x -> x + 1`), `FILTER
/// (WHERE …)` on aggregates, `ARRAY[…]`, subscripts, `TRY_CAST`, `UNNEST … WITH ORDINALITY`,
/// `AT TIME ZONE`, typed literals, window functions, `GROUPING SETS`, `MATCH_RECOGNIZE` and
/// Trino's parenthesised complex types in casts are supported.
#[derive(Debug, Default, Clone, Copy)]
pub struct AthenaDialect;

impl Dialect for AthenaDialect {
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        ch == '"' || ch == '`'
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        ch.is_ascii_alphabetic() || ch == '_' || (!ch.is_ascii() && ch.is_alphabetic())
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        ch.is_ascii_alphanumeric() || ch == '_' || (!ch.is_ascii() && ch.is_alphabetic())
    }

    fn supports_unicode_string_literal(&self) -> bool {
        true
    }

    fn supports_filter_during_aggregation(&self) -> bool {
        true
    }

    fn supports_within_after_array_aggregation(&self) -> bool {
        true
    }

    fn supports_group_by_expr(&self) -> bool {
        true
    }

    fn supports_match_recognize(&self) -> bool {
        true
    }

    fn supports_lambda_functions(&self) -> bool {
        true
    }

    fn supports_named_fn_args_with_rarrow_operator(&self) -> bool {
        true
    }

    fn supports_window_clause_named_window_reference(&self) -> bool {
        true
    }

    fn supports_parens_around_table_factor(&self) -> bool {
        true
    }

    fn supports_values_as_table_factor(&self) -> bool {
        true
    }

    fn supports_table_versioning(&self) -> bool {
        true
    }

    fn supports_explain_with_utility_options(&self) -> bool {
        true
    }

    fn supports_create_table_select(&self) -> bool {
        true
    }

    fn supports_comment_on(&self) -> bool {
        true
    }

    fn require_interval_qualifier(&self) -> bool {
        true
    }

    fn supports_notnull_operator(&self) -> bool {
        false
    }

    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        let kind = match &parser.peek_token_ref().token {
            Token::Word(w) if w.quote_style.is_none() && w.keyword == Keyword::CAST => {
                CastKind::Cast
            }
            Token::Word(w) if w.quote_style.is_none() && w.keyword == Keyword::TRY_CAST => {
                CastKind::TryCast
            }
            _ => return None,
        };
        if parser.peek_nth_token_ref(1).token != Token::LParen {
            return None;
        }
        parser.next_token();
        Some(parse_cast(parser, kind))
    }
}

/// Parses `( expr AS type )` after `CAST` / `TRY_CAST`, with Trino's complex types.
fn parse_cast(parser: &mut Parser, kind: CastKind) -> Result<Expr, ParserError> {
    parser.expect_token(&Token::LParen)?;
    let expr = parser.parse_expr()?;
    parser.expect_keyword_is(Keyword::AS)?;
    let data_type = parse_trino_type(parser, 0)?;
    parser.expect_token(&Token::RParen)?;
    Ok(Expr::Cast {
        kind,
        expr: Box::new(expr),
        data_type,
        format: None,
    })
}

/// Which Trino complex type, if any, starts at the parser's position (`ARRAY(`, `MAP(`, `ROW(`).
fn complex_type_ahead(parser: &Parser) -> Option<Keyword> {
    let Token::Word(w) = &parser.peek_token_ref().token else {
        return None;
    };
    if w.quote_style.is_some() || parser.peek_nth_token_ref(1).token != Token::LParen {
        return None;
    }
    matches!(w.keyword, Keyword::ARRAY | Keyword::MAP | Keyword::ROW).then_some(w.keyword)
}

/// Parses a data type, handling Trino's `ARRAY(T)`, `MAP(K, V)` and `ROW([name] T, …)` and
/// delegating every other type to sqlparser.
fn parse_trino_type(parser: &mut Parser, depth: usize) -> Result<DataType, ParserError> {
    let Some(keyword) = complex_type_ahead(parser) else {
        return parser.parse_data_type();
    };
    if depth >= MAX_TYPE_DEPTH {
        return Err(ParserError::RecursionLimitExceeded);
    }
    parser.next_token();
    parser.expect_token(&Token::LParen)?;
    let data_type = match keyword {
        Keyword::ARRAY => {
            let element = parse_trino_type(parser, depth + 1)?;
            DataType::Array(ArrayElemTypeDef::Parenthesis(Box::new(element)))
        }
        Keyword::MAP => {
            let key = parse_trino_type(parser, depth + 1)?;
            parser.expect_token(&Token::Comma)?;
            let value = parse_trino_type(parser, depth + 1)?;
            DataType::Map(Box::new(key), Box::new(value), MapBracketKind::Parentheses)
        }
        _ => {
            let fields = parser.parse_comma_separated(|p| parse_row_field(p, depth + 1))?;
            DataType::Struct(fields, StructBracketKind::Parentheses)
        }
    };
    parser.expect_token(&Token::RParen)?;
    Ok(data_type)
}

/// Parses one field of `ROW(…)`: `name type` or just `type`.
fn parse_row_field(parser: &mut Parser, depth: usize) -> Result<StructField, ParserError> {
    // A field is named when an identifier is followed by something that is not the end of the
    // field or the parameter list of a type (`ROW(VARCHAR)`, `ROW(DECIMAL(10, 2))`).
    let named = matches!(parser.peek_token_ref().token, Token::Word(_))
        && complex_type_ahead(parser).is_none()
        && !matches!(
            parser.peek_nth_token_ref(1).token,
            Token::Comma | Token::RParen | Token::LParen | Token::EOF
        );
    let field_name = if named {
        Some(parser.parse_identifier()?)
    } else {
        None
    };
    let field_type = parse_trino_type(parser, depth)?;
    Ok(StructField {
        field_name,
        field_type,
        options: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::{visit_expressions, Statement};
    use std::ops::ControlFlow;

    fn parse(sql: &str) -> Result<Vec<Statement>, ParserError> {
        Parser::parse_sql(&AthenaDialect, sql)
    }

    fn parse_ok(sql: &str) -> Vec<Statement> {
        match parse(sql) {
            Ok(statements) => statements,
            Err(e) => panic!("{sql:?} did not parse: {e}"),
        }
    }

    /// True if some expression in `sql` satisfies `pred`.
    fn has_expr(sql: &str, pred: impl Fn(&Expr) -> bool) -> bool {
        let statements = parse_ok(sql);
        visit_expressions(&statements, |e| {
            if pred(e) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .is_break()
    }

    #[test]
    fn identifiers_ascii_and_japanese() {
        parse_ok("select 患者id, _x1, \"年 齢\", `b` from silver.受診履歴");
        assert!(AthenaDialect.is_identifier_start('患'));
        assert!(AthenaDialect.is_identifier_part('ー'));
        assert!(!AthenaDialect.is_identifier_start('1'));
        assert!(!AthenaDialect.is_identifier_start('（'));
        assert!(!AthenaDialect.is_identifier_part('$'));
    }

    #[test]
    fn lambdas_are_lambdas() {
        let is_lambda = |e: &Expr| matches!(e, Expr::Lambda(_));
        assert!(has_expr(
            "select transform(xs, x -> x + 1) from t",
            is_lambda
        ));
        assert!(has_expr(
            "select zip_with(a, b, (x, y) -> x + y) from t",
            is_lambda
        ));
        assert!(has_expr(
            "select reduce(xs, 0, (s, x) -> s + x, s -> s) from t",
            is_lambda
        ));
        assert!(has_expr(
            "select filter(xs, x -> x is not null) from t",
            is_lambda
        ));
        assert!(!has_expr("select transform(xs, x -> x + 1) from t", |e| {
            matches!(e, Expr::BinaryOp { op, .. } if op.to_string() == "->")
        }));
    }

    #[test]
    fn named_arguments() {
        parse_ok(
            "select * from table(exclude_columns(input => table(t), columns => descriptor(a)))",
        );
        parse_ok("select f(a => 1, b => 'x')");
    }

    #[test]
    fn filter_on_aggregates() {
        assert!(has_expr(
            "select count(*) filter (where x > 0) from t",
            |e| matches!(e, Expr::Function(f) if f.filter.is_some())
        ));
    }

    #[test]
    fn arrays_subscripts_maps_rows() {
        assert!(has_expr("select array[1, 2, 3]", |e| matches!(
            e,
            Expr::Array(_)
        )));
        assert!(has_expr("select xs[1], m['k'] from t", |e| {
            matches!(e, Expr::CompoundFieldAccess { .. })
        }));
        parse_ok("select map(array['a', 'b'], array[1, 2]), element_at(m, 'a') from t");
        parse_ok("select map_from_entries(array[row('a', 1)]), cardinality(array[])");
        parse_ok("select row(1, 'a'), cast(row(1, 2) as row(a integer, b integer))");
    }

    #[test]
    fn casts_including_trino_complex_types() {
        assert!(has_expr("select try_cast(x as integer) from t", |e| {
            matches!(
                e,
                Expr::Cast {
                    kind: CastKind::TryCast,
                    ..
                }
            )
        }));
        assert!(has_expr(
            "select cast(json_parse(j) as array(map(varchar, json))) from t",
            |e| matches!(
                e,
                Expr::Cast {
                    data_type: DataType::Array(ArrayElemTypeDef::Parenthesis(_)),
                    ..
                }
            )
        ));
        parse_ok("select cast(x as array(varchar)), try_cast(y as map(varchar, array(bigint)))");
        parse_ok("select cast(r as row(id bigint, tags array(varchar), \"from\" varchar))");
        parse_ok("select cast(r as row(varchar, decimal(10, 2), timestamp(3)))");
        parse_ok(
            "select cast(x as decimal(10, 2)), cast(t as timestamp(3) with time zone), \
             cast(y as varchar), cast(z as double), cast(w as real), cast(j as json)",
        );
        parse_ok("select cast(x as array<varchar>)");
        // `cast` as a plain name is still a name.
        parse_ok("select cast from t");
        assert!(parse("select cast(x as array(varchar) from t").is_err());
    }

    #[test]
    fn deeply_nested_cast_types_do_not_overflow() {
        let depth = 5_000;
        let sql = format!(
            "select cast(x as {}varchar{})",
            "array(".repeat(depth),
            ")".repeat(depth)
        );
        assert!(parse(&sql).is_err());
    }

    #[test]
    fn unnest_with_ordinality() {
        parse_ok("select t.id, u.x, u.n from t cross join unnest(t.xs) with ordinality as u(x, n)");
        parse_ok("select * from t, unnest(t.m) as u(k, v)");
        parse_ok("select * from t cross join unnest(a, b) as u(x, y)");
    }

    #[test]
    fn time_and_intervals() {
        assert!(has_expr(
            "select ts at time zone 'Asia/Tokyo' from t",
            |e| matches!(e, Expr::AtTimeZone { .. })
        ));
        parse_ok("select date '2024-01-01', timestamp '2024-01-01 00:00:00'");
        parse_ok("select current_date - interval '7' day, ts + interval '1' hour from t");
        parse_ok("select date_add('day', 1, d), date_diff('day', a, b), date_trunc('month', ts)");
        parse_ok("select extract(year from d), year(d), current_timestamp, localtimestamp");
    }

    #[test]
    fn window_functions() {
        parse_ok(
            "select row_number() over (partition by a order by b desc nulls last), \
             sum(x) over (order by d rows between unbounded preceding and current row), \
             lag(x, 1) ignore nulls over (partition by a order by d), \
             avg(x) over w \
             from t window w as (partition by a)",
        );
    }

    #[test]
    fn grouping_and_ordering() {
        parse_ok("select a, b, count(*) from t group by 1, 2 order by 3 desc nulls last limit 10");
        parse_ok("select a, b, sum(x) from t group by grouping sets ((a), (a, b), ())");
        parse_ok("select a, b, sum(x) from t group by rollup (a, b)");
        parse_ok("select * from t order by a offset 10 rows fetch first 5 rows only");
    }

    #[test]
    fn unparsed_constructs_do_not_panic() {
        for sql in [
            "select * from t for timestamp as of timestamp '2024-01-01 00:00:00'",
            "select x from t match_recognize (",
            "select cast(",
            "select array(",
            "select cast(x as row(",
            "select ((((((((",
            "select x -> ",
            "",
            "   ",
            "-- only a comment",
            "select '患者",
        ] {
            let _ = parse(sql);
        }
    }
}
