#!/usr/bin/env bash
# The test command (`npm test`): what the suites run for real is installed when missing
# (Debian packages, the Temporal CLI, the Kubernetes plane, the test Kafka broker; each a no-op once present), then
# the static checks (scripts/check.sh), then jest against real services.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
bash scripts/ensure-temporal.sh >/dev/null
bash scripts/ensure-k8s.sh >/dev/null
bash scripts/ensure-kfake.sh >/dev/null
bash scripts/check.sh
npm run build:console --silent   # the browser tests drive the console built from this tree
exec npx jest "$@"
