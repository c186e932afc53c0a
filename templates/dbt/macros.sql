{#- karte's versions of dbt's own cross-database macros (`dbt.date_trunc(...)`, also callable
    without `dbt.`), written for Athena (Trino) SQL, which karte reads on every target (the local
    engine translates it). Each dispatches as dbt's do: a project (or a package named in
    `dispatch:`) may define `athena__name` or `default__name` to replace one. The semantics are
    dbt's: `datediff` counts the boundaries crossed (as dbt's other adapters do), `date_spine`
    gives the periods from start_date up to but not including end_date. -#}

{% macro any_value(expression) %}{{ return(adapter.dispatch('any_value', 'dbt')(expression)) }}{% endmacro %}
{% macro athena__any_value(expression) -%} arbitrary({{ expression }}) {%- endmacro %}

{% macro bool_or(expression) %}{{ return(adapter.dispatch('bool_or', 'dbt')(expression)) }}{% endmacro %}
{% macro athena__bool_or(expression) -%} bool_or({{ expression }}) {%- endmacro %}

{% macro cast_bool_to_text(field) %}{{ return(adapter.dispatch('cast_bool_to_text', 'dbt')(field)) }}{% endmacro %}
{% macro athena__cast_bool_to_text(field) -%} cast({{ field }} as varchar) {%- endmacro %}

{% macro cast(field, type) %}{{ return(adapter.dispatch('cast', 'dbt')(field, type)) }}{% endmacro %}
{% macro athena__cast(field, type) -%} cast({{ field }} as {{ type }}) {%- endmacro %}

{% macro safe_cast(field, type) %}{{ return(adapter.dispatch('safe_cast', 'dbt')(field, type)) }}{% endmacro %}
{% macro athena__safe_cast(field, type) -%} try_cast({{ field }} as {{ type }}) {%- endmacro %}

{% macro concat(fields) %}{{ return(adapter.dispatch('concat', 'dbt')(fields)) }}{% endmacro %}
{% macro athena__concat(fields) -%}
{%- if fields | length == 1 -%} {{ fields[0] }}
{%- else -%} concat({{ fields | join(', ') }})
{%- endif -%}
{%- endmacro %}

{% macro hash(field) %}{{ return(adapter.dispatch('hash', 'dbt')(field)) }}{% endmacro %}
{% macro athena__hash(field) -%} lower(to_hex(md5(to_utf8(cast({{ field }} as varchar))))) {%- endmacro %}

{% macro length(expression) %}{{ return(adapter.dispatch('length', 'dbt')(expression)) }}{% endmacro %}
{% macro athena__length(expression) -%} length({{ expression }}) {%- endmacro %}

{% macro position(substring_text, string_text) %}{{ return(adapter.dispatch('position', 'dbt')(substring_text, string_text)) }}{% endmacro %}
{% macro athena__position(substring_text, string_text) -%} strpos({{ string_text }}, {{ substring_text }}) {%- endmacro %}

{% macro replace(field, old_chars, new_chars) %}{{ return(adapter.dispatch('replace', 'dbt')(field, old_chars, new_chars)) }}{% endmacro %}
{% macro athena__replace(field, old_chars, new_chars) -%} replace({{ field }}, {{ old_chars }}, {{ new_chars }}) {%- endmacro %}

{% macro right(string_text, length_expression) %}{{ return(adapter.dispatch('right', 'dbt')(string_text, length_expression)) }}{% endmacro %}
{% macro athena__right(string_text, length_expression) -%}
substr({{ string_text }}, greatest(length({{ string_text }}) - ({{ length_expression }}) + 1, 1))
{%- endmacro %}

{% macro split_part(string_text, delimiter_text, part_number) %}{{ return(adapter.dispatch('split_part', 'dbt')(string_text, delimiter_text, part_number)) }}{% endmacro %}
{% macro athena__split_part(string_text, delimiter_text, part_number) -%}
element_at(split({{ string_text }}, {{ delimiter_text }}), {{ part_number }})
{%- endmacro %}

