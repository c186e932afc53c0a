{{ config(materialized='incremental', unique_key='receipt_id', partitioned_by=['service_month']) }}
-- レセプト (RE record) 1 件 = 1 行
with re as (
    select
        file_name,
        line_no,
        fields[2] as receipt_no,
        fields[4] as sex_code,
        fields[5] as birth_date_raw,
        fields[6] as service_ym
    from {{ ref('receipt_lines') }}
    where record_type = 'RE'
)
select
    {{ surrogate_key(['file_name', 'receipt_no']) }} as receipt_id,
    file_name,
    line_no,
    sex_code,
    {{ yyyymm_to_date('service_ym') }} as service_month
from re
{% if is_incremental() %}
where {{ yyyymm_to_date('service_ym') }} >= date_add('month', -{{ var('lookback_months') }}, (select max(service_month) from {{ this }}))
{% endif %}
