{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partitioned_by=['service_month'],
    on_schema_change='fail'
) }}
-- レセプト 1 件 = 1 行 (医科と調剤)。
--
-- 再請求: 同じレセプトが後の請求月にもう一度届くことがある (内容は同じ、レセプト番号は新しい)。
-- レセプトの同一性は 医療機関 + 保険者番号 + 記号 + 番号 + 診療年月 + 入院/外来
-- (調剤は さらに処方医療機関)。同じものは 1 件にまとめ、最後に届いたものを採る。
-- 月遅れ請求: 診療年月の翌月より後に届いたもの (is_late)。
--
-- 増分ビルドでは、最新の診療年月から var('lookback_months') か月前以降を作り直す
-- (その診療年月のレセプトは、その翌月以降の請求月にしか届かない)。
with medical as (
    select *
    from silver.medical_claim_lines
    where record_type in ('RE', 'HO', 'KO')
    {% if is_incremental() %}
      and billing_month >= {{ lookback_start_yyyymm(this) }}
    {% endif %}
),

pharmacy as (
    select *
    from silver.pharmacy_claim_lines
    where record_type in ('RE', 'HO', 'KO')
    {% if is_incremental() %}
      and billing_month >= {{ lookback_start_yyyymm(this) }}
    {% endif %}
),

re as (
    -- 医科の RE: 2 レセプト種別, 3 診療年月, 5 男女区分, 6 生年月日, 8 入院年月日, 13 カルテ番号
    select
        'medical' as claim_type,
        _source_file,
        re_line,
        billing_month,
        facility_code,
        cast(null as varchar) as prescribing_facility_code,
        c2 as receipt_type,
        c3 as service_ym,
        c5 as sex,
        c6 as birth_date,
        nullif(c8, '') as admission_date,
        c13 as patient_no
    from medical
    where record_type = 'RE'
    union all
    -- 調剤の RE: 2 レセプト種別, 3 調剤年月, 5 男女区分, 6 生年月日, 11 処方医療機関コード, 12 薬局の患者番号
    select
        'pharmacy',
        _source_file,
        re_line,
        billing_month,
        pharmacy_code,
        c11,
        c2,
        c3,
        c5,
        c6,
        null,
        c12
    from pharmacy
    where record_type = 'RE'
),

ho as (
    -- HO 保険者: 1 保険者番号, 2 記号, 3 番号, 4 実日数, 5 合計点数, 7 食事療養回数, 8 食事療養金額, 11 負担金額
    select _source_file, re_line, c1, c2, c3, c4, c5, c7, c8, c11
    from medical
    where record_type = 'HO'
    union all
    select _source_file, re_line, c1, c2, c3, c4, c5, c7, c8, c11
    from pharmacy
    where record_type = 'HO'
),

ko as (
    -- KO 公費: あれば公費併用
    select _source_file, re_line, count(*) as public_expense_records
    from medical
    where record_type = 'KO'
    group by 1, 2
    union all
    select _source_file, re_line, count(*)
    from pharmacy
    where record_type = 'KO'
    group by 1, 2
),

submissions as (
    select
        re.claim_type,
        re._source_file,
        re.re_line,
        {{ yyyymm_to_date('re.billing_month') }} as billing_month,
        trim(re.facility_code) as facility_code,
        trim(re.prescribing_facility_code) as prescribing_facility_code,
        trim(ho.c1) as insurer_number,
        trim(ho.c2) as card_symbol,
        trim(ho.c3) as card_number,
        re.receipt_type,
        -- レセプト種別の 4 桁目が奇数なら入院
        cast(substr(re.receipt_type, 4, 1) as integer) % 2 = 1 as is_inpatient,
        {{ receipt_month('re.service_ym') }} as service_month,
        re.sex,
        {{ wareki_to_date('re.birth_date') }} as birth_date,
        {{ wareki_to_date('re.admission_date') }} as admission_date,
        re.patient_no,
        cast(nullif(ho.c4, '') as integer) as actual_days,
        cast(ho.c5 as bigint) as total_points,
        cast(nullif(ho.c7, '') as integer) as meal_count,
        cast(nullif(ho.c8, '') as bigint) as meal_yen,
        cast(nullif(ho.c11, '') as bigint) as copay_yen,
        coalesce(ko.public_expense_records, 0) > 0 as has_public_expense
    from re
    join ho
      on ho._source_file = re._source_file
     and ho.re_line = re.re_line
    left join ko
      on ko._source_file = re._source_file
     and ko.re_line = re.re_line
),

ranked as (
    select
        s.*,
        row_number() over (
            partition by claim_type, facility_code, insurer_number, card_symbol, card_number,
                         service_month, is_inpatient, prescribing_facility_code
            order by billing_month desc, _source_file desc, re_line desc
        ) as newest_first,
        count(*) over (
            partition by claim_type, facility_code, insurer_number, card_symbol, card_number,
                         service_month, is_inpatient, prescribing_facility_code
        ) as submissions,
        min(billing_month) over (
            partition by claim_type, facility_code, insurer_number, card_symbol, card_number,
                         service_month, is_inpatient, prescribing_facility_code
        ) as first_billing_month
    from submissions s
)

select
    {{ pseudonym(["claim_type", "facility_code", "insurer_number", "card_symbol", "card_number",
                  "cast(service_month as varchar)", "cast(is_inpatient as varchar)",
                  "coalesce(prescribing_facility_code, '')"]) }} as receipt_id,
    claim_type,
    {{ person_pseudonym('insurer_number', 'card_symbol', 'card_number') }} as person_id,
    {{ patient_pseudonym('facility_code', 'patient_no') }} as patient_key,
    facility_code,
    prescribing_facility_code,
    insurer_number,
    receipt_type,
    is_inpatient,
    sex,
    date_diff('year', birth_date, service_month) as age,
    admission_date,
    actual_days,
    total_points,
    meal_count,
    meal_yen,
    copay_yen,
    has_public_expense,
    first_billing_month,
    billing_month as last_billing_month,
    submissions,
    submissions > 1 as is_resubmitted,
    first_billing_month > date_add('month', 1, service_month) as is_late,
    _source_file as source_file,
    re_line as source_line,
    service_month
from ranked
where newest_first = 1
{% if is_incremental() %}
  and service_month >= {{ lookback_start(this) }}
{% endif %}
