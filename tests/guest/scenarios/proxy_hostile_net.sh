#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Through a lossy, reordering path (netem: 2% loss, reordering) and with
# conntrack on the balancer (IPVS conntrack=1, INVALID dropped on INPUT,
# FORWARD and OUTPUT), transfers through the proxy stay intact.
. "$(dirname "$0")/../lib.sh"

topo_up
add_dest_files
ipvs_nat_service --pe zwin
sink_up --pe zwin

# conntrack everywhere on the balancer, INVALID dropped
lb modprobe nf_conntrack
lb sysctl -qw net.ipv4.vs.conntrack=1
for chain in INPUT FORWARD OUTPUT; do
	lb iptables -A "$chain" -m conntrack --ctstate INVALID -j DROP
done
download 1m
upload 5000000
check "conntrack tracks the proxied connections" \
	bash -c "ip netns exec zlb conntrack -L 2>/dev/null | grep -q 'dport=9000'"
expect_eq "INVALID drops on FORWARD" \
	"$(ip netns exec zlb iptables -nvxL FORWARD | awk '/INVALID/ { print $1 }')" 0
expect_eq "INVALID drops on INPUT" \
	"$(ip netns exec zlb iptables -nvxL INPUT | awk '/INVALID/ { print $1 }')" 0
expect_eq "INVALID drops on OUTPUT" \
	"$(ip netns exec zlb iptables -nvxL OUTPUT | awk '/INVALID/ { print $1 }')" 0

# loss and reordering both ways on the client's link
c tc qdisc add dev zczlb root netem delay 2ms loss 2% reorder 25% 50%
lb tc qdisc add dev zlbzc root netem delay 2ms loss 2% reorder 25% 50%
download 20m
upload 5000000
# loss recovery means duplicate ACKs, one way: never an ACK storm
expect_eq "no connection taken for an ACK storm" "$(zstat zlb ack_storm)" 0
