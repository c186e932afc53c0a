//! Synthetic code masters (small and invented — not licensed master data), the facilities and
//! insurers of the synthetic world, and the seed CSVs written to `DIR/masters/`.
//!
//! Code *formats* are the real ones (7-digit receipt disease codes, 9-digit procedure codes
//! starting with 1, 9-digit drug codes starting with 6, 12-character YJ codes, 17-character
//! JLAC10 codes); the code *values* are invented, except the 5-character JLAC10 analyte codes,
//! which are the published standard ones (3D046 = HbA1c (NGSP), …).

use std::io;
use std::path::Path;

use super::{Config, Ym};

/// A disease in the receipt disease-code master (傷病名マスター, synthetic).
pub(crate) struct Disease {
    pub code: &'static str,
    pub name: &'static str,
    pub icd10: &'static str,
    pub category: &'static str,
}

macro_rules! dis {
    ($c:expr, $n:expr, $i:expr, $k:expr) => {
        Disease {
            code: $c,
            name: $n,
            icd10: $i,
            category: $k,
        }
    };
}

/// The disease master. ICD-10 codes are written without the dot (`E119`), as in DPC files.
pub(crate) const DISEASES: &[Disease] = &[
    dis!("9001001", "本態性高血圧症", "I10", "chronic"),
    dis!("9002001", "２型糖尿病", "E119", "chronic"),
    dis!("9002002", "２型糖尿病性腎症", "E112", "chronic"),
    dis!("9002003", "２型糖尿病・眼合併症あり", "E113", "chronic"),
    dis!("9002010", "糖尿病", "E149", "chronic"),
    dis!("9002011", "１型糖尿病", "E109", "chronic"),
    dis!("9003001", "脂質異常症", "E785", "chronic"),
    dis!("9003002", "高コレステロール血症", "E780", "chronic"),
    dis!("9004001", "気管支喘息", "J459", "chronic"),
    dis!("9005001", "急性上気道炎", "J069", "acute"),
    dis!("9005002", "急性気管支炎", "J209", "acute"),
    dis!("9005003", "インフルエンザ", "J111", "acute"),
    dis!("9005004", "感染性胃腸炎", "A09", "acute"),
    dis!("9005005", "腰痛症", "M545", "acute"),
    dis!("9005006", "アレルギー性結膜炎", "H101", "acute"),
    dis!("9005007", "湿疹", "L309", "acute"),
    dis!("9005008", "急性咽頭炎", "J029", "acute"),
    dis!("9006001", "急性虫垂炎", "K358", "inpatient"),
    dis!("9006002", "肺炎", "J189", "inpatient"),
    dis!("9006003", "脳梗塞", "I639", "inpatient"),
    dis!("9006004", "大腿骨頚部骨折", "S720", "inpatient"),
    dis!("9006005", "結腸癌", "C189", "inpatient"),
    dis!("9006006", "うっ血性心不全", "I500", "inpatient"),
    dis!("9006007", "胆のう結石症", "K802", "inpatient"),
];

/// Index into [`DISEASES`] by code (panics on an unknown code: a bug in the generator).
pub(crate) fn disease(code: &str) -> &'static Disease {
    DISEASES
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("disease code {code} is not in the master"))
}

/// Receipt disease code of an uncoded diagnosis (未コード化傷病名).
pub(crate) const UNCODED: &str = "0000999";

/// Modifier codes (修飾語): 4 digits; 8xxx are suffixes.
pub(crate) const MODIFIERS: &[(&str, &str, &str, bool)] = &[
    ("1051", "左", "prefix", false),
    ("1052", "右", "prefix", false),
    ("8002", "の疑い", "suffix", true),
    ("8048", "の急性増悪", "suffix", false),
];
/// The "suspected" modifier (の疑い).
pub(crate) const SUSPECTED: &str = "8002";

/// A procedure (診療行為, synthetic codes and points).
pub(crate) struct Procedure {
    pub code: &'static str,
    pub name: &'static str,
    /// 診療識別.
    pub shikibetsu: &'static str,
    pub points: u32,
    /// JLAC10 analyte a test measures ("" for none).
    pub analyte: &'static str,
}

macro_rules! pro {
    ($c:expr, $n:expr, $s:expr, $p:expr, $a:expr) => {
        Procedure {
            code: $c,
            name: $n,
            shikibetsu: $s,
            points: $p,
            analyte: $a,
        }
    };
}

