#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An ACK storm: a confused client answers every segment of the server with
# an ACK whose sequence number is outside the server's window; the server
# answers each with a duplicate ACK (its rate limit for that,
# tcp_invalid_ratelimit, set to 0 here so that it loops at full speed).
# The proxy must see the same pure ACK repeated both ways, cut the
# connection off (a RST to each side, the client's at its exact next
# sequence number, the rest dropped) and count it. Healthy requests from
# the same client, made while the storming connection runs, are served
# and not cut.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
ipvs_nat_service --pe zwin
lb sysctl -qw net.ipv4.vs.zwin_ack_storm=50
r1 sysctl -qw net.ipv4.tcp_invalid_ratelimit=0
r2 sysctl -qw net.ipv4.tcp_invalid_ratelimit=0
scapy_client

# healthy requests, one every 0.3 s from the storm's start to its end
rm -f /tmp/storm.start /tmp/storm.end
# (bounded: 20 s to start, 30 requests)
(
	for i in $(seq 200); do [ -e /tmp/storm.start ] && break; sleep 0.1; done
	for i in $(seq 30); do
		[ -e /tmp/storm.end ] && break
		ip netns exec zc curl -sS --max-time 5 "http://$VIP/" 2>&1 || echo curl-failed
		sleep 0.3
	done
) > /tmp/healthy.out &
healthy=$!
out=$(ip netns exec zc python3 - "$VIP" <<'PY'
import socket, struct, sys, time
from scapy.all import IP, TCP, sr1, send, AsyncSniffer, conf
conf.verb = 0
vip = sys.argv[1]
P = 45000

# the handshake through the proxy
sa = sr1(IP(dst=vip) / TCP(sport=P, dport=80, flags="S", seq=1000,
                           options=[("MSS", 1400)]), timeout=5)
cookie = sa[TCP].seq
import threading
ready = threading.Event()  # set once the sniffer captures
sn = AsyncSniffer(started_callback=ready.set,
                  filter="tcp and src host %s and src port 80" % vip,
                  count=1, timeout=5)
sn.start()
ready.wait(10)
send(IP(dst=vip) / TCP(sport=P, dport=80, flags="A", seq=1001,
                        ack=cookie + 1, window=1000))
sn.join()
print("reopen", len(sn.results))

# the confused client: an ACK a gigabyte ahead of its real sequence
bogus = bytes(IP(dst=vip) / TCP(sport=P, dport=80, flags="A",
                                 seq=1001 + (1 << 30), ack=cookie + 1,
                                 window=1000))
rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
rx.settimeout(0.2)
tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
t0 = time.time()
open("/tmp/storm.start", "w").close()
tx.sendto(bogus, (vip, 0))
acks = rsts = 0
rstseq = set()
last = t0
while time.time() < t0 + 6:
    try:
        d = rx.recv(65535)
    except socket.timeout:
        continue
    ihl = (d[0] & 15) * 4
    sport, dport = struct.unpack("!HH", d[ihl:ihl + 4])
    if socket.inet_ntoa(d[12:16]) != vip or sport != 80 or dport != P:
        continue
    if d[ihl + 13] & 0x04:
        rsts += 1
        rstseq.add((struct.unpack("!I", d[ihl + 4:ihl + 8])[0] - cookie) % 2**32)
        continue
    acks += 1
    last = time.time()
    tx.sendto(bogus, (vip, 0))
open("/tmp/storm.end", "w").close()
print("storm", acks, rsts, "%.2f" % (last - t0))
# relative to the proxy's ISN: the client has received nothing after it
print("rstseq", " ".join(str(x) for x in sorted(rstseq)))
PY
)
wait "$healthy"
echo "$out"
read -r _ acks rsts secs <<< "$(grep '^storm ' <<< "$out")"
expect_eq "the handshake completed" "$(grep '^reopen ' <<< "$out")" "reopen 1"
check "the loop ran ($acks duplicate ACKs from the server)" test "$acks" -ge 20
check "and was cut off: $acks ACKs, the last after $secs s" test "$acks" -le 500
check "the client got the proxy's RST" test "$rsts" -ge 1
expect_eq "at its exact next sequence number (cookie + 1)" "$(grep '^rstseq' <<< "$out")" "rstseq 1"
expect_eq "counted (ack_storm)" "$(zstat zlb ack_storm)" 1
eventually_eq "the server's side is gone too" 5 0 server_socks
c iptables -D OUTPUT -p tcp --tcp-flags RST RST -j DROP
cat /tmp/healthy.out
expect_ge "healthy requests made during the storm" "$(grep -c . /tmp/healthy.out)" 3
expect_eq "all of them served" "$(grep -c '^zr' /tmp/healthy.out)" "$(grep -c . /tmp/healthy.out)"
expect_eq "and no other connection was cut" "$(zstat zlb ack_storm)" 1
