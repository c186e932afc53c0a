{#- CREATE TABLE AS SELECT.
    Inputs: relation, location, format ('hive'|'iceberg'), file_format, write_compression,
    partitioned_by (list), bucketed_by (list), bucket_count, table_properties (map),
    select (the query to write, possibly with a `{batch_filter}` placeholder). -#}
CREATE TABLE {{ relation }}
WITH (
{%- if format == 'iceberg' %}
    table_type = 'ICEBERG',
    location = '{{ location }}',
    is_external = false,
    format = '{{ file_format }}',
    write_compression = '{{ write_compression }}'
{%- if partitioned_by %},
    partitioning = ARRAY[{% for p in partitioned_by %}'{{ p }}'{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endif %}
{%- else %}
    external_location = '{{ location }}',
    format = '{{ file_format }}',
    write_compression = '{{ write_compression }}'
{%- if partitioned_by %},
    partitioned_by = ARRAY[{% for p in partitioned_by %}'{{ p }}'{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endif %}
{%- if bucketed_by %},
    bucketed_by = ARRAY[{% for b in bucketed_by %}'{{ b }}'{% if not loop.last %}, {% endif %}{% endfor %}],
    bucket_count = {{ bucket_count }}
{%- endif %}
{%- endif %}
{%- for key, value in table_properties|items %},
    {{ key }} = '{{ value }}'
{%- endfor %}
)
AS
{{ select }}
