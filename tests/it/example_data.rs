//! `karte example-data`: the same size and seed give the same bytes; files are CP932 with the
//! NEC/IBM extension characters; every UKE file is well formed (children after an RE, GO
//! trailer counts right but for the one broken on purpose); the answer key equals a re-count
//! of the files written.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use karte::example_data::{generate, Options, Size};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Generate tiny data with `seed` into `<tmp>/deliveries`.
fn tiny(seed: u64) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deliveries");
    generate(&Options {
        size: Size::Tiny,
        seed,
        out: out.clone(),
    })
    .unwrap();
    (dir, out)
}

/// Every file under `root`, relative, sorted.
fn files(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(root).unwrap().to_path_buf())
        .collect();
    v.sort();
    v
}

fn digests(root: &Path) -> BTreeMap<PathBuf, String> {
    files(root)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(root.join(&p)).unwrap();
            let hex: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            (p, hex)
        })
        .collect()
}

/// The files inside a zip: (name, bytes).
fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().to_string(), bytes)
        })
        .collect()
}

/// Every file inside every zip under `dir` (relative to the deliveries root): (zip, entry,
/// text decoded as CP932).
fn entries(root: &Path, dir: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for p in files(&root.join(dir)) {
        if p.extension().is_some_and(|e| e == "zip") {
            let zip = format!("{dir}/{}", p.display());
            for (name, bytes) in unzip(&root.join(dir).join(&p)) {
                let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
                assert!(!bad, "{zip}:{name} is not CP932");
                out.push((zip.clone(), name, text.into_owned()));
            }
        }
    }
    out
}

fn key(root: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root.join("answer_key.json")).unwrap()).unwrap()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let started = Instant::now();
    let (_a, a) = tiny(1);
    // The tests run on 2 cores in CI, unoptimised: tiny must stay quick.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "tiny took {:?}",
        started.elapsed()
    );
    let (_b, b) = tiny(1);
    let (_c, c) = tiny(2);
    let (da, db, dc) = (digests(&a), digests(&b), digests(&c));
    assert!(da.len() > 100, "{} files", da.len());
    assert_eq!(da, db, "the same seed gave different files");
    assert_ne!(da, dc);
    assert_ne!(
        da[Path::new("answer_key.json")],
        dc[Path::new("answer_key.json")]
    );
    // Masters do not depend on the seed; deliveries do.
    assert_eq!(
        da[Path::new("masters/disease_codes.csv")],
        dc[Path::new("masters/disease_codes.csv")]
    );
    assert!(!a.join(".karte-spool").exists());
}

#[test]
fn files_are_cp932_with_crlf_and_extension_characters() {
    let (_d, root) = tiny(1);
    let mut all = String::new();
    let mut raw_nec = false;
    let mut raw_ibm = false;
    for dir in ["medical", "pharmacy", "enrollment", "dpc", "lab"] {
        for p in files(&root.join(dir)) {
            for (name, bytes) in unzip(&root.join(dir).join(&p)) {
                assert!(
                    std::str::from_utf8(&bytes).is_err() || bytes.is_ascii(),
                    "{name} looks like UTF-8"
                );
                let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
                assert!(!bad, "{name} is not CP932");
                assert!(text.ends_with("\r\n"), "{name} does not end with CRLF");
                assert_eq!(
                    text.matches('\n').count(),
                    text.matches("\r\n").count(),
                    "{name} has a bare LF"
                );
                raw_nec |= bytes.windows(2).any(|w| w == [0x87, 0x40]);
                raw_ibm |= bytes.windows(2).any(|w| w == [0xFB, 0xFC]);
                all.push_str(&text);
            }
        }
    }
    assert!(
        raw_nec && all.contains('①'),
        "no NEC special character ① (0x8740)"
    );
    assert!(
        raw_ibm && all.contains('髙'),
        "no IBM extension character 髙 (0xFBFC)"
    );
    assert!(all.contains('﨑') && all.contains('㈱'));
    // Half-width katakana, 0x8160 tildes and messy lab values are there.
    assert!(all.contains("ﾀ") || all.contains("ﾔ"));
    assert!(all.contains('～') && all.contains("(-)") && all.contains("<0.3"));
    // The masters, manifest and answer key are UTF-8.
    for p in files(&root.join("masters")) {
        let text = std::fs::read_to_string(root.join("masters").join(&p)).unwrap();
        assert!(text.lines().count() > 1, "{}", p.display());
    }
    std::fs::read_to_string(root.join("MANIFEST.txt")).unwrap();
}

