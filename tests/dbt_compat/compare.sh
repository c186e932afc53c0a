#!/usr/bin/env bash
# Build a dbt project with dbt-core + dbt-duckdb and with karte (local engine), then compare
# every table and view dbt built: row counts and contents (as multisets of rows; numbers compared
# as numbers, so 9900 and 9900.0 are equal; a snapshot's run-time columns by presence only).
# Usage (docs/dbt.md):
#
#   DBT=/path/to/venv/bin/dbt KARTE=target/debug/karte tests/dbt_compat/compare.sh DIR
#
# DIR is copied twice into a temporary directory; it is never written. Both tools get the same
# generated profiles.yml (one duckdb output, schema `main`), so schema names are comparable.
# The venv of $DBT must have duckdb (dbt-duckdb brings it) and PyYAML (dbt-core brings it);
# its duckdb must read karte's database file (DuckDB 1.4: pip install 'duckdb>=1.4,<1.5').
# Exit status: 0 when every table matches, 1 when one differs or is missing, 2 on bad usage.
set -euo pipefail

DIR=${1:?usage: compare.sh DBT_PROJECT_DIR}
DIR=$(cd "$DIR" && pwd)
DBT=${DBT:-dbt}
KARTE=${KARTE:-karte}
PY=${PYTHON:-$(dirname "$(command -v "$DBT")")/python}
[ -f "$DIR/dbt_project.yml" ] || { echo "no dbt_project.yml in $DIR" >&2; exit 2; }
KARTE=$(cd "$(dirname "$(command -v "$KARTE")")" && pwd)/$(basename "$KARTE")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/karte-dbt-compare.XXXXXX")
echo "work directory: $WORK"
for side in dbt karte; do
  cp -r "$DIR" "$WORK/$side"
  rm -rf "$WORK/$side/target" "$WORK/$side/logs" "$WORK/$side"/*.duckdb
done

profile=$("$PY" -c 'import sys, yaml; p = yaml.safe_load(open(sys.argv[1])); print(p.get("profile") or p["name"])' "$DIR/dbt_project.yml")
mkdir -p "$WORK/profiles"
cat > "$WORK/profiles/profiles.yml" <<YML
$profile:
  target: compare
  outputs:
    compare:
      type: duckdb
      path: "$WORK/dbt/compare.duckdb"
      schema: main
      threads: 4
YML

set +e
(cd "$WORK/dbt" && "$DBT" build --profiles-dir "$WORK/profiles") > "$WORK/dbt.log" 2>&1
dbt_status=$?
start=$(date +%s.%N)
(cd "$WORK/karte" && "$KARTE" build --profiles-dir "$WORK/profiles") > "$WORK/karte.log" 2>&1
karte_status=$?
end=$(date +%s.%N)
set -e
echo "dbt build: exit $dbt_status (log: $WORK/dbt.log)"
echo "karte build: exit $karte_status in $(echo "$end - $start" | bc)s (log: $WORK/karte.log)"

"$PY" - "$WORK" <<'PY'
import datetime, decimal, os, sys
import duckdb

work = sys.argv[1]
dbt = duckdb.connect(os.path.join(work, "dbt", "compare.duckdb"), read_only=True)
os.chdir(os.path.join(work, "karte"))  # karte's views over Parquet use paths under the project
karte_db = os.path.join("target", "karte.duckdb")
karte = duckdb.connect(karte_db, read_only=True) if os.path.exists(karte_db) else None

def norm(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float, decimal.Decimal)):
        return float("%.9g" % float(v))
    if isinstance(v, (datetime.date, datetime.datetime, datetime.time)):
        return v.isoformat()
    return str(v)

# A snapshot's version columns hold the time of the run (and a hash of it) with the `check`
# strategy: two runs never agree on them. Their presence is compared, their values are not
# (`dbt_valid_to` only as current or closed).
RUN_TIME = {"dbt_scd_id", "dbt_updated_at", "dbt_valid_from"}

def rows(con, schema, name):
    cur = con.execute(f'select * from "{schema}"."{name}"')
    cols = [d[0].lower() for d in cur.description]
    snapshot = RUN_TIME <= set(cols)
    order = sorted(range(len(cols)), key=lambda i: cols[i])
    if snapshot:
        def cell(r, i):
            if cols[i] in RUN_TIME:
                return "(run time)"
            if cols[i] == "dbt_valid_to" and r[i] is not None:
                return "(closed)"
            return norm(r[i])
        data = sorted((tuple(cell(r, i) for i in order) for r in cur.fetchall()), key=repr)
        return [cols[i] for i in order], data
    data = sorted((tuple(norm(r[i]) for i in order) for r in cur.fetchall()), key=repr)
    return [cols[i] for i in order], data

tables = dbt.execute(
    "select table_schema, table_name from information_schema.tables "
    "where table_schema not in ('information_schema', 'pg_catalog') order by 1, 2"
).fetchall()
failed = 0
print(f"{'relation':45} {'dbt rows':>9} {'karte rows':>10}  result")
for schema, name in tables:
    dcols, drows = rows(dbt, schema, name)
    try:
        kcols, krows = rows(karte, schema, name) if karte else (None, None)
    except duckdb.Error as e:
        kcols, krows = None, None
    if krows is None:
        result, failed = "MISSING in karte", failed + 1
        kn = "-"
    else:
        kn = len(krows)
        if dcols != kcols:
            result, failed = f"COLUMNS differ: dbt {dcols} karte {kcols}", failed + 1
        elif drows != krows:
            only_d = [r for r in drows if r not in krows][:3]
            only_k = [r for r in krows if r not in drows][:3]
            result, failed = f"CONTENTS differ: only dbt {only_d} only karte {only_k}", failed + 1
        else:
            result = "same"
    print(f"{schema + '.' + name:45} {len(drows):>9} {kn:>10}  {result}")
print(f"{len(tables)} relations compared, {failed} differ")
sys.exit(1 if failed else 0)
PY
