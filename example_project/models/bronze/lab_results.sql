-- 検査結果をそのまま (lab results as delivered)
select *
from raw.lab_csv
