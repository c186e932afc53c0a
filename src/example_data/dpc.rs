//! DPC files of a hospital stay: 様式1 (FF1, key–value rows) and the EF file (one row per act
//! detail), tab-separated, written in the month of discharge. The acts of a stay
//! ([`stay_acts`]) are also what the inpatient receipts claim, month by month.

use chrono::{Datelike, Duration, NaiveDate};
use rand_chacha::ChaCha8Rng;

use super::answer::Answer;
use super::masters::{self, World};
use super::persons::{Admission, Cond, Person, Spell};
use super::{chance, rates, Ym};

/// One act on one day of a stay.
#[derive(Debug, Clone)]
pub(crate) struct Act {
    pub date: NaiveDate,
    /// 診療識別 / データ区分.
    pub shikibetsu: &'static str,
    pub procedure: Option<&'static str>,
    /// Drugs given with it (code, amount).
    pub drugs: Vec<(&'static str, u32)>,
}

/// Every act of a stay, by date: the daily ward fee, the admission-day tests and chest X-ray,
/// the operation the day after admission, drips on the first three days.
pub(crate) fn stay_acts(p: &Person, adm: &Admission) -> Vec<Act> {
    let mut acts = Vec::new();
    let act = |date, shikibetsu, procedure: &'static str| Act {
        date,
        shikibetsu,
        procedure: Some(procedure),
        drugs: Vec::new(),
    };
    let mut d = adm.admit;
    let mut i = 0;
    while d <= adm.discharge {
        acts.push(act(d, "90", "190190010"));
        if i == 0 {
            let mut tests = vec![
                "190160020",
                "190160050",
                "190160060",
                "190160070",
                "190160080",
                "190160090",
            ];
            if p.has(Cond::Diabetes) {
                tests.push("190160010");
            }
            for t in tests {
                acts.push(act(d, "60", t));
            }
            acts.push(act(d, "60", "190160110"));
            acts.push(act(d, "60", "190160100"));
            acts.push(act(d, "70", "190170010"));
        }
        if i == 1 {
            if let Some(s) = adm.surgery {
                acts.push(act(d, "50", s));
            }
        }
        if i < 3 {
            acts.push(Act {
                date: d,
                shikibetsu: "33",
                procedure: Some("190133010"),
                drugs: vec![("690500001", 1), ("690500002", 1)],
            });
        }
        d += Duration::days(1);
        i += 1;
    }
    acts
}

/// The lines of one stay in the FF1 and EF files.
pub(crate) struct DpcLines {
    pub ff1: Vec<String>,
    pub ef: Vec<String>,
}

