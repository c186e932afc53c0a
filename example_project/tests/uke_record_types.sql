-- レセプトのファイルに、知らないレコード識別がないこと (あれば行数とともに出る)。
-- 医科: IR RE HO KO SY SI IY CO GO / 調剤: YK RE HO KO KI SH CZ IY GO
select 'medical' as claim_type, c0 as record_type, count(*) as lines
from bronze.medical_claims
where c0 not in ('IR', 'RE', 'HO', 'KO', 'SY', 'SI', 'IY', 'CO', 'GO')
group by 1, 2
union all
select 'pharmacy', c0, count(*)
from bronze.pharmacy_claims
where c0 not in ('YK', 'RE', 'HO', 'KO', 'KI', 'SH', 'CZ', 'IY', 'GO')
group by 1, 2
