-- 傷病名 (SY records), linked to the preceding RE record of the same file
with lines as (
    select
        file_name,
        line_no,
        record_type,
        fields,
        max(case when record_type = 'RE' then line_no end)
            over (partition by file_name order by line_no rows unbounded preceding) as re_line_no
    from bronze.receipt_lines
)
select
    r.receipt_id,
    r.service_month,
    l.fields[2] as disease_code,   -- 傷病名コード (7 桁)
    l.fields[4] as is_primary
from lines l
join silver.receipts r
  on r.file_name = l.file_name
 and r.line_no = l.re_line_no
where l.record_type = 'SY'