{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) %}{{ return(adapter.dispatch('listagg', 'dbt')(measure, delimiter_text, order_by_clause, limit_num)) }}{% endmacro %}
{% macro athena__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
{%- set agg = 'array_agg(' ~ measure ~ (' ' ~ order_by_clause if order_by_clause else '') ~ ')' -%}
{%- if limit_num -%} array_join(slice({{ agg }}, 1, {{ limit_num }}), {{ delimiter_text }})
{%- else -%} array_join({{ agg }}, {{ delimiter_text }})
{%- endif -%}
{%- endmacro %}

{% macro escape_single_quotes(expression) %}{{ return(adapter.dispatch('escape_single_quotes', 'dbt')(expression)) }}{% endmacro %}
{% macro default__escape_single_quotes(expression) -%} {{ expression | replace("'", "''") }} {%- endmacro %}

{% macro string_literal(value) %}{{ return(adapter.dispatch('string_literal', 'dbt')(value)) }}{% endmacro %}
{% macro default__string_literal(value) -%} '{{ value }}' {%- endmacro %}

{% macro except() %}{{ return(adapter.dispatch('except', 'dbt')()) }}{% endmacro %}
{% macro default__except() -%} except {%- endmacro %}

{% macro intersect() %}{{ return(adapter.dispatch('intersect', 'dbt')()) }}{% endmacro %}
{% macro default__intersect() -%} intersect {%- endmacro %}

{% macro equals(expr1, expr2) %}{{ return(adapter.dispatch('equals', 'dbt')(expr1, expr2)) }}{% endmacro %}
{% macro athena__equals(expr1, expr2) -%} ({{ expr1 }} is not distinct from {{ expr2 }}) {%- endmacro %}

{% macro current_timestamp() %}{{ return(adapter.dispatch('current_timestamp', 'dbt')()) }}{% endmacro %}
{% macro athena__current_timestamp() -%} current_timestamp {%- endmacro %}

{% macro date(year, month, day) %}{{ return(adapter.dispatch('date', 'dbt')(year, month, day)) }}{% endmacro %}
{% macro athena__date(year, month, day) -%}
date '{{ year }}-{{ ('0' ~ month)[-2:] }}-{{ ('0' ~ day)[-2:] }}'
{%- endmacro %}

{% macro date_trunc(datepart, date) %}{{ return(adapter.dispatch('date_trunc', 'dbt')(datepart, date)) }}{% endmacro %}
{% macro athena__date_trunc(datepart, date) -%} date_trunc('{{ datepart }}', {{ date }}) {%- endmacro %}

{% macro dateadd(datepart, interval, from_date_or_timestamp) %}{{ return(adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp)) }}{% endmacro %}
{% macro athena__dateadd(datepart, interval, from_date_or_timestamp) -%}
date_add('{{ datepart }}', {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}

{#- The boundaries crossed: the difference of both ends truncated to the unit. -#}
{% macro datediff(first_date, second_date, datepart) %}{{ return(adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart)) }}{% endmacro %}
{% macro athena__datediff(first_date, second_date, datepart) -%}
{%- if datepart in ['millisecond', 'microsecond', 'nanosecond'] -%}
date_diff('millisecond', cast({{ first_date }} as timestamp), cast({{ second_date }} as timestamp))
{%- else -%}
date_diff('{{ datepart }}', date_trunc('{{ datepart }}', cast({{ first_date }} as timestamp)), date_trunc('{{ datepart }}', cast({{ second_date }} as timestamp)))
{%- endif -%}
{%- endmacro %}

{% macro last_day(date, datepart) %}{{ return(adapter.dispatch('last_day', 'dbt')(date, datepart)) }}{% endmacro %}
{% macro athena__last_day(date, datepart) -%}
cast(date_add('day', -1, date_add('{{ datepart }}', 1, date_trunc('{{ datepart }}', {{ date }}))) as date)
{%- endmacro %}

{% macro array_construct(inputs=[], data_type='integer') %}{{ return(adapter.dispatch('array_construct', 'dbt')(inputs, data_type)) }}{% endmacro %}
{% macro athena__array_construct(inputs, data_type) -%}
{%- if inputs | length > 0 -%} array[{{ inputs | join(', ') }}]
{%- else -%} cast(array[] as array({{ data_type }}))
{%- endif -%}
{%- endmacro %}

{% macro array_append(array, new_element) %}{{ return(adapter.dispatch('array_append', 'dbt')(array, new_element)) }}{% endmacro %}
{% macro athena__array_append(array, new_element) -%} concat({{ array }}, array[{{ new_element }}]) {%- endmacro %}

{% macro array_concat(array_1, array_2) %}{{ return(adapter.dispatch('array_concat', 'dbt')(array_1, array_2)) }}{% endmacro %}
{% macro athena__array_concat(array_1, array_2) -%} concat({{ array_1 }}, {{ array_2 }}) {%- endmacro %}

{#- The numbers 1 to upper_bound, as `generated_number` (Athena's sequence() holds at most
    10,000 numbers). -#}
{% macro generate_series(upper_bound) %}{{ return(adapter.dispatch('generate_series', 'dbt')(upper_bound)) }}{% endmacro %}
{% macro athena__generate_series(upper_bound) -%}
select generated_number from unnest(sequence(1, {{ upper_bound }})) as t(generated_number)
{%- endmacro %}

{#- The periods from start_date up to, not including, end_date, as `date_<datepart>`. -#}
{% macro date_spine(datepart, start_date, end_date) %}{{ return(adapter.dispatch('date_spine', 'dbt')(datepart, start_date, end_date)) }}{% endmacro %}
{% macro athena__date_spine(datepart, start_date, end_date) -%}
select date_{{ datepart }} from (
    select date_add('{{ datepart }}', n, cast({{ start_date }} as timestamp)) as date_{{ datepart }}
    from unnest(sequence(0, greatest({{ datediff(start_date, end_date, datepart) }}, 1) - 1)) as t(n)
) as spine
where date_{{ datepart }} < cast({{ end_date }} as timestamp)
{%- endmacro %}

{% macro type_string() %}{{ return(adapter.dispatch('type_string', 'dbt')()) }}{% endmacro %}
{% macro athena__type_string() -%} varchar {%- endmacro %}
{% macro type_timestamp() %}{{ return(adapter.dispatch('type_timestamp', 'dbt')()) }}{% endmacro %}
{% macro athena__type_timestamp() -%} timestamp {%- endmacro %}
{% macro type_float() %}{{ return(adapter.dispatch('type_float', 'dbt')()) }}{% endmacro %}
{% macro athena__type_float() -%} double {%- endmacro %}
{% macro type_numeric() %}{{ return(adapter.dispatch('type_numeric', 'dbt')()) }}{% endmacro %}
{% macro athena__type_numeric() -%} decimal(28, 6) {%- endmacro %}
{% macro type_bigint() %}{{ return(adapter.dispatch('type_bigint', 'dbt')()) }}{% endmacro %}
{% macro athena__type_bigint() -%} bigint {%- endmacro %}
{% macro type_int() %}{{ return(adapter.dispatch('type_int', 'dbt')()) }}{% endmacro %}
{% macro athena__type_int() -%} integer {%- endmacro %}
{% macro type_boolean() %}{{ return(adapter.dispatch('type_boolean', 'dbt')()) }}{% endmacro %}
{% macro athena__type_boolean() -%} boolean {%- endmacro %}
