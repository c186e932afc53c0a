//! Lab results as the hospitals export them: one CSV row per result, with each hospital's own
//! test codes and habits (half-width katakana names, era-letter dates) and messy values
//! (`(-)`, `(－)`, `++`, `<0.3`, `１２．３`, padded values, unit and range spellings; ranges
//! with `～`, CP932 0x8160, which strict Shift_JIS decoders read as the wave dash `〜`).

use rand_chacha::ChaCha8Rng;

use super::answer::Answer;
use super::masters::{self, World};
use super::persons::{letter_date, slash_date, Cond, Person};
use super::{
    between, chance, has_halfwidth_kana, normal, rates, to_fullwidth_digits, to_halfwidth_kana, Ym,
};
use chrono::NaiveDate;

/// Why the test was done (sets the value's distribution).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    Diabetes,
    Suspect,
    General,
    Inpatient,
}

/// A test to report.
#[derive(Debug, Clone)]
pub(crate) struct LabOrder {
    pub facility: u32,
    pub date: NaiveDate,
    /// JLAC10 analyte code.
    pub analyte: &'static str,
    pub context: Context,
}

/// The header row of a lab file.
pub(crate) const HEADER: &str = "施設コード,患者ID,患者カナ氏名,採取日,院内検査コード,検査名,JLAC10,結果値,単位,基準値下限,基準値上限,基準範囲,異常フラグ";

fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    x.max(lo).min(hi)
}

/// A qualitative grade as written: 0 = −, 1 = ±, 2 = 1+, 3 = 2+, 4 = 3+.
fn qual(rng: &mut ChaCha8Rng, grade: u32, key: &mut Answer) -> String {
    let (text, dirt) = match grade {
        0 => {
            let u = between(rng, 0, 99);
            if u < 60 {
                ("(-)", "labs.qual_paren_minus")
            } else if u < 80 {
                ("(－)", "labs.qual_fullwidth_minus")
            } else if u < 90 {
                ("陰性", "labs.qual_negative_word")
            } else {
                ("-", "labs.qual_bare_minus")
            }
        }
        1 => ("(±)", "labs.qual_plus_minus"),
        2 => {
            if chance(rng, 0.7) {
                ("(+)", "labs.qual_plus")
            } else {
                ("+", "labs.qual_plus")
            }
        }
        3 => ("++", "labs.qual_double_plus"),
        _ => ("+++", "labs.qual_triple_plus"),
    };
    key.dirt(dirt, 1);
    text.to_string()
}

fn grade(rng: &mut ChaCha8Rng, weights: [u32; 5]) -> u32 {
    let total: u32 = weights.iter().sum();
    let mut x = between(rng, 0, total - 1);
    for (g, w) in weights.iter().enumerate() {
        if x < *w {
            return g as u32;
        }
        x -= w;
    }
    4
}

