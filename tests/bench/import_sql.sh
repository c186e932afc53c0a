#!/usr/bin/env bash
# Benchmark `karte import-sql` on a synthetic corpus of Athena scripts (default: 2,000
# scripts: a DROP + CTAS each, reading the previous table and a master, partitioned, with
# Japanese comments; every 10th script also a monthly INSERT INTO and a view).
#
#   tests/bench/import_sql.sh          # build karte (release), generate, measure
#   tests/bench/import_sql.sh 10000    # another corpus size
#
# Environment: CARGO_TARGET_DIR, KARTE_BIN (measure this binary instead of building one),
# BENCH_DIR (default ${TMPDIR:-/tmp}/karte-bench-import), BENCH_RUNS (default 5).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_dir="${BENCH_DIR:-${TMPDIR:-/tmp}/karte-bench-import}"
runs="${BENCH_RUNS:-5}"
size="${1:-2000}"

karte_binary

python3 - "$karte" "$bench_dir" "$size" "$runs" <<'PY'
import os, shutil, statistics, subprocess, sys, time

karte, bench_dir, size, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
scripts = os.path.join(bench_dir, f"scripts-{size}")
if not os.path.isdir(scripts):
    os.makedirs(scripts)
    with open(os.path.join(scripts, "0000_external.sql"), "w") as f:
        f.write("-- 外部テーブル\nCREATE EXTERNAL TABLE raw.src (id string, v int, code string, ym string)\n"
                "PARTITIONED BY (dt string) STORED AS PARQUET LOCATION 's3://raw/src/';\n")
    for i in range(size):
        prev = f"mart.t{i - 1:05d}" if i else "raw.src"
        text = (f"-- 集計 {i}: 前の表に 1 を足す (毎月 5 日に実行)\nDROP TABLE IF EXISTS mart.t{i:05d};\n"
                f"CREATE TABLE mart.t{i:05d}\nWITH (\n  format = 'PARQUET',\n  -- 年月で分割\n"
                f"  partitioned_by = ARRAY['ym'],\n  external_location = 's3://lake/mart/t{i:05d}/'\n) AS\n"
                f"SELECT a.id, a.v + 1 AS v, b.name, a.code, a.ym   -- 値を 1 足す\nFROM {prev} a\n"
                f"LEFT JOIN master.codes b ON b.code = a.code\nWHERE a.id IS NOT NULL;\n")
        if i % 10 == 0:
            text += (f"\n-- 毎月の追加\nINSERT INTO mart.t{i:05d}\nSELECT a.id, a.v + 1 AS v, b.name, a.code, a.ym\n"
                     f"FROM {prev} a LEFT JOIN master.codes b ON b.code = a.code\n"
                     f"WHERE a.ym = date_format(current_date, '%Y%m');\n\n"
                     f"CREATE OR REPLACE VIEW mart.v{i:05d} AS SELECT ym, count(*) AS n FROM mart.t{i:05d} GROUP BY ym;\n")
        with open(os.path.join(scripts, f"{i + 1:05d}_t.sql"), "w") as f:
            f.write(text)

def once():
    out = os.path.join(bench_dir, "out")
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    p = subprocess.Popen([karte, "import-sql", scripts, "--out", out],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"karte import-sql exited {code}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024

once()  # warm-up
results = [once() for _ in range(runs)]
statements = sum(open(os.path.join(scripts, n)).read().count(";") for n in os.listdir(scripts))
print(f"karte import-sql: {size + 1} scripts ({statements} statements), {runs} runs")
print("| wall median | wall min | CPU median | peak RSS |")
print("|---|---|---|---|")
print(f"| {statistics.median(r[0] for r in results):.2f} s | {min(r[0] for r in results):.2f} s "
      f"| {statistics.median(r[1] for r in results):.2f} s | {max(r[2] for r in results):.0f} MiB |")
PY
