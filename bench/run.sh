#!/usr/bin/env bash
# Benchmarks eventless on the OpenStack corpus and prints medians.
#
# Usage: bench/run.sh [CACHE_DIR] [RUNS]
#   CACHE_DIR defaults to ~/.cache/eventless-corpus (downloaded there by
#   ../shared/corpus/get-corpus.sh, or $EVENTLESS_GET_CORPUS, when missing);
#   RUNS defaults to 7.
# Compares, as whole processes: `eventless scan` and `eventless diff` over
# nova and over the whole corpus, a bare tree-sitter parse of the same files
# (the floor), `grep -rl eventlet` (the read floor) and ast-grep with an
# equivalent rule set; prints median wall time, ratios and peak memory. Then
# the per-file scaling table: one generated file of 0.25 to 32 MB each.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-$HOME/.cache/eventless-corpus}
runs=${2:-7}
. "$repo/scripts/ensure-corpus.sh"
ensure_corpus
venv=$cache/venv-bench
ensure_venv "$venv" ast-grep ast-grep-cli
cargo build --release --quiet --manifest-path "$repo/Cargo.toml" --bin eventless --example parse_floor
exec python3 "$repo/bench/bench.py" \
  --eventless "$repo/target/release/eventless" \
  --parse-floor "$repo/target/release/examples/parse_floor" \
  --ast-grep "$venv/bin/ast-grep" \
  --rules "$repo/bench/ast-grep-rules.yml" \
  --corpus "$cache/src" --runs "$runs"
