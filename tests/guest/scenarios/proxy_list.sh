#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /proc/net/ip_vs_zwin_conn, the operators' answer to "is this connection
# proxied?":
#  1. a namespace without IPVS services lists the header only;
#  2. 200 IPv4 and 1 IPv6 connections held open through zwin services are
#     listed once each, ESTABLISHED, with the real server IPVS chose (the
#     one `ipvsadm -Lnc` shows) and a timer within IPVS's ESTABLISHED
#     timeout plus the proxy's 10-s margin; a connection through a plain
#     service on the same VIP is not listed;
#  3. the listing is the same read in one go (cat) and in 997-byte reads
#     (a read that spans buffers resumes where it stopped);
#  4. only the namespace's root reads it (it shows sequence offsets).
#
#   zc (python: holds 202 connections) -- zlb (IPVS NAT) -- zr1, zr2
#   VIP:7000 and [VIP6]:7000 zwin, VIP:7001 plain; holders on port 7000
. "$(dirname "$0")/../lib.sh"
set -e

LIST=/proc/net/ip_vs_zwin_conn
topo_up
lb ipvsadm -A -t "$VIP:7000" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:7000" -r "$RS1:7000" -m
lb ipvsadm -a -t "$VIP:7000" -r "$RS2:7000" -m
lb ipvsadm -A -t "[$VIP6]:7000" -s rr --pe zwin
lb ipvsadm -a -t "[$VIP6]:7000" -r "[$RS1_6]:7000" -m
lb ipvsadm -A -t "$VIP:7001" -s rr
lb ipvsadm -a -t "$VIP:7001" -r "$RS1:7000" -m

# 1. the header alone where there are no services
hdr=$(ip netns exec zc cat "$LIST")
expect_eq "the client namespace's listing is the header alone" \
	"$(wc -l <<< "$hdr") $(awk '{ print $1, $2, $3, $4 }' <<< "$hdr")" \
	"1 Client Virtual Server State"

# holders: accept on port 7000 (both families), count, keep every socket
for ns in zr1 zr2; do
	ip netns exec "$ns" python3 - "/tmp/held-$ns" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 7000))
s.listen(512)
held = []
open(sys.argv[1], "w").write("0\n")
while True:
    held.append(s.accept()[0])
    open(sys.argv[1], "w").write("%d\n" % len(held))
PY
done
for ns in zr1 zr2; do
	eventually_eq "the holder in $ns listens" 10 1 \
		ss_count "$ns" state listening sport = :7000
done

# the client: 200 IPv4 connections from ports 20000-20199, one IPv6 from
# 21000 and one to the plain service from 22000, all held open
ip netns exec zc python3 - "$VIP" "$VIP6" > /tmp/client.out 2>&1 <<'PY' &
import socket, sys, time
held = []
def conn(fam, dst, port, sport):
    s = socket.socket(fam)
    s.settimeout(20)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
    s.connect((dst, port))
    held.append(s)
for i in range(200):
    conn(socket.AF_INET, sys.argv[1], 7000, 20000 + i)
conn(socket.AF_INET6, sys.argv[2], 7000, 21000)
conn(socket.AF_INET, sys.argv[1], 7001, 22000)
print("connected", len(held), flush=True)
time.sleep(600)
PY
client=$!
eventually_eq "the client connected all 202" 60 "connected 202" head -1 /tmp/client.out
held() { echo $(($(cat /tmp/held-zr1) + $(cat /tmp/held-zr2))); }
eventually_eq "the servers accepted all 202" 20 202 held

# 2. what the listing says
lb cat "$LIST" > /tmp/list.cat
expect_eq "header" "$(head -1 /tmp/list.cat | awk '{ print $1, $2, $3, $4, $5, $6 }')" \
	"Client Virtual Server State Expires Offset"
expect_eq "entries listed (IPv4 and IPv6 zwin connections)" \
	"$(tail -n +2 /tmp/list.cat | wc -l)" 201
expect_eq "each client port listed once" \
	"$(tail -n +2 /tmp/list.cat | awk '{ print $1 }' | sort -u | wc -l)" 201
expect_eq "every entry ESTABLISHED" \
	"$(tail -n +2 /tmp/list.cat | awk '$4 == "ESTABLISHED"' | wc -l)" 201
expect_eq "the plain service's connection is not listed" \
	"$(grep -c ':22000 ' /tmp/list.cat || true)" 0
expect_eq "the listing agrees with the entries gauge" "$(zstat zlb entries)" 201
to=$(lb ipvsadm -L --timeout | awk '{ print $5 }' | tr -d ,)
expect_ge "IPVS's ESTABLISHED timeout read" "$to" 1
expect_eq "every timer within IPVS's timeout + 10 s and running" \
	"$(tail -n +2 /tmp/list.cat | awk -v m=$((to + 10)) '$5 > 0 && $5 <= m' | wc -l)" 201
line=$(grep "^$CIP:20000 " /tmp/list.cat || true)
ipvs=$(lb ipvsadm -Lnc | awk -v c="$CIP:20000" '$4 == c { print $5, $6 }')
expect_eq "client port 20000: virtual and server as IPVS has them" \
	"$(awk '{ print $2, $3 }' <<< "$line")" "$ipvs"
check "client port 20000's server is a real server" \
	grep -Eq "^$VIP:7000 ($RS1|$RS2):7000\$" <<< "$ipvs"
expect_eq "the IPv6 connection" \
	"$(grep "^\[$CIP6\]:21000 " /tmp/list.cat | awk '{ print $2, $3, $4 }')" \
	"[$VIP6]:7000 [$RS1_6]:7000 ESTABLISHED"

# 3. read in small pieces: the same lines, once each
ip netns exec zlb python3 - "$LIST" > /tmp/list.small <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
out = b""
while True:
    b = os.read(fd, 997)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
PY
expect_eq "997-byte reads list as many lines" "$(wc -l < /tmp/list.small)" 202
expect_eq "997-byte reads list the same entries, once each" \
	"$(awk '{ print $1, $2, $3 }' /tmp/list.small | sort -u | sha256sum)" \
	"$(awk '{ print $1, $2, $3 }' /tmp/list.cat | sort -u | sha256sum)"

# 4. the namespace's root only
check "an unprivileged user cannot read it" \
	bash -c "! ip netns exec zlb setpriv --reuid=65534 --regid=65534 --clear-groups cat $LIST 2>/dev/null"
expect_eq "file mode" "$(ip netns exec zlb stat -c %a "$LIST")" 400

kill "$client"
wait "$client" 2>/dev/null || true
