#!/usr/bin/env bash
# Installs the Debian 12 packages the library, its tests and its demo need.
# Idempotent: packages already installed are not installed again.
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev
  libglib2.0-dev libjson-glib-dev libsoup-3.0-dev glib-networking libxml2-dev libsqlite3-dev
  gobject-introspection libgirepository1.0-dev python3-gi gir1.2-glib-2.0
  gi-docgen valgrind
)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
