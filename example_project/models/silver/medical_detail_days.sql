-- 医科レセプトの診療行為 (SI) と医薬品 (IY) を、算定日ごとの行にする。
-- SI・IY: 1 診療識別, 3 コード, 4 使用量 (IY), 5 点数, 6 回数, 13 … 43 算定日 (1 日 … 31 日の回数)
--
-- まとめて算定する行 (再診料 + 外来管理加算、1 剤の薬 …) は、点数・回数・算定日を
-- グループの最後の行にだけ書き、ほかの行は空ける。空いた行は、同じレセプトの同じ種類の
-- レコードで、次に回数の書かれた行のグループに属する: その行の算定日を使う。
-- 点数はグループの最後の行にだけ付ける (点数 × その日の回数)。合計はレセプトの合計点数になる。
-- (テーブルは作らない: _silver.yml で ephemeral。読むモデルの中に CTE として入る)
with details as (
    select
        _source_file,
        _line,
        re_line,
        billing_month,
        record_type,
        c1 as shinryo_shikibetsu,
        c3 as code,
        c4 as quantity,
        c5 as points,
        -- このグループの最後の行 (回数が書かれた行)
        min(case when c6 <> '' then _line end) over (
            partition by _source_file, re_line, record_type
            order by _line
            rows between current row and unbounded following
        ) as group_line
    from silver.medical_claim_lines
    where record_type in ('SI', 'IY')
),

group_days as (
    -- 回数の書かれた行の算定日 (1 日 … 31 日の列) を縦に: 回数のある日だけ
    select
        l._source_file,
        l.billing_month,
        l.record_type,
        l._line as group_line,
        t.day_no,
        cast(t.day_count as integer) as times
    from silver.medical_claim_lines l
    cross join unnest(array[
            c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23,
            c24, c25, c26, c27, c28, c29, c30, c31, c32, c33, c34,
            c35, c36, c37, c38, c39, c40, c41, c42, c43
    ]) with ordinality as t(day_count, day_no)
    where l.record_type in ('SI', 'IY')
      and l.c6 <> ''
      and t.day_count <> ''
)

select
    d._source_file,
    d.re_line,
    d.billing_month,
    d._line,
    d.record_type,
    d.shinryo_shikibetsu,
    d.code,
    d.quantity,
    d._line = d.group_line as is_group_last,
    g.day_no,
    g.times,
    case when d._line = d.group_line then cast(d.points as integer) * g.times else 0 end as points
from details d
join group_days g
  on g._source_file = d._source_file
 and g.billing_month = d.billing_month
 and g.record_type = d.record_type
 and g.group_line = d.group_line
