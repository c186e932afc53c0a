{#- Iceberg SCD2 snapshot: close changed versions and insert new ones in one MERGE.
    Inputs as snapshot_rewrite (relation, sql, unique_key, source_columns, changed, updated_at,
    updated_at_closing, scd_id, hard_deletes). Each changed key appears twice in the staged rows: once to close
    the current version (matched on dbt_scd_id), once to insert the new one (never matches). -#}
MERGE INTO {{ relation }} AS target
USING (
    WITH source AS (
        SELECT * FROM (
{{ sql }}
        ) AS s0
    ),
    current_rows AS (
        SELECT * FROM {{ relation }} WHERE dbt_valid_to IS NULL
    )
    SELECT c.dbt_scd_id AS merge_key, {{ updated_at_closing }} AS closed_at,
           {% for col in source_columns %}c.{{ col }}, {% endfor %}c.dbt_scd_id, c.dbt_updated_at, c.dbt_valid_from
    FROM current_rows c
    LEFT JOIN source s ON {% for k in unique_key %}s.{{ k }} = c.{{ k }}{% if not loop.last %} AND {% endif %}{% endfor %}
    WHERE {% if hard_deletes %}s.{{ unique_key[0] }} IS NULL OR {% endif %}(s.{{ unique_key[0] }} IS NOT NULL AND ({{ changed }}))
    UNION ALL
    SELECT CAST(NULL AS varchar) AS merge_key, CAST(NULL AS timestamp(3)) AS closed_at,
           {% for col in source_columns %}s.{{ col }}, {% endfor %}{{ scd_id }} AS dbt_scd_id, {{ updated_at }} AS dbt_updated_at, {{ updated_at }} AS dbt_valid_from
    FROM source s
    LEFT JOIN current_rows c ON {% for k in unique_key %}s.{{ k }} = c.{{ k }}{% if not loop.last %} AND {% endif %}{% endfor %}
    WHERE c.{{ unique_key[0] }} IS NULL OR ({{ changed }})
) AS staged
ON target.dbt_scd_id = staged.merge_key
WHEN MATCHED THEN UPDATE SET dbt_valid_to = staged.closed_at
WHEN NOT MATCHED THEN INSERT ({{ source_columns|join(', ') }}, dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to)
    VALUES ({% for col in source_columns %}staged.{{ col }}, {% endfor %}staged.dbt_scd_id, staged.dbt_updated_at, staged.dbt_valid_from, CAST(NULL AS timestamp(3)))
