//! Scalar functions that give the local DuckDB engine Trino (Athena) semantics it lacks.
//!
//! [`register`] adds them to a connection; SQL produced by
//! [`translate`](super::translate::translate) calls them. Every function is named `karte_*`,
//! returns NULL when any argument is NULL, and reports bad input (an unknown time zone or unit)
//! as a query error rather than panicking.
//!
//! | function | Trino construct |
//! |---|---|
//! | `karte_normalize(s, form)` | `normalize(s[, NFC/NFD/NFKC/NFKD])` |
//! | `karte_hmac_sha256(data, key)`, `karte_hmac_sha512(data, key)` | `hmac_sha256`, `hmac_sha512` |
//! | `karte_xxhash64(data)` | `xxhash64` (8 bytes, big-endian, as Trino) |
//! | `karte_crc32(data)` | `crc32` |
//! | `karte_sha512(data)` | `sha512` (DuckDB has no SHA-512) |
//! | `karte_cardinality(array_or_map)` | `cardinality` (DuckDB's `len` takes lists, `cardinality` maps) |
//! | `karte_levenshtein(a, b)`, `karte_hamming(a, b)` | `levenshtein_distance`, `hamming_distance` in code points (DuckDB counts bytes) |
//! | `karte_at_time_zone(ts, zone)` | `ts AT TIME ZONE zone`: the UTC instant `ts` as wall-clock time in `zone` |
//! | `karte_with_timezone(ts, zone)` | `with_timezone(ts, zone)`: checks `zone`, keeps the wall-clock time |
//! | `karte_zone_to_utc(ts, zone)` | the UTC instant of wall-clock time `ts` in `zone` |
//! | `karte_tz_text(ts, zone)` | Trino's text of a `timestamp with time zone`: `2024-01-01 09:00:00 Asia/Tokyo` |
//! | `karte_date_add(unit, n, x)` | `date_add` (DATE → DATE, TIMESTAMP → TIMESTAMP, TIME → TIME) |
//! | `karte_date_trunc(unit, x)` | `date_trunc` (DATE → DATE, TIMESTAMP → TIMESTAMP) |
//! | `karte_sequence(start, stop[, step])` | `sequence` on BIGINT, DATE and TIMESTAMP (at most 10 000 entries, as Trino) |
//! | `karte_trino_type(duckdb_type_name)` | `typeof`: maps DuckDB's type name to Trino's |
//!
//! Timestamps with a time zone are represented locally as a plain `TIMESTAMP` holding the
//! wall-clock time in their zone (see the translate module for what that implies).

use std::error::Error;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike,
};
use duckdb::core::{
    DataChunkHandle, FlatVector, Inserter, ListVector, LogicalTypeHandle, LogicalTypeId,
};
use duckdb::ffi::{duckdb_interval, duckdb_string_t};
use duckdb::types::DuckString;
use duckdb::vscalar::{ScalarFunctionSignature, VScalar};
use duckdb::vtab::arrow::WritableVector;
use duckdb::Connection;
use hmac::{Hmac, Mac};
use unicode_normalization::UnicodeNormalization;

/// Register karte's scalar functions (Trino semantics DuckDB lacks) on a connection.
///
/// Call it once on every connection before running SQL produced by
/// [`translate`](super::translate::translate).
pub fn register(conn: &duckdb::Connection) -> duckdb::Result<()> {
    reg::<NORMALIZE>(conn, "karte_normalize")?;
    reg::<HMAC_SHA256>(conn, "karte_hmac_sha256")?;
    reg::<HMAC_SHA512>(conn, "karte_hmac_sha512")?;
    reg::<XXHASH64>(conn, "karte_xxhash64")?;
    reg::<SHA512>(conn, "karte_sha512")?;
    reg::<CARDINALITY>(conn, "karte_cardinality")?;
    reg::<LEVENSHTEIN>(conn, "karte_levenshtein")?;
    reg::<HAMMING>(conn, "karte_hamming")?;
    reg::<CRC32>(conn, "karte_crc32")?;
    reg::<AT_TIME_ZONE>(conn, "karte_at_time_zone")?;
    reg::<WITH_TIMEZONE>(conn, "karte_with_timezone")?;
    reg::<ZONE_TO_UTC>(conn, "karte_zone_to_utc")?;
    reg::<TZ_TEXT>(conn, "karte_tz_text")?;
    reg::<DATE_ADD>(conn, "karte_date_add")?;
    reg::<DATE_TRUNC>(conn, "karte_date_trunc")?;
    reg::<SEQUENCE>(conn, "karte_sequence")?;
    reg::<TRINO_TYPE>(conn, "karte_trino_type")?;
    Ok(())
}

