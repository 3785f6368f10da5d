#!/usr/bin/env bash
# Finds a Temporal CLI, or builds the pinned one from the Go module proxy.
# Order: $TEMPORAL_CLI, `temporal` on PATH, ./.temporal/bin/temporal, the per-user cache,
# then `go install` (about 3 minutes on 2 cores, ~250 MB). Prints the binary's path on stdout.
set -euo pipefail
VERSION=v1.5.1 # later tags carry `replace` directives, which `go install` refuses
root="$(cd "$(dirname "$0")/.." && pwd)"
local_bin="$root/.temporal/bin/temporal"
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/tourniquet/temporal-$VERSION"
say() { echo "[ensure-temporal] $*" >&2; }

if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then echo "$TEMPORAL_CLI"; exit 0; fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
if [ -x "$local_bin" ]; then echo "$local_bin"; exit 0; fi

mkdir -p "$root/.temporal/bin"
if [ ! -x "$cache_dir/temporal" ]; then
  if ! command -v go >/dev/null 2>&1; then
    say "No Temporal CLI found and Go is not installed."
    say "Install Go (https://go.dev/dl) or the Temporal CLI (https://docs.temporal.io/cli), or set TEMPORAL_CLI=/path/to/temporal."
    exit 1
  fi
  say "Building Temporal CLI $VERSION from source with go install (first time only, ~3 minutes)..."
  mkdir -p "$cache_dir"
  start=$(date +%s)
  ( while sleep 30; do say "...still building ($(( $(date +%s) - start ))s)"; done ) &
  ticker=$!
  trap 'kill $ticker 2>/dev/null || true' EXIT
  CGO_ENABLED=0 GOBIN="$cache_dir" GOFLAGS=-mod=mod go install \
    -ldflags "-X github.com/temporalio/cli/temporalcli.Version=${VERSION#v}" \
    "github.com/temporalio/cli/cmd/temporal@$VERSION" >&2
  kill $ticker 2>/dev/null || true
  say "Built in $(( $(date +%s) - start ))s: $cache_dir/temporal"
fi
ln -sf "$cache_dir/temporal" "$local_bin"
echo "$local_bin"
