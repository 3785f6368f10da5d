#!/usr/bin/env bash
# `npm run test:cluster`: builds what the cluster tests run on (Temporal's own server and
# schema tool, the Kubernetes plane; each cached per user), then runs test/cluster/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-temporal-server.sh >/dev/null
bash scripts/ensure-k8s.sh >/dev/null
exec npx jest --config jest.cluster.config.js "$@"
