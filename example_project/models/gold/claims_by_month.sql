-- 診療年月・医科/調剤別のレセプト件数・点数・患者数
-- (再請求は 1 件に数える。re_records は届いた RE レコードの数で、再請求の分も数える)
select
    service_month,
    claim_type,
    count(*) as receipts,
    sum(submissions) as re_records,
    sum(total_points) as points,
    sum(total_points) * 10 as amount_yen,
    count(distinct person_id) as members,
    count_if(is_inpatient) as inpatient_receipts,
    count_if(is_late) as late_receipts,
    count_if(is_resubmitted) as resubmitted_receipts
from silver.receipts
group by service_month, claim_type
