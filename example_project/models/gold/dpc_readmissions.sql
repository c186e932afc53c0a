-- DPC 病院の再入院: 退院月・病院別に、退院から var('readmission_days') 日以内に同じ病院へ
-- もう一度入院した数 (同じ患者番号 = patient_key)。予定外 (緊急) の再入院も別に数える。
-- データの最後の var('readmission_days') 日に退院した人は、再入院がまだ見えないことがある。
with stays as (
    select
        admission_id,
        patient_key,
        facility_code,
        admission_date,
        discharge_date,
        discharge_month,
        lead(admission_date) over (partition by patient_key order by admission_date) as next_admission_date,
        lead(is_emergency) over (partition by patient_key order by admission_date) as next_is_emergency
    from silver.dpc_admissions
),

flagged as (
    select
        s.*,
        s.next_admission_date is not null
            and date_diff('day', s.discharge_date, s.next_admission_date) <= {{ var('readmission_days') }} as readmitted
    from stays s
)

select
    discharge_month,
    facility_code,
    count(*) as discharges,
    count_if(readmitted) as readmissions,
    count_if(readmitted and next_is_emergency) as unplanned_readmissions,
    round(cast(count_if(readmitted) as double) / count(*), 3) as readmission_rate
from flagged
group by 1, 2
