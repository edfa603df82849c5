#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two active directors with one cluster cookie key
# (net.ipv4.vs.zwin_cookie_key): the client's SYNs go through zlb (A), all
# its other segments through zlb2 (B), as ECMP may split a connection
# after a routing change:
#
#   zc: SYN (mark 1) --> zlb (A): zero-window SYN-ACK, cookie
#       ACK, data    --> zlb2 (B): checks A's cookie, connects the server
#   zr1, zr2 route back through B
#
# With the same key on A and B every handshake completes at B; with
# different keys B refuses A's cookies; a two-step rotation in the middle
# of a stream of handshakes loses none. The key cannot be read back, the
# fingerprints tell whether directors agree.
. "$(dirname "$0")/../lib.sh"
set -e

K1=0123456789abcdef0123456789abcdef
K2=fedcba98-76543210-fedcba98-76543210
topo_up
director2_up
for d in lb lb2; do
	$d ipvsadm -A -t "$VIP:80" -s rr --pe zwin
	$d ipvsadm -a -t "$VIP:80" -r "$RS1:80" -m
	$d ipvsadm -a -t "$VIP:80" -r "$RS2:80" -m
done
# the client: SYNs to A (policy routing on a mangle mark), the rest to B
c iptables -t mangle -A OUTPUT -p tcp --tcp-flags SYN,ACK,RST SYN -j MARK --set-mark 1
c ip rule add fwmark 1 table 100
c ip route add "$VIP/32" via 192.0.2.1 src "$CIP" table 100
route_via zlb2
gets() { ip netns exec zc python3 "$ZWIN_GUEST/tcp_sink.py" gets "$VIP" 80 "$1"; }

# 1. the key: write-only, fingerprinted
key=/proc/sys/net/ipv4/vs/zwin_cookie_key
expect_eq "without a key the fingerprint says so" \
	"$(ip netns exec zlb sysctl -n net.ipv4.vs.zwin_cookie_key_fp)" random
for d in lb lb2; do
	$d sysctl -qw net.ipv4.vs.zwin_cookie_key=$K1
done
fa=$(ip netns exec zlb sysctl -n net.ipv4.vs.zwin_cookie_key_fp)
fb=$(ip netns exec zlb2 sysctl -n net.ipv4.vs.zwin_cookie_key_fp)
check "A's fingerprint is 8 hex digits ($fa)" grep -Eqx '[0-9a-f]{8}' <<< "$fa"
expect_eq "A and B show the same fingerprint" "$fb" "$fa"
expect_eq "the key file is write-only (mode)" "$(ip netns exec zlb stat -c %a $key)" 200
check "root cannot read the key back" bash -c "! ip netns exec zlb cat $key 2> /dev/null"
all=$(ip netns exec zlb sysctl -a 2> /dev/null)
check "sysctl -a lists the fingerprint" grep -q '^net.ipv4.vs.zwin_cookie_key_fp = ' <<< "$all"
check "... but not the key" bash -c "! grep -q '^net.ipv4.vs.zwin_cookie_key ' <<< '$all'"
check "... nor its digits anywhere" bash -c "! grep -qi '0123456789abcdef' <<< '$all'"
check "a malformed key is refused" bash -c \
	"! ip netns exec zlb sysctl -qw net.ipv4.vs.zwin_cookie_key=0123 2> /dev/null"
expect_eq "... and changes nothing" \
	"$(ip netns exec zlb sysctl -n net.ipv4.vs.zwin_cookie_key_fp)" "$fa"

# 2. SYN answered by A, ACK checked by B: served
expect_eq "10 requests, SYNs through A, the rest through B: all served" "$(gets 10)" "10 0"
expect_eq "A answered the SYNs" "$(zstat zlb synack_sent)" 10
expect_eq "A saw no ACK" "$(zstat zlb cookie_valid)$(zstat zlb cookie_invalid)" 00
expect_eq "B sent no SYN-ACK" "$(zstat zlb2 synack_sent)" 0
expect_eq "B accepted A's cookies" "$(zstat zlb2 cookie_valid)" 10
expect_eq "B connected the servers" "$(zstat zlb2 established)" 10
# The client reuses its port at once: A answers the new SYN, B holds the
# old connection closed (for IPVS's TIME_WAIT, 2 minutes) and sees only
# the ACK; its valid cookie replaces the old connection.
expect_eq "3 requests from one client port: all served" \
	"$(ip netns exec zc python3 "$ZWIN_GUEST/tcp_sink.py" reuse "$VIP" 80 40000 3)" "3 0"
expect_eq "B replaced the closed connection twice (ack_reuse)" "$(zstat zlb2 ack_reuse)" 2
expect_eq "... and connected the servers for them" "$(zstat zlb2 established)" 13

# 3. different keys: B refuses A's cookies, as without a cluster key
lb2 sysctl -qw net.ipv4.vs.zwin_cookie_key=$K2
check "the fingerprints differ" test "$(ip netns exec zlb2 sysctl -n net.ipv4.vs.zwin_cookie_key_fp)" != "$fa"
expect_eq "with different keys no request is served" "$(gets 2)" "0 2"
expect_ge "B refused the ACKs" "$(zstat zlb2 cookie_invalid)" 2
expect_eq "and connected no server" "$(zstat zlb2 established)" 13

# 4. rotation K2 -> K1 during a stream of handshakes: first every
# director accepts the new key ("OLD,NEW"), then every director makes
# cookies with it ("NEW,OLD"), then the old one goes. A pause between
# the directors stands for the operator's loop over them.
lb sysctl -qw net.ipv4.vs.zwin_cookie_key=$K2
refused=$(zstat zlb2 cookie_invalid)
rm -f /tmp/rot.stop
ip netns exec zc python3 "$ZWIN_GUEST/tcp_sink.py" gets "$VIP" 80 100000 \
	/tmp/rot.stop > /tmp/rot.out &
stream=$!
sleep 1
for step in "$K2,$K1" "$K1,$K2" "$K1"; do
	lb sysctl -qw net.ipv4.vs.zwin_cookie_key="$step"
	sleep 1
	lb2 sysctl -qw net.ipv4.vs.zwin_cookie_key="$step"
	sleep 1
done
touch /tmp/rot.stop
wait "$stream"
read -r served failed < /tmp/rot.out
expect_ge "a stream of requests across the rotation" "$served" 50
# A handshake the rotation loses is an ACK B refuses; and none of the
# requests may fail (the client's ports come round again: section 2).
expect_eq "B refused no ACK during the rotation" "$(zstat zlb2 cookie_invalid)" "$refused"
expect_eq "... and every request was served" "$failed" 0
expect_ge "some were answered by A with K1 while B still made K2 cookies (cookie_prev)" \
	"$(zstat zlb2 cookie_prev)" 1
expect_eq "after the rotation A and B agree again" \
	"$(ip netns exec zlb2 sysctl -n net.ipv4.vs.zwin_cookie_key_fp)" "$fa"
expect_eq "back to K1 alone: served" "$(gets 3)" "3 0"

# 5. "random": back to a key of the namespace's own
lb2 sysctl -qw net.ipv4.vs.zwin_cookie_key=random
expect_eq "with B's own key A's cookies fail again" "$(gets 1)" "0 1"
