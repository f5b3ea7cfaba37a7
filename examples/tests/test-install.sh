#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the build into a temporary DESTDIR and uses it the way a consumer
# would: builds examples/c/vmm-hello.c and the README's C example through
# `pkg-config vmmigrate-1.0`, runs them, runs the installed vmmigrate, and
# runs a Python example against the installed typelib.
#
# Usage: test-install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT

meson install -C "$build" --no-rebuild --destdir "$dest" >"$dest/install.log" 2>&1 ||
  { cat "$dest/install.log"; exit 1; }

pc=$(find "$dest" -name vmmigrate-1.0.pc)
[ -n "$pc" ] || { echo "no vmmigrate-1.0.pc installed"; exit 1; }
prefix=$(pkg-config --variable=prefix "$pc")
# The .pc names the final prefix; point a copy at the DESTDIR tree.
mkdir "$dest/pc"
sed "s|^prefix=.*|prefix=$dest$prefix|" "$pc" >"$dest/pc/vmmigrate-1.0.pc"
export PKG_CONFIG_PATH="$dest/pc"
includedir=$(pkg-config --variable=includedir vmmigrate-1.0)
libdir=$(pkg-config --variable=libdir vmmigrate-1.0)
for h in vmmigrate.h vmm-version.h vmm-enum-types.h; do
  [ -f "$includedir/vmmigrate-1.0/vmmigrate/$h" ] || { echo "not installed: $h"; exit 1; }
done
# every header vmmigrate.h includes is installed next to it
grep -o '#include "[^"]*"' "$includedir/vmmigrate-1.0/vmmigrate/vmmigrate.h" | cut -d'"' -f2 |
  while read -r h; do
    [ -f "$includedir/vmmigrate-1.0/vmmigrate/$h" ] || { echo "not installed: $h"; exit 1; }
  done
cflags=$(pkg-config --cflags vmmigrate-1.0)
case "$cflags" in
  *"$src"* | *"$build"*) echo "cflags point into the source or build tree: $cflags"; exit 1 ;;
esac

echo "# C example through pkg-config: $cflags"
cc -Wall -Wextra -Werror -o "$dest/vmm-hello" "$src/examples/c/vmm-hello.c" \
  $(pkg-config --cflags --libs vmmigrate-1.0)
LD_LIBRARY_PATH="$libdir" "$dest/vmm-hello" | tee "$dest/hello.out"
grep -q '^web-01 is on host esx-02$' "$dest/hello.out"

echo "# the README's C example"
/usr/bin/python3 "$src/examples/tests/readme_snippet.py" "$src/README.md" c >"$dest/readme.c"
cc -Wall -Werror -o "$dest/readme" "$dest/readme.c" $(pkg-config --cflags --libs vmmigrate-1.0)
LD_LIBRARY_PATH="$libdir" "$dest/readme" | tee "$dest/readme.out"
grep -q 'web-01 is on esx-02' "$dest/readme.out"

echo "# the installed vmmigrate"
bin=$(find "$dest" -path '*/bin/vmmigrate')
LD_LIBRARY_PATH="$libdir" "$bin" --version
LD_LIBRARY_PATH="$libdir" "$bin" list-vms >"$dest/list.out"
grep -q '^web-01 ' "$dest/list.out"
[ -n "$(find "$dest" -path '*/man1/vmmigrate.1')" ] || { echo "man page not installed"; exit 1; }

typelib=$(find "$dest" -name Vmm-1.0.typelib)
if [ -n "$typelib" ]; then
  echo "# a Python example against the installed typelib"
  GI_TYPELIB_PATH=$(dirname "$typelib") LD_LIBRARY_PATH="$libdir" \
    /usr/bin/python3 "$src/examples/python/plan_table.py" web-01 '{"host": "esx-02"}' |
    tee "$dest/plan.out"
  grep -q 'InitiateSource' "$dest/plan.out"
fi
echo "ok"
