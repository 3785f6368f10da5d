#!/usr/bin/env bash
# The test command (`npm test`): type-check, then jest against real services.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-temporal.sh >/dev/null
npx tsc --noEmit -p .
exec npx jest "$@"
