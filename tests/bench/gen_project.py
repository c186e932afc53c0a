#!/usr/bin/env python3
"""Generate a synthetic karte project for benchmarks.

    python3 tests/bench/gen_project.py --models 10000 --out /tmp/bench10k [--seed 1]

The project looks like a medical data lake (claims/レセプト, DPC, lab, pharmacy): three layers
(bronze ~20%, silver ~50%, gold ~30%) split into sub folders of ~50-200 models, ~70% plain-SQL
models and ~30% Jinja models (`--jinja-share 1`: a dbt-style project, every model a template
with ref()/source() for most of what it reads, config() and macros), 20-80 lines of Athena SQL
each, ~20 project macros, one property file per folder and a sources.yml. The DAG is acyclic:
a model reads raw sources (bronze), or models of earlier layers, or models with a lower index
in its own layer. The SQL is column-consistent: every model's output columns are tracked, and
a query only names columns that the relation it reads (source, upstream model or CTE) has, so
`karte compile` reports no unknown (E212) or ambiguous (E213) columns.

Python 3 standard library only. The output is a pure function of (--models, --seed,
--jinja-share).
A stamp file `.karte-bench.json` records the parameters so scripts can reuse the project.
"""

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys

STAMP = ".karte-bench.json"
FORMAT_VERSION = 2  # bump when the generated output changes

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

# domain -> (Japanese label, English label, entities, columns)
# columns: (name, is_numeric, Japanese description)
DOMAINS = {
    "claims": ("レセプト", "claims", ["receipts", "claim_lines", "claim_diagnoses", "claim_procedures"], [
        ("receipt_id", False, "レセプト番号"),
        ("claim_type", False, "レセプト種別 (医科/DPC/調剤/歯科)"),
        ("points", True, "請求点数 (1点=10円)"),
        ("icd10_code", False, "ICD-10 傷病名コード"),
        ("procedure_code", False, "診療行為コード"),
        ("insurer_number", False, "保険者番号"),
        ("days_of_care", True, "診療実日数"),
    ]),
    "dpc": ("DPC", "DPC inpatient", ["dpc_episodes", "dpc_ef_lines", "dpc_groups", "dpc_stays"], [
        ("episode_id", False, "入院エピソードID"),
        ("dpc_code", False, "DPC 14桁コード"),
        ("admission_date", False, "入院日"),
        ("discharge_date", False, "退院日"),
        ("los_days", True, "在院日数"),
        ("discharge_outcome", False, "退院時転帰"),
        ("mdc_code", False, "MDC (主要診断群)"),
    ]),
    "lab": ("検査", "lab", ["lab_results", "lab_orders", "hba1c_tests", "egfr_tests"], [
        ("lab_item_code", False, "検査項目コード (JLAC10)"),
        ("result_value", True, "検査結果値"),
        ("result_unit", False, "単位"),
        ("reference_low", True, "基準値下限"),
        ("reference_high", True, "基準値上限"),
        ("specimen_date", False, "検体採取日"),
    ]),
    "pharmacy": ("調剤", "pharmacy", ["prescriptions", "dispensings", "drug_costs", "drug_exposures"], [
        ("drug_code", False, "医薬品コード (YJ)"),
        ("atc_code", False, "ATC 分類"),
        ("quantity", True, "数量"),
        ("days_supply", True, "投与日数"),
        ("drug_price", True, "薬価"),
        ("generic_flag", False, "後発品フラグ"),
    ]),
    "persons": ("患者", "persons", ["persons", "enrollments", "deaths", "person_months"], [
        ("birth_year", True, "生年"),
        ("age", True, "年齢"),
        ("sex_code", False, "性別コード"),
        ("prefecture_code", False, "都道府県コード"),
        ("insurance_type", False, "保険種別"),
        ("enrollment_months", True, "加入月数"),
    ]),
    "facilities": ("医療機関", "facilities", ["facilities", "wards", "beds", "facility_months"], [
        ("facility_type", False, "医療機関種別"),
        ("bed_count", True, "病床数"),
        ("secondary_area_code", False, "二次医療圏コード"),
        ("dpc_hospital_flag", False, "DPC 対象病院フラグ"),
        ("doctor_count", True, "医師数"),
    ]),
    "encounters": ("受診", "encounters", ["encounters", "visits", "admissions", "er_visits"], [
        ("encounter_id", False, "受診ID"),
        ("setting", False, "入院/外来"),
        ("visit_count", True, "受診回数"),
        ("department_code", False, "診療科コード"),
        ("emergency_flag", False, "救急フラグ"),
    ]),
    "cohorts": ("コホート", "cohorts", ["diabetes_cohort", "ckd_cohort", "cancer_cohort", "stroke_cohort"], [
        ("index_date", False, "組み入れ日"),
        ("cohort_flag", False, "コホート該当フラグ"),
        ("followup_days", True, "追跡日数"),
        ("comorbidity_score", True, "併存疾患スコア"),
    ]),
    "quality": ("医療の質", "quality", ["readmissions", "mortality_rates", "quality_indicators", "los_benchmarks"], [
        ("indicator_code", False, "指標コード"),
        ("numerator", True, "分子"),
        ("denominator", True, "分母"),
        ("readmit_30d", True, "30日以内再入院"),
    ]),
    "costs": ("医療費", "costs", ["monthly_costs", "cost_per_person", "high_cost_cases", "cost_trends"], [
        ("total_points", True, "合計点数"),
        ("cost_yen", True, "医療費 (円)"),
        ("cost_band", False, "医療費帯"),
    ]),
    "outcomes": ("アウトカム", "outcomes", ["outcomes", "survival", "complications", "adverse_events"], [
        ("event_date", False, "イベント発生日"),
        ("event_type", False, "イベント種別"),
        ("days_to_event", True, "イベントまでの日数"),
    ]),
    "research": ("研究用データ", "research", ["study_extracts", "analysis_sets", "covariates", "exposures"], [
        ("study_id", False, "研究ID"),
        ("exposure_flag", False, "曝露フラグ"),
        ("covariate_value", True, "共変量"),
    ]),
}

