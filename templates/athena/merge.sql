{#- Iceberg upsert. Inputs: relation, select (the new rows), unique_key (list),
    incremental_predicates (list, may use `target.` and `source.`), columns (list, all columns
    of the table in order). -#}
MERGE INTO {{ relation }} AS target
USING (
{{ select }}
) AS source
ON {% for k in unique_key %}target.{{ k }} = source.{{ k }}{% if not loop.last %} AND {% endif %}{% endfor %}
{%- for p in incremental_predicates %}
   AND {{ p }}
{%- endfor %}
WHEN MATCHED THEN UPDATE SET
{%- for c in columns %}
    {{ c }} = source.{{ c }}{% if not loop.last %},{% endif %}
{%- endfor %}
WHEN NOT MATCHED THEN INSERT ({{ columns|join(', ') }})
    VALUES ({% for c in columns %}source.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %})
