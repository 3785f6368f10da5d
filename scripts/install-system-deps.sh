#!/usr/bin/env bash
# Debian packages the test suite runs for real: Alertmanager, Prometheus, PostgreSQL, openssl, and
# Chromium for the console's browser tests (playwright-core drives /usr/bin/chromium).
# Installed only when missing; needs root (CI runs as root) or sudo.
set -euo pipefail
need=()
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
echo "[install-system-deps] installing ${need[*]} (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
# The packages start no daemons we rely on; tests start their own on loopback.
