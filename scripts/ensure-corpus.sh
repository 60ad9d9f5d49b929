#!/usr/bin/env bash
# Sourced by the corpus scripts: makes sure the corpus is in $cache/src,
# downloading it with ../shared/corpus/get-corpus.sh (or
# $EVENTLESS_GET_CORPUS) when missing, and that $1 (a venv folder under
# $cache) has the PyPI packages named after it.
ensure_corpus() {
  local get_corpus=${EVENTLESS_GET_CORPUS:-$repo/../shared/corpus/get-corpus.sh}
  if [ ! -d "$cache/src" ] || [ -z "$(ls -A "$cache/src" 2>/dev/null)" ]; then
    bash "$get_corpus" "$cache" >&2
  fi
}

ensure_venv() {
  local venv=$1 tool=$2
  shift 2
  if [ ! -x "$venv/bin/$tool" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "$@"
  fi
}
