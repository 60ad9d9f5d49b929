#!/usr/bin/env bash
# Peer tests: a real project's own unit tests must give the same results after
# `eventless apply` as before it.
#
# Usage: scripts/peer-tests.sh [--eventless BIN] [--review] [CACHE_DIR] [PROJECT...]
#   BIN        defaults to target/release/eventless of this repository (not built here)
#   --review   apply the review-level rewrites too (their named differences
#              must not break a test either)
#   CACHE_DIR  scratch folder, default ~/.cache/eventless-peer (never inside the repo)
#   PROJECT    NAME==VERSION from the corpus, default oslo.messaging==14.7.0 oslo.service==3.4.0
#
# For each project: two scratch copies of its sdist from the corpus cache
# ($EVENTLESS_CORPUS, default ~/.cache/eventless-corpus, fetched as by
# ensure-corpus.sh), one venv per project (Python $PEER_PYTHON, default
# python3.11; reused once installed) with the project, its test-requirements.txt
# and stestr under the upper constraints ($PEER_CONSTRAINTS, default
# ../shared/peer/upper-constraints-2024.1.txt) less the project's own pin. The
# stestr command of tox.ini's [testenv] (with its setenv) runs on the untouched
# copy, then `BIN apply --no-cache .` runs in the other one (a git repository,
# so `git diff` there shows the rewrite) and the same tests run again. Tests
# that fail after but not before are run once more in both copies to tell a
# flaky test from a broken one. Results, logs and tracebacks stay in
# CACHE_DIR/NAME-VERSION/results/{before,after}.
#
# Exit status 1 when a test that passed before fails (or no longer runs) after.
# Not part of CI: it needs PyPI and some minutes per project.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$repo/target/release/eventless
level=()
while [ $# -gt 0 ]; do
  case $1 in
    --review) level=(--review); shift ;;
    --eventless) bin=$2; shift 2 ;;
    --eventless=*) bin=${1#*=}; shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    -*) echo "peer-tests: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
cache=$HOME/.cache/eventless-peer
if [ $# -gt 0 ] && [[ $1 != *==* ]]; then cache=$1; shift; fi
projects=("$@")
[ ${#projects[@]} -gt 0 ] || projects=(oslo.messaging==14.7.0 oslo.service==3.4.0)

corpus=${EVENTLESS_CORPUS:-$HOME/.cache/eventless-corpus}
constraints=${PEER_CONSTRAINTS:-$repo/../shared/peer/upper-constraints-2024.1.txt}
python=${PEER_PYTHON:-python3.11}
timeout=${PEER_TIMEOUT:-2400}
concurrency=${PEER_CONCURRENCY:-2}
helper=$repo/scripts/peer_tests.py

bin=$(realpath "$bin")
[ -x "$bin" ] || { echo "peer-tests: no eventless binary at $bin (--eventless BIN)" >&2; exit 2; }
[ -f "$constraints" ] || { echo "peer-tests: no constraints file $constraints" >&2; exit 2; }
mkdir -p "$cache"
cache=$(realpath "$cache")
case $cache/ in "$repo"/*) echo "peer-tests: CACHE_DIR must be outside the repository" >&2; exit 2 ;; esac
(cache=$corpus; . "$repo/scripts/ensure-corpus.sh"; ensure_corpus)

log() { printf '%s [%s] %s\n' "$(date +%T)" "$project" "$*" >&2; }
now() { date +%s; }

# Creates the venv and installs into it unless the same inputs are installed.
install_venv() {
  local venv=$1 src=$2 sdist=$3 name=$4
  local stamp
  stamp=$( { "$python" --version; echo "$name"; cat "$constraints" "$src/test-requirements.txt" \
             "$src/requirements.txt" 2>/dev/null; sha256sum "$sdist"; } | sha256sum | cut -c1-16)
  if [ -f "$venv/.peer-installed" ] && [ "$(cat "$venv/.peer-installed")" = "$stamp" ]; then
    log "venv $venv already installed"
    return
  fi
  log "installing into $venv (log: $venv.install.log)"
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  local cfile
  cfile=$(mktemp "${TMPDIR:-/tmp}/peer-constraints.XXXXXX")
  python3 "$helper" constraints "$constraints" "$name" "$cfile"
  local reqs=(-r "$src/test-requirements.txt")
  [ -f "$src/requirements.txt" ] && reqs+=(-r "$src/requirements.txt")
  if ! { "$venv/bin/pip" install --disable-pip-version-check 'setuptools<70' &&
         "$venv/bin/pip" install --disable-pip-version-check -c "$cfile" "${reqs[@]}" "$sdist" stestr
       } >"$venv.install.log" 2>&1; then
    rm -f "$cfile"
    tail -30 "$venv.install.log" >&2
    echo "peer-tests: install failed, see $venv.install.log" >&2
    return 1
  fi
  rm -f "$cfile"
  echo "$stamp" >"$venv/.peer-installed"
}

status=0
for spec in "${projects[@]}"; do
  project=$spec
  name=${spec%%==*} version=${spec#*==}
  src=$corpus/src/$name-$version
  sdist=$corpus/sdists/$name-$version.tar.gz
  [ -d "$src" ] && [ -f "$sdist" ] || { echo "peer-tests: $spec is not in $corpus" >&2; exit 2; }
  work=$cache/$name-$version
  venv=$cache/venv-$name-$version
  t0=$(now)
  install_venv "$venv" "$src" "$sdist" "$name"
  t1=$(now)

  rm -rf "$work"
  mkdir -p "$work/results"
  cp -R --preserve=mode,timestamps "$src" "$work/before"
  cp -R --preserve=mode,timestamps "$src" "$work/after"
  (cd "$work/after" && git init -q && git add -A &&
     git -c user.name=peer-tests -c user.email=peer-tests@localhost commit -qm "$spec as released")

  log "tests on the untouched copy"
  python3 "$helper" run --venv "$venv" --copy "$work/before" --out "$work/results/before" \
    --concurrency "$concurrency" --timeout "$timeout"
  t2=$(now)

  log "$bin apply --no-cache ${level[*]} ."
  if ! (cd "$work/after" && "$bin" apply --no-cache "${level[@]}" .) >"$work/results/apply.log" 2>&1; then
    cat "$work/results/apply.log" >&2
    echo "peer-tests: apply failed on $spec" >&2
    status=1; continue
  fi
  tail -1 "$work/results/apply.log" >&2
  # New files (the helpers module) too.
  (cd "$work/after" && git add -N . && git diff) >"$work/results/apply.diff"
  log "tests on the rewritten copy"
  python3 "$helper" run --venv "$venv" --copy "$work/after" --out "$work/results/after" \
    --concurrency "$concurrency" --timeout "$timeout"
  t3=$(now)

  python3 "$helper" newly-failing --before "$work/results/before" --after "$work/results/after" \
    >"$work/results/newly-failing.txt"
  if [ -s "$work/results/newly-failing.txt" ]; then
    log "rerunning the $(wc -l <"$work/results/newly-failing.txt") newly failing tests in both copies"
    for side in after before; do
      python3 "$helper" rerun --venv "$venv" --copy "$work/$side" --out "$work/results/$side" \
        --tests "$work/results/newly-failing.txt" --concurrency "$concurrency" --timeout "$timeout"
    done
  fi
  t4=$(now)

  python3 "$helper" compare --name "$spec" --before "$work/results/before" \
    --after "$work/results/after" || status=1
  echo "  rewrite: cd $work/after && git diff   (also $work/results/apply.diff)"
  echo "  time: install $((t1 - t0)) s, before $((t2 - t1)) s, apply+after $((t3 - t2)) s," \
       "reruns $((t4 - t3)) s, total $((t4 - t0)) s"
done
exit $status
