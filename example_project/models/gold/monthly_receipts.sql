-- 月別のレセプト件数と男女比
select
    service_month,
    count(*) as receipts,
    {{ safe_divide("count_if(sex_code = '2')", 'count(*)') }} as female_share
from {{ ref('receipts') }}
group by service_month
