#!/usr/bin/env bash
# Builds Temporal's own multi-service server and its SQL schema tool (the server version the
# pinned CLI embeds) from the Go module proxy, for the cluster set-up on PostgreSQL
# (`npm run cluster:up`, `npm run test:cluster`). Cached per user by version, linked into
# ./.temporal/bin. First build: ~90 s with the CLI's module cache warm, a few minutes cold.
# Prints the directory holding temporal-server, temporal-sql-tool and the schema files.
set -euo pipefail
VERSION=v1.29.1
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/tourniquet/temporal-server-$VERSION"
say() { echo "[ensure-temporal-server] $*" >&2; }

if [ ! -x "$cache/temporal-server" ] || [ ! -x "$cache/temporal-sql-tool" ] || [ ! -d "$cache/schema" ]; then
  command -v go >/dev/null 2>&1 || { say "Go is required to build the Temporal server (https://go.dev/dl)."; exit 1; }
  mkdir -p "$cache"
  start=$(date +%s)
  ( while sleep 30; do say "...still building ($(( $(date +%s) - start ))s)"; done ) &
  ticker=$!
  trap 'kill $ticker 2>/dev/null || true' EXIT
  say "Building temporal-server and temporal-sql-tool $VERSION (first time only, 1-4 minutes)..."
  cd "$root/tools/temporal-server"
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -ldflags "-s -w" -o "$cache/temporal-server" go.temporal.io/server/cmd/server
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -ldflags "-s -w" -o "$cache/temporal-sql-tool" go.temporal.io/server/cmd/tools/sql
  # The SQL schemas and the PostgreSQL config template ship inside the module download.
  src="$(GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' go.temporal.io/server)"
  rm -rf "$cache/schema" "$cache/config"
  cp -r "$src/schema/postgresql/v12" "$cache/schema"
  mkdir -p "$cache/config" && cp -r "$src/config/dynamicconfig" "$cache/config/"
  cp "$src/config/development-postgres12.yaml" "$cache/config/"
  chmod -R u+w "$cache/schema" "$cache/config"
  say "Built in $(( $(date +%s) - start ))s: $cache"
fi
mkdir -p "$root/.temporal/bin"
for b in temporal-server temporal-sql-tool; do ln -sf "$cache/$b" "$root/.temporal/bin/$b"; done
echo "$cache"
