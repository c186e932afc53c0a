#!/usr/bin/env bash
# Benchmark `karte compile` on synthetic projects (default: 1,000 and 10,000 models), each size
# twice: the generator's mix (~70 % plain SQL, ~30 % Jinja) and a dbt-style project where every
# model is a Jinja template (ref()/source(), config(), macros; `gen_project.py --jinja-share 1`).
#
#   tests/bench/compile.sh            # build karte (release), generate, measure, print Markdown
#   tests/bench/compile.sh 1000 3000  # other project sizes
#
# Three situations are timed for `compile`, each BENCH_RUNS times after one warm-up run:
#   cold  — no target dir (so no compiled files and no cache under target/cache/), as in a
#           fresh checkout;
#   warm  — nothing changed since the last compile (the cache and the compiled files are there);
#   edit  — one model's body changed since the last compile (a different model each run, a
#           comment line appended), the rest as it was.
# Other commands (BENCH_COMMAND) are timed warm only.
#
# Environment:
#   CARGO_TARGET_DIR  cargo's target directory (default: $HOME/.cache/karte/target)
#   KARTE_BIN         use this karte binary instead of building one
#   BENCH_DIR         where the generated projects live (default: ${TMPDIR:-/tmp}/karte-bench);
#                     a project is reused when its size, seed and generator are unchanged
#   BENCH_SEED        generator seed (default: 1)
#   BENCH_RUNS        timed runs per project and situation, after one warm-up run (default: 5)
#   BENCH_STYLES      which projects: `mixed`, `jinja` or both (default: "mixed jinja")
#   BENCH_COLD        `rm`: the cold runs delete the target dir just before (default: move it
#                     aside, deleted when the script ends; docs/benchmarks.md says why)
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
styles="${BENCH_STYLES:-mixed jinja}"
if [[ $# -gt 0 ]]; then sizes=("$@"); else sizes=(1000 10000); fi

command -v python3 >/dev/null || { echo "error: python3 is needed" >&2; exit 2; }

# ---- karte ---------------------------------------------------------------------------------
# Without the engines (compile, lint and docs use neither): builds in minutes, not DuckDB's 20.
if [[ "$BENCH_COMMAND" == compile || "$BENCH_COMMAND" == lint || "$BENCH_COMMAND" == "docs generate" ]]; then
    karte_binary --no-default-features
else
    karte_binary
fi

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
    for style in $styles; do
        case "$style" in
            mixed) dir="$bench_dir/m$n-s$seed"; share=0.3 ;;
            jinja) dir="$bench_dir/m$n-s$seed-jinja"; share=1 ;;
            *) echo "error: BENCH_STYLES: unknown style $style (mixed, jinja)" >&2; exit 2 ;;
        esac
        echo "project: $dir" >&2
        python3 "$repo/tests/bench/gen_project.py" --models "$n" --seed "$seed" --out "$dir" \
            --jinja-share "$share" --reuse >/dev/null
        projects+=("$dir")
    done
done

# ---- measure -------------------------------------------------------------------------------
python3 - "$karte" "$runs" "$gnu_time" "$cpu" "$cores" "$mem" "${projects[@]}" <<'PY'
import datetime, json, os, platform, shutil, statistics, subprocess, sys, time

karte, runs, gnu_time, cpu, cores, mem = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
projects = sys.argv[7:]
command = os.environ.get("BENCH_COMMAND", "compile")
ok_codes = (0, 1) if command == "lint" else (0,)
situations = ("cold", "warm", "edit") if command == "compile" else ("warm",)
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


def model_files(d):
    out = []
    for root, _, files in os.walk(os.path.join(d, "models")):
        out += [os.path.join(root, f) for f in files if f.endswith(".sql")]
    out.sort()
    return out


trash = os.path.join(os.path.dirname(os.path.abspath(projects[0])), ".trash")
edits = {}  # project -> [(file, original text)] of the models edited, restored after


