{#- Values that appear more than once (NULLs ignored). Inputs: model, column. -#}
SELECT {{ column }} AS value, count(*) AS n_records
FROM {{ model }}
WHERE {{ column }} IS NOT NULL
GROUP BY {{ column }}
HAVING count(*) > 1
