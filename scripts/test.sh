#!/usr/bin/env bash
# The README's test command, and what .ci/run runs: everything the tests need, then all three runs.
#
#   bash scripts/test.sh
#
# 1. Debian's chromium and chromium-driver (and a Chinese and an emoji font) for the browser test, when
#    missing (scripts/install-test-deps.sh; needs root or sudo and apt-get — without them it says so and the
#    browser test fails with one line naming what to install);
# 2. the virtual environment .venv (when missing) with the project and its test extras;
# 3. the fast default run, the marked tests (slow, browser, cache, bench) and the tests that read ../shared
#    beside the repository (or beside the local repository this clone was made from).
# Every run is made even when an earlier one fails; the exit status is 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv || exit 1
fi
.venv/bin/pip install -q -e ".[test]" || exit 1
status=0
for marks in "" "slow or browser or cache or bench" "source"; do
  if [ -z "$marks" ]; then
    echo "== pytest (the default run)"
    .venv/bin/python -m pytest -q || status=1
  else
    echo "== pytest -m \"$marks\""
    .venv/bin/python -m pytest -q -m "$marks" || status=1
  fi
done
exit $status
