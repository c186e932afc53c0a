-- silver と gold のどのテーブルにも、個人情報の列がないこと。
-- 個人情報の列は bronze で classification: pii とした列 (氏名、カナ氏名、記号・番号、
-- 患者番号、生年月日) と、その別名・ありがちな名前 (電話、住所、郵便番号)。
-- information_schema.columns は Athena (Glue カタログ) でもローカル (DuckDB) でも同じ形。
-- スキーマ名は前置き (schema_prefix: dev_ → dev_silver) があっても合うように like で比べる。
with built as (
    -- 0 行しか読まない: このテストを gold の全テーブル (とその元の silver) の後に実行させるため
    select 1 as x from gold.claims_by_month where false
    union all select 1 from gold.pmpm where false
    union all select 1 from gold.disease_prevalence where false
    union all select 1 from gold.disease_prevalence_rate where false
    union all select 1 from gold.hba1c_testing where false
    union all select 1 from gold.drug_adherence where false
    union all select 1 from gold.co_prescription_pairs where false
    union all select 1 from gold.dpc_length_of_stay where false
    union all select 1 from gold.dpc_readmissions where false
    union all select 1 from gold.delivery_reconciliation where false
)

select c.table_schema, c.table_name, c.column_name
from information_schema.columns c
where (c.table_schema like '%silver' or c.table_schema like '%gold')
  and (
      lower(c.column_name) in (
          'name', 'name_kanji', 'name_kana', 'patient_name', 'patient_name_kana', 'name_normalized',
          'card_symbol', 'card_number', 'branch_number', 'patient_id', 'patient_no', 'karte_no',
          'birth_date', 'date_of_birth'
      )
      or lower(c.column_name) like '%kana%'
      or lower(c.column_name) like '%phone%'
      or lower(c.column_name) like '%address%'
      or lower(c.column_name) like '%postcode%'
      or lower(c.column_name) like '%postal%'
  )
  and not exists (select 1 from built)