/// Split a UKE file into records.
fn records(text: &str) -> Vec<Vec<&str>> {
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').collect())
        .collect()
}

/// `GYYMM` (era code + year of era + month) or `YYYYMM` → `YYYY-MM`.
fn month(code: &str) -> String {
    match code.len() {
        5 => {
            let first = [1868, 1912, 1926, 1989, 2019][code[..1].parse::<usize>().unwrap() - 1];
            let year = first + code[1..3].parse::<i32>().unwrap() - 1;
            format!("{year}-{}", &code[3..5])
        }
        6 => format!("{}-{}", &code[..4], &code[4..]),
        _ => panic!("not a month: {code}"),
    }
}

#[derive(Default, Debug, PartialEq)]
struct Recount {
    re_records: u64,
    receipts: u64,
    points: u64,
    persons: u64,
}

/// Recount one kind of claims by service month, and check each file's structure. Returns the
/// recount and the files whose GO count is off.
fn recount_claims(root: &Path, dir: &str) -> (BTreeMap<String, Recount>, Vec<(String, String)>) {
    let header = if dir == "medical" { "IR" } else { "YK" };
    let mut re_records: BTreeMap<String, u64> = BTreeMap::new();
    // identity → (month, points, member)
    let mut distinct: BTreeMap<String, (String, u64, String)> = BTreeMap::new();
    let mut broken = Vec::new();
    for (zip, name, text) in entries(root, dir) {
        let recs = records(&text);
        assert_eq!(recs[0][0], header, "{zip}:{name}");
        assert_eq!(recs.last().unwrap()[0], "GO", "{zip}:{name}");
        let facility = recs[0][4].to_string();
        let mut n_re = 0u64;
        let mut points = 0u64;
        // The current receipt: service month, レセプト種別, prescribing facility.
        let mut current: Option<(String, String, String)> = None;
        for r in &recs[1..recs.len() - 1] {
            match r[0] {
                "RE" => {
                    n_re += 1;
                    let m = month(r[3]);
                    *re_records.entry(m.clone()).or_default() += 1;
                    let prescriber = if dir == "pharmacy" {
                        r[11].to_string()
                    } else {
                        String::new()
                    };
                    current = Some((m, r[2].to_string(), prescriber));
                }
                "IR" | "YK" | "GO" => panic!("{zip}:{name}: a second {} record", r[0]),
                "HO" => {
                    let (m, rtype, prescriber) = current
                        .clone()
                        .unwrap_or_else(|| panic!("{zip}:{name}: HO before any RE"));
                    let p: u64 = r[5].parse().unwrap();
                    points += p;
                    let inpatient = rtype.ends_with(['1', '3', '5', '7', '9']);
                    let member = format!("{}|{}|{}", r[1], r[2], r[3]);
                    let id = format!("{facility}|{member}|{m}|{inpatient}|{prescriber}");
                    distinct.insert(id, (m, p, member));
                }
                other => {
                    assert!(
                        current.is_some(),
                        "{zip}:{name}: {other} record before any RE"
                    );
                    if dir == "medical" && (other == "SI" || other == "IY") && !r[6].is_empty() {
                        let days: u64 = r[13..44]
                            .iter()
                            .filter(|d| !d.is_empty())
                            .map(|d| d.parse::<u64>().unwrap())
                            .sum();
                        assert_eq!(r.len(), 44, "{zip}:{name}: {other} has 44 columns");
                        assert_eq!(
                            r[6].parse::<u64>().unwrap(),
                            days,
                            "{zip}:{name}: 回数 is not the sum of the day columns: {r:?}"
                        );
                    }
                }
            }
        }
        let go = recs.last().unwrap();
        assert_eq!(
            go[2].parse::<u64>().unwrap(),
            points,
            "{zip}:{name}: GO points"
        );
        if go[1].parse::<u64>().unwrap() != n_re {
            broken.push((zip.clone(), name.clone()));
        }
    }
    let mut out: BTreeMap<String, Recount> = BTreeMap::new();
    for (m, n) in re_records {
        out.entry(m).or_default().re_records = n;
    }
    let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, p, member) in distinct.into_values() {
        let e = out.entry(m.clone()).or_default();
        e.receipts += 1;
        e.points += p;
        members.entry(m).or_default().insert(member);
    }
    for (m, s) in members {
        out.get_mut(&m).unwrap().persons = s.len() as u64;
    }
    (out, broken)
}

