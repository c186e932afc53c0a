//! Strings, regular expressions and JSON: `regexp_replace`, `format`, `trim`, `normalize`, the
//! SQL/JSON functions.

use sqlparser::ast::{CastKind, DataType, Expr, Function};

use super::expr::{func, function_name, instantiate, literal_string, null, string, take};

/// Characters Trino's `trim`/`ltrim`/`rtrim` remove (Java's `Character.isWhitespace`).
pub(super) const WS: &str =
    " \t\n\u{b}\u{c}\r\u{1c}\u{1d}\u{1e}\u{1f}\u{1680}\u{2000}\u{2001}\u{2002}\
                  \u{2003}\u{2004}\u{2005}\u{2006}\u{2008}\u{2009}\u{200a}\u{2028}\u{2029}\
                  \u{205f}\u{3000}";

pub(super) fn rw_regexp_replace(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [s, pattern, replacement] = take::<3>(args)?;
    if matches!(replacement, Expr::Lambda(_)) {
        return Err("regexp_replace with a lambda has no local equivalent".into());
    }
    let replacement = match literal_string(&replacement) {
        Some(r) => string(&re2_replacement(r)?),
        // Not a literal: translate `$n` at run time.
        None => instantiate(
            "regexp_replace($1, '\\$([0-9])', '\\\\\\1', 'g')",
            &[replacement],
        )?,
    };
    Ok(func(
        "regexp_replace",
        vec![s, pattern, replacement, string("g")],
    ))
}

/// A Java replacement string (`$1`, `\$`) as an RE2 one (`\1`, `$`).
fn re2_replacement(java: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = java.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\\') => out.push_str("\\\\"),
                Some(other) => out.push(other),
                None => return Err("regexp_replace: the replacement ends with '\\'".into()),
            },
            '$' => match chars.peek() {
                Some(d) if d.is_ascii_digit() => {
                    out.push('\\');
                    out.push(*d);
                    chars.next();
                }
                Some('{') => {
                    return Err(
                        "regexp_replace with named groups (${name}) has no local equivalent".into(),
                    )
                }
                _ => return Err("regexp_replace: '$' must be followed by a group number".into()),
            },
            other => out.push(other),
        }
    }
    Ok(out)
}

/// Java's `String.format` (Trino's `format`) as DuckDB's C-style `printf`.
pub(super) fn rw_format(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let mut args = args.into_iter();
    let pattern = args.next().ok_or("format needs a format string")?;
    let mut values: Vec<Expr> = args.collect();
    let Some(java) = literal_string(&pattern) else {
        let mut all = vec![pattern];
        all.extend(values);
        return Ok(func("printf", all));
    };
    let chars: Vec<char> = java.chars().collect();
    let mut out = String::new();
    let mut next = 0usize;
    // Arguments Java prints as text (`%s`, `%b`), upper-cased for `%S`/`%B`.
    let mut text: Vec<Option<bool>> = vec![None; values.len()];
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let mut spec = String::from("%");
        // Optional `n$` argument index.
        let digits: String = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let mut index = None;
        if !digits.is_empty() && chars.get(i + digits.len()) == Some(&'$') {
            index = digits.parse::<usize>().ok().and_then(|n| n.checked_sub(1));
            spec.push_str(&digits);
            spec.push('$');
            i += digits.len() + 1;
        }
        while let Some(&c) = chars.get(i) {
            if c.is_ascii_digit() || matches!(c, '-' | '#' | '+' | ' ' | '.') {
                spec.push(c);
                i += 1;
            } else {
                break;
            }
        }
        let Some(&conversion) = chars.get(i) else {
            return Err("format: the format string ends inside a specifier".into());
        };
        i += 1;
        match conversion {
            '%' => out.push_str("%%"),
            'n' => out.push('\n'),
            's' | 'S' | 'b' | 'B' | 'd' | 'x' | 'X' | 'o' | 'f' | 'e' | 'E' | 'g' | 'G' | 'c' => {
                let k = index.unwrap_or_else(|| {
                    next += 1;
                    next - 1
                });
                if k >= values.len() {
                    return Err(format!(
                        "format: the specifier {} has no argument",
                        chars[start..i].iter().collect::<String>()
                    ));
                }
                if matches!(conversion, 's' | 'S' | 'b' | 'B') {
                    text[k] = Some(conversion.is_ascii_uppercase());
                    spec.push('s');
                } else {
                    spec.push(conversion);
                }
                out.push_str(&spec);
            }
            other => {
                return Err(format!(
                    "format: the conversion %{other} has no local equivalent"
                ))
            }
        }
    }
    for (value, as_text) in values.iter_mut().zip(&text) {
        if let Some(upper) = as_text {
            let cast = Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(std::mem::replace(value, null())),
                data_type: DataType::Varchar(None),
                format: None,
            };
            let shown = func("coalesce", vec![cast, string("null")]);
            *value = if *upper {
                func("upper", vec![shown])
            } else {
                shown
            };
        }
    }
    let mut all = vec![string(&out)];
    all.extend(values);
    Ok(func("printf", all))
}

/// The path of a SQL/JSON function (`'lax $.a'`) as a JSONPath DuckDB reads.
fn sql_json_path(name: &str, path: &Expr) -> Result<Expr, String> {
    let text = literal_string(path)
        .ok_or_else(|| format!("{name} needs a literal path to run locally"))?
        .trim();
    let lower = text.to_ascii_lowercase();
    let bare = if lower.starts_with("lax ") || lower.starts_with("strict ") {
        text.split_once(' ').map_or(text, |(_, rest)| rest.trim())
    } else {
        text
    };
    Ok(string(bare))
}

pub(super) fn rw_json_value(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [json, path] = take::<2>(args)?;
    let path = sql_json_path("json_value", &path)?;
    instantiate(
        "CASE WHEN json_valid($1) AND json_type($1, $2) NOT IN ('OBJECT', 'ARRAY') \
         THEN json_extract_string($1, $2) END",
        &[json, path],
    )
}

pub(super) fn rw_json_query(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [json, path] = take::<2>(args)?;
    let path = sql_json_path("json_query", &path)?;
    instantiate(
        "CASE WHEN json_valid($1) AND json_type($1, $2) IN ('OBJECT', 'ARRAY') \
         THEN CAST(json_extract($1, $2) AS VARCHAR) END",
        &[json, path],
    )
}

pub(super) fn rw_json_exists(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [json, path] = take::<2>(args)?;
    let path = sql_json_path("json_exists", &path)?;
    Ok(func("json_exists", vec![json, path]))
}

pub(super) fn rw_trim(original: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [s] = take::<1>(args)?;
    Ok(func(&function_name(original), vec![s, string(WS)]))
}

pub(super) fn rw_normalize(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let mut args = args.into_iter();
    let s = args.next().ok_or("normalize needs an argument")?;
    let form = match args.next() {
        None => "NFC".to_string(),
        Some(Expr::Identifier(i)) => i.value.to_ascii_uppercase(),
        Some(other) => literal_string(&other)
            .map(str::to_ascii_uppercase)
            .ok_or("normalize: the form must be NFC, NFD, NFKC or NFKD")?,
    };
    if !matches!(form.as_str(), "NFC" | "NFD" | "NFKC" | "NFKD") {
        return Err(format!("normalize: unknown form {form}"));
    }
    Ok(func("karte_normalize", vec![s, string(&form)]))
}
