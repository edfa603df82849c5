#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Live connections are never taken over by segments that only look right:
#  1. a plain IPVS connection (made before the service got the PE) whose
#     client port then gets a real cookie (scapy sends a SYN from it,
#     reads the proxy's SYN-ACK and acknowledges that cookie): IPVS has a
#     live connection for the tuple, so the proxy connects no server
#     (server_syn, cookie_valid unchanged, ipvs_conn counted) and the
#     download on it goes on intact;
#  2. a proxied download hit by an off-path RST (random sequence number)
#     and then a SYN from its port: the RST is dropped (rst_ignored),
#     IPVS's connection stays ESTABLISHED, the download goes on intact;
#  3. a zwin service on port 21: IPVS's lookup also returns it for every
#     unprivileged port (FTP data), but the proxy answers only port 21; a
#     SYN to VIP:40001 gets the real server's RST, not a SYN-ACK.
#
#   zc (curl, scapy) -- zlb (IPVS NAT, VIP 192.0.2.100) -- zr1, zr2 (httpd)
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
add_dest_files
ipvs_nat_service
expect_eq "the servers answer through plain IPVS" "$(get 2 | grep -c '^zr')" 2

# slow_get TAG: an HTTP download of the 20 MiB file read slowly (4 KiB
# every 25 ms; a small receive buffer keeps the server paced: it cannot
# finish within two minutes) in the background, until slow_done TAG (at
# least 10 s, at most 120); sets PORT to its client port once it is
# established. The reader then closes and keeps what it got. It never
# stops on a timer while the scenario still tests its connection: under
# a loaded host, scapy's start-up alone can take seconds.
slow_get() {
	local i
	rm -f "/tmp/live-$1.stop"
	ip netns exec zc python3 - "$VIP" "/tmp/live-$1" > "/tmp/live-$1.port" \
		2> "/tmp/live-$1.err" <<'PY' &
import os, socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
s.settimeout(30)
s.connect((sys.argv[1], 80))
print(s.getsockname()[1], flush=True)
s.sendall(b"GET /20m HTTP/1.0\r\n\r\n")
data = b""
start = time.monotonic()
while time.monotonic() < start + 120:
    if time.monotonic() > start + 10 and os.path.exists(sys.argv[2] + ".stop"):
        break
    b = s.recv(4096)
    if not b:
        raise SystemExit("the server closed early")
    data += b
    time.sleep(0.025)
s.close()
open(sys.argv[2], "wb").write(data.split(b"\r\n\r\n", 1)[1])
PY
	echo $! > "/tmp/live-$1.pid"
	PORT=
	for i in $(seq 50); do
		PORT=$(head -1 "/tmp/live-$1.port")
		[ -n "$PORT" ] && break
		sleep 0.1
	done
	[ -n "$PORT" ] || fail "no connection for $1: $(cat "/tmp/live-$1.err")"
}

# slow_done TAG: the reader saw no reset, and what it got (at least
# 256 KiB) is the start of the file.
slow_done() {
	touch "/tmp/live-$1.stop"
	wait "$(cat "/tmp/live-$1.pid")" || fail "download $1: $(cat "/tmp/live-$1.err")"
	local n got
	n=$(stat -c %s "/tmp/live-$1")
	expect_ge "download $1 went on for 10 s (bytes)" "$n" 262144
	got=$(sha256sum < "/tmp/live-$1")
	check "download $1 is the start of the file" test "$got" = \
		"$(head -c "$n" /tmp/www-zr1/20m | sha256sum)" -o \
		"$got" = "$(head -c "$n" /tmp/www-zr2/20m | sha256sum)"
}

# 1. A live plain IPVS connection and a real cookie for its tuple.
slow_get plain
port=$PORT
echo "ok: plain IPVS download from client port $port"
lb ipvsadm -E -t "$VIP:80" -s rr --pe zwin
check "IPVS has the plain connection ESTABLISHED" grep -q "ESTABLISHED.*$CIP:$port\|$CIP:$port.*ESTABLISHED" \
	<<< "$(lb ipvsadm -Lnc)"
