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
//!
//! [`UDFS`] is the one list of the functions: name, signatures and the Rust function that
//! computes a chunk (in `text.rs`, `time.rs` and `types.rs`). A new function is a row there.

mod text;
mod time;
mod types;

use std::error::Error;

use duckdb::core::{DataChunkHandle, FlatVector, LogicalTypeHandle, LogicalTypeId};
use duckdb::ffi::duckdb_string_t;
use duckdb::types::DuckString;
use duckdb::vscalar::{ScalarFunctionSignature, VScalar};
use duckdb::vtab::arrow::WritableVector;
use duckdb::Connection;

type UdfResult = Result<(), Box<dyn Error>>;

/// Computes one karte function over a chunk: the input columns, the output vector, the number
/// of rows.
type Compute = fn(&DataChunkHandle, &mut dyn WritableVector, usize) -> UdfResult;

/// The rows of [`UDFS`]: for each, a DuckDB function type (one Rust type per DuckDB function)
/// with the row's signatures, computed by the row's function.
macro_rules! udfs {
    ($($name:literal: $(($($arg:ident),*) -> $ret:tt)|+ => $compute:path;)*) => {
        &[$({
            struct Function;
            impl VScalar for Function {
                type State = ();

                unsafe fn invoke(
                    _state: &(),
                    input: &mut DataChunkHandle,
                    output: &mut dyn WritableVector,
                ) -> UdfResult {
                    guarded($compute, input, output)
                }

                fn signatures() -> Vec<ScalarFunctionSignature> {
                    vec![$(ScalarFunctionSignature::exact(
                        vec![$(logical_type!($arg)),*],
                        logical_type!($ret),
                    )),+]
                }
            }
            Udf {
                name: $name,
                register: Connection::register_scalar_function::<Function>,
            }
        }),*]
    };
}

/// A DuckDB type of [`UDFS`]: `Varchar`, or `[Bigint]` for a list.
macro_rules! logical_type {
    ([$id:ident]) => {
        LogicalTypeHandle::list(&LogicalTypeHandle::from(LogicalTypeId::$id))
    };
    ($id:ident) => {
        LogicalTypeHandle::from(LogicalTypeId::$id)
    };
}

/// One karte function: its name and how to register it (its signatures and [`Compute`]
/// function are in the DuckDB function type `udfs!` made for it).
struct Udf {
    name: &'static str,
    register: fn(&Connection, &str) -> duckdb::Result<()>,
}

/// Every karte function: `"name": (argument types) -> return type | … => compute;`. The types
/// are DuckDB's [`LogicalTypeId`]s, `[T]` a list of T; one function may have several
/// signatures (overloads), all computed by the same Rust function.
static UDFS: &[Udf] = udfs![
    "karte_normalize": (Varchar, Varchar) -> Varchar => text::normalize;
    "karte_hmac_sha256": (Blob, Blob) -> Blob => text::hmac_sha256;
    "karte_hmac_sha512": (Blob, Blob) -> Blob => text::hmac_sha512;
    "karte_xxhash64": (Blob) -> Blob => text::xxhash64;
    "karte_sha512": (Blob) -> Blob => text::sha512;
    "karte_cardinality": (Any) -> Bigint => types::cardinality;
    "karte_levenshtein": (Varchar, Varchar) -> Bigint => text::levenshtein;
    "karte_hamming": (Varchar, Varchar) -> Bigint => text::hamming;
    "karte_crc32": (Blob) -> Bigint => text::crc32;
    "karte_at_time_zone": (Timestamp, Varchar) -> Timestamp => time::at_time_zone;
    "karte_with_timezone": (Timestamp, Varchar) -> Timestamp => time::with_timezone;
    "karte_zone_to_utc": (Timestamp, Varchar) -> Timestamp => time::zone_to_utc;
    "karte_tz_text": (Timestamp, Varchar) -> Varchar => time::tz_text;
    "karte_date_add":
        (Varchar, Bigint, Date) -> Date
        | (Varchar, Bigint, Timestamp) -> Timestamp
        | (Varchar, Bigint, Time) -> Time
        => time::date_add;
    "karte_date_trunc":
        (Varchar, Date) -> Date
        | (Varchar, Timestamp) -> Timestamp
        => time::date_trunc;
    "karte_sequence":
        (Bigint, Bigint) -> [Bigint]
        | (Bigint, Bigint, Bigint) -> [Bigint]
        | (Date, Date) -> [Date]
        | (Date, Date, Interval) -> [Date]
        | (Timestamp, Timestamp, Interval) -> [Timestamp]
        => time::sequence;
    "karte_trino_type": (Varchar) -> Varchar => types::trino_type;
];

/// Register karte's scalar functions (Trino semantics DuckDB lacks) on a connection.
///
/// Call it once on every connection before running SQL produced by
/// [`translate`](super::translate::translate).
pub fn register(conn: &Connection) -> duckdb::Result<()> {
    for udf in UDFS {
        (udf.register)(conn, udf.name)?;
    }
    Ok(())
}

/// Runs `compute` on a chunk; a panic becomes a query error (it must not unwind into DuckDB's
/// C++).
fn guarded(
    compute: Compute,
    input: &mut DataChunkHandle,
    output: &mut dyn WritableVector,
) -> UdfResult {
    let rows = input.len();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        compute(input, output, rows).map_err(|e| e.to_string())
    }))
    .unwrap_or_else(|_| Err("internal error in a karte function".to_string()));
    // DuckDB takes the message as a C string: no NUL bytes.
    result.map_err(|e| -> Box<dyn Error> { e.replace('\0', "").into() })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::duckdb::translate::{Rewrite, FUNCTIONS};

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

    /// Every karte function the mapping table calls by name is registered, once.
    #[test]
    fn the_table_has_every_function_of_the_translation() {
        for m in FUNCTIONS {
            if let Rewrite::Udf(name) = m.rewrite {
                assert!(UDFS.iter().any(|u| u.name == name), "{name}");
            }
        }
        for (i, u) in UDFS.iter().enumerate() {
            assert!(u.name.starts_with("karte_"), "{}", u.name);
            assert!(!UDFS[..i].iter().any(|v| v.name == u.name), "{}", u.name);
        }
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