pub(crate) const PROCEDURES: &[Procedure] = &[
    pro!("190101010", "初診料", "11", 288, ""),
    pro!("190102010", "再診料", "12", 73, ""),
    pro!("190102020", "外来管理加算", "12", 52, ""),
    pro!("190103010", "特定疾患療養管理料", "13", 225, ""),
    pro!(
        "190124010",
        "調剤料（内服薬・浸煎薬・屯服薬）",
        "24",
        11,
        ""
    ),
    pro!("190125010", "処方料", "25", 42, ""),
    pro!("190125020", "処方箋料", "25", 68, ""),
    pro!("190133010", "点滴注射", "33", 102, ""),
    pro!("190140010", "消炎鎮痛等処置", "40", 35, ""),
    pro!("190150010", "虫垂切除術", "50", 6740, ""),
    pro!("190150020", "腹腔鏡下胆嚢摘出術", "50", 21500, ""),
    pro!("190150030", "人工骨頭挿入術（股）", "50", 19500, ""),
    pro!("190160010", "ＨｂＡ１ｃ", "60", 49, "3D046"),
    pro!("190160020", "グルコース", "60", 11, "3D010"),
    pro!("190160030", "ＬＤＬ－コレステロール", "60", 18, "3F077"),
    pro!("190160040", "中性脂肪", "60", 11, "3F015"),
    pro!("190160050", "クレアチニン", "60", 11, "3C015"),
    pro!("190160060", "ＡＳＴ", "60", 17, "3B035"),
    pro!("190160070", "ＡＬＴ", "60", 17, "3B045"),
    pro!("190160080", "ＣＲＰ", "60", 16, "5C070"),
    pro!("190160090", "尿中一般物質定性半定量検査", "60", 26, "1A020"),
    pro!("190160100", "生化学的検査（Ⅰ）判断料", "60", 144, ""),
    pro!("190160110", "Ｂ－Ｖ（静脈採血）", "60", 37, ""),
    pro!("190170010", "単純撮影（胸部）", "70", 210, ""),
    pro!("190190010", "急性期一般入院料１", "90", 1650, ""),
    pro!("190401010", "調剤基本料１", "", 42, ""),
    pro!("190402010", "薬剤服用歴管理指導料", "", 43, ""),
];

pub(crate) fn procedure(code: &str) -> &'static Procedure {
    PROCEDURES
        .iter()
        .find(|p| p.code == code)
        .unwrap_or_else(|| panic!("procedure code {code} is not in the master"))
}

/// A drug (医薬品, synthetic receipt code and YJ code).
pub(crate) struct Drug {
    pub code: &'static str,
    pub yj: &'static str,
    pub name: &'static str,
    pub generic: &'static str,
    pub efficacy: &'static str,
    pub unit: &'static str,
    /// Price in 0.1 yen (10.1 yen → 101).
    pub price_x10: u32,
    pub is_generic: bool,
    /// 21 内服, 23 外用, 33 注射.
    pub route: &'static str,
}

macro_rules! drug {
    ($c:expr, $y:expr, $n:expr, $g:expr, $e:expr, $u:expr, $p:expr, $ge:expr, $r:expr) => {
        Drug {
            code: $c,
            yj: $y,
            name: $n,
            generic: $g,
            efficacy: $e,
            unit: $u,
            price_x10: $p,
            is_generic: $ge,
            route: $r,
        }
    };
}

