//! Deliveries: CP932 encoding, spooling records per delivery until their month is complete,
//! zipping them like hospitals and insurers send them, and `MANIFEST.txt`.
//!
//! A spool is one temporary file per (month, kind, sender) under `DIR/.karte-spool/`, holding
//! frames `entry u32 | lines u32 | receipts u32 | points u64 | len u32 | bytes` (little
//! endian). Taking a spool reads it back, groups the frames by entry (a facility inside an
//! insurer's zip) in entry order and deletes it. Memory holds one spool at a time.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::Ym;

/// What a delivery holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    Medical,
    Pharmacy,
    Enrollment,
    Ff1,
    Ef,
    Lab,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Medical => "medical",
            Kind::Pharmacy => "pharmacy",
            Kind::Enrollment => "enrollment",
            Kind::Ff1 => "dpc_ff1",
            Kind::Ef => "dpc_ef",
            Kind::Lab => "lab",
        }
    }
}

/// The zip file of a delivery, relative to the output directory.
pub(crate) fn zip_path(kind: Kind, month: Ym, sender: &str) -> String {
    let ym = month.compact();
    match kind {
        Kind::Medical => format!("medical/RECEIPTC_{sender}_{ym}.zip"),
        Kind::Pharmacy => format!("pharmacy/RECEIPTS_{sender}_{ym}.zip"),
        Kind::Enrollment => format!("enrollment/KANYU_{sender}_{ym}.zip"),
        Kind::Ff1 => format!("dpc/{sender}/FF1_{ym}.zip"),
        Kind::Ef => format!("dpc/{sender}/EF_{ym}.zip"),
        Kind::Lab => format!("lab/{sender}_lab_{ym}.zip"),
    }
}

/// Encode text as CP932 (Windows-31J: `encoding_rs::SHIFT_JIS` is the WHATWG Shift_JIS, which
/// is Microsoft's table with the NEC and IBM extensions). A character CP932 cannot hold is a
/// bug in the generator, reported as an error rather than written as `&#…;`.
pub(crate) fn encode(text: &str) -> io::Result<Vec<u8>> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    if unmappable {
        let bad: String = text
            .chars()
            .filter(|c| {
                let mut buf = [0u8; 4];
                encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2
            })
            .collect();
        return Err(io::Error::other(format!(
            "internal error: `{bad}` cannot be written in CP932 (in `{text}`)"
        )));
    }
    Ok(bytes.into_owned())
}

/// Lines as CP932, each ended by CRLF.
pub(crate) fn encode_lines(lines: &[String]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for l in lines {
        out.extend(encode(l)?);
        out.extend_from_slice(b"\r\n");
    }
    Ok(out)
}

/// A piece of a delivery.
pub(crate) struct Frame<'a> {
    /// The file inside the zip it belongs to (a facility index for claims, else 0).
    pub entry: u32,
    pub lines: u32,
    /// RE records in it.
    pub receipts: u32,
    /// 合計点数 of its receipts.
    pub points: u64,
    pub bytes: &'a [u8],
}

impl<'a> Frame<'a> {
    /// Plain rows.
    pub fn rows(entry: u32, lines: u32, bytes: &'a [u8]) -> Frame<'a> {
        Frame {
            entry,
            lines,
            receipts: 0,
            points: 0,
            bytes,
        }
    }
}

/// The frames of one entry, put together.
#[derive(Default)]
pub(crate) struct EntryBody {
    pub bytes: Vec<u8>,
    pub lines: u64,
    pub receipts: u64,
    pub points: u64,
}

/// A file inside a zip.
pub(crate) struct ZipEntry {
    pub name: String,
    /// Its bytes, written one after another.
    pub parts: Vec<Vec<u8>>,
    /// Data rows (records) for the manifest.
    pub rows: u64,
    /// The sender's code for the manifest.
    pub sender: String,
}

struct ManifestRow {
    file: String,
    entry: String,
    kind: Kind,
    sender: String,
    month: Ym,
    rows: u64,
    bytes: u64,
}

/// Totals of what was written.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    pub zip_files: usize,
    pub entries: usize,
    pub zip_bytes: u64,
    /// Entries (files inside zips) per kind.
    pub entries_by_kind: BTreeMap<&'static str, u64>,
    /// Zip files per kind.
    pub zips_by_kind: BTreeMap<&'static str, u64>,
}

/// The output directory and its open spools.
pub(crate) struct Deliveries {
    root: PathBuf,
    spool_dir: PathBuf,
    spools: BTreeMap<(Ym, Kind, u32), BufWriter<File>>,
    manifest: Vec<ManifestRow>,
    stats: Stats,
}

impl Deliveries {
    pub fn new(root: &Path) -> io::Result<Deliveries> {
        let spool_dir = root.join(".karte-spool");
        std::fs::create_dir_all(&spool_dir)?;
        Ok(Deliveries {
            root: root.to_path_buf(),
            spool_dir,
            spools: BTreeMap::new(),
            manifest: Vec::new(),
            stats: Stats::default(),
        })
    }

    fn spool_path(&self, month: Ym, kind: Kind, sender: u32) -> PathBuf {
        self.spool_dir.join(format!(
            "{}-{}-{sender}.spool",
            month.compact(),
            kind.name()
        ))
    }

