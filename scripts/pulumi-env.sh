# Source this file to run the project's Pulumi toolchain from a shell:
#
#   source scripts/pulumi-env.sh
#   pulumi login --local && pulumi stack init dev ...
#
# It runs scripts/setup-pulumi.sh (builds nothing when the toolchain is already there), puts its
# bin directory first on PATH, and sets defaults that keep Pulumi local and quiet: state and
# plugins under the git-ignored .pulumi-home/, no update checks, no plugin downloads.
# Variables already set in the environment are kept.

_pulumi_env_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
if _pulumi_env_bin="$(bash "$_pulumi_env_root/scripts/setup-pulumi.sh" | tail -n 1)" && [ -d "$_pulumi_env_bin" ]; then
  case ":$PATH:" in
    *":$_pulumi_env_bin:"*) ;;
    *) export PATH="$_pulumi_env_bin:$PATH" ;;
  esac
  export PULUMI_HOME="${PULUMI_HOME:-$_pulumi_env_root/.pulumi-home}"
  export PULUMI_SKIP_UPDATE_CHECK="${PULUMI_SKIP_UPDATE_CHECK:-true}"
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-true}"
  export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK="${PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK:-true}"
else
  echo "pulumi-env.sh: scripts/setup-pulumi.sh failed; PATH unchanged" >&2
fi
unset _pulumi_env_root _pulumi_env_bin
