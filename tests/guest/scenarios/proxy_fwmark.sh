#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A firewall-mark service (ipvsadm -f, keepalived's "virtual_server
# fwmark") grouping ports 80 and 8080 of the VIP:
#
#   zc (curl) -- zlb: iptables -t raw ... -j MARK 1; ipvsadm -f 1 --pe zwin
#                     -- zr1, zr2 (httpd on 80 and 8080)
#
# With the mark set in the raw table (before the proxy's hook) both ports
# are proxied and IPVS schedules the proxy's SYN by the mark (the SYN
# enters PRE_ROUTING on the client's device and is marked the same way).
# Set in mangle (after the hook), the proxy sees no mark, and the service
# is served as plain IPVS: what the admin guide says.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
for ns in zr1 zr2; do
	ip netns exec "$ns" busybox httpd -p 8080 -h "/tmp/www-$ns"
done
wait_listen zr1 8080
wait_listen zr2 8080
# SYNs at the servers, to either port
for ns in zr1 zr2; do
	ip netns exec "$ns" iptables -A INPUT -p tcp --syn -m multiport \
		--dports 80,8080 -j ACCEPT
done
srv_syns() { servers_sum '/multiport dports 80,8080/ { print $1 }' iptables -nvxL INPUT; }
lb iptables -t raw -A PREROUTING -d "$VIP" -p tcp -m multiport \
	--dports 80,8080 -j MARK --set-mark 1
lb ipvsadm -A -f 1 -s rr --pe zwin
lb ipvsadm -a -f 1 -r "$RS1" -m
lb ipvsadm -a -f 1 -r "$RS2" -m

# served, on both ports, through the proxy
got=$(for p in 80 8080 80 8080; do
	ip netns exec zc curl -sS --max-time 5 "http://$VIP:$p/" || echo curl-failed
done)
expect_eq "four requests to ports 80 and 8080 served by both servers" \
	"$(sort <<< "$got" | uniq -c | awk '{ print $1 $2 }' | tr '\n' ' ')" "2zr1 2zr2 "
expect_eq "all four through the proxy (syn_zwin)" "$(zstat zlb syn_zwin)" 4
expect_eq "... which answered them (synack_sent)" "$(zstat zlb synack_sent)" 4
expect_eq "... and connected the servers (server_syn)" "$(zstat zlb server_syn)" 4
expect_eq "no SYN at a server but the proxy's" "$(srv_syns)" 4
expect_eq "IPVS scheduled them on the mark: 2 connections per server" \
	"$(ip netns exec zlb ipvsadm -Lnc | awk '$1 == "TCP" { print $6 }' | sed 's/:.*//' | sort | uniq -c | awk '{ print $1 }' | tr '\n' ' ')" "2 2 "

# marked in mangle, after the proxy's hook: plain IPVS
lb iptables -t raw -F PREROUTING
lb iptables -t mangle -A PREROUTING -d "$VIP" -p tcp -m multiport \
	--dports 80,8080 -j MARK --set-mark 1
expect_eq "marked in mangle: still served" "$(get 2 | grep -c '^zr')" 2
expect_eq "but not proxied (no SYN-ACK from the proxy)" "$(zstat zlb synack_sent)" 4
expect_eq "the proxy saw no service for them (syn_plain unchanged)" \
	"$(zstat zlb syn_plain)" 0
expect_eq "the servers got the client's own SYNs" "$(srv_syns)" 6
