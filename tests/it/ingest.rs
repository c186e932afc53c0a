//! `karte ingest` on the local lake: classification, decoding, headers, compression,
//! idempotency, replacement of exactly one partition, quarantine.

use std::io::Write;
use std::path::{Path, PathBuf};

use karte::engine::duckdb::LocalEngine;

use crate::support::{flat, karte, project_from_spec, write_file};

const RULES: &str = r#"
=== karte.yml
name: lake
layers:
  bronze: bronze
  silver: silver
=== ingest/deliveries.yml
ignore: [README.txt]
tables:
  - name: claims
    description: UKE lines
    files: "claims/RECEIPTC_{insurer}_{billing_month}.zip"
    entries: "*/RECEIPTC.UKE"
    quote: none
    header: absent
    columns: 9
    ragged: true
  - name: labs
    files: "lab/{facility}_lab_{month}.csv.gz"
    encoding: cp932
    header: present
    columns:
      - { name: patient_id, header: 患者ID }
      - { name: test_name, header: 検査名 }
      - { name: result, header: 結果値 }
  - name: members
    files: "members/KANYU_{insurer}.tsv"
    delimiter: "\t"
    header: auto
    columns:
      - { name: member_no, header: 番号 }
      - { name: kana_name, header: 氏名カナ }
  - name: facilities
    files: "facilities.csv"
    encoding: utf-8
    columns: [facility_code, facility_name]
=== models/silver/claim_records.sql
select c0 as record_type, _source_file, _line, insurer, billing_month from bronze.claims
"#;

fn ingest(dir: &Path, deliveries: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["ingest", deliveries.to_str().unwrap()];
    args.extend(extra);
    let (code, out, err) = karte(dir, &args);
    (code, format!("{out}{err}"))
}

fn cp932(s: &str) -> Vec<u8> {
    let (b, _, bad) = encoding_rs::SHIFT_JIS.encode(s);
    assert!(!bad, "{s} has no CP932 bytes");
    b.into_owned()
}

fn zip(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    zip_at(entries, None)
}

