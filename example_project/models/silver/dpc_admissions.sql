{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['discharge_month'],
    on_schema_change='fail'
) }}
-- DPC の入院 1 回 = 1 行。様式1 (1 行 = 1 項目のキー・値形式) をコードごとに横に並べる。
--   A000010 1 生年月日, 2 性別            A000020 1 入院年月日, 2 入院経路, 3 予定・緊急 (2 緊急), 4 救急車
--   A000030 1 退院年月日, 2 退院先, 3 退院時転帰, 4 24 時間以内の死亡
--   A006010 主傷病 / A006020 入院の契機となった傷病 / A006030 医療資源を最も投入した傷病
--           (2 ICD-10, 9 傷病名)            A006040 入院時併存症 (連番ごとに 1 行)
-- ICD-10 の「I63.9」のようなドットは取り、傷病名の異体字 (頸) はマスターの字 (頚) にそろえる。
-- 在院日数 = 退院日 - 入院日 + 1。EF ファイルの出来高実績点数を入院ごとに合計して付ける。
with ff1 as (
    select *
    from bronze.dpc_ff1
    {% if is_incremental() %}
    where month >= {{ lookback_start_yyyymm(this, 'discharge_month') }}
    {% endif %}
),

stays as (
    select
        facility_code as dpc_facility_code,
        patient_id,
        admission_date,
        max(case when item_code = 'A000010' then payload1 end) as birth_date,
        max(case when item_code = 'A000010' then payload2 end) as sex,
        max(case when item_code = 'A000020' then payload2 end) as admission_route,
        max(case when item_code = 'A000020' then payload3 end) as planned_or_emergency,
        max(case when item_code = 'A000020' then payload4 end) as ambulance,
        max(case when item_code = 'A000030' then payload1 end) as discharge_date,
        max(case when item_code = 'A000030' then payload2 end) as discharge_destination,
        max(case when item_code = 'A000030' then payload3 end) as discharge_outcome,
        max(case when item_code = 'A000030' then payload4 end) as death_within_24h,
        max(case when item_code = 'A006010' then payload2 end) as main_icd10,
        max(case when item_code = 'A006010' then payload9 end) as main_disease_name,
        max(case when item_code = 'A006020' then payload2 end) as trigger_icd10,
        max(case when item_code = 'A006030' then payload2 end) as resource_icd10,
        max(case when item_code = 'A006030' then payload9 end) as resource_disease_name,
        count(case when item_code = 'A006040' then 1 end) as comorbidities
    from ff1
    group by 1, 2, 3
),

ef as (
    -- 出来高実績点数は行為の 1 行目 (行為明細番号 001) にだけ入っている
    select
        facility_code as dpc_facility_code,
        patient_id,
        admission_date,
        sum(cast(actual_points as bigint)) as ef_points,
        count(distinct service_date) as ef_service_days
    from bronze.dpc_ef
    {% if is_incremental() %}
    where month >= {{ lookback_start_yyyymm(this, 'discharge_month') }}
    {% endif %}
    group by 1, 2, 3
),

typed as (
    select
        s.*,
        -- DPC の施設コード 9 桁 = 都道府県 2 桁 + 医療機関コード 7 桁
        substr(s.dpc_facility_code, 3) as facility_code,
        {{ wareki_to_date('s.admission_date') }} as admitted_on,
        {{ wareki_to_date('s.discharge_date') }} as discharged_on,
        {{ wareki_to_date('s.birth_date') }} as born_on,
        ef.ef_points,
        ef.ef_service_days
    from stays s
    left join ef
      on ef.dpc_facility_code = s.dpc_facility_code
     and ef.patient_id = s.patient_id
     and ef.admission_date = s.admission_date
)

select
    {{ pseudonym(['t.dpc_facility_code', 't.patient_id', 't.admission_date']) }} as admission_id,
    {{ patient_pseudonym('t.facility_code', 't.patient_id') }} as patient_key,
    pl.person_id,
    t.facility_code,
    t.dpc_facility_code,
    t.admitted_on as admission_date,
    t.discharged_on as discharge_date,
    date_diff('day', t.admitted_on, t.discharged_on) + 1 as los_days,
    t.sex,
    date_diff('year', t.born_on, t.admitted_on) as age,
    t.admission_route,
    t.planned_or_emergency = '2' as is_emergency,
    t.ambulance = '1' as by_ambulance,
    t.discharge_destination,
    t.discharge_outcome,
    t.death_within_24h = '1' as died_within_24h,
    replace(t.main_icd10, '.', '') as main_icd10,
    replace({{ normalize_text('t.main_disease_name') }}, '頸', '頚') as main_disease_name,
    replace(t.trigger_icd10, '.', '') as trigger_icd10,
    replace(t.resource_icd10, '.', '') as resource_icd10,
    replace({{ normalize_text('t.resource_disease_name') }}, '頸', '頚') as resource_disease_name,
    t.comorbidities,
    t.ef_points,
    t.ef_service_days,
    date_trunc('month', t.discharged_on) as discharge_month
from typed t
left join silver.patient_links pl
  on pl.patient_key = {{ patient_pseudonym('t.facility_code', 't.patient_id') }}
 and date_trunc('month', t.admitted_on) between pl.first_service_month and pl.last_service_month
