{#- Rows where the expression is not true. Inputs: model, expression, column (optional). -#}
SELECT *
FROM {{ model }}
WHERE NOT ({{ expression }})
