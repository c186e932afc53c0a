-- 2 型糖尿病コホート: 傷病名コードが ICD-10 の E11 (2 型糖尿病) に当たる傷病名が
-- 1 回でもついた加入者 1 人 = 1 行。「の疑い」と未コード化の傷病名は数えない。
-- 保険者が変わった人は加入ごとに 1 行 (person_id ごと)。
with t2dm as (
    select
        person_id,
        min(service_month) as index_month,
        min(start_date) as first_start_date,
        count(distinct service_month) as months_with_diagnosis
    from silver.diagnoses
    where icd10 like 'E11%'
      and not is_suspected
    group by person_id
),

hba1c_claims as (
    select person_id, sum(times) as hba1c_tests_claimed
    from silver.procedures
    where procedure_code = '190160010'  -- HbA1c
    group by person_id
),

hba1c_results as (
    select
        person_id,
        count(*) as hba1c_results,
        max_by(lab_value, collected_date) as last_hba1c_value,
        max(collected_date) as last_hba1c_date
    from silver.lab_results
    where analyte_code = '3D046'  -- HbA1c (NGSP)
      and person_id is not null
    group by person_id
),

antidiabetics as (
    -- 糖尿病用剤 (薬効分類 396x) の調剤・院内処方
    select person_id, min(fill_date) as first_antidiabetic_date
    from (
        select d.person_id, d.dispensing_date as fill_date
        from silver.dispensing d
        join master.drug_codes m on m.drug_code = d.drug_code
        where m.efficacy_class like '396%'
        union all
        select d.person_id, d.service_date
        from silver.drugs d
        join master.drug_codes m on m.drug_code = d.drug_code
        where m.efficacy_class like '396%'
    ) fills
    group by person_id
)

select
    t.person_id,
    p.individual_id,
    p.insurer_number,
    p.sex,
    date_diff('year', p.birth_year_month, t.index_month) as age_at_index,
    t.index_month,
    t.first_start_date,
    t.months_with_diagnosis,
    a.first_antidiabetic_date,
    a.first_antidiabetic_date is not null as on_antidiabetics,
    coalesce(c.hba1c_tests_claimed, 0) as hba1c_tests_claimed,
    coalesce(r.hba1c_results, 0) as hba1c_results,
    r.last_hba1c_value,
    r.last_hba1c_date
from t2dm t
left join silver.persons p on p.person_id = t.person_id
left join hba1c_claims c on c.person_id = t.person_id
left join hba1c_results r on r.person_id = t.person_id
left join antidiabetics a on a.person_id = t.person_id
