{#- Iceberg delete+insert in one MERGE, so one commit: rows of the table whose key is among the
    new rows are deleted, and every new row is inserted. The staged set holds each distinct new
    key once (to match and delete) and each new row once with NULL keys (never matches: insert).
    Inputs: relation, select (the new rows), unique_key (list), incremental_predicates (list,
    about `target.`), columns (all columns of the table, in order). -#}
MERGE INTO {{ relation }} AS target
USING (
    WITH source AS (
{{ select }}
    )
    SELECT {% for k in unique_key %}d.{{ k }} AS karte_key_{{ loop.index }}, {% endfor %}{% for c in columns %}NULL AS {{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
    FROM (SELECT DISTINCT {{ unique_key|join(', ') }} FROM source) AS d
    UNION ALL
    SELECT {% for k in unique_key %}NULL, {% endfor %}{% for c in columns %}source.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
    FROM source
) AS staged
ON {% for k in unique_key %}target.{{ k }} = staged.karte_key_{{ loop.index }}{% if not loop.last %} AND {% endif %}{% endfor %}
{%- for p in incremental_predicates %}
   AND {{ p }}
{%- endfor %}
WHEN MATCHED THEN DELETE
WHEN NOT MATCHED AND staged.karte_key_1 IS NULL THEN INSERT ({{ columns|join(', ') }})
    VALUES ({% for c in columns %}staged.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %})