fn from_key(key: &Value, section: &str) -> BTreeMap<String, Recount> {
    key[section]["by_service_month"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(m, v)| {
            let n = |k: &str| v[k].as_u64().unwrap();
            (
                m.clone(),
                Recount {
                    re_records: n("re_records"),
                    receipts: n("receipts"),
                    points: n("points"),
                    persons: n("persons"),
                },
            )
        })
        .collect()
}

#[test]
fn uke_files_are_well_formed_and_the_answer_key_matches_a_recount() {
    let (_d, root) = tiny(1);
    let key = key(&root);

    let (medical, broken) = recount_claims(&root, "medical");
    assert_eq!(medical, from_key(&key, "medical_claims"));
    // Exactly one GO trailer is wrong, the one the answer key names.
    assert_eq!(broken.len(), 1, "{broken:?}");
    let listed = &key["dirt"]["broken_go_trailers"][0];
    assert_eq!(listed["zip"], broken[0].0.as_str());
    assert_eq!(listed["entry"], broken[0].1.as_str());
    assert_eq!(
        listed["go_total_count_written"].as_u64().unwrap(),
        listed["re_records"].as_u64().unwrap() + 1
    );

    let (pharmacy, broken) = recount_claims(&root, "pharmacy");
    assert_eq!(pharmacy, from_key(&key, "pharmacy_claims"));
    assert!(broken.is_empty(), "{broken:?}");

    // Late claims and resubmissions are there.
    let totals = &key["medical_claims"]["totals"];
    assert!(totals["late_receipts"].as_u64().unwrap() > 0);
    assert!(totals["resubmitted_receipts"].as_u64().unwrap() > 0);
    assert!(
        totals["re_records"].as_u64().unwrap() > totals["receipts"].as_u64().unwrap(),
        "resubmissions repeat receipts"
    );
}

#[test]
fn answer_key_diagnoses_labs_dpc_and_enrollment_match_a_recount() {
    let (_d, root) = tiny(1);
    let key = key(&root);

    // T2DM: coded SY whose disease code maps to E11*, without the 疑い modifier.
    let master = std::fs::read_to_string(root.join("masters/disease_codes.csv")).unwrap();
    let e11: BTreeSet<&str> = master
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            c[2].starts_with("E11").then_some(c[0])
        })
        .collect();
    assert!(!e11.is_empty());
    let mut t2dm_members = BTreeSet::new();
    let (mut uncoded, mut suspected) = (0u64, 0u64);
    for (_, _, text) in entries(&root, "medical") {
        let mut member = String::new();
        for r in records(&text) {
            match r[0] {
                "HO" => member = format!("{}|{}|{}", r[1], r[2], r[3]),
                "SY" => {
                    uncoded += u64::from(r[1] == "0000999");
                    suspected += u64::from(r[4] == "8002");
                    if e11.contains(r[1]) && r[4].is_empty() {
                        t2dm_members.insert(member.clone());
                    }
                }
                _ => {}
            }
        }
    }
    assert_eq!(
        t2dm_members.len() as u64,
        key["diagnoses"]["t2dm_members"].as_u64().unwrap()
    );
    assert!(key["diagnoses"]["t2dm_persons"].as_u64().unwrap() > 0);
    assert_eq!(
        uncoded,
        key["dirt"]["uke"]["uncoded_diagnoses"].as_u64().unwrap()
    );
    assert_eq!(
        suspected,
        key["dirt"]["uke"]["suspected_diagnoses"].as_u64().unwrap()
    );

    // HbA1c: the JLAC10 analyte, or the local code through the master.
    let local = std::fs::read_to_string(root.join("masters/lab_local_codes.csv")).unwrap();
    let local: BTreeMap<(String, String), String> = local
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            ((c[0].to_string(), c[1].to_string()), c[3].to_string())
        })
        .collect();
    let (mut rows, mut hba1c) = (0u64, 0u64);
    for (zip, name, text) in entries(&root, "lab") {
        let mut lines = text.lines();
        assert!(
            lines.next().unwrap().starts_with("施設コード,"),
            "{zip}:{name}"
        );
        for l in lines {
            let c: Vec<&str> = l.split(',').collect();
            assert_eq!(c.len(), 13, "{zip}:{name}: {l}");
            let jlac10 = if c[6].is_empty() {
                local[&(c[0].to_string(), c[4].to_string())].as_str()
            } else {
                c[6]
            };
            assert_eq!(jlac10.len(), 17);
            rows += 1;
            hba1c += u64::from(jlac10.starts_with("3D046"));
        }
    }
    assert_eq!(rows, key["labs"]["rows"].as_u64().unwrap());
    assert_eq!(hba1c, key["labs"]["hba1c_tests"].as_u64().unwrap());
    assert!(hba1c > 0);

    // DPC: one A000030 (discharge) row per admission; LOS from the dates.
    let ymd = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y%m%d").unwrap();
    let (mut admissions, mut los) = (0u64, 0i64);
    for (_, _, text) in entries(&root, "dpc") {
        for l in text.lines() {
            let c: Vec<&str> = l.split('\t').collect();
            if c.len() == 17 && c[5] == "A000030" {
                admissions += 1;
                los += (ymd(c[8]) - ymd(c[2])).num_days() + 1;
            } else if c.len() != 17 {
                assert_eq!(c.len(), 31, "an EF row has 31 columns: {l}");
            }
        }
    }
    assert!(admissions > 0);
    assert_eq!(admissions, key["dpc"]["admissions"].as_u64().unwrap());
    assert_eq!(los as u64, key["dpc"]["los_days_total"].as_u64().unwrap());

    // Enrollment: one ledger row per member and month.
    let ledger_rows: usize = entries(&root, "enrollment")
        .iter()
        .map(|(_, _, t)| t.lines().count() - 1)
        .sum();
    assert_eq!(
        ledger_rows as u64,
        key["enrollment"]["member_months"].as_u64().unwrap()
    );
    assert!(
        key["population"]["persons_with_insurer_change"]
            .as_u64()
            .unwrap()
            > 0
    );

    // The manifest lists every file inside every zip, with its row count.
    let manifest = std::fs::read_to_string(root.join("MANIFEST.txt")).unwrap();
    let listed: Vec<&str> = manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("file\t"))
        .collect();
    assert_eq!(
        listed.len() as u64,
        key["files"]["files_in_zips"].as_u64().unwrap()
    );
    for l in listed {
        let c: Vec<&str> = l.split('\t').collect();
        assert!(root.join(c[0]).is_file(), "{l}");
    }
}

