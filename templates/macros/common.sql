{#- Built-in macros available to every model, without an import.
    Each works on Athena and on the local engine. A project macro with the same name wins. -#}

{#- Division that gives NULL instead of failing when the denominator is 0. -#}
{% macro safe_divide(numerator, denominator) -%}
(cast({{ numerator }} as double) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- A deterministic key from several columns: hex MD5 of the values joined with `|`.
    NULLs become empty strings, so the key is never NULL. -#}
{% macro surrogate_key(columns) -%}
lower(to_hex(md5(to_utf8(concat_ws('|'
{%- for c in columns %}, coalesce(cast({{ c }} as varchar), ''){% endfor %})))))
{%- endmacro %}

{#- The first day of the month of a `YYYYMM` value (string or integer), as a DATE. -#}
{% macro yyyymm_to_date(column) -%}
cast(date_parse(cast({{ column }} as varchar) || '01', '%Y%m%d') as date)
{%- endmacro %}
