-- 元号の略号で書かれた日付 (加入者台帳の生年月日 S50.03.12、検査結果の採取日 R01.05.01) の
-- 略号がどれも元号表 (master.eras) にあり、読んだ日付がその元号の期間に入っていること。
with written as (
    select 'enrollment.birth_date' as field, birth_date as value from bronze.enrollment
    union all
    select 'lab_results.collected_date', collected_date from bronze.lab_results
),

lettered as (
    select
        field,
        value,
        upper(substr(trim(value), 1, 1)) as era_letter,
        -- S50.03.12 → 昭和 50 年 3 月 12 日
        try_cast(regexp_extract(trim(value), '^[A-Za-z]([0-9]{2})\.([0-9]{2})\.([0-9]{2})$', 1) as integer) as era_year,
        try_cast(regexp_extract(trim(value), '^[A-Za-z]([0-9]{2})\.([0-9]{2})\.([0-9]{2})$', 2) as integer) as month_no,
        try_cast(regexp_extract(trim(value), '^[A-Za-z]([0-9]{2})\.([0-9]{2})\.([0-9]{2})$', 3) as integer) as day_no
    from written
    where regexp_like(trim(value), '^[A-Za-z]')
)

select l.field, l.value, e.era_name
from lettered l
left join master.eras e
  on e.era_letter = l.era_letter
where e.era_code is null
   or l.era_year is null
   or date_add('day', l.day_no - 1, date_add('month', l.month_no - 1, date_add('year', e.first_year + l.era_year - 1 - 2000, date '2000-01-01')))
      not between e.first_date and coalesce(e.last_date, date '9999-12-31')
