//! Strings and binary: `normalize`, HMACs and hashes, CRC-32, Levenshtein and Hamming distances.

use duckdb::core::{DataChunkHandle, Inserter};
use duckdb::vtab::arrow::WritableVector;
use hmac::{Hmac, Mac};
use unicode_normalization::UnicodeNormalization;

use super::{StrCol, UdfResult};

pub(super) fn normalize(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
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

pub(super) fn hmac_sha256(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    blob_fn(input, output, rows, |a| {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(a[1]).map_err(|e| e.to_string())?;
        mac.update(a[0]);
        Ok(mac.finalize().into_bytes().to_vec())
    })
}

pub(super) fn hmac_sha512(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    blob_fn(input, output, rows, |a| {
        let mut mac = Hmac::<sha2::Sha512>::new_from_slice(a[1]).map_err(|e| e.to_string())?;
        mac.update(a[0]);
        Ok(mac.finalize().into_bytes().to_vec())
    })
}

pub(super) fn xxhash64(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    blob_fn(input, output, rows, |a| {
        Ok(xxhash_rust::xxh64::xxh64(a[0], 0).to_be_bytes().to_vec())
    })
}

pub(super) fn sha512(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    blob_fn(input, output, rows, |a| {
        use sha2::Digest;
        Ok(sha2::Sha512::digest(a[0]).to_vec())
    })
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

pub(super) fn crc32(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    let mut data = StrCol::new(input, 0, rows);
    let mut out = output.flat_vector();
    for row in 0..rows {
        match data.get(row) {
            Some(bytes) => {
                let crc = i64::from(crc32_of(bytes));
                out.as_mut_slice::<i64>()[row] = crc;
            }
            None => out.set_null(row),
        }
    }
    Ok(())
}

pub(super) fn levenshtein(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    distance(false, input, output, rows)
}

pub(super) fn hamming(
    input: &DataChunkHandle,
    output: &mut dyn WritableVector,
    rows: usize,
) -> UdfResult {
    distance(true, input, output, rows)
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
            levenshtein_chars(&a, &b)
        };
        out.as_mut_slice::<i64>()[row] = i64::try_from(d).unwrap_or(i64::MAX);
    }
    Ok(())
}

fn levenshtein_chars(a: &[char], b: &[char]) -> usize {
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
fn crc32_of(bytes: &[u8]) -> u32 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_java() {
        assert_eq!(crc32_of(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32_of(b""), 0);
    }
}
