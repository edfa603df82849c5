#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The handshake on the wire, with scapy as the client: the SYN-ACK has
# window 0 and the options the client offered; no real server sees a SYN
# until the client's ACK; then exactly one SYN reaches one server and the
# client receives the server's window continuing the proxy's sequence,
# its timestamps in the proxy's clock.
# With a packet tap on the balancer holding a copy of the SYN (so the
# answer cannot be built in the SYN's buffer), the answer is the same and
# the tap's copy intact.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
ipvs_nat_service --pe zwin
count_server_syns
scapy_client


# syn_ack SPORT SEQ: scapy sends a SYN with every option to VIP:80 and
# prints the SYN-ACK it gets: flags, window, ack, options, seq, TSval.
syn_ack() {
	ip netns exec zc python3 - "$VIP" "$1" "$2" <<'PY'
import sys
from scapy.all import IP, TCP, sr1, conf
conf.verb = 0
syn = IP(dst=sys.argv[1]) / TCP(sport=int(sys.argv[2]), dport=80, flags="S",
                                 seq=int(sys.argv[3]), window=64240,
                                 options=[("MSS", 1400), ("SAckOK", b""),
                                          ("Timestamp", (12345, 0)),
                                          ("NOP", None), ("WScale", 9)])
sa = sr1(syn, timeout=5)
if sa is None:
    print("none"); sys.exit(0)
o = dict((k, v) for k, v in sa[TCP].options)
print("flags=%s win=%d ack=%d mss=%s wscale=%s sack=%d ts=%d seq=%d tsval=%d" % (
    sa[TCP].flags, sa[TCP].window, sa[TCP].ack, o.get("MSS"), o.get("WScale"),
    "SAckOK" in o, "Timestamp" in o, sa[TCP].seq, o["Timestamp"][0]))
PY
}

# 1. SYN with every option; the proxy answers, servers see nothing.
synack=$(syn_ack 41000 1000)
echo "SYN-ACK: $synack"
check "SYN-ACK received" grep -q '^flags=SA ' <<< "$synack"
check "SYN-ACK has window 0" grep -q ' win=0 ' <<< "$synack"
check "SYN-ACK acknowledges the client's SYN" grep -q ' ack=1001 ' <<< "$synack"
check "SYN-ACK offers MSS, wscale, SACK, timestamps" \
	grep -q ' mss=1460 wscale=7 sack=1 ts=1 ' <<< "$synack"
sleep 1
expect_eq "no SYN reached a real server before the client's ACK" "$(server_syns)" 0
expect_eq "no IPVS connection yet" "$(ip netns exec zlb ipvsadm -Lnc | grep -c TCP)" 0

# 2. The client's ACK: one SYN to one server, then the window reopen.
cookie=$(sed -E 's/.* seq=([0-9]+).*/\1/' <<< "$synack")
tsval=$(sed -E 's/.* tsval=([0-9]+).*/\1/' <<< "$synack")
reopen=$(ip netns exec zc python3 - "$VIP" "$cookie" "$tsval" <<'PY'
import sys
from scapy.all import IP, TCP, send, AsyncSniffer, conf
conf.verb = 0
vip, cookie, tsval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
import threading
ready = threading.Event()  # set once the sniffer captures
sn = AsyncSniffer(started_callback=ready.set,
                  filter="tcp and src host %s and src port 80" % vip,
                  count=1, timeout=10)
sn.start()
ready.wait(10)
send(IP(dst=vip) / TCP(sport=41000, dport=80, flags="A", seq=1001,
                        ack=cookie + 1, window=502,
                        options=[("NOP", None), ("NOP", None),
                                 ("Timestamp", (12346, tsval))]))
sn.join()
if not sn.results:
    print("none"); sys.exit(0)
r = sn.results[0][TCP]
o = dict((k, v) for k, v in r.options)
tsval, tsecr = o.get("Timestamp", (-1, -1))
print("flags=%s win=%d seq=%d ack=%d ts=%d tsval=%d tsecr=%d" % (
      r.flags, r.window, r.seq, r.ack, "Timestamp" in o, tsval, tsecr))
PY
)
echo "reopen: $reopen"
check "the client got a segment from the VIP" grep -q '^flags=A ' <<< "$reopen"
check "it continues the proxy's sequence" \
	grep -q " seq=$((cookie + 1)) ack=1001 " <<< "$reopen"
