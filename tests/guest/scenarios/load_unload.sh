#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload repeatedly: with no service, with plain services in
# several namespaces, with namespaces created and destroyed while loaded,
# and with zwin services removed just before unload. The runner checks the
# kernel log afterwards.
. "$(dirname "$0")/../lib.sh"
set -e

for i in $(seq 10); do
	modprobe ip_vs_zwin || fail "load $i"
	rmmod ip_vs_zwin || fail "unload $i"
done
echo "ok: 10 load/unload cycles without services"

check "hash_bits out of range (30) is refused at load" \
	bash -c '! modprobe ip_vs_zwin hash_bits=30'
check "... with a message saying why" \
	bash -c 'dmesg | grep -q "hash_bits=30 is out of range 8-20; refusing to load"'
check "hash_bits=8 loads" modprobe ip_vs_zwin hash_bits=8
check "and unloads" rmmod ip_vs_zwin

ip netns add zu1
ip netns add zu2
for i in $(seq 8); do
	modprobe ip_vs_zwin || fail "load $i"
	ip netns exec zu1 ipvsadm -A -t 127.0.0.1:80 -s rr || fail "svc $i"
	ip netns exec zu2 ipvsadm -A -t 127.0.0.1:80 -s wrr --pe zwin || fail "zwin svc $i"
	ip netns add "zt$i" || fail "netns $i"
	ip netns exec "zt$i" cat /proc/net/stat/ip_vs_zwin > /dev/null || fail "proc $i"
	ip netns del "zt$i"
	if rmmod ip_vs_zwin 2>/dev/null; then
		fail "unload allowed while zu2 uses the PE ($i)"
	fi
	ip netns exec zu2 ipvsadm -C
	rmmod ip_vs_zwin || fail "unload $i"
	ip netns exec zu1 ipvsadm -C
done
echo "ok: 8 cycles with services and namespaces"

modprobe ip_vs_zwin
ip netns exec zu2 ipvsadm -A -t 127.0.0.1:80 -s rr --pe zwin
ip netns del zu2
# Namespace cleanup runs asynchronously; IPVS drops the PE when it runs.
check "unload after the namespace holding the PE was deleted" unload_eventually
ip netns del zu1
