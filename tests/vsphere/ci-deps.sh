#!/usr/bin/env bash
# What the vSphere backend and its suite need on a Debian 12 machine: the
# backend's libraries (libsoup 3, libxml2, glib-networking for TLS) and
# vcsim + govc, built once from Debian's govmomi source package into
# $VCSIM_BINDIR (default ~/.cache/libvmmigrate/vcsim, where vcsim.sh looks).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

pkgs=(libsoup-3.0-dev libxml2-dev glib-networking ca-certificates openssl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ci-deps (vsphere): installing ${missing[*]}"
  sudo=
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update </dev/null
  $sudo apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" </dev/null
fi

bindir=${VCSIM_BINDIR:-${XDG_CACHE_HOME:-$HOME/.cache}/libvmmigrate/vcsim}
"$here/build-vcsim.sh" "$bindir"
