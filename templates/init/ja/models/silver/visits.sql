-- 外来受診 (1 行 = 1 回の受診)
-- 見本データ seeds/sample_visits.csv を読みます。本物のデータを取り込んだら、
-- 下の seeds.sample_visits をそのテーブル (例: bronze.visits) に書き換えます。
select
    visit_id,
    patient_code,
    visit_date,
    department
from seeds.sample_visits
