#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How long entries live, seen through /proc/net/ip_vs_zwin_conn, and two
# load-time and service shapes:
#  1. hash_bits outside 8-20 is refused at load with its message; 8 loads;
#  2. with IPVS's timeouts set to 4 s (ESTABLISHED) and 3 s (FIN_WAIT),
#     an idle connection's entry outlives IPVS's connection (server "-")
#     and is gone within 4 + 10 s; a connection the client half-closed
#     within 3 + 10 s; one the client reset (CLOSING) within IPVS's
#     10-s CLOSE timeout + 10 s; a connection whose server refused is
#     held in the 10-s quarantine (RESET) and then gone;
#  3. a port-zero (all ports, persistent) zwin service proxies every port.
#
#   zc (python: holds connections) -- zlb (IPVS NAT) -- zr1, zr2 (holders
#   on 7000); VIP:7000 and VIP:7001 (no listener: refused) zwin;
#   VIP2:0 port-zero zwin
. "$(dirname "$0")/../lib.sh"
set -e

LIST=/proc/net/ip_vs_zwin_conn
VIP2=192.0.2.101

# 1. hash_bits
for bits in 7 21; do
	check "hash_bits=$bits is refused" bash -c "! modprobe ip_vs_zwin hash_bits=$bits 2>/dev/null"
	check "hash_bits=$bits: the kernel log says why" \
		bash -c "dmesg | grep -q 'hash_bits=$bits is out of range 8-20; refusing to load'"
done
zwin_load hash_bits=8
expect_eq "hash_bits=8 loads" "$(cat /sys/module/ip_vs_zwin/parameters/hash_bits)" 8

topo_up
lb ip addr add "$VIP2/32" dev lo
lb ipvsadm --set 4 3 0
lb ipvsadm -A -t "$VIP:7000" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:7000" -r "$RS1:7000" -m
lb ipvsadm -A -t "$VIP:7001" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:7001" -r "$RS1:7001" -m
lb ipvsadm -A -t "$VIP2:0" -s rr -p 60 --pe zwin
lb ipvsadm -a -t "$VIP2:0" -r "$RS1:0" -m
for p in 7000 7002; do
	ip netns exec zr1 python3 - "$p" <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(64)
held = []
while True:
    held.append(s.accept()[0])
PY
done
for p in 7000 7002; do
	eventually_eq "the holder on $p listens" 10 1 ss_count zr1 state listening sport = :$p
done

# 2. four connections, from ports 30001-30004: idle, half-closed, reset,
# refused; the client keeps the first two open
ip netns exec zc python3 - "$VIP" > /tmp/life.out 2>&1 <<'PY' &
import socket, struct, sys, time
vip = sys.argv[1]
def conn(sport, port):
    s = socket.socket()
    s.bind(("0.0.0.0", sport))
    s.settimeout(10)
    s.connect((vip, port))
    return s
idle = conn(30001, 7000)
half = conn(30002, 7000)
half.shutdown(socket.SHUT_WR)
rst = conn(30003, 7000)
time.sleep(0.5)
rst.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
rst.close()
# the proxy accepts at once; the server's refusal resets it moments
# later (before connect() returns, under emulation, or after)
try:
    ref = conn(30004, 7001)
    ref.settimeout(5)
    ref.recv(1)
    print("refused: no reset")
except ConnectionResetError:
    print("refused: reset")
print("ready", flush=True)
time.sleep(120)
PY
client=$!
( eventually_eq "the refused connection was reset" 15 "refused: reset" head -1 /tmp/life.out ) ||
	fail "the client: $(cat /tmp/life.out)"
eventually_eq "the client is ready" 5 ready sed -n 2p /tmp/life.out
t0=$(date +%s)

# state EXPIRES of client port $1, or "gone"
entry() {
	local l
	l=$(ip netns exec zlb awk -v c="$CIP:$1" '$1 == c { print $3, $4, $5 }' "$LIST")
	echo "${l:-gone}"
}
read -r srv st exp <<< "$(entry 30001)"
expect_eq "idle: ESTABLISHED at its server" "$srv $st" "$RS1:7000 ESTABLISHED"
check "idle: expires within 4 + 10 s ($exp)" test "$exp" -le 14 -a "$exp" -ge 1
read -r srv st exp <<< "$(entry 30002)"
expect_eq "half-closed: still translated" "$st" ESTABLISHED
check "half-closed: expires within 3 + 10 s ($exp)" test "$exp" -le 13 -a "$exp" -ge 1
read -r srv st exp <<< "$(entry 30003)"
expect_eq "reset by the client: CLOSING" "$st" CLOSING
check "reset: expires within 10 + 10 s ($exp)" test "$exp" -le 20 -a "$exp" -ge 1
read -r srv st exp <<< "$(entry 30004)"
expect_eq "refused: in quarantine" "$st" RESET
check "refused: quarantine of at most 10 s ($exp)" test "$exp" -le 10
expect_eq "refused: counted" "$(zstat zlb server_refused)" 1

# IPVS forgets the idle connection after 4 s; the proxy 10 s later
eventually_eq "idle: IPVS forgot it, the proxy still translates" 10 "- ESTABLISHED" \
	bash -c "ip netns exec zlb awk '\$1 == \"$CIP:30001\" { print \$3, \$4 }' $LIST"
# each ends by its timeout + 10 s, counted from t0 (which comes 0-2 s
# after their last packets), + 4 s for timers and polling
for pb in 30004:14 30002:17 30001:18 30003:24; do
	eventually_eq "client port ${pb%:*}'s entry ends" 30 gone entry "${pb%:*}"
	check "... within ${pb#*:} s of t0 ($(($(date +%s) - t0)) s)" \
		test $(($(date +%s) - t0)) -le "${pb#*:}"
done
expect_eq "no entry left" "$(zstat zlb entries)" 0
kill "$client"
wait "$client" 2>/dev/null || true

# 3. port-zero service: every port of VIP2 proxied
ip netns exec zc python3 - "$VIP2" > /tmp/p0.out 2>&1 <<'PY' &
import socket, sys, time
held = []
for port in (7000, 7002):
    s = socket.socket()
    s.settimeout(10)
    s.connect((sys.argv[1], port))
    held.append(s)
print("connected", flush=True)
time.sleep(60)
PY
client=$!
eventually_eq "port-zero: connected to 7000 and 7002" 15 connected head -1 /tmp/p0.out
for p in 7000 7002; do
	expect_eq "port-zero: the connection to $VIP2:$p is proxied" \
		"$(ip netns exec zlb awk -v v="$VIP2:$p" '$2 == v { print $3, $4 }' "$LIST")" \
		"$RS1:$p ESTABLISHED"
done
kill "$client"
wait "$client" 2>/dev/null || true
