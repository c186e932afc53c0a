-- GO レコード (診療報酬請求書) の総件数が、ファイルに実際に入っていた RE レコードの数と
-- 合わない UKE ファイル。合わないファイルは捨てずに取り込み (レセプトの中身は読めるので)、
-- このテストが警告として一覧にする: 請求元に確認する。
-- (karte example-data は、わざと 1 つのファイルの総件数を 1 つ多く書く)
{{ config(severity='warn') }}
select claim_type, source_file, re_records, go_total_count
from gold.delivery_reconciliation
where not count_matches
