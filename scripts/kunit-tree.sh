#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepares a kernel source tree for KUnit under UML with ipvs-zwin in it:
# unpacks Debian's linux-source-6.12 into the cache (once per version),
# links this repository in as net/netfilter/ipvs/zwin and hooks its Kconfig
# and Kbuild into net/netfilter/ipvs. Prints the tree's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=$(linux_source_version)
[ -n "$ver" ] || die "linux-source-6.12 is not installed (run scripts/setup.sh)"
tree=$ZWIN_CACHE/src/linux-source-$ver
if [ ! -f "$tree/.zwin-unpacked" ]; then
	log "unpacking linux-source-6.12 $ver"
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -C "$tree.tmp" -xf /usr/src/linux-source-6.12.tar.xz --strip-components=1
	mv "$tree.tmp" "$tree"
	touch "$tree/.zwin-unpacked"
fi

ipvs=$tree/net/netfilter/ipvs
ln -sfn "$ZWIN_TOP" "$ipvs/zwin"
grep -q 'zwin/' "$ipvs/Makefile" ||
	printf '\n# ipvs-zwin (linked by scripts/kunit-tree.sh)\nobj-$(CONFIG_IP_VS_ZWIN) += zwin/\n' >> "$ipvs/Makefile"
grep -q 'ipvs/zwin/Kconfig' "$ipvs/Kconfig" ||
	printf '\nsource "net/netfilter/ipvs/zwin/Kconfig"\n' >> "$ipvs/Kconfig"
echo "$tree"
