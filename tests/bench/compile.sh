#!/usr/bin/env bash
# Benchmark `karte compile` on synthetic projects (default: 1,000 and 10,000 models).
#
#   tests/bench/compile.sh            # build karte (release), generate, measure, print Markdown
#   tests/bench/compile.sh 1000 3000  # other project sizes
#
# Environment:
#   CARGO_TARGET_DIR  cargo's target directory (default: $HOME/.cache/karte/target)
#   KARTE_BIN         use this karte binary instead of building one
#   BENCH_DIR         where the generated projects live (default: ${TMPDIR:-/tmp}/karte-bench);
#                     a project is reused when its size, seed and generator are unchanged
#   BENCH_SEED        generator seed (default: 1)
#   BENCH_RUNS        timed runs per project, after one warm-up run (default: 5)
#   BENCH_COMMAND     the karte command measured (default: compile; `lint` too, whose exit
#                     status 1 only means it found something; `docs generate`)
#
# Wall time comes from time.perf_counter around each run, peak RSS from os.wait4() on the
# karte process (its own ru_maxrss, not the wrapper's). If GNU time is installed, the warm-up
# run is also measured with `/usr/bin/time -f '%e %M'` as a cross-check.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_dir="${BENCH_DIR:-${TMPDIR:-/tmp}/karte-bench}"
seed="${BENCH_SEED:-1}"
runs="${BENCH_RUNS:-5}"
export BENCH_COMMAND="${BENCH_COMMAND:-compile}"
if [[ $# -gt 0 ]]; then sizes=("$@"); else sizes=(1000 10000); fi

command -v python3 >/dev/null || { echo "error: python3 is needed" >&2; exit 2; }

# ---- karte ---------------------------------------------------------------------------------
karte_binary

# ---- machine -------------------------------------------------------------------------------
machine
gnu_time=""
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%e %M' true >/dev/null 2>&1; then
    gnu_time=/usr/bin/time
fi

# ---- projects ------------------------------------------------------------------------------
mkdir -p "$bench_dir"
projects=()
for n in "${sizes[@]}"; do
    dir="$bench_dir/m$n-s$seed"
    echo "project: $dir" >&2
    python3 "$repo/tests/bench/gen_project.py" --models "$n" --seed "$seed" --out "$dir" --reuse >/dev/null
    projects+=("$dir")
done

# ---- measure -------------------------------------------------------------------------------
python3 - "$karte" "$runs" "$gnu_time" "$cpu" "$cores" "$mem" "${projects[@]}" <<'PY'
import datetime, json, os, platform, statistics, subprocess, sys, time

karte, runs, gnu_time, cpu, cores, mem = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
projects = sys.argv[7:]
# ru_maxrss is in KiB on Linux, in bytes on macOS.
rss_to_mib = (lambda r: r / 1048576) if sys.platform == "darwin" else (lambda r: r / 1024)


def run_once(cmd, log):
    """Run cmd; return (exit code, wall seconds, peak RSS MiB, CPU seconds, stdout)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    p.stdout.close()
    return p.returncode, wall, rss_to_mib(ru.ru_maxrss), ru.ru_utime + ru.ru_stime, out.decode("utf-8", "replace")


def fmt_s(s):
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


version = subprocess.run([karte, "--version"], capture_output=True, text=True).stdout.strip()
rows, failed = [], False
for d in projects:
    with open(os.path.join(d, ".karte-bench.json"), encoding="utf-8") as f:
        info = json.load(f)
    command = os.environ.get("BENCH_COMMAND", "compile")
    ok_codes = (0, 1) if command == "lint" else (0,)
    cmd = [karte, *command.split(), "--project-dir", d]
    log_path = os.path.join(d, "bench-stderr.log")
    with open(log_path, "wb") as log:
        code, wall, rss, cpu_s, out = run_once(cmd, log)  # warm-up: fills the page cache
    if code not in ok_codes:
        failed = True
        print(f"karte {command} failed on {d} (exit {code}); stderr in {log_path}:", file=sys.stderr)
        with open(log_path, encoding="utf-8", errors="replace") as f:
            tail = f.read().splitlines()[-30:]
        print("\n".join("    " + l for l in tail), file=sys.stderr)
        rows.append((info, None))
        continue
    cross = ""
    if gnu_time:
        r = subprocess.run([gnu_time, "-f", "%e %M", "-o", "/dev/stdout", *cmd],
                           stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        last = r.stdout.strip().splitlines()[-1].split()
        cross = f"/usr/bin/time: {last[0]} s, {int(last[1]) / 1024:.1f} MiB"
    walls, rsss, cpus = [], [], []
    with open(log_path, "ab") as log:
        for _ in range(runs):
            code, wall, rss, cpu_s, out = run_once(cmd, log)
            if code not in ok_codes:
                failed = True
                print(f"karte {command} failed on {d} (exit {code})", file=sys.stderr)
                break
            walls.append(wall)
            rsss.append(rss)
            cpus.append(cpu_s)
    summary_line = out.strip().splitlines()[-1] if out.strip() else ""
    print(f"{info['models']} models: wall {[round(w, 3) for w in walls]} s, CPU {[round(c, 2) for c in cpus]} s, "
          f"peak RSS {[round(r, 1) for r in rsss]} MiB",
          file=sys.stderr)
    print(f"    karte: {summary_line}", file=sys.stderr)
    if cross:
        print(f"    warm-up cross-check with {cross}", file=sys.stderr)
    rows.append((info, (walls, rsss, cpus)))

today = datetime.date.today().isoformat()
print()
print(f"Machine: {cpu}, {cores} cores (nproc), {mem} RAM, {platform.system()} {platform.release()}")
print(f"karte: {version} ({karte}), {today}, {runs} timed runs after 1 warm-up")
print()
print("| models | layers (bronze/silver/gold) | Jinja models | SQL | median wall | min wall | CPU (user+sys) | peak RSS |")
print("|---:|---|---:|---:|---:|---:|---:|---:|")
for info, res in rows:
    layers = "/".join(str(info["layers"][k]) for k in ("bronze", "silver", "gold"))
    mib = info["total_sql_bytes"] / 1048576
    head = f"| {info['models']:,} | {layers} | {info['jinja_models']:,} | {mib:.1f} MiB"
    if res is None or not res[0]:
        print(head + " | failed | failed | failed | failed |")
        continue
    walls, rsss, cpus = res
    print(head + f" | {fmt_s(statistics.median(walls))} | {fmt_s(min(walls))}"
          f" | {fmt_s(statistics.median(cpus))} | {max(rsss):.0f} MiB |")
print()
print("Wall and CPU time: median (and minimum wall) of the timed runs; peak RSS: the largest ru_maxrss of them.")
sys.exit(1 if failed else 0)
PY
