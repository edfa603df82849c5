#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest-side test runner, PID 1 after the initramfs (tests/guest/
# initramfs-init). Reads /zwin-out/config written by scripts/guest.sh,
# installs the module the way `make install` does (updates/ + depmod) so
# that IPVS can autoload it, runs each scenario in a fresh state and records
# "PASS name" or "FAIL name" in /zwin-out/results. A scenario also fails if
# the kernel log gained a BUG, WARNING, Oops, refcount, lockdep, RCU stall
# or hung task report while it ran, if it reported no passed check, or if
# the module could not be unloaded after it. The whole kernel log goes to
# /zwin-out/dmesg.all (scripts/guest.sh scans it too). Powers the guest off
# at the end.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C
OUT=/zwin-out

mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/netns /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
hostname zwin-guest
ip link set lo up

poweroff_now() {
	sync
	echo o > /proc/sysrq-trigger
	sleep 30
}
trap poweroff_now EXIT

. "$OUT/config"
export ZWIN_XDP_OBJ
rel=$(uname -r)
echo "guest: kernel $rel, scenarios: $ZWIN_SCENARIOS"
modinfo -n ip_vs_zwin > /dev/null || { echo "guest: module not installed"; exit 1; }

# What Debian's kernels can report (they have no KASAN or kmemleak):
# BUG/WARN/Oops, refcount and lockdep reports, RCU stalls, hung tasks.
bad_kernel_log='BUG|WARNING|Oops|general protection|refcount_t|possible (recursive|circular|irq).*lock|inconsistent lock state|rcu.*(stall|detected)|Call Trace|blocked for more than'

# Returns non-zero if the module could not be unloaded: a scenario that
# leaves it pinned fails (its leak check, at unload, never ran).
reset_state() {
	local ns
	for ns in $(ip netns list | awk '{ print $1 }'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9
		ip netns del "$ns"
	done
	ipvsadm -C 2>/dev/null
	# XDP front end state (scripts/zwin-xdp) of namespaces now gone
	umount /run/ipvs-zwin/bpf 2>/dev/null
	rm -rf /run/ipvs-zwin 2>/dev/null
	# Namespace cleanup is asynchronous; wait for it to drop the module.
	for i in $(seq 60); do
		grep -q '^ip_vs_zwin ' /proc/modules || return 0
		modprobe -r ip_vs_zwin 2>/dev/null && return 0
		sleep 0.5
	done
	! grep -q '^ip_vs_zwin ' /proc/modules
}

for s in $ZWIN_SCENARIOS; do
	reset_state
	log=$OUT/$s.log
	# each scenario's kernel log on its own, all of them in dmesg.all
	dmesg >> "$OUT/dmesg.all"
	dmesg -C
	echo "guest: === $s"
	script=$ZWIN_TOP/tests/guest/scenarios/$s.sh
	[ -f "$script" ] || script=$ZWIN_TOP/tests/guest/$s.sh
	# 600 s unless the script says "# zwin-timeout: SECONDS" (make bench)
	to=$(sed -n 's/^# zwin-timeout: *\([0-9][0-9]*\)$/\1/p' "$script" | head -1)
	if [ "${ZWIN_LIVE:-0}" = 1 ]; then
		timeout "${to:-600}" bash "$script" 2>&1 | tee "$log" > /dev/console
		rc=${PIPESTATUS[0]}
	else
		timeout "${to:-600}" bash "$script" > "$log" 2>&1
		rc=$?
	fi
	if ! reset_state; then
		echo "FAIL: ip_vs_zwin could not be unloaded after the scenario" >> "$log"
		grep ip_vs_zwin /proc/modules >> "$log"
		rc=1
	fi
	sleep 1
	dmesg > "$OUT/$s.dmesg"
	if grep -Eq "$bad_kernel_log" "$OUT/$s.dmesg"; then
		echo "FAIL: kernel log gained an error report:" >> "$log"
		grep -E -A20 "$bad_kernel_log" "$OUT/$s.dmesg" | head -60 >> "$log"
		rc=1
	fi
	# a scenario that asserted nothing tested nothing
	if [ "$rc" -eq 0 ] && ! grep -q '^ok: ' "$log"; then
		echo "FAIL: the scenario reported no passed check" >> "$log"
		rc=1
	fi
	if [ "$rc" -eq 0 ]; then
		echo "PASS $s" >> "$OUT/results"
	else
		echo "FAIL $s" >> "$OUT/results"
	fi
	echo "guest: === $s: rc=$rc"
done
dmesg >> "$OUT/dmesg.all"
echo done > "$OUT/done"
