#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The short way out (net.ipv4.vs.zwin_synack_direct, ipvs_zwin/direct.c):
#  1. by default the SYN-ACK to a client on the balancer's Ethernet link
#     leaves straight from the device the SYN came in on (synack_direct),
#     IPv4 and IPv6: an Ethernet frame from zlb's address to the client's,
#     window 0; the balancer's OUTPUT and POSTROUTING rules see none of
#     them; the requests are served;
#  2. through a VLAN device it leaves the same way, tagged; through a VLAN
#     device that keeps the tag in the frame (reorder_hdr off) it is
#     routed (direct_fallback), and served too;
#  3. a SYN whose answer the route sends by another device (the SYN comes
#     in from the attacker's link, the route to its source leaves by the
#     client's) is routed: the answer reaches the client's link, never
#     the link the SYN came from (direct_fallback);
#  4. zwin_synack_direct=0: every SYN-ACK goes through OUTPUT and
#     POSTROUTING (the rules count them), none the short way.
#
#   zc 192.0.2.2, VLAN 100: 192.0.2.130, VLAN 101: 192.0.2.194
#    |  (curl, tcpdump -e)
#   zlb (IPVS NAT, zwin; iptables counts SYN-ACKs at OUTPUT, POSTROUTING)
#    |                                          |
#   za 203.0.113.2 (scapy: SYNs from           zr1, zr2
#      192.0.2.77, which zc owns)
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
ipvs_nat_service --pe zwin
ipvs_nat_service6 --pe zwin

# SYN-ACKs from the VIPs as the balancer's OUTPUT and POSTROUTING see them
for t in "filter OUTPUT" "mangle POSTROUTING"; do
	set -- $t
	lb iptables -t "$1" -A "$2" -s "$VIP" -p tcp --sport 80 \
		--tcp-flags SYN,ACK SYN,ACK -m comment --comment zwin-synack
	lb ip6tables -t "$1" -A "$2" -s "$VIP6" -p tcp --sport 80 \
		--tcp-flags SYN,ACK SYN,ACK -m comment --comment zwin-synack
done
# seen_out: the SYN-ACKs OUTPUT and POSTROUTING counted, both families
seen_out() {
	local n=0 v t
	for t in "filter OUTPUT" "mangle POSTROUTING"; do
		set -- $t
		for v in iptables ip6tables; do
			n=$((n + $(ip netns exec zlb "$v" -t "$1" -nvxL "$2" |
				awk '/zwin-synack/ { s += $1 } END { print s + 0 }')))
		done
	done
	echo "$n"
}
served() {
	ip netns exec zc curl -sS -g --max-time 5 "http://$1/" 2>&1 | tr -d '\n'
}
expect_served() {
	local got
	got=$(served "$2")
	case $got in
	zr1 | zr2) echo "ok: $1 ($got)" ;;
	*) fail "$1: got '$got', want zr1 or zr2" ;;
	esac
}
# counters SYN-ACK direct fallback: the three counters, one line
counters() {
	echo "$(zstat zlb synack_sent) $(zstat zlb synack_direct) $(zstat zlb direct_fallback)"
}

LBMAC=$(ip netns exec zlb cat /sys/class/net/zlbzc/address)
CMAC=$(ip netns exec zc cat /sys/class/net/zczlb/address)

# 1. the short way, IPv4 and IPv6
tap_start zc zczlb /tmp/direct 'src port 80'
read -r sa0 d0 f0 <<< "$(counters)"
o0=$(seen_out)
expect_served "IPv4 request served" "$VIP"
expect_served "IPv6 request served" "[$VIP6]"
read -r sa1 d1 f1 <<< "$(counters)"
tap_stop /tmp/direct
expect_eq "two SYN-ACKs sent, both the short way, no fallback" \
	"$((sa1 - sa0)) $((d1 - d0)) $((f1 - f0))" "2 2 0"
expect_eq "OUTPUT and POSTROUTING saw none of them" "$(($(seen_out) - o0))" 0
# the frames as the client's link carried them (tcpdump -e: MACs, window)
frames=$(ip netns exec zc tcpdump -r /tmp/direct.pcap -e -nn 2> /dev/null |
	awk '/Flags \[S\.\]/ && / win 0[, ]/ { print $2, $4 }' | sort | uniq -c |
	awk '{ print $1, $2, $3 }')
expect_eq "both zero-window SYN-ACKs on the wire, from zlb's MAC to the client's" \
	"$frames" "2 $LBMAC $CMAC,"

