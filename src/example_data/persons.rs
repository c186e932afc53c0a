//! Persons: names, birth dates, insurance spells (with insurer changes), chronic conditions,
//! home facilities and hospital admissions — all drawn from the person's own stream, so a
//! person is the same whenever they are generated — and the monthly enrollment ledger row.

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::masters::World;
use super::{answer::Answer, below, between, chance, rates, stream, tag, Config, Ym};

/// Family names: kanji (some with NEC/IBM extension characters: 髙, 﨑) and katakana.
const FAMILY: &[(&str, &str)] = &[
    ("髙橋", "タカハシ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡邊", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山﨑", "ヤマザキ"),
    ("齋藤", "サイトウ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("清水", "シミズ"),
    ("山口", "ヤマグチ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("阿部", "アベ"),
    ("石川", "イシカワ"),
    ("前田", "マエダ"),
    ("藤田", "フジタ"),
    ("後藤", "ゴトウ"),
    ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"),
    ("村上", "ムラカミ"),
    ("近藤", "コンドウ"),
    ("坂本", "サカモト"),
    ("遠藤", "エンドウ"),
    ("青木", "アオキ"),
];
const MALE: &[(&str, &str)] = &[
    ("太郎", "タロウ"),
    ("一郎", "イチロウ"),
    ("健", "ケン"),
    ("翔太", "ショウタ"),
    ("大輔", "ダイスケ"),
    ("誠", "マコト"),
    ("浩", "ヒロシ"),
    ("隆", "タカシ"),
    ("拓也", "タクヤ"),
    ("蓮", "レン"),
    ("悠真", "ユウマ"),
    ("陽翔", "ハルト"),
    ("茂", "シゲル"),
    ("勇", "イサム"),
    ("直樹", "ナオキ"),
    ("亮", "リョウ"),
    ("優斗", "ユウト"),
    ("湊", "ミナト"),
    ("修", "オサム"),
    ("秀樹", "ヒデキ"),
];
const FEMALE: &[(&str, &str)] = &[
    ("花子", "ハナコ"),
    ("陽子", "ヨウコ"),
    ("美咲", "ミサキ"),
    ("由美", "ユミ"),
    ("恵子", "ケイコ"),
    ("さくら", "サクラ"),
    ("葵", "アオイ"),
    ("結衣", "ユイ"),
    ("真由美", "マユミ"),
    ("久美子", "クミコ"),
    ("陽菜", "ヒナ"),
    ("凛", "リン"),
    ("智子", "トモコ"),
    ("幸子", "サチコ"),
    ("愛", "アイ"),
    ("芽依", "メイ"),
    ("京子", "キョウコ"),
    ("裕子", "ユウコ"),
    ("彩", "アヤ"),
    ("明美", "アケミ"),
];

/// A chronic condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cond {
    Hypertension,
    Diabetes,
    Dyslipidemia,
    Asthma,
}

#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub cond: Cond,
    /// Receipt disease code.
    pub code: &'static str,
    pub onset: NaiveDate,
}

/// Membership of one insurer (資格).
#[derive(Debug, Clone)]
pub(crate) struct Spell {
    pub insurer: u32,
    /// 記号.
    pub kigo: String,
    /// 番号.
    pub bango: String,
    pub start: Ym,
    /// Last month covered (inclusive).
    pub end: Ym,
    /// 資格取得日.
    pub acquired: NaiveDate,
    /// 資格喪失日 (the day after the last day), when the spell ends in the period.
    pub lost: Option<NaiveDate>,
}

/// A hospital stay at a DPC hospital.
#[derive(Debug, Clone)]
pub(crate) struct Admission {
    pub hospital: u32,
    pub admit: NaiveDate,
    pub discharge: NaiveDate,
    /// Main disease (receipt disease code).
    pub disease: &'static str,
    /// Surgery procedure code.
    pub surgery: Option<&'static str>,
    pub emergency: bool,
}

impl Admission {
    /// 在院日数: admission and discharge day both counted.
    pub fn los(&self) -> u32 {
        (self.discharge - self.admit).num_days() as u32 + 1
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub idx: u32,
    /// 1 male, 2 female.
    pub sex: u8,
    pub birth: NaiveDate,
    family: usize,
    given: usize,
    /// 本人 (the insured) rather than 家族 (a dependant).
    pub honnin: bool,
    /// Aged 70–74 with a 現役並み income (3 割 co-payment).
    pub high_income: bool,
    pub spells: Vec<Spell>,
    pub conditions: Vec<Condition>,
    /// The month a "2型糖尿病の疑い" is written for a person without diabetes.
    pub suspect_dm: Option<Ym>,
    pub clinic: u32,
    pub hospital: u32,
    pub pharmacy: u32,
    /// Where chronic conditions are managed.
    pub chronic_at: u32,
    pub admissions: Vec<Admission>,
    pub ledger_ascii_space: bool,
    /// 公費 (乳幼児医療) payer and recipient numbers for young children.
    pub kohi: Option<(String, String)>,
}

impl Person {
    pub fn name_kanji(&self) -> String {
        let given = if self.sex == 1 { MALE } else { FEMALE };
        format!("{}\u{3000}{}", FAMILY[self.family].0, given[self.given].0)
    }
    pub fn name_kana(&self) -> String {
        let given = if self.sex == 1 { MALE } else { FEMALE };
        format!("{}\u{3000}{}", FAMILY[self.family].1, given[self.given].1)
    }
    /// Age in completed years on `d`.
    pub fn age_at(&self, d: NaiveDate) -> u32 {
        let mut age = d.year() - self.birth.year();
        if (d.month(), d.day()) < (self.birth.month(), self.birth.day()) {
            age -= 1;
        }
        age.max(0) as u32
    }
    /// The spell covering month `m`.
    pub fn spell_in(&self, m: Ym) -> Option<usize> {
        self.spells.iter().position(|s| s.start <= m && m <= s.end)
    }
    pub fn has(&self, c: Cond) -> bool {
        self.conditions.iter().any(|x| x.cond == c)
    }
    /// Conditions diagnosed by the end of month `m`.
    pub fn active(&self, m: Ym) -> impl Iterator<Item = &Condition> {
        let end = m.last();
        self.conditions.iter().filter(move |c| c.onset <= end)
    }
    /// The hospital's patient number (カルテ番号; in DPC files データ識別番号), 10 digits.
    pub fn patient_no(&self, facility: u32) -> String {
        let n = (u64::from(self.idx) * 7919 + u64::from(facility) * 104_729) % 9_000_000_000;
        format!("{:010}", 1_000_000_000 + n)
    }
}

fn date_between(rng: &mut ChaCha8Rng, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
    if hi <= lo {
        return lo;
    }
    let span = (hi - lo).num_days() as u32;
    lo + Duration::days(i64::from(between(rng, 0, span)))
}

/// Generate person `idx` (a pure function of the seed and the index).
pub(crate) fn person(cfg: &Config, world: &World, idx: u32) -> Person {
    let mut r = stream(cfg.seed, tag::PERSON, u64::from(idx), 0);
    let first = cfg.first_month;
    let last = cfg.last_month();
    let start_day = first.first();
    let sex = if chance(&mut r, 0.5) { 1 } else { 2 };
    let band = r.random::<f64>();
    let age = if band < 0.22 {
        between(&mut r, 0, 19)
    } else if band < 0.50 {
        between(&mut r, 20, 39)
    } else if band < 0.90 {
        between(&mut r, 40, 64)
    } else {
        between(&mut r, 65, 73)
    };
    let birth = start_day
        - Duration::days(i64::from(age) * 365 + i64::from(age / 4) + i64::from(below(&mut r, 365)));
    let age = {
        let mut a = start_day.year() - birth.year();
        if (start_day.month(), start_day.day()) < (birth.month(), birth.day()) {
            a -= 1;
        }
        a.max(0) as u32
    };
    let family = below(&mut r, FAMILY.len() as u32) as usize;
    let given = below(
        &mut r,
        if sex == 1 { MALE.len() } else { FEMALE.len() } as u32,
    ) as usize;
    let honnin = age >= 20 && chance(&mut r, if sex == 1 { 0.85 } else { 0.5 });
    let high_income = chance(&mut r, 0.2);

    // Insurance spells.
    let insurers = cfg.insurers;
    let start = if chance(&mut r, rates::JOIN) {
        first.add(between(&mut r, 1, cfg.months - 1))
    } else {
        first
    };
    let leave = chance(&mut r, rates::LEAVE);
    let end = if leave && start < last {
        Ym(between(&mut r, start.0, last.0 - 1))
    } else {
        last
    };
    let change = insurers >= 2 && chance(&mut r, rates::INSURER_CHANGE) && start < end;
    let ins0 = below(&mut r, insurers);
    let mut bounds = vec![(ins0, start, end)];
    if change {
        let c = Ym(between(&mut r, start.0 + 1, end.0));
        let ins1 = (ins0 + 1 + below(&mut r, insurers - 1)) % insurers;
        bounds = vec![(ins0, start, Ym(c.0 - 1)), (ins1, c, end)];
    }
    let spells = bounds
        .into_iter()
        .enumerate()
        .map(|(n, (insurer, s, e))| {
            let acquired = if s == first {
                let lo = birth.max(NaiveDate::from_ymd_opt(2005, 4, 1).expect("date"));
                date_between(&mut r, lo, start_day - Duration::days(1))
            } else {
                s.first()
            };
            let bango =
                (u64::from(idx) * 7 + n as u64 * 3_000_001 + 12_345) % 9_000_000 + 1_000_000;
            Spell {
                insurer,
                kigo: format!("{}", 1000 + insurer * 100 + below(&mut r, 20)),
                bango: bango.to_string(),
                start: s,
                end: e,
                acquired,
                lost: (e < last).then(|| e.add(1).first()),
            }
        })
        .collect::<Vec<_>>();

    // Chronic conditions.
    let (p_ht, p_dm, p_dl) = match age {
        40.. => (
            (0.10 + f64::from(age - 40) * 0.012).min(0.5),
            (0.05 + f64::from(age - 40) * 0.003).min(0.2),
            0.12,
        ),
        20..=39 => (0.02, 0.008, 0.03),
        _ => (0.0, 0.0, 0.0),
    };
    let mut conditions = Vec::new();
    let period_end = last.last();
    let onset = |r: &mut ChaCha8Rng, min_age: u32| {
        let earliest = birth + Duration::days(i64::from(min_age) * 365);
        if chance(r, 0.85) {
            let d = start_day - Duration::days(i64::from(between(r, 30, 3650)));
            d.max(earliest).min(start_day - Duration::days(1))
        } else {
            date_between(r, start_day, period_end).max(earliest)
        }
    };
    if chance(&mut r, p_ht) {
        let d = onset(&mut r, 18);
        conditions.push(Condition {
            cond: Cond::Hypertension,
            code: "9001001",
            onset: d,
        });
    }
    if chance(&mut r, p_dm) {
        let u = r.random::<f64>();
        let code = if u < 0.80 {
            "9002001"
        } else if u < 0.92 {
            "9002002"
        } else {
            "9002003"
        };
        let d = onset(&mut r, 18);
        conditions.push(Condition {
            cond: Cond::Diabetes,
            code,
            onset: d,
        });
    }
    if chance(&mut r, p_dl) {
        let code = if chance(&mut r, 0.7) {
            "9003001"
        } else {
            "9003002"
        };
        let d = onset(&mut r, 18);
        conditions.push(Condition {
            cond: Cond::Dyslipidemia,
            code,
            onset: d,
        });
    }
    if chance(&mut r, 0.04) {
        let d = onset(&mut r, 1);
        conditions.push(Condition {
            cond: Cond::Asthma,
            code: "9004001",
            onset: d,
        });
    }
    let has_dm = conditions.iter().any(|c| c.cond == Cond::Diabetes);
    let suspect_dm = (!has_dm && age >= 30 && chance(&mut r, 0.03))
        .then(|| first.add(below(&mut r, cfg.months)));

    let pick_in = |r: &mut ChaCha8Rng, range: &std::ops::Range<u32>| {
        range.start + below(r, range.end - range.start)
    };
    let clinic = pick_in(&mut r, &world.clinics);
    let hospital = pick_in(&mut r, &world.hospitals);
    let pharmacy = pick_in(&mut r, &world.pharmacies);
    let chronic_at = if has_dm && chance(&mut r, 0.4) {
        hospital
    } else {
        clinic
    };
    let ledger_ascii_space = chance(&mut r, rates::LEDGER_ASCII_SPACE);
    let kohi = (age < 6 && chance(&mut r, 0.6)).then(|| {
        let payer = format!("8813{:03}", 301 + below(&mut r, 5));
        let payer = format!("{payer}{}", super::masters::check_digit(&payer));
        let recipient = format!("{:06}", idx % 1_000_000);
        let recipient = format!("{recipient}{}", super::masters::check_digit(&recipient));
        (payer, recipient)
    });

    // Admissions (DPC hospitals only), within one spell and the period.
    let mut admissions = Vec::new();
    let mut free_from = start_day;
    let hazard = 0.004 * if age >= 65 { 2.0 } else { 1.0 } * if has_dm { 1.5 } else { 1.0 };
    for mi in 0..cfg.months {
        let m = first.add(mi);
        if !chance(&mut r, hazard) {
            continue;
        }
        let admit = m.day(between(&mut r, 1, m.days()));
        let mut los = 2;
        while los < 45 && chance(&mut r, 0.88) {
            los += 1;
        }
        let discharge = admit + Duration::days(los - 1);
        let u = r.random::<f64>();
        let (disease, surgery) = if u < 0.15 {
            ("9006001", Some("190150010"))
        } else if u < 0.40 {
            ("9006002", None)
        } else if u < 0.55 {
            ("9006003", None)
        } else if u < 0.65 {
            ("9006004", Some("190150030"))
        } else if u < 0.75 {
            ("9006005", None)
        } else if u < 0.90 {
            ("9006006", None)
        } else {
            ("9006007", Some("190150020"))
        };
        let emergency = chance(&mut r, 0.6);
        let hospital = *super::pick(&mut r, &world.dpc_hospitals);
        let spell_a = spells.iter().position(|s| s.start <= m && m <= s.end);
        let spell_d = spells
            .iter()
            .position(|s| s.start <= Ym::of(discharge) && Ym::of(discharge) <= s.end);
        if admit < free_from || discharge > period_end || spell_a.is_none() || spell_a != spell_d {
            continue;
        }
        free_from = discharge + Duration::days(30);
        admissions.push(Admission {
            hospital,
            admit,
            discharge,
            disease,
            surgery,
            emergency,
        });
    }

    Person {
        idx,
        sex,
        birth,
        family,
        given,
        honnin,
        high_income,
        spells,
        conditions,
        suspect_dm,
        clinic,
        hospital,
        pharmacy,
        chronic_at,
        admissions,
        ledger_ascii_space,
        kohi,
    }
}

/// The ledger's header row.
pub(crate) const LEDGER_HEADER: &str =
    "保険者番号,記号,番号,枝番,氏名,氏名カナ,生年月日,性別,本人家族区分,資格取得日,資格喪失日,喪失事由";

/// A date as `2019/05/01`.
pub(crate) fn slash_date(d: NaiveDate) -> String {
    format!("{:04}/{:02}/{:02}", d.year(), d.month(), d.day())
}

/// A date with an era letter, as `R01.05.01` / `H31.04.30` / `S50.03.12`.
pub(crate) fn letter_date(d: NaiveDate) -> String {
    let (code, first_year) = super::receipts::era(d);
    let letter = ["M", "T", "S", "H", "R"][code as usize - 1];
    format!(
        "{letter}{:02}.{:02}.{:02}",
        d.year() - first_year + 1,
        d.month(),
        d.day()
    )
}

/// The person's row in insurer's enrollment ledger for month `m`. The second insurer writes
/// birth dates with era letters (`S50.03.12`); some names have an ASCII space.
pub(crate) fn ledger_row(
    world: &World,
    p: &Person,
    spell_no: usize,
    m: Ym,
    key: &mut Answer,
) -> String {
    let s = &p.spells[spell_no];
    let mut name = p.name_kanji();
    if p.ledger_ascii_space {
        name = name.replace('\u{3000}', " ");
        key.dirt("enrollment.name_ascii_space", 1);
    }
    let birth = if s.insurer == 1 {
        key.dirt("enrollment.birth_date_era_letter", 1);
        letter_date(p.birth)
    } else {
        slash_date(p.birth)
    };
    let (lost, reason) = match s.lost {
        Some(d) if s.end == m => (slash_date(d), "1"),
        _ => (String::new(), ""),
    };
    [
        world.insurers[s.insurer as usize].number.clone(),
        s.kigo.clone(),
        s.bango.clone(),
        if p.honnin { "00" } else { "01" }.to_string(),
        name,
        p.name_kana(),
        birth,
        p.sex.to_string(),
        if p.honnin { "1" } else { "2" }.to_string(),
        slash_date(s.acquired),
        lost,
        reason.to_string(),
    ]
    .join(",")
}
