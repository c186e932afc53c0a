-- 検査値: "<0.5"・"(-)"・全角数字などを数値と定性に分ける
select
    patient_key,
    jlac10,
    test_date,
    try_cast(regexp_extract(normalize(raw_value, NFKC), '[0-9]+(\.[0-9]+)?') as double) as value_num,
    case
        when raw_value like '%(-)%' or raw_value = '-' then 'negative'
        when raw_value like '%+%' then 'positive'
    end as qualitative,
    transform(split(raw_value, ' '), x -> trim(x)) as tokens
from bronze.lab_results
