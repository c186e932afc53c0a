-- 月別・傷病別のレセプト件数と患者数 (patients per disease per month)
select
    d.service_month,
    d.disease_code,
    m.disease_name,
    count(distinct d.receipt_id) as receipts,
    count(distinct d.person_id) as patients
from silver.diagnoses d
left join master.disease_codes m
  on m.disease_code = d.disease_code
where not d.is_suspected  -- 「の疑い」は除く
group by 1, 2, 3
