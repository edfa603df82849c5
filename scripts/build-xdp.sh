#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-xdp.sh: builds the XDP front end's program (make xdp) into
# $ZWIN_CACHE/build/<tree>/xdp, so the repository stays clean, and prints
# its path; beside it, xdp_test.bpf.o, the scenarios' own programs
# (tests/guest/xdp_test.bpf.c). Fails if clang or the libbpf headers are missing (setup.sh
# installs them) or the compiler warns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

b=$ZWIN_CACHE/build/$(echo "$ZWIN_TOP" | sha1sum | cut -c1-8)/xdp
mkdir -p "$b"
rm -f "$b/zwin_xdp.bpf.o" "$b/xdp_test.bpf.o"
: > "$b/build.log"
for src in xdp/zwin_xdp.bpf.c tests/guest/xdp_test.bpf.c; do
	o=$b/$(basename "$src" .c).o
	make -s -C "$ZWIN_TOP" xdp XDP_SRC="$ZWIN_TOP/$src" XDP_OUT="$o" >> "$b/build.log" 2>&1 ||
		{ cat "$b/build.log" >&2; die "XDP program: build failed"; }
	[ -f "$o" ] || { cat "$b/build.log" >&2; die "XDP program $src not built"; }
	# a call clang could not inline (memcmp...) is an extern no kernel has
	if llvm-nm -u "$o" | grep -q .; then
		llvm-nm -u "$o" >&2
		die "XDP program $src calls undefined functions"
	fi
done
echo "$b/zwin_xdp.bpf.o"