fn reg<const K: u8>(conn: &Connection, name: &str) -> duckdb::Result<()> {
    conn.register_scalar_function::<Udf<K>>(name)
}

const NORMALIZE: u8 = 0;
const HMAC_SHA256: u8 = 1;
const HMAC_SHA512: u8 = 2;
const XXHASH64: u8 = 3;
const CRC32: u8 = 4;
const AT_TIME_ZONE: u8 = 5;
const WITH_TIMEZONE: u8 = 6;
const ZONE_TO_UTC: u8 = 7;
const TZ_TEXT: u8 = 8;
const DATE_ADD: u8 = 9;
const DATE_TRUNC: u8 = 10;
const SEQUENCE: u8 = 11;
const TRINO_TYPE: u8 = 12;
const SHA512: u8 = 13;
const CARDINALITY: u8 = 14;
const LEVENSHTEIN: u8 = 15;
const HAMMING: u8 = 16;

/// Trino's limit on the length of `sequence(…)`.
const MAX_SEQUENCE: usize = 10_000;
const MICROS_PER_DAY: i64 = 86_400_000_000;
/// `NaiveDate::num_days_from_ce` of 1970-01-01 (DuckDB's DATE epoch).
const EPOCH_DAYS_FROM_CE: i32 = 719_163;

type UdfResult = Result<(), Box<dyn Error>>;

/// One karte function; `K` selects which (one Rust type per DuckDB function).
struct Udf<const K: u8>;

impl<const K: u8> VScalar for Udf<K> {
    type State = ();

    unsafe fn invoke(
        _state: &(),
        input: &mut DataChunkHandle,
        output: &mut dyn WritableVector,
    ) -> UdfResult {
        let rows = input.len();
        // A panic must not unwind into DuckDB's C++; report it as a query error instead.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            dispatch::<K>(input, output, rows).map_err(|e| e.to_string())
        }))
        .unwrap_or_else(|_| Err("internal error in a karte function".to_string()));
        // DuckDB takes the message as a C string: no NUL bytes.
        result.map_err(|e| -> Box<dyn Error> { e.replace('\0', "").into() })
    }

    fn signatures() -> Vec<ScalarFunctionSignature> {
        use LogicalTypeId::{Bigint, Blob, Date, Interval, Time, Timestamp, Varchar};
        let sig = |params: Vec<LogicalTypeId>, ret: LogicalTypeHandle| {
            ScalarFunctionSignature::exact(params.into_iter().map(ty).collect(), ret)
        };
        let list = |id| LogicalTypeHandle::list(&ty(id));
        match K {
            NORMALIZE => vec![sig(vec![Varchar, Varchar], ty(Varchar))],
            HMAC_SHA256 | HMAC_SHA512 => vec![sig(vec![Blob, Blob], ty(Blob))],
            XXHASH64 | SHA512 => vec![sig(vec![Blob], ty(Blob))],
            CRC32 => vec![sig(vec![Blob], ty(Bigint))],
            CARDINALITY => vec![sig(vec![LogicalTypeId::Any], ty(Bigint))],
            LEVENSHTEIN | HAMMING => vec![sig(vec![Varchar, Varchar], ty(Bigint))],
            AT_TIME_ZONE | WITH_TIMEZONE | ZONE_TO_UTC => {
                vec![sig(vec![Timestamp, Varchar], ty(Timestamp))]
            }
            TZ_TEXT => vec![sig(vec![Timestamp, Varchar], ty(Varchar))],
            DATE_ADD => vec![
                sig(vec![Varchar, Bigint, Date], ty(Date)),
                sig(vec![Varchar, Bigint, Timestamp], ty(Timestamp)),
                sig(vec![Varchar, Bigint, Time], ty(Time)),
            ],
            DATE_TRUNC => vec![
                sig(vec![Varchar, Date], ty(Date)),
                sig(vec![Varchar, Timestamp], ty(Timestamp)),
            ],
            SEQUENCE => vec![
                sig(vec![Bigint, Bigint], list(Bigint)),
                sig(vec![Bigint, Bigint, Bigint], list(Bigint)),
                sig(vec![Date, Date], list(Date)),
                sig(vec![Date, Date, Interval], list(Date)),
                sig(vec![Timestamp, Timestamp, Interval], list(Timestamp)),
            ],
            TRINO_TYPE => vec![sig(vec![Varchar], ty(Varchar))],
            _ => Vec::new(),
        }
    }
}

