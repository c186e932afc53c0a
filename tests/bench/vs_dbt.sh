#!/usr/bin/env bash
# karte's local build against dbt-duckdb on the same generated project (tests/bench/gen_vs_dbt.py).
#
#   tests/bench/vs_dbt.sh              # 1,000 models, 3 rounds
#   tests/bench/vs_dbt.sh 300 5        # models, rounds
#
# Each round runs, in turn, karte then dbt, each twice: a first build into an empty target
# (catalog and lake, or dbt's DuckDB file, removed) and a second build over the first
# (karte swaps in new versions; dbt drops and recreates). Interleaving keeps a drifting machine
# fair to both. Printed: the median wall time, CPU time (user+sys) and peak RSS of each, and
# the ratios of the medians.
#
# dbt-core and dbt-duckdb are installed from PyPI into their own virtualenv, pinned
# (dbt-core 1.12 downloads a parser binary at install time, which this machine cannot reach).
#
# Environment:
#   CARGO_TARGET_DIR  cargo's target directory (default: $HOME/.cache/karte/target)
#   KARTE_BIN         use this karte binary instead of building one (release)
#   DBT_VENV          the virtualenv for dbt (default: $HOME/.cache/karte/venv-dbt)
#   BENCH_DIR         where the projects live (default: ${TMPDIR:-/tmp}/karte-bench-vs-dbt)
#   BENCH_THREADS     threads for both tools (default: 2)
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
models="${1:-1000}"
rounds="${2:-3}"
threads="${BENCH_THREADS:-2}"
dir="${BENCH_DIR:-${TMPDIR:-/tmp}/karte-bench-vs-dbt}/m${models}"
venv="${DBT_VENV:-$HOME/.cache/karte/venv-dbt}"

karte_binary
if ! "$venv/bin/dbt" --version >/dev/null 2>&1; then
    echo "installing dbt-core and dbt-duckdb into $venv ..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'dbt-core==1.11.16' 'dbt-duckdb==1.11.1'
fi

python3 "$repo/tests/bench/gen_vs_dbt.py" --models "$models" --out "$dir" --threads "$threads" >&2

python3 - "$karte" "$venv/bin/dbt" "$dir" "$threads" "$rounds" "$models" <<'PY'
import os, platform, shutil, statistics, subprocess, sys, time

karte, dbt, d, threads, rounds, models = sys.argv[1:7]
rounds = int(rounds)


def run(cmd, cwd):
    log = open(os.path.join(cwd, "bench.log"), "ab")
    start = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed; see {cwd}/bench.log")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


tools = {
    "karte": (os.path.join(d, "karte"), [karte, "build", "--threads", threads, "--quiet"]),
    "dbt-duckdb": (os.path.join(d, "dbt"), [dbt, "run", "--profiles-dir", ".", "--threads", threads]),
}
figures = {(t, k): [] for t in tools for k in ("first", "second")}
for r in range(rounds):
    for tool, (cwd, cmd) in tools.items():
        shutil.rmtree(os.path.join(cwd, "target"), ignore_errors=True)
        for kind in ("first", "second"):
            f = run(cmd, cwd)
            figures[(tool, kind)].append(f)
            print(f"round {r + 1} {tool} {kind}: {f[0]:.1f} s wall, {f[1]:.1f} s CPU, "
                  f"{f[2]:.0f} MiB", file=sys.stderr)


def med(tool, kind, i):
    return statistics.median(x[i] for x in figures[(tool, kind)])


cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
           platform.machine())
mem = next((int(l.split()[1]) / 1048576 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
karte_v = subprocess.run([karte, "--version"], capture_output=True, text=True).stdout.strip()
dbt_v = subprocess.run([dbt, "--version"], capture_output=True, text=True).stdout
dbt_v = " ".join(l.strip().lstrip("-").strip() for l in dbt_v.splitlines()
                 if "installed" in l.lower() or l.strip().startswith("- duckdb"))
print()
print(f"Machine: {cpu}, {os.cpu_count()} cores, {mem:.1f} GiB RAM, {platform.system()} {platform.release()}; "
      f"load average at the end {os.getloadavg()[0]:.1f}")
print(f"karte: {karte_v}; dbt: {dbt_v}")
print(f"Project: {models} models (tests/bench/gen_vs_dbt.py), --threads {threads}, "
      f"{rounds} interleaved rounds, medians")
print()
print("| build | karte wall | dbt-duckdb wall | dbt / karte | karte CPU | dbt CPU | karte peak RSS | dbt peak RSS | dbt / karte |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for kind in ("first", "second"):
    kw, dw = med("karte", kind, 0), med("dbt-duckdb", kind, 0)
    kc, dc = med("karte", kind, 1), med("dbt-duckdb", kind, 1)
    km, dm = med("karte", kind, 2), med("dbt-duckdb", kind, 2)
    print(f"| {kind} | {kw:.1f} s | {dw:.1f} s | {dw / kw:.1f}× | {kc:.1f} s | {dc:.1f} s "
          f"| {km:.0f} MiB | {dm:.0f} MiB | {dm / km:.1f}× |")
PY