# 2. VLANs on the client's link
lb ip link add link zlbzc name zlbzc.100 type vlan id 100
c ip link add link zczlb name zczlb.100 type vlan id 100
lb ip link add link zlbzc name zlbzc.101 type vlan id 101 reorder_hdr off
c ip link add link zczlb name zczlb.101 type vlan id 101
lb ip addr add 192.0.2.129/26 dev zlbzc.100
c ip addr add 192.0.2.130/26 dev zczlb.100
lb ip addr add 192.0.2.193/26 dev zlbzc.101
c ip addr add 192.0.2.194/26 dev zczlb.101
for d in 100 101; do
	lb ip link set "zlbzc.$d" up
	c ip link set "zczlb.$d" up
done
tap_start zc zczlb /tmp/vlan 'vlan 100 and tcp and src port 80'
read -r sa0 d0 f0 <<< "$(counters)"
c ip route replace "$VIP/32" via 192.0.2.129 src 192.0.2.130
expect_served "a request over VLAN 100 served" "$VIP"
read -r sa1 d1 f1 <<< "$(counters)"
expect_eq "VLAN 100: its SYN-ACK the short way" \
	"$((sa1 - sa0)) $((d1 - d0)) $((f1 - f0))" "1 1 0"
tap_stop /tmp/vlan
n=$(ip netns exec zc tcpdump -r /tmp/vlan.pcap -e -nn 2> /dev/null |
	grep -c 'vlan 100.*Flags \[S\.\].* win 0[, ]' || true)
expect_eq "it reached the client tagged with VLAN 100" "$n" 1
c ip route replace "$VIP/32" via 192.0.2.193 src 192.0.2.194
expect_served "a request over VLAN 101 (tag kept in the frame) served" "$VIP"
read -r sa2 d2 f2 <<< "$(counters)"
expect_eq "VLAN 101 with reorder_hdr off: its SYN-ACK routed" \
	"$((sa2 - sa1)) $((d2 - d1)) $((f2 - f1))" "1 0 1"
c ip route del "$VIP/32"

# 3. the route to the SYN's source leaves by another device
c ip addr add 192.0.2.77/32 dev zczlb
for ns in zc za; do
	ip netns exec "$ns" iptables -t raw -A PREROUTING -s "$VIP" -p tcp \
		--sport 80 --tcp-flags SYN,ACK SYN,ACK -m comment --comment zwin-synack
done
got_synacks() {
	ip netns exec "$1" iptables -t raw -nvxL PREROUTING |
		awk '/zwin-synack/ { s += $1 } END { print s + 0 }'
}
read -r sa0 d0 f0 <<< "$(counters)"
att python3 - "$VIP" <<'PY'
import sys
from scapy.all import IP, TCP, send, conf
conf.verb = 0
for i in range(5):
    send(IP(src="192.0.2.77", dst=sys.argv[1]) /
         TCP(sport=41000 + i, dport=80, flags="S", seq=1000 + i,
             options=[("MSS", 1460)]))
PY
eventually_eq "the 5 answers reached the client's link" 5 5 got_synacks zc
expect_eq "none went back to the attacker's link" "$(got_synacks za)" 0
read -r sa1 d1 f1 <<< "$(counters)"
expect_eq "5 SYN-ACKs, routed (direct_fallback)" \
	"$((sa1 - sa0)) $((d1 - d0)) $((f1 - f0))" "5 0 5"
# positive control: the attacker's link counts the answers to its own SYNs
att python3 - "$VIP" "$AIP" <<'PY'
import sys
from scapy.all import IP, TCP, send, conf
conf.verb = 0
send(IP(src=sys.argv[2], dst=sys.argv[1]) /
     TCP(sport=42000, dport=80, flags="S", seq=1, options=[("MSS", 1460)]))
PY
eventually_eq "the answer to a SYN from the attacker's own address reached it" 5 1 got_synacks za
read -r sa2 d2 f2 <<< "$(counters)"
expect_eq "that one the short way" "$((d2 - d1)) $((f2 - f1))" "1 0"

# 4. zwin_synack_direct=0: all through the output path
lb sysctl -qw net.ipv4.vs.zwin_synack_direct=0
read -r sa0 d0 f0 <<< "$(counters)"
o0=$(seen_out)
expect_served "IPv4 request served, routed" "$VIP"
expect_served "IPv6 request served, routed" "[$VIP6]"
read -r sa1 d1 f1 <<< "$(counters)"
expect_eq "two SYN-ACKs, none the short way, no fallback counted" \
	"$((sa1 - sa0)) $((d1 - d0)) $((f1 - f0))" "2 0 0"
expect_eq "OUTPUT and POSTROUTING saw each of them" "$(($(seen_out) - o0))" 4
lb sysctl -qw net.ipv4.vs.zwin_synack_direct=1
echo "PASS synack_direct"
