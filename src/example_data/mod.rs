//! `karte example-data`: a deterministic synthetic data generator for the example project.
//!
//! It writes what a data company receives from health-insurance societies and hospitals —
//! medical and pharmacy claims in the receipt electronic format (`.UKE`), monthly enrollment
//! ledgers, DPC 様式1 and EF files, lab-result CSVs — encoded in CP932 and zipped per sender
//! and month, with dirt injected at known rates; plus an answer key (`answer_key.json`) of
//! figures computed while generating, small synthetic code masters (`masters/*.csv`) and a
//! `MANIFEST.txt`. The bytes written are a pure function of (size, seed). See
//! `docs/example-data.md`.
//!
//! One pass over service months; in each month every person is (re)generated from their own
//! random stream and their month simulated from another (`stream(seed, tag, person, month)`),
//! so memory stays bounded whatever the size: records are spooled to temporary files per
//! delivery (`deliver.rs`) and zipped when their month is complete.

mod answer;
mod deliver;
mod dpc;
mod labs;
mod masters;
mod persons;
mod receipts;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use deliver::{Deliveries, Frame, Kind, ZipEntry};
use masters::World;

/// How much data to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// A few hundred persons, 12 months: what the tests use.
    Tiny,
    /// About 10,000 persons, 36 months: a demo.
    Small,
    /// About 1,000,000 persons, 24 months: benchmarks (never committed).
    Large,
}

impl Size {
    /// `tiny`, `small` or `large`.
    pub fn name(self) -> &'static str {
        match self {
            Size::Tiny => "tiny",
            Size::Small => "small",
            Size::Large => "large",
        }
    }
}

/// What to generate, and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub size: Size,
    pub seed: u64,
    /// The deliveries directory (`example_project/deliveries` by default).
    pub out: PathBuf,
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Zip files written.
    pub zip_files: usize,
    /// Files inside the zips.
    pub entries: usize,
    /// Bytes of all zip files.
    pub zip_bytes: u64,
    /// Persons generated.
    pub persons: u32,
    /// First and last service month (`YYYY-MM`).
    pub first_month: String,
    pub last_month: String,
    /// RE records written in medical claims.
    pub medical_receipts: u64,
}

/// A month, as months since year 0 (`year * 12 + month - 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Ym(pub u32);

impl Ym {
    pub fn new(year: i32, month: u32) -> Ym {
        Ym(year as u32 * 12 + month - 1)
    }
    pub fn of(d: NaiveDate) -> Ym {
        Ym::new(d.year(), d.month())
    }
    pub fn year(self) -> i32 {
        (self.0 / 12) as i32
    }
    pub fn month(self) -> u32 {
        self.0 % 12 + 1
    }
    pub fn add(self, n: u32) -> Ym {
        Ym(self.0 + n)
    }
    pub fn day(self, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.month(), d).expect("valid day")
    }
    pub fn first(self) -> NaiveDate {
        self.day(1)
    }
    pub fn last(self) -> NaiveDate {
        self.add(1).first().pred_opt().expect("date")
    }
    pub fn days(self) -> u32 {
        self.last().day()
    }
    /// `201905`.
    pub fn compact(self) -> String {
        format!("{:04}{:02}", self.year(), self.month())
    }
    /// `2019-05`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.year(), self.month())
    }
}

/// Everything that depends on the size and seed.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub size: Size,
    pub seed: u64,
    pub persons: u32,
    pub insurers: u32,
    pub clinics: u32,
    pub hospitals: u32,
    /// The first `dpc_hospitals` hospitals are DPC hospitals.
    pub dpc_hospitals: u32,
    pub pharmacies: u32,
    pub first_month: Ym,
    pub months: u32,
}

