-- 医科レセプトの全レコードに、属する RE 行と請求した医療機関を付ける。
-- UKE の子レコード (HO, SY, SI, IY …) はレセプトのキーを持たず、直前の RE に属する。
-- そこで同じファイル (_source_file) の中で _line 順に、直前の RE の行番号を数え直す。
-- 医療機関コードはファイル先頭の IR レコードの 4 列目。
-- (テーブルは作らない: _silver.yml で ephemeral。読むモデルの中に CTE として入る)
select
    _source_file,
    _line,
    billing_month,
    c0 as record_type,
    c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11,
    c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22,
    c23, c24, c25, c26, c27, c28, c29, c30, c31, c32, c33,
    c34, c35, c36, c37, c38, c39, c40, c41, c42, c43,
    max(case when c0 = 'RE' then _line end) over (
        partition by billing_month, _source_file
        order by _line
        rows between unbounded preceding and current row
    ) as re_line,
    max(case when c0 = 'IR' then c4 end) over (partition by billing_month, _source_file) as facility_code
from bronze.medical_claims