fn ymd(d: NaiveDate) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// FF1 and EF lines for a stay; records the admission in the answer key.
pub(crate) fn admission(
    world: &World,
    p: &Person,
    spell: &Spell,
    adm: &Admission,
    rng: &mut ChaCha8Rng,
    key: &mut Answer,
) -> DpcLines {
    let hospital = world.facility(adm.hospital);
    let fac = hospital.dpc_code();
    let id = p.patient_no(adm.hospital);
    let admit = ymd(adm.admit);
    let discharge = ymd(adm.discharge);
    key.dpc_admission(Ym::of(adm.discharge), adm.los());

    // 様式1: 施設コード, データ識別番号, 入院年月日, 回数管理番号, 統括診療情報番号, コード,
    // バージョン, 連番, ペイロード1..9.
    let mut ff1 = Vec::new();
    let mut row = |code: &str, seq: u32, payload: [&str; 9]| {
        let mut cols = vec![
            fac.clone(),
            id.clone(),
            admit.clone(),
            "1".to_string(),
            "0".to_string(),
            code.to_string(),
            "20180401".to_string(),
            seq.to_string(),
        ];
        cols.extend(payload.iter().map(|s| s.to_string()));
        ff1.push(cols.join("\t"));
    };
    let birth = ymd(p.birth);
    let sex = p.sex.to_string();
    let postcode = format!("1{:02}{:04}", 30 + p.idx % 70, p.idx % 10_000);
    row(
        "A000010",
        1,
        [&birth, &sex, &postcode, "", "", "", "", "", ""],
    );
    let route = if adm.emergency { "2" } else { "1" };
    let ambulance = if adm.emergency && p.idx.is_multiple_of(2) {
        "1"
    } else {
        "0"
    };
    row(
        "A000020",
        1,
        [&admit, "1", route, ambulance, "", "", "", "", ""],
    );
    row(
        "A000030",
        1,
        [&discharge, "1", "1", "0", "", "", "", "", ""],
    );
    let mut icd = |code: &str| -> (String, String) {
        let d = masters::disease(code);
        let icd = if chance(rng, rates::DPC_ICD_DOT) && d.icd10.len() > 3 {
            key.dirt("dpc.icd10_with_dot", 1);
            format!("{}.{}", &d.icd10[..3], &d.icd10[3..])
        } else {
            d.icd10.to_string()
        };
        let name = if d.name.contains('頚') && chance(rng, rates::DPC_ITAIJI) {
            key.dirt("dpc.names_with_variant_kanji", 1);
            d.name.replace('頚', "頸")
        } else {
            d.name.to_string()
        };
        (icd, name)
    };
    for code in ["A006010", "A006020", "A006030"] {
        let (i, n) = icd(adm.disease);
        row(code, 1, ["", &i, "", "", "", "", "", "", &n]);
    }
    for (k, c) in p
        .conditions
        .iter()
        .filter(|c| c.onset <= adm.admit)
        .enumerate()
    {
        let (i, n) = icd(c.code);
        row(
            "A006040",
            k as u32 + 1,
            ["", &i, "", "", "", "", "", "", &n],
        );
    }

    // EF: 31 columns per act detail.
    let insurer = &world.insurers[spell.insurer as usize].number;
    let rtype = {
        let age = p.age_at(adm.admit);
        let d4 = match age {
            0..=5 => 3,
            70.. if p.high_income => 9,
            70.. => 7,
            _ if p.honnin => 1,
            _ => 5,
        };
        format!("11{}{}", if p.kohi.is_some() { 2 } else { 1 }, d4)
    };
    let dept = if adm.surgery.is_some() { "180" } else { "010" };
    let doctor = format!("D{:04}", 1 + p.idx % 12);
    let mut ef = Vec::new();
    let mut seq = std::collections::BTreeMap::<(NaiveDate, &str), u32>::new();
    for a in stay_acts(p, adm) {
        let n = seq.entry((a.date, a.shikibetsu)).or_insert(0);
        *n += 1;
        let order = *n;
        let drug_points = if a.drugs.is_empty() {
            0
        } else {
            super::receipts::yen_to_points(
                a.drugs
                    .iter()
                    .map(|(d, q)| u64::from(masters::drug(d).price_x10) * u64::from(*q))
                    .sum(),
            )
        };
        let mut details: Vec<(String, String, String, String, &str)> = Vec::new();
        if let Some(code) = a.procedure {
            let pr = masters::procedure(code);
            details.push((
                code.to_string(),
                pr.name.to_string(),
                String::new(),
                pr.points.to_string(),
                "0",
            ));
        }
        for (d, q) in &a.drugs {
            let drug = masters::drug(d);
            details.push((
                d.to_string(),
                drug.name.to_string(),
                format!("{q}.000"),
                format!("{}.{}", drug.price_x10 / 10, drug.price_x10 % 10),
                "1",
            ));
        }
        let act_points = a
            .procedure
            .map_or(0, |c| u64::from(masters::procedure(c).points));
        for (k, (code, name, amount, detail_points, yen_or_point)) in details.iter().enumerate() {
            let first = k == 0;
            let cols: Vec<String> = vec![
                fac.clone(),
                id.clone(),
                discharge.clone(),
                admit.clone(),
                a.shikibetsu.to_string(),
                order.to_string(),
                format!("{:03}", k + 1),
                code.clone(),
                code.clone(),
                String::new(),
                name.clone(),
                amount.clone(),
                String::new(),
                detail_points.clone(),
                yen_or_point.to_string(),
                if first {
                    (act_points + drug_points).to_string()
                } else {
                    "0".to_string()
                },
                "000000000000".to_string(),
                if first {
                    act_points.to_string()
                } else {
                    "0".to_string()
                },
                if first {
                    drug_points.to_string()
                } else {
                    "0".to_string()
                },
                "0".to_string(),
                "1".to_string(),
                insurer.clone(),
                rtype.clone(),
                ymd(a.date),
                "01".to_string(),
                dept.to_string(),
                doctor.clone(),
                "W3".to_string(),
                "0".to_string(),
                "0".to_string(),
                "1".to_string(),
            ];
            ef.push(cols.join("\t"));
        }
    }
    DpcLines { ff1, ef }
}