/// Runs karte function `K` on one chunk.
fn dispatch<const K: u8>(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    match K {
        NORMALIZE => normalize(input, output, rows),
        HMAC_SHA256 => blob_fn(input, output, rows, |a| {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(a[1]).map_err(|e| e.to_string())?;
            mac.update(a[0]);
            Ok(mac.finalize().into_bytes().to_vec())
        }),
        HMAC_SHA512 => blob_fn(input, output, rows, |a| {
            let mut mac = Hmac::<sha2::Sha512>::new_from_slice(a[1]).map_err(|e| e.to_string())?;
            mac.update(a[0]);
            Ok(mac.finalize().into_bytes().to_vec())
        }),
        XXHASH64 => blob_fn(input, output, rows, |a| {
            Ok(xxhash_rust::xxh64::xxh64(a[0], 0).to_be_bytes().to_vec())
        }),
        SHA512 => blob_fn(input, output, rows, |a| {
            use sha2::Digest;
            Ok(sha2::Sha512::digest(a[0]).to_vec())
        }),
        CRC32 => crc32_fn(input, output, rows),
        CARDINALITY => cardinality(input, output, rows),
        LEVENSHTEIN | HAMMING => distance(K == HAMMING, input, output, rows),
        AT_TIME_ZONE | WITH_TIMEZONE | ZONE_TO_UTC | TZ_TEXT => zone_fn(K, input, output, rows),
        DATE_ADD => date_add(input, output, rows),
        DATE_TRUNC => date_trunc(input, output, rows),
        SEQUENCE => sequence(input, output, rows),
        TRINO_TYPE => {
            let mut out = output.flat_vector();
            let mut col = StrCol::new(input, 0, rows);
            for row in 0..rows {
                match col.get(row) {
                    Some(s) => out.insert(row, trino_type(&String::from_utf8_lossy(s)).as_str()),
                    None => out.set_null(row),
                }
            }
            Ok(())
        }
        _ => Err("unknown karte function".into()),
    }
}

fn ty(id: LogicalTypeId) -> LogicalTypeHandle {
    LogicalTypeHandle::from(id)
}

// ---------------------------------------------------------------------------------------------
// Reading input vectors
// ---------------------------------------------------------------------------------------------

/// A VARCHAR or BLOB input column.
struct StrCol {
    vec: FlatVector,
    nulls: Vec<bool>,
    rows: usize,
}

impl StrCol {
    fn new(input: &DataChunkHandle, idx: usize, rows: usize) -> Self {
        let vec = input.flat_vector(idx);
        let nulls = (0..rows).map(|r| vec.row_is_null(r as u64)).collect();
        StrCol { vec, nulls, rows }
    }

