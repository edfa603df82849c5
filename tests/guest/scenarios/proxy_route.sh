#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the route to the client decides, and the end of handshakes in
# progress at unload:
#  1. the SYN-ACK's MSS is what the kernel's TCP announces on the route to
#     the client (1460 for IPv4 and 1440 for IPv6 on a 1500-byte link, a
#     route's advmss), capped by zwin_mss;
#  2. an IPsec policy that blocks the flow from the VIP to the client
#     blocks the SYN-ACK too, IPv4 and IPv6 (counted as xmit_fail);
#  3. the window scale announced in the SYN-ACK is the one applied when
#     zwin_wscale changes before the client's ACK;
#  4. unloading the module while the proxy waits for a real server (its
#     SYN-ACKs dropped) resets the client, which believes it is
#     connected, and the server's half-open request.
#
#   zc (scapy, python) -- zlb (IPVS NAT, zwin) -- zr1, zr2
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
ipvs_nat_service --pe zwin
ipvs_nat_service6 --pe zwin

# synack_mss VIP: the MSS option of the proxy's SYN-ACK to a scapy SYN
# offering 1460 (or "none" without an answer within 2 s).
synack_mss() {
	ip netns exec zc python3 - "$1" <<'PY'
import sys
from scapy.all import IP, IPv6, TCP, sr1, conf
conf.verb = 0
vip = sys.argv[1]
l3 = IPv6(dst=vip) if ":" in vip else IP(dst=vip)
a = sr1(l3 / TCP(sport=44000, dport=80, flags="S", seq=1,
                 options=[("MSS", 1460)]), timeout=2)
if a is None or not a.haslayer(TCP):
    print("none")
else:
    print(dict(a[TCP].options).get("MSS", "nomss"), a[TCP].window)
PY
}

# 1. MSS per family and route.
expect_eq "IPv4 SYN-ACK on a 1500-byte link: MSS 1460, window 0" "$(synack_mss "$VIP")" "1460 0"
expect_eq "IPv6 SYN-ACK on a 1500-byte link: MSS 1440" "$(synack_mss "$VIP6")" "1440 0"
lb ip route add "$CIP/32" dev zlbzc advmss 1200
lb ip -6 route add "$CIP6/128" dev zlbzc advmss 1180
expect_eq "a route's advmss is announced (IPv4)" "$(synack_mss "$VIP")" "1200 0"
expect_eq "a route's advmss is announced (IPv6)" "$(synack_mss "$VIP6")" "1180 0"
lb sysctl -qw net.ipv4.vs.zwin_mss=1000
expect_eq "zwin_mss caps it (IPv4)" "$(synack_mss "$VIP")" "1000 0"
expect_eq "zwin_mss caps it (IPv6)" "$(synack_mss "$VIP6")" "1000 0"
lb sysctl -qw net.ipv4.vs.zwin_mss=1460
lb ip route del "$CIP/32"
lb ip -6 route del "$CIP6/128"

# 2. IPsec policies apply to the proxy's answers.
xf0=$(zstat zlb xmit_fail)
lb ip xfrm policy add src "$VIP/32" dst "$CIP/32" proto tcp dir out action block
lb ip xfrm policy add src "$VIP6/128" dst "$CIP6/128" proto tcp dir out action block
expect_eq "an IPsec block policy stops the IPv4 SYN-ACK" "$(synack_mss "$VIP")" none
expect_eq "an IPsec block policy stops the IPv6 SYN-ACK" "$(synack_mss "$VIP6")" none
expect_ge "both counted as xmit_fail" "$(zstat zlb xmit_fail)" $((xf0 + 2))
lb ip xfrm policy flush
expect_eq "without the policy the IPv6 SYN-ACK leaves again" "$(synack_mss "$VIP6")" "1440 0"

# 3. The window scale announced in the SYN-ACK is the one applied, even
# if zwin_wscale changes before the client's ACK: the server's SYN-ACK
# window (at most 65535 bytes) reaches the client as the reopen window
# >> 7, never >> 2.
scapy_client
lb sysctl -qw net.ipv4.vs.zwin_wscale=7
out=$(ip netns exec zc python3 - "$VIP" <<'PY'
import subprocess, sys, time
from scapy.all import IP, TCP, sr1, send, AsyncSniffer, conf
conf.verb = 0
vip = sys.argv[1]
a = sr1(IP(dst=vip) / TCP(sport=45000, dport=80, flags="S", seq=9000,
                           options=[("MSS", 1460), ("WScale", 8)]), timeout=5)
print("synack-wscale", dict(a[TCP].options).get("WScale"))
subprocess.run(["ip", "netns", "exec", "zlb", "sysctl", "-qw",
                "net.ipv4.vs.zwin_wscale=2"], check=True)
import threading
ready = threading.Event()  # set once the sniffer captures
sn = AsyncSniffer(started_callback=ready.set,
                  filter="tcp and src host %s and src port 80 and dst port 45000" % vip,
                  lfilter=lambda p: p[TCP].window > 0, count=1, timeout=5)
sn.start()
ready.wait(10)
send(IP(dst=vip) / TCP(sport=45000, dport=80, flags="A", seq=9001,
                        ack=a[TCP].seq + 1, window=1000))
sn.join()
r = sn.results[0][TCP] if sn.results else None
print("reopen-window", r.window if r else "none")
PY
)
echo "$out"
lb sysctl -qw net.ipv4.vs.zwin_wscale=7
c iptables -D OUTPUT -p tcp --tcp-flags RST RST -j DROP
expect_eq "the SYN-ACK announced window scale 7" "$(echo "$out" | head -1)" "synack-wscale 7"
win=$(echo "$out" | awk '/reopen-window/ { print $2 }')
check "the reopen window ($win) is the server's window >> 7 (1..511), not >> 2" \
	test "$win" -ge 1 -a "$win" -le 511

# 4. Unload during the server handshake. zwin_enable=2 proxies the
# service without the PE, so the module can unload while IPVS keeps the
# service (and forwards the proxy's RST to the server).
lb ipvsadm -E -t "$VIP:80" -s rr
lb ipvsadm -D -t "[$VIP6]:80"
lb sysctl -qw net.ipv4.vs.zwin_enable=2
ent0=$(zstat zlb entries)
for ns in zr1 zr2; do
	ip netns exec "$ns" iptables -A OUTPUT -p tcp --tcp-flags SYN,ACK SYN,ACK -j DROP
done
ip netns exec zc python3 - "$VIP" > /tmp/hs.log 2> /tmp/hs.err <<'PY' &
import socket, sys
s = socket.create_connection((sys.argv[1], 80), timeout=30)
print("connected", flush=True)
try:
    print("recv", s.recv(100))
except OSError as e:
    print("error", e.errno)
PY
cl=$!
eventually_eq "the client believes it is connected" 5 connected head -1 /tmp/hs.log
half_open() {
	local n=0 ns k
	for ns in zr1 zr2; do
		k=$(ss_count "$ns" state syn-recv) || { echo "$k"; return; }
		n=$((n + k))
	done
	echo "$n"
}
eventually_eq "a server holds the proxy's half-open connection" 5 1 half_open
expect_eq "the proxy's entry waits for the server" "$(zstat zlb entries)" $((ent0 + 1))
host rmmod ip_vs_zwin
wait "$cl"
expect_eq "the client was reset at unload" "$(tail -1 /tmp/hs.log)" "error 104"
eventually_eq "the server's half-open connection was reset" 3 0 half_open
