//! Claims in the receipt electronic format (レセプト電算処理システム, `.UKE`): a person's month
//! of care becomes medical receipts (医科: RE/HO/KO/SY/SI/IY/CO) and pharmacy receipts
//! (調剤: RE/HO/KO/KI/SH/CZ/IY), each rendered per file it is billed in (the date style
//! depends on the file), plus the lab orders the hospitals report.
//!
//! Record layouts (0-based columns) are listed in docs/example-data.md.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use rand_chacha::ChaCha8Rng;

use super::answer::Answer;
use super::deliver::Kind;
use super::dpc;
use super::labs::{Context, LabOrder};
use super::masters::{self, Facility, FacilityKind, World};
use super::persons::{Cond, Person};
use super::{below, between, chance, rates, stream, tag, to_halfwidth_kana, Config, Ym};

/// Medical (医科) or pharmacy (調剤) claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClaimKind {
    Medical,
    Pharmacy,
}

/// A field of a record, rendered when the file is known.
#[derive(Debug, Clone)]
pub(crate) enum F {
    S(String),
    N(u64),
    Date(NaiveDate),
    Month(Ym),
    /// The receipt's number in its file (RE column 1).
    ReceiptNo,
    E,
}

fn s(x: impl Into<String>) -> F {
    F::S(x.into())
}

/// One receipt, before rendering.
#[derive(Debug, Clone)]
pub(crate) struct Receipt {
    pub kind: ClaimKind,
    pub insurer: u32,
    pub facility: u32,
    pub service: Ym,
    /// The billing months it is sent in: the first, and a resubmission if any.
    pub billing: Vec<Ym>,
    pub late: bool,
    pub records: Vec<Vec<F>>,
    /// 合計点数 (HO column 5).
    pub points: u64,
    pub inpatient: bool,
    /// Holds a coded diagnosis mapping to ICD-10 E11 without the 疑い modifier.
    pub t2dm: bool,
    /// HbA1c tests claimed (SI 回数 of the HbA1c procedure).
    pub hba1c: u64,
    pub sy: u64,
    pub uncoded: u64,
    pub suspected: u64,
    /// RE 氏名 in half-width katakana.
    pub halfwidth_name: bool,
    /// CO comments with `～` (CP932 0x8160: U+FF5E in CP932, the wave dash U+301C in strict
    /// Shift_JIS decoders).
    pub wave_dash: u64,
}

/// Era code (1 明治 … 5 令和) and the era's first year.
pub(crate) fn era(d: NaiveDate) -> (u8, i32) {
    let ymd = (d.year(), d.month(), d.day());
    if ymd >= (2019, 5, 1) {
        (5, 2019)
    } else if ymd >= (1989, 1, 8) {
        (4, 1989)
    } else if ymd >= (1926, 12, 25) {
        (3, 1926)
    } else if ymd >= (1912, 7, 30) {
        (2, 1912)
    } else {
        (1, 1868)
    }
}

/// How a file writes dates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DateStyle {
    /// `YYYYMMDD` / `YYYYMM` (files billed from 2020-07) instead of `GYYMMDD` / `GYYMM`.
    pub western: bool,
    /// The facility still wrote 平成 in 令和元年5–6月.
    pub stale: bool,
}

fn stale_window(d: NaiveDate) -> bool {
    (d.year(), d.month()) >= (2019, 5) && (d.year(), d.month()) <= (2019, 6)
}

impl DateStyle {
    pub fn for_file(billing: Ym, f: &Facility) -> DateStyle {
        DateStyle {
            western: billing >= masters::western_from(),
            stale: f.stale_era,
        }
    }

    fn era_of(self, d: NaiveDate, key: &mut Answer) -> (u8, i32) {
        let (g, first) = era(d);
        if self.stale && g == 5 && stale_window(d) {
            key.dirt("uke.stale_heisei_dates", 1);
            (4, 1989)
        } else {
            (g, first)
        }
    }

    pub fn date(self, d: NaiveDate, key: &mut Answer) -> String {
        match (d.year(), d.month(), d.day()) {
            (2019, 4, 30) => key.dirt("uke.dates_2019_04_30", 1),
            (2019, 5, 1) => key.dirt("uke.dates_2019_05_01", 1),
            _ => {}
        }
        if self.western {
            return format!("{:04}{:02}{:02}", d.year(), d.month(), d.day());
        }
        let (g, first) = self.era_of(d, key);
        format!(
            "{g}{:02}{:02}{:02}",
            d.year() - first + 1,
            d.month(),
            d.day()
        )
    }

    pub fn month(self, m: Ym, key: &mut Answer) -> String {
        if self.western {
            return m.compact();
        }
        let (g, first) = self.era_of(m.first(), key);
        format!("{g}{:02}{:02}", m.year() - first + 1, m.month())
    }
}

