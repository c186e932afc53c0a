//! Date and time: `AT TIME ZONE` and zoned timestamps, interval literals, and the
//! MySQL/Joda date patterns of `date_format`/`date_parse`/`format_datetime`/`parse_datetime`.

use sqlparser::ast::{
    DateTimeField, Expr, Function, Interval, UnaryOperator, Value, ValueWithSpan,
};

use super::expr::{call_parts, func, literal_string, null, string, strip, take};
use super::rewrite::Problem;

// ---- time zones -----------------------------------------------------------------------------

/// `ts AT TIME ZONE zone` for a translated `ts` (see the translate module's docs for the
/// representation).
pub(super) fn at_time_zone(ts: Expr, zone: Expr) -> Expr {
    if let Some((name, args)) = call_parts(&ts) {
        match (name.as_str(), args.as_slice()) {
            ("karte_with_timezone", [local, from]) => {
                let utc = func("karte_zone_to_utc", vec![local.clone(), from.clone()]);
                return func("karte_at_time_zone", vec![utc, zone]);
            }
            ("karte_at_time_zone", [utc, _]) => {
                return func("karte_at_time_zone", vec![utc.clone(), zone])
            }
            _ => {}
        }
    }
    func("karte_at_time_zone", vec![ts, zone])
}

pub(super) fn rw_at_timezone(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [ts, zone] = take::<2>(args)?;
    Ok(at_time_zone(ts, zone))
}

pub(super) fn rw_to_unixtime(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    let [ts] = take::<1>(args)?;
    let utc = match call_parts(&ts) {
        Some((name, a)) if name == "karte_with_timezone" && a.len() == 2 => {
            func("karte_zone_to_utc", a)
        }
        Some((name, a)) if name == "karte_at_time_zone" && a.len() == 2 => {
            a.into_iter().next().unwrap_or_else(null)
        }
        _ => ts,
    };
    Ok(func("epoch", vec![utc]))
}

// ---- interval literals --------------------------------------------------------------------

pub(super) fn is_interval(e: &Expr) -> bool {
    matches!(strip(e), Expr::Interval(_))
}

/// `(unit, amount)` of a translated interval literal, for `karte_date_add`.
pub(super) fn interval_amount(e: &Expr) -> Option<(&'static str, i64)> {
    let Expr::Interval(i) = strip(e) else {
        return None;
    };
    let amount = match i.value.as_ref() {
        Expr::Value(ValueWithSpan {
            value: Value::SingleQuotedString(s) | Value::Number(s, _),
            ..
        }) => s.parse::<i64>().ok()?,
        _ => return None,
    };
    let unit = match i.leading_field.as_ref()? {
        DateTimeField::Month => "month",
        DateTimeField::Day => "day",
        DateTimeField::Millisecond => "millisecond",
        _ => return None,
    };
    Some((unit, amount))
}

