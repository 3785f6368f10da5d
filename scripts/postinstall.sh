#!/usr/bin/env bash
# npm install: the pinned Temporal CLI (built once, cached per user) and the console.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-temporal.sh >/dev/null
if [ -x node_modules/.bin/vite ]; then
  echo "[postinstall] building the console (console/dist)..." >&2
  npm run build:console --silent
else
  echo "[postinstall] vite is not installed (production install?): the console is not built; the API still runs" >&2
fi
