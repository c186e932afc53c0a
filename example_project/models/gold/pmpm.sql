-- PMPM: 加入者 1 人 1 か月あたりの医療費 (保険者・月別)。
-- 分母はその月の加入者台帳の人数、分子はその月に診療を受けた加入者のレセプトの合計点数
-- (1 点 = 10 円)。医科と調剤を分けて出す。
with members as (
    select enrollment_month, insurer_number, person_id
    from silver.enrollment_months
),

costs as (
    select
        service_month,
        person_id,
        sum(case when claim_type = 'medical' then total_points else 0 end) as medical_points,
        sum(case when claim_type = 'pharmacy' then total_points else 0 end) as pharmacy_points
    from silver.receipts
    group by 1, 2
)

select
    m.enrollment_month as service_month,
    m.insurer_number,
    i.insurer_name,
    count(*) as members,
    count(c.person_id) as members_with_claims,
    coalesce(sum(c.medical_points), 0) as medical_points,
    coalesce(sum(c.pharmacy_points), 0) as pharmacy_points,
    coalesce(sum(c.medical_points + c.pharmacy_points), 0) * 10 as total_yen,
    round(cast(coalesce(sum(c.medical_points + c.pharmacy_points), 0) as double) * 10 / count(*), 1) as pmpm_yen,
    round(cast(coalesce(sum(c.medical_points), 0) as double) * 10 / count(*), 1) as medical_pmpm_yen,
    round(cast(coalesce(sum(c.pharmacy_points), 0) as double) * 10 / count(*), 1) as pharmacy_pmpm_yen
from members m
left join costs c
  on c.person_id = m.person_id
 and c.service_month = m.enrollment_month
left join silver.insurers i
  on i.insurer_number = m.insurer_number
group by 1, 2, 3