impl Config {
    pub fn new(size: Size, seed: u64) -> Config {
        let (persons, insurers, clinics, hospitals, dpc_hospitals, pharmacies, months) = match size
        {
            Size::Tiny => (300, 2, 5, 2, 1, 3, 12),
            Size::Small => (10_000, 3, 20, 4, 2, 10, 36),
            Size::Large => (1_000_000, 5, 200, 20, 8, 80, 24),
        };
        Config {
            size,
            seed,
            persons,
            insurers,
            clinics,
            hospitals,
            dpc_hospitals,
            pharmacies,
            // Every size spans the 平成 → 令和 change (2019-04-30 / 2019-05-01).
            first_month: Ym::new(2018, 10),
            months,
        }
    }
    pub fn last_month(&self) -> Ym {
        self.first_month.add(self.months - 1)
    }
    /// Claims for the last service month can arrive up to this billing month.
    pub fn last_billing(&self) -> Ym {
        self.last_month().add(1 + rates::LATE_MAX_MONTHS)
    }
}

/// Injected dirt and other rates (documented in docs/example-data.md, repeated in the answer
/// key).
pub(crate) mod rates {
    /// A receipt billed 2–4 months after its service month instead of the next month.
    pub const LATE_CLAIM: f64 = 0.03;
    /// Late claims arrive up to this many months later than usual.
    pub const LATE_MAX_MONTHS: u32 = 3;
    /// A receipt billed once more (返戻再請求) 1–2 months after its first billing.
    pub const RESUBMISSION: f64 = 0.01;
    /// RE 氏名 written in half-width katakana instead of full-width kanji.
    pub const HALFWIDTH_RE_NAME: f64 = 0.08;
    /// A diagnosis written uncoded (`0000999` and its name as text).
    pub const UNCODED_DIAGNOSIS: f64 = 0.03;
    /// A person changes insurer during the period.
    pub const INSURER_CHANGE: f64 = 0.06;
    /// A person joins the insurer during the period.
    pub const JOIN: f64 = 0.08;
    /// A person leaves during the period (and is not seen again).
    pub const LEAVE: f64 = 0.05;
    /// An outpatient medical receipt carries a CO comment.
    pub const COMMENT: f64 = 0.05;
    /// Enrollment ledger names with an ASCII space instead of U+3000.
    pub const LEDGER_ASCII_SPACE: f64 = 0.10;
    /// Lab values with full-width digits (`１２．３`).
    pub const LAB_FULLWIDTH: f64 = 0.05;
    /// Lab values with spaces around them.
    pub const LAB_PADDED: f64 = 0.02;
    /// Lab rows without a JLAC10 code (only the hospital's local code).
    pub const LAB_JLAC10_BLANK: f64 = 0.10;
    /// Lab units `mg/dl` (lower case) and `ｍｇ／ｄＬ` (full width) instead of `mg/dL`.
    pub const LAB_UNIT_LOWER: f64 = 0.15;
    pub const LAB_UNIT_FULLWIDTH: f64 = 0.10;
    /// Lab reference ranges written with `~` (ASCII) or `-` instead of `～` (CP932 0x8160).
    pub const LAB_RANGE_ASCII_TILDE: f64 = 0.20;
    pub const LAB_RANGE_HYPHEN: f64 = 0.10;
    /// DPC 様式1 ICD-10 codes written with a dot (`K35.8`).
    pub const DPC_ICD_DOT: f64 = 0.10;
    /// DPC 様式1 disease names with the variant kanji 頸 instead of the master's 頚.
    pub const DPC_ITAIJI: f64 = 0.5;
    /// SY 診療開始日 of an acute episode in 2019-04 (2019-05) put on 04-30 (05-01).
    pub const ERA_BOUNDARY_DAY: f64 = 0.25;
}

