#!/usr/bin/env bash
# Provides the Pulumi CLI and a Node.js language host for the e2e tests, and prints the
# directory holding them (last line of stdout) so callers can put it first on PATH:
#
#   export PATH="$(bash scripts/setup-pulumi.sh | tail -n 1):$PATH"
#
# The directory is .tools/pulumi-<version>/bin (git-ignored) and contains:
#   pulumi                          the CLI, from PATH if installed there, else built
#   pulumi-language-nodejs          the language host, from PATH if installed there, else
#                                   built from scripts/pulumi-toolchain/language-host
#   pulumi-resource-pulumi-nodejs   link to the dynamic-provider shim in node_modules/@pulumi/pulumi
#
# Pulumi's release downloads are not used: the CLI is built from the Go module
# github.com/pulumi/pulumi/pkg/v3 at the version pinned in scripts/pulumi-toolchain/go.mod, which
# needs only the Go module proxy. Built binaries are cached in
# ${XDG_CACHE_HOME:-$HOME/.cache}/iam-user-teardown/pulumi-<version>/bin, shared by every clone on
# the machine, and rebuilt only when the pinned modules or the language host sources change.
#
# Needs: npm ci done (node_modules/@pulumi/pulumi), and to build, Go >= the go.mod `go` line.
# Environment:
#   PULUMI_TOOLCHAIN_BUILD=1   build even if pulumi / pulumi-language-nodejs are on PATH
#   PULUMI_TOOLCHAIN_CACHE     cache directory (default: see above)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODDIR="$ROOT/scripts/pulumi-toolchain"
SHIM="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"

say() { echo "setup-pulumi: $*" >&2; }
die() { say "error: $*"; exit 1; }

# The CLI version is the pkg/v3 version go.mod pins.
VERSION="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { sub(/^v/, "", $2); print $2; exit }' "$MODDIR/go.mod")"
[ -n "$VERSION" ] || die "no github.com/pulumi/pulumi/pkg/v3 requirement in $MODDIR/go.mod"

[ -e "$SHIM" ] || die "$SHIM is missing; run 'npm ci' first"
SDK_VERSION="$(node -p 'require(process.argv[1]).version' "$ROOT/node_modules/@pulumi/pulumi/package.json")"
# The CLI is built from what the Go module proxy serves, which can trail npm's @pulumi/pulumi by a
# few releases; the engine and SDK of one major version talk the same protocol, so only a different
# major version or a wide gap (features one side may not know yet) is worth a warning.
sdk_major="${SDK_VERSION%%.*}"; sdk_minor="${SDK_VERSION#*.}"; sdk_minor="${sdk_minor%%.*}"
cli_major="${VERSION%%.*}"; cli_minor="${VERSION#*.}"; cli_minor="${cli_minor%%.*}"
if [ "$sdk_major" != "$cli_major" ] || [ $((sdk_minor - cli_minor)) -gt 10 ] || [ $((cli_minor - sdk_minor)) -gt 10 ]; then
  say "warning: node_modules has @pulumi/pulumi $SDK_VERSION but the CLI is pinned to $VERSION (scripts/pulumi-toolchain/go.mod); the e2e suite is run with releases at most 10 minor versions apart"
fi

TOOLS="$ROOT/.tools/pulumi-$VERSION"
BIN="$TOOLS/bin"
CACHE="${PULUMI_TOOLCHAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iam-user-teardown}/pulumi-$VERSION/bin"
mkdir -p "$BIN"

# Cache keys: the CLI depends on the pinned modules only; the language host on them and its sources.
hash_files() { cat "$@" | sha256sum | cut -c1-16; }
CLI_KEY="$(hash_files "$MODDIR/go.mod" "$MODDIR/go.sum")"
HOST_KEY="$(hash_files "$MODDIR/go.mod" "$MODDIR/go.sum" "$MODDIR"/language-host/*.go)"

