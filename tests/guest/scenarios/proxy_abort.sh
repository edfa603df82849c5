#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile and disruptive cases: an ACK flood with random sequence numbers
# is rejected by the cookie check and pushes nothing to the real servers;
# zwin_max_pending bounds server connects in progress; unloading the
# module under traffic resets the proxied connection definitely (both
# ends, each at its exact next sequence number), never leaving it to run
# on with untranslated sequence numbers.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
add_dest_files
ipvs_nat_service --pe zwin
count_server_syns
get 1 > /dev/null	# a SYN-ACK was sent: cookies are being checked

# 1. 5000 ACKs with random sequence and acknowledgment numbers.
syns=$(server_syns)
att python3 - "$VIP" <<'PY'
import random, sys
from scapy.all import IP, TCP, send, conf
conf.verb = 0
send([IP(dst=sys.argv[1]) / TCP(sport=random.randrange(1024, 65535),
                                 dport=80, flags="A",
                                 seq=random.randrange(1 << 32),
                                 ack=random.randrange(1 << 32))
      for _ in range(5000)])
PY
invalid_ge() { [ "$(zstat zlb cookie_invalid)" -ge "$1" ]; }
eventually "random ACKs rejected by the cookie check (>= 4900)" 5 invalid_ge 4900
expect_eq "no server SYN from the ACK flood" "$(server_syns)" "$syns"

# 2. No server connect may start beyond zwin_max_pending.
lb sysctl -qw net.ipv4.vs.zwin_max_pending=0
check "a client is reset when too many connects are pending" \
	bash -c "! ip netns exec zc curl -s --max-time 5 http://$VIP/ > /dev/null"
expect_eq "pending_full counted" "$(zstat zlb pending_full)" 1
expect_eq "no server SYN for it" "$(server_syns)" "$syns"
lb sysctl -qw net.ipv4.vs.zwin_max_pending=4096
expect_eq "served again" "$(get 1 | grep -c "^zr")" 1

# 3. Unload under traffic: a slow 20 MiB download through the proxy; the
# PE is removed from the service (IPVS keeps the service and the
# connection, the proxy keeps translating it), then rmmod. The proxy
# resets both ends, each at its exact next sequence number (taps on the
# client's link and on the balancer's server links): the client's socket
# and the server's go at once, and what the client got is a prefix of the
# file (nothing corrupted).
est0=$(zstat zlb established)
ip netns exec zc curl -sS --max-time 120 --limit-rate 500k -o /tmp/partial \
	"http://$VIP/20m" 2> /tmp/curl.err &
dl=$!
eventually_eq "the download is the proxy's (established)" 10 $((est0 + 1)) \
	zstat zlb established
