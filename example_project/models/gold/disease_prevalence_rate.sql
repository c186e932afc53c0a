-- 有病率: 月別・ICD-10 (3 桁) 別に、その月に傷病名のついた加入者の数を、その月の加入者数で割る
-- (加入者 1,000 人あたり)。「の疑い」と未コード化の傷病名 (ICD-10 なし) は数えない。
-- 割り算は double で: Athena で 1000.0 (decimal) を掛けて割ると、小数の桁が 1 桁に丸められる。
with patients as (
    select
        d.service_month,
        substr(d.icd10, 1, 3) as icd10_3,
        count(distinct d.person_id) as patients
    from silver.diagnoses d
    where d.icd10 is not null
      and not d.is_suspected
    group by 1, 2
),

members as (
    select enrollment_month, count(*) as members
    from silver.enrollment_months
    group by 1
)

select
    p.service_month,
    p.icd10_3,
    p.patients,
    m.members,
    round(cast(p.patients as double) * 1000 / m.members, 2) as per_1000_members
from patients p
join members m
  on m.enrollment_month = p.service_month
