//! The built-in macros for Japanese medical data (templates/macros/medical.sql), built on the
//! local engine over messy inputs. Every expected value is the one Athena gives for the same
//! SQL: the local engine runs it with Trino's semantics.

use std::path::Path;
use std::process::Command;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::support::{compile_dir, karte_env, project_from_spec, rendered, rows};

/// Two salts with a quote, a backslash and Japanese in them.
const SALT: &str = "s'3cr\\et-ソルト-Qz7";
const SITE_SALT: &str = "site-salt-Xk2";

const PROJECT: &str = r#"
=== karte.yml
name: macros
layers:
  silver: silver
secrets: [PSEUDONYM_SALT, SITE_SALT]
targets:
  local: { type: local }
  athena: { type: athena, lake_root: 's3://b/lake/' }
=== seeds/raw/texts.csv
id,val
t01,ＡＢＣ　１２３
t02,ｶﾞﾝ ｾﾝﾀｰ
t03,10〜20
t04,10～20
t05,1‐2‑3‒4–5—6―7−8－9
t06,コーヒー
t07,"　  前後の空白　 "
t08,a   b　　c
t09,
t10,ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ ｳﾞｧ ﾜﾞ
t11,①㎎㍻
t12,it's ~ \ ¥
t13,ガギグゲゴ パピプペポ ヴ アイウ ヰヵ がぎ 漢字
t14,ｱｲｳ｡｢ﾃｽﾄ｣､･ｰ
t15,ﾞﾟ
t16,（株）ＡＢ－１２３　＃５
=== seeds/raw/dates.csv
id,code
d01,4310430
d02,5010501
d03,3640107
d04,4010108
d05,1010101
d06,2150730
d07,20240229
d08,20230229
d09,4310431
d10,5000101
d11,6010101
d12,431043
d13,４３１０４３０
d14," 20190501 "
d15,
d16,H310430
d17,2019-04-30
d18,00010101
d19,4311301
d20,3631232
d21,5060229
d22,5070229
d23,4120229
d24,1450730
d25,4310501
d26,3640108
=== seeds/raw/labs.csv
id,val
l01,5.6
l02,<0.5
l03,≧10
l04,１２．３
l05,"1,234"
l06,-
l07,(-)
l08,±
l09,+
l10,++
l11,+++
l12,(+)
l13,陰性
l14,陽性
l15,弱陽性
l16,
l17,＜０．５
l18,≦ 3
l19,0.5未満
l20,100以上
l21,-2.3
l22,"12,34"
l23,5.6H
l24,（－）
l25,（ー）
l26,.5
l27,>=7
l28,( + )
l29,<
l30,"1,234.5"
l31,4+
l32,+/-
l33,−1.5
l34,≤5
l35,≥ 1.0
l36,>100
l37,10超
l38,1.0以下
l39,<-1
l40,ｰ
l41,陰性(-)
l42,0
l43,１，２３４
l44,<0.5未満
=== seeds/raw/jlac.csv
id,code
j01,3A010000002327101
j02,3A010-0000-023-271-01
j03,３Ａ０１０　００００　０２３　２７１　０１
j04,3a010000002327101
j05,3A01000000232710
j06,3A0100000023271011
j07,
j08,3A010-0000-023-271-0!
j09,3A010−0000−023−271−01
j10," 3A010 0000 023 271 01 "
=== seeds/raw/ids.csv
id,pid,n
p1,P0001,1
p2,患者123,20
p3,,
=== seeds/raw/raw.yml
seeds:
  - name: ids
    config:
      column_types: {n: integer}
=== models/silver/m_text.sql
{{ config(materialized='table') }}
select id,
  {{ normalize_text('val') }} as norm,
  {{ to_zenkaku('val') }} as zen,
  {{ to_hankaku('val') }} as han