#[rustfmt::skip]
pub(crate) const DRUGS: &[Drug] = &[
    drug!("690100001", "2171022F1995", "アムロジピン錠５ｍｇ「髙田」", "アムロジピンベシル酸塩", "2171", "錠", 101, true, "21"),
    drug!("690100002", "2149044F2993", "オルメサルタン錠２０ｍｇ", "オルメサルタン　メドキソミル", "2149", "錠", 372, false, "21"),
    drug!("690200001", "3962002F1990", "メトホルミン塩酸塩錠２５０ｍｇ「髙田」", "メトホルミン塩酸塩", "3962", "錠", 101, true, "21"),
    drug!("690200002", "3969010F2994", "シタグリプチン錠５０ｍｇ", "シタグリプチンリン酸塩水和物", "3969", "錠", 1181, false, "21"),
    drug!("690200003", "3961008F1992", "グリメピリド錠１ｍｇ「トーワ」", "グリメピリド", "3961", "錠", 101, true, "21"),
    drug!("690300001", "2189017F1999", "ロスバスタチン錠２．５ｍｇ「ＤＳＥＰ」", "ロスバスタチンカルシウム", "2189", "錠", 203, true, "21"),
    drug!("690350001", "4490026F2991", "モンテルカスト錠１０ｍｇ", "モンテルカストナトリウム", "4490", "錠", 603, true, "21"),
    drug!("690400001", "1141007F1993", "アセトアミノフェン錠２００ｍｇ", "アセトアミノフェン", "1141", "錠", 59, true, "21"),
    drug!("690400002", "2233002F2996", "カルボシステイン錠５００ｍｇ", "カルボシステイン", "2233", "錠", 78, true, "21"),
    drug!("690400003", "1149019F1995", "ロキソプロフェンＮａ錠６０ｍｇ", "ロキソプロフェンナトリウム水和物", "1149", "錠", 101, true, "21"),
    drug!("690400004", "6250021M1997", "オセルタミビルカプセル７５ｍｇ", "オセルタミビルリン酸塩", "6250", "カプセル", 2058, false, "21"),
    drug!("690400005", "2316004B1998", "ビフィズス菌製剤散", "ビフィズス菌", "2316", "ｇ", 63, true, "21"),
    drug!("690400006", "3339950Q1996", "ヘパリン類似物質ローション０．３％", "ヘパリン類似物質", "3339", "ｇ", 30, true, "23"),
    drug!("690400007", "1319720Q1992", "オロパタジン点眼液０．１％", "オロパタジン塩酸塩", "1319", "ｍＬ", 1560, true, "23"),
    drug!("690500001", "3311401A1997", "生理食塩液５００ｍＬ", "塩化ナトリウム", "3311", "瓶", 2360, true, "33"),
    drug!("690500002", "6132401D1993", "セファゾリンＮａ注射用１ｇ", "セファゾリンナトリウム", "6132", "瓶", 3930, true, "33"),
];

pub(crate) fn drug(code: &str) -> &'static Drug {
    DRUGS
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("drug code {code} is not in the master"))
}

/// A lab analyte (JLAC10).
pub(crate) struct Analyte {
    /// The 5-character JLAC10 analyte code.
    pub analyte: &'static str,
    /// A 17-character JLAC10 code for it.
    pub jlac10: &'static str,
    pub name: &'static str,
    /// The name in katakana (full-width; written half-width by some hospitals).
    pub kana: &'static str,
    pub specimen: &'static str,
    pub unit: &'static str,
    pub low: &'static str,
    pub high: &'static str,
    /// quant or qual.
    pub result_type: &'static str,
    /// Procedure claimed for the test ("" for a calculated value).
    pub procedure: &'static str,
}

macro_rules! ana {
    ($a:expr, $j:expr, $n:expr, $k:expr, $s:expr, $u:expr, $lo:expr, $hi:expr, $t:expr, $p:expr) => {
        Analyte {
            analyte: $a,
            jlac10: $j,
            name: $n,
            kana: $k,
            specimen: $s,
            unit: $u,
            low: $lo,
            high: $hi,
            result_type: $t,
            procedure: $p,
        }
    };
}

#[rustfmt::skip]
pub(crate) const ANALYTES: &[Analyte] = &[
    ana!("3D046", "3D046000001906202", "ＨｂＡ１ｃ（ＮＧＳＰ）", "ヘモグロビンA1c", "全血", "%", "4.6", "6.2", "quant", "190160010"),
    ana!("3D010", "3D010000001926101", "グルコース", "グルコース", "血漿", "mg/dL", "73", "109", "quant", "190160020"),
    ana!("3F077", "3F077000002327101", "ＬＤＬ－コレステロール", "LDLコレステロール", "血清", "mg/dL", "65", "139", "quant", "190160030"),
    ana!("3F015", "3F015000002327101", "中性脂肪", "チュウセイシボウ", "血清", "mg/dL", "40", "149", "quant", "190160040"),
    ana!("3C015", "3C015000002327101", "クレアチニン", "クレアチニン", "血清", "mg/dL", "0.46", "1.07", "quant", "190160050"),
    ana!("8A065", "8A065000002391901", "ｅＧＦＲ", "eGFR", "血清", "mL/min/1.73m2", "60", "", "quant", ""),
    ana!("3B035", "3B035000002327201", "ＡＳＴ（ＧＯＴ）", "AST(GOT)", "血清", "U/L", "13", "30", "quant", "190160060"),
    ana!("3B045", "3B045000002327201", "ＡＬＴ（ＧＰＴ）", "ALT(GPT)", "血清", "U/L", "7", "30", "quant", "190160070"),
    ana!("5C070", "5C070000002306001", "ＣＲＰ", "CRP", "血清", "mg/dL", "0", "0.14", "quant", "190160080"),
    ana!("1A020", "1A020000000191111", "尿蛋白定性", "ニョウタンパク", "尿", "", "", "", "qual", "190160090"),
    ana!("1A010", "1A010000000190111", "尿糖定性", "ニョウトウ", "尿", "", "", "", "qual", ""),
];

