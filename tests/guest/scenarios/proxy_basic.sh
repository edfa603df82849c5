#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The zero-window SYN proxy on an IPv4 NAT service, end to end: curl
# downloads and socket uploads through the VIP arrive byte-identical, both
# real servers are scheduled by IPVS, and the counters account for every
# handshake.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
for ns in zr1 zr2; do
	head -c 1048576 /dev/urandom > "/tmp/www-$ns/1m"
	head -c 20971520 /dev/urandom > "/tmp/www-$ns/20m"
	ip netns exec "$ns" python3 "$ZWIN_GUEST/tcp_sink.py" serve 9000 &
done
ipvs_nat_service --pe zwin
lb ipvsadm -A -t "$VIP:9000" -s rr --pe zwin
lb ipvsadm -a -t "$VIP:9000" -r "$RS1:9000" -m
lb ipvsadm -a -t "$VIP:9000" -r "$RS2:9000" -m
wait_listen zr1 9000
wait_listen zr2 9000

bodies=$(get 4)
echo "$bodies"
expect_eq "small requests served by both servers" \
	"$(sort -u <<< "$bodies" | tr '\n' ' ')" "zr1 zr2 "

for f in 1m 20m; do
	for i in 1 2; do
		c curl -sS --max-time 120 -o "/tmp/got-$f-$i" "http://$VIP/$f" ||
			fail "download $f ($i)"
	done
	want1=$(sha256sum < /tmp/www-zr1/$f) want2=$(sha256sum < /tmp/www-zr2/$f)
	for i in 1 2; do
		got=$(sha256sum < "/tmp/got-$f-$i")
		check "download $f ($i) is byte-identical to a server's file" \
			test "$got" = "$want1" -o "$got" = "$want2"
	done
done

for i in 1 2; do
	out=$(c python3 "$ZWIN_GUEST/tcp_sink.py" send "$VIP" 9000 6000000) ||
		fail "upload of 6 MB ($i): the connection failed"
	echo "$out"
	upload_check "upload of 6 MB ($i)" 6000000 "$out"
done

lb cat /proc/net/stat/ip_vs_zwin
expect_ge "SYN-ACKs sent" "$(zstat zlb synack_sent)" 10
expect_eq "valid cookies = server SYNs" "$(zstat zlb cookie_valid)" \
	"$(zstat zlb server_syn)"
expect_eq "handshakes completed = window reopens" "$(zstat zlb established)" \
	"$(zstat zlb window_open)"
expect_ge "handshakes completed" "$(zstat zlb established)" 10
expect_eq "no invalid cookie" "$(zstat zlb cookie_invalid)" 0
expect_ge "client packets translated" "$(zstat zlb to_server)" 200
expect_ge "server packets translated" "$(zstat zlb to_client)" 200

# 20 MiB through the proxy vs plain IPVS NAT (VIP:81, same servers), in
# the same guest, interleaved. Printed, not asserted: TCG timing is noisy.
lb ipvsadm -A -t "$VIP:81" -s rr
lb ipvsadm -a -t "$VIP:81" -r "$RS1:80" -m
lb ipvsadm -a -t "$VIP:81" -r "$RS2:80" -m
tz=0 tp=0
for i in 1 2 3; do
	for port in 80 81; do
		t=$(ip netns exec zc curl -sS -o /dev/null -w '%{time_total}' \
			"http://$VIP:$port/20m") || fail "timed download :$port"
		if [ "$port" = 80 ]; then tz=$(echo "$tz + $t" | bc -l); else tp=$(echo "$tp + $t" | bc -l); fi
	done
done
echo "20 MiB x3: zwin ${tz}s, plain IPVS NAT ${tp}s," \
	"throughput ratio zwin/plain $(echo "scale=3; $tp / $tz" | bc -l)"
