-- 服薬アドヒアランス: 加入者 × 薬効分類 (慢性疾患の内服薬) ごとに 1 行。
--   PDC (proportion of days covered): 観察期間のうち、手元に薬があった日の割合。
--       観察期間は最初の処方日から 365 日。ただしデータの最終日と、加入者の資格が切れた月の
--       末日まで (保険者が変わると person_id も変わり、その先は追えない)。0.8 以上を「良好」とする。
--   persistence (継続): 前回の薬が切れてから var('persistence_gap_days') 日を超えて次の処方が
--       なければ中断とみなし、最初の処方日から中断までの日数を数える。
-- 処方は 調剤レセプト (院外処方) と 医科レセプトの院内処方 (内服、回数 = 投与日数) の両方。
-- 同じ日の同じ薬効分類の処方は、日数の長いほうを 1 回と数える。
with fills as (
    select person_id, efficacy_class, fill_date, max(days_supply) as days_supply
    from (
        select d.person_id, m.efficacy_class, d.dispensing_date as fill_date, d.days_supply
        from silver.dispensing d
        join master.drug_codes m on m.drug_code = d.drug_code
        where d.days_supply is not null
        union all
        select d.person_id, m.efficacy_class, d.service_date, d.days_supply
        from silver.drugs d
        join master.drug_codes m on m.drug_code = d.drug_code
        where d.days_supply is not null
    ) x
    -- 慢性疾患の薬: 2171 血管拡張剤 (Ca 拮抗薬), 2149 血圧降下剤 (ARB), 3961・3962・3969 糖尿病用剤,
    -- 2189 高脂血症用剤, 4490 その他のアレルギー用薬 (ロイコトリエン拮抗薬)
    where efficacy_class in ('2171', '2149', '3961', '3962', '3969', '2189', '4490')
    group by 1, 2, 3
),

data_end as (
    -- データの最終日: 最後の診療年月の末日
    select date_add('day', -1, date_add('month', 1, max(service_month))) as last_day
    from silver.receipts
),

therapies as (
    select
        f.person_id,
        f.efficacy_class,
        min(f.fill_date) as first_fill_date,
        max(f.fill_date) as last_fill_date,
        count(*) as fills,
        sum(f.days_supply) as total_days_supply,
        least(
            date_add('day', 364, min(f.fill_date)),
            max(e.last_day),
            max(date_add('day', -1, date_add('month', 1, p.last_enrollment_month)))
        ) as window_end
    from fills f
    cross join data_end e
    join silver.persons p
      on p.person_id = f.person_id
    group by 1, 2
),

covered as (
    select t.person_id, t.efficacy_class, count(distinct s.covered_day) as covered_days
    from therapies t
    join fills f
      on f.person_id = t.person_id
     and f.efficacy_class = t.efficacy_class
    cross join unnest(sequence(f.fill_date, date_add('day', f.days_supply - 1, f.fill_date), interval '1' day)) as s(covered_day)
    where s.covered_day between t.first_fill_date and t.window_end
    group by 1, 2
),

gaps as (
    select
        person_id,
        efficacy_class,
        fill_date,
        date_add('day', days_supply, fill_date) as runs_out,
        date_diff(
            'day',
            lag(date_add('day', days_supply, fill_date)) over (partition by person_id, efficacy_class order by fill_date),
            fill_date
        ) as gap_days
    from fills
),

first_gap as (
    select person_id, efficacy_class, min(fill_date) as refill_after_gap
    from gaps
    where gap_days > {{ var('persistence_gap_days') }}
    group by 1, 2
),

persistence as (
    -- 中断前の最後の処方で、薬が切れる日
    select g.person_id, g.efficacy_class, max(g.runs_out) as supply_end
    from gaps g
    left join first_gap fg
      on fg.person_id = g.person_id
     and fg.efficacy_class = g.efficacy_class
    where fg.refill_after_gap is null or g.fill_date < fg.refill_after_gap
    group by 1, 2
)

select
    t.person_id,
    t.efficacy_class,
    t.first_fill_date,
    t.last_fill_date,
    t.fills,
    t.total_days_supply,
    t.window_end,
    date_diff('day', t.first_fill_date, t.window_end) + 1 as window_days,
    c.covered_days,
    round(cast(c.covered_days as double) / (date_diff('day', t.first_fill_date, t.window_end) + 1), 3) as pdc,
    cast(c.covered_days as double) / (date_diff('day', t.first_fill_date, t.window_end) + 1) >= 0.8 as is_adherent,
    date_diff('day', t.first_fill_date, least(p.supply_end, t.window_end)) as persistence_days,
    -- 観察期間の終わりまで続いている (中断がなく、薬が切れてから許容日数以内に期間が終わる)
    date_add('day', {{ var('persistence_gap_days') }}, p.supply_end) >= t.window_end as is_persistent
from therapies t
join covered c
  on c.person_id = t.person_id
 and c.efficacy_class = t.efficacy_class
join persistence p
  on p.person_id = t.person_id
 and p.efficacy_class = t.efficacy_class
