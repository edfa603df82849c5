#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv6, alone and mixed with IPv4: a [VIP6]:80 and a VIP:80 zwin service at
# once. On the wire (scapy) the IPv6 SYN-ACK has window 0 and no server
# sees a SYN before the client's ACK; downloads and uploads are intact
# both ways, also under loss and reordering; a refusing server resets the
# client; a burst of spoofed IPv6 SYNs leaves no state and clients served.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
add_dest_files
lb ipvsadm -A -t "[$VIP6]:80" -s rr --pe zwin
lb ipvsadm -a -t "[$VIP6]:80" -r "[$RS1_6]:80" -m
lb ipvsadm -a -t "[$VIP6]:80" -r "[$RS2_6]:80" -m
ipvs_nat_service --pe zwin
lb ipvsadm -A -t "[$VIP6]:9000" -s rr --pe zwin
lb ipvsadm -a -t "[$VIP6]:9000" -r "[$RS1_6]:9000" -m
lb ipvsadm -a -t "[$VIP6]:9000" -r "[$RS2_6]:9000" -m
export ZWIN_INFO=/tmp/sink-info
sink_up --pe zwin
count_server_syns ip6

# 1. On the wire: zero window, no server SYN before the ACK.
synack=$(ip netns exec zc python3 - "$VIP6" <<'PY'
import sys
from scapy.all import IPv6, TCP, sr1, conf
conf.verb = 0
sa = sr1(IPv6(dst=sys.argv[1]) / TCP(sport=42000, dport=80, flags="S",
         seq=5000, options=[("MSS", 1440), ("SAckOK", b""),
                            ("Timestamp", (1, 0)), ("NOP", None),
                            ("WScale", 8)]), timeout=5)
if sa is None:
    print("none"); sys.exit(0)
o = dict((k, v) for k, v in sa[TCP].options)
print("flags=%s win=%d ack=%d wscale=%s sack=%d ts=%d" % (sa[TCP].flags,
      sa[TCP].window, sa[TCP].ack, o.get("WScale"), "SAckOK" in o,
      "Timestamp" in o))
PY
)
echo "IPv6 SYN-ACK: $synack"
check "IPv6 SYN-ACK with window 0 and the client's options" \
	grep -q '^flags=SA win=0 ack=5001 wscale=7 sack=1 ts=1$' <<< "$synack"
sleep 1
expect_eq "no IPv6 SYN reached a real server" "$(server_syns ip6)" 0

# 2. Transfers, both families at once.
sent0=$(zstat zlb synack_sent)
download 1m "[$VIP6]"
download 20m "[$VIP6]"
download 1m
upload 5000000 "$VIP6"
upload 3000000
# (port 80 only: the two IPv6 downloads; the upload went to port 9000)
expect_ge "IPv6 requests reached the servers" "$(server_syns ip6)" 2
# plain IPVS would answer none of the 5 connections itself
expect_ge "the proxy answered every SYN of the 5 transfers" \
	"$(zstat zlb synack_sent)" $((sent0 + 5))
ip netns exec zc sysctl -qw net.ipv4.tcp_sack=0
: > /tmp/sink-info
opts=$(ip netns exec zc python3 "$ZWIN_GUEST/tcp_sink.py" info "$VIP6" 9000)
ip netns exec zc sysctl -qw net.ipv4.tcp_sack=1
eventually "the IPv6 server accepted the connection" 5 test -s /tmp/sink-info
expect_eq "IPv6 client without SACK: client's options" "$opts" "ts=1 sack=0 wscale=1"
expect_eq "IPv6 client without SACK: server's options" \
	"$(tail -1 /tmp/sink-info)" "ts=1 sack=0 wscale=1"

# 3. Loss and reordering on the client link.
c tc qdisc add dev zczlb root netem delay 2ms loss 2% reorder 25% 50%
lb tc qdisc add dev zlbzc root netem delay 2ms loss 2% reorder 25% 50%
download 20m "[$VIP6]"
upload 3000000 "$VIP6"
c tc qdisc del dev zczlb root
lb tc qdisc del dev zlbzc root

# 4. A refusing IPv6 server: the client is reset.
lb ipvsadm -A -t "[$VIP6]:82" -s rr --pe zwin
lb ipvsadm -a -t "[$VIP6]:82" -r "[$RS1_6]:82" -m
refused=$(zstat zlb server_refused)
c curl -sS -g --max-time 5 "http://[$VIP6]:82/" 2>&1 | head -2
expect_eq "IPv6 refusal counted" "$(zstat zlb server_refused)" $((refused + 1))

# ... and a silent one, after the retransmissions.
lb sysctl -qw net.ipv4.vs.zwin_syn_timeout_ms=200
lb sysctl -qw net.ipv4.vs.zwin_syn_retries=1
r1 ip6tables -A INPUT -p tcp --dport 83 -j DROP
lb ipvsadm -A -t "[$VIP6]:83" -s rr --pe zwin
lb ipvsadm -a -t "[$VIP6]:83" -r "[$RS1_6]:83" -m
c curl -sS -g --max-time 5 "http://[$VIP6]:83/" 2>&1 | head -2
expect_eq "IPv6 silent server: client reset, counted" "$(zstat zlb server_timeout)" 1

# 5. 3000 spoofed IPv6 SYNs, then a client. Finished connections stay in
# the table for IPVS's TIME_WAIT timeout; the flood must add none.
before=$(server_syns ip6)
entries=$(zstat zlb entries)
att python3 - "$VIP6" <<'PY'
import random, sys
from scapy.all import IPv6, TCP, send, conf
conf.verb = 0
pkts = [IPv6(src="2001:db8:%x::%x" % (random.randrange(5, 0xffff),
                                      random.randrange(1, 0xffff)),
             dst=sys.argv[1]) / TCP(sport=random.randrange(1024, 65535),
                                     dport=80, flags="S",
                                     seq=random.randrange(1 << 32))
        for _ in range(3000)]
send(pkts)
PY
expect_eq "no spoofed IPv6 SYN reached a server" "$(server_syns ip6)" "$before"
download 1m "[$VIP6]"
check "the flood added no proxy entry ($entries before)" \
	test "$(zstat zlb entries)" -le $((entries + 1))
