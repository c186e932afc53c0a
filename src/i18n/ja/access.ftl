# 誰が何を読めるか: karte.yml の `access:` のロール、`karte access` (src/access/、cli/commands/access.rs)。
e701-principal = ロール `{ $role }` の principal が正しくありません: { $problem }
e701-principal-help = IAM ロールかユーザーの ARN (arn:aws:iam::123456789012:role/analysts)、SAML か IAM Identity Center の principal の ARN、または 12 桁のアカウント ID を書いてください
e701-principal-empty = 空です
e701-principal-not-arn = `{ $principal }` は ARN でもアカウント ID でもありません
e701-read-rule = ロール `{ $role }` の { $number } 番目の読み取りルール: { $message }
e006-access-no-table = プロジェクトにテーブル `{ $name }` はありません
e006-access-no-table-note = テーブルは `layer.model` の形で指定します (例: `gold.pmpm`)。ephemeral のモデルとテストはテーブルではありません
access-allowed-by = { $rule } で許可
access-columns-left-out = 除かれる列: { $columns }
access-no-read-rules = ロール `{ $role }` には読み取りルールがありません
access-no-rule-selects = ロール `{ $role }` の読み取りルールのどれにも当てはまりません:
e701-not-a-rule = `{ $word }` はルールではありません
e701-not-a-rule-help = `all` か、`layer`、`folder`、`model`、`tag` のどれか 1 つ (と `except_classes`) を持つマップを書いてください
e701-selects-nothing = 何も選んでいません
e701-selectors = 選び方が { $count } 個あります ({ $selectors })
e701-selectors-help = 1 つのルールには `layer`、`folder`、`model`、`tag`、`all` のどれか 1 つだけを書きます。2 つのものを読むなら、ルールを 2 つ書いてください
e701-unknown-class = 分類 `{ $class }` の列はプロジェクトにありません
e701-unknown-class-help = 分類は、宣言した列の `classification:` から来ます。プロジェクトにある分類: { $classes }
e701-unknown-class-help-none = 分類は、宣言した列の `classification:` から来ます。プロジェクトにある分類: なし
e701-unknown = プロジェクトに{ $kind ->
    [layer] 層
    [folder] フォルダ
    [model] モデル
    [tag] タグ
   *[other] { $kind }
} `{ $name }` はありません
e701-unknown-help = プロジェクトの{ $kind ->
    [layer] 層
    [folder] フォルダ
    [model] モデル
    [tag] タグ
   *[other] { $kind }
}: { $names }
access-heading-athena = `{ $project }` のアクセス権: ロール { $roles } 個、管理対象のテーブル { $tables } 個 (この接続先では `karte build` が Lake Formation の権限として設定します)
access-heading-local = `{ $project }` のアクセス権: ロール { $roles } 個、管理対象のテーブル { $tables } 個 (接続先がローカルなので、ここでは何も強制されません。Athena の接続先では Lake Formation で設定されます)
access-reads-nothing = 何も読めません
access-reads-every-column = すべての列
access-reads-columns = { $columns }、および宣言されていない列すべて
access-reads = 読める列: { $columns }
access-not = 読めない列: { $columns }
access-cannot-read = 読めないテーブル: { $tables }
lf-the-table = テーブル全体
lf-all-columns = すべての列
lf-all-columns-except = { $columns } 以外のすべての列
lf-columns = 列 { $columns }
lf-permission-on = { $columns } に { $permissions }
e006-access-no-roles = karte.yml の `access:` にロールがありません
e006-access-no-roles-help = `access:` にロールを書いてください (docs/governance.md)
e006-access-no-role = `access:` にロール `{ $role }` はありません
e006-access-roles = ロール: { $roles }
e006-access-check-needs-role = --check には --role が必要です
e006-access-check-needs-role-help = 例: karte access --role analysts --check gold.pmpm
access-check-yes = はい: `{ $role }` は { $table } を読めます
access-check-no = いいえ: `{ $role }` は { $table } を読めません
