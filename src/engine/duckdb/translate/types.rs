//! `CAST`/`TRY_CAST` and Trino types as DuckDB types.

use sqlparser::ast::{
    ArrayElemTypeDef, CastKind, CharacterLength, DataType, ExactNumberInfo, Expr, Ident,
    MapBracketKind, StructBracketKind, StructField, TimezoneInfo,
};

use super::expr::{call_parts, func, function_name, null, number, string, strip};
use super::rewrite::Problem;

pub(super) fn rewrite_cast(
    kind: CastKind,
    inner: &mut Expr,
    data_type: &mut DataType,
) -> Result<Option<Expr>, Problem> {
    let try_cast = matches!(kind, CastKind::TryCast | CastKind::SafeCast);
    let padded = matches!(data_type, DataType::Char(_) | DataType::Character(_));
    match data_type {
        DataType::JSON => {
            return Ok(Some(func(
                "to_json",
                vec![std::mem::replace(inner, null())],
            )))
        }
        DataType::Varchar(len)
        | DataType::CharVarying(len)
        | DataType::CharacterVarying(len)
        | DataType::Char(len)
        | DataType::Character(len) => {
            let n = match len {
                Some(CharacterLength::IntegerLength { length, .. }) => Some(*length),
                _ if padded => Some(1),
                _ => None,
            };
            let value = std::mem::replace(inner, null());
            let text = varchar_of(value, try_cast);
            return Ok(Some(match n {
                None => text,
                Some(n) if padded => func(
                    "rpad",
                    vec![
                        func("left", vec![text, number(&n.to_string())]),
                        number(&n.to_string()),
                        string(" "),
                    ],
                ),
                Some(n) => func("left", vec![text, number(&n.to_string())]),
            }));
        }
        _ => {}
    }
    *data_type = duck_type(data_type).map_err(|m| (format!("CAST(… AS {data_type})"), m))?;
    Ok(None)
}

/// `CAST(x AS VARCHAR)`, with Trino's text for zoned timestamps and JSON values.
fn varchar_of(value: Expr, try_cast: bool) -> Expr {
    if let Some((name, args)) = call_parts(&value) {
        match (name.as_str(), args.as_slice()) {
            ("karte_with_timezone", [ts, zone]) => {
                return func("karte_tz_text", vec![ts.clone(), zone.clone()])
            }
            ("karte_at_time_zone", [_, zone]) => {
                let zone = zone.clone();
                return func("karte_tz_text", vec![value, zone]);
            }
            _ => {}
        }
    }
    if is_json(&value) {
        return func("json_extract_string", vec![value, string("$")]);
    }
    Expr::Cast {
        kind: if try_cast {
            CastKind::TryCast
        } else {
            CastKind::Cast
        },
        expr: Box::new(value),
        data_type: DataType::Varchar(None),
        format: None,
    }
}

/// True if `e` visibly has DuckDB's JSON type (a translated JSON function or cast).
fn is_json(e: &Expr) -> bool {
    match strip(e) {
        Expr::Function(f) => matches!(
            function_name(f).as_str(),
            "json" | "json_extract" | "to_json"
        ),
        Expr::Case {
            conditions,
            else_result,
            ..
        } => {
            !conditions.is_empty()
                && conditions.iter().all(|c| is_json(&c.result))
                && else_result.as_deref().is_none_or(is_json)
        }
        Expr::Cast { data_type, .. } => matches!(data_type, DataType::JSON),
        _ => false,
    }
}

/// The DuckDB type for a Trino type.
fn duck_type(t: &DataType) -> Result<DataType, String> {
    Ok(match t {
        DataType::Array(
            ArrayElemTypeDef::Parenthesis(e)
            | ArrayElemTypeDef::AngleBracket(e)
            | ArrayElemTypeDef::SquareBracket(e, _),
        ) => DataType::Array(ArrayElemTypeDef::SquareBracket(
            Box::new(duck_type(e)?),
            None,
        )),
        DataType::Map(k, v, _) => DataType::Map(
            Box::new(duck_type(k)?),
            Box::new(duck_type(v)?),
            MapBracketKind::Parentheses,
        ),
        DataType::Struct(fields, _) => {
            let fields = fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    Ok(StructField {
                        field_name: Some(
                            f.field_name
                                .clone()
                                .unwrap_or_else(|| Ident::new(format!("f{}", i + 1))),
                        ),
                        field_type: duck_type(&f.field_type)?,
                        options: None,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            DataType::Struct(fields, StructBracketKind::Parentheses)
        }
        DataType::Varchar(_)
        | DataType::CharVarying(_)
        | DataType::CharacterVarying(_)
        | DataType::Char(_)
        | DataType::Character(_)
        | DataType::String(_)
        | DataType::Text => DataType::Varchar(None),
        DataType::Decimal(ExactNumberInfo::None) | DataType::Numeric(ExactNumberInfo::None) => {
            DataType::Decimal(ExactNumberInfo::PrecisionAndScale(38, 0))
        }
        DataType::Decimal(ExactNumberInfo::Precision(p))
        | DataType::Numeric(ExactNumberInfo::Precision(p)) => {
            DataType::Decimal(ExactNumberInfo::PrecisionAndScale(*p, 0))
        }
        DataType::Timestamp(..) => DataType::Timestamp(None, TimezoneInfo::None),
        DataType::Time(..) => DataType::Time(None, TimezoneInfo::None),
        DataType::Varbinary(_) | DataType::Binary(_) => DataType::Blob(None),
        DataType::Double(_) | DataType::DoublePrecision => DataType::Double(ExactNumberInfo::None),
        DataType::Custom(name, _) => {
            let lower = name.to_string().to_ascii_lowercase();
            match lower.as_str() {
                "hyperloglog" | "p4hyperloglog" | "qdigest" | "tdigest" | "setdigest" => {
                    return Err(format!("the {lower} sketch type only exists on Athena"))
                }
                "geometry" | "sphericalgeography" | "bingtile" => {
                    return Err(format!("the {lower} type only exists on Athena"))
                }
                "ipaddress" | "ipprefix" => {
                    return Err(format!("the {lower} type has no local equivalent"))
                }
                _ => t.clone(),
            }
        }
        other => other.clone(),
    })
}
