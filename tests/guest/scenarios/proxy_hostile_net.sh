#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Through a lossy, reordering path (netem: 2% loss, reordering) and with
# conntrack on the balancer (IPVS conntrack=1, INVALID dropped on INPUT,
# FORWARD and OUTPUT), transfers through the proxy stay intact. Each
# transfer's handshake is the proxy's (established counts it), its
# segments are translated (to_server, to_client), and conntrack finds
# nothing INVALID, with or without loss.
. "$(dirname "$0")/../lib.sh"
set -e

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
# no_invalid WHEN: no INVALID drop counted on any chain
no_invalid() {
	local chain
	for chain in INPUT FORWARD OUTPUT; do
		expect_eq "$1: INVALID drops on $chain" \
			"$(ip netns exec zlb iptables -nvxL "$chain" | awk '/INVALID/ { print $1 }')" 0
	done
}
# proxied WHEN N: the transfers since the last call were N handshakes of
# the proxy, and their data went through its translation both ways
est=$(zstat zlb established) tos=$(zstat zlb to_server) toc=$(zstat zlb to_client)
proxied() {
	local e s c
	e=$(zstat zlb established) s=$(zstat zlb to_server) c=$(zstat zlb to_client)
	expect_eq "$1: handshakes completed by the proxy" $((e - est)) "$2"
	expect_ge "$1: client segments translated" $((s - tos)) 10
	expect_ge "$1: server segments translated" $((c - toc)) 10
	est=$e tos=$s toc=$c
}

download 1m
upload 5000000
proxied "with conntrack" 2
check "conntrack tracks the proxied connections" \
	bash -c "ip netns exec zlb conntrack -L 2>/dev/null | grep -q 'dport=9000'"
no_invalid "with conntrack"

# loss and reordering both ways on the client's link
c tc qdisc add dev zczlb root netem delay 2ms loss 2% reorder 25% 50%
lb tc qdisc add dev zlbzc root netem delay 2ms loss 2% reorder 25% 50%
check "netem is on the client's side" bash -c "ip netns exec zc tc qdisc show dev zczlb | grep -q 'loss 2%'"
check "netem is on the balancer's side" bash -c "ip netns exec zlb tc qdisc show dev zlbzc | grep -q 'loss 2%'"
download 20m
upload 5000000
proxied "under loss and reordering" 2
no_invalid "under loss and reordering"
# loss recovery means duplicate ACKs, one way: never an ACK storm
expect_eq "no connection taken for an ACK storm" "$(zstat zlb ack_storm)" 0
