{#- The partition values a query will write, found before writing (cheap on columnar data:
    only the partition columns are read). Inputs: sql, partition_columns (list). -#}
SELECT DISTINCT {{ partition_columns|join(', ') }}
FROM (
{{ sql }}
) AS karte_source
ORDER BY {{ partition_columns|join(', ') }}
