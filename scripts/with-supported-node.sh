#!/usr/bin/env bash
# Runs a command under a Node.js the package supports (engines: ^22.12.0 || >=24.0.0):
#
#   bash scripts/with-supported-node.sh mocha
#
# When the `node` on PATH is supported, the command runs as is. When it is older (a machine still
# on Node 20), scripts/setup-node.sh fetches Node.js 24 into .tools/node-24 (once) and the command
# runs with that directory first on PATH, so it and every `node` it starts (ts-node, mocha, the
# Pulumi language host) use Node.js 24. `npm run demo`, `npm test` and `npm run bench` go through
# here, so the README's commands work on such a machine without an engine error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

supported() {
  local v major minor
  v="$(node -p 'process.versions.node' 2>/dev/null)" || return 1
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  [ "$major" -ge 24 ] || { [ "$major" = 22 ] && [ "$minor" -ge 12 ]; }
}

if ! supported; then
  echo "with-supported-node: node $(node -v 2>/dev/null || echo '(none)') is older than the package supports; running under Node.js 24" >&2
  node_bin="$(bash "$ROOT/scripts/setup-node.sh" 24 | tail -n 1)"
  export PATH="$node_bin:$PATH"
fi
exec "$@"
