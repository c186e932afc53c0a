-- 保険者マスター (納品物の masters/insurers.csv)
select
    insurer_number,
    insurer_name
from bronze.insurers
