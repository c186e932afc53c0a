{#- Values outside the accepted list (NULLs ignored). Inputs: model, column, values (list of
    SQL literals). -#}
SELECT {{ column }} AS value, count(*) AS n_records
FROM {{ model }}
WHERE {{ column }} IS NOT NULL
  AND {{ column }} NOT IN ({{ values|join(', ') }})
GROUP BY {{ column }}
