#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# keepalived (Debian's package) runs the balancer from the example in
# Documentation/examples/keepalived-zwin.conf, unchanged: VIP:80 persistent
# with persistence_engine zwin, VIP:8080 plain. The first is proxied at
# once; the second once zwin_enable=2 proxies every NAT service of the
# namespace. Clients are served throughout.
. "$(dirname "$0")/../lib.sh"
set -e

conf=$ZWIN_GUEST/../../Documentation/examples/keepalived-zwin.conf
topo_up
lb keepalived --dont-fork --log-console --use-file "$conf" \
	--pid /tmp/ka.pid --checkers_pid /tmp/ka-c.pid --vrrp_pid /tmp/ka-v.pid \
	> /tmp/keepalived.log 2>&1 &
ka=$!
# wait for both services, each with its two real servers (health checks)
eventually_eq "keepalived set up both services with both servers" 30 4 \
	bash -c "ip netns exec zlb ipvsadm -Ln | grep -c -- '-> 198.51.100'"
saved=$(ip netns exec zlb ipvsadm -S -n)
echo "$saved"
check "VIP:80 carries the zwin PE, persistent" \
	grep -Eq -- "-A -t $VIP:80 -s rr -p 60 .*--pe zwin" <<< "$saved"
check "VIP:8080 has no PE" bash -c "! grep -q -- '-A -t $VIP:8080 .*--pe' <<< '$saved'"
check "IPVS loaded the module for keepalived" module_loaded

# 1. zwin_enable=1 (default): VIP:80 proxied, VIP:8080 plain
sent=$(zstat zlb synack_sent)
expect_eq "clients of VIP:80 are served" \
	"$(for i in 1 2 3; do ip netns exec zc curl -sS --max-time 5 "http://$VIP/"; done | grep -c '^zr')" 3
expect_eq "through the proxy" "$(zstat zlb synack_sent)" "$((sent + 3))"
expect_eq "clients of VIP:8080 are served" \
	"$(for i in 1 2 3; do ip netns exec zc curl -sS --max-time 5 "http://$VIP:8080/"; done | grep -c '^zr')" 3
expect_eq "not through the proxy" "$(zstat zlb synack_sent)" "$((sent + 3))"

# 2. zwin_enable=2: every NAT service of the namespace
lb sysctl -qw net.ipv4.vs.zwin_enable=2
expect_eq "clients of VIP:8080 are served" \
	"$(for i in 1 2 3; do ip netns exec zc curl -sS --max-time 5 "http://$VIP:8080/"; done | grep -c '^zr')" 3
expect_eq "now through the proxy" "$(zstat zlb synack_sent)" "$((sent + 6))"

# keepalived stops on SIGTERM and removes the services it made (with
# lvs_flush_onstop it would flush all of IPVS). (The module stays in use
# until VIP:80's persistence templates expire.)
# ($ka is the shell running it; keepalived's own pid is in its pid file)
check "keepalived wrote its pid file" test -s /tmp/ka.pid
kill "$(cat /tmp/ka.pid)"
eventually "keepalived and its checker and VRRP children exited" 15 \
	bash -c '! pgrep -x keepalived'
wait "$ka" || true
expect_eq "it removed its services from IPVS" \
	"$(ip netns exec zlb ipvsadm -S -n | grep -c -- '^-A')" 0
