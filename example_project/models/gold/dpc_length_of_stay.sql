-- DPC 病院の在院日数: 退院月・病院・主傷病 (ICD-10) 別。在院日数 = 退院日 - 入院日 + 1。
select
    a.discharge_month,
    a.facility_code,
    f.facility_name,
    a.main_icd10,
    a.main_disease_name,
    count(*) as admissions,
    sum(a.los_days) as los_days_total,
    round(avg(a.los_days), 2) as mean_los_days,
    max(a.los_days) as max_los_days,
    count_if(a.is_emergency) as emergency_admissions,
    sum(a.ef_points) as ef_points_total
from silver.dpc_admissions a
left join silver.facilities f
  on f.facility_code = a.facility_code
group by 1, 2, 3, 4, 5
