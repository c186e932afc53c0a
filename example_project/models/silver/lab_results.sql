{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['service_month'],
    on_schema_change='fail'
) }}
-- 検査結果 1 行 = 1 項目。表記ゆれを直し、値を数値・不等号・定性に分ける。
--   採取日: 2019/05/01 と R01.05.01 (元号の略号) の両方がある
--   JLAC10: 空のことがある → 院内検査コードを対応表 (bronze.lab_local_codes) で引く
--   結果値: 6.8、全角の１２．３、前後の空白、<0.3、(-)、(－)、陰性、± … (parse_lab_value)
--   単位: mg/dl、ｍｇ／ｄＬ、％、半角カナの mL/ﾌﾝ/1.73m2 → マスターの表記にそろえる
--   検査名: 半角カナ → 全角 (normalize_text)
-- 患者は病院の患者番号しかないので、仮名 (patient_key) にしてレセプト経由で加入者につなぐ。
with lab as (
    select
        l.*,
        {{ jp_date('l.collected_date') }} as collected_on,
        {{ normalize_text('l.unit') }} as unit_normalized
    from bronze.lab_results l
    {% if is_incremental() %}
    where l.month >= {{ lookback_start_yyyymm(this) }}
    {% endif %}
),

coded as (
    select
        lab.*,
        coalesce(nullif(trim(lab.jlac10), ''), lc.jlac10) as jlac10_code,
        case when nullif(trim(lab.jlac10), '') is not null then 'file' else 'local_code' end as jlac10_source
    from lab
    left join bronze.lab_local_codes lc
      on lc.facility_code = lab.facility_code
     and lc.local_code = lab.local_code
)

select
    {{ patient_pseudonym('c.facility_code', 'c.patient_id') }} as patient_key,
    pl.person_id,
    c.facility_code,
    c.collected_on as collected_date,
    c.local_code,
    {{ normalize_text('c.test_name') }} as test_name,
    c.jlac10_code as jlac10,
    c.jlac10_source,
    substr(c.jlac10_code, 1, 5) as analyte_code,
    {{ normalize_text('c.result_value') }} as result_text,
    {{ parse_lab_value('c.result_value') }},
    -- 単位: 大文字・小文字だけが違うならマスターの表記に
    case
        when lower(replace(c.unit_normalized, 'フン', 'min')) = lower(a.unit) then a.unit
        else nullif(replace(c.unit_normalized, 'フン', 'min'), '')
    end as unit,
    try_cast({{ normalize_text('c.ref_low') }} as double) as ref_low,
    try_cast({{ normalize_text('c.ref_high') }} as double) as ref_high,
    nullif(trim(c.abnormal_flag), '') as abnormal_flag,
    date_trunc('month', c.collected_on) as service_month
from coded c
left join master.jlac10_analytes a
  on a.analyte_code = substr(c.jlac10_code, 1, 5)
left join silver.patient_links pl
  on pl.patient_key = {{ patient_pseudonym('c.facility_code', 'c.patient_id') }}
 and date_trunc('month', c.collected_on) between pl.first_service_month and pl.last_service_month
