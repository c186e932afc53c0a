{#- 性別コード → 表示名 (sex code to label) -#}
{% macro sex_label(code) -%}
case {{ code }} when '1' then 'male' when '2' then 'female' else 'unknown' end
{%- endmacro %}
