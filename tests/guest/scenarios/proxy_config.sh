#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration changes under traffic. Each phase starts a slow 20 MiB
# download (3 MB/s, ~7 s) and changes the configuration while it runs:
#   1. proxied: both real servers set to weight 0, zwin_enable and other
#      sysctls flipped, the PE removed with ipvsadm -E: the download goes
#      on byte-identical;
#   2. plain IPVS: the PE added with ipvsadm -E: the old connection goes
#      on untouched, new ones are proxied;
#   3. proxied: the service deleted, then its real servers removed, then
#      every service removed (IPVS unhooks): IPVS marks the servers
#      unavailable and drops their packets (the connection hangs, as
#      without the proxy) unless expire_nodest_conn=1, set here, makes it
#      forget the connection; the client's next segment then meets the
#      proxy, which resets both sides at their own sequence numbers (curl
#      sees a reset, and what arrived is a prefix of the file);
#   4. the balancer's network namespace deleted with a proxied connection
#      (its handshake counted as established) in flight: the client is
#      left waiting with a prefix of the file, no oops, no leak, and the
#      module unloads afterwards.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
add_dest_files
ipvs_nat_service --pe zwin
# a second service, so that deleting the first leaves IPVS's hooks in place
lb ipvsadm -A -t "$VIP:8080" -s rr
lb ipvsadm -a -t "$VIP:8080" -r "$RS1:80" -m

# slow FILE: starts a 3 MB/s download of 20m into FILE in the background
# and returns once 1 MiB of it arrived
slow() {
	rm -f "$1"
	ip netns exec zc curl -sS --max-time 60 --limit-rate 3m -o "$1" \
		"http://$VIP/20m" 2> "$1.err" &
	dl=$!
	eventually "the download into $1 is under way (1 MiB arrived)" 10 \
		size_ge "$1" 1048576
}
# finished FILE WHAT: the download into FILE completed and is intact
finished() {
	local got
	wait "$dl" || { cat "$1.err"; fail "$2: the download failed"; }
	got=$(sha256sum < "$1")
	check "$2: the download is byte-identical" test "$got" = \
		"$(sha256sum < /tmp/www-zr1/20m)" -o "$got" = "$(sha256sum < /tmp/www-zr2/20m)"
}

# 1.
slow /tmp/d1
check "phase 1 is proxied" test "$(zstat zlb entries)" -ge 1
lb ipvsadm -e -t "$VIP:80" -r "$RS1:80" -m -w 0
lb ipvsadm -e -t "$VIP:80" -r "$RS2:80" -m -w 0
lb sysctl -qw net.ipv4.vs.zwin_enable=0
lb sysctl -qw net.ipv4.vs.zwin_mss=1200 net.ipv4.vs.zwin_wscale=2 \
	net.ipv4.vs.zwin_timestamps=0 net.ipv4.vs.zwin_ack_storm=0
lb sysctl -qw net.ipv4.vs.zwin_enable=1
lb ipvsadm -E -t "$VIP:80" -s rr
finished /tmp/d1 "weight 0, sysctls changed, PE removed"
lb sysctl -qw net.ipv4.vs.zwin_mss=1460 net.ipv4.vs.zwin_wscale=7 \
	net.ipv4.vs.zwin_timestamps=1 net.ipv4.vs.zwin_ack_storm=1000
lb ipvsadm -e -t "$VIP:80" -r "$RS1:80" -m -w 1
lb ipvsadm -e -t "$VIP:80" -r "$RS2:80" -m -w 1
sent=$(zstat zlb synack_sent)
expect_eq "without the PE, clients are served" "$(get 2 | grep -c '^zr')" 2
expect_eq "and not proxied" "$(zstat zlb synack_sent)" "$sent"

# 2.
slow /tmp/d2
lb ipvsadm -E -t "$VIP:80" -s rr --pe zwin
finished /tmp/d2 "PE added under a plain connection"
check "the plain connection's segments were let through (ipvs_conn $(zstat zlb ipvs_conn))" \
	test "$(zstat zlb ipvs_conn)" -ge 1
expect_eq "with the PE back, clients are served" "$(get 2 | grep -c '^zr')" 2
expect_eq "and proxied" "$(zstat zlb synack_sent)" "$((sent + 2))"

# 3.
# reset_prefix FILE WHAT: the download into FILE was reset, its bytes a
# prefix of the file
reset_prefix() {
	local rc=0 size
	wait "$dl" || rc=$?
	expect_eq "$2: the client was reset (curl exit code)" "$rc" 56
	eventually_eq "$2: the server's socket is gone" 5 0 server_socks
	size=$(stat -c %s "$1")
	check "$2: the $size bytes received are a prefix of a server's file" \
		bash -c "cmp -s -n $size $1 /tmp/www-zr1/20m || cmp -s -n $size $1 /tmp/www-zr2/20m"
}
lb sysctl -qw net.ipv4.vs.expire_nodest_conn=1
slow /tmp/d3
lb ipvsadm -D -t "$VIP:80"
reset_prefix /tmp/d3 "service deleted"
expect_eq "counted (orphaned)" "$(zstat zlb orphaned)" 1
ipvs_nat_service --pe zwin
slow /tmp/d4
lb ipvsadm -d -t "$VIP:80" -r "$RS1:80"
lb ipvsadm -d -t "$VIP:80" -r "$RS2:80"
reset_prefix /tmp/d4 "real servers removed"
expect_eq "counted (orphaned)" "$(zstat zlb orphaned)" 2
lb ipvsadm -a -t "$VIP:80" -r "$RS1:80" -m
lb ipvsadm -a -t "$VIP:80" -r "$RS2:80" -m
slow /tmp/d5
lb ipvsadm -C
reset_prefix /tmp/d5 "every service removed"
expect_eq "counted (orphaned)" "$(zstat zlb orphaned)" 3
check "the reset connections left nothing in the handshake" \
	test "$(zstat zlb server_timeout)" -eq 0

# 4. (the earlier phases' connections linger in the table: count the
# handshakes instead)
ipvs_nat_service --pe zwin
est=$(zstat zlb established)
slow /tmp/d6
expect_eq "phase 4 is proxied (established)" "$(zstat zlb established)" $((est + 1))
check "the download is still running when the namespace goes" kill -0 "$dl"
host ip netns del zlb
# the links went with the namespace: the client's connection can only
# hang now (its curl would give up after 60 s)
check "the client's curl is left waiting" kill -0 "$dl"
kill "$dl"
rc=0
wait "$dl" || rc=$?
expect_eq "it ended by our SIGTERM, not by a reset or its end" "$rc" 143
size=$(stat -c %s /tmp/d6)
check "the $size bytes received are a prefix of a server's file" \
	bash -c "cmp -s -n $size /tmp/d6 /tmp/www-zr1/20m || cmp -s -n $size /tmp/d6 /tmp/www-zr2/20m"
check "the module unloads once the namespace is gone" unload_eventually
check "no entry leaked, no error logged" \
	bash -c "! dmesg | grep -Eq 'leaked|BUG|WARNING|Oops'"
