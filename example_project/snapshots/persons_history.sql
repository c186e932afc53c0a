-- 加入者の履歴 (SCD2): 本人・家族の区分、資格喪失日、最後に台帳に載った月などが
-- 変わるたびに新しい版ができる。今の状態は dbt_valid_to is null の行。
select
    person_id,
    individual_id,
    insurer_number,
    sex,
    birth_year_month,
    relationship,
    acquired_date,
    lost_date,
    loss_reason,
    first_enrollment_month,
    last_enrollment_month
from silver.persons
