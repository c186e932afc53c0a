-- 医薬品マスターの履歴 (SCD2): 薬価改定・後発品の追加などで行が変わるたびに新しい版ができる。
-- ある日の薬価は dbt_valid_from <= その日 < coalesce(dbt_valid_to, 遠い未来) の行。
select
    drug_code,
    yj_code,
    drug_name,
    generic_name,
    efficacy_class,
    unit,
    price_yen,
    is_generic,
    route
from master.drug_codes
