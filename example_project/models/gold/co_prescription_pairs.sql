-- 併用処方: 同じ人に同じ日に処方された 2 つの薬 (一般名) の組ごとに、何回・何人。
-- 院外処方 (調剤レセプト) と院内処方 (医科レセプトの内服・外用) の両方を数える。
with rx as (
    select distinct d.person_id, d.dispensing_date as rx_date, m.generic_name, m.efficacy_class
    from silver.dispensing d
    join master.drug_codes m on m.drug_code = d.drug_code
    union
    select distinct d.person_id, d.service_date, m.generic_name, m.efficacy_class
    from silver.drugs d
    join master.drug_codes m on m.drug_code = d.drug_code
    where d.shinryo_shikibetsu in ('21', '23')
)

select
    a.generic_name as drug_a,
    b.generic_name as drug_b,
    a.efficacy_class as efficacy_class_a,
    b.efficacy_class as efficacy_class_b,
    count(*) as co_prescriptions,
    count(distinct a.person_id) as persons
from rx a
join rx b
  on b.person_id = a.person_id
 and b.rx_date = a.rx_date
 and b.generic_name > a.generic_name
group by 1, 2, 3, 4
