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

# keepalived stops on SIGTERM (it leaves its services in IPVS unless
# told to flush them: lvs_flush_onstop)
kill "$ka"
wait "$ka" || true
check "keepalived stopped" bash -c "! kill -0 $ka 2> /dev/null"
check "it left its services in IPVS" grep -q -- "-A -t $VIP:80 .*--pe zwin" \
	<<< "$(ip netns exec zlb ipvsadm -S -n)"
sent=$(zstat zlb synack_sent)
expect_eq "a client of VIP:80 is still served" \
	"$(ip netns exec zc curl -sS --max-time 5 "http://$VIP/" | grep -c '^zr')" 1
expect_ge "through the proxy" "$(zstat zlb synack_sent)" $((sent + 1))
