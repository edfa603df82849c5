#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Retransmissions and reuse of a client's address and port:
#  - a retransmitted SYN gets the same cookie; a retransmitted ACK makes no
#    second server connection;
#  - a SYN on a live proxied connection (a client that rebooted) reaches
#    the server, whose challenge ACK comes back in the proxy's sequence
#    space; the client's RST ends the old connection and its next SYN is
#    proxied afresh (RFC 5961, as without the proxy);
#  - real clients reconnecting from the same port right after the server
#    closed, and from TIME_WAIT (tcp_tw_reuse), are served every time,
#    each connection a new handshake of the proxy;
#  - a connection the client resets leaves the proxy's table on IPVS's
#    CLOSE timeout (10 s, + 10 s), not TIME_WAIT's (120 s).
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
ipvs_nat_service --pe zwin

# 0. A connection reset by the client: the entry goes 20 s later.
c python3 - "$VIP" <<'PY'
import socket, struct, sys, time
s = socket.create_connection((sys.argv[1], 80), timeout=5)
time.sleep(1)                       # the proxy connects the server meanwhile
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()                           # RST, no FIN
PY
t0=$(date +%s)
expect_eq "the reset connection was proxied" "$(zstat zlb established)" 1
check "IPVS moved it to CLOSE" grep -q ' CLOSE ' <<< "$(ip netns exec zlb ipvsadm -Lnc)"
for i in $(seq 60); do
	[ "$(zstat zlb entries)" = 0 ] && break
	sleep 1
done
gone=$(($(date +%s) - t0))
check "its entry left the proxy's table after ${gone} s (15-30 s: CLOSE + 10 s)" \
	test "$gone" -ge 15 -a "$gone" -le 30

count_server_syns
scapy_client

# 1-3 with scapy as the client, one script so that it keeps its state.
out=$(ip netns exec zc python3 - "$VIP" <<'PY'
import sys, time
from scapy.all import IP, TCP, sr1, send, AsyncSniffer, conf
conf.verb = 0
vip = sys.argv[1]
P = 43000

def sniff_one(pkt, timeout=5):
    import threading
    ready = threading.Event()  # set once the sniffer captures
    sn = AsyncSniffer(started_callback=ready.set,
                      filter="tcp and src host %s and src port 80" % vip,
                      count=1, timeout=timeout)
    sn.start()
    ready.wait(10)
    send(pkt)
    sn.join()
    return sn.results[0][TCP] if sn.results else None

syn = IP(dst=vip) / TCP(sport=P, dport=80, flags="S", seq=1000,
                         options=[("MSS", 1400)])
a = sr1(syn, timeout=5)
b = sr1(syn, timeout=5)
print("synack1", a[TCP].flags, a[TCP].seq, a[TCP].window)
print("synack2", b[TCP].flags, b[TCP].seq, b[TCP].window)
cookie = a[TCP].seq
ack = IP(dst=vip) / TCP(sport=P, dport=80, flags="A", seq=1001,
                         ack=cookie + 1, window=1000)
r = sniff_one(ack)
print("reopen", r.flags, r.seq, r.ack, int(r.window > 0))
# the same ACK twice more: a retransmission
send(ack)
send(ack)
time.sleep(1)
print("retransmitted")
sys.stdout.flush()

# 2. A new SYN from the same port, another ISN: the server's challenge ACK.
r = sniff_one(IP(dst=vip) / TCP(sport=P, dport=80, flags="S", seq=900000,
                                 options=[("MSS", 1400)]))
print("challenge", r.flags, r.seq, r.ack)
# the client, not knowing the connection, resets it at the acked number
send(IP(dst=vip) / TCP(sport=P, dport=80, flags="R", seq=r.ack))
time.sleep(1)
# 3. and retries its SYN: proxied afresh
syn2 = IP(dst=vip) / TCP(sport=P, dport=80, flags="S", seq=900000,
                          options=[("MSS", 1400)])
c2 = sr1(syn2, timeout=5)
print("synack3", c2[TCP].flags, c2[TCP].ack, c2[TCP].window)
r = sniff_one(IP(dst=vip) / TCP(sport=P, dport=80, flags="A", seq=900001,
                                 ack=c2[TCP].seq + 1, window=1000))
print("reopen2", r.flags, r.seq - c2[TCP].seq, r.ack, int(r.window > 0))
PY
)
echo "$out"
line() { grep "^$1 " <<< "$out" | cut -d' ' -f2-; }
check "SYN-ACK to the first SYN" grep -q '^SA [0-9]* 0$' <<< "$(line synack1)"
expect_eq "a retransmitted SYN gets the same SYN-ACK" "$(line synack2)" "$(line synack1)"
cookie=$(line synack1 | cut -d' ' -f2)
expect_eq "the window opens after the client's ACK" "$(line reopen)" "A $((cookie + 1)) 1001 1"
expect_eq "the SYN on the live connection got the server's challenge ACK, in the proxy's space" \
	"$(line challenge)" "A $((cookie + 1)) 1001"
