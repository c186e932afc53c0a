//! Dates, times and time zones: `AT TIME ZONE`, `with_timezone` and zoned text, `date_add`,
//! `date_trunc`, `sequence`.

use std::error::Error;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike,
};
use duckdb::core::{DataChunkHandle, Inserter, ListVector, LogicalTypeId};
use duckdb::ffi::duckdb_interval;
use duckdb::vtab::arrow::WritableVector;

use super::{column_type, NumCol, StrCol, UdfResult};

/// Trino's limit on the length of `sequence(…)`.
const MAX_SEQUENCE: usize = 10_000;
const MICROS_PER_DAY: i64 = 86_400_000_000;
/// `NaiveDate::num_days_from_ce` of 1970-01-01 (DuckDB's DATE epoch).
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

// ---------------------------------------------------------------------------------------------
// Time zones
// ---------------------------------------------------------------------------------------------

/// A time zone as Trino accepts it: a region id (`Asia/Tokyo`, case-insensitive), `UTC`/`Z`,
/// or a fixed offset (`+09:00`, `-0530`, `+09`).
#[derive(Clone)]
enum Zone {
    Named(chrono_tz::Tz),
    Fixed(FixedOffset),
}

impl Zone {
    fn parse(s: &str) -> Result<Zone, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
            return Ok(Zone::Named(chrono_tz::UTC));
        }
        if let Some(rest) = s.strip_prefix('+').or_else(|| s.strip_prefix('-')) {
            let sign = if s.starts_with('-') { -1 } else { 1 };
            let digits: String = rest.chars().filter(|c| *c != ':').collect();
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("Time zone not supported: {s}"));
            }
            let (h, m) = match digits.len() {
                1 | 2 => (digits.parse::<i32>().ok(), Some(0)),
                4 => (
                    digits[..2].parse::<i32>().ok(),
                    digits[2..].parse::<i32>().ok(),
                ),
                _ => (None, None),
            };
            if let (Some(h), Some(m)) = (h, m) {
                if h <= 14 && m < 60 {
                    if let Some(off) = FixedOffset::east_opt(sign * (h * 3600 + m * 60)) {
                        return Ok(Zone::Fixed(off));
                    }
                }
            }
            return Err(format!("Time zone not supported: {s}"));
        }
        if let Ok(tz) = s.parse::<chrono_tz::Tz>() {
            return Ok(Zone::Named(tz));
        }
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(s))
            .map(|tz| Zone::Named(*tz))
            .ok_or_else(|| format!("Time zone not supported: {s}"))
    }

    /// Trino's display name of the zone.
    fn name(&self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Fixed(off) => {
                let secs = off.local_minus_utc();
                let sign = if secs < 0 { '-' } else { '+' };
                let secs = secs.abs();
                format!("{sign}{:02}:{:02}", secs / 3600, secs % 3600 / 60)
            }
        }
    }

    fn utc_to_local(&self, utc: NaiveDateTime) -> NaiveDateTime {
        match self {
            Zone::Named(tz) => tz.from_utc_datetime(&utc).naive_local(),
            Zone::Fixed(off) => off.from_utc_datetime(&utc).naive_local(),
        }
    }

    /// The UTC time of wall-clock time `local`: the earlier one when the clock is turned back,
    /// and shifted forward over a gap when it is turned forward (as Joda-Time does).
    fn local_to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        match self {
            Zone::Fixed(off) => local - Duration::seconds(i64::from(off.local_minus_utc())),
            Zone::Named(tz) => match tz.from_local_datetime(&local).earliest() {
                Some(dt) => dt.naive_utc(),
                None => {
                    let before = tz
                        .offset_from_utc_datetime(&(local - Duration::days(1)))
                        .fix()
                        .local_minus_utc();
                    local - Duration::seconds(i64::from(before))
                }
            },
        }
    }
}

/// Parses zones, remembering the last one (a column of zones is usually one value).
#[derive(Default)]
struct ZoneCache {
    last: Option<(Vec<u8>, Zone)>,
}

impl ZoneCache {
    fn get(&mut self, name: &[u8]) -> Result<Zone, String> {
        if let Some((n, z)) = &self.last {
            if n == name {
                return Ok(z.clone());
            }
        }
        let zone = Zone::parse(&String::from_utf8_lossy(name))?;
        self.last = Some((name.to_vec(), zone.clone()));
        Ok(zone)
    }
}

