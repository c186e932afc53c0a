#!/usr/bin/env bash
# Regenerate the screenshots of the docs site in docs/img/ (linked from README.md and
# docs/docs-site.md): the example project's site, in Japanese, opened from file:// in headless
# Chromium.
#
#   tests/docs_site/screenshots.sh
#
# Environment:
#   CARGO_TARGET_DIR  cargo's target directory (default: $HOME/.cache/karte/target)
#   KARTE_BIN         use this karte binary instead of building one
# Needs /usr/bin/chromium and Japanese fonts: `apt-get install -y chromium fonts-noto-cjk`
# (tests/run.sh installs both).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/karte/target}"
if [[ -n "${KARTE_BIN:-}" ]]; then
    karte="$KARTE_BIN"
else
    cargo build --quiet --manifest-path "$repo/Cargo.toml" --bin karte
    karte="$CARGO_TARGET_DIR/debug/karte"
fi
[[ -x /usr/bin/chromium ]] || { echo "error: /usr/bin/chromium is missing: apt-get install -y chromium fonts-noto-cjk" >&2; exit 2; }
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || echo "warning: no Noto Sans CJK font: Japanese text may show as boxes (apt-get install -y fonts-noto-cjk)" >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$repo/example_project" "$work/project"
"$karte" docs generate --project-dir "$work/project" --lang ja >/dev/null

shot() { # shot OUT.png WIDTHxHEIGHT HASH
    local profile
    profile="$(mktemp -d "$work/profile.XXXX")"
    /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile" \
        --window-size="${2/x/,}" --virtual-time-budget=5000 --screenshot="$1" \
        "file://$work/project/target/docs/index.html#$3" >/dev/null 2>&1
    echo "wrote $1"
}
shot "$repo/docs/img/docs-site-index.png" 1400x900 "/"
shot "$repo/docs/img/docs-site-model.png" 1400x1700 "/model/gold.pmpm"
