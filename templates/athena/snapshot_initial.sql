{#- First run of an SCD2 snapshot: every source row opens a version.
    Inputs: sql, scd_id (expression), updated_at (expression for the version time); the other
    snapshot inputs are passed too and unused. -#}
SELECT
    s.*,
    {{ scd_id }} AS dbt_scd_id,
    {{ updated_at }} AS dbt_updated_at,
    {{ updated_at }} AS dbt_valid_from,
    CAST(NULL AS timestamp(3)) AS dbt_valid_to
FROM (
{{ sql }}
) AS s
