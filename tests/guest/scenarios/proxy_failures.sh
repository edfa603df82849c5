#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every proxied connection ends definitely: a real server that refuses
# (RST) or stays silent makes the proxy reset the client, promptly or
# after zwin_syn_retries retransmissions, and the entry goes away.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
zwin_load
lb sysctl -qw net.ipv4.vs.zwin_syn_timeout_ms=200
lb sysctl -qw net.ipv4.vs.zwin_syn_retries=2
# nothing listens on port 82: the server's kernel answers RST
lb ipvsadm -A -t "$VIP:82" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:82" -r "$RS1:82" -m
# port 83 is silently dropped on the server
r1 iptables -A INPUT -p tcp --dport 83 -j DROP
lb ipvsadm -A -t "$VIP:83" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:83" -r "$RS1:83" -m

out=$(connect_result 82 get)
echo "refused: $out"
read -r how secs <<< "$out"
expect_eq "client reset when the server refuses" "$how" reset
check "reset within a second ($secs s)" test "$(echo "$secs < 1" | bc)" = 1
expect_eq "server_refused counted" "$(zstat zlb server_refused)" 1

out=$(connect_result 83 get)
echo "silent: $out"
read -r how secs <<< "$out"
expect_eq "client reset when the server is silent" "$how" reset
# 200 + 400 + 800 ms with two retransmissions
check "reset after the retries, 1.3-4 s ($secs s)" \
	test "$(echo "$secs > 1.3 && $secs < 4" | bc)" = 1
expect_eq "server_timeout counted" "$(zstat zlb server_timeout)" 1
expect_eq "two SYN retransmissions" "$(zstat zlb server_retry)" 2
expect_eq "SYNs counted at the silent server" \
	"$(ip netns exec zr1 iptables -nvxL INPUT | awk '/dpt:83/ { print $1 }')" 3
# failed connections are held 10 s, so that crossing probes find them
eventually_eq "no proxied connection left" 15 0 zstat zlb entries
