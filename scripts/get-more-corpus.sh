#!/usr/bin/env bash
# More releases for the corpus checker, beyond the main corpus: each list
# under scripts/more-corpus/ names releases (NAME==VERSION) of the 2024.1
# cycle, or the last one before it, that use eventlet.
#
# Usage: scripts/get-more-corpus.sh LIST DIR
#   LIST  scripts/more-corpus/second.txt or third.txt (or a list of your own)
#   DIR   cache folder outside the repository; its sdists/ keeps the
#         downloads and src/ the unpacked releases, which
#         `scripts/corpus_check.py --corpus DIR/src` checks
#
# A release already unpacked in DIR/src is skipped. Needs pip and PyPI.
set -euo pipefail

[ $# -eq 2 ] || { sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
list=$1
dir=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir/sdists" "$dir/src"
case $(realpath "$dir")/ in "$repo"/*) echo "get-more-corpus: DIR must be outside the repository" >&2; exit 2 ;; esac

while read -r spec; do
  [ -n "$spec" ] || continue
  name=${spec%%==*}
  version=${spec##*==}
  # sdists name their folder with the project's name as published, in
  # any spelling of '-', '_' and '.'.
  if compgen -G "$dir/src/${name//[-_.]/[-_.]}-$version" > /dev/null; then
    continue
  fi
  echo "get-more-corpus: $spec" >&2
  python3 -m pip download --quiet --no-deps --no-binary :all: "$spec" -d "$dir/sdists"
  sdist=$(compgen -G "$dir/sdists/${name//[-_.]/[-_.]}-$version.tar.gz" | head -n 1)
  [ -n "$sdist" ] || { echo "get-more-corpus: no sdist of $spec downloaded" >&2; exit 1; }
  tar -xzf "$sdist" -C "$dir/src"
done < "$list"
