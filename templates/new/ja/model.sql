-- {name}: このモデルが何を表すかをここに書きます (例: 1 行 = 1 人 1 か月)
--
-- 読むテーブルは `層.モデル名` で書きます (例: from silver.visits)。
-- 書けたら `karte show {name}` で結果の行を確かめ、
-- `karte new model {path}` をもう一度実行すると {yml} に列の一覧が入ります。
select
    1 as example_column
