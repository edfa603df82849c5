#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two directors run keepalived from Documentation/examples/
# keepalived-zwin-pair.conf, unchanged (--config-id lb1, lb2): VRRP for
# the VIP and the servers' gateway, lvs_sync_daemon, the zwin services.
# The master is killed (keepalived SIGKILLed, its links down) in the
# middle of a download and an upload; the backup takes over the VIP and
# the proxied connections, which complete byte-exact with no RST. Then
# the same with the file's zwin engine lines removed: plain IPVS, the
# control, for the time the download waits (the failover gap).
#
#            zsw: bridge brc             zsw: bridge brs
#   zc eth0 ------+---- eth0 zlb (lb1) eth1 ----+------ eth0 zr1
#   192.0.2.2     |     .11    198.51.100.251   |       198.51.100.2
#                 +---- eth0 zlb2 (lb2) eth1 ---+------ eth0 zr2
#                       .12    198.51.100.252           198.51.100.18
#   VIP 192.0.2.100 and gateway 198.51.100.1: on the VRRP master
. "$(dirname "$0")/../lib.sh"
set -e

conf=$ZWIN_GUEST/../../Documentation/examples/keepalived-zwin-pair.conf
KEY=00112233445566778899aabbccddeeff

# port NS IFNAME ADDR BRIDGE: NS's IFNAME, with ADDR, on zsw's BRIDGE
port() {
	ip link add "$2" netns "$1" type veth peer name "$1-$2" netns zsw
	ip -n zsw link set "$1-$2" master "$4" up
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" link set "$2" up
}
topo() {
	local ns br
	for ns in zsw zc zlb zlb2 zr1 zr2; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	for br in brc brs; do
		ip -n zsw link add "$br" type bridge
		ip -n zsw link set "$br" up
	done
	port zc eth0 192.0.2.2/24 brc
	port zlb eth0 192.0.2.11/24 brc
	port zlb2 eth0 192.0.2.12/24 brc
	port zlb eth1 198.51.100.251/24 brs
	port zlb2 eth1 198.51.100.252/24 brs
	port zr1 eth0 198.51.100.2/24 brs
	port zr2 eth0 198.51.100.18/24 brs
	for ns in zr1 zr2; do
		ip -n "$ns" route add default via 198.51.100.1
		mkdir -p "/tmp/www-$ns"
		echo "$ns" > "/tmp/www-$ns/index.html"
		ip netns exec "$ns" busybox httpd -p 80 -h "/tmp/www-$ns"
		ip netns exec "$ns" python3 "$ZWIN_GUEST/tcp_sink.py" serve 9000 \
			> "/tmp/sink-$ns.log" 2>&1 &
	done
	wait_listen zr1 9000
	wait_listen zr2 9000
	for ns in zlb zlb2; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
	done
	# RSTs at the client, and at the servers to or from the client
	# (keepalived's TCP_CHECKs, from the directors' own addresses, end
	# with resets)
	c iptables -A INPUT -p tcp --tcp-flags RST RST -m comment --comment rst
	c iptables -A OUTPUT -p tcp --tcp-flags RST RST -m comment --comment rst
	for ns in zr1 zr2; do
		ip netns exec "$ns" iptables -A INPUT -s "$CIP" -p tcp \
			--tcp-flags RST RST -m comment --comment rst
		ip netns exec "$ns" iptables -A OUTPUT -d "$CIP" -p tcp \
			--tcp-flags RST RST -m comment --comment rst
	done
}
teardown() {
	local ns
	for ns in zsw zc zlb zlb2 zr1 zr2; do
		ip netns pids "$ns" | xargs -r kill -9
		ip netns del "$ns"
	done
}
rsts() {
	local ns n=0
	for ns in zc zr1 zr2; do
		n=$((n + $(ip netns exec "$ns" iptables -nvxL | awk '/\/\* rst \*\// { s += $1 } END { print s + 0 }')))
	done
	echo "$n"
}
ka() {
	pretty "$1" "keepalived --config-id $2 --use-file $(basename "$3")"
	ip netns exec "$1" keepalived --dont-fork --log-console --config-id "$2" \
		--use-file "$3" --pid "/tmp/ka-$2.pid" \
		--checkers_pid "/tmp/ka-$2-c.pid" --vrrp_pid "/tmp/ka-$2-v.pid" \
		> "/tmp/keepalived-$2.log" 2>&1 &
}
has_vip() { ip -n "$1" -4 addr show dev eth0 | grep -q "192.0.2.100/"; }
servers() { ip netns exec "$1" ipvsadm -Ln | grep -c -- '-> 198.51.100' || true; }
# pair WHAT CONF: the two directors from CONF; lb1 dies in the middle of
# a download and an upload, which complete through lb2
pair() {
	local what=$1 conf=$2 d
	topo
	xfer_files
	# the directors: the module, then the cluster key, then keepalived
	host modprobe ip_vs_zwin
	for d in zlb zlb2; do
		pretty "$d" "sysctl -w net.ipv4.vs.zwin_cookie_key=KEY"
		ip netns exec "$d" sysctl -qw net.ipv4.vs.zwin_cookie_key="$KEY"
	done
	ka zlb lb1 "$conf"
	ka zlb2 lb2 "$conf"
	eventually "$what: lb1 is VRRP master: it holds the VIP" 20 has_vip zlb
	check "$what: lb2 does not" bash -c '! ip -n zlb2 -4 addr show dev eth0 | grep -q 192.0.2.100/'
	eventually_eq "$what: keepalived on lb1 set up both services, both servers each" 30 4 servers zlb
	eventually_eq "$what: ... and on lb2" 30 4 servers zlb2
	check "$what: lb1 runs IPVS's master sync daemon" bash -c \
		"ip netns exec zlb ipvsadm -L --daemon | grep -q 'master sync daemon'"
	check "$what: lb2 runs a backup sync daemon" bash -c \
		"ip netns exec zlb2 ipvsadm -L --daemon | grep -q 'backup sync daemon'"

	xfer_start
	eventually_eq "$what: lb2 holds both transfers' connections, synced" 10 2 \
		synced_conns zlb2

	# lb1 dies: keepalived and its children killed, its links down
	pretty zlb "kill -9 keepalived; ip link set eth0, eth1 down"
	kill -9 "$(cat /tmp/ka-lb1.pid)" "$(cat /tmp/ka-lb1-c.pid)" "$(cat /tmp/ka-lb1-v.pid)"
	ip -n zlb link set eth0 down
	ip -n zlb link set eth1 down
	eventually "$what: lb2 is VRRP master: it holds the VIP" 15 has_vip zlb2

	xfer_end "$what"
	expect_eq "$what: no RST at the client or the servers" "$(rsts)" 0
	# ... as they would count one: a closed port of the VIP resets
	ip netns exec zc curl -s --max-time 3 "http://$VIP:81/" || true
	expect_eq "$what: a reset from a closed port of the VIP is counted" "$(rsts)" 1
}

