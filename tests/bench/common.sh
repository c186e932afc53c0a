# Sourced by the benchmark scripts of this directory (not run on its own). Sets:
#   repo              the repository's root
#   CARGO_TARGET_DIR  cargo's target directory (default: $HOME/.cache/karte/target), exported
#   karte             after `karte_binary`: $KARTE_BIN if set, else a release build of karte
#   cpu, cores, mem   after `machine`: what the results were measured on

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/karte/target}"

# The karte binary measured: KARTE_BIN, or `cargo build --release` of this checkout, with the
# cargo flags given (`karte_binary --no-default-features`: without the engines, for commands
# that use neither — no DuckDB C++ or AWS SDK to build, and the binary compiles the same).
karte_binary() {
    if [[ -n "${KARTE_BIN:-}" ]]; then
        karte="$KARTE_BIN"
    else
        echo "building karte (release $*) in $CARGO_TARGET_DIR ..." >&2
        cargo build --release --quiet --manifest-path "$repo/Cargo.toml" --bin karte "$@"
        karte="$CARGO_TARGET_DIR/release/karte"
    fi
    [[ -x "$karte" ]] || { echo "error: no karte binary at $karte" >&2; exit 2; }
}

# The machine, for the report.
machine() {
    cpu="$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^model name[[:space:]]*:[[:space:]]*//' || true)"
    [[ -n "$cpu" ]] || cpu="$(sysctl -n machdep.cpu.brand_string 2>/dev/null || uname -m)"
    cores="$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
    mem="$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null || true)"
}