eventually "the download is under way (256 KiB arrived)" 20 size_ge /tmp/partial 262144
expect_eq "a server holds the download's connection" "$(server_socks)" 1
# the taps, from now on (a short capture: it must not fall behind); the
# server links' first, so that it also holds what the client's tap sees
tap_start zlb any /tmp/stap tcp and net 198.51.100.0/24
tap_start zc zczlb /tmp/ctap tcp port 80
# The client's RST is judged against what its tap saw before it: wait for
# a segment (the client's window is mostly closed: the server's next
# zero-window probe, their interval doubling, or the client's window
# update). A pcap file is 24 bytes before its first packet.
eventually "the client's tap saw the download" 15 size_ge /tmp/ctap.pcap 25
lb ipvsadm -E -t "$VIP:80" -s rr
t0=$(date +%s)
check "rmmod with a proxied connection in flight" rmmod ip_vs_zwin
t1=$(date +%s)
# rst_seen FILE SRC: the tap FILE saw a RST from SRC
rst_seen() { tap_read "$1" | awk -v s="$2" '$1 == s && $5 ~ /R/ { f = 1 } END { exit !f }'; }
# rst_within FILE SRC WHERE: within 3 s; else show the capture's end
rst_within() {
	local i
	for i in $(seq 15); do
		rst_seen "$1" "$2" && { echo "ok: a RST reached the $3"; return; }
		sleep 0.2
	done
	tap_stop "$1"
	cat "$1.err"
	echo "the capture's last segments:"
	tap_read "$1" | tail -8
	ip netns exec zc ss -tn
	fail "a RST reached the $3 (not within 3 s)"
}
rst_within /tmp/ctap "$VIP" client
rst_within /tmp/stap "$CIP" server
tap_stop /tmp/ctap
tap_stop /tmp/stap
# exact_rst FILE PEER [probes]: "exact" if a RST from PEER carries the
# sequence number the other end expects next, else what was seen. That
# number, from the segments captured before the first RST: the end of
# PEER's furthest one, or the other end's acknowledgment if higher. With
# "probes", PEER is the download's sender, whose segments without data are
# zero-window probes (curl, reading at 500 kB/s, keeps the client's window
# closed): Linux sends them at its first unacknowledged sequence number
# less one, so the other end expects at least one more. A short capture
# may hold nothing else: the client acknowledged everything before it
# started and answers a probe at most every 500 ms
# (net.ipv4.tcp_invalid_ratelimit).
exact_rst() {
	tap_read "$1" | python3 -c '
import sys
peer, probes, nxt, rsts = sys.argv[1], sys.argv[2] == "probes", None, []
def later(a, b):
    return b is None or 0 < (a - b) % 2**32 < 2**31
for l in sys.stdin:
    src, sp, dst, dp, fl, seq, end, ack = l.split()
    if src == peer and "R" in fl:
        rsts.append(int(seq))
    if rsts:
        continue    # after the first RST: what the ends send without the proxy
    end = int(end)
    if src == peer and probes and fl == "A" and end == int(seq):
        end = (end + 1) % 2**32    # a zero-window probe
    if src == peer and later(end, nxt):
        nxt = end
    if dst == peer and "A" in fl and later(int(ack), nxt):
        nxt = int(ack)
if nxt is None:
    print("no segment before the RST")
else:
    print("exact" if nxt in rsts else "next %s, RSTs at %s" % (nxt, rsts))
' "$2" "${3:-}"
}
# rst_exact FILE PEER WHERE [probes]: exact_rst's verdict, if the capture
# has a segment to compare with (the server links' may have none, with a
# stalled reader: then only the socket checks below, exact too, judge); on
# a mismatch, what tcpdump counted (drops) and the capture's end
rst_exact() {
	local v
	v=$(exact_rst "$1" "$2" "${4:-}")
	if [ "$v" = "no segment before the RST" ]; then
		echo "# $3: no segment captured before the RST to compare with"
		return
	fi
	if [ "$v" != exact ]; then
		cat "$1.err"
		tap_read "$1" | tail -12
	fi
	expect_eq "the $3's RST is at its exact next sequence number" "$v" exact
}
rst_exact /tmp/ctap "$VIP" client probes
rst_exact /tmp/stap "$CIP" server
# The reset is taken at once: the sockets leave ESTABLISHED now, though
# curl, reading at 500 kB/s, drains its receive queue first. (In
# ESTABLISHED, Linux takes a RST only at its exact next sequence number;
# any other gets a challenge ACK.)
eventually_eq "the client's socket took the reset within 3 s" 3 0 \
	ss_count zc state established dst "$VIP"
eventually_eq "the server's socket took it too" 3 0 server_socks
rc=0
wait "$dl" || rc=$?
t2=$(date +%s)
cat /tmp/curl.err
echo "rmmod took $((t1 - t0)) s; the client saw the end $((t2 - t1)) s later"
# 56: reset by peer (28 would be curl's own timeout: a hung connection)
expect_eq "the client's download was reset (curl exit code)" "$rc" 56
size=$(stat -c %s /tmp/partial)
check "the $size bytes received are a prefix of a server's file" \
	bash -c "cmp -s -n $size /tmp/partial /tmp/www-zr1/20m || cmp -s -n $size /tmp/partial /tmp/www-zr2/20m"
check "the kernel logged no error" bash -c "! dmesg | grep -Eq 'BUG|WARNING|Oops'"
