# データの分類とポリシー: karte.yml の `governance:`、列の `classification:` (src/governance/)。
governance-what-parent = 分類 `{ $class }` の親
governance-what-function = 関数 `{ $function }` のルール
governance-what-forbid = ポリシーの `forbid`
governance-what-column = `{ $relation }` の列 `{ $column }`
governance-what-upstream-column = `{ $relation }` (プロジェクト `{ $project }`) の列 `{ $column }`
e702-own-parent = 分類 `{ $class }` が (`{ $through }` を通して) 自分自身の親になっています
e702-own-parent-help = `governance: classes:` の各分類には、たどっても自分に戻ってこない親を指定してください
e702-unknown-class = { $what } に書かれた分類 `{ $class }` は、分類の一覧にありません
e702-unknown-class-help = { $classes } のどれかを使うか、karte.yml の `governance: classes:` に追加してください
e703-reclassified = { $what } は `{ $class }` と宣言されていますが、列の系譜をたどると { $classes } に当たります
e703-help = 本当にもう当たらない (例: 手作業で一般化した) なら、その横に `classification_reason: <理由>` を書いてください。そうでなければ、上流で仮名化・一般化するか、列を削ってください
e004-policy-selects-nothing = `governance: policies:` の { $number } 番目のポリシーが、どのモデルも選んでいません
e004-policy-selects-nothing-help = `layer:`、`folder:`、`model:`、`tag:` のどれかを書いてください
e704-policy-violation = `{ $relation }` の `{ $column }` は `{ $class }` ですが、{ $scope } には持たせてはいけない分類です
e704-label = ここでは `{ $class }` は禁止されています
e704-path = 分類が伝わってきた経路: { $path }
e704-help = 仮名化する (`{"{{"} pseudonymize('col') {"}}"}`)、集計する、一般化する (`governance: functions:` で宣言した関数)、または列を削ってください
governance-scope-model = モデル `{ $model }`
governance-scope-tag = タグ `{ $tag }` の付いたモデル
governance-scope-folder = フォルダ `{ $folder }`
governance-scope-layer = 層 `{ $layer }`
governance-scope-this-model = このモデル

# 組み込みのデータ分類 (governance/classes.rs)。
class-direct-identifier = それだけで本人が分かる情報: 氏名、住所、電話番号
class-pii = 種類を決めていない個人情報 (直接の識別子として扱います)
class-identification-code = 人ごとに発行される番号: 被保険者番号、記号・番号、個人識別符号
class-quasi-identifier = 組み合わせると本人が分かる情報: 生年月日、郵便番号、性別
class-sensitive = 要配慮個人情報: 病名、処方、検査値
class-pseudonym = 仮名加工情報の識別子: 識別子を鍵付きでハッシュしたもの
class-aggregate = 多くの行から計算した値 (件数、合計、割合)