expect_eq "it was counted (syn_existing)" "$(zstat zlb syn_existing)" 1
expect_eq "the new SYN after the reset is proxied" "$(line synack3)" "SA 900001 0"
expect_eq "and its connection opens" "$(line reopen2)" "A 1 900001 1"
# the first SYN (its ACK sent three times), the one on the live
# connection, the fresh one: no duplicate server connection
expect_eq "SYNs at the servers" "$(server_syns)" 3
expect_eq "one IPVS connection for the port" \
	"$(ip netns exec zlb ipvsadm -Lnc | grep -c ':43000 ')" 1
c iptables -D OUTPUT -p tcp --tcp-flags RST RST -j DROP

# 4. Real clients reusing one port: after the server closed first (the
# client ends CLOSED, the server in TIME_WAIT: HTTP), and after the client
# closed first (the client in TIME_WAIT, reused with tcp_tw_reuse: the
# upload sink, which answers once the client has shut down its side).
sink_up --pe zwin
c sysctl -qw net.ipv4.tcp_tw_reuse=1
est=$(zstat zlb established) ssyn=$(zstat zlb server_syn)
reuse=$(ip netns exec zc python3 - "$VIP" "$ZWIN_GUEST" <<'PY'
import errno, socket, sys, time
vip = sys.argv[1]
sys.path.insert(0, sys.argv[2])
from tcp_sink import read_all

def conn(port, dport):
    # The previous socket of the port may still wait in LAST_ACK for the
    # server's ACK of its FIN (the 4-tuple is then taken: EADDRNOTAVAIL);
    # the port is reused once it is closed, within 5 s.
    for attempt in range(50):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(10)
        s.bind(("0.0.0.0", port))
        try:
            s.connect((vip, dport))
            return s
        except OSError as e:
            s.close()
            if e.errno != errno.EADDRNOTAVAIL:
                raise
            time.sleep(0.1)
    raise OSError(errno.EADDRNOTAVAIL, "port %d still taken after 5 s" % port)

for i in range(4):
    s = conn(44000, 80)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    body = read_all(s).split(b"\r\n\r\n", 1)[-1].decode().strip()
    s.close()
    print("server-closed", body)
for i in range(3):
    s = conn(44001, 9000)
    s.sendall(b"x")
    s.shutdown(socket.SHUT_WR)      # our FIN first: TIME_WAIT here
    # the sink answers "<sha256> <bytes it saw>"
    print("time-wait", read_all(s).split()[-1].decode())
    s.close()
    time.sleep(1.1)                 # tcp_tw_reuse wants a newer second
PY
)
echo "$reuse"
expect_eq "4 connections from one port after the server closed: all served" \
	"$(grep -c '^server-closed zr[12]$' <<< "$reuse")" 4
expect_eq "3 connections from one port out of TIME_WAIT: all answered" \
	"$(grep -c '^time-wait 1$' <<< "$reuse")" 3
expect_eq "each of the 7 was a handshake of the proxy (established)" \
	$(($(zstat zlb established) - est)) 7
expect_eq "each got one server SYN from the proxy (server_syn)" \
	$(($(zstat zlb server_syn) - ssyn)) 7
expect_eq "no proxy handshake timed out" "$(zstat zlb server_timeout)" 0
