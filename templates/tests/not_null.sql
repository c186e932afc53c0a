{#- Rows where the column is NULL. Inputs: model (the relation, filtered by `where`), column. -#}
SELECT *
FROM {{ model }}
WHERE {{ column }} IS NULL
