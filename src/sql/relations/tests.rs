//! Tests of [`analyze_sql`](super::analyze_sql): both paths (syntax tree and token scan), spans,
//! statement counts, error offsets, odd inputs and a corpus of Athena queries.

use super::positions::split_location;
use super::*;

/// The relations of `sql` as dotted strings, asserting each span covers the written name.
fn rels(sql: &str) -> Vec<String> {
    let analysis = analyze_sql(sql);
    analysis
        .relations
        .iter()
        .map(|r| {
            let written = &sql[r.span.clone()];
            let unquoted: String = written
                .chars()
                .filter(|c| !matches!(c, '"' | '`'))
                .collect();
            assert_eq!(
                unquoted.to_lowercase(),
                r.parts.join(".").to_lowercase(),
                "span {:?} of {:?} in {sql:?}",
                r.span,
                r.parts
            );
            r.parts.join(".")
        })
        .collect()
}

fn parses(sql: &str) -> SqlAnalysis {
    let analysis = analyze_sql(sql);
    assert_eq!(analysis.parse_error, None, "{sql}");
    analysis
}

fn falls_back(sql: &str) -> SqlAnalysis {
    let analysis = analyze_sql(sql);
    assert!(
        analysis.parse_error.is_some(),
        "expected a parse error: {sql}"
    );
    analysis
}

#[test]
fn plain_and_qualified_names() {
    let sql = "select * from receipts";
    parses(sql);
    assert_eq!(rels(sql), ["receipts"]);
    let sql =
        "select r.* from silver.receipts r join awsdatacatalog.silver.patients p on r.pid = p.id";
    parses(sql);
    assert_eq!(
        rels(sql),
        ["silver.receipts", "awsdatacatalog.silver.patients"]
    );
    let a = analyze_sql(sql);
    assert_eq!(
        a.relations[1].parts,
        ["awsdatacatalog", "silver", "patients"]
    );
    assert_eq!(
        &sql[a.relations[1].span.clone()],
        "awsdatacatalog.silver.patients"
    );
    assert!(a.is_query);
    assert_eq!(a.statement_count, 1);
}

#[test]
fn quoted_names_span_includes_quotes() {
    let sql = "select * from \"Silver\".\"receipts\" join `gold`.x on true";
    let a = parses(sql);
    assert_eq!(a.relations[0].parts, ["Silver", "receipts"]);
    assert_eq!(&sql[a.relations[0].span.clone()], "\"Silver\".\"receipts\"");
    assert_eq!(&sql[a.relations[1].span.clone()], "`gold`.x");
    let sql = "select * from silver.\"受診 履歴\"";
    let a = parses(sql);
    assert_eq!(&sql[a.relations[0].span.clone()], "silver.\"受診 履歴\"");
    assert_eq!(a.relations[0].parts, ["silver", "受診 履歴"]);
}

#[test]
fn joins_subqueries_and_nesting() {
    let sql = "select a.x, (select max(y) from s.scalar_t) as m
        from s.a a
        left join (select * from s.b where exists (select 1 from s.c where c.id = b.id)) b
          on a.id = b.id
        cross join lateral (select * from s.d where d.id = a.id) d
        where a.id in (select id from s.e)
        union all
        select x, 1 from s.f, s.g";
    parses(sql);
    assert_eq!(
        rels(sql),
        [
            "s.scalar_t",
            "s.a",
            "s.b",
            "s.c",
            "s.d",
            "s.e",
            "s.f",
            "s.g"
        ]
    );
}

#[test]
fn table_functions_and_unnest_are_not_relations() {
    let sql = "select * from s.t cross join unnest(t.xs) with ordinality as u(x, n)
               , unnest(array[1, 2]) as v(y)";
    parses(sql);
    assert_eq!(rels(sql), ["s.t"]);
    let sql = "select * from table(sequence(1, 3)) as t(x) join s.u on true";
    let a = analyze_sql(sql);
    assert_eq!(rels(sql), ["s.u"], "{:?}", a.parse_error);
    let sql = "select unnest, transform(xs, x -> x) from s.t";
    parses(sql);
    assert_eq!(rels(sql), ["s.t"]);
}