syn0=$(zstat zlb server_syn) valid0=$(zstat zlb cookie_valid) ipc0=$(zstat zlb ipvs_conn)
out=$(c python3 - "$VIP" "$port" <<'PY'
import sys, time
from scapy.all import IP, TCP, sr1, send, conf
conf.verb = 0
vip, port = sys.argv[1], int(sys.argv[2])
a = sr1(IP(dst=vip) / TCP(sport=port, dport=80, flags="S", seq=777000,
                           options=[("MSS", 1400)]), timeout=5)
if a is None or not a.haslayer(TCP):
    print("no-synack")
    sys.exit(0)
print("synack", a[TCP].flags, a[TCP].window)
send(IP(dst=vip) / TCP(sport=port, dport=80, flags="A", seq=777001,
                        ack=a[TCP].seq + 1, window=1000))
PY
)
echo "$out"
expect_eq "the proxy answered a SYN from the live connection's port" \
	"$(echo "$out" | head -1)" "synack SA 0"
sleep 2
lb ipvsadm -Lnc
expect_eq "the valid cookie for a live IPVS connection connected no server" \
	"$(zstat zlb server_syn)" "$syn0"
expect_eq "... and was not taken as a new handshake" "$(zstat zlb cookie_valid)" "$valid0"
expect_ge "... but counted as a segment of a live IPVS connection" \
	"$(zstat zlb ipvs_conn)" $((ipc0 + 1))
slow_done plain

# 2. An off-path RST and a SYN on a live proxied connection.
est0=$(zstat zlb established) rsti0=$(zstat zlb rst_ignored)
slow_get proxied
port=$PORT
eventually_eq "the download is proxied" 5 $((est0 + 1)) zstat zlb established
c python3 - "$VIP" "$port" <<'PY'
import sys, time
from scapy.all import IP, TCP, send, conf
conf.verb = 0
vip, port = sys.argv[1], int(sys.argv[2])
send(IP(dst=vip) / TCP(sport=port, dport=80, flags="R", seq=0x5eed1234))
time.sleep(0.5)
send(IP(dst=vip) / TCP(sport=port, dport=80, flags="S", seq=0x5eed9999))
PY
sleep 1
expect_ge "the off-path RST was dropped" "$(zstat zlb rst_ignored)" $((rsti0 + 1))
conns=$(ip netns exec zlb ipvsadm -Lnc)
echo "$conns"
check "IPVS's connection is still ESTABLISHED" grep -q "ESTABLISHED .*$CIP:$port " <<< "$conns"
slow_done proxied

# 3. FTP's catch-all: only the service's own port is proxied.
lb ipvsadm -A -t "$VIP:21" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:21" -r "$RS1:21" -m
zwin0=$(zstat zlb syn_zwin) plain0=$(zstat zlb syn_plain)
out=$(c python3 - "$VIP" <<'PY'
import sys
from scapy.all import IP, TCP, sr1, conf
conf.verb = 0
vip = sys.argv[1]
for dport in (21, 40001):
    a = sr1(IP(dst=vip) / TCP(sport=41000 + dport % 1000, dport=dport,
                               flags="S", seq=1000), timeout=5)
    print(dport, a[TCP].flags if a is not None and a.haslayer(TCP) else "none",
          a[TCP].window if a is not None and a.haslayer(TCP) else "-")
PY
)
echo "$out"
expect_eq "a SYN to VIP:21 gets the proxy's zero-window SYN-ACK" \
	"$(echo "$out" | grep '^21 ')" "21 SA 0"
expect_eq "a SYN to VIP:40001 (FTP catch-all) reaches the real server, which resets it" \
	"$(echo "$out" | grep '^40001 ' | cut -d' ' -f2)" "RA"
expect_eq "only the port-21 SYN was proxied" "$(zstat zlb syn_zwin)" $((zwin0 + 1))
expect_ge "the other was left to IPVS" "$(zstat zlb syn_plain)" $((plain0 + 1))