/// Stream tags: every random stream is `stream(seed, TAG, a, b)`.
pub(crate) mod tag {
    pub const PERSON: u64 = 1;
    pub const MONTH: u64 = 2;
    pub const LAB: u64 = 3;
    pub const DPC: u64 = 4;
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An independent random stream for (seed, tag, a, b): the same arguments give the same
/// numbers on every platform.
pub(crate) fn stream(seed: u64, tag: u64, a: u64, b: u64) -> ChaCha8Rng {
    let h = splitmix(splitmix(splitmix(splitmix(seed) ^ tag) ^ a) ^ b);
    ChaCha8Rng::seed_from_u64(h)
}

/// `true` with probability `p`.
pub(crate) fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// A number in `0..n` (u32, so the same on 32- and 64-bit platforms).
pub(crate) fn below(rng: &mut ChaCha8Rng, n: u32) -> u32 {
    rng.random_range(0..n)
}

/// A number in `lo..=hi`.
pub(crate) fn between(rng: &mut ChaCha8Rng, lo: u32, hi: u32) -> u32 {
    rng.random_range(lo..=hi)
}

/// One of `xs`.
pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, xs: &'a [T]) -> &'a T {
    &xs[below(rng, xs.len() as u32) as usize]
}

/// A normally distributed number (Irwin–Hall: twelve uniforms, so only `+` and `*`, whose
/// results IEEE 754 fixes on every platform — unlike `ln`/`cos`).
pub(crate) fn normal(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> f64 {
    let sum: f64 = (0..12).map(|_| rng.random::<f64>()).sum();
    mean + sd * (sum - 6.0)
}

/// Full-width katakana (and U+3000) to half-width katakana (and a space); other characters
/// unchanged. Voiced kana become two characters (`ガ` → `ｶﾞ`).
pub(crate) fn to_halfwidth_kana(s: &str) -> String {
    const FULL: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッー・";
    const HALF: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ･";
    const VOICED: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボヴ";
    const VOICED_BASE: &str = "カキクケコサシスセソタチツテトハヒフヘホウ";
    const SEMI: &str = "パピプペポ";
    const SEMI_BASE: &str = "ハヒフヘホ";
    let half = |c: char| {
        FULL.chars()
            .position(|f| f == c)
            .and_then(|i| HALF.chars().nth(i))
    };
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\u{3000}' {
            out.push(' ');
        } else if let Some(h) = half(c) {
            out.push(h);
        } else if let Some(i) = VOICED.chars().position(|v| v == c) {
            let base = VOICED_BASE.chars().nth(i).expect("same length");
            out.push(half(base).expect("base kana"));
            out.push('ﾞ');
        } else if let Some(i) = SEMI.chars().position(|v| v == c) {
            let base = SEMI_BASE.chars().nth(i).expect("same length");
            out.push(half(base).expect("base kana"));
            out.push('ﾟ');
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `s` holds half-width katakana (U+FF61–U+FF9F).
pub(crate) fn has_halfwidth_kana(s: &str) -> bool {
    s.chars().any(|c| ('\u{FF61}'..='\u{FF9F}').contains(&c))
}

/// ASCII digits and `.` to full-width (`12.3` → `１２．３`).
pub(crate) fn to_fullwidth_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).expect("digit"),
            '.' => '．',
            c => c,
        })
        .collect()
}

/// What the output directory may already hold: only what a previous run wrote.
const OWNED: &[&str] = &[
    "medical",
    "pharmacy",
    "enrollment",
    "dpc",
    "lab",
    "masters",
    "MANIFEST.txt",
    "answer_key.json",
    ".karte-spool",
];

/// Make `out` ready: create it, or clear what a previous run wrote. Refuses a directory
/// holding anything else, so that a mistyped `--out` deletes nothing of the user's.
fn prepare_out_dir(out: &Path) -> io::Result<()> {
    if out.exists() {
        let mut foreign = Vec::new();
        for e in std::fs::read_dir(out)? {
            let name = e?.file_name().to_string_lossy().into_owned();
            if !OWNED.contains(&name.as_str()) {
                foreign.push(name);
            }
        }
        if !foreign.is_empty() {
            foreign.sort();
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "`{}` holds files karte example-data did not write ({}); choose an empty or new directory",
                    out.display(),
                    foreign.join(", ")
                ),
            ));
        }
        for name in OWNED {
            let p = out.join(name);
            if p.is_dir() {
                std::fs::remove_dir_all(&p)?;
            } else if p.exists() {
                std::fs::remove_file(&p)?;
            }
        }
    }
    std::fs::create_dir_all(out)
}

