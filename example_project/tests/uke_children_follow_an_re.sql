-- UKE の子レコード (HO, SY, SI …) はどれも、同じファイルの中で RE のあとにあること。
-- RE より前にある子レコードは、どのレセプトにも属さない (ファイルが壊れている)。
select 'medical' as claim_type, _source_file, _line, record_type
from silver.medical_claim_lines
where record_type not in ('IR', 'RE', 'GO')
  and re_line is null
union all
select 'pharmacy', _source_file, _line, record_type
from silver.pharmacy_claim_lines
where record_type not in ('YK', 'RE', 'GO')
  and re_line is null
