{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['service_month'],
    on_schema_change='fail'
) }}
-- 傷病名 (医科レセプトの SY レコード) 1 件 = 1 行。
-- SY: 1 傷病名コード (7 桁、0000999 = 未コード化), 2 診療開始日, 3 転帰区分, 4 修飾語コード,
--     5 傷病名称 (未コード化のときだけ), 6 主傷病 (01)
-- silver.receipts に残った提出 (再請求は最後の 1 回) の SY だけを採る。
with sy as (
    select _source_file, re_line, _line, c1, c2, c3, c4, c5, c6
    from silver.medical_claim_lines
    where record_type = 'SY'
    {% if is_incremental() %}
      and billing_month >= {{ lookback_start_yyyymm(this) }}
    {% endif %}
)

select
    r.receipt_id,
    r.person_id,
    r.facility_code,
    row_number() over (partition by r.receipt_id order by sy._line) as diagnosis_no,
    sy.c1 as disease_code,
    sy.c1 = '0000999' as is_uncoded,
    m.icd10,
    -- 未コード化の傷病名は、書かれた名称を正規化して使う
    coalesce(m.disease_name, {{ normalize_text("nullif(sy.c5, '')") }}) as disease_name,
    nullif(sy.c4, '') as modifier_code,
    coalesce(mo.is_suspected, false) as is_suspected,
    {{ wareki_to_date('sy.c2') }} as start_date,
    sy.c3 as outcome_code,
    sy.c6 = '01' as is_primary,
    r.service_month
from sy
join silver.receipts r
  on r.source_file = sy._source_file
 and r.source_line = sy.re_line
left join master.disease_codes m
  on m.disease_code = sy.c1
left join master.disease_modifiers mo
  on mo.modifier_code = sy.c4
{% if is_incremental() %}
where r.service_month >= {{ lookback_start(this) }}
{% endif %}