LAYER_DOMAINS = {
    "bronze": ["claims", "dpc", "lab", "pharmacy", "persons", "facilities"],
    "silver": ["claims", "dpc", "lab", "pharmacy", "persons", "facilities", "encounters", "cohorts"],
    "gold": ["cohorts", "quality", "costs", "outcomes", "research", "claims", "dpc"],
}
LAYER_SHARE = {"bronze": 0.20, "silver": 0.50, "gold": 0.30}
JINJA_SHARE = 0.30
RAW_DOMAINS = LAYER_DOMAINS["bronze"]
CORE = ["person_id", "facility_id", "service_month", "service_date"]
# domain column -> (is_numeric, Japanese description)
VOCAB = {c: (num, desc) for d in DOMAINS.values() for (c, num, desc) in d[3]}

PURPOSES = [
    ("月次集計", "monthly aggregation"),
    ("患者単位の名寄せ", "person-level deduplication"),
    ("最新レコードの抽出", "latest record per person"),
    ("医療機関別の集計", "aggregation per facility"),
    ("対象期間の絞り込み", "restrict to the study period"),
    ("外れ値の除外", "drop outliers"),
    ("コード体系の正規化", "normalise code systems"),
    ("入院・外来の区分付け", "inpatient / outpatient split"),
    ("高額レセプトの抽出", "high-cost claims"),
    ("追跡期間の算出", "follow-up period"),
]
NOTES = [
    "-- 注意: 月遅れ請求があるため直近2か月は確定値ではない",
    "-- NOTE: late claims arrive up to 2 months after the service month",
    "-- 小さいセル (n < 10) は公表前に秘匿すること",
    "-- small cells (n < 10) must be suppressed before publication",
    "-- 返戻・査定後の点数を使う (after reassessment)",
    "-- TODO: 2024年度の診療報酬改定に合わせてコード表を更新",
    "-- see the data dictionary for the code tables",
    "-- 性別コード: 1=男, 2=女, 9=不明",
]

# --------------------------------------------------------------------------------------------
# Macros
# --------------------------------------------------------------------------------------------