# 1. the example, unchanged: proxied, and the proxy's connections survive
pair "proxy" "$conf"
expect_eq "proxy: lb2 rebuilt both connections from the synced records" \
	"$(zstat zlb2 sync_adopted)" 2
expect_eq "proxy: lb2 found no invalid record" "$(zstat zlb2 sync_invalid)" 0
expect_ge "proxy: lb1 proxied them" "$(zstat zlb synack_sent)" 2
sent=$(zstat zlb2 synack_sent)
expect_eq "proxy: a new request after the failover: served" \
	"$(ip netns exec zc curl -sS --max-time 5 "http://$VIP/" | grep -c '^zr')" 1
expect_eq "proxy: ... by lb2's proxy" "$(zstat zlb2 synack_sent)" $((sent + 1))
pretty zlb2 "kill keepalived"
kill "$(cat /tmp/ka-lb2.pid)"
eventually "lb2's keepalived exited" 15 bash -c '! pgrep -x keepalived'
teardown

# 2. the control: the same without the zwin engine, plain IPVS
grep -v 'persistence_engine zwin' "$conf" > /tmp/keepalived-plain.conf
pair "plain" /tmp/keepalived-plain.conf
expect_eq "plain: the proxy answered no SYN" \
	"$(zstat zlb synack_sent)$(zstat zlb2 synack_sent)" 00
teardown
