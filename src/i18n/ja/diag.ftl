# 診断の表示 (src/diag/render.rs) と、最後の件数の行。
severity-error = エラー
severity-warning = 警告
diag-note = 補足
diag-help = 直し方
summary-errors = エラー { $count } 件
summary-warnings = 警告 { $count } 件
summary-counts = { $errors }、{ $warnings }
