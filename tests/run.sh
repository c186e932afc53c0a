#!/usr/bin/env bash
# Runs every test of karte: formatting, lints, and the test suite.
# The one command the README gives, and what CI (.ci/run) calls.
set -euo pipefail
cd "$(dirname "$0")/.."

# Reuse one target dir across runs and clones (DuckDB and the AWS SDK are slow to build).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/karte/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Cargo decides freshness by comparing source mtimes with the last build. When another checkout
# (a CI clone, a second worktree) built into the shared target dir more recently, this
# checkout's older files would look up to date and the tests would run *that* checkout's code.
# Touch the sources when the checkout changed since the last run, so karte itself is rebuilt.
stamp="${CARGO_TARGET_DIR}/.karte-last-checkout"
mkdir -p "${CARGO_TARGET_DIR}"
if [ "$(cat "$stamp" 2>/dev/null)" != "$PWD" ]; then
    find src tests templates example_project Cargo.toml build.rs -type f -exec touch {} + 2>/dev/null || true
    echo "$PWD" >"$stamp"
fi

# The local AWS emulator the Athena tests start (tests/aws/fake_aws.py): moto's server, in a
# virtualenv of its own, bound to 127.0.0.1 by the tests.
venv="${KARTE_VENV:-$HOME/.cache/karte/venv}"
if ! "$venv/bin/python" -c "import moto.server, werkzeug" 2>/dev/null; then
    echo "== installing moto[server] into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'moto[server]==5.2.1'
fi
export KARTE_PYTHON="$venv/bin/python"
# The tests compare what users read in English (snapshots, messages) whatever the machine's
# locale: LANG=ja_JP.UTF-8 would otherwise make karte speak Japanese in them.
export KARTE_LANG=en
# The tests never need real AWS credentials; make sure none are used by accident.
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN || true

# The docs site is tested in a real browser (tests/it/docs_site.rs): Debian's Chromium, with
# Japanese fonts (fonts-noto-cjk) so that its pages and screenshots show Japanese text
# (tests/docs_site/screenshots.sh). CI runs as root on Debian.
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; then
    echo "== installing chromium and fonts-noto-cjk"
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check

# Clippy's lints are checked while the tests compile: clippy-driver stands in for rustc on
# karte's own crate only (RUSTC_WORKSPACE_WRAPPER; CLIPPY_ARGS is how cargo-clippy passes it
# `-D warnings`), so the dependencies — DuckDB's C++ above all — are built once, as the tests
# need them. A separate `cargo clippy` builds in check mode, whose build-script units cargo
# hashes differently: libduckdb-sys's build script ran a second time (~20 minutes on a cold
# target dir, measured on this project's CI machine kind).
export RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

echo "== cargo test (with clippy's lints as errors)"
set +e
cargo test --locked --all-targets 2>&1 | tee "${CARGO_TARGET_DIR}/last-test.log"
status=${PIPESTATUS[0]}
set -e
# One line with the totals over all test binaries.
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "%d passed, %d failed, %d skipped\n", p, f, i }' \
    "${CARGO_TARGET_DIR}/last-test.log"
exit "$status"