#[test]
fn cte_shadowing() {
    let sql = "with receipts as (select * from silver.receipts) select * from receipts";
    let a = parses(sql);
    assert_eq!(rels(sql), ["silver.receipts"]);
    assert_eq!(a.ctes, ["receipts"]);
    assert!(a.is_query);

    // Nested WITH inside a CTE body, referenced from the outer query; case-insensitive.
    let sql = "with a as (with b as (select * from raw.b) select * from B),
                    c (x) as (select x from a join raw.c on true)
               select * from c join A on true join receipts on true";
    let a = parses(sql);
    assert_eq!(rels(sql), ["raw.b", "raw.c", "receipts"]);
    assert_eq!(a.ctes, ["a", "b", "c"]);

    // A CTE named like a model shadows the model; a qualified name is never a CTE.
    let sql = "with orders as (select * from staging.orders) select * from orders o \
               join staging.orders s on o.id = s.id";
    parses(sql);
    assert_eq!(rels(sql), ["staging.orders", "staging.orders"]);
}

#[test]
fn cte_shadowing_in_fallback() {
    let sql = "with recursive receipts as (select cast(x as array(varchar)) from silver.receipts for timestamp as of 1 x),
               t2 (a, b) as (select * from receipts)
               select * from receipts, t2, gold.z";
    let a = analyze_sql(sql);
    assert_eq!(
        rels(sql),
        ["silver.receipts", "gold.z"],
        "{:?}",
        a.parse_error
    );
    assert_eq!(a.ctes, ["receipts", "t2"]);
    assert!(a.is_query);
}

#[test]
fn lambdas_parse() {
    let sql = "select transform(xs, x -> x * 2) from silver.t";
    parses(sql);
    assert_eq!(rels(sql), ["silver.t"]);
    parses("select zip_with(a, b, (x, y) -> x + y), reduce(xs, 0, (s, x) -> s + x, s -> s) from t");
}

#[test]
fn trino_casts_and_time_travel_parse() {
    let sql = "select cast(x as array(varchar)), cast(m as map(varchar, row(a int, b double)))
               from silver.t";
    parses(sql);
    assert_eq!(rels(sql), ["silver.t"]);
    let sql = "select * from silver.t for timestamp as of timestamp '2024-01-01 00:00:00 UTC' a
               join silver.u for version as of 949530903748831860 b on a.id = b.id";
    parses(sql);
    assert_eq!(rels(sql), ["silver.t", "silver.u"]);
}

#[test]
fn unparseable_falls_back_to_tokens() {
    // A doubled comma makes the parser fail; the token scan still finds the relations.
    let sql = "select a,, b from silver.receipts r join \"gold\".\"p\" p on r.id = p.id, gold.q\n\
               where r.x in (select y from silver.s)";
    let a = falls_back(sql);
    assert_eq!(
        rels(sql),
        ["silver.receipts", "gold.p", "gold.q", "silver.s"]
    );
    assert_eq!(&sql[a.relations[1].span.clone()], "\"gold\".\"p\"");
    assert!(a.is_query);
    let e = a.parse_error.unwrap();
    assert!(!e.message.contains("Line:"), "{}", e.message);
    assert_eq!(&sql[e.offset..e.offset + 1], ",");
}

#[test]
fn fallback_ignores_from_inside_functions() {
    let sql = "select extract(year from d), substring(x from 2 for 3), trim(both ' ' from x),
                      position('a' in s), a is distinct from b, ,
               from silver.t, (select 1 from silver.u) u, unnest(xs) as v(x)
               where d is not distinct from e
               group by 1, 2";
    falls_back(sql);
    assert_eq!(rels(sql), ["silver.t", "silver.u"]);
    // Parenthesised joins.
    let sql =
        "select ,, from (silver.a join silver.b on true) join (select * from silver.c) c on true";
    falls_back(sql);
    assert_eq!(rels(sql), ["silver.a", "silver.b", "silver.c"]);
}

#[test]
fn statements_and_trailing_semicolons() {
    let a = parses("select 1;");
    assert_eq!((a.statement_count, a.second_statement_at), (1, None));
    let a = parses("select 1;\n-- done\n  /* really */ ;;\n");
    assert_eq!((a.statement_count, a.second_statement_at), (1, None));
    let sql = "select 1; -- first\nselect 2 from t;";
    let a = parses(sql);
    assert_eq!(a.statement_count, 2);
    assert_eq!(&sql[a.second_statement_at.unwrap()..], "select 2 from t;");
    let sql = "select 1;\n drop table x; ";
    let a = analyze_sql(sql);
    assert_eq!(a.statement_count, 2);
    assert_eq!(&sql[a.second_statement_at.unwrap()..], "drop table x; ");
    // Counted from tokens even when parsing fails; `;` inside parentheses does not split.
    let sql = "select f(1;2) from t; selec 2";
    let a = falls_back(sql);
    assert_eq!(a.statement_count, 2);
    assert_eq!(&sql[a.second_statement_at.unwrap()..], "selec 2");
    let a = analyze_sql("");
    assert_eq!((a.statement_count, a.is_query), (0, false));
    let a = analyze_sql("-- nothing\n/* here */");
    assert_eq!((a.statement_count, a.parse_error), (0, None));
}

