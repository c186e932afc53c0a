{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['service_month'],
    on_schema_change='fail'
) }}
-- 調剤 (調剤レセプトの医薬品 IY) 1 行 = 1 剤の 1 薬。
-- SH 処方基本: 1 剤番号, 2 用法コード, 3 用法名称, 4 剤形 (1 内服 / 3 外用)
-- CZ 調剤:     1 剤番号, 2 調剤年月日, 3 調剤数量 (内服は日数、外用は 1), 4 調剤料
-- IY 医薬品:   1 剤番号, 2 医薬品コード, 3 使用量 (1 日量、外用は総量), 4 薬剤料 (剤の最後の行にだけ)
-- 同じレセプトの同じ剤番号でつなぐ。
with lines as (
    select _source_file, re_line, _line, record_type, c1, c2, c3, c4
    from silver.pharmacy_claim_lines
    where record_type in ('SH', 'CZ', 'IY')
    {% if is_incremental() %}
      and billing_month >= {{ lookback_start_yyyymm(this) }}
    {% endif %}
),

sh as (
    select _source_file, re_line, c1 as rx_no, c2 as usage_code, c3 as usage_name, c4 as dosage_form
    from lines
    where record_type = 'SH'
),

cz as (
    select _source_file, re_line, c1 as rx_no, c2 as dispensing_date, c3 as quantity, c4 as dispensing_fee
    from lines
    where record_type = 'CZ'
),

iy as (
    select _source_file, re_line, _line, c1 as rx_no, c2 as drug_code, c3 as amount, c4 as drug_points
    from lines
    where record_type = 'IY'
)

select
    r.receipt_id,
    r.person_id,
    r.facility_code as pharmacy_code,
    r.prescribing_facility_code,
    {{ wareki_to_date('cz.dispensing_date') }} as dispensing_date,
    cast(iy.rx_no as integer) as rx_no,
    iy.drug_code,
    try_cast(iy.amount as double) as daily_quantity,
    sh.dosage_form,
    sh.usage_code,
    {{ normalize_text('sh.usage_name') }} as usage_name,
    -- 内服は調剤数量 = 投与日数。外用は日数がない
    case when sh.dosage_form = '1' then cast(cz.quantity as integer) end as days_supply,
    -- 調剤料は剤ごと: 剤の最初の薬の行に付ける
    case when iy._line = min(iy._line) over (partition by iy._source_file, iy.re_line, iy.rx_no)
         then cast(cz.dispensing_fee as integer) else 0 end as dispensing_fee_points,
    coalesce(cast(nullif(iy.drug_points, '') as integer), 0) as drug_points,
    r.service_month
from iy
join silver.receipts r
  on r.source_file = iy._source_file
 and r.source_line = iy.re_line
left join cz
  on cz._source_file = iy._source_file
 and cz.re_line = iy.re_line
 and cz.rx_no = iy.rx_no
left join sh
  on sh._source_file = iy._source_file
 and sh.re_line = iy.re_line
 and sh.rx_no = iy.rx_no
{% if is_incremental() %}
where r.service_month >= {{ lookback_start(this) }}
{% endif %}