pub(crate) fn analyte(code: &str) -> &'static Analyte {
    ANALYTES
        .iter()
        .find(|a| a.analyte == code)
        .unwrap_or_else(|| panic!("analyte {code} is not in the master"))
}

/// The HbA1c analyte.
pub(crate) const HBA1C: &str = "3D046";

/// Eras (元号): code, name, letter, first day, last day, first year.
pub(crate) const ERAS: &[(u8, &str, &str, &str, &str, i32)] = &[
    (1, "明治", "M", "1868-10-23", "1912-07-29", 1868),
    (2, "大正", "T", "1912-07-30", "1926-12-24", 1912),
    (3, "昭和", "S", "1926-12-25", "1989-01-07", 1926),
    (4, "平成", "H", "1989-01-08", "2019-04-30", 1989),
    (5, "令和", "R", "2019-05-01", "", 2019),
];

/// What kind of place a facility is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FacilityKind {
    Clinic,
    Hospital,
    Pharmacy,
}

/// A clinic, hospital or pharmacy and its data habits.
pub(crate) struct Facility {
    pub kind: FacilityKind,
    /// 7-digit 医療機関コード / 薬局コード.
    pub code: String,
    pub name: String,
    /// A DPC hospital (sends 様式1 and EF files).
    pub dpc: bool,
    /// Dispenses in house (IY lines in the medical receipt) instead of prescribing outside.
    pub in_house_rx: bool,
    /// Kept writing 平成 for dates in 令和元年5–6月 (2019-05-01 … 2019-06-30).
    pub stale_era: bool,
    /// Lab files: test and patient names in half-width katakana.
    pub halfwidth_lab: bool,
    /// Lab files: collection dates as `R01.05.01` instead of `2019/05/01`.
    pub wareki_lab_dates: bool,
}

impl Facility {
    /// The 9-digit DPC 施設コード (都道府県 2 + 医療機関コード 7).
    pub fn dpc_code(&self) -> String {
        format!("{PREFECTURE}{}", self.code)
    }
}

/// A health-insurance society (健康保険組合).
pub(crate) struct Insurer {
    /// 8-digit 保険者番号.
    pub number: String,
    pub name: String,
}

/// Every facility sits in Tokyo (都道府県 13).
pub(crate) const PREFECTURE: &str = "13";

const CLINIC_NAMES: &[&str] = &[
    "髙橋内科クリニック",
    "さくら内科医院",
    "山﨑ファミリークリニック",
    "あおば小児科",
    "みなと整形外科",
    "にしの皮フ科",
    "齋藤医院",
    "ひかり耳鼻咽喉科",
    "駅前内科・糖尿病クリニック",
    "もりした眼科",
];
const HOSPITAL_NAMES: &[&str] = &[
    "城南総合病院",
    "医療法人髙仁会　港北記念病院",
    "東都医療センター",
    "さいわい中央病院",
    "みどり台病院",
];
const PHARMACY_NAMES: &[&str] = &[
    "あおば薬局①号店",
    "㈱みらい調剤薬局",
    "髙木薬局",
    "ひまわり薬局　駅前店",
    "さくら薬局②号店",
];
const INSURER_NAMES: &[&str] = &[
    "みなと電機健康保険組合",
    "髙島産業健康保険組合",
    "東都運輸健康保険組合",
    "さくら食品健康保険組合",
    "ひかり通信健康保険組合",
];
const TOWNS: &[&str] = &[
    "中央",
    "北",
    "南",
    "東",
    "西",
    "本町",
    "港",
    "緑",
    "桜台",
    "若葉",
    "旭",
    "栄",
    "泉",
    "松原",
    "梅田",
    "青葉",
    "富士見",
    "日の出",
    "宮前",
    "大和",
];

