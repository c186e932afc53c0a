-- GO レコードの総合計点数が HO の合計点数の和と合わない UKE ファイル、
-- GO レコードがない・2 つ以上あるファイル (途中で切れたファイルなど)。1 つでもあればエラー。
select claim_type, source_file, ho_points, go_total_points, go_records
from gold.delivery_reconciliation
where not points_matches
   or go_records <> 1
