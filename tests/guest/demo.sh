#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo, inside the guest: a client, a balancer and two real servers;
# a service enabled with stock ipvsadm --pe zwin; clients served; the
# module's view of it.
. "$(dirname "$0")/lib.sh"

banner() { printf '\n=== %s\n' "$*"; }

banner "topology (see tests/guest/lib.sh): client zc, balancer zlb, servers zr1 zr2"
topo_up

banner "enable the proxy on VIP $VIP:80 with stock ipvsadm"
ipvs_nat_service --pe zwin
check "IPVS loaded ip_vs_zwin on its own" module_loaded
lb ipvsadm -S -n

banner "20 client requests through the VIP"
bodies=$(get 20)
served=$(grep -c '^zr[12]$' <<< "$bodies")
echo "served: $served/20 (zr1: $(grep -c '^zr1$' <<< "$bodies"), zr2: $(grep -c '^zr2$' <<< "$bodies"))"

banner "IPVS's view"
lb ipvsadm -Ln --stats

banner "ipvs-zwin counters in the balancer (/proc/net/stat/ip_vs_zwin, summed)"
for n in $(ip netns exec zlb head -1 /proc/net/stat/ip_vs_zwin); do
	printf '  %-15s %s\n' "$n" "$(zstat zlb "$n")"
done

banner "summary"
echo "service $VIP:80 marked --pe zwin; $served/20 requests served;" \
	"$(zstat zlb synack_sent) zero-window SYN-ACKs sent by the balancer," \
	"$(zstat zlb established) real-server handshakes made only after the" \
	"client's ACK, $(zstat zlb to_client) server segments translated"
expect_eq "all requests served" "$served" 20
expect_eq "every request went through the proxy" "$(zstat zlb established)" 20
