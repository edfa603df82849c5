#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Path MTU discovery through the proxy, IPv4 and IPv6: a router between
# the client and the balancer has a 1400-byte link toward the client, so
# the servers' 1500-byte segments only get through once the servers have
# taken the router's "fragmentation needed" / "packet too big" into
# account. IPVS relays those errors to the real server; the proxy must
# first put the quoted sequence number back into the server's space, or
# the server's TCP ignores the error (OutOfWindowIcmps) and the download
# stalls. Each family is run against a plain IPVS service (the control:
# PMTUD needed and working) and a zwin service, from two client addresses
# so that the servers learn each path's MTU separately.
#
#   zp (client)            zm (router)                   zlb ... zr1, zr2
#   10.9.1.2, .3  --1500/1400--  10.9.1.1 | 10.9.2.2 --1500-- 10.9.2.1
#   2001:db8:91::2, ::3          ::1      | 2001:db8:92::2   2001:db8:92::1
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
add_dest_files
ip netns add zp
ip netns add zm
ip -n zp link set lo up
ip -n zm link set lo up
veth zp 10.9.1.2/24 zm 10.9.1.1/24 2001:db8:91::2/64 2001:db8:91::1/64
veth zm 10.9.2.2/24 zlb 10.9.2.1/24 2001:db8:92::2/64 2001:db8:92::1/64
ip -n zp addr add 10.9.1.3/24 dev zpzm
ip -n zp addr add 2001:db8:91::3/64 dev zpzm nodad
# only the router's side of the client link is narrow
ip -n zm link set zmzp mtu 1400
ip -n zp route add default via 10.9.1.1
ip -n zp -6 route add default via 2001:db8:91::1
ip -n zm route add default via 10.9.2.1
ip -n zm -6 route add default via 2001:db8:92::1
ip netns exec zm sysctl -qw net.ipv4.ip_forward=1
ip netns exec zm sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n zlb route add 10.9.1.0/24 via 10.9.2.2
ip -n zlb -6 route add 2001:db8:91::/64 via 2001:db8:92::2

for v in "$VIP" "[$VIP6]"; do
	r1=$RS1 r2=$RS2
	[ "$v" = "$VIP" ] || r1="[$RS1_6]" r2="[$RS2_6]"
	lb ipvsadm -A -t "$v:80" -s rr --pe zwin
	lb ipvsadm -A -t "$v:8080" -s rr
	for p in 80 8080; do
		lb ipvsadm -a -t "$v:$p" -r "$r1:80" -m
		lb ipvsadm -a -t "$v:$p" -r "$r2:80" -m
	done
done

# oow_icmps: the servers' TCP errors ignored as out of window, summed.
oow_icmps() { servers_sum '/OutOfWindow/ { print $2 }' nstat -az TcpExtOutOfWindowIcmps; }

# pmtu_get FROM URL: a 1 MiB download from client address FROM, which only
# completes if path MTU discovery works (15 s at most).
pmtu_get() {
	ip netns exec zp curl -sS -g --max-time 15 --interface "$1" -o /tmp/pmtu \
		"$2" || fail "download $2 from $1 (path MTU discovery broken?)"
	check "download $2 from $1 is byte-identical" test "$(sha256sum < /tmp/pmtu)" = \
		"$(sha256sum < /tmp/www-zr1/1m)" -o "$(sha256sum < /tmp/pmtu)" = \
		"$(sha256sum < /tmp/www-zr2/1m)"
}

too_big() {
	ip netns exec zm nstat -az "$1" | awk -v c="$1" '$1 == c { print $2 }'
}

oow0=$(oow_icmps)
# IPv4: the control, then through the proxy
fn0=$(too_big IcmpOutDestUnreachs)
pmtu_get 10.9.1.2 "http://$VIP:8080/1m"
fn1=$(too_big IcmpOutDestUnreachs)
expect_ge "the router sent fragmentation needed for plain IPVS" "$fn1" $((fn0 + 1))
x0=$(zstat zlb icmp_xlate)
pmtu_get 10.9.1.3 "http://$VIP/1m"
expect_ge "the router sent fragmentation needed for the proxied download" \
	"$(too_big IcmpOutDestUnreachs)" $((fn1 + 1))
expect_ge "the proxy translated the quoted sequence number" "$(zstat zlb icmp_xlate)" $((x0 + 1))
expect_eq "no server ignored an error as out of window" "$(oow_icmps)" "$oow0"
check "the proxied download was proxied" test "$(zstat zlb established)" -ge 1

# IPv6
tb0=$(too_big Icmp6OutPktTooBigs)
pmtu_get 2001:db8:91::2 "http://[$VIP6]:8080/1m"
tb1=$(too_big Icmp6OutPktTooBigs)
expect_ge "the router sent packet too big for plain IPVS" "$tb1" $((tb0 + 1))
x0=$(zstat zlb icmp_xlate)
est0=$(zstat zlb established)
pmtu_get 2001:db8:91::3 "http://[$VIP6]/1m"
expect_ge "the router sent packet too big for the proxied download" \
	"$(too_big Icmp6OutPktTooBigs)" $((tb1 + 1))
expect_ge "the proxy translated the quoted IPv6 sequence number" \
	"$(zstat zlb icmp_xlate)" $((x0 + 1))
expect_ge "the IPv6 download was proxied" "$(zstat zlb established)" $((est0 + 1))
expect_eq "no server ignored an error as out of window" "$(oow_icmps)" "$oow0"
