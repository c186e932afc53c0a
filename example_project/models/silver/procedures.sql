{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['service_month'],
    on_schema_change='fail'
) }}
-- 診療行為 (医科レセプトの SI) を算定日ごとに 1 行。31 日分の算定日の列を縦にしたもの。
-- points は点数 × その日の回数 (まとめて算定するグループは最後の行にだけ、ほかの行は 0)。
select
    r.receipt_id,
    r.person_id,
    r.facility_code,
    r.is_inpatient,
    date_add('day', d.day_no - 1, r.service_month) as service_date,
    d.shinryo_shikibetsu,
    d.code as procedure_code,
    d.times,
    d.points,
    d.is_group_last,
    r.service_month
from silver.medical_detail_days d
join silver.receipts r
  on r.source_file = d._source_file
 and r.source_line = d.re_line
where d.record_type = 'SI'
{% if is_incremental() %}
  and d.billing_month >= {{ lookback_start_yyyymm(this) }}
  and r.service_month >= {{ lookback_start(this) }}
{% endif %}