# A command on PATH that is not one of ours (this bin dir or the cache), or nothing.
external_command() {
  local p real
  p="$(command -v "$1" 2>/dev/null)" || return 0
  real="$(realpath "$p")"
  # Ours: any clone's .tools/pulumi-*/bin, or the build cache.
  case "$p" in */.tools/pulumi-*/bin/*) return 0 ;; esac
  case "$real" in */.tools/pulumi-*/bin/* | "$(dirname "$CACHE")/"*) return 0 ;; esac
  echo "$p"
}

go_env() {
  env GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" "$@"
}

check_go() {
  command -v go >/dev/null 2>&1 || die "go is not installed; it is needed to build the Pulumi CLI"
  local want have
  want="$(awk '$1 == "go" { print $2; exit }' "$MODDIR/go.mod")"
  have="$(go_env go env GOVERSION)"; have="${have#go}"
  if [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n 1)" != "$want" ]; then
    die "go $have is too old: scripts/pulumi-toolchain/go.mod needs go >= $want"
  fi
}

# build NAME KEY PACKAGE: build PACKAGE into $CACHE/NAME unless the cached copy has KEY.
build() {
  local name="$1" key="$2" pkg="$3" log tmp start
  if [ -x "$CACHE/$name" ] && [ "$(cat "$CACHE/$name.key" 2>/dev/null)" = "$key" ]; then
    return 0
  fi
  check_go
  log="$CACHE/$name.build.log"
  tmp="$CACHE/.$name.$$"
  if [ "$name" = pulumi ]; then
    say "building the Pulumi CLI $VERSION into $CACHE (once per machine; minutes when Go's caches are empty)"
  else
    say "building $name into $CACHE"
  fi
  start=$SECONDS
  if ! (cd "$MODDIR" && go_env go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION" \
      -o "$tmp" "$pkg") >"$log" 2>&1; then
    rm -f "$tmp"
    tail -n 40 "$log" >&2
    die "building $name failed (full log: $log)"
  fi
  mv -f "$tmp" "$CACHE/$name"
  echo "$key" >"$CACHE/$name.key"
  say "built $name in $((SECONDS - start))s"
}

# install NAME KEY: put the cached NAME into $BIN (hard link if possible: a real file, not a
# symlink, so the CLI finds its bundled plugins next to itself, in $BIN).
install_cached() {
  local name="$1" key="$2"
  if [ -x "$BIN/$name" ] && [ ! -L "$BIN/$name" ] && [ "$(cat "$BIN/.$name.key" 2>/dev/null)" = "$key" ]; then
    return 0
  fi
  rm -f "$BIN/.$name.tmp"
  ln "$CACHE/$name" "$BIN/.$name.tmp" 2>/dev/null || cp "$CACHE/$name" "$BIN/.$name.tmp"
  mv -f "$BIN/.$name.tmp" "$BIN/$name"
  echo "$key" >"$BIN/.$name.key"
}

# link_external NAME PATH: use an installed command.
link_external() {
  rm -f "$BIN/$1" "$BIN/.$1.key"
  ln -s "$2" "$BIN/$1"
}

provide() {
  local name="$1" key="$2" pkg="$3" ext=""
  [ "${PULUMI_TOOLCHAIN_BUILD:-}" = 1 ] || ext="$(external_command "$name")"
  if [ -n "$ext" ]; then
    say "using $name from PATH: $ext"
    link_external "$name" "$ext"
    return 0
  fi
  mkdir -p "$CACHE"
  # One build at a time per cache, across clones.
  (
    if command -v flock >/dev/null 2>&1; then flock 9; fi
    build "$name" "$key" "$pkg"
  ) 9>"$CACHE/.lock"
  install_cached "$name" "$key"
}

provide pulumi "$CLI_KEY" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
provide pulumi-language-nodejs "$HOST_KEY" ./language-host

ln -sfn "$SHIM" "$BIN/pulumi-resource-pulumi-nodejs"

"$BIN/pulumi" version >/dev/null 2>&1 || die "$BIN/pulumi does not run"
if [ ! -L "$BIN/pulumi-language-nodejs" ]; then
  "$BIN/pulumi-language-nodejs" -version >/dev/null 2>&1 || die "$BIN/pulumi-language-nodejs does not run"
fi
say "pulumi $("$BIN/pulumi" version 2>/dev/null) ready"
echo "$BIN"
