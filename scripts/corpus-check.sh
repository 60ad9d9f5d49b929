#!/usr/bin/env bash
# End-to-end check of `eventless apply` on real OpenStack releases.
#
# Usage: scripts/corpus-check.sh [CACHE_DIR]
#   CACHE_DIR defaults to ~/.cache/eventless-corpus. The corpus is downloaded
#   there by ../shared/corpus/get-corpus.sh (or $EVENTLESS_GET_CORPUS) when
#   missing; it is never copied into the repository.
#
# For every project (each its own tree) on a scratch copy it checks that
# apply never fails, every rewritten file parses (python3 -m py_compile),
# pyflakes finds no new undefined name or unused import in rewritten files,
# flake8 (with hacking) finds no new indentation, line-length, warning or
# import-style message (E1, E5, W, H301, H306) in rewritten files, a module
# it creates (the shared helpers module) compiles with none of those
# messages, no function the rewrite adds is defined in two files, files
# without "eventlet" are byte-identical, and a second run
# (diff --check) has nothing left to change; at both levels, the exact
# rewrites (the default) and with --review. Then `eventless commit` makes
# a series of each project, every commit of which must compile. Exit
# status 1 when any check fails.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-$HOME/.cache/eventless-corpus}
. "$repo/scripts/ensure-corpus.sh"
ensure_corpus
venv=$cache/venv-pyflakes
ensure_venv "$venv" pyflakes pyflakes==3.2.0
# hacking 6.1.0 pins flake8 ~=6.1.0 (pycodestyle 2.11, pyflakes 3.1).
style=$cache/venv-flake8
ensure_venv "$style" flake8 hacking==6.1.0 flake8==6.1.0

cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
exec python3 "$repo/scripts/corpus_check.py" \
  --eventless "$repo/target/release/eventless" \
  --pyflakes "$venv/bin/pyflakes" \
  --flake8 "$style/bin/flake8" \
  --corpus "$cache/src"
