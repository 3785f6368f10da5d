#!/usr/bin/env bash
# Builds kfake — franz-go's Kafka wire-protocol broker written for tests, NOT Apache Kafka —
# from the Go module proxy (tools/kfake), for the Kafka runbooks' tests (Debian has no Kafka
# broker). Cached per user by the pinned module versions; linked into ./.temporal/bin.
# Seconds to build with a warm module cache. Prints the binary's path.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# Keyed by the module pins and the source (their contents, not their paths: clones share the cache).
VERSION="$(cat "$root/tools/kfake/go.sum" "$root/tools/kfake/main.go" | sha256sum | cut -c1-12)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/tourniquet/kfake-$VERSION"
say() { echo "[ensure-kfake] $*" >&2; }

if [ ! -x "$cache/kfake" ]; then
  command -v go >/dev/null 2>&1 || { say "Go is required to build the test Kafka broker (https://go.dev/dl)."; exit 1; }
  mkdir -p "$cache"
  say "Building kfake (the test Kafka broker, first time only, under a minute)..."
  cd "$root/tools/kfake"
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -ldflags "-s -w" -o "$cache/kfake" .
fi
mkdir -p "$root/.temporal/bin"
ln -sf "$cache/kfake" "$root/.temporal/bin/kfake"
echo "$cache/kfake"