from raw.texts
=== models/silver/m_date.sql
{{ config(materialized='table') }}
select id, {{ wareki_to_date('code') }} as d from raw.dates
union all
select 'int', {{ wareki_to_date('5010501') }}
=== models/silver/m_lab.sql
{{ config(materialized='table') }}
select id, {{ parse_lab_value('val') }} from raw.labs
=== models/silver/m_lab_single.sql
{{ config(materialized='table') }}
select id,
  {{ lab_numeric('val') }} as v,
  {{ lab_comparator('val') }} as c,
  {{ lab_qualitative('val') }} as f,
  {{ parse_lab_value('val', prefix='hba1c') }}
from raw.labs
=== models/silver/m_jlac.sql
{{ config(materialized='table') }}
select id, {{ jlac10_parts('code') }} from raw.jlac
=== models/silver/m_pid.sql
{{ config(materialized='table') }}
select id,
  {{ pseudonymize('pid') }} as h,
  {{ pseudonymize('n') }} as hn,
  {{ pseudonymize('pid', salt_var='SITE_SALT') }} as h_site
from raw.ids
"#;

fn karte(dir: &Path, args: &[&str]) -> (i32, String, String) {
    karte_env(
        dir,
        args,
        &[("PSEUDONYM_SALT", SALT), ("SITE_SALT", SITE_SALT)],
    )
}

fn karte_ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = karte(dir, args);
    assert_eq!(
        code, 0,
        "karte {args:?} failed\nstdout:\n{out}\nstderr:\n{err}"
    );
    out
}

/// The project, built once per test (each test has its own directory).
fn built() -> tempfile::TempDir {
    let tmp = project_from_spec(PROJECT);
    karte_ok(tmp.path(), &["build", "--threads", "2"]);
    tmp
}

/// Compares a model's rows (ordered by id) with the expected ones, reporting every mismatch.
fn check(dir: &Path, sql: &str, expected: &[&[&str]]) {
    let got = rows(dir, sql);
    let mut problems = Vec::new();
    for (i, want) in expected.iter().enumerate() {
        let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        match got.get(i) {
            Some(g) if *g == want => {}
            Some(g) => problems.push(format!("expected {want:?}\n     got {g:?}")),
            None => problems.push(format!("missing {want:?}")),
        }
    }
    for extra in got.iter().skip(expected.len()) {
        problems.push(format!("unexpected {extra:?}"));
    }
    assert!(problems.is_empty(), "{sql}\n{}", problems.join("\n"));
}

