#!/usr/bin/env bash
# The test command (`npm test`): the static checks (scripts/check.sh), then jest against real services.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-temporal.sh >/dev/null
bash scripts/check.sh
npm run build:console --silent   # the browser tests drive the console built from this tree
exec npx jest "$@"
