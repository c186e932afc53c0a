-- 加入者 1 人 (保険者番号 + 記号 + 番号) = 1 行。加入者台帳から。
-- 個人情報は残さない: 氏名・記号・番号は仮名 ID に、生年月日は生年月にする。
-- 保険者が変わると記号・番号も変わり、person_id も別になる。同じ人の加入をつなぐ
-- individual_id は 正規化した氏名 + 生年月日 + 性別 の仮名 (同姓同名・同じ誕生日の
-- 別人は区別できない: 目安として使う)。
with ledger as (
    select
        trim(insurer_number) as insurer_number,
        trim(card_symbol) as card_symbol,
        trim(card_number) as card_number,
        {{ yyyymm_to_date('month') }} as enrollment_month,
        {{ normalize_text('name_kanji') }} as name_normalized,
        {{ jp_date('birth_date') }} as birth_date,
        trim(sex) as sex,
        trim(relationship) as relationship,
        {{ jp_date('acquired_date') }} as acquired_date,
        {{ jp_date('lost_date') }} as lost_date,
        nullif(trim(loss_reason), '') as loss_reason
    from bronze.enrollment
),

members as (
    select
        insurer_number,
        card_symbol,
        card_number,
        min(enrollment_month) as first_enrollment_month,
        max(enrollment_month) as last_enrollment_month,
        count(*) as enrollment_months,
        max_by(name_normalized, enrollment_month) as name_normalized,
        max_by(birth_date, enrollment_month) as birth_date,
        max_by(sex, enrollment_month) as sex,
        max_by(relationship, enrollment_month) as relationship,
        max_by(acquired_date, enrollment_month) as acquired_date,
        max(lost_date) as lost_date,
        max(loss_reason) as loss_reason
    from ledger
    group by 1, 2, 3
)

select
    {{ person_pseudonym('insurer_number', 'card_symbol', 'card_number') }} as person_id,
    {{ pseudonym(['name_normalized', 'cast(birth_date as varchar)', 'sex']) }} as individual_id,
    insurer_number,
    sex,
    date_trunc('month', birth_date) as birth_year_month,
    relationship,
    acquired_date,
    lost_date,
    loss_reason,
    first_enrollment_month,
    last_enrollment_month,
    enrollment_months
from members
