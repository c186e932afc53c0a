#!/usr/bin/env bash
# Benchmark `karte build` on the local engine (DuckDB over a Parquet lake).
#
#   tests/bench/build.sh                 # 100 models over 1,000,000 claim lines
#   tests/bench/build.sh 100 4000000     # other sizes: models, rows
#
# Three builds of a generated project (tests/bench/gen_build_project.py) are timed:
#   1. first build  — empty lake: every table created, 24 partitions written;
#   2. second build — the incremental models run incrementally (3-month lookback, merge,
#                     append), tables are rebuilt and swapped;
#   3. full refresh — `--full-refresh`: everything rebuilt from scratch.
#
# Environment:
#   CARGO_TARGET_DIR  cargo's target directory (default: $HOME/.cache/karte/target)
#   KARTE_BIN         use this karte binary instead of building one (release)
#   BENCH_DIR         where the project lives (default: ${TMPDIR:-/tmp}/karte-bench-build)
#   BENCH_THREADS     --threads for karte build (default: number of cores)
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
models="${1:-100}"
rows="${2:-1000000}"
dir="${BENCH_DIR:-${TMPDIR:-/tmp}/karte-bench-build}/m${models}-r${rows}"
threads="${BENCH_THREADS:-$(nproc 2>/dev/null || echo 2)}"

command -v python3 >/dev/null || { echo "error: python3 is needed" >&2; exit 2; }
karte_binary

python3 "$repo/tests/bench/gen_build_project.py" --models "$models" --rows "$rows" --out "$dir" >&2

machine

python3 - "$karte" "$dir" "$threads" "$cpu" "$cores" "$mem" "$models" "$rows" <<'PY'
import datetime, json, os, platform, subprocess, sys, time

karte, d, threads, cpu, cores, mem, models, rows = sys.argv[1:9]


def run(args):
    """Run karte; return (wall s, peak RSS MiB, CPU s, run_results)."""
    start = time.perf_counter()
    log = open(os.path.join(d, "bench.log"), "ab")
    p = subprocess.Popen([karte, *args, "--project-dir", d, "--threads", threads],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"karte {' '.join(args)} failed (exit {code}); see {d}/bench.log")
    with open(os.path.join(d, "target", "run_results.json"), encoding="utf-8") as f:
        results = json.load(f)
    return wall, ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime, results


def lake_mib():
    total = 0
    for root, _, files in os.walk(os.path.join(d, "target", "lake")):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total / 1048576


import shutil
shutil.rmtree(os.path.join(d, "target"), ignore_errors=True)
rows_out = []
for label, args in (("first build (empty lake)", ["build"]),
                    ("second build (incremental)", ["build"]),
                    ("full refresh", ["build", "--full-refresh"])):
    wall, rss, cpu_s, results = run(args)
    nodes = results["results"]
    slow = sorted(nodes, key=lambda r: -r["execution_time"])[:3]
    rows_out.append((label, wall, cpu_s, rss, len(nodes), lake_mib(), slow))
    print(f"{label}: {wall:.2f} s wall, {cpu_s:.2f} s CPU, {rss:.0f} MiB peak; slowest: "
          + ", ".join(f"{r['name']} {r['execution_time']:.2f} s" for r in slow), file=sys.stderr)

version = subprocess.run([karte, "--version"], capture_output=True, text=True).stdout.strip()
print()
print(f"Machine: {cpu}, {cores} cores (nproc), {mem} RAM, {platform.system()} {platform.release()}")
print(f"karte: {version} ({karte}), {datetime.date.today().isoformat()}, --threads {threads}")
print(f"Project: {models} models over {int(rows):,} claim lines (tests/bench/gen_build_project.py)")
print()
print("| build | wall | CPU (user+sys) | peak RSS | nodes run | lake size | slowest node |")
print("|---|---:|---:|---:|---:|---:|---|")
for label, wall, cpu_s, rss, n, lake, slow in rows_out:
    print(f"| {label} | {wall:.2f} s | {cpu_s:.2f} s | {rss:.0f} MiB | {n} | {lake:.0f} MiB "
          f"| {slow[0]['name']} {slow[0]['execution_time']:.2f} s |")
PY
