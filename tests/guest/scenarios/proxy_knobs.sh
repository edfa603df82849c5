#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the documented knobs do to new connections, each seen on the wire
# or in an exact counter:
#  1. the SYN-ACK (window 0) to a SYN offering MSS, SACK, timestamps and
#     window scale 9, with the defaults and with zwin_mss=1000,
#     zwin_wscale=3, zwin_sack=0, zwin_timestamps=0; what the real
#     server's SYN carries (iptables counters per option there) and the
#     reopen window (the server's window >> the scale announced);
#  2. every zwin_* sysctl refuses values outside its range (the write
#     fails, the value stays) and takes both ends of it;
#  3. zwin_max_conns: the valid ACK beyond it gets a RST at the cookie,
#     counted as conn_full, and no server SYN;
#  4. zwin_syn_retries=0: one SYN to a silent server, then the client's
#     reset (server_timeout), no retransmission;
#  5. ECN: a SYN with ECE|CWR gets a SYN-ACK with ECE, and the server a
#     SYN with ECE|CWR; a SYN without gets neither;
#  6. syn_nodest for an overloaded server (-x 1) and for weight 0; a SYN
#     from an unroutable source is counted as xmit_fail, unanswered;
#  7. an IPv6 SYN with a bad checksum is dropped unanswered (syn_invalid);
#     zwin_enable=2 leaves a DR service plain without a kernel message;
#     lnstat reads both counter files; weights 3:1 and ipvsadm --stats.
#
#   zc (scapy: tests/guest/knobs.py) -- zlb (IPVS NAT, zwin) -- zr1, zr2
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
ipvs_nat_service --pe zwin
ipvs_nat_service6 --pe zwin
scapy_client
# the real servers count the SYNs they get to port 80, per property (rules
# without a target: each one counts, none ends the chain)
for ns in zr1 zr2; do
	for rule in "syn:--syn" "ecn:--syn -m ecn --ecn-tcp-ece --ecn-tcp-cwr" \
		"sack:--syn --tcp-option 4" "ts:--syn --tcp-option 8" \
		"mss1460:--syn -m tcpmss --mss 1460"; do
		pretty "$ns" "iptables -A INPUT -p tcp --dport 80 ${rule#*:} (${rule%%:*})"
		# shellcheck disable=SC2086
		ip netns exec "$ns" iptables -A INPUT -p tcp --dport 80 ${rule#*:} \
			-m comment --comment "${rule%%:*}"
	done
done
srv() { servers_sum "index(\$0, \"/* $1 */\") { print \$1 }" iptables -nvxL INPUT; }
knobs() {
	pretty "${KNOBS_NS:-zc}" "knobs.py $*"
	ip netns exec "${KNOBS_NS:-zc}" python3 "$ZWIN_GUEST/knobs.py" "$@"
}
# field SPORT WHAT KEY: KEY's value in knobs.py's "SPORT WHAT ..." line
field() {
	awk -v p="$1" -v w="$2" -v k="$3=" '$1 == p && $2 == w {
		for (i = 3; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1)
	}' <<< "$out"
}
line() { awk -v p="$1" -v w="$2" '$1 == p && $2 == w { $1 = $2 = ""; print substr($0, 3) }' <<< "$out"; }
snap() { for k in "$@"; do eval "b_$k=$(zstat zlb "$k")"; done; }
delta() { local b="b_$1"; echo $(($(zstat zlb "$1") - ${!b})); }

# 1 and 5. Defaults: the client's options kept, ECN agreed when asked.
out=$(knobs "ack,$VIP,80,40001,mss=1460,sack,ts,ws=9,ecn" \
	"syn,$VIP,80,40002,mss=1460,sack,ts")
echo "$out"
expect_eq "defaults: zero-window SYN-ACK keeps MSS, SACK, TS, announces scale 7, ECE for ECN" \
	"$(line 40001 synack)" "flags=SAE win=0 mss=1460 sack=1 ts=1 tsecr=777000 ws=7"
expect_eq "after the ACK the reopen continues the cookie" \
	"$(field 40001 after seq) $(field 40001 after flags)" "$(field 40001 after cookie1) A"
