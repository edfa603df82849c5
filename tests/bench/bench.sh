# SPDX-License-Identifier: GPL-2.0
#
# make bench, guest side. Sourced by tests/guest/bench.sh after
# tests/guest/lib.sh (topology: client zc, balancer zlb with the VIP,
# servers zr1 zr2, attacker za). Runs ROUNDS rounds; in each, the variants
# of a measurement run one after the other (interleaved, their order
# rotated from round to round) so that a slow spell of the shared machine
# hits every variant alike. Raw figures go to /zwin-out/bench.csv as
# "section,variant,round,metric,value"; scripts/bench.sh and
# scripts/bench-report.py turn them into ratios. Nothing here fails on
# speed: a measurement that breaks is logged and left out.
#
# Settings come from $ZWIN_CACHE/bench/guest-<release>/settings, written by
# scripts/bench.sh (the guest finds ZWIN_CACHE through the zwin.kdir boot
# argument); the flood generator, compiled on the host, sits next to it.

BENCH=$(cd "$ZWIN_GUEST/../bench" && pwd)
CSV=/zwin-out/bench.csv
ROUNDS=5 MEAS=3 TTFB_N=10 MEM_CONNS=10000 QUICK=0 SYNFLOOD=
ONLY="flood tput crate ttfb mem" PROFILE=0 FLOOD_ONLY=