/// A zip archive, deflated at `level` (None: the zip crate's default).
fn zip_at(entries: &[(&str, Vec<u8>)], level: Option<i64>) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    for (name, bytes) in entries {
        let options = zip::write::SimpleFileOptions::default().compression_level(level);
        w.start_file(*name, options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
    buf.into_inner()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn uke(facility: &str, receipts: usize) -> Vec<u8> {
    let mut s = format!("IR,1,13,1,{facility},,ｸﾘﾆｯｸ①髙﨑,43012,00\r\n");
    for i in 1..=receipts {
        s.push_str(&format!(
            "RE,{i},1112,43011,ﾔﾏﾀﾞ ﾀﾛｳ\r\nSY,0000999,4301001,1\r\n"
        ));
    }
    s.push_str(&format!("GO,{receipts},100,99\r\n\x1a"));
    cp932(&s)
}

/// A delivery folder with one file of each kind.
fn deliveries() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write_file(
        p,
        Path::new("claims/RECEIPTC_06139999_201812.zip"),
        &zip(&[
            ("1310001/RECEIPTC.UKE", uke("1310001", 2)),
            ("1310002/RECEIPTC.UKE", uke("1310002", 1)),
            ("README.TXT", b"not data".to_vec()),
        ]),
    );
    write_file(
        p,
        Path::new("claims/RECEIPTC_06139999_201901.zip"),
        &zip(&[("1310001/RECEIPTC.UKE", uke("1310001", 1))]),
    );
    write_file(p, Path::new("lab/1310001_lab_201812.csv.gz"), &gzip(&cp932("患者ID,検査名,結果値\r\n0000000001,ＨｂＡ１ｃ,6.8\r\n0000000002,\"尿蛋白, 定性\",(－)\r\n0000000003,ｸﾚｱﾁﾆﾝ,\"0,82\"\r\n")));
    write_file(
        p,
        Path::new("members/KANYU_06139999.tsv"),
        &cp932("番号\t氏名カナ\r\n1001\tヤマダ　タロウ\r\n"),
    );
    write_file(
        p,
        Path::new("members/KANYU_06270000.tsv"),
        &cp932("1002\tｽｽﾞｷ ﾊﾅｺ\r\n1003\t～①\r\n"),
    );
    write_file(
        p,
        Path::new("facilities.csv"),
        "\u{feff}facility_code,facility_name\n1310001,髙橋クリニック\n".as_bytes(),
    );
    write_file(p, Path::new("README.txt"), b"delivery notes");
    d
}

fn partition_locations(dir: &Path, table: &str) -> Vec<(Vec<String>, String)> {
    let engine = LocalEngine::open(dir, "target/lake").unwrap();
    let state = engine.query_text(&format!("select state from karte_catalog.entries where schema_name = 'bronze' and table_name = '{table}'")).unwrap().1;
    let json: serde_json::Value = serde_json::from_str(state[0][0].as_deref().unwrap()).unwrap();
    json["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect(),
                p["location"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn lake_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir.join("target/lake"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    v.sort();
    v
}

#[test]
fn classifies_decodes_and_keeps_provenance() {
    let project = project_from_spec(RULES);
    let dir = project.path();
    let d = deliveries();
    let (code, out) = ingest(dir, d.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("7 file(s): 6 loaded, 1 ignored"), "{out}");

    // Partitions from the captures; provenance per line; the DOS EOF mark and README.TXT skipped.
    assert_eq!(
        flat(
            dir,
            "select insurer, billing_month, count(*) from bronze.claims group by all order by all"
        ),
        ["06139999|201812|10", "06139999|201901|4"]
    );
    assert_eq!(
        flat(dir, "select _source_file, _line, c0, c4 from bronze.claims where billing_month = '201812' and _line <= 2 order by all"),
        [
            "claims/RECEIPTC_06139999_201812.zip!1310001/RECEIPTC.UKE|1|IR|1310001",
            "claims/RECEIPTC_06139999_201812.zip!1310001/RECEIPTC.UKE|2|RE|ﾔﾏﾀﾞ ﾀﾛｳ",
            "claims/RECEIPTC_06139999_201812.zip!1310002/RECEIPTC.UKE|1|IR|1310002",
            "claims/RECEIPTC_06139999_201812.zip!1310002/RECEIPTC.UKE|2|RE|ﾔﾏﾀﾞ ﾀﾛｳ",
        ]
    );
    // CP932 extension characters (NEC ①, IBM 髙﨑) and half-width katakana survive.
    assert_eq!(
        flat(dir, "select distinct c6 from bronze.claims where c0 = 'IR'"),
        ["ｸﾘﾆｯｸ①髙﨑"]
    );
    // Ragged: GO has 4 fields of 9, the rest is NULL; an empty field stays empty.
    assert_eq!(
        flat(dir, "select c1, c4 is null, c5 = '' from bronze.claims where c0 in ('GO', 'IR') and _source_file like '%1310002%' order by c0"),
        ["1|true|NULL", "1|false|true"]
    );
    // gzip, a header checked, quoted fields with commas, CP932 full-width and half-width.
    assert_eq!(
        flat(
            dir,
            "select _line, patient_id, test_name, result from bronze.labs order by _line"
        ),
        [
            "2|0000000001|ＨｂＡ１ｃ|6.8",
            "3|0000000002|尿蛋白, 定性|(－)",
            "4|0000000003|ｸﾚｱﾁﾆﾝ|0,82"
        ]
    );
    // header: auto — one file has it, the other not; ～ (0x8160) is U+FF5E under CP932.
    assert_eq!(
        flat(
            dir,
            "select insurer, _line, member_no, kana_name from bronze.members order by all"
        ),
        [
            "06139999|2|1001|ヤマダ　タロウ",
            "06270000|1|1002|ｽｽﾞｷ ﾊﾅｺ",
            "06270000|2|1003|\u{FF5E}①"
        ]
    );
    // UTF-8 with a BOM, unpartitioned.
    assert_eq!(
        flat(
            dir,
            "select facility_code, facility_name from bronze.facilities"
        ),
        ["1310001|髙橋クリニック"]
    );
    // Models read ingested tables as `bronze.<name>`.
    let (code, out, err) = karte(dir, &["build"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        flat(
            dir,
            "select count(*) from silver.claim_records where record_type = 'RE'"
        ),
        ["4"]
    );
    // The manifest.
    let (code, out, _) = karte(dir, &["ingest", "--list"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("insurer=06139999/billing_month=201812")
            && out.contains("claims/RECEIPTC_06139999_201812.zip"),
        "{out}"
    );
}

#[test]
fn same_files_again_change_nothing_and_a_changed_file_replaces_its_partition() {
    let project = project_from_spec(RULES);
    let dir = project.path();
    let d = deliveries();
    assert_eq!(ingest(dir, d.path(), &[]).0, 0);
    let files_before = lake_files(dir);
    let parts_before = partition_locations(dir, "claims");

    let (code, out) = ingest(dir, d.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("6 unchanged"), "{out}");
    assert_eq!(lake_files(dir), files_before);
    assert_eq!(partition_locations(dir, "claims"), parts_before);

    // A corrected delivery of 2019-01 (one more receipt), same name.
    write_file(
        d.path(),
        Path::new("claims/RECEIPTC_06139999_201901.zip"),
        &zip(&[("1310001/RECEIPTC.UKE", uke("1310001", 3))]),
    );
    let (code, out) = ingest(dir, d.path(), &["--dry-run"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("would replace") && out.contains("5 unchanged"),
        "{out}"
    );
    assert_eq!(lake_files(dir), files_before, "a dry run writes nothing");

    let (code, out) = ingest(dir, d.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 replaced, 5 unchanged"), "{out}");
    let parts_after = partition_locations(dir, "claims");
    assert_eq!(
        parts_after[0], parts_before[0],
        "the other partition is untouched"
    );
    assert_ne!(
        parts_after[1].1, parts_before[1].1,
        "the changed file's partition is repointed"
    );
    assert!(
        !dir.join(&parts_before[1].1).exists(),
        "the replaced location is deleted"
    );
    assert!(dir.join(&parts_after[1].1).join("data.parquet").exists());
    assert_eq!(
        flat(
            dir,
            "select billing_month, count(*) from bronze.claims group by all order by all"
        ),
        ["201812|10", "201901|8"]
    );
}

#[test]
fn bad_files_are_quarantined_with_a_report_and_the_rest_loads() {
    let project = project_from_spec(RULES);
    let dir = project.path();
    let d = deliveries();
    let p = d.path();
    // Undecodable bytes (a lone lead byte) on line 3 of a member.
    let mut bad = uke("1310003", 1);
    bad.splice(bad.len() - 20..bad.len() - 20, [b'\x82', b',']);
    write_file(
        p,
        Path::new("claims/RECEIPTC_06270000_201812.zip"),
        &zip(&[("1310003/RECEIPTC.UKE", bad)]),
    );
    // Too many fields.
    write_file(
        p,
        Path::new("claims/RECEIPTC_06270000_201901.zip"),
        &zip(&[(
            "1310003/RECEIPTC.UKE",
            cp932("IR,1,13,1,1310003,,x,43012,00\r\nRE,1,2,3,4,5,6,7,8,9\r\n"),
        )]),
    );
    // A truncated zip.
    let whole = zip(&[("1310003/RECEIPTC.UKE", uke("1310003", 50))]);
    write_file(
        p,
        Path::new("claims/RECEIPTC_06270000_201902.zip"),
        &whole[..whole.len() / 2],
    );
    // A wrong header.
    write_file(
        p,
        Path::new("lab/1310009_lab_201812.csv.gz"),
        &gzip(&cp932("患者番号,検査名,結果値\r\n1,x,2\r\n")),
    );
    // A truncated gzip.
    let gz = gzip(&cp932("患者ID,検査名,結果値\r\n1,x,2\r\n").repeat(200));
    write_file(
        p,
        Path::new("lab/1310009_lab_201901.csv.gz"),
        &gz[..gz.len() - 30],
    );
    // Not matched by any rule.
    write_file(p, Path::new("claims/RECEIPTC_bad.txt"), b"x");

    let (code, out) = ingest(dir, p, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("6 loaded") && out.contains("5 quarantined") && out.contains("1 unmatched"),
        "{out}"
    );
    assert!(
        out.contains("1310003/RECEIPTC.UKE, line 3: bytes 0x82 0x2C at byte"),
        "{out}"
    );
    assert!(
        out.contains("line 2: 10 field(s), but the rule declares 9 column(s)"),
        "{out}"
    );
    assert!(out.contains("not a readable zip archive"), "{out}");
    assert!(out.contains("line 1: header column 1 is `患者番号`, the rule expects `患者ID` (column `patient_id`)"), "{out}");
    assert!(out.contains("the data ends early"), "{out}");
    assert!(
        out.contains("claims/RECEIPTC_bad.txt") && out.contains("no ingest rule matches"),
        "{out}"
    );
    // The good files are in; none of the bad ones.
    assert_eq!(
        flat(
            dir,
            "select insurer, count(*) from bronze.claims group by all"
        ),
        ["06139999|14"]
    );
    // Quarantine: a copy and a report per bad file.
    let report: serde_json::Value = {
        let ingest_dir = dir.join("target/ingest");
        let json = std::fs::read_dir(&ingest_dir)
            .unwrap()
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "json"))
            .unwrap()
            .path();
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap()
    };
    let quarantined: Vec<&serde_json::Value> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "quarantined")
        .collect();
    assert_eq!(quarantined.len(), 5);
    for f in quarantined {
        let to = dir.join(f["quarantined_to"].as_str().unwrap());
        assert!(to.is_file(), "{to:?}");
        let text = std::fs::read_to_string(format!("{}.problems.txt", to.display())).unwrap();
        assert!(
            text.contains(f["file"].as_str().unwrap()) && text.contains("problems:"),
            "{text}"
        );
    }
}

#[test]
fn a_different_file_for_a_loaded_partition_is_a_conflict() {
    let project = project_from_spec(&RULES.replace(
        r#"files: "members/KANYU_{insurer}.tsv""#,
        r#"regex: 'members/KANYU_(?P<insurer>\d{8})(_v\d)?\.tsv'"#,
    ));
    let dir = project.path();
    let d = deliveries();
    assert_eq!(ingest(dir, d.path(), &[]).0, 0);
    write_file(
        d.path(),
        Path::new("members/KANYU_06139999_v2.tsv"),
        &cp932("1009\tｱ\r\n"),
    );
    // Both in one batch: the second cannot share the partition.
    let (code, out) = ingest(dir, d.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("`members/KANYU_06139999.tsv` in this batch goes to the same partition"),
        "{out}"
    );
    // Only the new one: the partition holds another file, which is not replaced silently.
    std::fs::remove_file(d.path().join("members/KANYU_06139999.tsv")).unwrap();
    let (code, out) = ingest(dir, d.path(), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("CONFLICT")
            && out.contains("the partition already holds `members/KANYU_06139999.tsv`"),
        "{out}"
    );
    assert_eq!(
        flat(
            dir,
            "select count(*) from bronze.members where insurer = '06139999'"
        ),
        ["1"]
    );
}

#[test]
fn rule_mistakes_point_at_the_rule() {
    let project = project_from_spec(&RULES.replace("columns: 9", "columns: [Bad-Name]"));
    let (code, _, err) = karte(project.path(), &["ingest", "."]);
    assert_ne!(code, 0);
    assert!(
        err.contains("E601")
            && err.contains("ingest/deliveries.yml:")
            && err.contains("`Bad-Name` is not a column name"),
        "{err}"
    );
}

/// Rules for hostile deliveries: small caps where a test needs them.
const HOSTILE: &str = r#"
=== karte.yml
name: lake
layers:
  bronze: bronze
=== ingest/hostile.yml
tables:
  - name: bombs
    files: "bombs/{batch}.zip"
    quote: none
    header: absent
    columns: 3
  - name: gz
    files: "gz/{batch}.csv.gz"
    quote: none
    header: absent
    columns: 3
    limits: { uncompressed: 1MB, ratio: 1000000 }
  - name: long
    files: "long/{batch}.txt"
    quote: none
    header: absent
    columns: 1
  - name: quoted
    files: "quoted/{batch}.csv"
    header: absent
    columns: 1
    limits: { line: 64KB }
  - name: stray
    files: "stray/{batch}.csv"
    header: absent
    columns: 1
"#;

fn report_json(dir: &Path) -> serde_json::Value {
    let json = std::fs::read_dir(dir.join("target/ingest"))
        .unwrap()
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "json"))
        .unwrap()
        .path();
    serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap()
}

fn outcome_of<'a>(report: &'a serde_json::Value, file: &str) -> &'a serde_json::Value {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == file)
        .unwrap_or_else(|| panic!("{file} not in {report}"))
}

#[test]
fn zip_bombs_gzip_bombs_and_endless_lines_are_quarantined_and_the_batch_goes_on() {
    let project = project_from_spec(HOSTILE);
    let dir = project.path();
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let good = b"RE,1,2\r\n".repeat(10);
    // 50 MB of one repeated line: deflate at level 9 packs it about 690:1, over the default
    // 200:1.
    let bomb = b"RE,1,2\r\n".repeat(50 << 17);
    write_file(
        p,
        Path::new("bombs/ok.zip"),
        &zip(&[("a.csv", good.clone())]),
    );
    write_file(
        p,
        Path::new("bombs/bomb.zip"),
        &zip_at(&[("a.csv", good.clone()), ("b.csv", bomb.clone())], Some(9)),
    );
    // gzip: the rule caps a stream at 1 MB (and lifts the ratio): 4 MB is over.
    write_file(p, Path::new("gz/ok.csv.gz"), &gzip(&good));
    write_file(p, Path::new("gz/big.csv.gz"), &gzip(&bomb[..4 << 20]));
    // One line of 40 MB without a line break: over the default 16 MB.
    write_file(p, Path::new("long/ok.txt"), b"x\n");
    write_file(p, Path::new("long/endless.txt"), &vec![b'x'; 40 << 20]);
    // A quoted field never closed, over the rule's 64 KB.
    let mut open = b"\"".to_vec();
    open.extend(b"abc\r\n".repeat(20_000));
    write_file(p, Path::new("quoted/ok.csv"), b"\"a\nb\"\n");
    write_file(p, Path::new("quoted/open.csv"), &open);
    // A stray quote, then 17 MB of short lines: found in one pass (not one pass per line).
    let mut stray = b"\"".to_vec();
    stray.extend(b"a\n".repeat(17 << 19));
    write_file(p, Path::new("stray/x.csv"), &stray);

    let (code, out) = ingest(dir, p, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("4 loaded") && out.contains("5 quarantined"),
        "{out}"
    );
    let report = report_json(dir);
    let reason = |file: &str| {
        let f = outcome_of(&report, file);
        assert_eq!(f["outcome"], "quarantined", "{f}");
        let to = dir.join(f["quarantined_to"].as_str().unwrap());
        let text = std::fs::read_to_string(format!("{}.problems.txt", to.display())).unwrap();
        f["problems"][0]["reason"].as_str().unwrap().to_string() + "\n" + &text
    };
    let r = reason("bombs/bomb.zip");
    assert!(
        r.contains("more than 200 times its compressed size")
            && r.contains("limits: { ratio:")
            && r.contains("b.csv"),
        "{r}"
    );
    let r = reason("gz/big.csv.gz");
    assert!(
        r.contains("more than 1.0 MB") && r.contains("limits: { uncompressed:"),
        "{r}"
    );
    let r = reason("long/endless.txt");
    assert!(
        r.contains("line 1: the line is longer than 16.0 MB") && r.contains("limits: { line:"),
        "{r}"
    );
    let r = reason("quoted/open.csv");
    assert!(
        r.contains("not closed within 64.0 KB") && r.contains("limits: { line:"),
        "{r}"
    );
    let r = reason("stray/x.csv");
    assert!(
        r.contains("line 1: a quoted field is not closed within 16.0 MB"),
        "{r}"
    );
    assert_eq!(
        flat(dir, "select count(*) from bronze.bombs"),
        ["10"],
        "the good zip is loaded"
    );
    assert_eq!(flat(dir, "select count(*) from bronze.quoted"), ["1"]);
}

#[test]
fn limits_in_a_rule_are_checked() {
    let project = project_from_spec(&HOSTILE.replace("ratio: 1000000", "ratio: lots"));
    let (code, _, err) = karte(project.path(), &["ingest", "."]);
    assert_ne!(code, 0);
    assert!(
        err.contains("E601") && err.contains("`lots` is not a ratio"),
        "{err}"
    );
    let project = project_from_spec(&HOSTILE.replace("line: 64KB", "line: 2 furlongs"));
    let (code, _, err) = karte(project.path(), &["ingest", "."]);
    assert_ne!(code, 0);
    assert!(
        err.contains("E601") && err.contains("`2 furlongs` is not a size"),
        "{err}"
    );
}

/// Every file under `root`, relative.
fn all_files(root: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            e.path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

#[test]
fn partition_values_that_are_not_one_path_segment_are_refused() {
    let project = project_from_spec(
        r#"
=== ingest/labs.yml
tables:
  - name: labs
    regex: 'in/(?P<site>.*)_labs\.csv'
    header: absent
    columns: 1
"#,
    );
    let dir = project.path();
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write_file(p, Path::new("in/a/b/c/x_labs.csv"), b"1\n");
    write_file(p, Path::new("in/_labs.csv"), b"2\n");
    write_file(p, Path::new("in/ok_labs.csv"), b"3\n");
    // `in/a/b/c/../../../../x` as a partition value would put the data 2 folders above the
    // table's prefix.
    let sneaky = format!("{}/in/a/b/c/../../../../in/a/b/c/x_labs.csv", p.display());
    let (code, out, err) = karte(dir, &["ingest", &sneaky, &p.to_string_lossy()]);
    assert_eq!(code, 1, "{out}{err}");
    let report = report_json(dir);
    for (file, what) in [
        ("in/a/b/c/x_labs.csv", "`a/b/c/x`"),
        ("in/a/b/c/../../../../in/a/b/c/x_labs.csv", "`a/b/c/../"),
        ("in/_labs.csv", "empty"),
    ] {
        let f = outcome_of(&report, file);
        let reason = f["problems"][0]["reason"].as_str().unwrap_or_default();
        assert!(
            f["outcome"] == "conflict" && reason.contains(what) && reason.contains("`site`"),
            "{file}: {f}"
        );
    }
    assert_eq!(outcome_of(&report, "in/ok_labs.csv")["outcome"], "loaded");
    let lake = all_files(&dir.join("target/lake"));
    assert!(
        lake.iter()
            .all(|f| f.starts_with("bronze/labs/site=ok/") || f.starts_with("_quarantine")),
        "{lake:?}"
    );
}

#[test]
fn quarantine_copies_stay_in_the_runs_quarantine_folder() {
    let project = project_from_spec(
        r#"
=== ingest/bad.yml
tables:
  - name: bad
    files: "**/bad_{n}.zip"
    header: absent
    columns: 1
"#,
    );
    let dir = project.path();
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let evil = format!("karte-evil-{}", std::process::id());
    // Member names that would leave any folder they were unpacked to; the data is bad
    // (two fields for one column), so the file is quarantined.
    write_file(
        p,
        Path::new("x/bad_1.zip"),
        &zip(&[
            (format!("../../../{evil}/a.csv").as_str(), b"1,2\n".to_vec()),
            (format!("/tmp/{evil}/b.csv").as_str(), b"1,2\n".to_vec()),
        ]),
    );
    // A path with more `..` than folders: as a quarantine name it would climb out of the
    // run's folder (and the lake).
    let depth = p.join("x").components().count();
    let sneaky = format!(
        "{}/{}{}/x/bad_1.zip",
        p.join("x").display(),
        "../".repeat(depth + 2),
        p.display().to_string().trim_start_matches('/')
    );
    assert!(Path::new(&sneaky).is_file());
    let (code, out, err) = karte(dir, &["ingest", &sneaky]);
    assert_eq!(code, 1, "{out}{err}");
    let f = &report_json(dir)["files"][0];
    assert_eq!(f["outcome"], "quarantined", "{f}");
    let to = f["quarantined_to"].as_str().unwrap();
    assert!(!to.contains(".."), "{to}");
    let run = to.split('/').nth(3).unwrap();
    let copies: Vec<String> = all_files(dir)
        .into_iter()
        .filter(|f| f.contains("bad_1"))
        .collect();
    assert_eq!(copies.len(), 2, "{copies:?}");
    for q in &copies {
        assert!(
            q.starts_with(&format!("target/lake/_quarantine/{run}/")),
            "{q}"
        );
    }
    assert!(!Path::new("/tmp").join(&evil).exists());
    assert!(
        all_files(p).iter().all(|f| f == "x/bad_1.zip"),
        "{:?}",
        all_files(p)
    );
}

#[test]
fn a_line_just_under_the_cap_loads_whatever_its_characters() {
    let project = project_from_spec(HOSTILE);
    let dir = project.path();
    let d = tempfile::tempdir().unwrap();
    // 15 MB of half-width katakana: 45 MB of UTF-8 in the staging file, which DuckDB reads.
    let mut line = vec![0xB1u8; 15 << 20];
    line.extend(b"\r\n");
    write_file(d.path(), Path::new("long/kana.txt"), &line);
    let (code, out) = ingest(dir, d.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        flat(dir, "select length(c0), left(c0, 2) from bronze.long"),
        [format!("{}|ｱｱ", 15 << 20)]
    );
}

#[test]
fn a_catalog_entry_naming_a_wider_prefix_does_not_widen_what_ingest_deletes() {
    let project = project_from_spec(RULES);
    let dir = project.path();
    let d = deliveries();
    assert_eq!(ingest(dir, d.path(), &[]).0, 0);
    // Someone else's data, and a catalog entry edited to claim the whole layer and point a
    // partition at that data.
    let theirs = dir.join("target/lake/bronze/other_team/keep");
    std::fs::create_dir_all(&theirs).unwrap();
    std::fs::write(theirs.join("data.parquet"), b"not karte's").unwrap();
    let engine = LocalEngine::open(dir, "target/lake").unwrap();
    let q = "select state from karte_catalog.entries where schema_name = 'bronze' and table_name = 'claims'";
    let mut state: serde_json::Value =
        serde_json::from_str(engine.query_text(q).unwrap().1[0][0].as_deref().unwrap()).unwrap();
    state["owned_prefix"] = serde_json::json!("target/lake/bronze/");
    state["partitions"][1]["location"] = serde_json::json!("target/lake/bronze/other_team/keep/");
    engine
        .with_conn(|c| {
            c.execute(
                "update karte_catalog.entries set state = ? where schema_name = 'bronze' and table_name = 'claims'",
                [state.to_string()],
            )
            .map_err(|e| karte::engine::EngineError::internal(e.to_string()))
        })
        .unwrap();
    drop(engine);
    // A corrected delivery of that partition would delete its old location.
    write_file(
        d.path(),
        Path::new("claims/RECEIPTC_06139999_201901.zip"),
        &zip(&[("1310001/RECEIPTC.UKE", uke("1310001", 3))]),
    );
    let (code, out) = ingest(dir, d.path(), &[]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("refusing to delete"), "{out}");
    assert!(
        theirs.join("data.parquet").exists(),
        "another team's data is never deleted"
    );
}

#[test]
fn source_freshness_from_the_ingest_manifest_and_loaded_at_fields() {
    // `labs` must have a delivery within a day (it gets one now); `dpc` within a minute of a
    // delivery it never gets; declared sources over a seed whose rows were loaded long ago.
    let spec = RULES
        .replace(
            "  - name: members\n",
            "    freshness: { error_after: { count: 1, period: day } }\n  - name: dpc\n    files: \"dpc/{facility}.csv\"\n    columns: [a]\n    freshness: { warn_after: { count: 1, period: minute } }\n  - name: members\n",
        )
        .replace("  silver: silver\n", "  silver: silver\n  seeds: raw\n")
        + "=== seeds/loads.csv\nid,loaded_at\n1,2020-01-01 00:00:00\n2,2020-01-02 06:00:00\n=== seeds/loads.yml\nseeds:\n  - name: loads\n    config: { column_types: { id: integer, loaded_at: timestamp } }\n=== models/sources.yml\nsources:\n  - name: old\n    schema: raw\n    loaded_at_field: loaded_at\n    freshness: { warn_after: { count: 12, period: hour } }\n    tables:\n      - name: loads\n      - name: strict\n        identifier: loads\n        freshness: { error_after: { count: 30, period: day } }\n  - name: other\n    schema: raw\n    tables:\n      - name: no_field\n        identifier: loads\n        freshness: { warn_after: { count: 1, period: day } }\n";
    let dir = project_from_spec(&spec);
    let d = deliveries();
    let (code, out) = ingest(dir.path(), d.path(), &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out, err) = karte(dir.path(), &["build", "--select", "loads"]);
    assert_eq!(code, 0, "{out}{err}");

    let (code, out, err) = karte(dir.path(), &["source", "freshness"]);
    assert_eq!(code, 1, "an error_after is exceeded\n{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ok    bronze.labs  newest ")
                && l.ends_with("by ingest manifest)")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ERROR bronze.dpc  no delivery")),
        "{out}"
    );
    assert!(
        lines.iter().any(
            |l| l.starts_with("WARN  old.loads  newest 2020-01-02T06:00:00Z (")
                && l.ends_with("by max(loaded_at))")
        ),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ERROR old.strict  newest 2020-01-02T06:00:00Z")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ERROR other.no_field  no `loaded_at_field`")),
        "{out}"
    );

    let written: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("target/sources.json")).unwrap(),
    )
    .unwrap();
    let status: Vec<(String, String)> = written["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().into(),
                r["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        status,
        [
            ("bronze.dpc".to_string(), "runtime_error".to_string()),
            ("bronze.labs".into(), "pass".into()),
            ("old.loads".into(), "warn".into()),
            ("old.strict".into(), "error".into()),
            ("other.no_field".into(), "runtime_error".into()),
        ]
    );
}

