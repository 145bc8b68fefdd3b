#!/usr/bin/env bash
# Set up a virtual environment in .venv, then run the demo or the test suite.
#
#   bash quickstart.sh demo   build, validate and print the sample coverage workbook
#   bash quickstart.sh test   run the whole test suite (extra arguments go to pytest)
#
# Needs Python 3.11 or newer. Re-running is cheap: installed packages are reused.
set -euo pipefail
cd "$(dirname "$0")"

job="${1:-}"
case "$job" in
  demo|test) shift ;;
  *) echo "usage: bash quickstart.sh demo|test [arguments]" >&2; exit 2 ;;
esac

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python="$candidate"; break
  fi
done
if [ -z "$python" ]; then
  echo "quickstart: Python 3.11 or newer is required (apt-get install python3)" >&2
  exit 2
fi

if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    # Debian ships venv separately from the interpreter.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${version}-venv" ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
      "$python" -m venv .venv
    else
      echo "quickstart: '$python -m venv' is unavailable; install python3-venv" >&2
      exit 2
    fi
  fi
fi

# demo needs every extra (the command line, workbooks, report); test adds the
# test tools.
extras=".[all]"
[ "$job" = test ] && extras=".[dev]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$extras"

if [ "$job" = demo ]; then
  exec .venv/bin/xlmodels demo "$@"
fi
exec .venv/bin/python -m pytest "$@"
