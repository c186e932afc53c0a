{#- Child values without a parent row (NULLs ignored). Inputs: model, column, to (the parent
    relation), field (the parent column). -#}
SELECT child.{{ column }} AS value
FROM {{ model }} AS child
LEFT JOIN {{ to }} AS parent ON child.{{ column }} = parent.{{ field }}
WHERE child.{{ column }} IS NOT NULL
  AND parent.{{ field }} IS NULL
