{#- このプロジェクトのマクロ。組み込みマクロ (pseudonymize, wareki_to_date, …) は
    docs/macros.md を参照。 -#}

{#- 仮名 ID: 秘密のソルト (環境変数 KARTE_PSEUDONYM_SALT) をかぎにした HMAC-SHA256。
    値をいくつか '|' でつないでから仮名化する。ソルトはコンパイル結果に出ない。 -#}
{% macro pseudonym(parts) -%}
{{ pseudonymize("concat_ws('|', " ~ parts | join(", ") ~ ")", salt_var='KARTE_PSEUDONYM_SALT') }}
{%- endmacro %}

{#- 加入者 (保険者番号 + 記号 + 番号) の仮名 ID = person_id。保険者が変わると別の ID になる。 -#}
{% macro person_pseudonym(insurer_number, card_symbol, card_number) -%}
{{ pseudonym(["trim(" ~ insurer_number ~ ")", "trim(" ~ card_symbol ~ ")", "trim(" ~ card_number ~ ")"]) }}
{%- endmacro %}

{#- 医療機関・薬局の患者番号 (カルテ番号、DPC のデータ識別番号、検査結果の患者ID) の仮名 ID。 -#}
{% macro patient_pseudonym(facility_code, patient_no) -%}
{{ pseudonym(["trim(" ~ facility_code ~ ")", "trim(" ~ patient_no ~ ")"]) }}
{%- endmacro %}

{#- 日付の表記ゆれ: 2019/05/01、R01.05.01 (元号の略号)、5010501 (レセプトの GYYMMDD)、
    20190501 を DATE に。読めない値は NULL。 -#}
{% macro jp_date(col) -%}
{{ wareki_to_date("regexp_replace(translate(upper(trim(" ~ col ~ ")), 'MTSHR', '12345'), '[./-]', '')") }}
{%- endmacro %}

{#- レセプトの年月 (GYYMM または YYYYMM) を月初の DATE に。 -#}
{% macro receipt_month(col) -%}
{{ wareki_to_date("trim(" ~ col ~ ") || '01'") }}
{%- endmacro %}

{#- 増分ビルドで作り直す最初の月: このテーブルの最新の月から var('lookback_months') か月前。
    月遅れ請求や再請求が届いても、その月のパーティションごと作り直せば二重にならない。 -#}
{% macro lookback_start(relation, month_column='service_month') -%}
date_add('month', -{{ var('lookback_months') }}, (select max({{ month_column }}) from {{ relation }}))
{%- endmacro %}

{#- 同じ月を YYYYMM の文字列で (bronze のパーティション列 billing_month や month と比べる)。 -#}
{% macro lookback_start_yyyymm(relation, month_column='service_month') -%}
date_format({{ lookback_start(relation, month_column) }}, '%Y%m')
{%- endmacro %}
