#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed and odd segments from the attacker (scapy) to zwin services,
# IPv4 and IPv6: truncated headers, bad data offsets, option lengths 0, 1
# and 255, options past the header, a bad checksum, SYN with payload, SYN
# with FIN/ACK/RST, flag mixes without SYN, fragmented SYNs, an IPv6 SYN
# behind a destination options header. None may reach a real server, the
# proxy answers only what a TCP stack would answer (a zero-window SYN-ACK
# to a well-formed SYN), leaves no state, and clients are still served.
# The runner checks the kernel log for BUG/WARNING/Oops/KASAN afterwards.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
ipvs_nat_service --pe zwin
ipvs_nat_service6 --pe zwin
lb ipvsadm -a -t "[$VIP6]:80" -r "[$RS2_6]:80" -m
count_server_syns
count_server_syns ip6
att iptables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
att ip6tables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
bad0=$(zstat zlb syn_invalid)

# Each case from its own source port; prints "<port> <flags> <window>" for
# every segment the VIP sent back within 3 s.
out=$(ip netns exec za python3 - "$VIP" "$VIP6" "$AIP" <<'PY'
import struct, sys, time
from scapy.layers.inet import in4_chksum
from scapy.all import (IP, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, TCP,
                       Raw, AsyncSniffer, send, fragment, conf)
conf.verb = 0
vip, vip6, aip = sys.argv[1], sys.argv[2], sys.argv[3]

def syn(port, **kw):
    return TCP(sport=port, dport=80, flags=kw.pop("flags", "S"), seq=1000,
               **kw)

def raw_tcp(port, flags, doff, opts=b"", cut=None):
    """A TCP header as given (scapy would repair it), right checksum."""
    t = bytes(TCP(sport=port, dport=80, flags=flags, seq=1000, window=1000))
    t = t[:12] + bytes([doff << 4]) + t[13:16] + b"\0\0" + t[18:] + opts
    ck = in4_chksum(6, IP(src=aip, dst=vip), t)
    t = t[:16] + struct.pack("!H", ck) + t[18:]
    return t if cut is None else t[:cut]

def opts_syn(port, opts):
    opts += b"\x00" * (-len(opts) % 4)
    return IP(dst=vip, proto=6) / Raw(raw_tcp(port, "S", 5 + len(opts) // 4,
                                              opts))

v4 = [
    # truncated TCP header: 12 bytes of it
    IP(dst=vip, proto=6) / Raw(raw_tcp(50001, "S", 5, cut=12)),
    # data offset 2 (< 5)
    IP(dst=vip, proto=6) / Raw(raw_tcp(50002, "S", 2)),
    # data offset 15, but no options present
    IP(dst=vip, proto=6) / Raw(raw_tcp(50003, "S", 15)),
    # option lengths 0, 1, 255; MSS running past the header end; unknown
    opts_syn(50004, b"\x02\x00\x05\xb4"),
    opts_syn(50005, b"\x02\x01\x05\xb4"),
    opts_syn(50006, b"\x08\xff\x00\x00"),
    opts_syn(50007, b"\x01\x01\x01\x02\x04\x05"),
    opts_syn(50018, b"\xfe\x06\x01\x02\x03\x04"),
    IP(dst=vip) / syn(50008) / Raw(b"x" * 100),       # SYN with payload
    IP(dst=vip) / syn(50009, flags="SF"),
    IP(dst=vip) / syn(50010, flags="SA"),
    IP(dst=vip) / syn(50011, flags="SR"),
    IP(dst=vip) / syn(50012, flags="SFPU"),
    IP(dst=vip) / syn(50013, flags="F"),
    IP(dst=vip) / syn(50014, flags=""),
    IP(dst=vip) / syn(50015, flags="FPU"),
    IP(dst=vip) / syn(50016, flags="R"),
    IP(dst=vip) / syn(50017, chksum=0xdead),            # bad checksum
]
# a SYN in fragments of 8 bytes: reassembled before the proxy
frags = fragment(IP(dst=vip) / syn(50020, options=[("MSS", 1400),
                                                   ("SAckOK", b"")]), 8)
# IPv6: the whole TCP header must be in the first fragment (RFC 7112)
v6frag = bytes(IPv6(dst=vip6) / syn(50031, options=[("MSS", 1400),
                                                    ("SAckOK", b"")]))[40:]
import threading
ready = threading.Event()  # set once the sniffer captures
sn = AsyncSniffer(started_callback=ready.set,
                  filter="tcp and src port 80 and (src host %s or src host %s)"
                  % (vip, vip6), timeout=8)
sn.start()
ready.wait(10)
for p in v4:
    send(p)
send(frags)
send(IPv6(dst=vip6) / IPv6ExtHdrDestOpt() / syn(50030))
send(IPv6(dst=vip6) / IPv6ExtHdrFragment(m=1, id=7, offset=0, nh=6) /
     Raw(v6frag[:24]))
send(IPv6(dst=vip6) / IPv6ExtHdrFragment(m=0, id=7, offset=3, nh=6) /
     Raw(v6frag[24:]))
sn.join()
for r in sn.results:
    print(r[TCP].dport, r[TCP].flags, r[TCP].window, r[TCP].ack)
PY
)
echo "$out"
reply() { awk -v p="$1" '$1 == p { print $2 " " $3 " " $4 }' <<< "$out" | head -1; }
for p in 50001 50002 50003; do
	check "no answer to a broken TCP header (port $p)" test -z "$(reply $p)"
done
check "no answer to a SYN with a bad checksum" test -z "$(reply 50017)"
for p in 50009 50010 50012; do
	check "no SYN-ACK to SYN with FIN or ACK (port $p)" test -z "$(reply $p)"
done
check "no SYN-ACK to SYN+RST" bash -c "! grep -q '^50011 S' <<< '$out'"
for p in 50013 50014 50015 50016; do
	check "no SYN-ACK to flags without SYN (port $p)" bash -c "! grep -q '^$p S' <<< '$out'"
done
# Odd option lengths: Linux answers such SYNs; so does the proxy, and only
# with a well-formed zero-window SYN-ACK.
for p in 50004 50005 50006 50007 50018; do
	check "odd options (port $p): nothing or a zero-window SYN-ACK" \
		bash -c "[ -z '$(reply $p)' ] || [ '$(reply $p | cut -d' ' -f1-2)' = 'SA 0' ]"
done
expect_eq "SYN with payload: zero-window SYN-ACK for the SYN alone" "$(reply 50008)" "SA 0 1001"
expect_eq "SYN in IPv4 fragments: reassembled, answered by the proxy" "$(reply 50020)" "SA 0 1001"
expect_eq "IPv6 SYN behind a destination options header: proxied" "$(reply 50030)" "SA 0 1001"
expect_eq "SYN in IPv6 fragments: reassembled, answered by the proxy" "$(reply 50031)" "SA 0 1001"

sleep 1
expect_eq "no IPv4 SYN reached a real server" "$(server_syns)" 0
expect_eq "no IPv6 SYN reached a real server" "$(server_syns ip6)" 0
expect_eq "IPVS made no connection" "$(ip netns exec zlb ipvsadm -Lnc | grep -c TCP)" 0
expect_eq "no proxy entry" "$(zstat zlb entries)" 0
# data offsets 2 and 15, the bad checksum, SYN+FIN, SYN+ACK, SYN+FIN+PSH+URG
expect_eq "dropped SYNs counted (syn_invalid)" "$(( $(zstat zlb syn_invalid) - bad0 ))" 6

# Clients are served as before.
expect_eq "a client is served" "$(get 3 | grep -c '^zr')" 3
