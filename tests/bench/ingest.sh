#!/usr/bin/env bash
# Benchmark `karte ingest` of the synthetic deliveries (`karte example-data`) into the local lake.
#
#   tests/bench/ingest.sh            # size large (≈1M persons; generated once, ~1.5 GB of zips)
#   tests/bench/ingest.sh small      # tiny | small | large
#
# The deliveries are generated once into $BENCH_DIR/deliveries-<size> (kept for reruns), then
# ingested into a fresh copy of the example project's ingest rules (example_project/karte.yml +
# example_project/ingest/), timed with /usr/bin/time when present (peak memory = max RSS).
# A second ingest of the same files is timed as well (every file unchanged: checksums only).
#
# Environment:
#   CARGO_TARGET_DIR  cargo's target directory (default: $HOME/.cache/karte/target)
#   KARTE_BIN         use this karte binary instead of building one (release)
#   BENCH_DIR         working directory (default: ${TMPDIR:-/tmp}/karte-bench-ingest)
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
size="${1:-large}"
base="${BENCH_DIR:-${TMPDIR:-/tmp}/karte-bench-ingest}"
deliveries="$base/deliveries-$size"
project="$base/project-$size"

karte_binary

timed() {
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f "  wall %e s, user %U s, sys %S s, peak RSS %M KiB" "$@"
    else
        local t0=$SECONDS
        "$@"
        echo "  wall $((SECONDS - t0)) s (no /usr/bin/time: peak memory not measured)" >&2
    fi
}

mkdir -p "$base"
if [[ ! -f "$deliveries/answer_key.json" ]]; then
    echo "generating the $size deliveries into $deliveries ..." >&2
    timed "$karte" example-data --size "$size" --out "$deliveries"
fi
zips="$(find "$deliveries" -name '*.zip' | wc -l)"
bytes="$(find "$deliveries" -name '*.zip' -printf '%s\n' | awk '{s += $1} END {print s}')"

rm -rf "$project"
mkdir -p "$project"
cp "$repo/example_project/karte.yml" "$project/"
cp -r "$repo/example_project/ingest" "$project/"

cpu="$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^model name[[:space:]]*:[[:space:]]*//' || uname -m)"
echo "machine: $cpu, $(nproc) cores; deliveries: $size, $zips zips, $((bytes / 1000000)) MB"
echo "first ingest (everything new):"
timed "$karte" ingest --project-dir "$project" "$deliveries" | tail -2
echo "second ingest (everything unchanged):"
timed "$karte" ingest --project-dir "$project" "$deliveries" | tail -2
echo "lake: $(du -sm "$project/target/lake" | cut -f1) MB of Parquet"
