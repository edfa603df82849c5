#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Counters and sysctls are per network namespace: each namespace has its
# own /proc/net/stat/ip_vs_zwin and net.ipv4.vs.zwin_enable, a namespace
# created after the module loaded gets them too, and zwin_enable=0 in one
# namespace stops the proxy there only (SYNs counted as syn_disabled).
. "$(dirname "$0")/../lib.sh"
set -e

zwin_load
topo_up
for ns in zc zlb zr1 zr2 za; do
	check "[$ns] counters file present" \
		ip netns exec "$ns" test -r /proc/net/stat/ip_vs_zwin
	expect_eq "[$ns] zwin_enable defaults to 1" \
		"$(ip netns exec "$ns" sysctl -n net.ipv4.vs.zwin_enable)" 1
done
hdr=$(lb head -1 /proc/net/stat/ip_vs_zwin)
echo "$hdr"
check "header names the counters" grep -q '^entries syn_seen syn_plain syn_zwin' <<< "$hdr"
expect_eq "one row per cpu" \
	"$(($(ip netns exec zlb wc -l < /proc/net/stat/ip_vs_zwin) - 1))" \
	"$(grep -c '^processor' /proc/cpuinfo)"
check "sysctl rejects 3" bash -c '! ip netns exec zlb sysctl -qw net.ipv4.vs.zwin_enable=3 2>/dev/null'
check "sysctl takes 2" ip netns exec zlb sysctl -qw net.ipv4.vs.zwin_enable=2
lb sysctl -qw net.ipv4.vs.zwin_enable=1

ipvs_nat_service --pe zwin
get 2 > /dev/null
expect_ge "[zlb] SYNs proxied" "$(zstat zlb syn_zwin)" 2
expect_eq "[zc] counts nothing of the balancer's" "$(zstat zc syn_zwin)" 0

lb sysctl -qw net.ipv4.vs.zwin_enable=0
expect_eq "[zc] zwin_enable untouched" \
	"$(ip netns exec zc sysctl -n net.ipv4.vs.zwin_enable)" 1
zw=$(zstat zlb syn_zwin)
bodies=$(get 2)
expect_eq "clients still served with zwin_enable=0" \
	"$(grep -c '^zr[12]$' <<< "$bodies")" 2
expect_eq "[zlb] SYNs counted as disabled" "$(zstat zlb syn_disabled)" 2
expect_eq "[zlb] no more SYNs proxied" "$(zstat zlb syn_zwin)" "$zw"

# A second balancer namespace with its own service and its own counters.
ip netns add zlb2
ip -n zlb2 link set lo up
ip netns exec zlb2 ipvsadm -A -t 127.0.0.1:81 -s rr --pe zwin
check "[zlb2] own counters start at zero" \
	test "$(zstat zlb2 syn_seen)" = 0
ip netns del zlb2
check "[zlb] counters survive another namespace's exit" \
	test "$(zstat zlb syn_disabled)" = 2

# Sysctls are hidden from namespaces owned by an unprivileged user
# namespace, as IPVS hides its own; the proxy still runs there with the
# defaults.
check "[unshare -n] zwin_enable is there in a root-owned namespace" \
	unshare -n test -e /proc/sys/net/ipv4/vs/zwin_enable
check "[unshare -Urn] no zwin sysctl in a user namespace's network namespace" \
	unshare -Urn sh -c '! ls /proc/sys/net/ipv4/vs/ 2>/dev/null | grep -q zwin_'
check "[unshare -Urn] its counters are readable" \
	unshare -Urn sh -c 'head -1 /proc/net/stat/ip_vs_zwin | grep -q syn_seen'

# A namespace without IPVS services costs the PRE_ROUTING hooks only: no
# hooks after IPVS, no defragmentation, no table. Its first IPVS service
# and a packet activate the rest, within a second.
zhooks() { # zhooks NS FAMILY: the hooks zwin_hook sits on
	ip netns exec "$1" nft list hooks "$2" |
		awk '$1 == "hook" { h = $2 } /zwin_hook/ { print h }' | sort -u | tr '\n' ' '
}
ip netns add zq
ip -n zq link set lo up
if ! grep -q '^CONFIG_NETFILTER_NETLINK_HOOK=' "/boot/config-$(uname -r)" \
	"/lib/modules/$(uname -r)/build/.config" 2>/dev/null; then
	echo "# $(uname -r) cannot list netfilter hooks (no CONFIG_NETFILTER_NETLINK_HOOK): lazy set-up not observed here"
	ip netns del zq
	exit 0
fi
expect_eq "[zq] IPv4: the PRE_ROUTING hook only" "$(zhooks zq ip)" "prerouting "
expect_eq "[zq] IPv6: the PRE_ROUTING hook only" "$(zhooks zq ip6)" "prerouting "
check "[zq] no defragmentation forced" \
	bash -c "! ip netns exec zq nft list hooks ip | grep -q defrag"
ip netns exec zq ipvsadm -A -t 127.0.0.1:80 -s rr
# the service has no server: the request only has to pass (|| true)
ip netns exec zq curl -s --max-time 1 http://127.0.0.1:80/ > /dev/null || true
eventually_eq "[zq] activated by its first service and packet (IPv4)" 5 \
	"forward input prerouting " zhooks zq ip
expect_eq "[zq] activated (IPv6)" "$(zhooks zq ip6)" "forward input prerouting "
check "[zq] defragmentation on" \
	bash -c "ip netns exec zq nft list hooks ip | grep -q defrag"
ip netns del zq