    /// The bytes of row `row`, or `None` if it is NULL.
    fn get(&mut self, row: usize) -> Option<&[u8]> {
        if row >= self.rows || self.nulls[row] {
            return None;
        }
        let strings = self.vec.as_mut_slice_with_len::<duckdb_string_t>(self.rows);
        Some(DuckString::new(&mut strings[row]).as_bytes())
    }
}

/// A fixed-width input column (BIGINT, DATE, TIMESTAMP, TIME, INTERVAL, …).
struct NumCol<T: Copy> {
    values: Vec<Option<T>>,
}

impl<T: Copy> NumCol<T> {
    fn new(input: &DataChunkHandle, idx: usize, rows: usize) -> Self {
        let vec = input.flat_vector(idx);
        let data = vec.as_slice_with_len::<T>(rows);
        let values = (0..rows)
            .map(|r| (!vec.row_is_null(r as u64)).then(|| data[r]))
            .collect();
        NumCol { values }
    }

    fn get(&self, row: usize) -> Option<T> {
        self.values.get(row).copied().flatten()
    }
}

fn column_type(input: &DataChunkHandle, idx: usize) -> LogicalTypeId {
    input.flat_vector(idx).logical_type().id()
}

// ---------------------------------------------------------------------------------------------
// Strings and binary
// ---------------------------------------------------------------------------------------------

fn normalize(input: &DataChunkHandle, output: &mut dyn WritableVector, rows: usize) -> UdfResult {
    let mut text = StrCol::new(input, 0, rows);
    let mut form = StrCol::new(input, 1, rows);
    let mut out = output.flat_vector();
    for row in 0..rows {
        let form = form
            .get(row)
            .map(|f| String::from_utf8_lossy(f).to_ascii_uppercase());
        let (Some(s), Some(form)) = (text.get(row), form) else {
            out.set_null(row);
            continue;
        };
        let s = String::from_utf8_lossy(s);
        let normalized: String = match form.trim() {
            "NFC" => s.nfc().collect(),
            "NFD" => s.nfd().collect(),
            "NFKC" => s.nfkc().collect(),
            "NFKD" => s.nfkd().collect(),
            other => return Err(format!("normalize: unknown form {other:?}").into()),
        };
        out.insert(row, normalized.as_str());
    }
    Ok(())
}

/// Applies `f` to the byte strings of every non-NULL row and writes BLOBs.
fn blob_fn(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
    f: impl Fn(&[&[u8]]) -> Result<Vec<u8>, String>,
) -> UdfResult {
    let mut cols: Vec<StrCol> = (0..input.num_columns())
        .map(|i| StrCol::new(input, i, rows))
        .collect();
    let mut out = output.flat_vector();
    for row in 0..rows {
        let args: Option<Vec<&[u8]>> = cols.iter_mut().map(|c| c.get(row)).collect();
        match args {
            Some(args) => out.insert(row, f(&args)?.as_slice()),
            None => out.set_null(row),
        }
    }
    Ok(())
}

fn crc32_fn(input: &DataChunkHandle, output: &mut dyn WritableVector, rows: usize) -> UdfResult {
    let mut data = StrCol::new(input, 0, rows);
    let mut out = output.flat_vector();
    for row in 0..rows {
        match data.get(row) {
            Some(bytes) => {
                let crc = i64::from(crc32(bytes));
                out.as_mut_slice::<i64>()[row] = crc;
            }
            None => out.set_null(row),
        }
    }
    Ok(())
}

/// The number of entries of an array or a map.
fn cardinality(input: &DataChunkHandle, output: &mut dyn WritableVector, rows: usize) -> UdfResult {
    let values = input.flat_vector(0);
    let kind = values.logical_type().try_id();
    if !matches!(kind, Ok(LogicalTypeId::List) | Ok(LogicalTypeId::Map)) {
        return Err("cardinality expects an array or a map".into());
    }
    let lists = input.list_vector(0);
    let mut out = output.flat_vector();
    for row in 0..rows {
        if values.row_is_null(row as u64) {
            out.set_null(row);
        } else {
            let len = lists.get_entry(row).1;
            out.as_mut_slice::<i64>()[row] = i64::try_from(len).unwrap_or(i64::MAX);
        }
    }
    Ok(())
}