/// Normalises an interval literal to `INTERVAL 'n' MONTH`, `'n' DAY` or `'n' MILLISECOND`.
pub(super) fn rewrite_interval(interval: &mut Interval) -> Result<Option<Expr>, Problem> {
    let text = match interval.value.as_ref() {
        Expr::Value(ValueWithSpan {
            value: Value::SingleQuotedString(s) | Value::Number(s, _),
            ..
        }) => s.trim().to_string(),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            Expr::Value(ValueWithSpan {
                value: Value::SingleQuotedString(s) | Value::Number(s, _),
                ..
            }) => format!("-{}", s.trim()),
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    let bad = || {
        (
            "INTERVAL".to_string(),
            format!("the interval literal '{text}' is not in a form Trino accepts"),
        )
    };
    let (leading, last) = (interval.leading_field.clone(), interval.last_field.clone());
    let (unit, amount) = parse_interval(&text, leading.as_ref(), last.as_ref()).ok_or_else(bad)?;
    *interval.value = string(&amount.to_string());
    interval.leading_field = Some(match unit {
        "month" => DateTimeField::Month,
        "day" => DateTimeField::Day,
        _ => DateTimeField::Millisecond,
    });
    interval.last_field = None;
    interval.leading_precision = None;
    interval.fractional_seconds_precision = None;
    Ok(None)
}

/// Parses a Trino interval string into months, whole days or milliseconds.
fn parse_interval(
    text: &str,
    leading: Option<&DateTimeField>,
    last: Option<&DateTimeField>,
) -> Option<(&'static str, i64)> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, text.strip_prefix('+').unwrap_or(text).trim()),
    };
    let sign = if negative { -1 } else { 1 };
    // Unsigned digits only, so `sign * n` cannot overflow.
    let int = |s: &str| {
        let t = s.trim();
        let digits = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        digits.then(|| t.parse::<i64>().ok()).flatten()
    };
    let field_ms = |f: &DateTimeField| -> Option<i64> {
        Some(match f {
            DateTimeField::Day | DateTimeField::Days => 86_400_000,
            DateTimeField::Hour | DateTimeField::Hours => 3_600_000,
            DateTimeField::Minute | DateTimeField::Minutes => 60_000,
            DateTimeField::Second | DateTimeField::Seconds => 1_000,
            DateTimeField::Millisecond | DateTimeField::Milliseconds => 1,
            _ => return None,
        })
    };
    match (leading?, last) {
        (DateTimeField::Year | DateTimeField::Years, None) => {
            Some(("month", sign * int(body)?.checked_mul(12)?))
        }
        (DateTimeField::Month | DateTimeField::Months, None) => Some(("month", sign * int(body)?)),
        (
            DateTimeField::Year | DateTimeField::Years,
            Some(DateTimeField::Month | DateTimeField::Months),
        ) => {
            let (y, m) = body.split_once('-')?;
            Some((
                "month",
                sign * int(y)?.checked_mul(12)?.checked_add(int(m)?)?,
            ))
        }
        (lead, last) => {
            // Day-to-second: `d h:m:s.f` with the fields from `lead` to `last`.
            let order = [
                DateTimeField::Day,
                DateTimeField::Hour,
                DateTimeField::Minute,
                DateTimeField::Second,
            ];
            let norm = |f: &DateTimeField| match f {
                DateTimeField::Days => DateTimeField::Day,
                DateTimeField::Hours => DateTimeField::Hour,
                DateTimeField::Minutes => DateTimeField::Minute,
                DateTimeField::Seconds => DateTimeField::Second,
                other => other.clone(),
            };
            let start = order.iter().position(|f| *f == norm(lead));
            let ms = match (start, last) {
                (_, None) => {
                    let unit = field_ms(lead)?;
                    if unit == 1_000 {
                        // Seconds may have a fraction.
                        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
                        let frac_ms: i64 = format!("{frac:0<3}").get(..3)?.parse().ok()?;
                        int(whole)?.checked_mul(1000)?.checked_add(frac_ms)?
                    } else {
                        int(body)?.checked_mul(unit)?
                    }
                }
                (Some(start), Some(last)) => {
                    let end = order.iter().position(|f| *f == norm(last))?;
                    let parts: Vec<&str> = body.split([' ', ':']).collect();
                    if end < start || parts.len() != end - start + 1 {
                        return None;
                    }
                    let mut total = 0i64;
                    for (k, part) in parts.iter().enumerate() {
                        let f = &order[start + k];
                        let v = if *f == DateTimeField::Second {
                            let (whole, frac) = part.split_once('.').unwrap_or((part, ""));
                            let frac_ms: i64 = format!("{frac:0<3}").get(..3)?.parse().ok()?;
                            int(whole)?.checked_mul(1000)?.checked_add(frac_ms)?
                        } else {
                            int(part)?.checked_mul(field_ms(f)?)?
                        };
                        total = total.checked_add(v)?;
                    }
                    total
                }
                _ => return None,
            };
            let ms = sign * ms;
            if ms % 86_400_000 == 0 {
                Some(("day", ms / 86_400_000))
            } else {
                Some(("millisecond", ms))
            }
        }
    }
}

// ---- date/time patterns ---------------------------------------------------------------------

