#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IBT safety by construction (no CPU here enforces IBT, QEMU/TCG emulates
# none): with a service in place, read from the running kernel how the
# module reaches IPVS's ip_vs_service_find() and fail if any path could be
# an indirect branch (tests/guest/ibt_check.py prints the target's first
# bytes and whether ip_vs.ko has its ENDBR64 sealed). Then prove that the
# lookup so reached works: a SYN to the zwin service gets the proxy's
# SYN-ACK.
#
#   host: ip_vs, ip_vs_zwin, one zwin service (no traffic needed for the
#   memory check); zc -> zlb for the SYN.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
ipvs_nat_service --pe zwin
check "ip_vs_zwin loaded by IPVS for --pe zwin" module_loaded
host python3 "$ZWIN_GUEST/ibt_check.py" ip_vs_zwin ip_vs_service_find ||
	fail "the lookup is reachable by an indirect branch (see above)"
echo "ok: ip_vs_service_find() is reached by direct branches only"

before=$(zstat zlb syn_zwin)
got=$(get 1)
expect_eq "a request through the looked-up service is served" \
	"$(echo "$got" | grep -c '^zr')" 1
expect_ge "its SYN was classified through the static call" \
	"$(zstat zlb syn_zwin)" $((before + 1))
