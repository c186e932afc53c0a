//! Claims in the receipt electronic format (レセプト電算処理システム, `.UKE`): a person's month
//! of care becomes medical receipts (医科: RE/HO/KO/SY/SI/IY/CO) and pharmacy receipts
//! (調剤: RE/HO/KO/KI/SH/CZ/IY), each rendered per file it is billed in (the date style
//! depends on the file), plus the lab orders the hospitals report.
//!
//! Record layouts (0-based columns) are listed in docs/example-data.md.
//!
//! This file holds the receipt and its fields and simulates a person's month of care (which
//! facilities are visited for what); `claims.rs` builds the outpatient, inpatient and pharmacy
//! receipts of those visits, `records.rs` the records they are made of (RE, HO, KO, SY, SI,
//! IY) and their amounts, and `render.rs` writes a receipt for the file it is billed in.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rand_chacha::ChaCha8Rng;

use super::dpc;
use super::labs::{Context, LabOrder};
use super::masters::{self, FacilityKind, World};
use super::persons::{Cond, Person};
use super::{below, between, chance, rates, stream, tag, Config, Ym};
use claims::{inpatient, outpatient, pharmacy_receipt};
pub(crate) use records::yen_to_points;
pub(crate) use render::{era, file_header, render, DateStyle};

mod claims;
mod records;
mod render;

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