fn hmac_hex(key: &str, value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(value.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn text_normalisation_and_width_conversion() {
    let tmp = built();
    check(
        tmp.path(),
        "select id, norm, zen, han from silver.m_text order by id",
        &[
            &["t01", "ABC 123", "ＡＢＣ　１２３", "ABC 123"],
            &["t02", "ガン センター", "ガン　センター", "ｶﾞﾝ ｾﾝﾀｰ"],
            // 〜 and ～ are one character after normalize_text: `~`.
            &["t03", "10~20", "１０〜２０", "10〜20"],
            &["t04", "10~20", "１０～２０", "10~20"],
            &[
                "t05",
                "1-2-3-4-5-6-7-8-9",
                "１‐２‑３‒４–５—６―７−８－９",
                "1‐2‑3‒4–5—6―7−8-9",
            ],
            // The long vowel mark is not a hyphen.
            &["t06", "コーヒー", "コーヒー", "ｺｰﾋｰ"],
            &[
                "t07",
                "前後の空白",
                "　　　前後の空白　　",
                "   前後の空白  ",
            ],
            &["t08", "a b c", "ａ　　　ｂ　　ｃ", "a   b  c"],
            &["t09", "NULL", "NULL", "NULL"],
            &[
                "t10",
                "パピプペポ ヴァ ヷ",
                "パピプペポ　ヴァ　ヷ",
                "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ ｳﾞｧ ﾜﾞ",
            ],
            // NFKC also spells out circled digits, unit and era ligatures.
            &["t11", "1mg平成", "①㎎㍻", "①㎎㍻"],
            &["t12", "it's ~ \\ ¥", "ｉｔ＇ｓ　～　＼　¥", "it's ~ \\ ¥"],
            &[
                "t13",
                "ガギグゲゴ パピプペポ ヴ アイウ ヰヵ がぎ 漢字",
                "ガギグゲゴ　パピプペポ　ヴ　アイウ　ヰヵ　がぎ　漢字",
                "ｶﾞｷﾞｸﾞｹﾞｺﾞ ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ ｳﾞ ｱｲｳ ヰヵ がぎ 漢字",
            ],
            &[
                "t14",
                "アイウ。「テスト」、・ー",
                "アイウ。「テスト」、・ー",
                "ｱｲｳ｡｢ﾃｽﾄ｣､･ｰ",
            ],
            // Lone sound marks: NFKC makes them combining marks, to_zenkaku the spacing ones.
            &["t15", "\u{3099}\u{309a}", "゛゜", "ﾞﾟ"],
            &[
                "t16",
                "(株)AB-123 #5",
                "（株）ＡＢ－１２３　＃５",
                "(株)AB-123 #5",
            ],
        ],
    );
}

#[test]
fn japanese_era_and_western_date_codes() {
    let tmp = built();
    let dir = tmp.path();
    check(
        dir,
        "select id, d from silver.m_date order by id",
        &[
            &["d01", "2019-04-30"], // 平成31年4月30日, the last day of Heisei
            &["d02", "2019-05-01"], // 令和1年5月1日, the first day of Reiwa
            &["d03", "1989-01-07"], // 昭和64年1月7日
            &["d04", "1989-01-08"], // 平成1年1月8日
            &["d05", "1868-01-01"], // 明治1年
            &["d06", "1926-07-30"], // 大正15年
            &["d07", "2024-02-29"],
            &["d08", "NULL"], // 2023 is not a leap year
            &["d09", "NULL"], // 4月31日
            &["d10", "NULL"], // year 00 of an era
            &["d11", "NULL"], // no era 6
            &["d12", "NULL"], // six digits
            &["d13", "2019-04-30"],
            &["d14", "2019-05-01"],
            &["d15", "NULL"],
            &["d16", "NULL"],
            &["d17", "NULL"],
            &["d18", "NULL"],
            &["d19", "NULL"],       // month 13
            &["d20", "NULL"],       // 12月32日
            &["d21", "2024-02-29"], // 令和6年
            &["d22", "NULL"],       // 令和7年 = 2025, not a leap year
            &["d23", "2000-02-29"], // 平成12年
            &["d24", "1912-07-30"], // 明治45年
            // The era is arithmetic, not checked against the era's dates.
            &["d25", "2019-05-01"], // 平成31年5月1日
            &["d26", "1989-01-08"], // 昭和64年1月8日
            &["int", "2019-05-01"], // an integer argument
        ],
    );
    assert_eq!(
        rows(dir, "select distinct typeof(d) from silver.m_date"),
        [["DATE"]]
    );
}

#[test]
fn lab_values_numeric_comparator_and_flag() {
    let tmp = built();
    let dir = tmp.path();
    let expected: &[&[&str]] = &[
        &["l01", "5.6", "NULL", "NULL"],
        &["l02", "0.5", "<", "NULL"],
        &["l03", "10.0", ">=", "NULL"],
        &["l04", "12.3", "NULL", "NULL"],
        &["l05", "1234.0", "NULL", "NULL"],
        &["l06", "NULL", "NULL", "-"],
        &["l07", "NULL", "NULL", "-"],
        &["l08", "NULL", "NULL", "+-"],
        &["l09", "NULL", "NULL", "1+"],
        &["l10", "NULL", "NULL", "2+"],
        &["l11", "NULL", "NULL", "3+"],
        &["l12", "NULL", "NULL", "1+"],
        &["l13", "NULL", "NULL", "-"],
        &["l14", "NULL", "NULL", "1+"],
        &["l15", "NULL", "NULL", "+-"],
        &["l16", "NULL", "NULL", "NULL"],
        &["l17", "0.5", "<", "NULL"],
        &["l18", "3.0", "<=", "NULL"],
        &["l19", "0.5", "<", "NULL"],
        &["l20", "100.0", ">=", "NULL"],
        &["l21", "-2.3", "NULL", "NULL"],
        &["l22", "NULL", "NULL", "NULL"], // not a thousands separator
        &["l23", "NULL", "NULL", "NULL"], // a flag after the number
        &["l24", "NULL", "NULL", "-"],
        &["l25", "NULL", "NULL", "-"], // ー typed for minus
        &["l26", "0.5", "NULL", "NULL"],
        &["l27", "7.0", ">=", "NULL"],
        &["l28", "NULL", "NULL", "1+"],
        &["l29", "NULL", "NULL", "NULL"],
        &["l30", "1234.5", "NULL", "NULL"],
        &["l31", "NULL", "NULL", "4+"],
        &["l32", "NULL", "NULL", "+-"],
        &["l33", "-1.5", "NULL", "NULL"], // U+2212 minus sign
        &["l34", "5.0", "<=", "NULL"],
        &["l35", "1.0", ">=", "NULL"],
        &["l36", "100.0", ">", "NULL"],
        &["l37", "10.0", ">", "NULL"],
        &["l38", "1.0", "<=", "NULL"],
        &["l39", "-1.0", "<", "NULL"],
        &["l40", "NULL", "NULL", "-"], // half-width ｰ
        &["l41", "NULL", "NULL", "NULL"],
        &["l42", "0.0", "NULL", "NULL"],
        &["l43", "1234.0", "NULL", "NULL"],
        &["l44", "0.5", "NULL", "NULL"], // a comparator on both sides
    ];
    check(
        dir,
        "select id, lab_value, lab_comparator, lab_flag from silver.m_lab order by id",
        expected,
    );
    // The single macros give the same, and parse_lab_value takes a column-name prefix.
    check(
        dir,
        "select id, v, c, f from silver.m_lab_single order by id",
        expected,
    );
    check(
        dir,
        "select id, hba1c_value, hba1c_comparator, hba1c_flag from silver.m_lab_single order by id",
        expected,
    );
    assert_eq!(
        rows(
            dir,
            "select distinct typeof(lab_value), typeof(lab_comparator), typeof(lab_flag) from silver.m_lab"
        ),
        [["DOUBLE", "VARCHAR", "VARCHAR"]]
    );
}

#[test]
fn jlac10_codes_split_into_five_parts() {
    let tmp = built();
    let whole = ["3A010", "0000", "023", "271", "01"];
    let none = ["NULL"; 5];
    let expected: Vec<Vec<&str>> = [
        ("j01", whole),
        ("j02", whole),
        ("j03", whole), // full-width, ideographic spaces
        ("j04", whole), // lower case
        ("j05", none),  // 16 characters
        ("j06", none),  // 18 characters
        ("j07", none),
        ("j08", none),  // not a letter or digit
        ("j09", whole), // minus signs
        ("j10", whole),
    ]
    .into_iter()
    .map(|(id, parts)| std::iter::once(id).chain(parts).collect())
    .collect();
    let expected: Vec<&[&str]> = expected.iter().map(Vec::as_slice).collect();
    check(
        tmp.path(),
        "select id, jlac10_analyte, jlac10_identification, jlac10_material, jlac10_method, jlac10_result from silver.m_jlac order by id",
        &expected,
    );
}

#[test]
fn pseudonyms_are_keyed_hashes_and_the_salt_is_never_written() {
    let tmp = built();
    let dir = tmp.path();
    let (p1, p2) = ("P0001", "患者123");
    check(
        dir,
        "select id, h, hn, h_site from silver.m_pid order by id",
        &[
            &[
                "p1",
                &hmac_hex(SALT, p1),
                &hmac_hex(SALT, "1"),
                &hmac_hex(SITE_SALT, p1),
            ],
            &[
                "p2",
                &hmac_hex(SALT, p2),
                &hmac_hex(SALT, "20"),
                &hmac_hex(SITE_SALT, p2),
            ],
            &["p3", "NULL", "NULL", "NULL"],
        ],
    );

    // Compiled SQL and the Athena plan hold the placeholder, never the salt.
    karte_ok(dir, &["compile"]);
    let compiled =
        std::fs::read_to_string(dir.join("target/compiled/models/silver/m_pid.sql")).unwrap();
    assert!(
        compiled.contains("to_utf8('{secret:PSEUDONYM_SALT}')")
            && compiled.contains("to_utf8('{secret:SITE_SALT}')"),
        "{compiled}"
    );
    let plan = karte_ok(dir, &["plan", "--target", "athena", "-o", "json"]);
    assert!(plan.contains("{secret:PSEUDONYM_SALT}"), "{plan}");
    for salt in [SALT, SITE_SALT] {
        assert!(!compiled.contains(salt) && !plan.contains(salt));
        // Nor any file the build left: lake, catalog, journal, run results, manifest.
        for entry in walkdir::WalkDir::new(dir.join("target")) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let bytes = std::fs::read(entry.path()).unwrap();
                assert!(
                    !bytes.windows(salt.len()).any(|w| w == salt.as_bytes()),
                    "{} contains the salt",
                    entry.path().display()
                );
            }
        }
    }
}