/// The IR (medical) or YK (pharmacy) record that opens a file.
pub(crate) fn file_header(
    kind: Kind,
    f: &Facility,
    billing: Ym,
    style: DateStyle,
    key: &mut Answer,
) -> String {
    if style.western {
        key.dirt("uke.files_with_western_dates", 1);
    }
    let (rec, table) = match kind {
        Kind::Pharmacy => ("YK", "4"),
        _ => ("IR", "1"),
    };
    let phone = format!("03-5555-{}", &f.code[2..6]);
    [
        rec,
        "1",
        masters::PREFECTURE,
        table,
        &f.code,
        "",
        &f.name,
        &style.month(billing, key),
        "00",
        &phone,
    ]
    .join(",")
}

/// Render a receipt for one file: CSV lines (no quoting).
pub(crate) fn render(r: &Receipt, number: u32, style: DateStyle, key: &mut Answer) -> Vec<String> {
    if r.halfwidth_name {
        key.dirt("uke.halfwidth_kana_names", 1);
    }
    key.dirt("uke.uncoded_diagnoses", r.uncoded);
    key.dirt("uke.suspected_diagnoses", r.suspected);
    key.dirt("uke.comments_with_tilde_0x8160", r.wave_dash);
    r.records
        .iter()
        .map(|rec| {
            let fields: Vec<String> = rec
                .iter()
                .map(|f| match f {
                    F::S(x) => x.clone(),
                    F::N(n) => n.to_string(),
                    F::Date(d) => style.date(*d, key),
                    F::Month(m) => style.month(*m, key),
                    F::ReceiptNo => number.to_string(),
                    F::E => String::new(),
                })
                .collect();
            fields.join(",")
        })
        .collect()
}

/// What a person's month produces.
pub(crate) struct PersonMonth {
    pub receipts: Vec<Receipt>,
    pub labs: Vec<LabOrder>,
}

/// Drug dosing (用法).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Usage {
    Once,
    Twice,
    Thrice,
    Topical,
}

impl Usage {
    fn code(self) -> &'static str {
        match self {
            Usage::Once => "1011",
            Usage::Twice => "1021",
            Usage::Thrice => "1031",
            Usage::Topical => "2051",
        }
    }
    fn name(self) -> &'static str {
        match self {
            Usage::Once => "１日１回朝食後",
            Usage::Twice => "１日２回朝夕食後",
            Usage::Thrice => "１日３回毎食後",
            Usage::Topical => "１日２回患部に使用",
        }
    }
    /// 診療識別 of the drug lines.
    fn shikibetsu(self) -> &'static str {
        if self == Usage::Topical {
            "23"
        } else {
            "21"
        }
    }
}

/// A drug prescribed: amount per day (or in total for topical drugs) and days.
#[derive(Debug, Clone)]
struct Rx {
    drug: &'static str,
    amount: u32,
    days: u32,
    usage: Usage,
}

#[derive(Debug, Clone)]
struct Dx {
    code: &'static str,
    start: NaiveDate,
    outcome: u8,
    modifier: Option<&'static str>,
    main: bool,
}

