#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fraglist GRO on the balancer. With GRO and rx-gro-list on its veths
# (client and server side), forwarded TCP segments reach the proxy's hooks
# as SKB_GSO_FRAGLIST packets whose segments keep their own headers, and
# with tx-gso-list off (as on a NIC without it) the balancer splits them
# again on output with those headers. A 20 MiB download and a 10 MB upload
# through zwin services, IPv4 and IPv6, must arrive byte-identical within
# a bounded time and without the sender retransmitting (a segment left in
# the wrong sequence space is dropped by its receiver and sent again: the
# transfer still completes, slower). On kernels with TCP fraglist GRO
# (6.10 and later) the proxy must have translated such packets in both
# directions (gro_list counter) and dropped none. Older kernels (6.1) have
# no TCP fraglist GRO: the same transfers must pass and no such packet
# may reach the proxy.
# zwin-timeout: 900
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
add_dest_files
ipvs_nat_service --pe zwin
lb ipvsadm -A -t "[$VIP6]:80" -s rr --pe zwin
lb ipvsadm -a -t "[$VIP6]:80" -r "[$RS1_6]:80" -m
lb ipvsadm -a -t "[$VIP6]:80" -r "[$RS2_6]:80" -m
lb ipvsadm -A -t "[$VIP6]:9000" -s rr --pe zwin
lb ipvsadm -a -t "[$VIP6]:9000" -r "[$RS1_6]:9000" -m
lb ipvsadm -a -t "[$VIP6]:9000" -r "[$RS2_6]:9000" -m
sink_up --pe zwin

# 1. Offloads. veth GRO-aggregates only what a sender without TSO sent
# (veth_skb_is_eligible_for_gro()), so the senders segment in software.
c ethtool -K zczlb tso off
r1 ethtool -K zr1zlb tso off
r2 ethtool -K zr2zlb tso off
for dev in zlbzc zlbzr1 zlbzr2; do
	lb ethtool -K "$dev" gro on rx-gro-list on tx-gso-list off
	feat=$(lb ethtool -k "$dev")
	for f in generic-receive-offload rx-gro-list; do
		check "$dev: $f on" grep -q "^$f: on" <<< "$feat"
	done
	check "$dev: tx-gso-list off" grep -q '^tx-gso-list: off' <<< "$feat"
done
for dev in zc:zczlb zr1:zr1zlb zr2:zr2zlb; do
	feat=$(ip netns exec "${dev%%:*}" ethtool -k "${dev#*:}")
	check "${dev#*:}: tcp-segmentation-offload off" \
		grep -q '^tcp-segmentation-offload: off' <<< "$feat"
done

rel=$(uname -r)
maj=${rel%%.*}
min=${rel#*.}
min=${min%%.*}
if [ "$maj" -gt 6 ] || { [ "$maj" -eq 6 ] && [ "$min" -ge 10 ]; }; then
	flist=1
	echo "Linux $rel has TCP fraglist GRO: the proxy must see it both ways"
else
	flist=0
	echo "Linux $rel has no TCP fraglist GRO (TCP joined UDP in 6.10):" \
		"no fraglist packet can reach the proxy, the transfers must pass"
fi

# retrans NS...: TCP segments the namespaces retransmitted (IPv4 and IPv6).
retrans() {
	local n=0 ns

	for ns in "$@"; do
		n=$((n + $(ip netns exec "$ns" awk '/^Tcp:/ && h { print $c }
			/^Tcp:/ && !h { for (i = 1; i <= NF; i++)
				if ($i == "RetransSegs") c = i; h = 1 }' /proc/net/snmp)))
	done
	echo "$n"
}

# few_retrans WHAT BEFORE NS...: the namespaces retransmitted at most
# RT_MAX segments since BEFORE. The links lose nothing, but a receiver
# drops every segment left in the wrong sequence space (it stays out of
# its window): the sender retransmits it, and the transfer, slowed down,
# may still complete. So retransmissions, not only the content, tell.
RT_MAX=100
few_retrans() {
	local what=$1 n

	n=$(($(retrans "${@:3}") - $2))
	check "$what: $n segments retransmitted (at most $RT_MAX)" \
		test "$n" -le "$RT_MAX"
}

# gro_list: the proxy's count of fraglist GRO packets, 0 from a module
# without the counter (which then fails in gro_seen, after the transfers).
gro_list() {
	local n

	n=$(zstat zlb gro_list)
	case $n in
	no-counter-*) echo 0 ;;
	*) echo "$n" ;;
	esac
}

# gro_seen WHAT BEFORE: the fraglist packets translated since BEFORE.
gro_seen() {
	local n

	check "the module counts fraglist GRO packets (gro_list)" \
		test "$(zstat zlb gro_list)" != no-counter-gro_list
	n=$(($(gro_list) - $2))
	if [ "$flist" = 1 ]; then
		expect_ge "$1: fraglist GRO packets translated" "$n" 1
	else
		expect_eq "$1: no fraglist GRO packet (none on $rel)" "$n" 0
	fi
}

# 2. Downloads (server to client segments), 120 s at most each.
for from in "$VIP" "[$VIP6]"; do
	g=$(gro_list)
	rt=$(retrans zr1 zr2)
	check "download of 20m from $from within 120 s" \
		c curl -sS -g --max-time 120 -o /tmp/got "http://$from/20m"
	got=$(sha256sum < /tmp/got)
	check "download of 20m from $from is byte-identical" test "$got" = \
		"$(sha256sum < /tmp/www-zr1/20m)" -o "$got" = "$(sha256sum < /tmp/www-zr2/20m)"
	few_retrans "download from $from" "$rt" zr1 zr2
	gro_seen "download from $from" "$g"
done

# 3. Uploads (client to server segments); the sink's socket times out
# after 30 s without progress.
for to in "$VIP" "$VIP6"; do
	g=$(gro_list)
	rt=$(retrans zc)
	upload 10000000 "$to"
	few_retrans "upload to $to" "$rt" zc
	gro_seen "upload to $to" "$g"
done

lb cat /proc/net/stat/ip_vs_zwin
echo "fraglist GRO packets translated: $(zstat zlb gro_list)"
expect_eq "no fraglist packet dropped" "$(zstat zlb gro_list_fail)" 0
expect_ge "server packets translated" "$(zstat zlb to_client)" 200
expect_ge "client packets translated" "$(zstat zlb to_server)" 200