#[test]
fn a_build_without_the_salt_fails_and_says_which_variable() {
    let tmp = project_from_spec(PROJECT);
    let out = Command::new(env!("CARGO_BIN_EXE_karte"))
        .env("KARTE_LANG", "en")
        .args([
            "build",
            "--threads",
            "2",
            "--select",
            "+m_pid",
            "--project-dir",
        ])
        .arg(tmp.path())
        .env_remove("PSEUDONYM_SALT")
        .env("SITE_SALT", SITE_SALT)
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("PSEUDONYM_SALT"), "{all}");
}

#[test]
fn every_macro_compiles_for_athena() {
    let tmp = project_from_spec(PROJECT);
    let dir = tmp.path();
    karte_ok(dir, &["compile", "--target", "athena"]);
    let compiled = |m: &str| {
        std::fs::read_to_string(dir.join(format!("target/compiled/models/silver/{m}.sql"))).unwrap()
    };
    for m in [
        "m_text",
        "m_date",
        "m_lab",
        "m_lab_single",
        "m_jlac",
        "m_pid",
    ] {
        let sql = compiled(m);
        assert!(sql.contains("from awsdatacatalog.raw."), "{m}: {sql}");
        assert!(!sql.contains("{{") && !sql.contains("{%"), "{m}: {sql}");
    }
    assert!(compiled("m_text").contains("normalize(cast(val as varchar), NFKC)"));
    assert!(compiled("m_lab").contains(" as lab_value, "));
    assert!(compiled("m_jlac").contains(" as jlac10_result from awsdatacatalog.raw.jlac"));
}

