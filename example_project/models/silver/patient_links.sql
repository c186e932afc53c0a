-- 医療機関・薬局の患者番号 (の仮名 patient_key) と加入者 (person_id) の対応。
-- レセプトに両方が書かれているので、そこから作る。DPC と検査結果は患者番号しか持たない
-- ので、この表で加入者につなぐ。保険者が変わっても患者番号は同じなので、
-- 1 つの patient_key に期間の違う person_id が並ぶことがある。
select
    patient_key,
    facility_code,
    person_id,
    min(service_month) as first_service_month,
    max(service_month) as last_service_month
from silver.receipts
group by 1, 2, 3
