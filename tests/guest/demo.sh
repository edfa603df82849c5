#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo, inside the guest: a client, a balancer, two real servers and
# an attacker (tests/guest/lib.sh). A service enabled with stock ipvsadm
# --pe zwin; a client requesting a page five times a second throughout; a
# spoofed SYN flood (hping3 --flood --rand-source) in the middle. Once a
# second a line shows the flood's SYNs reaching the balancer, the
# zero-window SYN-ACKs it sends, the SYNs reaching the real servers and
# the client requests served; the timeline is kept in
# /zwin-out/demo-timeline.csv (scripts/demo.sh draws it as a PNG).
. "$(dirname "$0")/lib.sh"

QUIET=${ZWIN_DEMO_QUIET:-4}	# seconds before and after the flood
FLOOD=${ZWIN_DEMO_FLOOD:-10}	# seconds of flood

banner() { printf '\n=== %s\n' "$*"; }

banner "topology (see tests/guest/lib.sh): client zc, balancer zlb, servers zr1 zr2, attacker za"
topo_up
count_server_syns

banner "enable the proxy on VIP $VIP:80 with stock ipvsadm"
ipvs_nat_service --pe zwin
check "IPVS loaded ip_vs_zwin on its own" module_loaded
lb ipvsadm -S -n

# The client: a request every 0.2 s, one line per outcome.
: > /tmp/clients.log
(
	while :; do
		if body=$(ip netns exec zc curl -sS --max-time 5 "http://$VIP/" 2> /dev/null) &&
			[ "${body#zr}" != "$body" ]; then
			echo ok >> /tmp/clients.log
		else
			echo fail >> /tmp/clients.log
		fi
		sleep 0.2
	done
) &
client=$!

csv=/zwin-out/demo-timeline.csv
echo "t,phase,syn_in_per_s,synack_out_per_s,unroutable_per_s,server_syns_per_s,served_per_s,failed_per_s,entries" > "$csv"
banner "live, per second (the flood runs from t=$QUIET s for $FLOOD s)"
fmt='%5s %-6s %10s %14s %11s %14s %7s %7s %8s\n'
# shellcheck disable=SC2059
printf "$fmt" t phase "SYNs in/s" "SYN-ACKs out/s" "unroutable" "server SYNs/s" \
	served failed entries
# snapshot: "syn synack unroutable server_syns ok failed entries", with
# few processes (sampling competes with the flood for the guest's cpus)
snapshot() {
	ip netns exec zlb awk '
		function hex(h,   i, n) {
			for (i = 1; i <= length(h); i++)
				n = n * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
			return n
		}
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		{ s += hex($col["syn_seen"]); a += hex($col["synack_sent"])
		  x += hex($col["xmit_fail"]); e = hex($col["entries"]) }
		END { printf "%d %d %d ", s, a, x; printf "%d", e > "/tmp/entries" }' \
		/proc/net/stat/ip_vs_zwin
	echo "$(server_syns) $(grep -c '^ok' /tmp/clients.log)" \
		"$(grep -c '^fail' /tmp/clients.log)"
}
t0=$(date +%s.%N)
prev=$(snapshot) tprev=$t0 flood=
while :; do
	sleep 1
	now=$(date +%s.%N)
	t=$(awk -v a="$now" -v b="$t0" 'BEGIN { printf "%.1f", a - b }')
	if [ -z "$flood" ] && awk -v t="$t" -v q="$QUIET" 'BEGIN { exit !(t >= q) }'; then
		ip netns exec za timeout "$FLOOD" hping3 --flood --rand-source -S \
			-p 80 "$VIP" > /tmp/hping.log 2>&1 &
		flood=$!
	fi
	phase=quiet
	[ -n "$flood" ] && kill -0 "$flood" 2> /dev/null && phase=flood
	cur=$(snapshot)
	# per-second rates over the real interval (sampling is slow under TCG)
	read -r -a row <<< "$(awk -v a="$cur" -v b="$prev" -v dt="$(awk -v a="$now" -v b="$tprev" 'BEGIN { print a - b }')" '
		BEGIN { n = split(a, x); split(b, y)
			for (i = 1; i <= n; i++)
				printf (i <= 4 ? "%d " : "%.1f "), (x[i] - y[i]) / dt + (i <= 4) * 0.5 }')"
	row=("$t" "$phase" "${row[@]}" "$(cat /tmp/entries)")
	# shellcheck disable=SC2059
	printf "$fmt" "${row[@]}"
	(IFS=,; echo "${row[*]}") >> "$csv"
	prev=$cur tprev=$now
	[ -n "$flood" ] && ! kill -0 "$flood" 2> /dev/null &&
		awk -v t="$t" -v e="$((2 * QUIET + FLOOD))" 'BEGIN { exit !(t >= e) }' && break
done
kill "$client"
wait "$client" 2> /dev/null
sleep 0.5

banner "ipvs-zwin counters in the balancer: scripts/zwin-stat -n zlb --once"
totals=$(python3 "$ZWIN_GUEST/../../scripts/zwin-stat" -n zlb --once)
echo "$totals"
expect_eq "zwin-stat sums the counters as the proc file has them" \
	"$(awk '$1 == "syn_seen" { print $2 }' <<< "$totals")" "$(zstat zlb syn_seen)"

served=$(grep -c '^ok' /tmp/clients.log)
failed=$(grep -c '^fail' /tmp/clients.log)
flood_syns=$(zstat zlb syn_seen)
banner "summary"
echo "SYNs absorbed by the balancer (flood and clients): $flood_syns," \
	"peak $(awk -F, 'NR > 1 && $3 > m { m = $3 } END { print m + 0 }' "$csv")/s; no state kept: $(zstat zlb synack_sent)" \
	"zero-window SYN-ACKs sent, $(zstat zlb xmit_fail) replies to unroutable" \
	"spoofed sources dropped at route lookup"
echo "SYNs that reached the real servers: $(server_syns)" \
	"(all sent by the proxy for clients that completed their handshake:" \
	"$(zstat zlb established) connections)"
echo "client requests: $served served, $failed failed"
echo "timeline: $csv"
expect_ge "the flood was absorbed" "$flood_syns" 1000
expect_eq "the servers saw only the proxy's SYNs (server_syn)" "$(server_syns)" "$(zstat zlb server_syn)"
expect_eq "no client request failed" "$failed" 0
expect_ge "clients were served throughout" "$served" $((2 * QUIET))
check "clients were served during the flood" \
	awk -F, '$2 == "flood" && $7 > 0 { n++ } END { exit !(n > 0) }' "$csv"
