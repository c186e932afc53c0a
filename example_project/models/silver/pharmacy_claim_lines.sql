-- 調剤レセプトの全レコードに、属する RE 行と薬局を付ける (medical_claim_lines と同じ考え方)。
-- 薬局コードはファイル先頭の YK レコードの 4 列目。
-- (テーブルは作らない: _silver.yml で ephemeral。読むモデルの中に CTE として入る)
select
    _source_file,
    _line,
    billing_month,
    c0 as record_type,
    c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11,
    c12, c13, c14,
    max(case when c0 = 'RE' then _line end) over (
        partition by billing_month, _source_file
        order by _line
        rows between unbounded preceding and current row
    ) as re_line,
    max(case when c0 = 'YK' then c4 end) over (partition by billing_month, _source_file) as pharmacy_code
from bronze.pharmacy_claims
