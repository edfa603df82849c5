#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An ACK storm: a confused client answers every segment of the server with
# an ACK whose sequence number is outside the server's window; the server
# answers each with a duplicate ACK (its rate limit for that,
# tcp_invalid_ratelimit, set to 0 here so that it loops at full speed).
# The proxy must see the same pure ACK repeated both ways, cut the
# connection off (a RST to each side, the rest dropped) and count it. A
# second, healthy connection is served meanwhile.
. "$(dirname "$0")/../lib.sh"

topo_up
ipvs_nat_service --pe zwin
lb sysctl -qw net.ipv4.vs.zwin_ack_storm=50
r1 sysctl -qw net.ipv4.tcp_invalid_ratelimit=0
r2 sysctl -qw net.ipv4.tcp_invalid_ratelimit=0
c iptables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP

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
sn = AsyncSniffer(filter="tcp and src host %s and src port 80" % vip,
                  count=1, timeout=5)
sn.start()
time.sleep(0.3)
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
tx.sendto(bogus, (vip, 0))
acks = rsts = 0
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
        continue
    acks += 1
    last = time.time()
    tx.sendto(bogus, (vip, 0))
print("storm", acks, rsts, "%.2f" % (last - t0))
PY
)
echo "$out"
read -r _ acks rsts secs <<< "$(grep '^storm ' <<< "$out")"
expect_eq "the handshake completed" "$(grep '^reopen ' <<< "$out")" "reopen 1"
check "the loop ran ($acks duplicate ACKs from the server)" test "$acks" -ge 20
check "and was cut off: $acks ACKs, the last after $secs s" test "$acks" -le 500
check "the client got the proxy's RST" test "$rsts" -ge 1
expect_eq "counted (ack_storm)" "$(zstat zlb ack_storm)" 1
server_socks() {
	local a b
	a=$(ss_count zr1 state established '( sport = :80 )') || { echo "$a"; return; }
	b=$(ss_count zr2 state established '( sport = :80 )') || { echo "$b"; return; }
	echo $((a + b))
}
eventually_eq "the server's side is gone too" 5 0 server_socks
c iptables -D OUTPUT -p tcp --tcp-flags RST RST -j DROP
expect_eq "a healthy client is served" "$(get 3 | grep -c '^zr')" 3
expect_eq "and no other connection was cut" "$(zstat zlb ack_storm)" 1
