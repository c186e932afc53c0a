-- 医療機関・薬局マスター (納品物の masters/facilities.csv を型付け)
select
    facility_code,
    facility_name,
    facility_type,
    prefecture,
    nullif(dpc_facility_code, '') as dpc_facility_code,
    is_dpc = 'true' as is_dpc,
    in_house_dispensing = 'true' as in_house_dispensing
from bronze.facilities
