-- 医科レセプトの合計点数 (HO) = 診療行為と医薬品の 点数 × 回数 の和。
-- 合わなければ、算定日の縦持ち (silver.medical_detail_days) かまとめ算定の扱いが間違っている。
with details as (
    select receipt_id, sum(points) as points
    from (
        select receipt_id, points from silver.procedures
        union all
        select receipt_id, points from silver.drugs
    ) x
    group by receipt_id
)

select r.receipt_id, r.service_month, r.total_points, d.points as detail_points
from silver.receipts r
left join details d
  on d.receipt_id = r.receipt_id
where r.claim_type = 'medical'
  and coalesce(d.points, 0) <> r.total_points
