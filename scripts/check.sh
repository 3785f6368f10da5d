#!/usr/bin/env bash
# The static checks `npm test` runs before the suites (`npm run check` runs them alone):
# types, lint, format, import rules, the API reference and its OpenAPI lint, code shape, runbook lint.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { echo "[check] $*" >&2; }
# Two commands, not `a && b`: under `set -e` a failing `a` in an && list does not stop the script.
step "types";          npx tsc --noEmit -p .; npx tsc --noEmit -p console
step "lint";           npx eslint --max-warnings 0 .
step "format";         npx prettier --check --log-level warn .
step "import rules";   npm run --silent deps
step "API reference";  REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npm run --silent openapi:lint
step "shape";          npx tsx scripts/shape.ts --check >/dev/null
step "runbooks";       npx tsx scripts/runbook-lint.ts
