{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['service_month'],
    on_schema_change='fail'
) }}
-- 医科レセプトの医薬品 (IY: 院内処方・注射・点滴) を算定日ごとに 1 行。
-- 内服 (診療識別 21) は、その日の回数が投与日数。外用 (23) は 1、注射 (33) は日ごとの回数。
-- 院外処方の薬は silver.dispensing (調剤レセプト) にある。
select
    r.receipt_id,
    r.person_id,
    r.facility_code,
    r.is_inpatient,
    date_add('day', d.day_no - 1, r.service_month) as service_date,
    d.shinryo_shikibetsu,
    d.code as drug_code,
    try_cast(d.quantity as double) as daily_quantity,
    d.times,
    case when d.shinryo_shikibetsu = '21' then d.times end as days_supply,
    d.points,
    d.is_group_last,
    r.service_month
from silver.medical_detail_days d
join silver.receipts r
  on r.source_file = d._source_file
 and r.source_line = d.re_line
where d.record_type = 'IY'
{% if is_incremental() %}
  and d.billing_month >= {{ lookback_start_yyyymm(this) }}
  and r.service_month >= {{ lookback_start(this) }}
{% endif %}
