//! Unit tests: statement kinds read from Hive DDL and Athena CTAS, the lake root, and no panic
//! on any truncation of the test corpus.

use std::path::PathBuf;

use super::convert::convert;
use super::statement::{classify, Kind, Value};
use super::write::{common_root, Existing};
use super::{split, Lang, NotConverted, Script};

fn script(text: &str) -> Script {
    Script::new(PathBuf::from("t.sql"), text.to_string())
}

fn kinds(text: &str) -> Vec<Kind> {
    let s = script(text);
    split::split(0, &s)
        .unwrap()
        .iter()
        .map(|st| classify(st, text).unwrap())
        .collect()
}

#[test]
fn ctas_properties_and_query_span() {
    let text = "-- head\nCREATE TABLE db.t WITH (format = 'ORC', bucket_count = 8, partitioned_by = ARRAY['m', 'd']) AS\n-- inside\nSELECT 1 AS a, 'x;y' AS b; -- after\n";
    let ks = kinds(text);
    assert_eq!(ks.len(), 1);
    let Kind::Ctas { name, props, query } = &ks[0] else {
        panic!("{:?}", ks[0])
    };
    assert_eq!(name.display(), "db.t");
    assert_eq!(props[0].value, Value::Str("ORC".into()));
    assert_eq!(props[1].value, Value::Num("8".into()));
    assert_eq!(props[2].value, Value::Array(vec!["m".into(), "d".into()]));
    assert_eq!(&text[query.clone()], "-- inside\nSELECT 1 AS a, 'x;y' AS b");
}

#[test]
fn hive_external_table_ddl() {
    let text = "CREATE EXTERNAL TABLE IF NOT EXISTS `raw`.`t` (\n a string COMMENT '番号',\n b array<struct<k:string,v:map<string,int>>>,\n c decimal(10, 2)\n) PARTITIONED BY (ym string)\nROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'\nSTORED AS TEXTFILE\nLOCATION 's3://b/raw/t/'\nTBLPROPERTIES ('skip.header.line.count'='1')";
    let ks = kinds(text);
    let Kind::External { name, ddl } = &ks[0] else {
        panic!("{:?}", ks[0])
    };
    assert_eq!(name.display(), "raw.t");
    let cols: Vec<(&str, &str)> = ddl
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.data_type.as_str()))
        .collect();
    assert_eq!(
        cols,
        [
            ("a", "string"),
            ("b", "array<struct<k:string,v:map<string,int>>>"),
            ("c", "decimal(10, 2)")
        ]
    );
    assert_eq!(ddl.columns[0].comment.as_deref(), Some("番号"));
    assert_eq!(ddl.partitioned_by[0].name, "ym");
    assert_eq!(ddl.delimiter.as_deref(), Some("\\t"));
    assert_eq!(ddl.format.as_deref(), Some("textfile"));
    assert_eq!(ddl.location.as_deref(), Some("s3://b/raw/t/"));
    assert_eq!(ddl.properties[0].key, "skip.header.line.count");
}

#[test]
fn statements_karte_does_not_convert() {
    let ks = kinds("MSCK REPAIR TABLE a; UNLOAD (SELECT 1) TO 's3://x/' WITH (format = 'PARQUET'); SELECT {{ x }}; VACUUM t; INSERT INTO t VALUES (1)");
    let reasons: Vec<NotConverted> = ks
        .into_iter()
        .map(|k| match k {
            Kind::Other(r) => r,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        reasons,
        [
            NotConverted::MsckRepair,
            NotConverted::Unload,
            NotConverted::Template,
            NotConverted::Maintenance("VACUUM".into()),
            NotConverted::InsertValues,
        ]
    );
}

#[test]
fn lake_root_is_the_deepest_common_prefix() {
    let root = |ls: &[&str]| common_root(ls.iter().copied());
    assert_eq!(
        root(&["s3://b/lake/mart/a/", "s3://b/lake/mart/b"]),
        Some("s3://b/lake/mart/".into())
    );
    assert_eq!(
        root(&["s3://b/lake/mart/a/"]),
        Some("s3://b/lake/mart/".into())
    );
    // Never a bucket root, never across buckets.
    assert_eq!(root(&["s3://b/a/", "s3://b/c/"]), None);
    assert_eq!(root(&["s3://b/x/a/", "s3://c/x/b/"]), None);
    assert_eq!(root(&["s3://b/a/"]), None);
}

/// Every prefix of every script of the corpus (cut at any character) is converted or refused
/// with a diagnostic: never a panic.
#[test]
fn no_panic_on_any_truncation_of_the_corpus() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/import_sql/medical"
    );
    let mut texts = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    texts.sort();
    for text in texts {
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for &cut in &cuts {
            let s = script(&text[..cut]);
            let _ = convert(vec![s], "silver", &Existing::default(), true, Lang::En);
        }
    }
}