/// Generate the deliveries, masters, manifest and answer key into `opts.out`.
pub fn generate(opts: &Options) -> io::Result<Summary> {
    let cfg = Config::new(opts.size, opts.seed);
    let world = World::new(&cfg);
    prepare_out_dir(&opts.out)?;
    let mut g = Gen {
        out: Deliveries::new(&opts.out)?,
        key: answer::Answer::new(&cfg, &world),
        numbers: BTreeMap::new(),
        broken_done: false,
        cfg: &cfg,
        world: &world,
    };
    // Population figures, from one pass over the persons.
    for p in 0..cfg.persons {
        let person = persons::person(&cfg, &world, p);
        g.key.population(&person);
    }
    for mi in 0..cfg.months {
        let m = cfg.first_month.add(mi);
        for p in 0..cfg.persons {
            g.person_month(p, m)?;
        }
        for kind in [Kind::Enrollment, Kind::Ff1, Kind::Ef, Kind::Lab] {
            g.finalize(m, kind)?;
        }
        for kind in [Kind::Medical, Kind::Pharmacy] {
            g.finalize(m.add(1), kind)?;
        }
    }
    let mut b = cfg.last_month().add(2);
    while b <= cfg.last_billing() {
        for kind in [Kind::Medical, Kind::Pharmacy] {
            g.finalize(b, kind)?;
        }
        b = b.add(1);
    }
    let masters_written = masters::write_masters(&opts.out.join("masters"), &world)?;
    let Gen { out, key, .. } = g;
    let stats = out.finish()?;
    key.write(&opts.out.join("answer_key.json"), &stats, &masters_written)?;
    Ok(Summary {
        zip_files: stats.zip_files,
        entries: stats.entries,
        zip_bytes: stats.zip_bytes,
        persons: cfg.persons,
        first_month: cfg.first_month.iso(),
        last_month: cfg.last_month().iso(),
        medical_receipts: key.medical_re_records(),
    })
}

/// The generator's state during the pass.
struct Gen<'a> {
    cfg: &'a Config,
    world: &'a World,
    out: Deliveries,
    key: answer::Answer,
    /// Next レセプト番号 per file (billing month, kind, insurer, facility).
    numbers: BTreeMap<(Ym, Kind, u32, u32), u32>,
    /// The one broken GO trailer has been written.
    broken_done: bool,
}