# file -> list of (name, args, body, example call or None)
MACROS = {
    "dates.sql": [
        ("fiscal_year", "date_col", "year(date_add('month', -3, {{ date_col }}))", "fiscal_year('service_date')"),
        ("months_back", "n", "date_add('month', -{{ n }}, current_date)", None),
        ("lookback_start", "", "months_back(var('lookback_months'))", None),
        ("yyyymm", "date_col", "cast(date_format({{ date_col }}, '%Y%m') as integer)", "yyyymm('service_date')"),
        ("days_between", "start_col, end_col", "date_diff('day', {{ start_col }}, {{ end_col }})", "days_between('admission_date', 'discharge_date')"),
    ],
    "medical.sql": [
        ("age_band", "age_col", "case when {{ age_col }} < 15 then '0-14' when {{ age_col }} < 65 then '15-64' "
                                "when {{ age_col }} < 75 then '65-74' else '75+' end", "age_band('age')"),
        ("icd10_chapter", "code_col", "substr(upper({{ code_col }}), 1, 1)", "icd10_chapter('icd10_code')"),
        ("is_inpatient", "setting_col", "({{ setting_col }} in ('inpatient', '入院'))", "is_inpatient('setting')"),
        ("mdc_of", "dpc_col", "substr({{ dpc_col }}, 1, 2)", "mdc_of('dpc_code')"),
        ("points_to_yen", "points_col", "({{ points_col }} * 10)", "points_to_yen('points')"),
        ("sex_label", "sex_col", "case {{ sex_col }} when '1' then 'male' when '2' then 'female' else 'unknown' end", "sex_label('sex_code')"),
        ("lab_flag", "value_col, low_col, high_col", "case when {{ value_col }} < {{ low_col }} then 'L' "
                                                     "when {{ value_col }} > {{ high_col }} then 'H' else 'N' end", None),
    ],
    "quality.sql": [
        ("rate_per_1000", "num, den", "round(1000 * {{ safe_divide(num, den) }}, 2)", "rate_per_1000('count_if(rn = 1)', 'count(*)')"),
        ("percent_of", "num, den", "round(100 * {{ safe_divide(num, den) }}, 1)", None),
        ("suppress_small", "count_col, value_col", "case when {{ count_col }} < 10 then null else {{ value_col }} end", None),
        ("winsorize", "col, cap", "least({{ col }}, {{ cap }})", None),
    ],
    "privacy.sql": [
        ("pseudonymize", "col", "to_hex(sha256(to_utf8(cast({{ col }} as varchar) || '{{ var('salt_name', 'bench') }}')))", "pseudonymize('person_id')"),
        ("mask_facility", "col", "concat(substr(cast({{ col }} as varchar), 1, 4), '****')", "mask_facility('facility_id')"),
    ],
    "utils.sql": [
        ("null_if_blank", "col", "nullif(trim({{ col }}), '')", None),
        ("coalesce_zero", "col", "coalesce({{ col }}, 0)", None),
    ],
}
CALLABLE_MACROS = [call for ms in MACROS.values() for (_, _, _, call) in ms if call]


def macro_file_text(file, macros):
    out = [f"{{#- Project macros: {file[:-4]} (generated for benchmarks) -#}}", ""]
    for name, args, body, _ in macros:
        if name == "lookback_start":
            body = "{{ months_back(var('lookback_months')) }}"
        out.append(f"{{% macro {name}({args}) -%}}")
        out.append(body)
        out.append("{%- endmacro %}")
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Project layout
# --------------------------------------------------------------------------------------------


class Model:
    __slots__ = ("idx", "name", "layer", "domain", "folder", "jinja", "upstreams", "entity",
                 "columns", "text", "lines", "incremental")