#[test]
fn masters_have_valid_code_formats() {
    let (_d, root) = tiny(1);
    let read = |name: &str| std::fs::read_to_string(root.join("masters").join(name)).unwrap();
    let col = |text: &str, i: usize| -> Vec<String> {
        text.lines()
            .skip(1)
            .map(|l| l.split(',').nth(i).unwrap().to_string())
            .collect()
    };
    let digits = |s: &str, n: usize, first: Option<char>| {
        s.len() == n
            && s.chars().all(|c| c.is_ascii_digit())
            && first.is_none_or(|f| s.starts_with(f))
    };
    assert!(col(&read("disease_codes.csv"), 0)
        .iter()
        .all(|c| digits(c, 7, None)));
    assert!(col(&read("procedure_codes.csv"), 0)
        .iter()
        .all(|c| digits(c, 9, Some('1'))));
    let drugs = read("drug_codes.csv");
    assert!(col(&drugs, 0).iter().all(|c| digits(c, 9, Some('6'))));
    for yj in col(&drugs, 1) {
        let b = yj.as_bytes();
        assert!(
            yj.len() == 12
                && b[..7].iter().all(u8::is_ascii_digit)
                && b[7].is_ascii_uppercase()
                && b[8..].iter().all(u8::is_ascii_alphanumeric),
            "YJ code {yj}"
        );
    }
    for j in col(&read("jlac10_analytes.csv"), 1) {
        assert_eq!(j.len(), 17, "JLAC10 {j}");
    }
    assert_eq!(col(&read("eras.csv"), 1)[4], "令和");
}

#[test]
fn cli_writes_the_deliveries_and_refuses_a_directory_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deliveries");
    let run = |out: &Path| {
        Command::new(env!("CARGO_BIN_EXE_karte"))
            .env("KARTE_LANG", "en")
            .args(["example-data", "--size", "tiny", "--seed", "3", "--out"])
            .arg(out)
            .output()
            .unwrap()
    };
    let o = run(&out);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("answer key"));
    assert!(out.join("answer_key.json").is_file());
    // Running again replaces the previous output.
    assert_eq!(run(&out).status.code(), Some(0));

    let foreign = dir.path().join("mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
    let o = run(&foreign);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did not write"));
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "keep me"
    );
}
