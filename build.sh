#!/usr/bin/env bash
# One entry point for a fresh machine that has the .NET SDK.
#   ./build.sh run [qualify run options]   full qualification run against the built-in reference participants
#   ./build.sh test                        the test suite (writes TestResults/results.trx); installs chromium for the report test
#   ./build.sh setup                       only install what the machine lacks (Allure 3 via npm ci) and build
set -euo pipefail
cd "$(dirname "$0")"

setup() {
  # Debian packages the tests use; installed only when missing (CI machines start clean).
  # `setup browser` adds Debian's chromium, which the report's real-browser test drives.
  local missing=()
  command -v python3 >/dev/null || missing+=(python3)
  command -v npm >/dev/null || missing+=(nodejs npm)
  if [ "${1:-}" = browser ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
  if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "build.sh: please install: ${missing[*]}" >&2; exit 2
    fi
  fi
  # Allure 3 for `qualify report`, pinned in package-lock.json; reinstalled only when missing or stale.
  if [ ! -f node_modules/allure/cli.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
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
    setup browser
    rm -rf TestResults
    dotnet test Qualification.sln -c Release --no-build -nologo \
      --logger "trx;LogFileName=results.trx" --results-directory TestResults \
      --logger "console;verbosity=normal" "$@" ;;
  *) echo "usage: ./build.sh [run|test|setup] [options]" >&2; exit 2 ;;
esac
