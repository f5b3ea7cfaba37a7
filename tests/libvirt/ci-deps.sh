#!/usr/bin/env bash
# CI: what the libvirt suite's peers need (packages, users and groups), and the
# guest's boot assets built once into the cache the suite uses.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/hosts.sh" deps
