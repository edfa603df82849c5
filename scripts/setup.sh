#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sets up this machine for building and testing ipvs-zwin, from Debian's
# archive only, idempotently:
#   - build and test packages (kernel headers for every tested kernel,
#     linux-source-6.12 for KUnit under UML, QEMU, busybox, test programs,
#     dkms for scripts/dkms-check.sh, docutils for make docs);
#   - each tested kernel's image package, downloaded (not installed) and
#     unpacked into $ZWIN_CACHE/kernels/<release>, with a small initramfs
#     that mounts the host's root over 9p (scripts/mkinitramfs.sh).
# A warm run only checks and returns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS=(make gcc bc flex bison libelf-dev libssl-dev dwarves cpio xz-utils zstd
      kmod linux-source-6.12 sparse perl python3
      qemu-system-x86 busybox-static
      iproute2 ipvsadm iptables conntrack curl python3-scapy tcpdump hping3 ethtool
      keepalived python3-matplotlib iperf3
      dkms openssl python3-docutils linux-perf nftables
      clang llvm libbpf-dev bpftool)
for k in $ZWIN_KERNELS; do
	PKGS+=("linux-headers-$k")
done

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$ZWIN_CACHE/debs" "$ZWIN_CACHE/kernels"
for k in $ZWIN_KERNELS; do
	dir=$ZWIN_CACHE/kernels/$k
	if [ -f "$dir/.ready" ]; then
		# the initramfs follows its sources
		sum=$(cat "$ZWIN_TOP/scripts/mkinitramfs.sh" "$ZWIN_TOP/tests/guest/initramfs-init" | sha256sum)
		if [ "$sum" != "$(cat "$dir/initramfs.sum" 2>/dev/null)" ]; then
			log "rebuilding the initramfs for $k"
			"$ZWIN_TOP/scripts/mkinitramfs.sh" "$k" "$dir"
			echo "$sum" > "$dir/initramfs.sum"
		fi
		continue
	fi
	pkg=linux-image-$k-unsigned
	log "fetching and unpacking $pkg"
	deb=$(ls "$ZWIN_CACHE/debs/${pkg}_"*.deb 2>/dev/null | head -1 || true)
	if [ -z "$deb" ]; then
		(cd "$ZWIN_CACHE/debs" && apt-get download -qq "$pkg") ||
			{ apt-get update -qq; (cd "$ZWIN_CACHE/debs" && apt-get download -qq "$pkg"); }
		deb=$(ls "$ZWIN_CACHE/debs/${pkg}_"*.deb | head -1)
	fi
	rm -rf "$dir"
	mkdir -p "$dir/root"
	dpkg-deb -x "$deb" "$dir/root"
	depmod -b "$dir/root" "$k"
	"$ZWIN_TOP/scripts/mkinitramfs.sh" "$k" "$dir"
	cat "$ZWIN_TOP/scripts/mkinitramfs.sh" "$ZWIN_TOP/tests/guest/initramfs-init" |
		sha256sum > "$dir/initramfs.sum"
	touch "$dir/.ready"
done
log "setup complete (cache: $ZWIN_CACHE)"
