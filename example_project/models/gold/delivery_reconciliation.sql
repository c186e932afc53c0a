-- 納品物の突き合わせ: レセプトのファイル (UKE) ごとに、GO レコード (診療報酬請求書) の
-- 総件数・総合計点数と、実際に入っていた RE レコードの数・HO 合計点数の和を並べる。
-- 合わないファイルは、保険者・医療機関に問い合わせる (tests/go_trailer_counts.sql が知らせる)。
with lines as (
    select 'medical' as claim_type, _source_file, billing_month, c0, c1, c2, c4, c5
    from bronze.medical_claims
    where c0 in ('IR', 'RE', 'HO', 'GO')
    union all
    select 'pharmacy', _source_file, billing_month, c0, c1, c2, c4, c5
    from bronze.pharmacy_claims
    where c0 in ('YK', 'RE', 'HO', 'GO')
),

per_file as (
    select
        claim_type,
        _source_file as source_file,
        billing_month,
        max(case when c0 in ('IR', 'YK') then c4 end) as facility_code,
        count_if(c0 = 'RE') as re_records,
        sum(case when c0 = 'HO' then cast(c5 as bigint) else 0 end) as ho_points,
        count_if(c0 = 'GO') as go_records,
        max(case when c0 = 'GO' then cast(c1 as bigint) end) as go_total_count,
        max(case when c0 = 'GO' then cast(c2 as bigint) end) as go_total_points
    from lines
    group by 1, 2, 3
)

select
    claim_type,
    source_file,
    cast(date_parse(billing_month || '01', '%Y%m%d') as date) as billing_month,
    facility_code,
    re_records,
    go_total_count,
    ho_points,
    go_total_points,
    go_records,
    coalesce(go_total_count = re_records, false) as count_matches,
    coalesce(go_total_points = ho_points, false) as points_matches
from per_file
