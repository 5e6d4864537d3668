#!/bin/sh
# scripts/install-deps.sh - install everything tarn needs to build, test and
# benchmark on Debian 12. Runs apt-get as root (or through sudo); does nothing
# when every package is already present, so `make test` stays fast on a
# prepared machine.
set -eu

PKGS="build-essential cmake pkg-config git \
libyaml-dev libzstd-dev libsnappy-dev liblz4-dev zlib1g-dev libbrotli-dev \
libsqlite3-dev librdkafka-dev libmicrohttpd-dev libjansson-dev libcmocka-dev \
clang libclang-rt-14-dev time"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
# Node.js drives the DuckDB interop tests and benchmarks. Machines that
# already carry a Node.js from elsewhere (whose nodejs package conflicts with
# Debian's npm) keep theirs.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi
if [ -z "$missing" ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# shellcheck disable=SC2086
$SUDO apt-get install -y --no-install-recommends $missing
