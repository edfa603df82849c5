#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A spoofed SYN flood (hping3 --flood --rand-source from the attacker)
# against a zwin service, with conntrack loaded on the balancer, while a
# legitimate client keeps downloading: no flood SYN reaches a real server,
# the flood creates no proxy entry, IPVS connection or conntrack entry,
# replies to unroutable sources fail silently, and every client request is
# served. Rates are printed; they are TCG's, not a benchmark.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
ipvs_nat_service --pe zwin
lb modprobe nf_conntrack
lb sysctl -qw net.ipv4.vs.conntrack=1
# a conntrack match makes conntrack track every packet of the namespace
lb iptables -A INPUT -m conntrack --ctstate INVALID -j DROP
count_server_syns

slab0=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
ct0=$(ip netns exec zlb conntrack -C)
att timeout 8 hping3 --flood --rand-source -S -p 80 "$VIP" > /tmp/hping.log 2>&1 &
flood=$!
sleep 1
ok=0
for i in $(seq 10); do
	body=$(ip netns exec zc curl -sS --max-time 10 "http://$VIP/") && ok=$((ok + 1))
	echo "request $i: $body"
done
rc=0
wait "$flood" || rc=$?
expect_eq "hping3 flooded until timeout stopped it (exit status)" "$rc" 124
sleep 1
syns=$(zstat zlb syn_zwin)
echo "flood: $syns SYNs seen in ~8 s ($((syns / 8))/s), SYN-ACKs sent $(zstat zlb synack_sent), unroutable $(zstat zlb xmit_fail)"
expect_ge "the flood was absorbed by the proxy" "$syns" 1000
expect_eq "legitimate requests served during the flood" "$ok" 10
# Each client connection needs one SYN at a server; the proxy sends no
# other but its own retransmissions (a SYN lost in the flooded backlog).
retry=$(zstat zlb server_retry)
expect_eq "the proxy sent one SYN per client connection (+ $retry resent)" \
	"$(zstat zlb server_syn)" $((10 + retry))
got=$(server_syns)
check "SYNs at the real servers: the client's 10, none of the flood's ($got)" \
	test "$got" -ge 10 -a "$got" -le $((10 + retry))
# the clients' closed connections wait out IPVS's TIME_WAIT timeout
check "proxy entries: only the client's ($(zstat zlb entries))" \
	test "$(zstat zlb entries)" -le 10
expect_eq "proxied connections = client requests" "$(zstat zlb established)" 10
ct=$(ip netns exec zlb conntrack -C)
echo "conntrack entries before $ct0, after $ct (the client's 10 + servers')"
check "conntrack is active: it tracked the client" test "$ct" -ge 10
check "the flood created no conntrack entry" test "$ct" -le $((ct0 + 20))
echo "slab before ${slab0} kB, after $(awk '/^Slab:/ { print $2 }' /proc/meminfo) kB"
