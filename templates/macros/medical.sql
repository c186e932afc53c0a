{#- Built-in macros for Japanese medical data, available to every model without an import.
    Each gives plain Athena (Trino) SQL with the same result on Athena and on the local engine;
    docs/macros.md shows every one with examples. A project macro with the same name wins.
    Arguments are SQL expressions, usually a column name in quotes: normalize_text('name'). -#}

{#- Half-width katakana followed by a (semi-)voiced sound mark, and the one full-width
    character they make. -#}
{%- set _kana_voiced = [['ｦﾞ', 'ヺ'], ['ｳﾞ', 'ヴ'], ['ｶﾞ', 'ガ'], ['ｷﾞ', 'ギ'], ['ｸﾞ', 'グ'], ['ｹﾞ', 'ゲ'], ['ｺﾞ', 'ゴ'], ['ｻﾞ', 'ザ'], ['ｼﾞ', 'ジ'], ['ｽﾞ', 'ズ'], ['ｾﾞ', 'ゼ'], ['ｿﾞ', 'ゾ'], ['ﾀﾞ', 'ダ'], ['ﾁﾞ', 'ヂ'], ['ﾂﾞ', 'ヅ'], ['ﾃﾞ', 'デ'], ['ﾄﾞ', 'ド'], ['ﾊﾞ', 'バ'], ['ﾊﾟ', 'パ'], ['ﾋﾞ', 'ビ'], ['ﾋﾟ', 'ピ'], ['ﾌﾞ', 'ブ'], ['ﾌﾟ', 'プ'], ['ﾍﾞ', 'ベ'], ['ﾍﾟ', 'ペ'], ['ﾎﾞ', 'ボ'], ['ﾎﾟ', 'ポ'], ['ﾜﾞ', 'ヷ']] -%}

{#- A keyed pseudonym: lower-case hex HMAC-SHA256 of the value (as text), keyed with the salt
    in the environment variable `salt_var`. The SQL holds only the placeholder `{secret:NAME}`,
    which the engine fills in when the step runs: compiled files and plans never contain the
    salt. NULL stays NULL. -#}
{% macro pseudonymize(column, salt_var='PSEUDONYM_SALT') -%}
{%- for c in (salt_var if salt_var else '-') if c not in 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_' -%}
{%- if loop.first %}{{ raise_error("pseudonymize: salt_var must name an environment variable (letters, digits and _), not '" ~ salt_var ~ "'") }}{% endif -%}
{%- endfor -%}
lower(to_hex(hmac_sha256(to_utf8(cast({{ column }} as varchar)), to_utf8('{{ '{secret:' ~ salt_var ~ '}' }}'))))
{%- endmacro %}

{#- Text ready to compare: NFKC (full-width letters, digits and symbols to ASCII, half-width
    katakana to full-width, the ideographic space to a space), the wave dash 〜 and the
    full-width tilde ～ to `~`, hyphens, dashes and minus signs (U+2010–U+2015, U+2212, U+FF0D)
    to `-` (the long vowel mark ー is kept), runs of spaces to one space, trimmed. -#}
{% macro normalize_text(column) -%}
trim(regexp_replace(translate(normalize(cast({{ column }} as varchar), NFKC), '〜～‐‑‒–—―−－', '~~--------'), ' +', ' '))
{%- endmacro %}

{#- ASCII letters, digits, symbols and the space to full-width (A → Ａ, space → U+3000);
    half-width katakana to full-width (ｱ → ア, ｶﾞ → ガ, ﾊﾟ → パ). Everything else is kept. -#}
{% macro to_zenkaku(column) -%}
translate({% for _ in _kana_voiced %}replace({% endfor %}cast({{ column }} as varchar)
{%- for half, full in _kana_voiced %}, '{{ half }}', '{{ full }}'){% endfor %}, ' !"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ', '　！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜')
{%- endmacro %}

{#- Full-width ASCII letters, digits, symbols and the ideographic space to ASCII; katakana
    that have a half-width form to half-width (ア → ｱ, ガ → ｶﾞ). Hiragana, kanji and ヰ ヱ ヮ ヵ ヶ
    are kept. -#}
{% macro to_hankaku(column) -%}
translate({% for _ in _kana_voiced %}replace({% endfor %}cast({{ column }} as varchar)
{%- for half, full in _kana_voiced %}, '{{ full }}', '{{ half }}'){% endfor %}, '　！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜', ' !"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ')
{%- endmacro %}

{#- A date code as a DATE: `GYYMMDD` as in receipts (G the era: 1 明治 1868, 2 大正 1912,
    3 昭和 1926, 4 平成 1989, 5 令和 2019; year = the era's first year + YY - 1) or `YYYYMMDD`
    (years 1000–2999). Full-width digits and surrounding spaces are fine. NULL for anything
    else and for dates that do not exist. -#}
{% macro wareki_to_date(code) -%}
{%- set v = 'trim(normalize(cast(' ~ code ~ ' as varchar), NFKC))' -%}
case when regexp_like({{ v }}, '^[1-5](0[1-9]|[1-9][0-9])[0-9]{4}$') then try_cast(cast(case substr({{ v }}, 1, 1) when '1' then 1867 when '2' then 1911 when '3' then 1925 when '4' then 1988 when '5' then 2018 end + cast(substr({{ v }}, 2, 2) as integer) as varchar) || '-' || substr({{ v }}, 4, 2) || '-' || substr({{ v }}, 6, 2) as date) when regexp_like({{ v }}, '^[12][0-9]{7}$') then try_cast(substr({{ v }}, 1, 4) || '-' || substr({{ v }}, 5, 2) || '-' || substr({{ v }}, 7, 2) as date) end
{%- endmacro %}

{#- A numeric lab value after normalize_text: an optional comparator (`<` `<=` `>` `>=` `=<`
    `=>` `≦` `≤` `≧` `≥`), the number (an optional `-`, digits with or without thousands
    commas, optional decimals) and an optional 未満, 以下, 以上 or 超 after it. -#}
{%- set _lab_pattern = '^(?:<=|>=|=<|=>|<|>|≦|≧|≤|≥)? ?(-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\\.[0-9]+)?|-?\\.[0-9]+) ?(?:未満|以下|以上|超)?$' -%}

{#- The number in a lab value, as a DOUBLE: `5.6`, `<0.5` → 0.5, `≧10` → 10, `１２．３` → 12.3,
    `1,234` → 1234, `0.5未満` → 0.5. NULL for qualitative results and anything else. -#}
{% macro lab_numeric(column) -%}
cast(replace(regexp_extract({{ normalize_text(column) }}, '{{ _lab_pattern }}', 1), ',', '') as double)
{%- endmacro %}

{#- The comparator of a numeric lab value: `<` (also ＜, 未満), `<=` (≦ ≤ =< 以下), `>` (＞, 超),
    `>=` (≧ ≥ => 以上); NULL when there is none or the value is not numeric. -#}
{% macro lab_comparator(column) -%}
{%- set v = normalize_text(column) -%}
case when regexp_like({{ v }}, '{{ _lab_pattern }}') then case regexp_replace({{ v }}, '[-0-9., ]', '') when '<' then '<' when '未満' then '<' when '<=' then '<=' when '=<' then '<=' when '≦' then '<=' when '≤' then '<=' when '以下' then '<=' when '>' then '>' when '超' then '>' when '>=' then '>=' when '=>' then '>=' when '≧' then '>=' when '≥' then '>=' when '以上' then '>=' end end
{%- endmacro %}

{#- A qualitative lab result as one flag: `-` (-, 陰性), `+-` (±, +-, +/-, 弱陽性), `1+` (+, 1+,
    陽性), `2+` (++, 2+), `3+` (+++, 3+), `4+` (++++, 4+), after normalize_text, with spaces
    removed, ー read as -, and parentheses around the whole value dropped ((-) (+) （±）).
    NULL for anything else. -#}
{% macro lab_qualitative(column) -%}
case regexp_replace(replace(replace({{ normalize_text(column) }}, ' ', ''), 'ー', '-'), '^\((.*)\)$', '$1') when '-' then '-' when '陰性' then '-' when '±' then '+-' when '+-' then '+-' when '+/-' then '+-' when '弱陽性' then '+-' when '+' then '1+' when '1+' then '1+' when '陽性' then '1+' when '++' then '2+' when '2+' then '2+' when '+++' then '3+' when '3+' then '3+' when '++++' then '4+' when '4+' then '4+' end
{%- endmacro %}

{#- Three select-list items from one lab value: `<prefix>_value` (lab_numeric),
    `<prefix>_comparator` (lab_comparator) and `<prefix>_flag` (lab_qualitative). -#}
{% macro parse_lab_value(column, prefix='lab') -%}
{{ lab_numeric(column) }} as {{ prefix }}_value, {{ lab_comparator(column) }} as {{ prefix }}_comparator, {{ lab_qualitative(column) }} as {{ prefix }}_flag
{%- endmacro %}

{#- Five select-list items from a JLAC10 code, 17 letters and digits once full-width characters,
    hyphens, dashes and spaces are dealt with: `<prefix>_analyte` (5, 分析物),
    `_identification` (4, 識別), `_material` (3, 材料), `_method` (3, 測定法), `_result` (2, 結果識別),
    upper case. All five are NULL when the cleaned code is not 17 letters and digits. -#}
{% macro jlac10_parts(column, prefix='jlac10') -%}
{%- set v = "regexp_replace(trim(normalize(cast(" ~ column ~ " as varchar), NFKC)), '[-‐‑‒–—―−ー ]', '')" -%}
{%- for name in ['analyte', 'identification', 'material', 'method', 'result'] -%}
{{ ', ' if not loop.first }}upper(regexp_extract({{ v }}, '^([0-9A-Za-z]{5})([0-9A-Za-z]{4})([0-9A-Za-z]{3})([0-9A-Za-z]{3})([0-9A-Za-z]{2})$', {{ loop.index }})) as {{ prefix }}_{{ name }}
{%- endfor %}
{%- endmacro %}
