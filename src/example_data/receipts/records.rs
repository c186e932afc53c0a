//! The records a receipt is made of (RE, HO, KO, SY, SI, IY with their 31 day columns) and
//! the amounts on them: レセプト種別, co-payment, drug costs in points.

use chrono::NaiveDate;
use rand_chacha::ChaCha8Rng;

use super::{s, Dx, Receipt, F};
use crate::example_data::masters::{self, World};
use crate::example_data::persons::Person;
use crate::example_data::{chance, rates, to_halfwidth_kana, Ym};

/// Points for a per-day drug cost in 0.1 yen (五捨五超入, at least 1).
pub(crate) fn yen_to_points(yen_x10: u64) -> u64 {
    ((yen_x10 + 49) / 100).max(1)
}

/// 4-digit レセプト種別.
pub(super) fn receipt_type(
    pharmacy: bool,
    p: &Person,
    m: Ym,
    inpatient: bool,
    kohi: bool,
) -> String {
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
pub(super) fn copay_rate(p: &Person, m: Ym) -> u64 {
    match p.age_at(m.first()) {
        0..=5 => 20,
        70.. if !p.high_income => 20,
        _ => 30,
    }
}

pub(super) fn copay(points: u64, rate: u64) -> u64 {
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
pub(super) fn si(
    shikibetsu: &str,
    code: &str,
    total: Option<(u64, u64)>,
    days: &[(u32, u64)],
) -> Vec<F> {
    let mut rec = vec![s("SI"), s(shikibetsu), s("1"), s(code), F::E];
    push_totals_and_days(&mut rec, total, days);
    rec
}

pub(super) fn iy(
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
/// The RE record (medical).
pub(super) fn re_record(
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

pub(super) fn ho_record(
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

pub(super) fn ko_record(kohi: &(String, String), days: u64, points: u64) -> Vec<F> {
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
pub(super) fn sy_records(rng: &mut ChaCha8Rng, dx: &[Dx], r: &mut Receipt) -> Vec<Vec<F>> {
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
