//! The answer key: figures computed while generating, for checks that compare gold tables (or a
//! re-count of the files) against them. Written as `answer_key.json` (UTF-8, pretty, keys in a
//! fixed order).

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde_json::{json, Map, Value};

use super::deliver::{Kind, Stats};
use super::labs::LabOrder;
use super::masters::{self, World};
use super::persons::{Cond, Person};
use super::receipts::Receipt;
use super::{rates, Config, Ym};

#[derive(Debug, Clone, Default)]
struct MonthAgg {
    re_records: u64,
    receipts: u64,
    points: u64,
    persons: u64,
    inpatient: u64,
    late: u64,
    resubmitted: u64,
    hba1c: u64,
}

#[derive(Debug, Default)]
struct Population {
    persons: u64,
    memberships: u64,
    insurer_change: u64,
    joined: u64,
    left: u64,
    diabetes: u64,
    kohi: u64,
    admissions: u64,
}

/// The figures, accumulated during generation.
pub(crate) struct Answer {
    cfg: Config,
    insurer_numbers: Vec<String>,
    population: Population,
    medical: BTreeMap<Ym, MonthAgg>,
    pharmacy: BTreeMap<Ym, MonthAgg>,
    member_months: BTreeMap<Ym, u64>,
    member_months_by_insurer: BTreeMap<u32, u64>,
    sy_records: u64,
    uncoded: u64,
    suspected: u64,
    /// Per person: bit 0 = a T2DM diagnosis; bits 1.. = in which spell.
    t2dm: Vec<u8>,
    lab_rows: BTreeMap<Ym, u64>,
    lab_by_analyte: BTreeMap<&'static str, u64>,
    hba1c: BTreeMap<Ym, u64>,
    hba1c_without_jlac10: u64,
    hba1c_persons: Vec<bool>,
    dpc: BTreeMap<Ym, (u64, u64)>,
    dirt: BTreeMap<&'static str, u64>,
    broken: Vec<Value>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Answer {
    pub fn new(cfg: &Config, world: &World) -> Answer {
        Answer {
            cfg: cfg.clone(),
            insurer_numbers: world.insurers.iter().map(|i| i.number.clone()).collect(),
            population: Population::default(),
            medical: BTreeMap::new(),
            pharmacy: BTreeMap::new(),
            member_months: BTreeMap::new(),
            member_months_by_insurer: BTreeMap::new(),
            sy_records: 0,
            uncoded: 0,
            suspected: 0,
            t2dm: vec![0; cfg.persons as usize],
            lab_rows: BTreeMap::new(),
            lab_by_analyte: BTreeMap::new(),
            hba1c: BTreeMap::new(),
            hba1c_without_jlac10: 0,
            hba1c_persons: vec![false; cfg.persons as usize],
            dpc: BTreeMap::new(),
            dirt: BTreeMap::new(),
            broken: Vec::new(),
        }
    }

    /// Count `n` more of a kind of dirt (`source.what`).
    pub fn dirt(&mut self, what: &'static str, n: u64) {
        if n > 0 {
            *self.dirt.entry(what).or_default() += n;
        }
    }

    pub fn population(&mut self, p: &Person) {
        let pop = &mut self.population;
        pop.persons += 1;
        pop.memberships += p.spells.len() as u64;
        if p.spells.len() > 1 {
            pop.insurer_change += 1;
        }
        if p.spells[0].start > self.cfg.first_month {
            pop.joined += 1;
        }
        if p.spells.last().expect("a spell").end < self.cfg.last_month() {
            pop.left += 1;
        }
        if p.has(Cond::Diabetes) {
            pop.diabetes += 1;
        }
        if p.kohi.is_some() {
            pop.kohi += 1;
        }
        pop.admissions += p.admissions.len() as u64;
    }

    pub fn member_month(&mut self, insurer: u32, m: Ym) {
        *self.member_months.entry(m).or_default() += 1;
        *self.member_months_by_insurer.entry(insurer).or_default() += 1;
    }

    fn claims(&mut self, kind: Kind) -> &mut BTreeMap<Ym, MonthAgg> {
        match kind {
            Kind::Pharmacy => &mut self.pharmacy,
            _ => &mut self.medical,
        }
    }

    /// A person with at least one receipt of `kind` in month `m`.
    pub fn person_month(&mut self, kind: Kind, m: Ym) {
        self.claims(kind).entry(m).or_default().persons += 1;
    }

    /// A receipt, written once per billing month in `r.billing`.
    pub fn receipt(&mut self, kind: Kind, p: &Person, r: &Receipt) {
        let a = self.claims(kind).entry(r.service).or_default();
        a.re_records += r.billing.len() as u64;
        a.receipts += 1;
        a.points += r.points;
        a.inpatient += u64::from(r.inpatient);
        a.late += u64::from(r.late);
        a.resubmitted += u64::from(r.billing.len() > 1);
        a.hba1c += r.hba1c;
        if kind == Kind::Medical {
            self.sy_records += r.sy;
            self.uncoded += r.uncoded;
            self.suspected += r.suspected;
            if r.t2dm {
                let spell = p
                    .spells
                    .iter()
                    .position(|s| {
                        s.insurer == r.insurer && s.start <= r.service && r.service <= s.end
                    })
                    .expect("the receipt's spell");
                self.t2dm[p.idx as usize] |= 1 | (2 << spell);
            }
        }
    }

    pub fn lab_result(&mut self, p: &Person, order: &LabOrder, jlac10_blank: bool) {
        let m = Ym::of(order.date);
        *self.lab_rows.entry(m).or_default() += 1;
        *self.lab_by_analyte.entry(order.analyte).or_default() += 1;
        if order.analyte == masters::HBA1C {
            *self.hba1c.entry(m).or_default() += 1;
            self.hba1c_without_jlac10 += u64::from(jlac10_blank);
            self.hba1c_persons[p.idx as usize] = true;
        }
    }

    pub fn dpc_admission(&mut self, discharge: Ym, los: u32) {
        let e = self.dpc.entry(discharge).or_default();
        e.0 += 1;
        e.1 += u64::from(los);
    }

    pub fn broken_trailer(&mut self, zip: &str, entry: &str, re_records: u64, written: u64) {
        self.broken.push(json!({
            "zip": zip,
            "entry": entry,
            "re_records": re_records,
            "go_total_count_written": written,
        }));
    }

    /// RE records written in medical claims.
    pub fn medical_re_records(&self) -> u64 {
        self.medical.values().map(|a| a.re_records).sum()
    }

    fn claims_json(map: &BTreeMap<Ym, MonthAgg>) -> Value {
        let total = map.values().fold(MonthAgg::default(), |mut t, a| {
            t.re_records += a.re_records;
            t.receipts += a.receipts;
            t.points += a.points;
            t.persons += a.persons;
            t.inpatient += a.inpatient;
            t.late += a.late;
            t.resubmitted += a.resubmitted;
            t.hba1c += a.hba1c;
            t
        });
        let agg = |a: &MonthAgg, person_months: bool| {
            let mut o = Map::new();
            o.insert("re_records".into(), json!(a.re_records));
            o.insert("receipts".into(), json!(a.receipts));
            o.insert("points".into(), json!(a.points));
            o.insert(
                if person_months {
                    "person_months"
                } else {
                    "persons"
                }
                .into(),
                json!(a.persons),
            );
            o.insert("inpatient_receipts".into(), json!(a.inpatient));
            o.insert("late_receipts".into(), json!(a.late));
            o.insert("resubmitted_receipts".into(), json!(a.resubmitted));
            o.insert("hba1c_tests_claimed".into(), json!(a.hba1c));
            Value::Object(o)
        };
        let mut by = Map::new();
        for (m, a) in map {
            by.insert(m.iso(), agg(a, false));
        }
        json!({ "totals": agg(&total, true), "by_service_month": by })
    }

    /// Write `answer_key.json`.
    pub fn write(&self, path: &Path, stats: &Stats, masters_written: &[String]) -> io::Result<()> {
        let cfg = &self.cfg;
        let pop = &self.population;
        let t2dm_persons = self.t2dm.iter().filter(|b| **b & 1 != 0).count();
        let t2dm_members: u32 = self.t2dm.iter().map(|b| (b >> 1).count_ones()).sum();
        let (adm, los): (u64, u64) = self
            .dpc
            .values()
            .fold((0, 0), |(a, l), (x, y)| (a + x, l + y));
        let by_month = |m: &BTreeMap<Ym, u64>| -> Map<String, Value> {
            m.iter().map(|(k, v)| (k.iso(), json!(v))).collect()
        };
        let mut dirt: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
        for (k, v) in &self.dirt {
            let (group, name) = k.split_once('.').expect("dirt keys are group.name");
            dirt.entry(group).or_default().insert(name.into(), json!(v));
        }
        let late: u64 = self
            .medical
            .values()
            .chain(self.pharmacy.values())
            .map(|a| a.late)
            .sum();
        let resub: u64 = self
            .medical
            .values()
            .chain(self.pharmacy.values())
            .map(|a| a.resubmitted)
            .sum();
        let mut dirt_json = Map::new();
        for (g, m) in dirt {
            dirt_json.insert(g.into(), Value::Object(m));
        }
        dirt_json.insert(
            "claims".into(),
            json!({
                "late_receipts": late,
                "resubmitted_receipts": resub,
                "persons_with_insurer_change": pop.insurer_change,
                "broken_go_trailers": self.broken.len(),
            }),
        );
        dirt_json.insert(
            "broken_go_trailers".into(),
            Value::Array(self.broken.clone()),
        );

        let by_insurer: Map<String, Value> = self
            .member_months_by_insurer
            .iter()
            .map(|(i, n)| (self.insurer_numbers[*i as usize].clone(), json!(n)))
            .collect();
        let dpc_by_month: Map<String, Value> = self
            .dpc
            .iter()
            .map(|(m, (a, l))| (m.iso(), json!({"admissions": a, "los_days_total": l})))
            .collect();
        let mean_los = if adm > 0 {
            round2(los as f64 / adm as f64)
        } else {
            0.0
        };
        let key = json!({
            "generator": {
                "command": "karte example-data",
                "format_version": 1,
                "size": cfg.size.name(),
                "seed": cfg.seed,
            },
            "period": {
                "first_service_month": cfg.first_month.iso(),
                "last_service_month": cfg.last_month().iso(),
                "last_billing_month": cfg.last_billing().iso(),
            },
            "definitions": {
                "service_month": "診療年月 (調剤年月 for pharmacy claims) in RE column 3, as YYYY-MM",
                "re_records": "RE records written with that service month, resubmitted copies included",
                "receipts": "distinct receipts: a resubmission repeats a receipt with the same facility (IR/YK column 4), insurer number, 記号 and 番号 (HO columns 1-3), service month and 入院/外来 (last digit of RE column 2: odd = 入院), and for pharmacy the same prescribing facility (RE column 11); its content is the same",
                "points": "sum of HO 合計点数 (column 5) over distinct receipts",
                "persons": "distinct members (保険者番号 + 記号 + 番号) with a distinct receipt in the month; insurer changes happen at month boundaries, so also distinct persons; totals.person_months sums the months",
                "t2dm_persons": "persons with at least one SY record whose disease code maps (masters/disease_codes.csv) to an ICD-10 code starting with E11, without modifier 8002 (の疑い); uncoded (0000999) diagnoses do not count. A person who changed insurer counts once; t2dm_members counts memberships (保険者番号 + 記号 + 番号) instead",
                "hba1c_tests": "lab-result rows of analyte 3D046 (the JLAC10 column's first 5 characters, or, where the JLAC10 column is blank, the hospital's local code mapped by masters/lab_local_codes.csv)",
                "hba1c_tests_claimed": "SI 回数 of procedure 190160010 (HbA1c) over distinct receipts, clinics included",
                "sy_records": "diagnoses.sy_records, uncoded and suspected count SY records over distinct receipts; dirt.uke counts them as written",
                "los_days": "在院日数 = discharge date - admission date + 1",
                "dirt": "counts of values as written in the files (a resubmitted receipt counts again)",
            },
            "rates": {
                "late_claim": rates::LATE_CLAIM,
                "late_max_months": rates::LATE_MAX_MONTHS,
                "resubmission": rates::RESUBMISSION,
                "halfwidth_re_name": rates::HALFWIDTH_RE_NAME,
                "uncoded_diagnosis": rates::UNCODED_DIAGNOSIS,
                "insurer_change": rates::INSURER_CHANGE,
                "join": rates::JOIN,
                "leave": rates::LEAVE,
                "comment": rates::COMMENT,
                "ledger_ascii_space": rates::LEDGER_ASCII_SPACE,
                "lab_fullwidth_digits": rates::LAB_FULLWIDTH,
                "lab_padded": rates::LAB_PADDED,
                "lab_jlac10_blank": rates::LAB_JLAC10_BLANK,
                "lab_unit_lowercase": rates::LAB_UNIT_LOWER,
                "lab_unit_fullwidth": rates::LAB_UNIT_FULLWIDTH,
                "lab_range_ascii_tilde": rates::LAB_RANGE_ASCII_TILDE,
                "lab_range_hyphen": rates::LAB_RANGE_HYPHEN,
                "dpc_icd10_dot": rates::DPC_ICD_DOT,
                "dpc_variant_kanji": rates::DPC_ITAIJI,
                "era_boundary_day": rates::ERA_BOUNDARY_DAY,
            },
            "files": {
                "zip_files": stats.zip_files,
                "files_in_zips": stats.entries,
                "zips_by_kind": stats.zips_by_kind,
                "files_by_kind": stats.entries_by_kind,
                "masters": masters_written,
            },
            "population": {
                "persons": pop.persons,
                "memberships": pop.memberships,
                "persons_with_insurer_change": pop.insurer_change,
                "persons_joined_in_period": pop.joined,
                "persons_left_in_period": pop.left,
                "persons_with_diabetes": pop.diabetes,
                "persons_with_public_expense": pop.kohi,
            },
            "enrollment": {
                "member_months": self.member_months.values().sum::<u64>(),
                "by_month": by_month(&self.member_months),
                "by_insurer": by_insurer,
            },
            "medical_claims": Self::claims_json(&self.medical),
            "pharmacy_claims": Self::claims_json(&self.pharmacy),
            "diagnoses": {
                "sy_records": self.sy_records,
                "uncoded": self.uncoded,
                "suspected": self.suspected,
                "t2dm_persons": t2dm_persons,
                "t2dm_members": t2dm_members,
            },
            "labs": {
                "rows": self.lab_rows.values().sum::<u64>(),
                "by_month": by_month(&self.lab_rows),
                "by_analyte": self.lab_by_analyte,
                "hba1c_tests": self.hba1c.values().sum::<u64>(),
                "hba1c_tests_without_jlac10": self.hba1c_without_jlac10,
                "hba1c_persons": self.hba1c_persons.iter().filter(|b| **b).count(),
                "hba1c_by_month": by_month(&self.hba1c),
            },
            "dpc": {
                "admissions": adm,
                "los_days_total": los,
                "mean_los_days": mean_los,
                "by_discharge_month": dpc_by_month,
            },
            "dirt": dirt_json,
        });
        let mut text = serde_json::to_string_pretty(&key).map_err(io::Error::other)?;
        text.push('\n');
        std::fs::write(path, text)
    }
}
