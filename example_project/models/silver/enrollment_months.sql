{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['enrollment_month'],
    on_schema_change='fail'
) }}
-- 加入者の月 (member-month) 1 つ = 1 行: その月の加入者台帳に載っている加入者。
-- PMPM (加入者 1 人 1 か月あたりの医療費) や有病率の分母。
select
    {{ person_pseudonym('insurer_number', 'card_symbol', 'card_number') }} as person_id,
    trim(insurer_number) as insurer_number,
    trim(sex) as sex,
    date_diff('year', {{ jp_date('birth_date') }}, {{ yyyymm_to_date('month') }}) as age,
    trim(relationship) as relationship,
    {{ yyyymm_to_date('month') }} as enrollment_month
from bronze.enrollment
{% if is_incremental() %}
where month >= {{ lookback_start_yyyymm(this, 'enrollment_month') }}
{% endif %}
