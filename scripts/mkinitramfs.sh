#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh RELEASE DIR: builds DIR/initramfs.cpio.gz for booting the
# Debian kernel unpacked in DIR/root under QEMU. The initramfs is busybox
# plus the modules needed to mount the host's root over virtio-9p; its init
# (tests/guest/initramfs-init) builds a writable overlay root from it and
# runs the guest test runner.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rel=$1 dir=$2
root=$dir/root
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work"/{bin,dev,proc,sys,host,rw,newroot,modules}
cp /bin/busybox "$work/bin/busybox"
for app in sh mount umount mkdir insmod switch_root cat echo sleep poweroff; do
	ln -s busybox "$work/bin/$app"
done
cp "$ZWIN_TOP/tests/guest/initramfs-init" "$work/init"
chmod +x "$work/init"

# Modules in load order, decompressed (busybox insmod reads plain .ko).
n=0
modprobe -d "$root" -S "$rel" --show-depends -a virtio_pci 9pnet_virtio 9p overlay 2>/dev/null |
	awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' |
	while read -r ko; do
		n=$((n + 1))
		out=$(printf '%s/modules/%02d-%s' "$work" "$n" "$(basename "${ko%%.ko*}").ko")
		case "$ko" in
		*.xz) xz -dc "$ko" > "$out" ;;
		*.zst) zstd -qdc "$ko" > "$out" ;;
		*) cp "$ko" "$out" ;;
		esac
	done
ls "$work/modules" | grep -q 9p || die "9p modules not found for $rel"

(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$dir/initramfs.cpio.gz"
