#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# zwin-clock: warp
#
# The timers of minutes, end to end (scripts/guest.sh boots scenarios
# marked "zwin-clock: warp" in a guest whose clock skips idle time, QEMU
# -icount sleep=off, so that they cost seconds; elsewhere they take
# their 130 s):
#
#   zc (curl; scapy: tests/guest/knobs.py) -- zlb (IPVS NAT, zwin) -- zr1, zr2
#
# 1. A connection closed by FINs both ways: IPVS holds it in TIME_WAIT for
#    its fixed 120 s; the proxy's entry outlives IPVS's by 10 s, then goes.
# 2. A cookie made in one 64-s period is taken in the next and refused in
#    the one after (cookie_invalid, no SYN to a server), though a SYN-ACK
#    was sent within the last 130 s (so the ACK is checked at all).
# Both run at once, on the guest's clock.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
ipvs_nat_service --pe zwin
count_server_syns
scapy_client
LIST=/proc/net/ip_vs_zwin_conn
now() { cut -d. -f1 /proc/uptime; }
# sleep_until T: until the guest's uptime is T seconds
sleep_until() {
	local d=$(($1 - $(now)))
	[ "$d" -le 0 ] || sleep "$d"
}

# 1. A request, closed by both sides.
expect_eq "a request served" "$(get 1 | grep -c '^zr')" 1
t_close=$(now)
read -r cl st exp <<< "$(ip netns exec zlb awk 'NR > 1 { print $1, $4, $5 }' "$LIST")"
expect_eq "its entry (the only one): closed both ways" "$st" CLOSING
ipvs_exp=$(ip netns exec zlb ipvsadm -Lnc | awk '$3 == "TIME_WAIT" { split($2, t, ":"); print t[1] * 60 + t[2] }')
check "IPVS holds it in TIME_WAIT for about 120 s ($ipvs_exp)" \
	test "${ipvs_exp:-0}" -ge 110 -a "${ipvs_exp:-0}" -le 120
check "the entry's timer is IPVS's + 10 s ($exp)" \
	test "$exp" -ge $((ipvs_exp + 8)) -a "$exp" -le $((ipvs_exp + 11))

# 2. Cookies, in the background on the same clock.
ip netns exec zc python3 - "$VIP" "$ZWIN_GUEST" > /tmp/cookies.out 2>&1 <<'PY' &
import sys, time
sys.path.insert(0, sys.argv[2])
from knobs import IP, TCP, exchange

vip = sys.argv[1]
def period():
    return int(float(open("/proc/uptime").read().split()[0]) // 64)
def syn(sport):
    return exchange(IP(dst=vip) / TCP(sport=sport, dport=80, flags="S",
                    seq=1000, options=[("MSS", 1460)]), vip, 80, sport, 5)
def ack(sport, sa, timeout):
    return exchange(IP(dst=vip) / TCP(sport=sport, dport=80, flags="A",
                    seq=1001, ack=sa.seq + 1), vip, 80, sport, timeout)
def until(p):
    while period() < p:
        time.sleep(max(0.5, p * 64 + 1 - float(open("/proc/uptime").read().split()[0])))
while True:
    p0 = period()
    a1, a2 = syn(41001), syn(41002)
    if period() == p0:
        break
print("synacks", a1 is not None and a1.window == 0, a2 is not None and a2.window == 0)
until(p0 + 1)
r = ack(41001, a1, 5)
print("next period:", "reopen" if r is not None and r.seq == a1.seq + 1 and r.window > 0 else r)
until(p0 + 2)
fresh = syn(41003)    # a SYN-ACK within 130 s: ACKs are checked
r = ack(41002, a2, 3)
print("period after:", "nothing" if r is None else r.summary())
print("done", flush=True)
PY
cookies=$!

# 1, continued: IPVS forgets the connection first, the proxy 10 s later.
sleep_until $((t_close + ipvs_exp))
ipvs_gone() { ! ip netns exec zlb ipvsadm -Lnc | grep -q TIME_WAIT; }
eventually "IPVS forgot it after its TIME_WAIT" 8 ipvs_gone
read -r srv st <<< "$(ip netns exec zlb awk -v c="$cl" '$1 == c { print $3, $4 }' "$LIST")"
expect_eq "the proxy's entry is still there, its server forgotten" "$srv $st" "- CLOSING"
# due at t_close + exp; a timer this long may run up to 1/8 late (the
# timer wheel's granularity)
sleep_until $((t_close + exp))
gone() { ! ip netns exec zlb awk -v c="$cl" '$1 == c' "$LIST" | grep -q .; }
eventually "then the entry is gone too (within 130/8 s)" 17 gone
echo "$cl closed at $t_close s, IPVS's TIME_WAIT $ipvs_exp s, entry $exp s; now $(now) s"

# 2, continued.
wait "$cookies" || { cat /tmp/cookies.out; fail "the cookie client failed"; }
cat /tmp/cookies.out
expect_eq "two zero-window SYN-ACKs" "$(grep '^synacks' /tmp/cookies.out)" "synacks True True"
expect_eq "a cookie is taken in the next period: the window reopens" \
	"$(grep '^next period' /tmp/cookies.out)" "next period: reopen"
expect_eq "and refused in the one after: nothing comes back" \
	"$(grep '^period after' /tmp/cookies.out)" "period after: nothing"
expect_eq "cookie_valid: the one taken" "$(zstat zlb cookie_valid)" 2
expect_eq "cookie_invalid: the one refused" "$(zstat zlb cookie_invalid)" 1
expect_eq "server SYNs: the request's and the taken cookie's" "$(server_syns)" 2
