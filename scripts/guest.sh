#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh RELEASE KO SCENARIO...: boots Debian's kernel RELEASE (unpacked
# by scripts/setup.sh) under QEMU/TCG with the host's root shared read-only
# over 9p, installs module KO in the guest and runs the named scenarios of
# tests/guest/scenarios (or tests/guest) there. Prints one "ok"/"not ok" line per scenario
# and, last, "guest RELEASE: N passed, N failed". Exit status 0 only if
# every scenario passed. Logs stay in $ZWIN_CACHE/runs/RELEASE.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rel=$1 ko=$2
shift 2
# One guest per kernel at a time: they share its module tree and run dir.
exec 9> "$ZWIN_CACHE/guest-$rel.lock"
flock 9
kdir=$ZWIN_CACHE/kernels/$rel
[ -f "$kdir/.ready" ] || die "kernel $rel not set up (run scripts/setup.sh)"
# ZWIN_RUN_DIR: where the logs go (default: runs/RELEASE in the cache,
# which the next run of that kernel wipes)
out=${ZWIN_RUN_DIR:-$ZWIN_CACHE/runs/$rel}
rm -rf "$out"
mkdir -p "$out"
# Install the module into the guest's module tree as `make install` would
# (updates/ + depmod), so that IPVS can autoload it by its alias. depmod
# runs here: over 9p in the guest it takes minutes.
install -D -m 0644 "$ko" "$kdir/root/lib/modules/$rel/updates/ip_vs_zwin.ko"
rm -rf "$kdir/root/lib/modules/$rel/zwin-test"
depmod -b "$kdir/root" "$rel"
# Variants some scenarios load by hand: ZWIN_EXTRA_KO="NAME=PATH ...",
# each installed as zwin-test/NAME.ko after depmod (which must not see
# a second ip_vs_zwin).
for x in ${ZWIN_EXTRA_KO:-}; do
	install -D -m 0644 "${x#*=}" "$kdir/root/lib/modules/$rel/zwin-test/${x%%=*}.ko"
done

# The XDP front end's program, for the scenarios that attach it (empty if
# it cannot be built: they fail).
xdp_obj=$("$ZWIN_TOP/scripts/build-xdp.sh" 2> "$out/build-xdp.log") || xdp_obj=

cat > "$out/config" <<CFG
ZWIN_TOP=/zwin-src
ZWIN_XDP_OBJ=$xdp_obj
ZWIN_SCENARIOS="$*"
ZWIN_LIVE=${ZWIN_LIVE:-0}
CFG

# ZWIN_LIVE=1: the guest copies scenario output to its console; show it.
if [ "${ZWIN_LIVE:-0}" = 1 ]; then
	: > "$out/console.log"
	tail -n +1 -f "$out/console.log" | grep --line-buffered -v '^\[ *[0-9.]*\] \|SeaBIOS\|Booting\|Probing' &
	tailer=$!
	trap 'kill $tailer 2>/dev/null' EXIT
fi

qemu_rc=0
# ZWIN_CLOCK_WARP=1: the guest's clock counts instructions and skips the
# time all its cpus are idle (scenarios marked "zwin-clock: warp" sleep
# through minutes of timers in seconds).
accel=(-accel tcg -smp 2)
tag=$rel
if [ "${ZWIN_CLOCK_WARP:-0}" = 1 ]; then
	# one vCPU: with two, 6.1 finds their TSCs unsynchronised and its
	# boot stalls for minutes of real time
	accel=(-accel tcg,thread=single -icount shift=auto,sleep=off -smp 1)
	tag="$rel warp"
fi
timeout "${ZWIN_GUEST_TIMEOUT:-1500}" qemu-system-x86_64 \
	"${accel[@]}" -cpu max -m 2048 \
	-nographic -no-reboot -nic none \
	-kernel "$kdir/root/boot/vmlinuz-$rel" \
	-initrd "$kdir/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 panic_on_warn=1 loglevel=4 zwin.kdir=$kdir" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$ZWIN_TOP,mount_tag=repo,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$out,mount_tag=out,security_model=none" \
	< /dev/null > "$out/console.log" 2>&1 || qemu_rc=$?

pass=0 fail=0
for s in "$@"; do
	r=$(awk -v s="$s" '$2 == s { print $1 }' "$out/results" 2>/dev/null | tail -1)
	if [ "$r" = PASS ]; then
		pass=$((pass + 1))
		echo "ok - $tag $s"
	else
		fail=$((fail + 1))
		echo "not ok - $tag $s (${r:-no result})"
		if [ -f "$out/$s.log" ]; then
			tail -n 40 "$out/$s.log" | sed 's/^/#   /'
		else
			tail -n 40 "$out/console.log" | sed 's/^/#   /'
		fi
	fi
done
# The guest itself: it must have finished (a panic, panic_on_warn
# included, or a hang ends it early), and its whole kernel log, from boot
# to the end of the last scenario (dmesg.all; the power-off itself is not
# judged), must be clean.
if [ "$qemu_rc" -eq 0 ] && [ -f "$out/done" ]; then
	pass=$((pass + 1))
	echo "ok - $tag guest ran every scenario and powered off"
else
	fail=$((fail + 1))
	echo "not ok - $tag guest ran every scenario and powered off (qemu exit $qemu_rc)"
	tail -n 40 "$out/console.log" | sed 's/^/#   /'
fi
bad='BUG|WARNING|Oops|general protection|refcount_t|possible (recursive|circular|irq).*lock|inconsistent lock state|rcu.*(stall|detected)|Call Trace|blocked for more than|Kernel panic'
if grep -Eq "$bad" "$out/dmesg.all" 2>/dev/null; then
	fail=$((fail + 1))
	echo "not ok - $tag guest kernel log clean from boot to the last scenario"
	grep -E -A10 "$bad" "$out/dmesg.all" | head -40 | sed 's/^/#   /'
elif [ -s "$out/dmesg.all" ]; then
	pass=$((pass + 1))
	echo "ok - $tag guest kernel log clean from boot to the last scenario"
else
	fail=$((fail + 1))
	echo "not ok - $tag guest kernel log clean from boot to the last scenario (no log)"
fi
echo "guest $tag: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