win=$(sed -E 's/.* win=([0-9]+).*/\1/' <<< "$reopen")
check "it carries a non-zero window ($win)" test "$win" -gt 0
# The server's SYN-ACK window (bytes, unscaled) in the proxy's scale 7.
check "the window is the server's, scaled by 2^7 (<= 65535/128)" test "$win" -le 512
# Timestamps: the server's TSval, shifted into the clock the proxy's
# SYN-ACK announced, is a little later than the SYN-ACK's (untranslated it
# would be the server's own, randomly offset clock); its TSecr echoes the
# client's last TSval (12346), untouched.
rtsval=$(sed -E 's/.* tsval=([0-9-]+).*/\1/' <<< "$reopen")
expect_eq "the reopen echoes the client's TSval" \
	"$(sed -E 's/.* tsecr=([0-9-]+).*/\1/' <<< "$reopen")" 12346
check "its TSval is in the SYN-ACK's clock: $rtsval is 0-60000 ms after $tsval" \
	test "$rtsval" -ge 0 -a $(((rtsval - tsval) & 0xffffffff)) -le 60000
expect_eq "exactly one SYN reached a real server" "$(server_syns)" 1
expect_eq "IPVS made one connection" "$(ip netns exec zlb ipvsadm -Lnc | grep -c ' 192.0.2.2:41000 ')" 1

# 3. A lost reopen: the client's zero-window probe reaches the server
# (translated) and the server's answer brings the window.
probe=$(ip netns exec zc python3 - "$VIP" "$cookie" <<'PY'
import sys
from scapy.all import IP, TCP, sr1, conf
conf.verb = 0
vip, cookie = sys.argv[1], int(sys.argv[2])
r = sr1(IP(dst=vip) / TCP(sport=41000, dport=80, flags="A", seq=1000,
                           ack=cookie + 1, window=502), timeout=5)
if r is None:
    print("none"); sys.exit(0)
print("flags=%s win=%d seq=%d ack=%d" % (r[TCP].flags, r[TCP].window,
      r[TCP].seq, r[TCP].ack))
PY
)
echo "probe answer: $probe"
check "a window probe is answered through the proxy" \
	grep -q "^flags=A win=[1-9][0-9]* seq=$((cookie + 1)) ack=1001$" <<< "$probe"

# 4. With a packet tap on the balancer that has not read its copy yet,
# the SYN's buffer is shared: the answer is built in a new buffer (above,
# with no tap, in the SYN's own), is the same, and the tap's copy of the
# SYN is left intact. The tap reads only at the end, so its copies are
# still queued while the proxy answers.
rm -f /tmp/tap.ready /tmp/tap.done
ip netns exec zlb python3 - "$VIP" > /tmp/tap.out 2>&1 <<'PY' &
import os, socket, sys, time
from scapy.all import Ether, IP, TCP
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind(("zlbzc", 0))
open("/tmp/tap.ready", "w").close()
while not os.path.exists("/tmp/tap.done"):
    time.sleep(0.1)
s.setblocking(False)
while True:
    try:
        data = s.recv(65535)
    except BlockingIOError:
        break
    p = Ether(data)
    if TCP not in p or 80 not in (p[TCP].sport, p[TCP].dport):
        continue
    want = p[TCP].chksum
    del p[TCP].chksum
    ok = Ether(bytes(p))[TCP].chksum == want
    print("%s:%d > %s:%d flags=%s seq=%d ack=%d win=%d csum=%s" % (
        p[IP].src, p[TCP].sport, p[IP].dst, p[TCP].dport, p[TCP].flags,
        p[TCP].seq, p[TCP].ack, p[TCP].window, "ok" if ok else "bad"))
PY
tap=$!
eventually "the tap on the balancer is ready" 10 test -e /tmp/tap.ready
synack2=$(syn_ack 41001 2000)
touch /tmp/tap.done
wait "$tap"
tapped=$(cat /tmp/tap.out)
echo "SYN-ACK with a tap: $synack2"
echo "the tap's copies:"
echo "$tapped"
check "with a tap, the same zero-window SYN-ACK" \
	grep -q '^flags=SA win=0 ack=2001 mss=1460 wscale=7 sack=1 ts=1 seq=' <<< "$synack2"
check "the tap's copy of the SYN is intact" \
	grep -q "^$CIP:41001 > $VIP:80 flags=S seq=2000 ack=0 win=64240 csum=ok$" <<< "$tapped"
check "the tap saw the SYN-ACK leave" \
	grep -q "^$VIP:80 > $CIP:41001 flags=SA seq=[0-9]* ack=2001 win=0 csum=ok$" <<< "$tapped"