fn micros_to_naive(us: i64) -> Result<NaiveDateTime, String> {
    DateTime::from_timestamp_micros(us)
        .map(|d| d.naive_utc())
        .ok_or_else(|| format!("timestamp out of range: {us}"))
}

fn naive_to_micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

fn days_to_date(days: i32) -> Result<NaiveDate, String> {
    days.checked_add(EPOCH_DAYS_FROM_CE)
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .ok_or_else(|| format!("date out of range: {days}"))
}

fn date_to_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

/// `2024-01-01 09:00:00[.123[456]]`: DuckDB's timestamp text with milliseconds when they
/// are whole.
fn timestamp_text(t: NaiveDateTime) -> String {
    let base = t.format("%Y-%m-%d %H:%M:%S").to_string();
    let micros = t.nanosecond() / 1000;
    if micros == 0 {
        base
    } else if micros.is_multiple_of(1000) {
        format!("{base}.{:03}", micros / 1000)
    } else {
        format!("{base}.{micros:06}")
    }
}

/// What a zone function computes from a timestamp and a zone.
#[derive(Clone, Copy)]
enum ZoneOp {
    /// `karte_at_time_zone`: the UTC instant as wall-clock time in the zone.
    AtTimeZone,
    /// `karte_with_timezone`: the wall-clock time unchanged (the zone is checked).
    WithTimezone,
    /// `karte_zone_to_utc`: the UTC instant of the wall-clock time in the zone.
    ToUtc,
    /// `karte_tz_text`: Trino's text, `2024-01-01 09:00:00 Asia/Tokyo`.
    Text,
}

pub(super) fn at_time_zone(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    zone_fn(ZoneOp::AtTimeZone, input, output, rows)
}

pub(super) fn with_timezone(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    zone_fn(ZoneOp::WithTimezone, input, output, rows)
}

pub(super) fn zone_to_utc(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    zone_fn(ZoneOp::ToUtc, input, output, rows)
}

pub(super) fn tz_text(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    zone_fn(ZoneOp::Text, input, output, rows)
}

