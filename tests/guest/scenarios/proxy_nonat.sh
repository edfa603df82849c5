#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A --pe zwin service with a DR real server cannot be proxied (the
# server's replies would bypass the balancer): its SYNs go to IPVS as
# before, counted as syn_nonat, with a rate-limited explanation in the
# kernel log. A service whose servers all have weight 0 is left to IPVS.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
lb ipvsadm -A -t "$VIP:80" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:80" -r "$RS1:80" -m
lb ipvsadm -a -t "$VIP:80" -r "$RS2:80" -g
# the DR server has no VIP: the request IPVS sends it fails (|| true)
ip netns exec zc curl -s --max-time 2 "http://$VIP/" > /dev/null || true
ip netns exec zc curl -s --max-time 2 "http://$VIP/" > /dev/null || true
expect_ge "SYNs counted as not proxiable" "$(zstat zlb syn_nonat)" 2
expect_eq "no SYN-ACK from the proxy" "$(zstat zlb synack_sent)" 0
check "the kernel log explains why" \
	bash -c "dmesg | grep -q 'has --pe zwin but DR or tunnel real servers'"

lb ipvsadm -D -t "$VIP:80"
lb ipvsadm -A -t "$VIP:80" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:80" -r "$RS1:80" -m -w 0
# no server to schedule: the balancer's own stack refuses it (|| true)
ip netns exec zc curl -s --max-time 2 "http://$VIP/" > /dev/null || true
expect_ge "SYNs to a service without usable server counted" "$(zstat zlb syn_nodest)" 1
expect_eq "still no SYN-ACK from the proxy" "$(zstat zlb synack_sent)" 0