win=$(field 40001 after win)
check "reopen window $win is the server's (< 65536) >> 7: 1..511" test "$win" -ge 1 -a "$win" -le 511
expect_eq "no window scale to a client that offers none, no ECE without ECE|CWR" \
	"$(line 40002 synack)" "flags=SA win=0 mss=1460 sack=1 ts=1 tsecr=777000 ws=none"
expect_eq "one SYN reached a server" "$(srv syn)" 1
expect_eq "... with ECE|CWR (ECN asked of the server)" "$(srv ecn)" 1
expect_eq "... with SACK-permitted" "$(srv sack)" 1
expect_eq "... with a timestamp" "$(srv ts)" 1
expect_eq "... with the client's MSS 1460" "$(srv mss1460)" 1

# 1. The knobs change new connections.
lb sysctl -qw net.ipv4.vs.zwin_mss=1000
lb sysctl -qw net.ipv4.vs.zwin_wscale=3
lb sysctl -qw net.ipv4.vs.zwin_sack=0
lb sysctl -qw net.ipv4.vs.zwin_timestamps=0
out=$(knobs "ack,$VIP,80,40003,mss=1460,sack,ts,ws=9")
echo "$out"
expect_eq "zwin_mss=1000, wscale=3, sack=0, timestamps=0: SYN-ACK MSS 1000, no SACK, no TS, scale 3" \
	"$(line 40003 synack)" "flags=SA win=0 mss=1000 sack=0 ts=0 tsecr=none ws=3"
expect_eq "reopen at the cookie" "$(field 40003 after seq)" "$(field 40003 after cookie1)"
win=$(field 40003 after win)
check "reopen window $win is the server's >> 3: 512..8191" test "$win" -ge 512 -a "$win" -le 8191
expect_eq "a second SYN reached a server" "$(srv syn)" 2
expect_eq "... without ECE|CWR" "$(srv ecn)" 1
expect_eq "... without SACK-permitted (zwin_sack=0)" "$(srv sack)" 1
expect_eq "... without a timestamp (zwin_timestamps=0)" "$(srv ts)" 1
expect_eq "... with the client's MSS 1460, not zwin_mss" "$(srv mss1460)" 2
for k in mss=1460 wscale=7 sack=1 timestamps=1; do
	lb sysctl -qw "net.ipv4.vs.zwin_$k"
done

# 7. lnstat reads the file: the first sample of "-c 2" is the cpu lines'
# sum (the entries gauge taken from the last line; "-c 1" printed
# something else with iproute2 6.1). lnstat exits with status 1 after its
# count: its output is what is checked.
ln=$(lb lnstat -j -f ip_vs_zwin -c 2 -i 1 -k entries,syn_seen,synack_sent | head -1 || true)
echo "lnstat: $ln"
expect_eq "lnstat shows entries 2 and the totals of syn_seen, synack_sent" "$ln" \
	"{\"entries\":2,\"syn_seen\":$(zstat zlb syn_seen),\"synack_sent\":$(zstat zlb synack_sent)}"
ln=$(lb lnstat -j -f ip_vs_zwin_cluster -c 2 -i 1 -k entries,cookie_prev | head -1 || true)
echo "lnstat: $ln"
expect_eq "... and the second file, entries 2 and cookie_prev" "$ln" \
	"{\"entries\":2,\"cookie_prev\":$(zstat zlb cookie_prev)}"

