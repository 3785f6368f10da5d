#!/usr/bin/env bash
# The test command (`npm test`): type-check, then jest against real services.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-temporal.sh >/dev/null
npx tsc --noEmit -p .
npx tsc --noEmit -p console
npm run build:console --silent   # the browser tests drive the console built from this tree
exec npx jest "$@"
