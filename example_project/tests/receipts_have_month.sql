-- 診療年月のないレセプトはない (every receipt has a service month)
select receipt_id
from silver.receipts
where service_month is null
