#!/usr/bin/env bash
# Runs the README's test command on a fresh clone in a private directory: clones
# this checkout's HEAD into a `mktemp -d` directory (mode 0700, as a clone under
# /root is) and runs scripts/test.sh there. Catches what a long-lived checkout
# hides: files that only exist here (build outputs, untracked files), and tests
# that need the checkout to be world-readable. Commit first: the clone has only
# what HEAD has. Arguments go to scripts/test.sh (and on to vitest).
#   scripts/fresh-clone-check.sh                   # everything
#   KEEP=1 scripts/fresh-clone-check.sh            # keep the clone afterwards
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
cleanup() {
  if [ "${KEEP:-}" = 1 ]; then echo "fresh-clone-check: clone kept in $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
[ "$(stat -c %a "$dir")" = 700 ] || { echo "fresh-clone-check: $dir is not 0700" >&2; exit 1; }
if [ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
  echo "fresh-clone-check: note: uncommitted changes in $src are not in the clone" >&2
fi
git clone --quiet --no-hardlinks "$src" "$dir/clab-xconnect"
# The parser tests read containerlab's topology corpus from ../shared beside the
# checkout, as CI's clone has it: give the clone the same neighbour.
[ -d "$src/../shared" ] && ln -s "$(cd "$src/../shared" && pwd)" "$dir/shared"
echo "fresh-clone-check: $(git -C "$dir/clab-xconnect" rev-parse --short HEAD) cloned into $dir/clab-xconnect" >&2
cd "$dir/clab-xconnect"
scripts/test.sh "$@"