def plan(n_models, rng, jinja_share=JINJA_SHARE):
    """Decide every model's layer, folder, name, style and upstreams."""
    counts = {"bronze": round(n_models * LAYER_SHARE["bronze"]),
              "gold": round(n_models * LAYER_SHARE["gold"])}
    counts["silver"] = n_models - counts["bronze"] - counts["gold"]
    width = max(4, len(str(n_models)))
    models, by_layer = [], {}
    gidx = 0
    for layer in ("bronze", "silver", "gold"):
        n = counts[layer]
        domains = LAYER_DOMAINS[layer]
        n_folders = max(1, round(n / 120))
        # folder sizes: around n / n_folders, +-40%, summing to n
        weights = [rng.uniform(0.6, 1.4) for _ in range(n_folders)]
        total = sum(weights)
        sizes = [max(1, int(n * w / total)) for w in weights]
        sizes[-1] += n - sum(sizes)
        per_domain = {}
        folders = []
        for f in range(n_folders):
            d = domains[f % len(domains)]
            per_domain[d] = per_domain.get(d, 0) + 1
        seen = {}
        for f in range(n_folders):
            d = domains[f % len(domains)]
            seen[d] = seen.get(d, 0) + 1
            folder = d if per_domain[d] == 1 else f"{d}_{seen[d]:02d}"
            folders.append((d, folder, sizes[f]))
        layer_models = []
        for d, folder, size in folders:
            entities = DOMAINS[d][2]
            for _ in range(size):
                gidx += 1
                m = Model()
                m.idx = gidx
                m.layer, m.domain, m.folder = layer, d, folder
                m.entity = rng.choice(entities)
                prefix = "stg_" if layer == "bronze" else ""
                m.name = f"{prefix}{m.entity}_{gidx:0{width}d}"
                m.jinja = rng.random() < jinja_share
                m.incremental = False
                layer_models.append(m)
        by_layer[layer] = layer_models
        models.extend(layer_models)

    n_raw = max(12, counts["bronze"] // 4)
    raw = []
    for k in range(n_raw):
        d = RAW_DOMAINS[k % len(RAW_DOMAINS)]
        raw.append((d, f"{d}_{k // len(RAW_DOMAINS):03d}"))
    raw_by_domain = {}
    for d, t in raw:
        raw_by_domain.setdefault(d, []).append(t)

    for layer in ("bronze", "silver", "gold"):
        own = by_layer[layer]
        earlier = {"bronze": [], "silver": by_layer["bronze"], "gold": by_layer["silver"]}[layer]
        for i, m in enumerate(own):
            ups = []
            if layer == "bronze":
                ups.append(("source", "raw", rng.choice(raw_by_domain[m.domain])))
                if rng.random() < 0.25:
                    ups.append(("source", "raw", rng.choice(raw_by_domain["persons"])))
                if i > 0 and rng.random() < 0.15:
                    u = own[rng.randrange(max(0, i - 200), i)]
                    ups.append(("model", u.layer, u.name))
            else:
                k = rng.choices([1, 2, 3, 4], weights=[25, 35, 25, 15])[0]
                names = set()
                for _ in range(k * 3):
                    if len(ups) >= k:
                        break
                    if i > 0 and rng.random() < 0.4:
                        u = own[rng.randrange(max(0, i - 300), i)]  # same layer, lower index
                    else:
                        u = rng.choice(earlier)
                    if u.name not in names:
                        names.add(u.name)
                        ups.append(("model", u.layer, u.name))
            m.upstreams = ups
    return models, raw


# --------------------------------------------------------------------------------------------
# SQL
# --------------------------------------------------------------------------------------------


def domain_of(up, index):
    kind, ns, name = up
    if kind == "source":
        return name.rsplit("_", 1)[0]
    return index[name].domain


def emit(L, items, indent, per_line, comment="", trailing=""):
    """Append a comma-separated list, `per_line` items a line; `trailing` ends the last line."""
    rows = [items[i:i + per_line] for i in range(0, len(items), per_line)]
    for k, row in enumerate(rows):
        end = "," if k < len(rows) - 1 else trailing
        L.append(indent + ", ".join(row) + end + (comment if k == len(rows) - 1 else ""))


def build_sql(m, rng, index):
    """One model's SQL text (plain SQL or a Jinja template), 20-80 lines."""
    first = rng.choice([1, 2, 3, 4])
    state = rng.getstate()
    for per_line in (first, 3, 4, 6):
        m.incremental = False
        text = _build_sql(m, rng, index, per_line)
        if text.count("\n") <= 80:
            return text
        rng.setstate(state)  # same choices, more compact layout
    return text


def _build_sql(m, rng, index, per_line):
    J = m.jinja
    L = []
    purpose = rng.choice(PURPOSES)
    # staging models keep rows; marts aggregate
    aggregate = rng.random() < {"bronze": 0.1, "silver": 0.4, "gold": 0.85}[m.layer]
    jp, en = DOMAINS[m.domain][0], DOMAINS[m.domain][1]
    L.append(f"-- {jp}: {purpose[0]}")
    L.append(f"-- {en}: {purpose[1]} ({m.layer} layer)")
    if rng.random() < 0.5:
        L.append(rng.choice(NOTES))

    if J:
        r = rng.random()
        if m.layer != "bronze" and r < 0.3:
            m.incremental = True
            key = "['service_month', 'facility_id']" if aggregate else "'row_key'"
            L.append("{{ config(materialized='incremental', unique_key=%s, partitioned_by=['service_month']) }}" % key)
        elif r < 0.5:
            L.append("{{ config(materialized='table', tags=['%s', 'monthly']) }}" % m.domain)
        if rng.random() < 0.3:
            L.append("{# rendered by karte; edit the template, not target/compiled #}")

    def rel(up, first):
        # Jinja models use ref()/source() for the first upstream, and mostly for the others.
        kind, ns, name = up
        jinja = J and (first or rng.random() < 0.8)
        if kind == "source":
            return "{{ source('raw', '%s') }}" % name if jinja else f"raw.{name}"
        return "{{ ref('%s') }}" % name if jinja else f"{ns}.{name}"

    # Every relation's columns are tracked: a CTE selects only columns its upstream has (a
    # source may have more columns than it declares, so any domain column can be read from
    # one), and a model's output columns (m.columns) are what its final select names.
    used = set(CORE)
    ctes = []  # (cte name, alias, columns, reads a whole model with `select *`)
    L.append("with")
    for n, up in enumerate(m.upstreams):
        d = domain_of(up, index)
        need = CORE if n == 0 else ["person_id", "service_month"]
        if up[0] == "source":
            have = None
            cand = [c[0] for c in DOMAINS[d][3]]
            expr = {c: c for c in CORE}
        else:
            have = index[up[2]].columns
            # domain columns, and the totals of an aggregate (`sum_points as points`)
            cand = [c for c in have if c in VOCAB and c not in CORE]
            cand += [c[4:] for c in have if c.startswith("sum_") and c[4:] in VOCAB]
            expr = {c: upstream_expr(c, have, J) for c in CORE}
        cand = [c for c in cand if c not in used]
        rng.shuffle(cand)
        take = cand[: rng.randint(2, 3)]
        if n == 0 and not any(VOCAB[c][0] for c in take):
            take.append(next(c for c in cand if VOCAB[c][0]))
        used.update(take)
        cols = list(need) + take
        items = [c if expr[c] == c else f"{expr[c]} as {c}" for c in need]
        items += [c if have is None or c in have else f"sum_{c} as {c}" for c in take]
        shadow = (up[0] == "model" and all(c in have for c in CORE) and rng.random() < 0.125)
        cte = up[2] if shadow else f"{d}_{n + 1}"
        alias = "abcd"[n]
        comment = ""
        if rng.random() < 0.4:
            jpdesc = next((VOCAB[c][1] for c in take if VOCAB[c][1]), "")
            if jpdesc:
                comment = f"  -- {jpdesc}"
        L.append(f"{cte} as (")
        if shadow:
            L.append("    select *")
        elif per_line >= 4:
            L.append(f"    select {', '.join(items)}{comment}")
        else:
            L.append("    select")
            emit(L, items, "        ", per_line, comment)
        L.append(f"    from {rel(up, n == 0)}")
        if up[0] == "source":
            L.append("    where person_id is not null")
            L.append("      and service_month >= "
                     + ("{{ yyyymm(lookback_start()) }}" if J and rng.random() < 0.3
                        else "cast(date_format(date_add('month', -36, current_date), '%Y%m') as integer)"))
        elif J and rng.random() < 0.5:
            L.append(f"    where {expr['service_date']} >= date_add('month', -{{{{ var('lookback_months') }}}}, current_date)")
        elif rng.random() < 0.5:
            L.append(f"    where {expr['service_date']} >= current_date - interval '3' year")
        else:
            L.append(f"    where {expr['person_id']} is not null")
        if n == 0 and m.incremental:
            L.append("    {% if is_incremental() %}")
            L.append(f"      and {expr['service_month']} >= (select max(service_month) from {{{{ this }}}})")
            L.append("    {% endif %}")
        L.append("),")
        ctes.append((cte, alias, cols, shadow))

    measures = sorted(c for c in used if c in VOCAB and VOCAB[c][0])
    measure = measures[0]
    cats = sorted(c for c in used if c not in measures and c not in CORE and not c.endswith("_date"))

    # join
    base_cols = []
    if len(ctes) > 1:
        L.append("joined as (")
        L.append("    select")
        sel = []
        for cte, alias, cols, _ in ctes:
            for c in cols:
                if c in CORE and alias != "a":
                    continue
                sel.append(f"{alias}.{c}")
                base_cols.append(c)
        emit(L, sel, "        ", per_line)
        L.append(f"    from {ctes[0][0]} a")
        for cte, alias, cols, _ in ctes[1:]:
            how = rng.choice(["inner join", "left join", "left join"])
            on = f"a.person_id = {alias}.person_id"
            if rng.random() < 0.6:
                on += f"\n       and a.service_month = {alias}.service_month"
            if per_line >= 6:
                L.append(f"    {how} {cte} {alias} on " + " ".join(on.split()))
            else:
                L.append(f"    {how} {cte} {alias}")
                L.append(f"        on {on}")
        L.append("),")
        src = "joined"
    else:
        base_cols = list(ctes[0][2])
        src = ctes[0][0]

    # window functions
    L.append("windowed as (")
    L.append("    select")
    if len(ctes) == 1 and ctes[0][3]:
        # the CTE is the whole upstream model: name the columns used, not `w.*`
        emit(L, [f"w.{c}" for c in base_cols], "        ", per_line, trailing=",")
    else:
        L.append("        w.*,")
    L.append("        row_number() over (partition by w.person_id order by w.service_date desc) as rn,")
    has_lag = rng.random() < 0.6
    if has_lag:
        L.append("        lag(w.service_date) over (partition by w.person_id order by w.service_date) as prev_service_date,")
    if per_line >= 6:
        L.append(f"        sum(w.{measure}) over (partition by w.person_id order by w.service_month"
                 f" rows between 2 preceding and current row) as {measure}_3m,")
    else:
        L.append(f"        sum(w.{measure}) over (")
        L.append("            partition by w.person_id order by w.service_month")
        L.append(f"            rows between 2 preceding and current row) as {measure}_3m,")
    L.append("        date_trunc('month', w.service_date) as month_start")
    L.append(f"    from {src} w")
    L.append(")," if aggregate else ")")
    windowed = set(base_cols) | {"rn", "month_start", f"{measure}_3m"}
    if has_lag:
        windowed.add("prev_service_date")

    if aggregate:
        # aggregates are per month and facility (sometimes also per category), so readers can
        # still join them on facility_id
        dim = "facility_id" if m.incremental or not cats else rng.choice(["facility_id"] + cats[:2])
        keys = ["service_month", "facility_id"] if m.incremental else ["month_start", "facility_id"]
        if dim != "facility_id":
            keys.append(dim)
        L.append("summary as (")
        L.append("    select")
        for k in keys:
            L.append(f"        {k},")
        L.append("        count(*) as n_rows,")
        L.append("        count(distinct person_id) as n_persons,  -- 実患者数")
        L.append(f"        sum({measure}) as sum_{measure},")
        L.append(f"        approx_percentile({measure}, 0.5) as median_{measure},")
        L.append(f"        approx_percentile({measure}, 0.9) as p90_{measure},")
        L.append("        count_if(rn = 1) as n_latest,")
        if J and rng.random() < 0.6:
            L.append("        {{ safe_divide('sum(%s)', 'count(distinct person_id)') }} as %s_per_person," % (measure, measure))
        else:
            L.append(f"        cast(sum({measure}) as double) / nullif(count(distinct person_id), 0) as {measure}_per_person,")
        if J and rng.random() < 0.4:
            L.append("        {{ rate_per_1000('count_if(rn = 1)', 'count(*)') }} as latest_per_1000,")
        L.append(f"        max_by(person_id, {measure}) as top_person_id")
        L.append("    from windowed")
        if rng.random() < 0.5:
            L.append(f"    group by {', '.join(str(i + 1) for i in range(len(keys)))}")
        else:
            L.append(f"    group by {', '.join(keys)}")
        L.append(f"    having count(*) > 0")
        L.append(")")
        L.append("select")
        out = []
        for k in keys:
            if not (m.incremental and k == "service_month"):
                out.append(f"s.{k}")
        out += ["s.n_rows", "s.n_persons", f"s.sum_{measure}", f"s.median_{measure}", f"s.p90_{measure}"]
        out += [f"s.{measure}_per_person", "s.top_person_id"]
        case = [
            "case",
            f"        when s.median_{measure} is null then 'unknown'",
            f"        when s.p90_{measure} >= 10 * s.median_{measure} then 'skewed'  -- 外れ値が多い",
            f"        when s.n_persons < 10 then 'suppressed'  -- 秘匿対象",
            "        else 'ok'",
            "    end as quality_flag",
        ]
        emit(L, out, "    ", per_line, trailing=",")
        L.append("    " + "\n".join(case) + ("," if m.incremental else ""))
        names = [o[2:] for o in out] + ["quality_flag"]
        if m.incremental:
            L.append("    s.service_month")
            names.append("service_month")
        L.append("from summary s")
        L.append("where s.n_rows > 0")
        if rng.random() < 0.3:
            L.append("  and s.month_start >= date '2019-04-01'  -- 2019年度以降" if not m.incremental
                     else "  and s.service_month >= 201904  -- 2019年度以降")
    else:
        L.append("select")
        out = [c for c in base_cols if not (m.incremental and c == "service_month")]
        names = list(out)
        if J and (m.incremental or rng.random() < 0.5):
            out.insert(0, "{{ surrogate_key(['person_id', 'service_month']) }} as row_key")
            names.insert(0, "row_key")
        if J and rng.random() < 0.7:
            call, alias = _macro_alias(rng, windowed)
            out.append("{{ %s }} as %s" % (call, alias))
            names.append(alias)
        out.append("prev_service_date" if has_lag else "month_start")
        out.append(f"{measure}_3m")
        names += out[-2:]
        emit(L, out, "    ", per_line, trailing=",")
        if J and rng.random() < 0.4:
            if "setting" in windowed:
                L.append("    {% for s in ['inpatient', 'outpatient', 'pharmacy'] %}")
                L.append(f"    case when setting = '{{{{ s }}}}' then {measure} else 0 end as {measure}_{{{{ s }}}},")
                names += [f"{measure}_{s}" for s in ("inpatient", "outpatient", "pharmacy")]
            else:
                L.append("    {% for y in [2022, 2023, 2024] %}")
                L.append(f"    case when year(service_date) = {{{{ y }}}} then {measure} else 0 end as {measure}_{{{{ y }}}},")
                names += [f"{measure}_{y}" for y in (2022, 2023, 2024)]
            L.append("    {% endfor %}")
        L.append("    case")
        L.append(f"        when {measure} is null then 'missing'  -- 欠損")
        L.append(f"        when {measure} < 0 then 'invalid'")
        L.append(f"        when {measure} >= 100000 then 'high'  -- 高額")
        L.append("        else 'normal'")
        L.append("    end as " + ("value_band," if m.incremental else "value_band"))
        names.append("value_band")
        if m.incremental:
            L.append("    service_month")
            names.append("service_month")
        L.append("from windowed")
        L.append("where rn = 1" if rng.random() < 0.6 else "where service_date is not null")
        if rng.random() < 0.4:
            L.append(f"  and coalesce({measure}, 0) >= 0  -- マイナス値は返戻")
    assert len(set(names)) == len(names), (m.name, names)
    m.columns = names
    return "\n".join(L) + "\n"


def upstream_expr(col, have, J):
    """How a CTE reads core column `col` from an upstream model with columns `have`.

    Row-level models have all of CORE; aggregates have month_start (or, if incremental,
    service_month), facility_id and top_person_id instead."""
    if col in have:
        return col
    if col == "person_id":
        return "top_person_id"
    if col == "service_date":
        if "month_start" in have:
            return "month_start"
        return "cast(date_parse(cast(service_month as varchar), '%Y%m') as date)"
    if col == "service_month":
        return "{{ yyyymm('month_start') }}" if J else "cast(date_format(month_start, '%Y%m') as integer)"
    raise AssertionError(f"upstream has no {col}: {have}")


_MACRO_ALIASES = {
    "fiscal_year": "fiscal_year", "yyyymm": "service_yyyymm", "days_between": "stay_days",
    "age_band": "age_band", "icd10_chapter": "icd10_chapter", "is_inpatient": "inpatient_flag",
    "mdc_of": "mdc", "points_to_yen": "amount_yen", "sex_label": "sex", "rate_per_1000": "rate_per_1000",
    "pseudonymize": "person_key", "mask_facility": "facility_masked",
}


def _macro_alias(rng, columns):
    """A project macro call whose column arguments are all in `columns`, and its alias."""
    calls = [c for c in CALLABLE_MACROS if not c.startswith("rate_per_1000")
             and all(a in columns for a in re.findall(r"'(\w+)'", c))]
    call = rng.choice(calls)
    return call, _MACRO_ALIASES[call.split("(")[0]]



# --------------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------------


def q(s):
    """A YAML double-quoted scalar."""
    return json.dumps(s, ensure_ascii=False)


def column_doc(c):
    """(is_numeric, description) of a model column worth describing, or None."""
    if c in VOCAB:
        return VOCAB[c]
    if c.startswith("sum_") and c[4:] in VOCAB:
        return True, "合計 " + VOCAB[c[4:]][1]
    if c == "n_persons":
        return True, "実患者数"
    if c == "value_band":
        return False, "値の区分 (missing/invalid/high/normal)"
    return None


def properties_yaml(models, rng):
    out = ["version: 2", "", "models:"]
    for m in models:
        if rng.random() >= 0.85:
            continue
        jp, en = DOMAINS[m.domain][0], DOMAINS[m.domain][1]
        out.append(f"  - name: {m.name}")
        out.append(f"    description: {q(f'{jp} ({en}) {m.entity} #{m.idx}')}")
        if rng.random() < 0.1:
            out.append("    config:")
            out.append(f"      tags: [{m.domain}, {m.layer}]")
        # only columns the model has: aggregates have top_person_id, sum_<measure>, n_persons
        out.append("    columns:")
        out.append("      - name: " + ("person_id" if "person_id" in m.columns else "top_person_id"))
        out.append("        description: 仮名化された患者ID (pseudonymised person id)")
        out.append("        classification: pseudonym")
        out.append("        tests: [not_null]")
        if rng.random() < 0.6:
            out.append("      - name: facility_id")
            out.append("        description: 医療機関コード")
        described = [c for c in m.columns if column_doc(c)]
        for name in rng.sample(described, 2):
            numeric, desc = column_doc(name)
            out.append(f"      - name: {name}")
            out.append(f"        description: {q(desc)}")
            if numeric:
                out.append("        data_type: double")
        if "quality_flag" in m.columns and rng.random() < 0.3:
            out.append("      - name: quality_flag")
            out.append("        tests:")
            out.append("          - accepted_values:")
            out.append("              values: [unknown, skewed, suppressed, ok]")
    return "\n".join(out) + "\n"


def sources_yaml(raw):
    out = ["version: 2", "", "sources:", "  - name: raw",
           "    description: 連携元システムから取り込んだ生データ (raw extracts)", "    tables:"]
    for d, t in raw:
        out.append(f"      - name: {t}")
        out.append(f"        description: {q(DOMAINS[d][0] + ' raw extract')}")
        out.append("        columns:")
        out.append("          - name: person_id")
        out.append("            tests: [not_null]")
    return "\n".join(out) + "\n"


KARTE_YML = """name: bench_lake
layers:
  bronze: bronze
  silver: silver
  gold: gold
vars:
  lookback_months: 3
models:
  +materialized: view
  silver:
    +materialized: table
  gold:
    +materialized: table
"""

# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def generator_digest():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", type=int, required=True, help="number of models")
    ap.add_argument("--out", required=True, help="project directory to create")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--jinja-share", type=float, default=JINJA_SHARE,
                    help="share of Jinja models, 0..1 (default 0.3; 1 = a dbt-style project where "
                         "every model is a template with ref()/source(), config() and macros)")
    ap.add_argument("--force", action="store_true",
                    help="write into a non-empty directory that was not made by this script")
    ap.add_argument("--reuse", action="store_true",
                    help="do nothing if --out already holds this project (same models, seed, generator)")
    args = ap.parse_args(argv)
    if args.models < 10:
        ap.error("--models must be at least 10")
    if not 0 <= args.jinja_share <= 1:
        ap.error("--jinja-share must be between 0 and 1")

    out = os.path.abspath(args.out)
    stamp_path = os.path.join(out, STAMP)
    if args.reuse and os.path.exists(stamp_path):
        try:
            with open(stamp_path, encoding="utf-8") as f:
                old = json.load(f)
        except (OSError, ValueError):
            old = {}
        if (old.get("models"), old.get("seed"), old.get("generator"),
                old.get("jinja_share", JINJA_SHARE)) == (
                args.models, args.seed, generator_digest(), args.jinja_share):
            print(json.dumps(old))
            return
    if os.path.isdir(out) and os.listdir(out):
        if not (os.path.exists(stamp_path) or args.force):
            sys.exit(f"error: {out} is not empty and was not generated by this script (use --force)")
        for sub in ("models", "macros", "target"):
            shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
        if os.path.exists(stamp_path):
            os.remove(stamp_path)

    rng = random.Random(args.seed)
    models, raw = plan(args.models, rng, args.jinja_share)
    index = {m.name: m for m in models}

    os.makedirs(os.path.join(out, "macros"), exist_ok=True)
    with open(os.path.join(out, "karte.yml"), "w", encoding="utf-8") as f:
        f.write(KARTE_YML)
    for file, macros in MACROS.items():
        with open(os.path.join(out, "macros", file), "w", encoding="utf-8") as f:
            f.write(macro_file_text(file, macros))
    os.makedirs(os.path.join(out, "models"), exist_ok=True)
    with open(os.path.join(out, "models", "sources.yml"), "w", encoding="utf-8") as f:
        f.write(sources_yaml(raw))

    folders = {}
    lines = []
    for m in models:
        m.text = build_sql(m, rng, index)
        m.lines = m.text.count("\n")
        lines.append(m.lines)
        folders.setdefault((m.layer, m.folder), []).append(m)
    for (layer, folder), ms in folders.items():
        d = os.path.join(out, "models", layer, folder)
        os.makedirs(d, exist_ok=True)
        for m in ms:
            with open(os.path.join(d, m.name + ".sql"), "w", encoding="utf-8") as f:
                f.write(m.text)
        with open(os.path.join(d, f"_{folder}.yml"), "w", encoding="utf-8") as f:
            f.write(properties_yaml(ms, rng))

    per_layer = {}
    for m in models:
        per_layer[m.layer] = per_layer.get(m.layer, 0) + 1
    n_jinja = sum(m.jinja for m in models)
    lines.sort()
    summary = {
        "models": args.models,
        "seed": args.seed,
        "format": FORMAT_VERSION,
        "generator": generator_digest(),
        "jinja_share": args.jinja_share,
        "layers": per_layer,
        "folders": len(folders),
        "jinja_models": n_jinja,
        "plain_models": len(models) - n_jinja,
        "incremental_models": sum(m.incremental for m in models),
        "raw_source_tables": len(raw),
        "macros": sum(len(v) for v in MACROS.values()),
        "edges": sum(len(m.upstreams) for m in models),
        "lines_per_model": {"min": lines[0], "median": lines[len(lines) // 2], "max": lines[-1]},
        "total_sql_bytes": sum(len(m.text.encode("utf-8")) for m in models),
    }
    with open(stamp_path, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
