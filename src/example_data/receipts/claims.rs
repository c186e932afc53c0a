//! The receipts of a month's care: an outpatient medical receipt per facility visited (with
//! the prescription when drugs are dispensed outside), an inpatient one per stay, and a
//! pharmacy receipt per prescription; each sent in one or more billing months.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;
use rand_chacha::ChaCha8Rng;

use super::records::{
    copay, copay_rate, ho_record, iy, ko_record, re_record, receipt_type, si, sy_records,
    yen_to_points,
};
use super::{s, ClaimKind, Dx, Receipt, Rx, Usage, Visit, F};
use crate::example_data::masters::{self, World};
use crate::example_data::persons::{Admission, Person};
use crate::example_data::{
    between, chance, dpc, rates, to_fullwidth_digits, to_halfwidth_kana, Config, Ym,
};

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
pub(super) fn outpatient(
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
        let text = to_fullwidth_digits(&text);
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
pub(super) fn inpatient(
    cfg: &Config,
    world: &World,
    p: &Person,
    spell_no: usize,
    m: Ym,
    adm: &Admission,
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
pub(super) fn pharmacy_receipt(
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
