#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Director failover through IPVS's own connection sync:
#
#   zc ---- zlb (A, sync master) ---- zr1, zr2
#    \                |  10.9.0.0/24: ipvsadm --start-daemon, syncid 1
#     \-- zlb2 (B, sync backup) ----- zr1, zr2
#
# A download and an upload run through A (paced, a few seconds each);
# once B's IPVS holds both connections (synced), A's links go down and
# the client's and servers' routes move to B, as after a VRRP switch.
# Plain IPVS first (the control), then the same with the proxy: both
# transfers complete byte-exact with no RST anywhere, B rebuilds the
# proxy's entries from the synced records, and new connections are
# proxied by B. Then with another key on B: the records fail there, and
# B drops what it cannot translate instead of passing it on.
. "$(dirname "$0")/../lib.sh"
set -e

K1=0123456789abcdef0123456789abcdef
K2=fedcba9876543210fedcba9876543210
topo_up
director2_up
add_dest_files
xfer_files
for ns in zr1 zr2; do
	ip netns exec "$ns" python3 "$ZWIN_GUEST/tcp_sink.py" serve 9000 \
		> "/tmp/sink-$ns.log" 2>&1 &
done
wait_listen zr1 9000
wait_listen zr2 9000
lb ipvsadm --start-daemon master --mcast-interface zlbzlb2 --syncid 1
lb2 ipvsadm --start-daemon backup --mcast-interface zlb2zlb --syncid 1
# RSTs anywhere: at the client and at the servers
c iptables -A INPUT -p tcp --tcp-flags RST RST -m comment --comment rst
c iptables -A OUTPUT -p tcp --tcp-flags RST RST -m comment --comment rst
for ns in zr1 zr2; do
	ip netns exec "$ns" iptables -A INPUT -p tcp --tcp-flags RST RST -m comment --comment rst
	ip netns exec "$ns" iptables -A OUTPUT -p tcp --tcp-flags RST RST -m comment --comment rst
	# what reaches a server through B's link
	ip netns exec "$ns" iptables -A INPUT -i "${ns}zlb2" -p tcp -m comment --comment via_b
done
rsts() {
	local n
	n=$(ip netns exec zc iptables -nvxL | awk '/\/\* rst \*\// { s += $1 } END { print s + 0 }')
	echo $((n + $(servers_sum '/\/\* rst \*\// { print $1 }' iptables -nvxL)))
}
via_b() { servers_sum '/\/\* via_b \*\// { print $1 }' iptables -nvxL INPUT; }

# services PE: VIP:80 and VIP:9000 on both directors, with "--pe zwin" or
# plain; IPVS's sync sends a connection at its 3rd packet and every 50th
services() {
	local d port
	for d in lb lb2; do
		$d ipvsadm -C
		for port in 80 9000; do
			$d ipvsadm -A -t "$VIP:$port" -s rr $1
			$d ipvsadm -a -t "$VIP:$port" -r "$RS1:$port" -m
			$d ipvsadm -a -t "$VIP:$port" -r "$RS2:$port" -m
		done
	done
}

# B holds N connections to the VIP, synced from A
synced() { synced_conns zlb2; }

# a_links up|down: A's links
a_links() {
	local l
	for l in zlbzc zlbzr1 zlbzr2 zlbzlb2; do
		ip -n zlb link set "$l" "$1"
	done
}

# fail_over: A is gone; the client and the servers route through B
fail_over() {
	a_links down
	route_via zlb2
}

# fail_back: A is back and in charge, B's connections forgotten
fail_back() {
	a_links up
	route_via zlb
	lb2 ipvsadm -C
	sleep 0.5
}

# 1. plain IPVS, the control
services ""
xfer_start
eventually_eq "plain: B holds both connections, synced" 10 2 synced
fail_over
xfer_end "plain IPVS"
expect_eq "plain: no RST at the client or the servers" "$(rsts)" 0
fail_back

# 2. the proxy, one cluster key
services "--pe zwin"
for d in lb lb2; do
	$d sysctl -qw net.ipv4.vs.zwin_cookie_key=$K1
done
xfer_start
eventually_eq "proxy: B holds both connections, synced" 10 2 synced
expect_ge "A wrote the failover records" "$(zstat zlb sync_record)" 2
expect_eq "B has no entry yet" "$(zstat zlb2 entries)" 0
fail_over
xfer_end "proxy"
expect_eq "proxy: no RST at the client or the servers" "$(rsts)" 0
expect_eq "B rebuilt both entries from the records" "$(zstat zlb2 sync_adopted)" 2
expect_eq "B found no invalid record" "$(zstat zlb2 sync_invalid)" 0
expect_ge "B translated toward the servers" "$(zstat zlb2 to_server)" 100
expect_ge "and toward the client" "$(zstat zlb2 to_client)" 100
expect_ge "the servers got the transfers through B after the switch" "$(via_b)" 100
sent=$(zstat zlb2 synack_sent)
expect_eq "new requests after the failover: served by B" "$(get 3 | grep -c '^zr')" 3
expect_eq "... through B's proxy" "$(zstat zlb2 synack_sent)" $((sent + 3))
fail_back

# 3. B with another key: A's records are forged as far as B can tell
services "--pe zwin"
lb2 sysctl -qw net.ipv4.vs.zwin_cookie_key=$K2
before=$(via_b)
ip netns exec zc python3 "$ZWIN_GUEST/tcp_sink.py" fetch "$VIP" 80 /20m \
	"$XFER_RATE" > /tmp/fetch.out &
fetch=$!
eventually_eq "other key: B holds the connection, synced" 10 1 synced
fail_over
b_invalid() { [ "$(zstat zlb2 sync_invalid)" -ge "$1" ]; }
eventually "B drops the segments it cannot translate (sync_invalid)" 10 b_invalid 1
eventually "... the retransmissions too" 10 b_invalid 3
# (stuck until killed here, or until its 10-s receive timeout ends it)
kill "$fetch" 2> /dev/null || true
if wait "$fetch"; then r=completed; else r=failed; fi
expect_eq "the download did not complete through B" "$r" failed
expect_eq "B rebuilt nothing" "$(zstat zlb2 sync_adopted)" 2
expect_eq "no segment of it reached a server through B" "$(via_b)" "$before"

# the counters above count: a closed port's reset, zr1 to zr2 through B
before=$(rsts)
ip netns exec zr1 curl -s --max-time 3 "http://$RS2:81/" || true
expect_eq "a reset from a closed port is counted (zr1 in, zr2 out)" \
	"$(rsts)" $((before + 2))
