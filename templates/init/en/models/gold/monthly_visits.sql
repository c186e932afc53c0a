-- Visits per month and department
select
    date_trunc('month', visit_date) as visit_month,
    department,
    count(*) as visit_count
from silver.visits
where visit_date >= date '{{ var("start_month") }}-01'
group by 1, 2