/// A name from `names`, with a town prefix (and a number) once the list is used up.
fn nth_name(names: &[&str], i: usize) -> String {
    let base = names[i % names.len()];
    match i / names.len() {
        0 => base.to_string(),
        round => {
            let (town, cycle) = ((round - 1) % TOWNS.len(), (round - 1) / TOWNS.len());
            let suffix = if cycle > 0 {
                (cycle + 1).to_string()
            } else {
                String::new()
            };
            format!("{}{base}{suffix}", TOWNS[town])
        }
    }
}

/// A mod-10 check digit (weights 2,1,2,… from the left, digit sums), as used for 保険者番号.
pub(crate) fn check_digit(digits: &str) -> char {
    let sum: u32 = digits
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let d = c.to_digit(10).expect("digit") * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    char::from_digit((10 - sum % 10) % 10, 10).expect("digit")
}

/// The facilities and insurers of the synthetic world.
pub(crate) struct World {
    pub facilities: Vec<Facility>,
    pub insurers: Vec<Insurer>,
    /// Index ranges into `facilities`.
    pub clinics: std::ops::Range<u32>,
    pub hospitals: std::ops::Range<u32>,
    pub pharmacies: std::ops::Range<u32>,
    /// Indexes of the DPC hospitals.
    pub dpc_hospitals: Vec<u32>,
}

impl World {
    pub fn new(cfg: &Config) -> World {
        let mut facilities = Vec::new();
        let code = |prefix: u32, i: u32| {
            let body = format!("{prefix:02}{:04}", 1001 + i);
            format!("{body}{}", check_digit(&body))
        };
        for i in 0..cfg.clinics {
            facilities.push(Facility {
                kind: FacilityKind::Clinic,
                code: code(1, i),
                name: nth_name(CLINIC_NAMES, i as usize),
                dpc: false,
                in_house_rx: i % 4 == 3,
                stale_era: i % 5 == 1,
                halfwidth_lab: false,
                wareki_lab_dates: false,
            });
        }
        for i in 0..cfg.hospitals {
            facilities.push(Facility {
                kind: FacilityKind::Hospital,
                code: code(2, i),
                name: nth_name(HOSPITAL_NAMES, i as usize),
                dpc: i < cfg.dpc_hospitals,
                in_house_rx: false,
                stale_era: false,
                halfwidth_lab: i % 2 == 1,
                wareki_lab_dates: i % 3 == 0,
            });
        }
        for i in 0..cfg.pharmacies {
            facilities.push(Facility {
                kind: FacilityKind::Pharmacy,
                code: code(3, i),
                name: nth_name(PHARMACY_NAMES, i as usize),
                dpc: false,
                in_house_rx: false,
                stale_era: i % 5 == 2,
                halfwidth_lab: false,
                wareki_lab_dates: false,
            });
        }
        let insurers = (0..cfg.insurers)
            .map(|i| {
                let body = format!("0613{:03}", 101 + i * 7);
                Insurer {
                    number: format!("{body}{}", check_digit(&body)),
                    name: nth_name(INSURER_NAMES, i as usize),
                }
            })
            .collect();
        let c = cfg.clinics;
        let h = c + cfg.hospitals;
        World {
            facilities,
            insurers,
            clinics: 0..c,
            hospitals: c..h,
            pharmacies: h..h + cfg.pharmacies,
            dpc_hospitals: (c..c + cfg.dpc_hospitals).collect(),
        }
    }

    pub fn facility(&self, i: u32) -> &Facility {
        &self.facilities[i as usize]
    }

    /// Local lab code of an analyte at a hospital (each hospital numbers its tests its own way).
    pub fn local_lab_code(&self, facility: u32, analyte_index: usize) -> String {
        let h = facility - self.hospitals.start;
        match h % 3 {
            0 => format!("K{:04}", 101 + analyte_index * 3),
            1 => format!("{:05}", 20010 + analyte_index * 10),
            _ => format!("L-{:03}", 11 + analyte_index),
        }
    }
}

