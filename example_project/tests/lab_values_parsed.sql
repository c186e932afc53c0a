-- 検査結果の値がすべて読めていること: 定量の項目は数値 (lab_value) が、定性の項目は
-- 判定 (lab_flag) が取れている。取れない表記が届いたら、ここに出る。
select r.facility_code, r.service_month, r.analyte_code, r.result_text
from silver.lab_results r
join master.jlac10_analytes a
  on a.analyte_code = r.analyte_code
where (a.result_type = 'quant' and r.lab_value is null)
   or (a.result_type = 'qual' and r.lab_flag is null)
