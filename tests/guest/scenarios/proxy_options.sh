#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Option fidelity through the proxy: clients without timestamps, without
# SACK, without window scaling, and servers without timestamps or with a
# window scale unlike the proxy's, all transfer intact; each end ends up
# with what it negotiated (TCP_INFO on both ends: the server sees exactly
# the client's options, carried in the cookie).
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
export ZWIN_INFO=/tmp/sink-info
sink_up --pe zwin

# case: client sysctl, server sysctl, expected client view, server view
run_case() {
	local what=$1 csys=$2 ssys=$3 want_c=$4 want_s=$5 got_c got_s
	: > /tmp/sink-info
	[ -n "$csys" ] && ip netns exec zc sysctl -qw "$csys"
	for ns in zr1 zr2; do
		[ -n "$ssys" ] && ip netns exec "$ns" sysctl -qw "$ssys"
	done
	got_c=$(ip netns exec zc python3 "$ZWIN_GUEST/tcp_sink.py" info "$VIP" 9000) ||
		fail "$what: no connection"
	# the sink writes its side once it accepted the connection
	eventually "$what: the server accepted the connection" 5 test -s /tmp/sink-info
	got_s=$(tail -1 /tmp/sink-info)
	expect_eq "$what: client's options" "$got_c" "$want_c"
	expect_eq "$what: server's options" "$got_s" "$want_s"
	upload 3000000
	upload 3000000
	[ -n "$csys" ] && ip netns exec zc sysctl -qw "${csys%=*}=1"
	for ns in zr1 zr2; do
		[ -n "$ssys" ] && ip netns exec "$ns" sysctl -qw "${ssys%=*}=1"
	done
	true
}

all="ts=1 sack=1 wscale=1"
run_case "defaults" "" "" "$all" "$all"
run_case "client without timestamps" net.ipv4.tcp_timestamps=0 "" \
	"ts=0 sack=1 wscale=1" "ts=0 sack=1 wscale=1"
run_case "client without SACK" net.ipv4.tcp_sack=0 "" \
	"ts=1 sack=0 wscale=1" "ts=1 sack=0 wscale=1"
run_case "client without window scaling" net.ipv4.tcp_window_scaling=0 "" \
	"ts=1 sack=1 wscale=0" "ts=1 sack=1 wscale=0"
run_case "server without timestamps" "" net.ipv4.tcp_timestamps=0 \
	"ts=1 sack=1 wscale=1" "ts=0 sack=1 wscale=1"

# Window scales unlike the proxy's (7): 14 on rs1, 2 on rs2.
ip netns exec zr1 sysctl -qw net.ipv4.tcp_rmem="4096 1048576 1073741824"
ip netns exec zr2 sysctl -qw net.ipv4.tcp_rmem="4096 65536 262144"
for i in 1 2 3 4; do
	upload 4000000
done
lb cat /proc/net/stat/ip_vs_zwin
expect_eq "no packet the proxy failed to build" "$(zstat zlb xmit_fail)" 0
