-- 月別・傷病別の患者数 (patients per disease per month)
select
    d.service_month,
    d.disease_code,
    m.disease_name,
    count(distinct d.receipt_id) as receipts
from silver.diagnoses d
left join master.disease_codes m
  on m.disease_code = d.disease_code
group by 1, 2, 3
