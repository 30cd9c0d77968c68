#!/usr/bin/env bash
# One entry point for a fresh machine that has the .NET SDK.
#   ./build.sh run [qualify run options]   full qualification run against the built-in reference participants
#   ./build.sh test                        the test suite (writes TestResults/results.trx)
#   ./build.sh setup                       only install what the machine lacks and build
set -euo pipefail
cd "$(dirname "$0")"

setup() {
  # Debian packages the tests use; installed only when missing (CI machines start clean).
  local missing=()
  command -v python3 >/dev/null || missing+=(python3)
  if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "build.sh: please install: ${missing[*]}" >&2; exit 2
    fi
  fi
  dotnet build Qualification.sln -c Release -nologo -v quiet -clp:ErrorsOnly
}

cmd="${1:-run}"; shift || true
case "$cmd" in
  setup) setup ;;
  run)
    setup
    exec dotnet src/Qualification.Runner/bin/Release/net10.0/qualify.dll run "$@" ;;
  test)
    setup
    rm -rf TestResults
    dotnet test Qualification.sln -c Release --no-build -nologo \
      --logger "trx;LogFileName=results.trx" --results-directory TestResults \
      --logger "console;verbosity=normal" "$@" ;;
  *) echo "usage: ./build.sh [run|test|setup] [options]" >&2; exit 2 ;;
esac