#[derive(Debug, Default)]
struct Visit {
    days: BTreeSet<u32>,
    /// Day of a first visit (初診).
    new_patient_day: Option<u32>,
    chronic: bool,
    dx: Vec<Dx>,
    /// (day, analyte).
    tests: Vec<(u32, &'static str)>,
    rx: Vec<Rx>,
    rx_day: u32,
    treatment_day: Option<u32>,
    context: Option<Context>,
}

/// Points for a per-day drug cost in 0.1 yen (五捨五超入, at least 1).
pub(crate) fn yen_to_points(yen_x10: u64) -> u64 {
    ((yen_x10 + 49) / 100).max(1)
}

/// 4-digit レセプト種別.
fn receipt_type(pharmacy: bool, p: &Person, m: Ym, inpatient: bool, kohi: bool) -> String {
    let age = p.age_at(m.first());
    let d4 = match (age, inpatient) {
        (0..=5, true) => 3,
        (0..=5, false) => 4,
        (70.., true) if p.high_income => 9,
        (70.., false) if p.high_income => 0,
        (70.., true) => 7,
        (70.., false) => 8,
        (_, true) if p.honnin => 1,
        (_, false) if p.honnin => 2,
        (_, true) => 5,
        (_, false) => 6,
    };
    format!(
        "{}1{}{}",
        if pharmacy { 4 } else { 1 },
        if kohi { 2 } else { 1 },
        d4
    )
}

/// Co-payment rate in percent.
fn copay_rate(p: &Person, m: Ym) -> u64 {
    match p.age_at(m.first()) {
        0..=5 => 20,
        70.. if !p.high_income => 20,
        _ => 30,
    }
}

fn copay(points: u64, rate: u64) -> u64 {
    (points * 10 * rate / 100 + 5) / 10 * 10
}

/// 31 算定日 columns from (day, count).
fn day_columns(days: &[(u32, u64)]) -> Vec<F> {
    let mut cols = vec![F::E; 31];
    for &(d, n) in days {
        if let F::N(x) = &mut cols[d as usize - 1] {
            *x += n;
        } else {
            cols[d as usize - 1] = F::N(n);
        }
    }
    cols
}

/// The columns SI and IY records end with: 点数 and 回数, six unused columns, and the 31 day
/// columns — all empty on the lines of a group but its last (`total` is None).
fn push_totals_and_days(rec: &mut Vec<F>, total: Option<(u64, u64)>, days: &[(u32, u64)]) {
    match total {
        Some((p, n)) => rec.extend([F::N(p), F::N(n)]),
        None => rec.extend([F::E, F::E]),
    }
    rec.extend(std::iter::repeat_n(F::E, 6));
    rec.extend(if total.is_some() {
        day_columns(days)
    } else {
        vec![F::E; 31]
    });
}

/// An SI record. `total` is (点数, 回数) — absent on the lines of a group but its last.
fn si(shikibetsu: &str, code: &str, total: Option<(u64, u64)>, days: &[(u32, u64)]) -> Vec<F> {
    let mut rec = vec![s("SI"), s(shikibetsu), s("1"), s(code), F::E];
    push_totals_and_days(&mut rec, total, days);
    rec
}

fn iy(
    shikibetsu: &str,
    code: &str,
    amount: u32,
    total: Option<(u64, u64)>,
    days: &[(u32, u64)],
) -> Vec<F> {
    let mut rec = vec![
        s("IY"),
        s(shikibetsu),
        s("1"),
        s(code),
        F::S(amount.to_string()),
    ];
    push_totals_and_days(&mut rec, total, days);
    rec
}

/// Random distinct days of month `m`.
fn some_days(rng: &mut ChaCha8Rng, m: Ym, n: u32) -> BTreeSet<u32> {
    let mut days = BTreeSet::new();
    while days.len() < n as usize {
        days.insert(between(rng, 1, m.days()));
    }
    days
}

/// The chronic drugs of a condition (a person keeps the same regimen).
fn chronic_rx(p: &Person, c: Cond, days: u32) -> Vec<Rx> {
    let rx = |drug, amount, usage| Rx {
        drug,
        amount,
        days,
        usage,
    };
    match c {
        Cond::Hypertension => {
            let mut v = vec![rx("690100001", 1, Usage::Once)];
            if p.idx % 10 < 3 {
                v.push(rx("690100002", 1, Usage::Once));
            }
            v
        }
        Cond::Diabetes => {
            let mut v = vec![rx("690200001", 2, Usage::Twice)];
            if p.idx % 5 < 2 {
                v.push(rx("690200002", 1, Usage::Once));
            }
            if p.idx.is_multiple_of(7) {
                v.push(rx("690200003", 1, Usage::Once));
            }
            v
        }
        Cond::Dyslipidemia => vec![rx("690300001", 1, Usage::Once)],
        Cond::Asthma => vec![rx("690350001", 1, Usage::Once)],
    }
}

/// Acute diseases: (code, weight, drugs as (drug, amount, usage, days)).
#[allow(clippy::type_complexity)]
const ACUTE: &[(&str, u32, &[(&str, u32, Usage, u32)])] = &[
    (
        "9005001",
        30,
        &[
            ("690400002", 3, Usage::Thrice, 5),
            ("690400001", 3, Usage::Thrice, 5),
        ],
    ),
    ("9005002", 10, &[("690400002", 3, Usage::Thrice, 7)]),
    ("9005003", 10, &[("690400004", 2, Usage::Twice, 5)]),
    ("9005004", 10, &[("690400005", 3, Usage::Thrice, 5)]),
    ("9005005", 12, &[("690400003", 3, Usage::Thrice, 7)]),
    ("9005006", 10, &[("690400007", 5, Usage::Topical, 1)]),
    ("9005007", 8, &[("690400006", 50, Usage::Topical, 1)]),
    ("9005008", 10, &[("690400001", 3, Usage::Thrice, 3)]),
];

/// Simulate person `p`'s month `m` (enrolled in spell `spell_no`).
pub(crate) fn person_month(
    cfg: &Config,
    world: &World,
    p: &Person,
    spell_no: usize,
    m: Ym,
) -> PersonMonth {
    let mut rng = stream(cfg.seed, tag::MONTH, u64::from(p.idx), u64::from(m.0));
    let age = p.age_at(m.first());
    let mut visits: BTreeMap<u32, Visit> = BTreeMap::new();

    // Chronic conditions: a visit most months at the managing facility.
    let active: Vec<_> = p.active(m).cloned().collect();
    if !active.is_empty() && chance(&mut rng, 0.82) {
        let f = p.chronic_at;
        let v = visits.entry(f).or_default();
        let n = if chance(&mut rng, 0.25) { 2 } else { 1 };
        let days = some_days(&mut rng, m, n);
        let first = *days.iter().next().expect("a day");
        v.days.extend(days);
        v.chronic = true;
        v.rx_day = first;
        let supply = if chance(&mut rng, 0.6) { 28 } else { 30 };
        for (i, c) in active.iter().enumerate() {
            v.dx.push(Dx {
                code: c.code,
                start: c.onset,
                outcome: 1,
                modifier: None,
                main: i == 0,
            });
            v.rx.extend(chronic_rx(p, c.cond, supply));
        }
        let at_hospital = world.facility(f).kind == FacilityKind::Hospital;
        if p.has(Cond::Diabetes) && active.iter().any(|c| c.cond == Cond::Diabetes) {
            v.context = Some(Context::Diabetes);
            if chance(&mut rng, if at_hospital { 0.75 } else { 0.55 }) {
                v.tests.push((first, masters::HBA1C));
                if chance(&mut rng, 0.8) {
                    v.tests.push((first, "3D010"));
                }
            }
            if chance(&mut rng, 0.4) {
                v.tests.push((first, "3C015"));
                v.tests.push((first, "1A020"));
            }
        }
        if active.iter().any(|c| c.cond == Cond::Dyslipidemia) && chance(&mut rng, 0.35) {
            v.tests.push((first, "3F077"));
            v.tests.push((first, "3F015"));
        }
        if active.iter().any(|c| c.cond == Cond::Hypertension) && chance(&mut rng, 0.15) {
            v.tests.push((first, "3C015"));
        }
    }

    // An acute illness.
    let p_acute = match age {
        0..=5 => 0.30,
        6..=14 => 0.20,
        _ => 0.10,
    };
    if chance(&mut rng, p_acute) {
        let total: u32 = ACUTE.iter().map(|a| a.1).sum();
        let mut x = below(&mut rng, total);
        let (code, _, drugs) = ACUTE
            .iter()
            .find(|a| {
                if x < a.1 {
                    true
                } else {
                    x -= a.1;
                    false
                }
            })
            .expect("weights");
        let f = if chance(&mut rng, 0.6) {
            p.clinic
        } else if chance(&mut rng, 0.85) {
            world.clinics.start + below(&mut rng, world.clinics.end - world.clinics.start)
        } else {
            p.hospital
        };
        // Around the era change, some episodes start on its last or first day.
        let mut day = between(&mut rng, 1, m.days());
        if chance(&mut rng, rates::ERA_BOUNDARY_DAY) {
            if m == Ym::new(2019, 4) {
                day = 30;
            } else if m == Ym::new(2019, 5) {
                day = 1;
            }
        }
        let v = visits.entry(f).or_default();
        if !v.chronic {
            v.new_patient_day = Some(day);
        }
        v.days.insert(day);
        if day < m.days() && chance(&mut rng, 0.3) {
            v.days.insert(between(&mut rng, day + 1, m.days()));
        }
        let suspected = *code == "9005003" && chance(&mut rng, 0.3);
        v.dx.push(Dx {
            code,
            start: m.day(day),
            outcome: if chance(&mut rng, 0.6) { 2 } else { 1 },
            modifier: suspected.then_some(masters::SUSPECTED),
            main: v.dx.is_empty(),
        });
        if v.rx.is_empty() {
            v.rx_day = day;
        }
        for (drug, amount, usage, days) in drugs.iter() {
            v.rx.push(Rx {
                drug,
                amount: *amount,
                days: *days,
                usage: *usage,
            });
        }
        if *code == "9005005" {
            v.treatment_day = Some(day);
        }
        if matches!(*code, "9005001" | "9005002" | "9005008") && chance(&mut rng, 0.3) {
            v.tests.push((day, "5C070"));
            if v.context.is_none() {
                v.context = Some(Context::General);
            }
        }
    }

    // A suspected diabetes (2型糖尿病の疑い) with a test, for a person without diabetes.
    if p.suspect_dm == Some(m) {
        let v = visits.entry(p.clinic).or_default();
        let day = between(&mut rng, 1, m.days());
        v.days.insert(day);
        if !v.chronic && v.new_patient_day.is_none() {
            v.new_patient_day = Some(day);
        }
        v.dx.push(Dx {
            code: "9002001",
            start: m.day(day),
            outcome: 1,
            modifier: Some(masters::SUSPECTED),
            main: v.dx.is_empty(),
        });
        v.tests.push((day, masters::HBA1C));
        v.tests.push((day, "3D010"));
        v.context = Some(Context::Suspect);
    }

    let mut out = PersonMonth {
        receipts: Vec::new(),
        labs: Vec::new(),
    };
    let mut pharmacy_receipts = Vec::new();
    for (&f, v) in &visits {
        let facility = world.facility(f);
        let (r, rx) = outpatient(cfg, world, p, spell_no, m, f, v, &mut rng);
        out.receipts.push(r);
        if facility.kind == FacilityKind::Hospital {
            let context = v.context.unwrap_or(Context::General);
            for &(day, analyte) in &v.tests {
                lab_orders(&mut out.labs, f, m.day(day), analyte, context);
            }
        }
        if let Some(rx) = rx {
            let pharmacy = if chance(&mut rng, 0.8) {
                p.pharmacy
            } else {
                world.pharmacies.start
                    + below(&mut rng, world.pharmacies.end - world.pharmacies.start)
            };
            pharmacy_receipts.push(pharmacy_receipt(
                cfg, world, p, spell_no, m, pharmacy, f, v.rx_day, &rx, &mut rng,
            ));
        }
    }

    // Hospital stays overlapping the month.
    for adm in &p.admissions {
        if Ym::of(adm.admit) > m || Ym::of(adm.discharge) < m {
            continue;
        }
        let acts: Vec<dpc::Act> = dpc::stay_acts(p, adm)
            .into_iter()
            .filter(|a| Ym::of(a.date) == m)
            .collect();
        out.receipts
            .push(inpatient(cfg, world, p, spell_no, m, adm, &acts, &mut rng));
        if Ym::of(adm.admit) == m {
            for a in &acts {
                if a.date != adm.admit {
                    continue;
                }
                let Some(code) = a.procedure else { continue };
                let analyte = masters::procedure(code).analyte;
                if analyte.is_empty() {
                    continue;
                }
                lab_orders(
                    &mut out.labs,
                    adm.hospital,
                    a.date,
                    analyte,
                    Context::Inpatient,
                );
            }
        }
    }
    out.receipts.extend(pharmacy_receipts);
    out
}

/// The lab rows of a test: creatinine comes with an eGFR, the urine test strip with urine
/// glucose as well as protein.
fn lab_orders(
    out: &mut Vec<LabOrder>,
    facility: u32,
    date: NaiveDate,
    analyte: &'static str,
    context: Context,
) {
    let companion = match analyte {
        "3C015" => Some("8A065"),
        "1A020" => Some("1A010"),
        _ => None,
    };
    for analyte in std::iter::once(analyte).chain(companion) {
        out.push(LabOrder {
            facility,
            date,
            analyte,
            context,
        });
    }
}

/// The billing months of a receipt for service month `m`.
fn billing(cfg: &Config, rng: &mut ChaCha8Rng, m: Ym) -> (Vec<Ym>, bool) {
    let mut b = m.add(1);
    let late = chance(rng, rates::LATE_CLAIM);
    if late {
        b = b.add(between(rng, 1, rates::LATE_MAX_MONTHS));
    }
    let mut months = vec![b];
    if chance(rng, rates::RESUBMISSION) {
        let again = b.add(between(rng, 1, 2));
        if again <= cfg.last_billing() {
            months.push(again);
        }
    }
    (months, late)
}

/// The RE record (medical).
fn re_record(
    p: &Person,
    m: Ym,
    facility: u32,
    rtype: String,
    halfwidth: bool,
    admit: Option<NaiveDate>,
) -> Vec<F> {
    let name = if halfwidth {
        to_halfwidth_kana(&p.name_kana())
    } else {
        p.name_kanji()
    };
    let mut rec = vec![
        s("RE"),
        F::ReceiptNo,
        s(rtype),
        F::Month(m),
        s(name),
        F::N(u64::from(p.sex)),
        F::Date(p.birth),
        F::E,
        admit.map_or(F::E, F::Date),
    ];
    rec.extend(std::iter::repeat_n(F::E, 4)); // 9..=12
    rec.push(s(p.patient_no(facility))); // 13 カルテ番号等
    rec.extend(std::iter::repeat_n(F::E, 22)); // 14..=35
    rec.push(s(p.name_kana())); // 36 カタカナ氏名
    rec.push(F::E); // 37 患者の状態
    rec
}

fn ho_record(
    world: &World,
    p: &Person,
    spell_no: usize,
    days: u64,
    points: u64,
    meals: Option<u64>,
    copay_yen: u64,
) -> Vec<F> {
    let sp = &p.spells[spell_no];
    let (meal_count, meal_yen) = match meals {
        Some(n) => (F::N(n), F::N(n * 460)),
        None => (F::E, F::E),
    };
    vec![
        s("HO"),
        s(world.insurers[sp.insurer as usize].number.clone()),
        s(sp.kigo.clone()),
        s(sp.bango.clone()),
        F::N(days),
        F::N(points),
        F::E,
        meal_count,
        meal_yen,
        F::E,
        F::E,
        F::N(copay_yen),
        F::E,
        F::E,
        F::E,
    ]
}

fn ko_record(kohi: &(String, String), days: u64, points: u64) -> Vec<F> {
    vec![
        s("KO"),
        s(kohi.0.clone()),
        s(kohi.1.clone()),
        F::E,
        F::N(days),
        F::N(points),
        F::N(0),
    ]
}

/// SY records; counts uncoded and suspected ones and whether a coded E11 is among them.
fn sy_records(rng: &mut ChaCha8Rng, dx: &[Dx], r: &mut Receipt) -> Vec<Vec<F>> {
    let mut out = Vec::new();
    for d in dx {
        let disease = masters::disease(d.code);
        let uncoded = chance(rng, rates::UNCODED_DIAGNOSIS);
        let (code, name) = if uncoded {
            r.uncoded += 1;
            let mut name = disease.name.to_string();
            if d.modifier == Some(masters::SUSPECTED) {
                name.push_str("の疑い");
            }
            (masters::UNCODED, F::S(name))
        } else {
            (d.code, F::E)
        };
        if d.modifier == Some(masters::SUSPECTED) {
            r.suspected += 1;
        }
        if !uncoded && disease.icd10.starts_with("E11") && d.modifier.is_none() {
            r.t2dm = true;
        }
        r.sy += 1;
        out.push(vec![
            s("SY"),
            s(code),
            F::Date(d.start),
            F::N(u64::from(d.outcome)),
            d.modifier.map_or(F::E, s),
            name,
            if d.main { s("01") } else { F::E },
            F::E,
        ]);
    }
    out
}

fn new_receipt(
    kind: ClaimKind,
    insurer: u32,
    facility: u32,
    m: Ym,
    billing: (Vec<Ym>, bool),
) -> Receipt {
    Receipt {
        kind,
        insurer,
        facility,
        service: m,
        billing: billing.0,
        late: billing.1,
        records: Vec::new(),
        points: 0,
        inpatient: false,
        t2dm: false,
        hba1c: 0,
        sy: 0,
        uncoded: 0,
        suspected: 0,
        halfwidth_name: false,
        wave_dash: 0,
    }
}

/// Drug groups (剤) by usage, in usage order.
fn groups(rx: &[Rx]) -> Vec<(Usage, u32, Vec<&Rx>)> {
    let mut by: BTreeMap<(Usage, u32), Vec<&Rx>> = BTreeMap::new();
    for r in rx {
        by.entry((r.usage, r.days)).or_default().push(r);
    }
    by.into_iter().map(|((u, d), v)| (u, d, v)).collect()
}

/// Points per day of a drug group.
fn group_points(g: &[&Rx]) -> u64 {
    yen_to_points(
        g.iter()
            .map(|r| u64::from(masters::drug(r.drug).price_x10) * u64::from(r.amount))
            .sum(),
    )
}

/// An outpatient medical receipt, and the prescription if drugs are dispensed outside.
#[allow(clippy::too_many_arguments)]
fn outpatient(
    cfg: &Config,
    world: &World,
    p: &Person,
    spell_no: usize,
    m: Ym,
    f: u32,
    v: &Visit,
    rng: &mut ChaCha8Rng,
) -> (Receipt, Option<Vec<Rx>>) {
    let facility = world.facility(f);
    let spell = &p.spells[spell_no];
    let mut r = new_receipt(
        ClaimKind::Medical,
        spell.insurer,
        f,
        m,
        billing(cfg, rng, m),
    );
    r.halfwidth_name = chance(rng, rates::HALFWIDTH_RE_NAME);
    let mut body: Vec<Vec<F>> = Vec::new();
    let mut points = 0u64;
    let one = |d: u32| vec![(d, 1u64)];

    // 初診 / 再診.
    if let Some(d) = v.new_patient_day {
        let pr = masters::procedure("190101010");
        body.push(si(
            pr.shikibetsu,
            pr.code,
            Some((u64::from(pr.points), 1)),
            &one(d),
        ));
        points += u64::from(pr.points);
    }
    let revisits: Vec<(u32, u64)> = v
        .days
        .iter()
        .filter(|d| Some(**d) != v.new_patient_day)
        .map(|d| (*d, 1))
        .collect();
    if !revisits.is_empty() {
        let n = revisits.len() as u64;
        let saishin = masters::procedure("190102010");
        if v.chronic {
            // A group: 点数 and 回数 on its last line only.
            let kanri = masters::procedure("190102020");
            let per = u64::from(saishin.points + kanri.points);
            body.push(si("12", saishin.code, None, &[]));
            body.push(si("12", kanri.code, Some((per, n)), &revisits));
            points += per * n;
        } else {
            body.push(si(
                "12",
                saishin.code,
                Some((u64::from(saishin.points), n)),
                &revisits,
            ));
            points += u64::from(saishin.points) * n;
        }
    }
    if v.chronic
        && v.dx.iter().any(|d| {
            matches!(
                masters::disease(d.code).icd10.get(..3),
                Some("I10" | "E11" | "E78")
            )
        })
    {
        let pr = masters::procedure("190103010");
        body.push(si(
            "13",
            pr.code,
            Some((u64::from(pr.points), 1)),
            &one(v.rx_day),
        ));
        points += u64::from(pr.points);
    }
    if let Some(d) = v.treatment_day {
        let pr = masters::procedure("190140010");
        body.push(si("40", pr.code, Some((u64::from(pr.points), 1)), &one(d)));
        points += u64::from(pr.points);
    }

    // Drugs: in house (IY lines) or a prescription (処方箋料).
    let mut outside = None;
    if !v.rx.is_empty() {
        if facility.in_house_rx {
            for (usage, days, g) in groups(&v.rx) {
                let per_day = group_points(&g);
                let (count, per) = if usage == Usage::Topical {
                    (1, per_day)
                } else {
                    (u64::from(days), per_day)
                };
                for (i, rx) in g.iter().enumerate() {
                    let last = i + 1 == g.len();
                    body.push(iy(
                        usage.shikibetsu(),
                        rx.drug,
                        rx.amount,
                        last.then_some((per, count)),
                        &[(v.rx_day, count)],
                    ));
                }
                points += per * count;
            }
            for code in ["190124010", "190125010"] {
                let pr = masters::procedure(code);
                body.push(si(
                    pr.shikibetsu,
                    pr.code,
                    Some((u64::from(pr.points), 1)),
                    &one(v.rx_day),
                ));
                points += u64::from(pr.points);
            }
        } else {
            let pr = masters::procedure("190125020");
            body.push(si(
                "25",
                pr.code,
                Some((u64::from(pr.points), 1)),
                &one(v.rx_day),
            ));
            points += u64::from(pr.points);
            outside = Some(v.rx.clone());
        }
    }

    // Tests.
    let mut test_days: BTreeMap<u32, bool> = BTreeMap::new();
    for &(day, analyte) in &v.tests {
        let a = masters::analyte(analyte);
        if a.procedure.is_empty() {
            continue;
        }
        let pr = masters::procedure(a.procedure);
        body.push(si(
            "60",
            pr.code,
            Some((u64::from(pr.points), 1)),
            &one(day),
        ));
        points += u64::from(pr.points);
        if analyte == masters::HBA1C {
            r.hba1c += 1;
        }
        let blood = a.specimen != "尿";
        let e = test_days.entry(day).or_insert(false);
        *e |= blood;
    }
    if test_days.values().any(|b| *b) {
        let bv = masters::procedure("190160110");
        let days: Vec<(u32, u64)> = test_days
            .iter()
            .filter(|(_, b)| **b)
            .map(|(d, _)| (*d, 1))
            .collect();
        let n = days.len() as u64;
        body.push(si("60", bv.code, Some((u64::from(bv.points), n)), &days));
        points += u64::from(bv.points) * n;
        let judge = masters::procedure("190160100");
        let first = days[0].0;
        body.push(si(
            "60",
            judge.code,
            Some((u64::from(judge.points), 1)),
            &one(first),
        ));
        points += u64::from(judge.points);
    }

    // A comment now and then; half of them with a tilde (0x8160, the "wave dash").
    if chance(rng, rates::COMMENT) {
        let text = if chance(rng, 0.5) {
            r.wave_dash += 1;
            format!(
                "投与期間　{}月{}日～{}月{}日",
                m.month(),
                v.rx_day,
                m.month(),
                m.days()
            )
        } else {
            format!("前回実施日　{}月{}日", m.month(), between(rng, 1, m.days()))
        };
        let text = super::to_fullwidth_digits(&text);
        body.push(vec![s("CO"), s("60"), s("1"), s("810000001"), s(text)]);
    }

    let days = v.days.len() as u64;
    let rate = copay_rate(p, m);
    let mut records = vec![re_record(
        p,
        m,
        f,
        receipt_type(false, p, m, false, p.kohi.is_some()),
        r.halfwidth_name,
        None,
    )];
    records.push(ho_record(
        world,
        p,
        spell_no,
        days,
        points,
        None,
        copay(points, rate),
    ));
    if let Some(k) = &p.kohi {
        records.push(ko_record(k, days, points));
    }
    let mut dx = v.dx.clone();
    if let Some(first) = dx.first_mut() {
        first.main = true;
    }
    let sy = sy_records(rng, &dx, &mut r);
    records.extend(sy);
    records.extend(body);
    r.records = records;
    r.points = points;
    (r, outside)
}

/// An inpatient medical receipt for the days of a stay that fall in month `m`.
#[allow(clippy::too_many_arguments)]
fn inpatient(
    cfg: &Config,
    world: &World,
    p: &Person,
    spell_no: usize,
    m: Ym,
    adm: &super::persons::Admission,
    acts: &[dpc::Act],
    rng: &mut ChaCha8Rng,
) -> Receipt {
    let world_spell = &p.spells[spell_no];
    let mut r = new_receipt(
        ClaimKind::Medical,
        world_spell.insurer,
        adm.hospital,
        m,
        billing(cfg, rng, m),
    );
    r.inpatient = true;
    r.halfwidth_name = chance(rng, rates::HALFWIDTH_RE_NAME);
    // SI lines: one per procedure, with its days; IY: the drug group of each drip.
    let mut by_code: BTreeMap<(&str, &str), Vec<(u32, u64)>> = BTreeMap::new();
    let mut drip_days: Vec<(u32, u64)> = Vec::new();
    let mut drip_drugs: Vec<(&'static str, u32)> = Vec::new();
    for a in acts {
        if let Some(code) = a.procedure {
            by_code
                .entry((a.shikibetsu, code))
                .or_default()
                .push((a.date.day(), 1));
            if code == "190160010" {
                r.hba1c += 1;
            }
        }
        if !a.drugs.is_empty() {
            drip_days.push((a.date.day(), 1));
            drip_drugs = a.drugs.clone();
        }
    }
    let mut body = Vec::new();
    let mut points = 0u64;
    let mut order: Vec<_> = by_code.into_iter().collect();
    order.sort_by(|a, b| (a.0 .0, a.0 .1).cmp(&(b.0 .0, b.0 .1)));
    for ((shikibetsu, code), days) in order {
        let pr = masters::procedure(code);
        let n = days.len() as u64;
        body.push(si(shikibetsu, code, Some((u64::from(pr.points), n)), &days));
        points += u64::from(pr.points) * n;
    }
    if !drip_days.is_empty() {
        let per = yen_to_points(
            drip_drugs
                .iter()
                .map(|(d, q)| u64::from(masters::drug(d).price_x10) * u64::from(*q))
                .sum(),
        );
        let n = drip_days.len() as u64;
        for (i, (d, q)) in drip_drugs.iter().enumerate() {
            let last = i + 1 == drip_drugs.len();
            body.push(iy("33", d, *q, last.then_some((per, n)), &drip_days));
        }
        points += per * n;
    }
    let days_in: BTreeSet<u32> = acts.iter().map(|a| a.date.day()).collect();
    let days = days_in.len() as u64;
    let mut dx = vec![Dx {
        code: adm.disease,
        start: adm.admit,
        outcome: if Ym::of(adm.discharge) == m && adm.disease != "9006005" {
            2
        } else {
            1
        },
        modifier: None,
        main: true,
    }];
    for c in p.active(m) {
        dx.push(Dx {
            code: c.code,
            start: c.onset,
            outcome: 1,
            modifier: None,
            main: false,
        });
    }
    let rate = copay_rate(p, m);
    let mut records = vec![re_record(
        p,
        m,
        adm.hospital,
        receipt_type(false, p, m, true, p.kohi.is_some()),
        r.halfwidth_name,
        Some(adm.admit),
    )];
    let copay_yen = copay(points, rate).min(80_100);
    records.push(ho_record(
        world,
        p,
        spell_no,
        days,
        points,
        Some(days * 3),
        copay_yen,
    ));
    if let Some(k) = &p.kohi {
        records.push(ko_record(k, days, points));
    }
    let sy = sy_records(rng, &dx, &mut r);
    records.extend(sy);
    records.extend(body);
    r.records = records;
    r.points = points;
    r
}

/// A pharmacy receipt for a prescription.
#[allow(clippy::too_many_arguments)]
fn pharmacy_receipt(
    cfg: &Config,
    world: &World,
    p: &Person,
    spell_no: usize,
    m: Ym,
    pharmacy: u32,
    prescriber: u32,
    day: u32,
    rx: &[Rx],
    rng: &mut ChaCha8Rng,
) -> Receipt {
    let spell = &p.spells[spell_no];
    let mut r = new_receipt(
        ClaimKind::Pharmacy,
        spell.insurer,
        pharmacy,
        m,
        billing(cfg, rng, m),
    );
    r.halfwidth_name = chance(rng, rates::HALFWIDTH_RE_NAME);
    let name = if r.halfwidth_name {
        to_halfwidth_kana(&p.name_kana())
    } else {
        p.name_kanji()
    };
    let mut body = Vec::new();
    let mut points = 0u64;
    for code in ["190401010", "190402010"] {
        let pr = masters::procedure(code);
        body.push(vec![s("KI"), s(code), F::N(u64::from(pr.points)), F::N(1)]);
        points += u64::from(pr.points);
    }
    for (zai, (usage, days, g)) in groups(rx).into_iter().enumerate() {
        let zai = zai as u64 + 1;
        let topical = usage == Usage::Topical;
        body.push(vec![
            s("SH"),
            F::N(zai),
            s(usage.code()),
            s(usage.name()),
            s(if topical { "3" } else { "1" }),
        ]);
        let chozai = if topical {
            10
        } else {
            match days {
                0..=7 => 28,
                8..=14 => 55,
                15..=21 => 64,
                22..=30 => 77,
                _ => 86,
            }
        };
        body.push(vec![
            s("CZ"),
            F::N(zai),
            F::Date(m.day(day)),
            F::N(u64::from(days)),
            F::N(chozai),
        ]);
        points += chozai;
        let per = group_points(&g) * if topical { 1 } else { u64::from(days) };
        for (i, d) in g.iter().enumerate() {
            let last = i + 1 == g.len();
            body.push(vec![
                s("IY"),
                F::N(zai),
                s(d.drug),
                F::S(d.amount.to_string()),
                if last { F::N(per) } else { F::E },
            ]);
        }
        points += per;
    }
    let rate = copay_rate(p, m);
    let mut records = vec![vec![
        s("RE"),
        F::ReceiptNo,
        s(receipt_type(true, p, m, false, p.kohi.is_some())),
        F::Month(m),
        s(name),
        F::N(u64::from(p.sex)),
        F::Date(p.birth),
        F::E,
        F::E,
        s(masters::PREFECTURE),
        s("1"),
        s(world.facility(prescriber).code.clone()),
        s(p.patient_no(pharmacy)),
    ]];
    records.push(ho_record(
        world,
        p,
        spell_no,
        1,
        points,
        None,
        copay(points, rate),
    ));
    if let Some(k) = &p.kohi {
        records.push(ko_record(k, 1, points));
    }
    records.extend(body);
    r.records = records;
    r.points = points;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eras() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(era(d(2019, 4, 30)), (4, 1989));
        assert_eq!(era(d(2019, 5, 1)), (5, 2019));
        assert_eq!(era(d(1989, 1, 7)), (3, 1926));
    }

    #[test]
    fn points_round_half_down() {
        assert_eq!(yen_to_points(150), 1);
        assert_eq!(yen_to_points(151), 2);
        assert_eq!(yen_to_points(250), 2);
        assert_eq!(yen_to_points(251), 3);
        assert_eq!(yen_to_points(10), 1);
    }
}