    /// Add a frame to the delivery (month, kind, sender).
    pub fn append(&mut self, month: Ym, kind: Kind, sender: u32, f: Frame) -> io::Result<()> {
        let key = (month, kind, sender);
        if !self.spools.contains_key(&key) {
            let file = File::create(self.spool_path(month, kind, sender))?;
            self.spools
                .insert(key, BufWriter::with_capacity(1 << 16, file));
        }
        let w = self.spools.get_mut(&key).expect("just inserted");
        w.write_all(&f.entry.to_le_bytes())?;
        w.write_all(&f.lines.to_le_bytes())?;
        w.write_all(&f.receipts.to_le_bytes())?;
        w.write_all(&f.points.to_le_bytes())?;
        w.write_all(&(f.bytes.len() as u32).to_le_bytes())?;
        w.write_all(f.bytes)
    }

    /// Senders with a spool for (month, kind), in order.
    pub fn senders(&self, month: Ym, kind: Kind) -> Vec<u32> {
        self.spools
            .range((month, kind, 0)..=(month, kind, u32::MAX))
            .map(|((_, _, s), _)| *s)
            .collect()
    }

    /// Read a spool back, grouped by entry, and delete it.
    pub fn take(
        &mut self,
        month: Ym,
        kind: Kind,
        sender: u32,
    ) -> io::Result<BTreeMap<u32, EntryBody>> {
        let w = self
            .spools
            .remove(&(month, kind, sender))
            .expect("a spool listed by senders()");
        drop(w.into_inner().map_err(|e| e.into_error())?);
        let path = self.spool_path(month, kind, sender);
        let mut data = Vec::new();
        File::open(&path)?.read_to_end(&mut data)?;
        std::fs::remove_file(&path)?;
        let mut out: BTreeMap<u32, EntryBody> = BTreeMap::new();
        let mut pos = 0;
        let u32_at = |d: &[u8], p: usize| u32::from_le_bytes(d[p..p + 4].try_into().unwrap());
        while pos < data.len() {
            let entry = u32_at(&data, pos);
            let lines = u32_at(&data, pos + 4);
            let receipts = u32_at(&data, pos + 8);
            let points = u64::from_le_bytes(data[pos + 12..pos + 20].try_into().unwrap());
            let len = u32_at(&data, pos + 20) as usize;
            let start = pos + 24;
            let e = out.entry(entry).or_default();
            e.bytes.extend_from_slice(&data[start..start + len]);
            e.lines += u64::from(lines);
            e.receipts += u64::from(receipts);
            e.points += points;
            pos = start + len;
        }
        Ok(out)
    }

    /// Write a zip of `entries` (sorted by name), with a fixed timestamp: the 10th of the
    /// month after `month`, 09:00.
    pub fn write_zip(
        &mut self,
        rel: &str,
        kind: Kind,
        month: Ym,
        mut entries: Vec<ZipEntry>,
    ) -> io::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent"))?;
        let next = month.add(1);
        let stamp =
            DateTime::from_date_and_time(next.year() as u16, next.month() as u8, 10, 9, 0, 0)
                .map_err(io::Error::other)?;
        let mut zip = ZipWriter::new(BufWriter::new(File::create(&path)?));
        for e in &entries {
            let size: u64 = e.parts.iter().map(|p| p.len() as u64).sum();
            let options = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Deflated)
                .compression_level(Some(6))
                .last_modified_time(stamp)
                .unix_permissions(0o644)
                .large_file(size >= u64::from(u32::MAX));
            zip.start_file(e.name.as_str(), options)
                .map_err(io::Error::other)?;
            for p in &e.parts {
                zip.write_all(p)?;
            }
            self.manifest.push(ManifestRow {
                file: rel.to_string(),
                entry: e.name.clone(),
                kind,
                sender: e.sender.clone(),
                month,
                rows: e.rows,
                bytes: size,
            });
            self.stats.entries += 1;
            *self.stats.entries_by_kind.entry(kind.name()).or_default() += 1;
        }
        let mut w = zip.finish().map_err(io::Error::other)?;
        w.flush()?;
        drop(w);
        self.stats.zip_files += 1;
        *self.stats.zips_by_kind.entry(kind.name()).or_default() += 1;
        self.stats.zip_bytes += std::fs::metadata(&path)?.len();
        Ok(())
    }

    /// Write `MANIFEST.txt` and remove the spool directory.
    pub fn finish(mut self) -> io::Result<Stats> {
        if !self.spools.is_empty() {
            return Err(io::Error::other(
                "internal error: deliveries left unwritten",
            ));
        }
        self.manifest
            .sort_by(|a, b| (&a.file, &a.entry).cmp(&(&b.file, &b.entry)));
        let mut text = String::from(
            "# karte example-data: one line per file delivered (zip, file inside it, kind, sender, month, rows, bytes)\n\
             file\tentry\tkind\tsender\tmonth\trows\tbytes\n",
        );
        for r in &self.manifest {
            text.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                r.file,
                r.entry,
                r.kind.name(),
                r.sender,
                r.month.compact(),
                r.rows,
                r.bytes
            ));
        }
        std::fs::write(self.root.join("MANIFEST.txt"), text)?;
        std::fs::remove_dir_all(&self.spool_dir)?;
        Ok(self.stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp932_holds_the_extension_characters() {
        // ① is an NEC special character (0x8740), 髙 an IBM extension (0xFBFC).
        assert_eq!(encode("①").unwrap(), vec![0x87, 0x40]);
        assert_eq!(encode("髙").unwrap(), vec![0xFB, 0xFC]);
        // 0x8160 is FULLWIDTH TILDE in CP932 (WAVE DASH in strict Shift_JIS); WAVE DASH itself
        // has no CP932 byte.
        assert_eq!(encode("～").unwrap(), vec![0x81, 0x60]);
        assert!(encode("〜").is_err());
        assert_eq!(encode("－").unwrap(), vec![0x81, 0x7C]);
        assert!(encode("\u{1F600}").is_err());
    }
}