/// Per-person state while writing a month's results (eGFR follows the creatinine before it).
pub(crate) fn row(
    world: &World,
    p: &Person,
    order: &LabOrder,
    rng: &mut ChaCha8Rng,
    creatinine: &mut f64,
    key: &mut Answer,
) -> String {
    let f = world.facility(order.facility);
    let index = masters::ANALYTES
        .iter()
        .position(|a| a.analyte == order.analyte)
        .expect("an analyte of the master");
    let a = &masters::ANALYTES[index];
    // A patient with diabetes has diabetic values whatever the test was done for.
    let dm = p
        .active(Ym::of(order.date))
        .any(|c| c.cond == Cond::Diabetes);
    let ctx = if dm { Context::Diabetes } else { order.context };
    let age = f64::from(p.age_at(order.date).max(18));

    // The value: (number, decimals), or a qualitative grade, or a "below the limit" text.
    enum V {
        Num(f64, usize),
        Qual(u32),
        Below(&'static str),
    }
    let v = match order.analyte {
        "3D046" => V::Num(
            match ctx {
                Context::Diabetes => clamp(normal(rng, 7.2, 1.0), 5.2, 12.5),
                Context::Suspect => clamp(normal(rng, 6.3, 0.3), 5.6, 7.2),
                _ => clamp(normal(rng, 5.5, 0.3), 4.6, 6.4),
            },
            1,
        ),
        "3D010" => V::Num(
            match ctx {
                Context::Diabetes => clamp(normal(rng, 150.0, 40.0), 70.0, 400.0),
                Context::Suspect => clamp(normal(rng, 118.0, 12.0), 90.0, 160.0),
                _ => clamp(normal(rng, 95.0, 12.0), 65.0, 140.0),
            },
            0,
        ),
        "3F077" => V::Num(clamp(normal(rng, 125.0, 30.0), 40.0, 260.0), 0),
        "3F015" => V::Num(clamp(normal(rng, 140.0, 60.0), 30.0, 600.0), 0),
        "3C015" => {
            let (m, sd) = if p.sex == 1 {
                (0.92, 0.2)
            } else {
                (0.70, 0.15)
            };
            let cr = clamp(normal(rng, m, sd), 0.35, 3.5);
            *creatinine = (cr * 100.0).round() / 100.0;
            V::Num(cr, 2)
        }
        "8A065" => {
            let cr = if *creatinine > 0.0 { *creatinine } else { 0.8 };
            let mut egfr = 194.0 * cr.powf(-1.094) * age.powf(-0.287);
            if p.sex == 2 {
                egfr *= 0.739;
            }
            V::Num(clamp(egfr, 5.0, 150.0), 1)
        }
        "3B035" => V::Num(
            if ctx == Context::Inpatient {
                clamp(normal(rng, 35.0, 20.0), 8.0, 300.0)
            } else {
                clamp(normal(rng, 24.0, 8.0), 8.0, 300.0)
            },
            0,
        ),
        "3B045" => V::Num(clamp(normal(rng, 22.0, 10.0), 5.0, 300.0), 0),
        "5C070" => {
            if chance(rng, 0.4) {
                V::Below("<0.3")
            } else {
                V::Num(clamp(0.3 + normal(rng, 0.0, 1.0).exp(), 0.3, 25.0), 2)
            }
        }
        "1A020" => V::Qual(grade(
            rng,
            if dm {
                [60, 15, 15, 7, 3]
            } else {
                [85, 8, 5, 2, 0]
            },
        )),
        _ => V::Qual(grade(
            rng,
            if dm {
                [50, 10, 20, 15, 5]
            } else {
                [90, 5, 3, 2, 0]
            },
        )),
    };
    let low: Option<f64> = a.low.parse().ok();
    let high: Option<f64> = a.high.parse().ok();
    let (value, flag) = match v {
        V::Num(x, decimals) => {
            let text = format!("{x:.decimals$}");
            let shown: f64 = text.parse().expect("a number");
            let flag = if high.is_some_and(|h| shown > h) {
                "H"
            } else if low.is_some_and(|l| shown < l) {
                "L"
            } else {
                ""
            };
            let text = if chance(rng, rates::LAB_FULLWIDTH) {
                key.dirt("labs.values_fullwidth_digits", 1);
                to_fullwidth_digits(&text)
            } else if chance(rng, rates::LAB_PADDED) {
                key.dirt("labs.values_padded", 1);
                format!(" {text} ")
            } else {
                text
            };
            (text, flag)
        }
        V::Below(t) => {
            key.dirt("labs.values_less_than", 1);
            (t.to_string(), "")
        }
        V::Qual(g) => (qual(rng, g, key), if g >= 2 { "H" } else { "" }),
    };
    let unit = match a.unit {
        "mL/min/1.73m2" if f.halfwidth_lab => {
            key.dirt("labs.units_halfwidth_kana", 1);
            "mL/ﾌﾝ/1.73m2".to_string()
        }
        "mg/dL" if chance(rng, rates::LAB_UNIT_LOWER) => {
            key.dirt("labs.units_lowercase", 1);
            "mg/dl".to_string()
        }
        "mg/dL" if chance(rng, rates::LAB_UNIT_FULLWIDTH) => {
            key.dirt("labs.units_fullwidth", 1);
            "ｍｇ／ｄＬ".to_string()
        }
        "%" if chance(rng, rates::LAB_UNIT_FULLWIDTH) => {
            key.dirt("labs.units_fullwidth", 1);
            "％".to_string()
        }
        u => u.to_string(),
    };
    let range = if a.low.is_empty() {
        String::new()
    } else {
        let sep = if chance(rng, rates::LAB_RANGE_ASCII_TILDE) {
            key.dirt("labs.ranges_ascii_tilde", 1);
            "~"
        } else if chance(rng, rates::LAB_RANGE_HYPHEN) {
            key.dirt("labs.ranges_hyphen", 1);
            "-"
        } else {
            key.dirt("labs.ranges_tilde_0x8160", 1);
            "～"
        };
        format!("{}{sep}{}", a.low, a.high)
    };
    let (name, kana) = if f.halfwidth_lab {
        (to_halfwidth_kana(a.kana), to_halfwidth_kana(&p.name_kana()))
    } else {
        (a.name.to_string(), p.name_kana())
    };
    if has_halfwidth_kana(&name) {
        key.dirt("labs.test_names_halfwidth_kana", 1);
    }
    if has_halfwidth_kana(&kana) {
        key.dirt("labs.patient_names_halfwidth_kana", 1);
    }
    let date = if f.wareki_lab_dates {
        key.dirt("labs.dates_era_letter", 1);
        letter_date(order.date)
    } else {
        slash_date(order.date)
    };
    let jlac10 = if chance(rng, rates::LAB_JLAC10_BLANK) {
        key.dirt("labs.jlac10_blank", 1);
        ""
    } else {
        a.jlac10
    };
    key.lab_result(p, order, jlac10.is_empty());
    [
        f.code.as_str(),
        &p.patient_no(order.facility),
        &kana,
        &date,
        &world.local_lab_code(order.facility, index),
        &name,
        jlac10,
        &value,
        &unit,
        a.low,
        a.high,
        &range,
        flag,
    ]
    .join(",")
}
