#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# With the module loaded, a service without --pe zwin is plain IPVS NAT:
# clients are served by both real servers, the proxy only counts the SYNs
# as "syn_plain" and never as proxied.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
zwin_load
check "module loaded" module_loaded
ipvs_nat_service

bodies=$(get 6)
echo "$bodies"
expect_eq "requests served by rs1" "$(grep -c '^zr1$' <<< "$bodies")" 3
expect_eq "requests served by rs2" "$(grep -c '^zr2$' <<< "$bodies")" 3
expect_ge "SYNs counted as plain" "$(zstat zlb syn_plain)" 6
expect_eq "SYNs counted as proxied" "$(zstat zlb syn_zwin)" 0
# IPVS publishes its statistics from a timer (every 2 s).
rs_conns() {
	ip netns exec zlb ipvsadm -Ln --stats | awk -v r="$1:80" '$2 == r { print $3 }'
}
eventually_eq "IPVS connections to rs1" 6 3 rs_conns "$RS1"
eventually_eq "IPVS connections to rs2" 6 3 rs_conns "$RS2"
