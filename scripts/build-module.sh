#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh RELEASE [make args...]: builds ip_vs_zwin.ko against the
# installed headers of RELEASE in $ZWIN_CACHE/build/<tree>/RELEASE (a copy
# of the sources, so the repository stays clean and neither kernels nor
# checkouts share objects). ZWIN_BUILD_TAG=name builds a variant in a
# directory of its own (<tree>-name).
# Fails on any compiler warning. Prints the module's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rel=$1
shift
kdir=/lib/modules/$rel/build
[ -d "$kdir" ] || die "no headers for $rel in $kdir (run scripts/setup.sh)"
# one build directory per source tree and kernel
b=$ZWIN_CACHE/build/$(echo "$ZWIN_TOP" | sha1sum | cut -c1-8)${ZWIN_BUILD_TAG:+-$ZWIN_BUILD_TAG}/$rel
rm -rf "$b"
mkdir -p "$b"
cp -a "$ZWIN_TOP/Kbuild" "$ZWIN_TOP/ipvs_zwin" "$ZWIN_TOP/include" "$b/"
if ! make -C "$kdir" M="$b" "$@" modules > "$b/build.log" 2>&1; then
	cat "$b/build.log" >&2
	die "build against $rel failed"
fi
if grep -E 'warning:|error:' "$b/build.log" >&2; then
	die "build against $rel has warnings"
fi
echo "$b/ip_vs_zwin.ko"
