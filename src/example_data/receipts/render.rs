//! A receipt written for one file: the era (和暦) or western dates the file uses, the file's
//! opening IR/YK record, and each record as a CSV line.

use chrono::{Datelike, NaiveDate};

use super::{Receipt, F};
use crate::example_data::answer::Answer;
use crate::example_data::deliver::Kind;
use crate::example_data::masters::{self, Facility};
use crate::example_data::Ym;

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