#[test]
fn tests_on_ingest_columns_run_before_the_models_that_read_the_table() {
    let spec = RULES.replace(
        "      - { name: patient_id, header: 患者ID }\n      - { name: test_name, header: 検査名 }\n",
        "      - { name: patient_id, header: 患者ID, tests: [not_null, unique] }\n      - { name: test_name, header: 検査名, tests: [{accepted_values: {values: ['ＨｂＡ１ｃ']}}] }\n",
    ) + "=== models/silver/lab_results.sql\nselect patient_id, result from bronze.labs\n";
    assert!(
        spec.contains("tests: [not_null, unique]"),
        "the rule changed: {spec}"
    );
    let dir = project_from_spec(&spec);
    let d = deliveries();
    let (code, out) = ingest(dir.path(), d.path(), &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out, err) = karte(dir.path(), &["build", "--select", "lab_results"]);
    assert_eq!(code, 1, "one accepted_values test fails\n{out}{err}");
    let results = crate::support::run_results(dir.path());
    let status = |name: &str| crate::support::status_of(&results, name);
    assert_eq!(status("source_not_null_bronze_labs_patient_id"), "pass");
    assert_eq!(status("source_unique_bronze_labs_patient_id"), "pass");
    assert_eq!(
        status("source_accepted_values_bronze_labs_test_name"),
        "fail"
    );
    assert_eq!(status("lab_results"), "skipped");
}