# 2. Ranges (sysctl.c; the admin guide gives those of enable, mss, wscale,
# syn_retries, syn_timeout_ms and ack_storm, booleans are 0-1).
ranges="enable 0 2 mss 536 65535 wscale 0 14 sack 0 1 timestamps 0 1
syn_retries 0 10 syn_timeout_ms 100 60000 max_conns 0 2147483647
max_pending 0 2147483647 ack_storm 0 60000"
# in one process: per sysctl, "NAME VALUE taken|refused NOW BEFORE" for
# one below and one above the range, "NAME ends MIN-READ MAX-READ", restored
out=$(lb bash -c 'set -- $0
while [ $# -ge 3 ]; do
	f=/proc/sys/net/ipv4/vs/zwin_$1
	v=$(cat "$f")
	for x in $(($2 - 1)) $(($3 + 1)); do
		if echo "$x" 2> /dev/null > "$f"; then r=taken; else r=refused; fi
		echo "$1 $x $r $(cat "$f") $v"
	done
	echo "$2" > "$f" && lo=$(cat "$f")
	echo "$3" > "$f" && hi=$(cat "$f")
	echo "$1 ends $lo $hi"
	echo "$v" > "$f"
	shift 3
done' "$ranges")
echo "$out"
# shellcheck disable=SC2086
set -- $ranges
while [ $# -ge 3 ]; do
	for x in $(($2 - 1)) $(($3 + 1)); do
		read -r r now was <<< "$(awk -v n="$1" -v x="$x" '$1 == n && $2 == x { print $3, $4, $5 }' <<< "$out")"
		check "zwin_$1=$x reported" test -n "$was"
		expect_eq "zwin_$1=$x refused, value kept" "$r $now" "refused $was"
	done
	expect_eq "zwin_$1 takes $2 and $3" "$(awk -v n="$1" '$1 == n && $2 == "ends" { print $3, $4 }' <<< "$out")" "$2 $3"
	shift 3
done

# 3. zwin_max_conns: room for one more connection.
ent=$(zstat zlb entries)
expect_eq "two proxied connections so far" "$ent" 2
lb sysctl -qw net.ipv4.vs.zwin_max_conns=$((ent + 1))
snap conn_full cookie_valid server_syn
out=$(knobs "ack,$VIP,80,40011,mss=1460" "ack,$VIP,80,40012,mss=1460")
echo "$out"
expect_eq "below the limit: proxied (reopen)" "$(field 40011 after flags)" A
expect_eq "beyond the limit: RST at the cookie" \
	"$(field 40012 after flags) $(field 40012 after seq)" "R $(field 40012 after cookie1)"
expect_eq "both cookies valid" "$(delta cookie_valid)" 2
expect_eq "conn_full counted once" "$(delta conn_full)" 1
expect_eq "one server SYN, none for the refused one" "$(delta server_syn)" 1
expect_eq "entries at the limit" "$(zstat zlb entries)" $((ent + 1))
lb sysctl -qw net.ipv4.vs.zwin_max_conns=262144

# 4. zwin_syn_retries=0: a silent server gets one SYN.
lb ipvsadm -A -t "$VIP:83" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:83" -r "$RS1:83" -m
lb ipvsadm -a -t "$VIP:83" -r "$RS2:83" -m
r1 iptables -A INPUT -p tcp --syn --dport 83 -j DROP
r2 iptables -A INPUT -p tcp --syn --dport 83 -j DROP
lb sysctl -qw net.ipv4.vs.zwin_syn_retries=0
lb sysctl -qw net.ipv4.vs.zwin_syn_timeout_ms=300
snap server_syn server_retry server_timeout
pretty zc "tcp_sink.py connect $VIP 83"
res=$(connect_result 83)
echo "silent server: $res"
read -r how secs <<< "$res"
expect_eq "the client is reset" "$how" reset
check "after the one 300-ms wait, not 300+600+1200+2400 ms ($secs s)" \
	test "$(echo "$secs >= 0.3 && $secs < 3" | bc)" = 1
expect_eq "the servers got exactly one SYN" \
	"$(servers_sum '/dpt:83/ { print $1 }' iptables -nvxL INPUT)" 1
expect_eq "server_syn +1" "$(delta server_syn)" 1
expect_eq "no retransmission (server_retry)" "$(delta server_retry)" 0
expect_eq "server_timeout +1" "$(delta server_timeout)" 1
lb sysctl -qw net.ipv4.vs.zwin_syn_retries=3
lb sysctl -qw net.ipv4.vs.zwin_syn_timeout_ms=1000

# 6. No usable server: overloaded (upper threshold 1, one connection),
# then weight 0. A SYN from a source with no route back: xmit_fail.
lb ipvsadm -A -t "$VIP:81" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:81" -r "$RS1:80" -m -x 1
lb ipvsadm -A -t "$VIP:82" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:82" -r "$RS1:80" -m -w 0
lb ipvsadm -a -t "$VIP:82" -r "$RS2:80" -m -w 0
snap syn_nodest synack_sent syn_zwin
out=$(knobs "ack,$VIP,81,40021,mss=1460" "syn,$VIP,81,40022,mss=1460" \
	"syn,$VIP,82,40023,mss=1460")
echo "$out"
expect_eq "the first connection is proxied" "$(field 40021 after flags)" A
expect_eq "... and overloads the only server" \
	"$(ip netns exec zlb ipvsadm -Ln -t "$VIP:81" | awk -v r="$RS1:80" '$2 == r { print $5 + $6 }')" 1
expect_eq "the next SYN gets no SYN-ACK from the proxy" "$(line 40022 synack)" none
expect_eq "weight 0 everywhere: no SYN-ACK" "$(line 40023 synack)" none
expect_eq "both counted as syn_nodest" "$(delta syn_nodest)" 2
expect_eq "one SYN-ACK, one syn_zwin" "$(delta synack_sent) $(delta syn_zwin)" "1 1"

snap xmit_fail synack_sent syn_zwin
out=$(KNOBS_NS=za knobs "fire,$VIP,80,40031,mss=1460,src=10.99.0.1")
echo "$out"
expect_eq "the spoofed SYN was seen as a proxied service's" "$(delta syn_zwin)" 1
expect_eq "its answer has no route: xmit_fail +1" "$(delta xmit_fail)" 1
expect_eq "no SYN-ACK sent" "$(delta synack_sent)" 0

# 7. IPv6 SYN with a bad checksum, then a good one.
snap syn_invalid synack_sent
out=$(knobs "syn,$VIP6,80,40041,mss=1440,badsum" "syn,$VIP6,80,40042,mss=1440")
echo "$out"
expect_eq "IPv6 SYN with a bad checksum: unanswered" "$(line 40041 synack)" none
expect_eq "counted as syn_invalid" "$(delta syn_invalid)" 1
expect_eq "the same SYN with its checksum: zero-window SYN-ACK" \
	"$(field 40042 synack flags) $(field 40042 synack win)" "SA 0"
expect_eq "one SYN-ACK" "$(delta synack_sent)" 1

# zwin_enable=2 and a DR service without the PE: plain, no kernel message.
lb ipvsadm -A -t "$VIP:84" -s rr
lb ipvsadm -a -t "$VIP:84" -r "$RS2:84" -g
lb sysctl -qw net.ipv4.vs.zwin_enable=2
snap syn_plain syn_nonat synack_sent
out=$(knobs "syn,$VIP,84,40051,mss=1460")
echo "$out"
expect_eq "no SYN-ACK from the proxy for the DR service" "$(line 40051 synack)" none
expect_eq "counted as syn_plain, not syn_nonat" "$(delta syn_plain) $(delta syn_nonat)" "1 0"
expect_eq "no SYN-ACK sent" "$(delta synack_sent)" 0
expect_eq "no kernel message about DR servers" "$(dmesg | grep -c 'DR or tunnel real servers' || true)" 0
lb sysctl -qw net.ipv4.vs.zwin_enable=1

# Weights 3:1 under the proxy: wrr sends 6 of 8 to zr1, --stats counts them.
lb ipvsadm -A -t "$VIP:85" -s wrr --pe zwin
lb ipvsadm -a -t "$VIP:85" -r "$RS1:80" -m -w 3
lb ipvsadm -a -t "$VIP:85" -r "$RS2:80" -m -w 1
snap established server_syn syn_zwin
bodies=$(for _ in 1 2 3 4 5 6 7 8; do c curl -sS --max-time 5 "http://$VIP:85/" || echo curl-failed; done)
expect_eq "8 requests: 6 served by zr1, 2 by zr2" \
	"$(grep -c '^zr1$' <<< "$bodies") $(grep -c '^zr2$' <<< "$bodies")" "6 2"
expect_eq "all 8 proxied: syn_zwin, server_syn, established" \
	"$(delta syn_zwin) $(delta server_syn) $(delta established)" "8 8 8"
# stats85: connections of the service, zr1 and zr2 in ipvsadm --stats
stats85() {
	ip netns exec zlb ipvsadm -Ln --stats -t "$VIP:85" |
		awk -v v="$VIP:85" -v a="$RS1:80" -v b="$RS2:80" \
			'$2 == v { s = $3 } $2 == a { x = $3 } $2 == b { y = $3 } END { print s, x, y }'
}
lb ipvsadm -Ln --stats -t "$VIP:85"
# IPVS folds its per-cpu counters into what --stats shows every 2 s
eventually_eq "ipvsadm --stats: service 8 connections, zr1 6, zr2 2" 5 "8 6 2" stats85