/// Write the master CSVs (UTF-8, LF) into `dir`.
pub(crate) fn write_masters(dir: &Path, world: &World) -> io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let mut put = |name: &str, header: &[&str], rows: Vec<Vec<String>>| -> io::Result<()> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_path(dir.join(name))
            .map_err(io::Error::other)?;
        w.write_record(header).map_err(io::Error::other)?;
        for r in rows {
            w.write_record(&r).map_err(io::Error::other)?;
        }
        w.flush()?;
        written.push(name.to_string());
        Ok(())
    };
    let s = |x: &str| x.to_string();
    put(
        "disease_codes.csv",
        &["disease_code", "disease_name", "icd10", "category"],
        DISEASES
            .iter()
            .map(|d| vec![s(d.code), s(d.name), s(d.icd10), s(d.category)])
            .collect(),
    )?;
    put(
        "disease_modifiers.csv",
        &["modifier_code", "modifier_name", "position", "is_suspected"],
        MODIFIERS
            .iter()
            .map(|(c, n, p, q)| vec![s(c), s(n), s(p), q.to_string()])
            .collect(),
    )?;
    put(
        "procedure_codes.csv",
        &[
            "procedure_code",
            "procedure_name",
            "shinryo_shikibetsu",
            "points",
            "lab_analyte",
        ],
        PROCEDURES
            .iter()
            .map(|p| {
                vec![
                    s(p.code),
                    s(p.name),
                    s(p.shikibetsu),
                    p.points.to_string(),
                    s(p.analyte),
                ]
            })
            .collect(),
    )?;
    put(
        "drug_codes.csv",
        &[
            "drug_code",
            "yj_code",
            "drug_name",
            "generic_name",
            "efficacy_class",
            "unit",
            "price_yen",
            "is_generic",
            "route",
        ],
        DRUGS
            .iter()
            .map(|d| {
                vec![
                    s(d.code),
                    s(d.yj),
                    s(d.name),
                    s(d.generic),
                    s(d.efficacy),
                    s(d.unit),
                    format!("{}.{}", d.price_x10 / 10, d.price_x10 % 10),
                    d.is_generic.to_string(),
                    s(d.route),
                ]
            })
            .collect(),
    )?;
    put(
        "jlac10_analytes.csv",
        &[
            "analyte_code",
            "jlac10",
            "analyte_name",
            "specimen",
            "unit",
            "ref_low",
            "ref_high",
            "result_type",
            "procedure_code",
        ],
        ANALYTES
            .iter()
            .map(|a| {
                vec![
                    s(a.analyte),
                    s(a.jlac10),
                    s(a.name),
                    s(a.specimen),
                    s(a.unit),
                    s(a.low),
                    s(a.high),
                    s(a.result_type),
                    s(a.procedure),
                ]
            })
            .collect(),
    )?;
    let mut local = Vec::new();
    for h in world.hospitals.clone() {
        for (i, a) in ANALYTES.iter().enumerate() {
            local.push(vec![
                world.facility(h).code.clone(),
                world.local_lab_code(h, i),
                s(a.name),
                s(a.jlac10),
            ]);
        }
    }
    put(
        "lab_local_codes.csv",
        &["facility_code", "local_code", "local_name", "jlac10"],
        local,
    )?;
    put(
        "eras.csv",
        &[
            "era_code",
            "era_name",
            "era_letter",
            "first_date",
            "last_date",
            "first_year",
        ],
        ERAS.iter()
            .map(|(c, n, l, f, t, y)| vec![c.to_string(), s(n), s(l), s(f), s(t), y.to_string()])
            .collect(),
    )?;
    put(
        "facilities.csv",
        &[
            "facility_code",
            "facility_name",
            "facility_type",
            "prefecture",
            "dpc_facility_code",
            "is_dpc",
            "in_house_dispensing",
        ],
        world
            .facilities
            .iter()
            .map(|f| {
                vec![
                    f.code.clone(),
                    f.name.clone(),
                    s(match f.kind {
                        FacilityKind::Clinic => "clinic",
                        FacilityKind::Hospital => "hospital",
                        FacilityKind::Pharmacy => "pharmacy",
                    }),
                    s(PREFECTURE),
                    if f.dpc { f.dpc_code() } else { String::new() },
                    f.dpc.to_string(),
                    f.in_house_rx.to_string(),
                ]
            })
            .collect(),
    )?;
    put(
        "insurers.csv",
        &["insurer_number", "insurer_name"],
        world
            .insurers
            .iter()
            .map(|i| vec![i.number.clone(), i.name.clone()])
            .collect(),
    )?;
    Ok(written)
}

/// The first month the western date style is used in receipt files (請求年月 from 2020-07).
pub(crate) fn western_from() -> Ym {
    Ym::new(2020, 7)
}