kdir=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^zwin\.kdir=//p')
gdir=${kdir%/kernels/*}/bench/guest-$(uname -r)
# shellcheck disable=SC1091
[ -f "$gdir/settings" ] && . "$gdir/settings"
if [ -x "$gdir/synflood" ]; then
	SYNFLOOD=$gdir/synflood
else
	echo "bench: no host-built synflood in $gdir; compiling it here"
	gcc -O2 -o /tmp/synflood "$BENCH/synflood.c" && SYNFLOOD=/tmp/synflood
fi

note() { printf '\n### %s\n' "$*"; }
row() { echo "$1,$2,$3,$4,$5" >> "$CSV"; }
# rotate ROUND WORDS...: WORDS rotated left by ROUND
rotate() {
	local r=$1
	shift
	local -a w=("$@")
	local n=${#w[@]} i
	for i in $(seq 0 $((n - 1))); do
		printf '%s ' "${w[$(((i + r) % n))]}"
	done
}
ns_stat() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }
# system + softirq jiffies (USER_HZ) of the whole guest
cpu_sys() { awk '$1 == "cpu" { print $4 + $7 + $8 }' /proc/stat; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# Back to a bare balancer: no IPVS service, no iptables or nftables rule,
# no qdisc, no local listener, SYN cookies as by default.
LISTENER=
lb_reset() {
	local t ns dev
	ip netns exec zlb ipvsadm -C 2> /dev/null
	ip netns exec zlb nft delete table inet zwinbench 2> /dev/null
	if [ -n "$LISTENER" ]; then
		kill "$LISTENER" 2> /dev/null
		wait "$LISTENER" 2> /dev/null
		LISTENER=
	fi
	ip netns exec zlb sysctl -qw net.ipv4.tcp_syncookies=1
	ip netns exec zlb sysctl -qw net.ipv4.vs.zwin_synack_direct=1 2> /dev/null
	ip netns exec zlb tc qdisc del dev zlbza clsact 2> /dev/null
	# the XDP variants' programs
	ip netns exec zlb "$ZWIN_XDP" detach zlbza > /dev/null 2>&1
	ip -n zlb link set dev zlbza xdpdrv off 2> /dev/null
	ip -n zlb link set dev zlbza xdpgeneric off 2> /dev/null
	ip -n za link set dev zazlb xdpdrv off 2> /dev/null
	for ns in zlb zc zr1 zr2; do
		for t in raw filter; do
			ip netns exec "$ns" iptables -t "$t" -F 2> /dev/null
		done
	done
	for dev in zczlb:zc zlbzc:zlb zlbzr1:zlb zlbzr2:zlb zr1zlb:zr1 zr2zlb:zr2; do
		ip netns exec "${dev#*:}" tc qdisc del dev "${dev%:*}" root 2> /dev/null
	done
	true
}
unload_module() {
	local i
	for i in $(seq 40); do
		grep -q '^ip_vs_zwin ' /proc/modules || return 0
		modprobe -r ip_vs_zwin 2> /dev/null && return 0
		sleep 0.5
	done
	echo "bench: ip_vs_zwin did not unload"
	return 1
}

: > "$CSV"
{
	echo "kernel $(uname -r)"
	echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "cpus $(nproc)"
	echo "rounds $ROUNDS"
	echo "meas_s $MEAS"
	echo "quick $QUICK"
	echo "mem_conns $MEM_CONNS"
	echo "sections $ONLY"
	echo "profile $PROFILE"
	echo "module $(modinfo -F version ip_vs_zwin 2> /dev/null)"
} > /zwin-out/bench-info.txt
cat /zwin-out/bench-info.txt

topo_up
# The attacker's link: the balancer reaches the spoofed sources
# (10.0.0.0/8) through the attacker, so every SYN-ACK is really built,
# routed and transmitted (the costliest case for the balancer; a blackhole
# route would make it drop them at route lookup). The attacker drops
# what comes back at tc ingress, before its IP stack, and the balancer
# has a fixed neighbour entry for it.
ip -n zlb route add 10.0.0.0/8 via "$AIP"
AMAC=$(ip netns exec za cat /sys/class/net/zazlb/address)
LBMAC=$(ip netns exec zlb cat /sys/class/net/zlbza/address)
ip -n zlb neigh replace "$AIP" lladdr "$AMAC" dev zlbza nud permanent
ip netns exec za tc qdisc add dev zazlb ingress
ip netns exec za tc filter add dev zazlb ingress protocol ip matchall action drop ||
	echo "bench: no tc drop on the attacker's ingress; its stack drops the SYN-ACKs"
ip netns exec zlb modprobe nf_conntrack
ip netns exec zr1 sysctl -qw net.core.somaxconn=4096
ip netns exec zr1 sysctl -qw net.ipv4.tcp_max_syn_backlog=8192
for ns in zr1 zr2; do
	ip netns exec "$ns" iperf3 -s -D -p 5201 > /dev/null 2>&1
done

# --- 1. SYN flood absorption -------------------------------------------
# Each answering variant runs twice: as is, its answers delivered to the
# attacker (the balancer's transmit and, on the same emulated cpus, the
# attacker's receive included), and as VARIANT_own, its answers dropped
# by a tc filter on the balancer's egress to the attacker, where a NIC
# driver would take them: the balancer's own cost. zwin sends its
# SYN-ACKs the short way (the default), zwinrouted through the local
# output path (zwin_synack_direct=0). zwinlegit is zwin under the same
# flood while the client makes connections: how many complete.
# xdp is zwin with the XDP front end (scripts/zwin-xdp) on the attacker's
# side (xdpgeneric: in generic mode), xdpdrop every SYN dropped there by an XDP program, xdpsynproxy the
# kernel's own XDP SYN proxy (its BPF selftest, in front of plain IPVS):
# each counts what the driver sent back (XDP_TX) or dropped, and the
# attacker's veth end has an XDP program too (a veth delivers XDP_TX
# frames at once only then).
FLOOD_VARIANTS="zwin zwin_own zwinrouted zwinrouted_own zwin2cpu zwinlegit"
FLOOD_VARIANTS+=" synproxy synproxy_own nftsynproxy nftsynproxy_own"
FLOOD_VARIANTS+=" kcookie kcookie_own rawdrop"
ZWIN_XDP=$(cd "$ZWIN_GUEST/../.." && pwd)/scripts/zwin-xdp
XTEST=
if [ -n "${ZWIN_XDP_OBJ:-}" ] && [ -f "$ZWIN_XDP_OBJ" ] &&
	mkdir -p /run/ipvs-zwin/bpf && mount -t bpf bpf /run/ipvs-zwin/bpf &&
	bpftool prog loadall "$(dirname "$ZWIN_XDP_OBJ")/xdp_test.bpf.o" \
		/run/ipvs-zwin/bpf/test pinmaps /run/ipvs-zwin/bpf/test-maps; then
	XTEST=/run/ipvs-zwin/bpf/test
	FLOOD_VARIANTS+=" xdp xdpgeneric xdpdrop"
	# the kernel's xdp_synproxy (built by scripts/bench.sh), configured as
	# its loader would: MSS 1460 (IPv6 1440), TTL 64, wscale 7, port 80
	if [ -f "$gdir/xdp_synproxy_kern.o" ] && modprobe nf_conntrack &&
		bpftool prog loadall "$gdir/xdp_synproxy_kern.o" /run/ipvs-zwin/bpf/xsp \
			pinmaps /run/ipvs-zwin/bpf/xsp-maps &&
		bpftool map update pinned /run/ipvs-zwin/bpf/xsp-maps/values key 0 0 0 0 \
			value 0xb4 0x05 0x07 0x40 0xa0 0x05 0x00 0x00 &&
		bpftool map update pinned /run/ipvs-zwin/bpf/xsp-maps/allowed_ports \
			key 0 0 0 0 value 0x50 0x00; then
		FLOOD_VARIANTS+=" xdpsynproxy"
	else
		echo "bench: the kernel's xdp_synproxy did not load: no variant xdpsynproxy"
	fi
else
	echo "bench: no XDP programs (ZWIN_XDP_OBJ='${ZWIN_XDP_OBJ:-}'): no XDP variants"
fi
# FLOOD_ONLY (ZWIN_BENCH_FLOOD): only these of them
if [ -n "$FLOOD_ONLY" ]; then
	FLOOD_VARIANTS=$(for v in $FLOOD_VARIANTS; do
		case " $FLOOD_ONLY " in *" $v "*) echo "$v" ;; esac
	done | tr '\n' ' ')
fi
# xdp_count: what the XDP variant's program handled so far: the frames
# zlbza's driver sent back (XDP_TX less its errors), or xdpdrop's drops
xdp_count() {
	if [ "$1" = xdpgeneric ]; then
		# generic XDP_TX is not in the driver's counts: the program's
		ip netns exec zlb "$ZWIN_XDP" status --json | python3 -c 'import json, sys
print(sum(d["counters"]["xdp_synack"] for d in json.load(sys.stdin)["devices"].values()))'
	elif [ "$1" = xdpdrop ]; then
		bpftool -j map dump pinned "$XTEST/../test-maps/drop_count" 2> /dev/null |
			python3 -c 'import json, sys
print(sum(v["value"] for e in json.load(sys.stdin)
      for v in e.get("formatted", e)["values"]))'
	else
		ip netns exec zlb ethtool -S zlbza |
			awk '/rx_queue_0_xdp_tx:/ { t = $2 } /rx_queue_0_xdp_tx_errors:/ { e = $2 }
			     END { print t - e }'
	fi
}
flood_setup() {
	lb_reset
	case $1 in
	*_own)
		ip netns exec zlb tc qdisc add dev zlbza clsact &&
			ip netns exec zlb tc filter add dev zlbza egress matchall action drop ||
			return ;;
	esac
	case ${1%_own} in
	zwin | zwin2cpu | zwinlegit)
		ipvs_nat_service --pe zwin ;;
	zwinrouted)
		ipvs_nat_service --pe zwin
		lb sysctl -qw net.ipv4.vs.zwin_synack_direct=0 ;;
	synproxy)
		ipvs_nat_service
		lb sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
		lb iptables -t raw -A PREROUTING -p tcp --dport 80 --syn -j CT --notrack
		lb iptables -A INPUT -p tcp --dport 80 -m conntrack \
			--ctstate INVALID,UNTRACKED -j SYNPROXY --sack-perm \
			--timestamp --wscale 7 --mss 1460
		lb iptables -A INPUT -p tcp --dport 80 -m conntrack --ctstate INVALID -j DROP
		;;
	nftsynproxy)
		# the same recipe in nftables (nft_synproxy)
		ipvs_nat_service
		lb sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
		ip netns exec zlb nft -f - <<-'NFT' || return
		table inet zwinbench {
			chain pre {
				type filter hook prerouting priority raw;
				tcp dport 80 tcp flags syn notrack
			}
			chain in {
				type filter hook input priority filter;
				tcp dport 80 ct state invalid,untracked synproxy mss 1460 wscale 7 timestamp sack-perm
				tcp dport 80 ct state invalid drop
			}
		}
		NFT
		;;
	kcookie)
		# the kernel's own SYN cookies: a listener on the balancer,
		# every SYN answered with a cookie (tcp_syncookies=2), no IPVS
		lb sysctl -qw net.ipv4.tcp_syncookies=2
		ip netns exec zlb python3 -c 'import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80))
s.listen(128)
time.sleep(3600)' &
		LISTENER=$!
		for _ in $(seq 50); do
			listening zlb 80 && break
			sleep 0.1
		done
		listening zlb 80 || return
		;;
	rawdrop)
		ipvs_nat_service
		lb iptables -t raw -A PREROUTING -p tcp --dport 80 --syn -j DROP
		;;
	xdp)
		ipvs_nat_service --pe zwin
		ip netns exec za bpftool net attach xdpdrv pinned "$XTEST/xdp_pass" dev zazlb &&
			ip netns exec zlb "$ZWIN_XDP" attach zlbza || return
		;;
	xdpgeneric)
		ipvs_nat_service --pe zwin
		ip netns exec za bpftool net attach xdpdrv pinned "$XTEST/xdp_pass" dev zazlb &&
			ip netns exec zlb "$ZWIN_XDP" attach zlbza --generic || return
		;;
	xdpsynproxy)
		ipvs_nat_service
		ip netns exec za bpftool net attach xdpdrv pinned "$XTEST/xdp_pass" dev zazlb &&
			ip netns exec zlb bpftool net attach xdpdrv pinned \
				/run/ipvs-zwin/bpf/xsp/syncookie_xdp dev zlbza || return
		;;
	xdpdrop)
		ipvs_nat_service --pe zwin
		ip netns exec za bpftool net attach xdpdrv pinned "$XTEST/xdp_pass" dev zazlb &&
			ip netns exec zlb bpftool net attach xdpdrv pinned "$XTEST/xdp_drop_syn" dev zlbza ||
			return
		;;
	esac
}
# flood_gen VARIANT: the flood, "sent N seconds S". A veth delivers on the
# sending cpu, so the balancer's work runs where the generator runs: one
# generator keeps it on one cpu; zwin2cpu runs one pinned to each of the
# first two cpus (the balancer on two cpus) and sums them.
flood_gen() {
	local c out
	if [ "$1" = zwinlegit ]; then
		ip netns exec zc python3 "$BENCH/conns.py" rate "$VIP" 80 "$MEAS" 4 \
			> /tmp/legit.out &
		c=$!
		ip netns exec za "$SYNFLOOD" zazlb "$LBMAC" "$VIP" 80 "$MEAS"
		wait "$c"
		return
	fi
	if [ "$1" != zwin2cpu ]; then
		ip netns exec za "$SYNFLOOD" zazlb "$LBMAC" "$VIP" 80 "$MEAS"
		return
	fi
	for c in 0 1; do
		ip netns exec za taskset -c "$c" "$SYNFLOOD" zazlb "$LBMAC" "$VIP" 80 \
			"$MEAS" > "/tmp/synflood.$c" &
	done
	wait
	awk '{ n++; s += $2; if ($4 > t) t = $4 }
	     END { if (n == 2) printf "sent %d seconds %.3f\n", s, t }' /tmp/synflood.[01]
}
# egress_drops: SYN-ACKs the _own variants' tc filter dropped
egress_drops() {
	ip netns exec zlb tc -s filter show dev zlbza egress |
		awk '/Sent/ { print $4; exit }'
}
flood_run() {
	local v=$1 r=$2 rx0 tx0 cpu0 slab0 rx1 tx1 cpu1 slab1 out sent secs syn0=0 syn1=0
	local own=-1 ok fail lsecs
	flood_setup "$v" > /dev/null 2>&1 || { echo "bench: flood setup $v failed"; return; }
	sleep 0.5
	case $v in zwin*) syn0=$(zstat zlb synack_sent) ;; xdp*) syn0=$(xdp_count "$v") ;; esac
	rx0=$(ns_stat zlb zlbza rx_packets) tx0=$(ns_stat zlb zlbza tx_packets)
	slab0=$(meminfo Slab) cpu0=$(cpu_sys)
	out=$(flood_gen "$v")
	sleep 0.3
	cpu1=$(cpu_sys) slab1=$(meminfo Slab)
	rx1=$(ns_stat zlb zlbza rx_packets) tx1=$(ns_stat zlb zlbza tx_packets)
	case $v in zwin*) syn1=$(zstat zlb synack_sent) ;; xdp*) syn1=$(xdp_count "$v") ;; esac
	case $v in
	xdp*)
		[ -n "$syn0" ] && [ -n "$syn1" ] && [ "$syn1" -gt "$syn0" ] ||
			{ echo "bench: no XDP count for $v ($syn0 -> $syn1)"; return; } ;;
	*_own)
		own=$(egress_drops)
		[ -n "$own" ] || { echo "bench: no egress drop count for $v"; return; } ;;
	esac
	read -r _ sent _ secs <<< "$out"
	[ -n "$secs" ] || { echo "bench: synflood failed: $out"; return; }
	if [ "$v" = zwinlegit ]; then
		read -r _ ok _ fail _ lsecs < /tmp/legit.out
		if [ -n "$lsecs" ] && [ $((ok + fail)) -gt 0 ]; then
			row flood zwinlegit "$r" legit_conns "$((ok + fail))"
			row flood zwinlegit "$r" legit_ok_pct \
				"$(awk -v o="$ok" -v f="$fail" 'BEGIN { printf "%.2f", 100 * o / (o + f) }')"
		else
			echo "bench: the client's connections under the flood failed: $(cat /tmp/legit.out)"
		fi
		echo "flood zwinlegit round $r: client $(cat /tmp/legit.out)"
	fi
	awk -v v="$v" -v r="$r" -v sent="$sent" -v s="$secs" -v rx=$((rx1 - rx0)) \
		-v tx=$((tx1 - tx0)) -v cpu=$((cpu1 - cpu0)) -v slab=$((slab1 - slab0)) \
		-v zs=$((syn1 - syn0)) -v own="$own" 'BEGIN {
		if (rx < 1) rx = 1
		printf "flood,%s,%s,offered_per_s,%.0f\n", v, r, sent / s
		printf "flood,%s,%s,received_per_s,%.0f\n", v, r, rx / s
		printf "flood,%s,%s,synack_per_s,%.0f\n", v, r, tx / s
		# what the balancer got through: its SYN-ACKs (those its
		# egress filter dropped for the _own variants), or for the
		# raw drop the SYNs it took in and dropped
		h = v == "rawdrop" ? rx : v ~ /^xdp/ ? zs : own >= 0 ? own : tx
		printf "flood,%s,%s,handled_per_s,%.0f\n", v, r, h / s
		# XDP frames are not in the veth packet counts
		if (v ~ /^xdp/ && zs > 0) rx = zs
		printf "flood,%s,%s,cpu_us_per_syn,%.3f\n", v, r, cpu * 10000 / rx
		printf "flood,%s,%s,slab_bytes_per_syn,%.4f\n", v, r, slab * 1024 / rx
		if (v ~ /^zwin/)
			printf "flood,%s,%s,zwin_synack_per_s,%.0f\n", v, r, zs / s
	}' >> "$CSV"
	echo "flood $v round $r: sent $sent in ${secs}s, balancer rx $((rx1 - rx0)) tx $((tx1 - tx0)) egress-dropped $own, cpu $((cpu1 - cpu0)) ticks, slab $((slab1 - slab0)) kB"
}

# --- 2. established throughput ----------------------------------------
tput_setup() {
	lb_reset
	case $1 in
	zwin) lb ipvsadm -A -t "$VIP:5201" -s rr --pe zwin ;;
	plain) modprobe ip_vs_zwin; lb ipvsadm -A -t "$VIP:5201" -s rr ;;
	nomod) unload_module; lb ipvsadm -A -t "$VIP:5201" -s rr ;;
	esac
	# one server: iperf3's control and data connections must meet
	lb ipvsadm -a -t "$VIP:5201" -r "$RS1:5201" -m
}
tput_run() {
	local v=$1 r=$2 p bps
	tput_setup "$v" > /dev/null 2>&1 || { echo "bench: tput setup $v failed"; return; }
	for p in 1 4; do
		# the first second (slow start, scheduling) is left out
		bps=$(ip netns exec zc iperf3 -c "$VIP" -p 5201 -O 1 -t "$MEAS" -P "$p" -J 2> /dev/null |
			python3 -c 'import json, sys
print("%.0f" % json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' 2> /dev/null)
		if [ -n "$bps" ]; then
			row tput "$v" "$r" "mbit_per_s_P$p" "$(awk -v b="$bps" 'BEGIN { printf "%.1f", b / 1e6 }')"
			echo "tput $v round $r -P $p: $bps bit/s"
		else
			echo "bench: iperf3 $v -P $p failed"
		fi
	done
}

# --- 3. connection rate, time to first byte ---------------------------
http_setup() {
	lb_reset
	case $1 in
	zwin) ipvs_nat_service --pe zwin ;;
	plain) ipvs_nat_service ;;
	esac
}
crate_run() {
	local v=$1 r=$2 out ok fail secs
	http_setup "$v" > /dev/null 2>&1 || { echo "bench: crate setup $v failed"; return; }
	out=$(ip netns exec zc python3 "$BENCH/conns.py" rate "$VIP" 80 "$MEAS" 4)
	read -r _ ok _ fail _ secs <<< "$out"
	[ -n "$secs" ] || { echo "bench: rate $v failed: $out"; return; }
	row crate "$v" "$r" conn_per_s "$(awk -v n="$ok" -v s="$secs" 'BEGIN { printf "%.1f", n / s }')"
	row crate "$v" "$r" failed "$fail"
	echo "crate $v round $r: $out"
}
# netem DELAYED: 5 ms each way (10 ms RTT) on the client link or on both
# server links
netem() {
	local d="delay 5ms"
	if [ "$1" = client ]; then
		ip netns exec zc tc qdisc add dev zczlb root netem $d
		ip netns exec zlb tc qdisc add dev zlbzc root netem $d
	else
		ip netns exec zlb tc qdisc add dev zlbzr1 root netem $d
		ip netns exec zlb tc qdisc add dev zlbzr2 root netem $d
		ip netns exec zr1 tc qdisc add dev zr1zlb root netem $d
		ip netns exec zr2 tc qdisc add dev zr2zlb root netem $d
	fi
}
ttfb_run() {
	local v=$1 r=$2 where med
	for where in client server; do
		http_setup "$v" > /dev/null 2>&1 || { echo "bench: ttfb setup $v failed"; return; }
		netem "$where" || { echo "bench: netem failed"; return; }
		med=$(ip netns exec zc python3 "$BENCH/conns.py" ttfb "$VIP" 80 "$TTFB_N" |
			grep -v fail | sort -n | awk '{ a[NR] = $1 } END {
				if (NR) printf "%.2f", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
		[ -n "$med" ] && row ttfb "$v" "$r" "ms_rtt10_$where" "$med"
		echo "ttfb $v round $r, 10 ms RTT on the $where link(s): median $med ms"
	done
	lb_reset
}

# --- 4. memory of idle proxied connections ----------------------------
mem_run() {
	local v=$1 slab0 sun0 slab1 sun1 res ready=/tmp/hold-ready srv cli i entries e0=0
	lb_reset
	case $v in
	zwin) lb ipvsadm -A -t "$VIP:9100" -s rr --pe zwin ;;
	plain) lb ipvsadm -A -t "$VIP:9100" -s rr ;;
	esac
	lb ipvsadm -a -t "$VIP:9100" -r "$RS1:9100" -m
	ip netns exec zr1 python3 "$BENCH/conns.py" serve 9100 &
	srv=$!
	# connections of the previous variant, reset when their holders were
	# killed, leave IPVS (CLOSE: 10 s) and then the proxy's table (which
	# lags behind IPVS's): wait for both, at most 90 s
	for i in $(seq 180); do
		e0=0
		grep -q '^ip_vs_zwin ' /proc/modules && e0=$(zstat zlb entries 2> /dev/null)
		case $e0 in ''|*[!0-9]*) e0=0 ;; esac
		[ "$(ip netns exec zlb ipvsadm -Lnc 2> /dev/null | wc -l)" -lt 1000 ] &&
			[ "$e0" -lt 1000 ] && break
		sleep 0.5
	done
	sleep 1
	sync
	echo 2 > /proc/sys/vm/drop_caches
	slab0=$(meminfo Slab) sun0=$(meminfo SUnreclaim)
	# entries left by earlier measurements still wait out IPVS's timeouts
	grep -q '^ip_vs_zwin ' /proc/modules && e0=$(zstat zlb entries 2> /dev/null)
	case $e0 in ''|*[!0-9]*) e0=0 ;; esac
	rm -f "$ready"
	ip netns exec zc python3 "$BENCH/conns.py" hold "$VIP" 9100 "$MEM_CONNS" "$ready" &
	cli=$!
	for i in $(seq 600); do
		[ -s "$ready" ] && break
		sleep 0.5
	done
	sleep 2
	echo 2 > /proc/sys/vm/drop_caches
	slab1=$(meminfo Slab) sun1=$(meminfo SUnreclaim)
	res=$(cat "$ready" 2> /dev/null)
	entries=$(zstat zlb entries 2> /dev/null)
	case $entries in ''|*[!0-9]*) entries=0 ;; esac
	entries=$((entries - e0))
	echo "mem $v: $res, entries $entries, Slab $slab0 -> $slab1 kB, SUnreclaim $sun0 -> $sun1 kB"
	row mem "$v" 1 connections "$(echo "$res" | awk '{ print $2 + 0 }')"
	[ "$v" = zwin ] && row mem "$v" 1 zwin_entries "$entries"
	row mem "$v" 1 ipvs_conns "$(ip netns exec zlb ipvsadm -Lnc 2> /dev/null | grep -c ESTABLISHED)"
	awk -v v="$v" -v n="$(echo "$res" | awk '{ print $2 + 0 }')" -v s=$((slab1 - slab0)) \
		-v u=$((sun1 - sun0)) 'BEGIN { if (n < 1) n = 1
		printf "mem,%s,1,slab_bytes_per_conn,%.0f\n", v, s * 1024 / n
		printf "mem,%s,1,sunreclaim_bytes_per_conn,%.0f\n", v, u * 1024 / n }' >> "$CSV"
	if [ "$v" = zwin ] && [ -e /sys/kernel/slab/zwin_conn ]; then
		local d
		d=$(readlink -f /sys/kernel/slab/zwin_conn)
		row mem zwin 1 zwin_conn_object_size "$(cat "$d/object_size")"
		row mem zwin 1 zwin_conn_slab_size "$(cat "$d/slab_size")"
		row mem zwin 1 zwin_conn_aliases "$(cat "$d/aliases" 2> /dev/null || echo 0)"
		echo "zwin_conn cache: $d (object_size $(cat "$d/object_size"), slab_size $(cat "$d/slab_size"), aliases $(cat "$d/aliases" 2> /dev/null), merged caches: $(ls -l /sys/kernel/slab | grep -c "$(basename "$d")"))"
	fi
	kill -9 "$cli" "$srv" 2> /dev/null
	wait "$cli" "$srv" 2> /dev/null
	lb_reset
	sleep 2
}

want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

# --- 5. profiles ------------------------------------------------------
# perf samples every CPU (cpu-clock: a TCG guest has no PMU) while a
# command runs. profile-NAME.txt gets the hottest kernel symbols by their
# own samples, then including their callees; the CSV gets, for the
# symbols of PROF_SYMS that show, their share (callees included) of the
# busy time (all samples but the idle loop's), as "profile,NAME,1,SYM,%".
PROF_SYMS="zwin_hook zwin_client_syn zwin_xmit zwin_direct_xmit zwin_af_route zwin_build"
PROF_SYMS+=" zwin_to_server zwin_to_client ip_rcv ip_output ip_vs_in_hook"
PROF_SYMS+=" ip_vs_out_hook nft_do_chain_ipv4 synproxy_tg4 ipv4_synproxy_hook"
PROF_SYMS+=" packet_sendmsg ip_local_out ip_finish_output zwin_cookie_make"
PROF_SYMS+=" nf_checksum zwin_parse_opts pskb_trim_rcsum_slow kfree_skb_reason"
PROF_SYMS+=" dev_queue_xmit __dev_queue_xmit veth_xmit tcf_classify"
prof() {
	local name=$1 data=/tmp/perf.data out=/zwin-out/profile-$1.txt
	shift
	command -v perf > /dev/null || { echo "bench: no perf: no profile"; return; }
	perf record -q -e cpu-clock -F 4999 -a -g -o "$data" -- "$@" > /dev/null 2>&1 ||
		{ echo "bench: perf record $name failed"; return; }
	{
		echo "# $name: $*"
		echo "# perf cpu-clock samples of every CPU, by own samples (>= 0.5%)"
		perf report -i "$data" --no-children --sort sym --stdio -g none \
			--percent-limit 0.5 2> /dev/null | grep -v '^#\|^$'
		echo "# including callees (>= 1%)"
		perf report -i "$data" --children --sort sym --stdio -g none \
			--percent-limit 1 2> /dev/null | grep -v '^#\|^$'
	} > "$out"
	perf report -i "$data" --children --sort sym --stdio -g none 2> /dev/null |
		awk -v name="$name" -v syms="$PROF_SYMS" '
		BEGIN { n = split(syms, s, / +/); for (i = 1; i <= n; i++) want[s[i]] = 1 }
		$3 == "[k]" || $3 == "[.]" { sub(/%/, "", $1); pct[$4] = $1 }
		END {
			busy = 100 - pct["do_idle"]
			if (busy <= 0) exit
			printf "profile,%s,1,busy_pct,%.2f\n", name, busy
			for (k in want)
				if (k in pct)
					printf "profile,%s,1,%s_pct,%.2f\n", name, k, pct[k] * 100 / busy
		}' >> "$CSV"
	rm -f "$data"
	echo "profile $name: $out"
}
profile_run() {
	local v
	# one generator each (perf runs a program, not flood_gen)
	for v in zwin_own zwinrouted_own rawdrop synproxy_own nftsynproxy_own kcookie_own \
		${XTEST:+xdp xdpgeneric xdpdrop xdpsynproxy}; do
		case " $FLOOD_VARIANTS " in *" $v "*) ;; *) continue ;; esac
		flood_setup "$v" > /dev/null 2>&1 || { echo "bench: flood setup $v failed"; continue; }
		sleep 0.5
		prof "flood-$v" ip netns exec za "$SYNFLOOD" zazlb "$LBMAC" "$VIP" 80 "$MEAS"
	done
	for v in zwin plain; do
		tput_setup "$v" > /dev/null 2>&1 || { echo "bench: tput setup $v failed"; continue; }
		prof "tput-$v" ip netns exec zc iperf3 -c "$VIP" -p 5201 -t "$MEAS" -P 4
	done
}

for r in $(seq 1 "$ROUNDS"); do
	note "round $r of $ROUNDS"
	if want flood; then
		for v in $(rotate "$r" $FLOOD_VARIANTS); do flood_run "$v" "$r"; done
	fi
	if want tput; then
		for v in $(rotate "$r" zwin plain nomod); do tput_run "$v" "$r"; done
	fi
	if want crate; then
		for v in $(rotate "$r" zwin plain); do crate_run "$v" "$r"; done
	fi
	if want ttfb; then
		for v in $(rotate "$r" zwin plain); do ttfb_run "$v" "$r"; done
	fi
done
if want mem; then
	note "memory: $MEM_CONNS idle connections"
	for v in zwin plain; do mem_run "$v"; done
fi
if [ "$PROFILE" = 1 ]; then
	note "profiles: a flood per variant, iperf3 -P 4 with and without the proxy"
	profile_run
fi
lb_reset
note "done: $(wc -l < "$CSV") figures in $CSV"
