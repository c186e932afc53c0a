{#- Rows that count fewer than `values[0]` persons (but some): cells small enough to identify
    someone. Inputs: model, column (a person count), values (the smallest allowed count). -#}
SELECT *
FROM {{ model }}
WHERE {{ column }} > 0 AND {{ column }} < {{ values[0] }}