#[test]
fn queries_and_non_queries() {
    assert!(parses("values (1, 'a'), (2, 'b')").is_query);
    assert!(parses("(select 1) union (select 2)").is_query);
    assert!(parses("select 1 except select 2").is_query);
    let a = parses("insert into gold.t select * from silver.s");
    assert!(!a.is_query);
    assert_eq!(
        rels("insert into gold.t select * from silver.s"),
        ["silver.s"]
    );
    assert!(!parses("drop table gold.t").is_query);
    assert!(!parses("with a as (select 1) insert into gold.t select * from a").is_query);
    assert!(!parses("delete from gold.t where x = 1").is_query);
    assert!(!parses("create table gold.t as select * from silver.s").is_query);
    assert!(!analyze_sql("insert into gold.t select ,,").is_query);
    assert!(falls_back("with a as (select 1) select ,,").is_query);
    assert!(falls_back("(select ,,)").is_query);
}

#[test]
fn crlf_and_multibyte_spans() {
    let sql = "-- 患者ごとの集計（月次）\r\nselect '（株）' as 会社, 患者id\r\nfrom\r\n  silver.\"受診\"\r\n  join gold.x on true\r\n";
    let a = parses(sql);
    assert_eq!(rels(sql), ["silver.受診", "gold.x"]);
    assert_eq!(&sql[a.relations[0].span.clone()], "silver.\"受診\"");
    // The same in the fallback path.
    let bad = sql.replace("as 会社", "as 会社,,");
    let a = falls_back(&bad);
    assert_eq!(rels(&bad), ["silver.受診", "gold.x"]);
    assert_eq!(&bad[a.relations[1].span.clone()], "gold.x");
}

#[test]
fn unicode_spaces_are_whitespace() {
    // The tokenizer treats every Unicode space as whitespace (hygiene reports them).
    let sql = "select *\u{3000}from\u{3000}silver.t\u{a0}join gold.u on true";
    parses(sql);
    assert_eq!(rels(sql), ["silver.t", "gold.u"]);
    // Full-width parentheses are not SQL: the scan still finds the relation.
    let sql = "select count（*） from silver.t";
    falls_back(sql);
    assert_eq!(rels(sql), ["silver.t"]);
}

#[test]
fn error_offsets_are_byte_offsets() {
    let sql = "select '患者', 1 +\nfrom 受診 where )";
    let a = falls_back(sql);
    let e = a.parse_error.unwrap();
    assert!(sql.is_char_boundary(e.offset));
    assert_eq!(rels(sql), ["受診"]);
    // Unterminated string: tokenizer error, no relations.
    let sql = "select * from silver.t where x = '患者";
    let a = falls_back(sql);
    let e = a.parse_error.unwrap();
    assert_eq!(e.offset, sql.find('\'').unwrap());
    assert!(a.relations.is_empty());
    assert_eq!(a.statement_count, 1);
    assert!(a.is_query);
    let a = falls_back("select 1; '");
    assert_eq!(a.statement_count, 2);
}

#[test]
fn odd_inputs_do_not_panic() {
    let deep = format!("select {}1{} from t", "(".repeat(500), ")".repeat(500));
    let inputs = [
        "",
        " ",
        ";",
        ";;;",
        "--",
        "/*",
        "/* unterminated comment",
        "'",
        "\"",
        "`",
        "select \"unterminated",
        "from",
        "from .",
        "join",
        "select * from",
        "select * from a.",
        "select * from a..b",
        "with",
        "with a",
        "with a as",
        "with a as (",
        "with a(",
        ")))",
        "(((",
        "select 患者 from 受診",
        "select ＊ from ｔ",
        "select \u{0} from t",
        "\u{feff}select 1",
        "select 1 from t for timestamp as of",
        "for timestamp as of",
        "select * from t for",
        deep.as_str(),
    ];
    for sql in inputs {
        let a = analyze_sql(sql);
        for r in &a.relations {
            assert!(
                r.span.start <= r.span.end && r.span.end <= sql.len(),
                "{sql:?}"
            );
            assert!(sql.is_char_boundary(r.span.start) && sql.is_char_boundary(r.span.end));
        }
        if let Some(e) = &a.parse_error {
            assert!(
                e.offset <= sql.len() && sql.is_char_boundary(e.offset),
                "{sql:?}"
            );
        }
        if let Some(s) = a.second_statement_at {
            assert!(s <= sql.len());
        }
    }
}