/// Levenshtein or Hamming distance counted in code points, as Trino.
fn distance(
    hamming: bool,
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    let mut left = StrCol::new(input, 0, rows);
    let mut right = StrCol::new(input, 1, rows);
    let mut out = output.flat_vector();
    for row in 0..rows {
        let a: Vec<char> = match left.get(row) {
            Some(a) => String::from_utf8_lossy(a).chars().collect(),
            None => {
                out.set_null(row);
                continue;
            }
        };
        let b: Vec<char> = match right.get(row) {
            Some(b) => String::from_utf8_lossy(b).chars().collect(),
            None => {
                out.set_null(row);
                continue;
            }
        };
        let d = if hamming {
            if a.len() != b.len() {
                return Err(
                    "The input strings to hamming_distance function must have the same length"
                        .into(),
                );
            }
            a.iter().zip(&b).filter(|(x, y)| x != y).count()
        } else {
            levenshtein(&a, &b)
        };
        out.as_mut_slice::<i64>()[row] = i64::try_from(d).unwrap_or(i64::MAX);
    }
    Ok(())
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitution.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// CRC-32 (IEEE 802.3, as `java.util.zip.CRC32`).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// Trino's name for a DuckDB type name (`INTEGER[]` → `array(integer)`).
fn trino_type(duck: &str) -> String {
    let t = duck.trim();
    if let Some(inner) = t.strip_suffix("[]") {
        return format!("array({})", trino_type(inner));
    }
    let upper = t.to_ascii_uppercase();
    if let Some(inner) = upper
        .starts_with("STRUCT(")
        .then(|| t.get(7..t.len().saturating_sub(1)))
        .flatten()
    {
        let fields: Vec<String> = split_top_level(inner)
            .iter()
            .map(|field| {
                let field = field.trim();
                // `name TYPE`, the name possibly quoted.
                let split = if let Some(rest) = field.strip_prefix('"') {
                    rest.find('"').map(|i| i + 2)
                } else {
                    field.find(' ')
                };
                match split {
                    Some(i) if i <= field.len() => {
                        let (name, ty) = field.split_at(i);
                        format!("{} {}", name.trim(), trino_type(ty))
                    }
                    _ => trino_type(field),
                }
            })
            .collect();
        return format!("row({})", fields.join(", "));
    }
    if let Some(inner) = upper
        .starts_with("MAP(")
        .then(|| t.get(4..t.len().saturating_sub(1)))
        .flatten()
    {
        let parts: Vec<String> = split_top_level(inner)
            .iter()
            .map(|p| trino_type(p))
            .collect();
        return format!("map({})", parts.join(", "));
    }
    if upper.starts_with("DECIMAL") {
        return t.to_ascii_lowercase().replace(' ', "");
    }
    match upper.as_str() {
        "FLOAT" => "real".into(),
        "HUGEINT" => "bigint".into(),
        "BLOB" => "varbinary".into(),
        "TIMESTAMP" | "TIMESTAMP_MS" | "TIMESTAMP_NS" | "TIMESTAMP_S" => "timestamp(3)".into(),
        "TIMESTAMP WITH TIME ZONE" => "timestamp(3) with time zone".into(),
        "TIME" => "time(3)".into(),
        "INTERVAL" => "interval day to second".into(),
        "NULL" => "unknown".into(),
        _ => t.to_ascii_lowercase(),
    }
}

/// Splits `a, b(c, d), e` at commas outside parentheses and quotes.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

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

fn zone_fn(
    kind: u8,
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
        match kind {
            AT_TIME_ZONE => out.as_mut_slice::<i64>()[row] = naive_to_micros(zone.utc_to_local(t)),
            WITH_TIMEZONE => out.as_mut_slice::<i64>()[row] = us,
            ZONE_TO_UTC => out.as_mut_slice::<i64>()[row] = naive_to_micros(zone.local_to_utc(t)),
            _ => out.insert(
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

fn date_add(input: &DataChunkHandle, output: &mut dyn WritableVector, rows: usize) -> UdfResult {
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

fn date_trunc(input: &DataChunkHandle, output: &mut dyn WritableVector, rows: usize) -> UdfResult {
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

fn sequence(input: &DataChunkHandle, output: &mut dyn WritableVector, rows: usize) -> UdfResult {
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

    fn conn() -> Connection {
        let conn = Connection::open_in_memory().expect("open duckdb");
        register(&conn).expect("register");
        conn
    }

    fn text(conn: &Connection, sql: &str) -> Option<String> {
        conn.query_row(&format!("SELECT CAST(({sql}) AS VARCHAR)"), [], |r| {
            r.get(0)
        })
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    #[test]
    fn crc32_matches_java() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn trino_type_names() {
        assert_eq!(trino_type("INTEGER"), "integer");
        assert_eq!(trino_type("VARCHAR[]"), "array(varchar)");
        assert_eq!(trino_type("DECIMAL(10,2)"), "decimal(10,2)");
        assert_eq!(
            trino_type("MAP(VARCHAR, INTEGER[])"),
            "map(varchar, array(integer))"
        );
        assert_eq!(
            trino_type("STRUCT(a INTEGER, \"b c\" VARCHAR)"),
            "row(a integer, \"b c\" varchar)"
        );
        assert_eq!(trino_type("FLOAT"), "real");
    }

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

    #[test]
    fn functions_run_and_propagate_nulls() {
        let c = conn();
        assert_eq!(
            text(&c, "karte_normalize('ｱ', 'NFKC')").as_deref(),
            Some("ア")
        );
        assert_eq!(text(&c, "karte_normalize(NULL, 'NFKC')"), None);
        assert_eq!(
            text(&c, "hex(karte_xxhash64(encode('')))").as_deref(),
            Some("EF46DB3751D8E999")
        );
        assert_eq!(
            text(&c, "karte_crc32(encode('123456789'))").as_deref(),
            Some("3421780262")
        );
        assert_eq!(
            text(
                &c,
                "karte_at_time_zone(TIMESTAMP '2024-01-01 00:00:00', 'Asia/Tokyo')"
            )
            .as_deref(),
            Some("2024-01-01 09:00:00")
        );
        assert_eq!(
            text(
                &c,
                "karte_zone_to_utc(TIMESTAMP '2024-01-01 09:00:00', 'Asia/Tokyo')"
            )
            .as_deref(),
            Some("2024-01-01 00:00:00")
        );
        assert_eq!(
            text(&c, "karte_date_add('month', 1, DATE '2024-01-31')").as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(
            text(
                &c,
                "karte_sequence(DATE '2024-01-31', DATE '2024-04-30', INTERVAL 1 MONTH)"
            )
            .as_deref(),
            Some("[2024-01-31, 2024-02-29, 2024-03-31, 2024-04-30]")
        );
        assert_eq!(
            text(&c, "karte_sequence(3, 1)").as_deref(),
            Some("[3, 2, 1]")
        );
        assert_eq!(text(&c, "karte_sequence(NULL::BIGINT, 1)"), None);
        let err = c.query_row("SELECT karte_sequence(1, 100000)", [], |r| {
            r.get::<_, String>(0)
        });
        assert!(err.is_err());
        let err = c.query_row(
            "SELECT karte_at_time_zone(TIMESTAMP '2024-01-01', 'X/Y')",
            [],
            |r| r.get::<_, String>(0),
        );
        assert!(err.is_err());
    }
}