def prepare(d, situation, k):
    """Put the project in the situation before run k."""
    if situation == "cold":
        # moved away, not deleted: creating files right after deleting thousands makes ext4
        # scan its recently deleted inodes on every create (see docs/benchmarks.md); a fresh
        # checkout does not pay that. BENCH_COLD=rm measures the other case.
        target = os.path.join(d, "target")
        if os.environ.get("BENCH_COLD") == "rm":
            shutil.rmtree(target, ignore_errors=True)
        elif os.path.exists(target):
            os.makedirs(trash, exist_ok=True)
            os.rename(target, os.path.join(trash, f"{len(os.listdir(trash))}"))
    elif situation == "edit":
        # a model in the middle of the DAG (silver), a different one each run; earlier runs'
        # edits stay, so each run finds exactly one model changed
        files = model_files(d)
        f = files[(len(files) // 2 + 37 * k) % len(files)]
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        edits.setdefault(d, []).append((f, text))
        with open(f, "w", encoding="utf-8") as fh:
            fh.write(text + f"-- benchmark edit {k}\n")


def restore(d):
    for f, text in reversed(edits.pop(d, [])):
        with open(f, "w", encoding="utf-8") as fh:
            fh.write(text)


version = subprocess.run([karte, "--version"], capture_output=True, text=True).stdout.strip()
rows, failed = [], False
for d in projects:
    with open(os.path.join(d, ".karte-bench.json"), encoding="utf-8") as f:
        info = json.load(f)
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
        rows.append((info, "all", None))
        continue
    if gnu_time:
        r = subprocess.run([gnu_time, "-f", "%e %M", "-o", "/dev/stdout", *cmd],
                           stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        last = r.stdout.strip().splitlines()[-1].split()
        print(f"    warm-up cross-check with /usr/bin/time: {last[0]} s, {int(last[1]) / 1024:.1f} MiB",
              file=sys.stderr)
    for situation in situations:
        walls, rsss, cpus = [], [], []
        with open(log_path, "ab") as log:
            for k in range(runs):
                prepare(d, situation, k)
                code, wall, rss, cpu_s, out = run_once(cmd, log)
                if code not in ok_codes:
                    failed = True
                    print(f"karte {command} ({situation}) failed on {d} (exit {code})", file=sys.stderr)
                    break
                walls.append(wall)
                rsss.append(rss)
                cpus.append(cpu_s)
        restore(d)
        summary_line = out.strip().splitlines()[-1] if out.strip() else ""
        print(f"{info['models']} models, {info['jinja_models']} Jinja, {situation}: wall "
              f"{[round(w, 3) for w in walls]} s, CPU {[round(c, 2) for c in cpus]} s, "
              f"peak RSS {[round(r, 1) for r in rsss]} MiB", file=sys.stderr)
        print(f"    karte: {summary_line}", file=sys.stderr)
        rows.append((info, situation, (walls, rsss, cpus) if walls else None))
    # leave the project compiled as it is on disk
    run_once(cmd, subprocess.DEVNULL)

shutil.rmtree(trash, ignore_errors=True)
today = datetime.date.today().isoformat()
print()
print(f"Machine: {cpu}, {cores} cores (nproc), {mem} RAM, {platform.system()} {platform.release()}")
print(f"karte: {version} ({karte}), {today}, `karte {command}`, {runs} timed runs per row after 1 warm-up")
print()
print("| models | Jinja models | SQL | situation | median wall | min wall | CPU (user+sys) | peak RSS |")
print("|---:|---:|---:|---|---:|---:|---:|---:|")
for info, situation, res in rows:
    mib = info["total_sql_bytes"] / 1048576
    head = f"| {info['models']:,} | {info['jinja_models']:,} | {mib:.1f} MiB | {situation}"
    if res is None:
        print(head + " | failed | failed | failed | failed |")
        continue
    walls, rsss, cpus = res
    print(head + f" | {fmt_s(statistics.median(walls))} | {fmt_s(min(walls))}"
          f" | {fmt_s(statistics.median(cpus))} | {max(rsss):.0f} MiB |")
print()
print("cold: no target dir; warm: nothing changed since the last compile; edit: one model changed "
      "since the last compile. Wall and CPU time: median (and minimum wall) of the timed runs; "
      "peak RSS: the largest ru_maxrss of them.")
sys.exit(1 if failed else 0)
PY
