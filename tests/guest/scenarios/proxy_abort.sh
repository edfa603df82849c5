#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile and disruptive cases: an ACK flood with random sequence numbers
# is rejected by the cookie check and pushes nothing to the real servers;
# zwin_max_pending bounds server connects in progress; unloading the
# module under traffic resets the proxied connection definitely (both
# ends), never leaving it to run on with untranslated sequence numbers.
. "$(dirname "$0")/../lib.sh"

topo_up
add_dest_files
ipvs_nat_service --pe zwin
count_server_syns
get 1 > /dev/null	# a SYN-ACK was sent: cookies are being checked

# 1. 5000 ACKs with random sequence and acknowledgment numbers.
syns=$(server_syns)
att python3 - "$VIP" <<'PY'
import random, sys
from scapy.all import IP, TCP, send, conf
conf.verb = 0
send([IP(dst=sys.argv[1]) / TCP(sport=random.randrange(1024, 65535),
                                 dport=80, flags="A",
                                 seq=random.randrange(1 << 32),
                                 ack=random.randrange(1 << 32))
      for _ in range(5000)])
PY
sleep 1
expect_ge "random ACKs rejected by the cookie check" "$(zstat zlb cookie_invalid)" 4900
expect_eq "no server SYN from the ACK flood" "$(server_syns)" "$syns"

# 2. No server connect may start beyond zwin_max_pending.
lb sysctl -qw net.ipv4.vs.zwin_max_pending=0
check "a client is reset when too many connects are pending" \
	bash -c "! ip netns exec zc curl -s --max-time 5 http://$VIP/ > /dev/null"
expect_eq "pending_full counted" "$(zstat zlb pending_full)" 1
lb sysctl -qw net.ipv4.vs.zwin_max_pending=4096
expect_eq "served again" "$(get 1 | grep -c "^zr")" 1

# 3. Unload under traffic: a slow 20 MiB download, then ipvsadm -C and
# rmmod. The client must see a reset, and what it got must be a prefix of
# the file (nothing corrupted).
ip netns exec zc curl -sS --max-time 120 --limit-rate 500k -o /tmp/partial \
	"http://$VIP/20m" 2> /tmp/curl.err &
dl=$!
sleep 3
lb ipvsadm -C
t0=$(date +%s)
check "rmmod with a proxied connection in flight" rmmod ip_vs_zwin
t1=$(date +%s)
# The reset is taken at once: the client's socket leaves ESTABLISHED now,
# though curl, reading at 500 kB/s, drains its receive queue first.
eventually_eq "the client's socket took the reset within 3 s" 3 0 \
	ss_count zc state established dst "$VIP"
wait "$dl"
rc=$?
t2=$(date +%s)
cat /tmp/curl.err
echo "rmmod took $((t1 - t0)) s; the client saw the end $((t2 - t1)) s later"
# 56: reset by peer (28 would be curl's own timeout: a hung connection)
expect_eq "the client's download was reset (curl exit code)" "$rc" 56
size=$(stat -c %s /tmp/partial)
check "the $size bytes received are a prefix of a server's file" \
	bash -c "cmp -s -n $size /tmp/partial /tmp/www-zr1/20m || cmp -s -n $size /tmp/partial /tmp/www-zr2/20m"
check "the kernel logged no error" bash -c "! dmesg | grep -Eq 'BUG|WARNING|Oops'"