fn zone_fn(
    op: ZoneOp,
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    let ts = NumCol::<i64>::new(input, 0, rows);
    let mut zones = StrCol::new(input, 1, rows);
    let mut cache = ZoneCache::default();
    let mut out = output.flat_vector();
    for row in 0..rows {
        let (Some(us), Some(zone)) = (ts.get(row), zones.get(row)) else {
            out.set_null(row);
            continue;
        };
        let zone = cache.get(zone)?;
        let t = micros_to_naive(us)?;
        match op {
            ZoneOp::AtTimeZone => {
                out.as_mut_slice::<i64>()[row] = naive_to_micros(zone.utc_to_local(t))
            }
            ZoneOp::WithTimezone => out.as_mut_slice::<i64>()[row] = us,
            ZoneOp::ToUtc => out.as_mut_slice::<i64>()[row] = naive_to_micros(zone.local_to_utc(t)),
            ZoneOp::Text => out.insert(
                row,
                format!("{} {}", timestamp_text(t), zone.name()).as_str(),
            ),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// date_add / date_trunc / sequence
// ---------------------------------------------------------------------------------------------

fn unit_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_ascii_lowercase()
}

fn add_months_date(d: NaiveDate, months: i64) -> Result<NaiveDate, String> {
    let m = u32::try_from(months.unsigned_abs()).map_err(|_| "month offset out of range")?;
    if months >= 0 {
        d.checked_add_months(Months::new(m))
    } else {
        d.checked_sub_months(Months::new(m))
    }
    .ok_or_else(|| "date out of range".to_string())
}

fn add_months_ts(t: NaiveDateTime, months: i64) -> Result<NaiveDateTime, String> {
    Ok(add_months_date(t.date(), months)?.and_time(t.time()))
}

/// Months in one `unit` of a calendar unit, or `None` for fixed-length units.
fn unit_months(unit: &str) -> Option<i64> {
    match unit {
        "month" => Some(1),
        "quarter" => Some(3),
        "year" => Some(12),
        _ => None,
    }
}

/// Microseconds in one `unit` of a fixed-length unit.
fn unit_micros(unit: &str) -> Option<i64> {
    match unit {
        "millisecond" => Some(1_000),
        "second" => Some(1_000_000),
        "minute" => Some(60_000_000),
        "hour" => Some(3_600_000_000),
        "day" => Some(MICROS_PER_DAY),
        "week" => Some(7 * MICROS_PER_DAY),
        _ => None,
    }
}

pub(super) fn date_add(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    let mut units = StrCol::new(input, 0, rows);
    let amounts = NumCol::<i64>::new(input, 1, rows);
    let target = column_type(input, 2);
    let mut out = output.flat_vector();
    let overflow = || "date_add: value out of range".to_string();
    match target {
        LogicalTypeId::Date => {
            let values = NumCol::<i32>::new(input, 2, rows);
            for row in 0..rows {
                let (Some(unit), Some(n), Some(v)) =
                    (units.get(row), amounts.get(row), values.get(row))
                else {
                    out.set_null(row);
                    continue;
                };
                let unit = unit_of(unit);
                let d = days_to_date(v)?;
                let result = if let Some(m) = unit_months(&unit) {
                    add_months_date(d, n.checked_mul(m).ok_or_else(overflow)?)?
                } else {
                    let days = match unit.as_str() {
                        "day" => n,
                        "week" => n.checked_mul(7).ok_or_else(overflow)?,
                        _ => return Err(format!("'{unit}' is not a valid DATE field").into()),
                    };
                    d.checked_add_signed(Duration::try_days(days).ok_or_else(overflow)?)
                        .ok_or_else(overflow)?
                };
                out.as_mut_slice::<i32>()[row] = date_to_days(result);
            }
        }
        LogicalTypeId::Time => {
            let values = NumCol::<i64>::new(input, 2, rows);
            for row in 0..rows {
                let (Some(unit), Some(n), Some(v)) =
                    (units.get(row), amounts.get(row), values.get(row))
                else {
                    out.set_null(row);
                    continue;
                };
                let unit = unit_of(unit);
                let step = match unit_micros(&unit) {
                    Some(s) if s < MICROS_PER_DAY => s,
                    _ => return Err(format!("'{unit}' is not a valid TIME field").into()),
                };
                let delta = (n % (MICROS_PER_DAY / step)) * step;
                out.as_mut_slice::<i64>()[row] = (v + delta).rem_euclid(MICROS_PER_DAY);
            }
        }
        _ => {
            let values = NumCol::<i64>::new(input, 2, rows);
            for row in 0..rows {
                let (Some(unit), Some(n), Some(v)) =
                    (units.get(row), amounts.get(row), values.get(row))
                else {
                    out.set_null(row);
                    continue;
                };
                let unit = unit_of(unit);
                let result = if let Some(m) = unit_months(&unit) {
                    let t =
                        add_months_ts(micros_to_naive(v)?, n.checked_mul(m).ok_or_else(overflow)?)?;
                    naive_to_micros(t)
                } else if let Some(step) = unit_micros(&unit) {
                    n.checked_mul(step)
                        .and_then(|d| v.checked_add(d))
                        .ok_or_else(overflow)?
                } else {
                    return Err(format!("'{unit}' is not a valid TIMESTAMP field").into());
                };
                out.as_mut_slice::<i64>()[row] = result;
            }
        }
    }
    Ok(())
}

/// Truncates a date to `unit` (day and larger).
fn trunc_date(d: NaiveDate, unit: &str) -> Result<NaiveDate, String> {
    let first_of = |month: u32| NaiveDate::from_ymd_opt(d.year(), month, 1);
    let r = match unit {
        "day" => Some(d),
        "week" => Some(d - Duration::days(i64::from(d.weekday().num_days_from_monday()))),
        "month" => first_of(d.month()),
        "quarter" => first_of((d.month() - 1) / 3 * 3 + 1),
        "year" => first_of(1),
        _ => return Err(format!("'{unit}' is not a valid DATE field")),
    };
    r.ok_or_else(|| "date out of range".to_string())
}

pub(super) fn date_trunc(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    let mut units = StrCol::new(input, 0, rows);
    let mut out = output.flat_vector();
    if column_type(input, 1) == LogicalTypeId::Date {
        let values = NumCol::<i32>::new(input, 1, rows);
        for row in 0..rows {
            let (Some(unit), Some(v)) = (units.get(row), values.get(row)) else {
                out.set_null(row);
                continue;
            };
            let d = trunc_date(days_to_date(v)?, &unit_of(unit))?;
            out.as_mut_slice::<i32>()[row] = date_to_days(d);
        }
        return Ok(());
    }
    let values = NumCol::<i64>::new(input, 1, rows);
    for row in 0..rows {
        let (Some(unit), Some(v)) = (units.get(row), values.get(row)) else {
            out.set_null(row);
            continue;
        };
        let unit = unit_of(unit);
        let result = match unit.as_str() {
            "millisecond" | "second" | "minute" | "hour" => {
                let step = unit_micros(&unit).unwrap_or(1);
                v - v.rem_euclid(step)
            }
            _ => {
                let t = micros_to_naive(v)?;
                let d = trunc_date(t.date(), &unit)
                    .map_err(|_| format!("'{unit}' is not a valid TIMESTAMP field"))?;
                naive_to_micros(d.and_time(NaiveTime::MIN))
            }
        };
        out.as_mut_slice::<i64>()[row] = result;
    }
    Ok(())
}

/// How `sequence` steps from one entry to the next.
#[derive(Clone, Copy)]
enum Step {
    /// A fixed amount of the column's unit (BIGINT: 1, DATE: days, TIMESTAMP: microseconds).
    Fixed(i64),
    /// Calendar months (added to the start, so month ends stay month ends as in Trino).
    Months(i64),
}

fn sequence_error(msg: &str) -> Box<dyn Error> {
    format!("sequence: {msg}").into()
}

/// The entries of `sequence(start, stop, step)` in the column's unit.
fn sequence_values(
    start: i64,
    stop: i64,
    step: Step,
    add_months: &dyn Fn(i64, i64) -> Result<i64, String>,
) -> Result<Vec<i64>, Box<dyn Error>> {
    let positive = match step {
        Step::Fixed(0) | Step::Months(0) => return Err(sequence_error("step must not be zero")),
        Step::Fixed(s) | Step::Months(s) => s > 0,
    };
    if (positive && start > stop) || (!positive && start < stop) {
        return Err(sequence_error(
            "sequence stop value should be greater than or equal to start value if step is \
             greater than zero otherwise stop should be less than or equal to start",
        ));
    }
    let mut values = Vec::new();
    for i in 0.. {
        let v = match step {
            Step::Fixed(s) => match s.checked_mul(i).and_then(|d| start.checked_add(d)) {
                Some(v) => v,
                None => break,
            },
            Step::Months(m) => add_months(start, m.saturating_mul(i))?,
        };
        if (positive && v > stop) || (!positive && v < stop) {
            break;
        }
        if values.len() == MAX_SEQUENCE {
            return Err(sequence_error(
                "result of sequence function must not have more than 10000 entries",
            ));
        }
        values.push(v);
    }
    Ok(values)
}

pub(super) fn sequence(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    let kind = column_type(input, 0);
    let has_step = input.num_columns() == 3;
    let mut lists: Vec<Option<Vec<i64>>> = Vec::with_capacity(rows);
    match kind {
        LogicalTypeId::Bigint => {
            let (a, b) = (
                NumCol::<i64>::new(input, 0, rows),
                NumCol::<i64>::new(input, 1, rows),
            );
            let steps = has_step.then(|| NumCol::<i64>::new(input, 2, rows));
            for row in 0..rows {
                let step = match &steps {
                    Some(s) => s.get(row),
                    None => Some(0),
                };
                let (Some(a), Some(b), Some(step)) = (a.get(row), b.get(row), step) else {
                    lists.push(None);
                    continue;
                };
                let step = match (has_step, a <= b) {
                    (true, _) => step,
                    (false, true) => 1,
                    (false, false) => -1,
                };
                let no_months = |_: i64, _: i64| Err("unreachable".to_string());
                lists.push(Some(sequence_values(a, b, Step::Fixed(step), &no_months)?));
            }
        }
        LogicalTypeId::Date => {
            let (a, b) = (
                NumCol::<i32>::new(input, 0, rows),
                NumCol::<i32>::new(input, 1, rows),
            );
            let steps = has_step.then(|| NumCol::<duckdb_interval>::new(input, 2, rows));
            let add = |start: i64, months: i64| -> Result<i64, String> {
                let d = days_to_date(i32::try_from(start).map_err(|_| "date out of range")?)?;
                Ok(i64::from(date_to_days(add_months_date(d, months)?)))
            };
            for row in 0..rows {
                let (Some(a), Some(b)) = (a.get(row), b.get(row)) else {
                    lists.push(None);
                    continue;
                };
                let (a, b) = (i64::from(a), i64::from(b));
                let step = match &steps {
                    None => Step::Fixed(if a <= b { 1 } else { -1 }),
                    Some(s) => match s.get(row) {
                        None => {
                            lists.push(None);
                            continue;
                        }
                        Some(i) if i.months != 0 && i.days == 0 && i.micros == 0 => {
                            Step::Months(i64::from(i.months))
                        }
                        Some(i) if i.months == 0 && i.micros % MICROS_PER_DAY == 0 => {
                            Step::Fixed(i64::from(i.days) + i.micros / MICROS_PER_DAY)
                        }
                        Some(_) => {
                            return Err(sequence_error(
                                "sequence step must be a day interval if start and end values \
                                 are dates",
                            ))
                        }
                    },
                };
                lists.push(Some(sequence_values(a, b, step, &add)?));
            }
        }
        _ => {
            let (a, b) = (
                NumCol::<i64>::new(input, 0, rows),
                NumCol::<i64>::new(input, 1, rows),
            );
            let steps = NumCol::<duckdb_interval>::new(input, 2, rows);
            let add = |start: i64, months: i64| -> Result<i64, String> {
                Ok(naive_to_micros(add_months_ts(
                    micros_to_naive(start)?,
                    months,
                )?))
            };
            for row in 0..rows {
                let (Some(a), Some(b), Some(i)) = (a.get(row), b.get(row), steps.get(row)) else {
                    lists.push(None);
                    continue;
                };
                let step = if i.months != 0 {
                    if i.days != 0 || i.micros != 0 {
                        return Err(sequence_error("step mixes months and days"));
                    }
                    Step::Months(i64::from(i.months))
                } else {
                    let micros = i64::from(i.days)
                        .checked_mul(MICROS_PER_DAY)
                        .and_then(|d| d.checked_add(i.micros))
                        .ok_or_else(|| sequence_error("step out of range"))?;
                    Step::Fixed(micros)
                };
                lists.push(Some(sequence_values(a, b, step, &add)?));
            }
        }
    }
    write_lists(output.list_vector(), &lists, kind == LogicalTypeId::Date);
    Ok(())
}

/// Writes lists of BIGINT/TIMESTAMP (or DATE, when `dates`) values to a LIST output vector.
fn write_lists(mut list: ListVector, lists: &[Option<Vec<i64>>], dates: bool) {
    let total: usize = lists.iter().flatten().map(Vec::len).sum();
    let mut child = list.child(total.max(1));
    let mut offset = 0;
    for (row, values) in lists.iter().enumerate() {
        match values {
            Some(values) => {
                for (i, &v) in values.iter().enumerate() {
                    if dates {
                        // DATE entries were produced from i32 days, so they fit.
                        child.as_mut_slice::<i32>()[offset + i] = i32::try_from(v).unwrap_or(0);
                    } else {
                        child.as_mut_slice::<i64>()[offset + i] = v;
                    }
                }
                list.set_entry(row, offset, values.len());
                offset += values.len();
            }
            None => {
                list.set_entry(row, offset, 0);
                list.set_null(row);
            }
        }
    }
    list.set_len(total);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones() {
        assert!(Zone::parse("Asia/Tokyo").is_ok());
        assert_eq!(
            Zone::parse("asia/tokyo").map(|z| z.name()).ok().as_deref(),
            Some("Asia/Tokyo")
        );
        assert_eq!(
            Zone::parse("+09:00").map(|z| z.name()).ok().as_deref(),
            Some("+09:00")
        );
        assert_eq!(
            Zone::parse("-0530").map(|z| z.name()).ok().as_deref(),
            Some("-05:30")
        );
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert!(Zone::parse("+99:00").is_err());
    }
}
