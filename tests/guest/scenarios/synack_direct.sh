#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The short way out (net.ipv4.vs.zwin_synack_direct, ipvs_zwin/direct.c):
#  1. by default the SYN-ACK to a client on the balancer's Ethernet link is
#     handed straight to the device (synack_direct), IPv4 and IPv6: an
#     Ethernet frame from zlb's address to the client's, window 0; the
#     balancer's OUTPUT and POSTROUTING rules see none of them; the
#     requests are served;
#  2. over VLAN devices too (reorder_hdr on and off), tagged on the wire;
#  3. it goes to the route's next hop, never back to the frame's sender:
#     SYNs spoofed from the attacker's link with sources routed through
#     another host on that link (zg) are answered to zg, none to the
#     attacker; a SYN from a subnet's broadcast address is not answered
#     (syn_invalid); a client whose route leaves by an IP tunnel (no
#     link-layer header) is answered through the routed path
#     (direct_fallback) and served;
#  4. zwin_synack_direct=0: every SYN-ACK goes through OUTPUT and
#     POSTROUTING (the rules count them), none the short way.
#
#   zc 192.0.2.2, VLAN 100: 192.0.2.130, VLAN 101: 192.0.2.194,
#    |  tunnel zt: 198.19.0.7 (curl, tcpdump -e)
#   zlb (IPVS NAT, zwin; iptables counts SYN-ACKs at OUTPUT, POSTROUTING;
#    |   route 198.18.1.0/24 via zg)
#    +-- za 203.0.113.2 (scapy: SYNs from 198.18.1.5, 203.0.113.255)
#    |   zg 203.0.113.3 (a macvlan on za's link)
#   zr1, zr2
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
# served HOST [CURL-ARGS...]: the body of http://HOST/ fetched by the client
served() {
	local h=$1
	shift
	ip netns exec zc curl -sS -g --max-time 5 "$@" "http://$h/" 2>&1 | tr -d '\n'
}
# expect_served WHAT HOST [CURL-ARGS...]: a real server answered
expect_served() {
	local got
	got=$(served "${@:2}")
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
tap_start zc zczlb /tmp/vlan 'vlan and tcp and src port 80'
for d in 100 101; do
	read -r sa0 d0 f0 <<< "$(counters)"
	c ip route replace "$VIP/32" via "192.0.2.$((d == 100 ? 129 : 193))" \
		src "192.0.2.$((d == 100 ? 130 : 194))"
	expect_served "a request over VLAN $d served" "$VIP"
	read -r sa1 d1 f1 <<< "$(counters)"
	expect_eq "VLAN $d: its SYN-ACK the short way" \
		"$((sa1 - sa0)) $((d1 - d0)) $((f1 - f0))" "1 1 0"
done
tap_stop /tmp/vlan
for d in 100 101; do
	n=$(ip netns exec zc tcpdump -r /tmp/vlan.pcap -e -nn 2> /dev/null |
		grep -c "vlan $d,.*Flags \[S\.\].* win 0[, ]" || true)
	expect_eq "it reached the client tagged with VLAN $d" "$n" 1
done
c ip route del "$VIP/32"

# 3. the route's next hop, not the frame's sender
ip netns add zg
att ip link add zg0 link zazlb type macvlan mode bridge
att ip link set zg0 netns zg
ip -n zg addr add 203.0.113.3/24 dev zg0
ip -n zg link set zg0 up
lb ip route add 198.18.1.0/24 via 203.0.113.3
for ns in za zg; do
	ip netns exec "$ns" iptables -t raw -A PREROUTING -s "$VIP" -p tcp \
		--sport 80 --tcp-flags SYN,ACK SYN,ACK -m comment --comment zwin-synack
done
got_synacks() {
	ip netns exec "$1" iptables -t raw -nvxL PREROUTING |
		awk '/zwin-synack/ { s += $1 } END { print s + 0 }'
}
# spoof SRC N: N SYNs from SRC, sent by the attacker
spoof() {
	att python3 - "$VIP" "$1" "$2" <<'PY'
import sys
from scapy.all import IP, TCP, send, conf
conf.verb = 0
for i in range(int(sys.argv[3])):
    send(IP(src=sys.argv[2], dst=sys.argv[1]) /
         TCP(sport=41000 + i, dport=80, flags="S", seq=1000 + i,
             options=[("MSS", 1460)]))
PY
}
check "[zlb] the next hop 203.0.113.3 (zg) is resolved" \
	ip netns exec zlb busybox ping -c 1 -W 2 203.0.113.3
read -r sa0 d0 f0 <<< "$(counters)"
spoof 198.18.1.5 5
eventually_eq "the 5 answers went to the route's next hop, zg" 5 5 got_synacks zg
expect_eq "none went back to the attacker, who sent the SYNs" "$(got_synacks za)" 0
read -r sa1 d1 f1 <<< "$(counters)"
expect_eq "5 SYN-ACKs, the short way" \
	"$((sa1 - sa0)) $((d1 - d0)) $((f1 - f0))" "5 5 0"
# positive control: an answer to the attacker's own address reaches it
spoof "$AIP" 1
eventually_eq "the answer to a SYN from the attacker's own address reached it" 5 1 got_synacks za
inv0=$(zstat zlb syn_invalid)
read -r sa1 d1 f1 <<< "$(counters)"
spoof 203.0.113.255 1
sleep 1
expect_eq "a SYN from the link's broadcast address: not answered, syn_invalid" \
	"$(($(zstat zlb syn_invalid) - inv0)) $(($(zstat zlb synack_sent) - sa1))" "1 0"
expect_eq "no answer reached the link" "$(got_synacks za) $(got_synacks zg)" "1 5"
# a route without a link-layer header: an IP tunnel to the client
lb ip link add zt type ipip local 192.0.2.1 remote 192.0.2.2
c ip link add zt type ipip local 192.0.2.2 remote 192.0.2.1
lb ip link set zt up
c ip link set zt up
c ip addr add 198.19.0.7/32 dev zt
lb ip route add 198.19.0.7/32 dev zt
# the client's packets come in by zlbzc, the answers leave by zt
for k in all.rp_filter zt.rp_filter; do
	c sysctl -qw "net.ipv4.conf.$k=0"
done
for k in all.rp_filter zlbzc.rp_filter; do
	lb sysctl -qw "net.ipv4.conf.$k=0"
done
# (two requests: the first one's routed answer leaves a neighbour entry)
read -r sa0 d0 f0 <<< "$(counters)"
for i in 1 2; do
	expect_served "request $i answered through the tunnel served" "$VIP" \
		--interface 198.19.0.7
done
read -r sa1 d1 f1 <<< "$(counters)"
expect_eq "their SYN-ACKs routed (direct_fallback)" \
	"$((sa1 - sa0)) $((d1 - d0)) $((f1 - f0))" "2 0 2"

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