#[test]
fn a_bad_salt_variable_name_is_a_template_error() {
    let tmp = project_from_spec(
        "=== models/silver/a.sql\nselect {{ pseudonymize('x', salt_var='my-salt') }} as h from (select 1 as x) t\n",
    );
    let Err(diags) = compile_dir(tmp.path()) else {
        panic!("a bad salt_var compiled")
    };
    let text = rendered(&diags);
    assert!(text.contains("error[E209]"), "{text}");
    assert!(
        text.contains("salt_var must name an environment variable"),
        "{text}"
    );
    assert!(text.contains("models/silver/a.sql"), "{text}");
}

#[test]
fn overriding_a_built_in_macro_keeps_the_others_usable() {
    // A project macro replaces `safe_divide` and itself calls `surrogate_key`, another macro of
    // the same built-in file: no circular import.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("models/silver")).unwrap();
    std::fs::create_dir_all(dir.join("macros")).unwrap();
    std::fs::write(
        dir.join("karte.yml"),
        "name: m\nlayers:\n  silver: silver\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("macros/mine.sql"),
        "{% macro safe_divide(a, b) %}(cast({{ a }} as double) / nullif({{ b }}, 0)) /* {{ surrogate_key(['x']) | length }} */{% endmacro %}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("models/silver/m.sql"),
        "select {{ safe_divide('1', '2') }} as r, {{ surrogate_key(['a']) }} as k from (select 'a' as a)\n",
    )
    .unwrap();
    let (code, out, err) = crate::support::karte(dir, &["compile"]);
    assert_eq!(code, 0, "{out}{err}");
}
