#!/usr/bin/env bash
# Runs test files again and again beside two CPU-bound processes, to show that they do not depend on the machine's
# speed; stops at the first failing run and says which one it was:
#
#   bash scripts/repeat-tests.sh                      # 30 runs of the default files below
#   bash scripts/repeat-tests.sh 10                   # 10 runs of them
#   bash scripts/repeat-tests.sh 30 tests/unit/retry.test.ts tests/hostile/races.test.ts
#
# Mocha runs under the supported Node.js (scripts/with-supported-node.sh), with .mocharc.json less any `spec` (mocha
# adds a configured spec to the files given, which would run the whole suite). The package is built once first: some suites run
# the built CLI. Each run's output goes to a log file, named when a run fails. Exit status: 0 when every run passed,
# 1 at the first failure, 130 on Ctrl-C; the CPU-bound processes are ended either way.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The tests that used to depend on timing, and the refresh that kept an orphaned device only when a listing of the
# account's virtual devices did not start in the same millisecond as the user's deletion.
DEFAULT_FILES=(
  tests/unit/rate-limit.test.ts
  tests/unit/retry.test.ts
  tests/unit/virtual-mfa.test.ts
  tests/emulator/performance.test.ts
  tests/teardown/engine.test.ts
  tests/teardown/provider.test.ts
  tests/cli/fleet.test.ts
  tests/hostile/fault-matrix.test.ts
  tests/hostile/races.test.ts
)

runs=30
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
  runs="$1"
  shift
fi
if [ "$runs" -lt 1 ]; then
  echo "repeat-tests: the number of runs must be at least 1" >&2
  exit 2
fi
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("${DEFAULT_FILES[@]}")
for f in "${files[@]}"; do
  [ -f "$f" ] || { echo "repeat-tests: no such test file: $f" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/repeat-tests.XXXXXX")"
busy_pids=()
stop_busy() {
  for pid in "${busy_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${busy_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  busy_pids=()
}
trap stop_busy EXIT
# Ctrl-C reaches mocha too; a run it cut short is reported as interrupted, not as a failure.
interrupted=0
trap 'interrupted=1' INT TERM

node_run() { bash "$ROOT/scripts/with-supported-node.sh" "$@"; }

echo "repeat-tests: building the package" >&2
node_run npm run build >"$work/build.log" 2>&1 || { echo "repeat-tests: the build failed, see $work/build.log" >&2; exit 1; }
node_run node -e 'const c = require("./.mocharc.json"); delete c.spec; console.log(JSON.stringify(c));' >"$work/mocharc.json"

for _ in 1 2; do
  sh -c 'while :; do :; done' &
  busy_pids+=("$!")
done
echo "repeat-tests: $runs run(s) of ${#files[@]} file(s) beside 2 CPU-bound processes (pids ${busy_pids[*]}); logs in $work" >&2

for ((run = 1; run <= runs; run++)); do
  log="$work/run-$run.log"
  started=$SECONDS
  status=0
  node_run "$ROOT/node_modules/.bin/mocha" --config "$work/mocharc.json" "${files[@]}" >"$log" 2>&1 || status=$?
  if [ "$interrupted" = 1 ]; then
    echo "repeat-tests: interrupted during run $run/$runs ($((run - 1)) passed before it)" >&2
    exit 130
  elif [ "$status" = 0 ]; then
    echo "run $run/$runs: passed ($((SECONDS - started)) s)"
  else
    echo "run $run/$runs: FAILED ($((SECONDS - started)) s); its output: $log" >&2
    grep -E '^\s+[0-9]+\) |passing|failing' "$log" >&2 || tail -n 40 "$log" >&2
    exit 1
  fi
done
echo "repeat-tests: all $runs run(s) passed"
