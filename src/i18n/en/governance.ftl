# Data classes and policies: `governance:` in karte.yml, `classification:` of columns (src/governance/).
governance-what-parent = the parent of class `{ $class }`
governance-what-function = the rule of function `{ $function }`
governance-what-forbid = a policy's `forbid`
governance-what-column = column `{ $column }` of `{ $relation }`
governance-what-upstream-column = column `{ $column }` of `{ $relation }` (project `{ $project }`)
e702-own-parent = class `{ $class }` is its own parent (through `{ $through }`)
e702-own-parent-help = give each class under `governance: classes:` a parent that does not lead back to it
e702-unknown-class = { $what } names class `{ $class }`, which is not in the taxonomy
e702-unknown-class-help = use one of { $classes }, or add it under `governance: classes:` in karte.yml
e703-reclassified = { $what } is declared `{ $class }`, but its lineage makes it { $classes }
e703-help = if the column really is no longer that (e.g. it was generalized by hand), add `classification_reason: <why>` next to it; otherwise pseudonymize, generalize or drop it upstream
e004-policy-selects-nothing = policy { $number } under `governance: policies:` selects no models
e004-policy-selects-nothing-help = give it `layer:`, `folder:`, `model:` or `tag:`
e704-policy-violation = `{ $column }` of `{ $relation }` is `{ $class }`, which { $scope } may not hold
e704-label = `{ $class }` is forbidden here
e704-path = the path that carried it: { $path }
e704-help = pseudonymize it (`{"{{"} pseudonymize('col') {"}}"}`), aggregate it, generalize it (a function declared under `governance: functions:`), or drop the column
governance-scope-model = model `{ $model }`
governance-scope-tag = a model tagged `{ $tag }`
governance-scope-folder = folder `{ $folder }`
governance-scope-layer = layer `{ $layer }`
governance-scope-this-model = this model

# The built-in data classes (governance/classes.rs).
class-direct-identifier = identifies a person by itself: 氏名, 住所, 電話番号
class-pii = personal information of unspecified kind (treated as a direct identifier)
class-identification-code = a code issued to a person: 被保険者番号, 記号・番号, 個人識別符号
class-quasi-identifier = identifies a person in combination: 生年月日, 郵便番号, 性別
class-sensitive = 要配慮個人情報: 病名, 処方, 検査値
class-pseudonym = 仮名加工情報の識別子: a keyed hash of identifiers
class-aggregate = computed over many rows (counts, sums, rates)
