#!/usr/bin/env bash
# Builds the Kubernetes test plane from the Go module proxy (no Docker, no downloads of binaries):
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler (via tools/k8s) and kwok.
# Binaries live in a per-user cache keyed by version, linked into ./.k8s/bin, so a fresh clone
# on the same machine does not rebuild. First build: ~6-10 minutes on 2 cores, ~500 MB.
set -euo pipefail
K8S_VERSION=v1.37.2
KWOK_VERSION=v0.8.0
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/tourniquet/k8s-$K8S_VERSION-kwok-$KWOK_VERSION"
bins=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
say() { echo "[ensure-k8s] $*" >&2; }

missing=0
for b in "${bins[@]}"; do [ -x "$cache/$b" ] || missing=1; done
[ -f "$cache/kwok-stages.yaml" ] || missing=1

if [ "$missing" = 1 ]; then
  command -v go >/dev/null 2>&1 || { say "Go is required to build the Kubernetes test plane (https://go.dev/dl)."; exit 1; }
  mkdir -p "$cache"
  start=$(date +%s)
  ( while sleep 60; do say "...still building ($(( $(date +%s) - start ))s)"; done ) &
  ticker=$!
  trap 'kill $ticker 2>/dev/null || true' EXIT
  say "Building kube-apiserver, kube-controller-manager, kube-scheduler $K8S_VERSION and etcd (first time only, several minutes)..."
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37"
  (cd "$root/tools/k8s" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -ldflags "$ldflags" -o "$cache/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler go.etcd.io/etcd/server/v3)
  mv -f "$cache/v3" "$cache/etcd" 2>/dev/null || mv -f "$cache/server" "$cache/etcd" 2>/dev/null || true
  say "Building kwok $KWOK_VERSION..."
  CGO_ENABLED=0 GOBIN="$cache" go install -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  # kwok refuses to start without stages: take its own fast node/pod stages from the module download.
  src="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage"
  {
    for f in "$src"/node/fast/node-initialize.yaml "$src"/node/heartbeat/*.yaml "$src"/pod/fast/pod-*.yaml; do
      echo "---"; cat "$f"
    done
  } > "$cache/kwok-stages.yaml"
  say "Built in $(( $(date +%s) - start ))s, $(du -sh "$cache" | cut -f1) in $cache"
fi
mkdir -p "$root/.k8s/bin"
for b in "${bins[@]}" kwok-stages.yaml; do ln -sf "$cache/$b" "$root/.k8s/bin/$b"; done
echo "$root/.k8s/bin"