fn pattern_call(
    args: Vec<Expr>,
    duck: &str,
    translate_pattern: fn(&str) -> Result<String, String>,
    what: &str,
) -> Result<Expr, String> {
    let [value, pattern] = take::<2>(args)?;
    let pattern = literal_string(&pattern)
        .ok_or_else(|| format!("the {what} pattern must be a string literal to run locally"))?;
    let translated = translate_pattern(pattern)?;
    Ok(func(duck, vec![value, string(&translated)]))
}

pub(super) fn rw_date_format(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    pattern_call(args, "strftime", |p| mysql_pattern(p, false), "date_format")
}

pub(super) fn rw_date_parse(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    pattern_call(args, "strptime", |p| mysql_pattern(p, true), "date_parse")
}

pub(super) fn rw_format_datetime(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    pattern_call(args, "strftime", joda_pattern, "format_datetime")
}

pub(super) fn rw_parse_datetime(_: &Function, args: Vec<Expr>) -> Result<Expr, String> {
    pattern_call(args, "strptime", joda_pattern, "parse_datetime")
}

/// A MySQL-style pattern (`date_format`, `date_parse`) as a strftime/strptime pattern.
fn mysql_pattern(p: &str, parsing: bool) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else {
            out.push_str("%%");
            break;
        };
        let duck = match spec {
            'a' => "%a",
            'b' => "%b",
            'c' => "%-m",
            'd' => "%d",
            'e' => "%-d",
            'f' => "%f",
            'H' => "%H",
            'h' | 'I' => "%I",
            'i' => "%M",
            'j' => "%j",
            'k' => "%-H",
            'l' => "%-I",
            'M' => "%B",
            'm' => "%m",
            'p' => "%p",
            'r' => "%I:%M:%S %p",
            'S' | 's' => "%S",
            'T' => "%H:%M:%S",
            'v' => "%V",
            'W' => "%A",
            'x' => "%G",
            'Y' => "%Y",
            'y' => "%y",
            'U' if !parsing => "%U",
            'u' if !parsing => "%W",
            'w' if !parsing => "%w",
            '%' => "%%",
            'D' | 'U' | 'u' | 'V' | 'w' | 'X' => {
                return Err(format!(
                    "the date pattern field %{spec} has no local equivalent"
                ))
            }
            other => {
                out.push(other);
                continue;
            }
        };
        out.push_str(duck);
    }
    Ok(out)
}

/// A Joda-Time pattern (`format_datetime`, `parse_datetime`) as a strftime/strptime pattern.
fn joda_pattern(p: &str) -> Result<String, String> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // Quoted literal text; '' is a quote.
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                push_literal(&mut out, chars[i]);
                i += 1;
            }
            i += 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            push_literal(&mut out, c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        let duck = match (c, n) {
            ('y' | 'Y', 2) => "%y",
            ('y' | 'Y', _) => "%Y",
            ('x', 2) => return Err("the Joda pattern field xx has no local equivalent".into()),
            ('x', _) => "%G",
            ('w', 1) => "%-V",
            ('w', _) => "%V",
            ('e', _) => "%u",
            ('E', 1..=3) => "%a",
            ('E', _) => "%A",
            ('D', 1) => "%-j",
            ('D', 3) => "%j",
            ('M', 1) => "%-m",
            ('M', 2) => "%m",
            ('M', 3) => "%b",
            ('M', _) => "%B",
            ('d', 1) => "%-d",
            ('d', 2) => "%d",
            ('a', _) => "%p",
            ('h', 1) => "%-I",
            ('h', 2) => "%I",
            ('H', 1) => "%-H",
            ('H', 2) => "%H",
            ('m', 1) => "%-M",
            ('m', 2) => "%M",
            ('s', 1) => "%-S",
            ('s', 2) => "%S",
            ('S', 3) => "%g",
            ('S', 6) => "%f",
            ('S', 9) => "%n",
            _ => {
                let field: String = std::iter::repeat_n(c, n).collect();
                return Err(format!(
                    "the Joda pattern field {field} has no local equivalent"
                ));
            }
        };
        out.push_str(duck);
        i += n;
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    if c == '%' {
        out.push_str("%%");
    } else {
        out.push(c);
    }
}
