-- HbA1c 検査の質指標 (月別):
--   t2dm_members         その月に加入していて、その月までに 2 型糖尿病と診断されている加入者
--   tested_last_12_months そのうち、その月までの 12 か月に HbA1c を 1 回以上 (レセプトの請求
--                        または検査結果) 測った人
--   testing_rate         tested_last_12_months / t2dm_members (ガイドラインは年 1 回以上を求める)
-- あわせて、その月の HbA1c の請求回数 (診療行為 190160010 の回数、診療所も含む) と
-- 検査結果の件数 (分析物 3D046、病院だけ) を出す。
-- データの最初の 11 か月は、12 か月分さかのぼれないので率が低めに出る。
with months as (
    select distinct enrollment_month as service_month
    from silver.enrollment_months
),

tests as (
    select person_id, service_month from silver.procedures where procedure_code = '190160010'
    union
    select person_id, service_month from silver.lab_results where analyte_code = '3D046' and person_id is not null
),

eligible as (
    select m.service_month, e.person_id
    from months m
    join silver.enrollment_months e
      on e.enrollment_month = m.service_month
    join gold.t2dm_cohort c
      on c.person_id = e.person_id
     and c.index_month <= m.service_month
),

tested as (
    select
        el.service_month,
        el.person_id,
        max(case when t.person_id is not null then 1 else 0 end) as tested
    from eligible el
    left join tests t
      on t.person_id = el.person_id
     and t.service_month between date_add('month', -11, el.service_month) and el.service_month
    group by 1, 2
),

indicator as (
    select
        service_month,
        count(*) as t2dm_members,
        sum(tested) as tested_last_12_months
    from tested
    group by 1
),

claimed as (
    select service_month, sum(times) as hba1c_tests_claimed
    from silver.procedures
    where procedure_code = '190160010'
    group by 1
),

results as (
    select service_month, count(*) as hba1c_lab_results
    from silver.lab_results
    where analyte_code = '3D046'
    group by 1
)

select
    m.service_month,
    coalesce(i.t2dm_members, 0) as t2dm_members,
    coalesce(i.tested_last_12_months, 0) as tested_last_12_months,
    round(cast(i.tested_last_12_months as double) / nullif(i.t2dm_members, 0), 3) as testing_rate,
    coalesce(c.hba1c_tests_claimed, 0) as hba1c_tests_claimed,
    coalesce(r.hba1c_lab_results, 0) as hba1c_lab_results
from months m
left join indicator i on i.service_month = m.service_month
left join claimed c on c.service_month = m.service_month
left join results r on r.service_month = m.service_month