impl Gen<'_> {
    /// Everything person `p` contributes to month `m`.
    fn person_month(&mut self, p: u32, m: Ym) -> io::Result<()> {
        let (cfg, world) = (self.cfg, self.world);
        let person = persons::person(cfg, world, p);
        let Some(spell_no) = person.spell_in(m) else {
            return Ok(());
        };
        let spell = &person.spells[spell_no];
        let row = persons::ledger_row(world, &person, spell_no, m, &mut self.key);
        let bytes = deliver::encode_lines(&[row])?;
        self.out.append(
            m,
            Kind::Enrollment,
            spell.insurer,
            Frame::rows(0, 1, &bytes),
        )?;
        self.key.member_month(spell.insurer, m);

        let month = receipts::person_month(cfg, world, &person, spell_no, m);
        let mut medical = false;
        let mut pharmacy = false;
        for r in &month.receipts {
            match r.kind {
                receipts::ClaimKind::Medical => medical = true,
                receipts::ClaimKind::Pharmacy => pharmacy = true,
            }
            self.route(&person, r)?;
        }
        if medical {
            self.key.person_month(Kind::Medical, m);
        }
        if pharmacy {
            self.key.person_month(Kind::Pharmacy, m);
        }

        if !month.labs.is_empty() {
            let mut rng = stream(cfg.seed, tag::LAB, p as u64, m.0 as u64);
            let mut creatinine = 0.0;
            for order in &month.labs {
                let line = labs::row(
                    world,
                    &person,
                    order,
                    &mut rng,
                    &mut creatinine,
                    &mut self.key,
                );
                let bytes = deliver::encode_lines(&[line])?;
                self.out
                    .append(m, Kind::Lab, order.facility, Frame::rows(0, 1, &bytes))?;
            }
        }

        for (i, adm) in person.admissions.iter().enumerate() {
            if Ym::of(adm.discharge) != m {
                continue;
            }
            let mut rng = stream(cfg.seed, tag::DPC, p as u64, i as u64);
            let files = dpc::admission(world, &person, spell, adm, &mut rng, &mut self.key);
            let ff1 = deliver::encode_lines(&files.ff1)?;
            self.out.append(
                m,
                Kind::Ff1,
                adm.hospital,
                Frame::rows(0, files.ff1.len() as u32, &ff1),
            )?;
            let ef = deliver::encode_lines(&files.ef)?;
            self.out.append(
                m,
                Kind::Ef,
                adm.hospital,
                Frame::rows(0, files.ef.len() as u32, &ef),
            )?;
        }
        Ok(())
    }

    /// Write a receipt into the file of each billing month it is sent in.
    fn route(&mut self, person: &persons::Person, r: &receipts::Receipt) -> io::Result<()> {
        let kind = match r.kind {
            receipts::ClaimKind::Medical => Kind::Medical,
            receipts::ClaimKind::Pharmacy => Kind::Pharmacy,
        };
        for &b in &r.billing {
            let n = self
                .numbers
                .entry((b, kind, r.insurer, r.facility))
                .or_insert(0);
            *n += 1;
            let number = *n;
            let style = receipts::DateStyle::for_file(b, self.world.facility(r.facility));
            let lines = receipts::render(r, number, style, &mut self.key);
            let bytes = deliver::encode_lines(&lines)?;
            self.out.append(
                b,
                kind,
                r.insurer,
                Frame {
                    entry: r.facility,
                    lines: lines.len() as u32,
                    receipts: 1,
                    points: r.points,
                    bytes: &bytes,
                },
            )?;
        }
        self.key.receipt(kind, person, r);
        Ok(())
    }

    /// Zip every delivery of `kind` for `month`.
    fn finalize(&mut self, month: Ym, kind: Kind) -> io::Result<()> {
        let (cfg, world) = (self.cfg, self.world);
        for sender in self.out.senders(month, kind) {
            let body = self.out.take(month, kind, sender)?;
            let mut entries = Vec::new();
            match kind {
                Kind::Medical | Kind::Pharmacy => {
                    let insurer = &world.insurers[sender as usize].number;
                    for (facility, e) in body {
                        self.numbers.remove(&(month, kind, sender, facility));
                        let f = world.facility(facility);
                        let style = receipts::DateStyle::for_file(month, f);
                        let header = receipts::file_header(kind, f, month, style, &mut self.key);
                        // One file — the first of the third billing month — gets a GO trailer
                        // whose record count is off by one.
                        let broken = kind == Kind::Medical
                            && !self.broken_done
                            && month >= cfg.first_month.add(3);
                        let written_count = e.receipts + u64::from(broken);
                        let trailer = format!("GO,{},{},99", written_count, e.points);
                        let name = match kind {
                            Kind::Medical => format!("{}/RECEIPTC.UKE", f.code),
                            _ => format!("{}/RECEIPTS.UKE", f.code),
                        };
                        if broken {
                            self.broken_done = true;
                            self.key.broken_trailer(
                                &deliver::zip_path(kind, month, insurer),
                                &name,
                                e.receipts,
                                written_count,
                            );
                        }
                        entries.push(ZipEntry {
                            name,
                            parts: vec![
                                deliver::encode_lines(&[header])?,
                                e.bytes,
                                deliver::encode_lines(&[trailer])?,
                            ],
                            rows: e.lines + 2,
                            sender: f.code.clone(),
                        });
                    }
                    let path = deliver::zip_path(kind, month, insurer);
                    self.out.write_zip(&path, kind, month, entries)?;
                }
                Kind::Enrollment => {
                    let insurer = &world.insurers[sender as usize].number;
                    let header = persons::LEDGER_HEADER.to_string();
                    for (_, e) in body {
                        entries.push(ZipEntry {
                            name: format!("kanyusha_{insurer}_{}.csv", month.compact()),
                            parts: vec![
                                deliver::encode_lines(std::slice::from_ref(&header))?,
                                e.bytes,
                            ],
                            rows: e.lines,
                            sender: insurer.clone(),
                        });
                    }
                    let path = deliver::zip_path(kind, month, insurer);
                    self.out.write_zip(&path, kind, month, entries)?;
                }
                Kind::Lab => {
                    let f = world.facility(sender);
                    for (_, e) in body {
                        entries.push(ZipEntry {
                            name: format!("{}_lab_{}.csv", f.code, month.compact()),
                            parts: vec![
                                deliver::encode_lines(&[labs::HEADER.to_string()])?,
                                e.bytes,
                            ],
                            rows: e.lines,
                            sender: f.code.clone(),
                        });
                    }
                    let path = deliver::zip_path(kind, month, &f.code);
                    self.out.write_zip(&path, kind, month, entries)?;
                }
                Kind::Ff1 | Kind::Ef => {
                    let f = world.facility(sender);
                    let code = f.dpc_code();
                    let prefix = if kind == Kind::Ff1 { "FF1" } else { "EF" };
                    for (_, e) in body {
                        entries.push(ZipEntry {
                            name: format!("{prefix}_{code}_{}.txt", month.compact()),
                            parts: vec![e.bytes],
                            rows: e.lines,
                            sender: code.clone(),
                        });
                    }
                    let path = deliver::zip_path(kind, month, &code);
                    self.out.write_zip(&path, kind, month, entries)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halfwidth_kana() {
        assert_eq!(to_halfwidth_kana("タカハシ　ガクト"), "ﾀｶﾊｼ ｶﾞｸﾄ");
        assert_eq!(to_halfwidth_kana("ヘモグロビンA1c"), "ﾍﾓｸﾞﾛﾋﾞﾝA1c");
        assert_eq!(to_halfwidth_kana("ペプチド"), "ﾍﾟﾌﾟﾁﾄﾞ");
        assert!(has_halfwidth_kana("ﾀｶﾊｼ"));
        assert!(!has_halfwidth_kana("タカハシ"));
    }

    #[test]
    fn months() {
        let m = Ym::new(2019, 4);
        assert_eq!(m.add(1).iso(), "2019-05");
        assert_eq!(m.add(9).compact(), "202001");
        assert_eq!(m.days(), 30);
        assert_eq!(Ym::new(2020, 2).days(), 29);
    }

    #[test]
    fn streams_are_stable() {
        let a: Vec<u32> = {
            let mut r = stream(1, 2, 3, 4);
            (0..4).map(|_| below(&mut r, 1000)).collect()
        };
        let b: Vec<u32> = {
            let mut r = stream(1, 2, 3, 4);
            (0..4).map(|_| below(&mut r, 1000)).collect()
        };
        assert_eq!(a, b);
        let mut c = stream(2, 2, 3, 4);
        assert_ne!(a, (0..4).map(|_| below(&mut c, 1000)).collect::<Vec<_>>());
    }

    #[test]
    fn fullwidth_digits() {
        assert_eq!(to_fullwidth_digits("12.3"), "１２．３");
    }
}