/// Random concatenations of SQL-ish fragments (deterministic): nothing panics, and every
/// offset is in range and on a character boundary.
#[test]
fn fuzz_fragments() {
    const FRAGMENTS: &[&str] = &[
        "select",
        "from",
        "join",
        "with",
        "recursive",
        "as",
        "on",
        "where",
        "values",
        "(",
        ")",
        ",",
        ".",
        ";",
        "'",
        "''",
        "\"",
        "`",
        "--",
        "/*",
        "*/",
        "\n",
        "\r\n",
        " ",
        "x",
        "silver.t",
        "\"Q\"",
        "患者",
        "（",
        "\u{3000}",
        "{{",
        "}}",
        "{%",
        "#}",
        "->",
        "=>",
        "cast(x as array(",
        "for timestamp as of",
        "extract(year from d)",
        "unnest(",
        "1",
        "[",
        "]",
        "?",
        "$",
        "\\",
        "e'",
        "u&'",
        "x'",
        "is distinct from",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let len = (next() % 24) as usize;
        let sql: String = (0..len)
            .map(|_| FRAGMENTS[(next() % FRAGMENTS.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(if next() % 2 == 0 { " " } else { "" });
        let a = analyze_sql(&sql);
        let ok = |o: usize| o <= sql.len() && sql.is_char_boundary(o);
        for r in &a.relations {
            assert!(
                ok(r.span.start) && ok(r.span.end) && r.span.start <= r.span.end,
                "{sql:?}"
            );
        }
        assert!(
            a.parse_error.as_ref().is_none_or(|e| ok(e.offset)),
            "{sql:?}"
        );
        assert!(a.second_statement_at.is_none_or(ok), "{sql:?}");
        assert_eq!(
            a.second_statement_at.is_some(),
            a.statement_count > 1,
            "{sql:?}"
        );
        for c in crate::sql::find_suspicious_chars(&sql) {
            assert!(ok(c.span.start) && ok(c.span.end), "{sql:?}");
        }
    }
}

#[test]
fn split_location_parses_suffix() {
    assert_eq!(
        split_location("Expected: x, found: y at Line: 3, Column: 14"),
        Some(("Expected: x, found: y", 3, 14))
    );
    assert_eq!(split_location("no location"), None);
}

/// Trino syntax that sqlparser 0.63 cannot parse even with [`AthenaDialect`] (listed in the
/// dialect's documentation): the analysis falls back to the token scan and still finds the
/// relations. If one of these starts parsing after an upgrade, move it to the corpus below.
#[test]
fn known_unparsed_constructs_fall_back() {
    let known = [
        "select x from silver.t cross join (values 1, 2, 3) as v(n)",
        "select * from silver.t where x = any (values 1, 2)",
        "select json_query(j, 'lax $.a' with array wrapper) from silver.t",
        "select json_object(key 'a' value x), json_array(1, 2) from silver.t",
        "select trim(both from x) from silver.t",
        "select a, count(*) from silver.t group by distinct a",
        "select cast(x as interval day to second) from silver.t",
    ];
    for sql in known {
        falls_back(sql);
        assert_eq!(rels(sql), ["silver.t"], "{sql}");
    }
}

/// Realistic Athena queries that must parse (not fall back).
#[test]
fn athena_corpus_parses() {
    let corpus = [
        r#"
            -- 月次の受診集計
            with visits as (
                select patient_id, date_trunc('month', visit_at) as month, count(*) as n
                from silver.visits
                where visit_at >= date '2024-01-01' and visit_at < current_date - interval '1' day
                group by 1, 2
            )
            select month, approx_percentile(n, 0.5) as median_visits,
                   approx_percentile(n, array[0.25, 0.75]) as quartiles,
                   count(distinct patient_id) filter (where n > 1) as repeaters
            from visits
            group by 1
            order by month desc nulls last
            limit 100
            "#,
        r#"
            select p.id, t.code, t.idx,
                   row_number() over (partition by p.id order by t.idx) as rn,
                   lag(t.code) over (partition by p.id order by t.idx) as prev_code,
                   sum(t.amount) over (partition by p.id order by t.idx
                                       rows between unbounded preceding and current row) as running
            from silver.prescriptions p
            cross join unnest(p.codes, p.amounts) with ordinality as t(code, amount, idx)
            "#,
        r#"
            select regexp_extract(note, '(\d{4})-(\d{2})', 1) as yyyy,
                   regexp_like(note, '^[A-Z]+$') as upper_only,
                   regexp_replace(name, '\s+', ' ') as clean_name,
                   element_at(attrs, 'sex') as sex,
                   attrs['age'] as age,
                   map_keys(attrs), map_values(attrs),
                   map(array['a', 'b'], array[1, 2]) as m,
                   cardinality(filter(tags, x -> x like 'icd10:%')) as n_icd,
                   array_join(array_distinct(tags), ','),
                   transform(tags, t -> upper(t)),
                   contains(tags, 'urgent'),
                   json_extract_scalar(payload, '$.patient.id') as pid,
                   try(cast(json_extract(payload, '$.items') as array(map(varchar, json)))) as items,
                   coalesce(nullif(trim(kana), ''), '不明') as kana,
                   if(age >= 65, 'senior', 'adult') as bucket,
                   case when sex = 'M' then 1 when sex = 'F' then 2 else 0 end as sex_code,
                   "$path" as source_file
            from bronze.raw_events
            where dt between '2024-01-01' and '2024-12-31'
              and regexp_like(code, '^[0-9]+$')
            "#,
        r#"
            select from_iso8601_timestamp(ts) at time zone 'Asia/Tokyo' as ts_jst,
                   date_format(ts_utc, '%Y-%m-%d %H:%i:%s') as s,
                   date_parse(s, '%Y%m%d') as d,
                   date_diff('day', admitted, discharged) as los,
                   date_add('month', -1, date_trunc('month', current_date)) as prev_month,
                   format_datetime(ts_utc, 'yyyy-MM-dd'),
                   extract(year from admitted) as y,
                   day_of_week(admitted), year(admitted), with_timezone(ts_utc, 'UTC'),
                   timestamp '2024-01-01 00:00:00' + interval '9' hour,
                   cast(admitted as date), try_cast(age as integer), cast(fee as decimal(12, 2)),
                   current_timestamp, now(), localtimestamp
            from silver.admissions
            "#,
        r#"
            select department, max_by(doctor, cases) as top_doctor, min_by(doctor, cases),
                   array_agg(doctor order by cases desc) as ranking,
                   listagg(doctor, ', ') within group (order by doctor) as doctors,
                   histogram(sex), map_agg(doctor, cases), arbitrary(ward),
                   bool_or(emergency), approx_distinct(patient_id), stddev_samp(cases),
                   greatest(a, b), least(a, b), round(avg(cases), 2)
            from gold.department_stats
            group by grouping sets ((department), ())
            having count(*) > 1
            order by 2 desc, 1 asc nulls first
            offset 10 rows
            limit 50
            "#,
        r#"
            select *
            from silver.a a
            left join silver.b b using (id)
            full outer join silver.c c on a.id = c.id and c.kind in ('x', 'y')
            where not exists (select 1 from silver.d d where d.id = a.id)
              and a.name like '%山田%' escape '\'
              and a.x is distinct from b.x
              and a.flag is not null
            union
            select * from silver.e
            intersect
            select * from (values (1, 'a'), (2, 'b')) as v(id, name)
            "#,
        r#"
            select id, first_value(x) ignore nulls over w, nth_value(x, 2) over w,
                   avg(x) over (partition by id order by ts range between interval '7' day preceding and current row)
            from silver.t tablesample bernoulli (10)
            window w as (partition by id order by ts)
            "#,
        r#"
            with recursive r(n) as (select 1 union all select n + 1 from r where n < 10)
            select n, row(n, 'x') as pair, cast(row(n, 'x') as row(num integer, label varchar)),
                   sequence(date '2024-01-01', date '2024-01-31', interval '1' day) as days,
                   x'00ff' as bin, u&'\3042' as hira, 1e3, 0.5, -1
            from r cross join silver.calendar
            "#,
        r#"
            select patient_id, 診療科, count(*) as 件数
            from "awsdatacatalog"."silver"."受診履歴"
            where 診療科 <> '内科' and kubun in ('1', '2')
            group by patient_id, 診療科
            order by 件数 desc
            "#,
        "select * from silver.t order by id fetch first 10 rows only",
        "select a || b || 'c', a % 2, -a, not a, a <> b, a != b from t",
        "select count(*) from t where dt = '2024-01-01' and hour between 0 and 23",
    ];
    for sql in corpus {
        let a = analyze_sql(sql);
        assert_eq!(a.parse_error, None, "{sql}");
        assert!(!a.relations.is_empty(), "{sql}");
        assert!(a.is_query);
    }
}
