{#- Hive SCD2 snapshot: the whole new history (written to a fresh location, then swapped).
    Inputs: relation (current snapshot table), sql, unique_key (list), source_columns (list),
    changed (predicate on `s` (source) and `c` (current) rows), updated_at (expression on `s`),
    updated_at_closing (the time a closed version ends), scd_id (expression on `s`),
    hard_deletes (bool). -#}
WITH source AS (
    SELECT * FROM (
{{ sql }}
    ) AS s0
),
current_rows AS (
    SELECT * FROM {{ relation }} WHERE dbt_valid_to IS NULL
),
closed AS (
    SELECT c.dbt_scd_id, {{ updated_at_closing }} AS closed_at
    FROM current_rows c
    LEFT JOIN source s ON {% for k in unique_key %}s.{{ k }} = c.{{ k }}{% if not loop.last %} AND {% endif %}{% endfor %}
    WHERE {% if hard_deletes %}s.{{ unique_key[0] }} IS NULL OR {% endif %}(s.{{ unique_key[0] }} IS NOT NULL AND ({{ changed }}))
)
SELECT h.* FROM {{ relation }} h WHERE h.dbt_valid_to IS NOT NULL
UNION ALL
SELECT {% for col in source_columns %}c.{{ col }}, {% endfor %}c.dbt_scd_id, c.dbt_updated_at, c.dbt_valid_from, x.closed_at AS dbt_valid_to
FROM current_rows c
LEFT JOIN closed x ON x.dbt_scd_id = c.dbt_scd_id
UNION ALL
SELECT {% for col in source_columns %}s.{{ col }}, {% endfor %}{{ scd_id }} AS dbt_scd_id, {{ updated_at }} AS dbt_updated_at, {{ updated_at }} AS dbt_valid_from, CAST(NULL AS timestamp(3)) AS dbt_valid_to
FROM source s
LEFT JOIN current_rows c ON {% for k in unique_key %}s.{{ k }} = c.{{ k }}{% if not loop.last %} AND {% endif %}{% endfor %}
WHERE c.{{ unique_key[0] }} IS NULL OR ({{ changed }})
