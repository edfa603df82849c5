# SPDX-License-Identifier: GPL-2.0
#
# Shared topology and assertions for the guest scenarios. Source it.
#
#                        +----------------------------+
#   zc (client)          | zlb (balancer, IPVS NAT)   |         zr1 (real server 1)
#   192.0.2.2  ---veth---| 192.0.2.1                  |         198.51.100.2:80
#   2001:db8:1::2        | 2001:db8:1::1              |         2001:db8:2::2
#                        | VIP 192.0.2.100 on lo      |---veth--198.51.100.1
#                        | VIP6 2001:db8:ff::100      |         2001:db8:2::1
#   za (attacker)        |                            |
#   203.0.113.2 --veth---| 203.0.113.1                |---veth--198.51.100.17
#   2001:db8:4::2        | 2001:db8:4::1              |         2001:db8:3::1
#                        +----------------------------+         zr2 (real server 2)
#                                                               198.51.100.18:80
#                                                               2001:db8:3::2
#
# The real servers route back through zlb (NAT needs their replies). Each
# command is printed with the namespace it runs in, and every check is an
# assertion: the first one that fails ends the scenario with status 1.

set -u
ZWIN_GUEST=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VIP=192.0.2.100
CIP=192.0.2.2
AIP=203.0.113.2
RS1=198.51.100.2
RS2=198.51.100.18
VIP6=2001:db8:ff::100
CIP6=2001:db8:1::2
RS1_6=2001:db8:2::2
RS2_6=2001:db8:3::2

# The module's counter files in /proc/net/stat, in the order of their columns.
ZWIN_STAT_FILES="ip_vs_zwin ip_vs_zwin_cluster ip_vs_zwin_xmit"

pretty() { printf '[%s] %s\n' "$1" "$2" >&2; }
c()   { pretty zc   "$*"; ip netns exec zc "$@"; }
# lb CMD...: CMD in the balancer. After an ipvsadm command that marks a
# service --pe zwin, waits for the proxy's set-up there (zwin_ready).
lb() {
	pretty zlb "$*"
	ip netns exec zlb "$@" || return
	case " $* " in
	*" --pe zwin "*) zwin_ready zlb ;;
	esac
}
r1()  { pretty zr1  "$*"; ip netns exec zr1 "$@"; }
r2()  { pretty zr2  "$*"; ip netns exec zr2 "$@"; }
att() { pretty za   "$*"; ip netns exec za "$@"; }
host() { pretty host "$*"; "$@"; }

fail() {
	echo "FAIL: $*"
	local ns f
	for ns in zlb zlb2; do
		ip netns exec "$ns" test -r /proc/net/stat/ip_vs_zwin 2>/dev/null ||
			continue
		echo "balancer counters ($ns):"
		for f in $ZWIN_STAT_FILES; do
			ip netns exec "$ns" cat "/proc/net/stat/$f" 2>/dev/null
		done
	done
	exit 1
}

# check DESCRIPTION CMD...: CMD must succeed.
check() {
	local what=$1
	shift
	"$@" || fail "$what"
	echo "ok: $what"
}

# expect_eq DESCRIPTION GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	echo "ok: $1 ($2)"
}

# expect_ge DESCRIPTION GOT MIN
expect_ge() {
	[ "$2" -ge "$3" ] || fail "$1: got $2, want >= $3"
	echo "ok: $1 ($2 >= $3)"
}

# eventually_eq DESCRIPTION SECONDS WANT CMD...: CMD's output becomes WANT
# within SECONDS (for values the kernel publishes periodically).
eventually_eq() {
	local what=$1 secs=$2 want=$3 got i
	shift 3
	for i in $(seq $((secs * 5))); do
		got=$("$@" 2>/dev/null) || true
		[ "$got" = "$want" ] && break
		sleep 0.2
	done
	expect_eq "$what" "$got" "$want"
}

# eventually DESCRIPTION SECONDS CMD...: CMD succeeds within SECONDS.
eventually() {
	local what=$1 secs=$2 i
	shift 2
	for i in $(seq $((secs * 5))); do
		"$@" > /dev/null 2>&1 && { echo "ok: $what"; return 0; }
		sleep 0.2
	done
	fail "$what (not within $secs s)"
}

# listening NS PORT: a TCP socket listens on PORT in NS.
listening() {
	local out
	out=$(ip netns exec "$1" ss -Hltn "sport = :$2") && [ -n "$out" ]
}
# wait_listen NS PORT: ... within 10 s (servers started in the background).
wait_listen() { eventually "[$1] a server listens on port $2" 10 listening "$1" "$2"; }

# size_ge FILE BYTES: FILE exists and has at least BYTES.
size_ge() { [ "$(stat -c %s "$1" 2> /dev/null || echo 0)" -ge "$2" ]; }

# tap_start NS IFACE FILE FILTER...: tcpdump on IFACE in NS ("any" for all
# of them) writes what FILTER matches to FILE.pcap in the background;
# returns once tcpdump says it is listening. tap_stop FILE ends it;
# tap_read FILE prints one line per TCP segment (tcp_sink.py pcap).
tap_start() {
	local ns=$1 ifc=$2 f=$3 i
	shift 3
	rm -f "$f.pcap" "$f.err"
	pretty "$ns" "tcpdump -i $ifc -w $f.pcap $*"
	ip netns exec "$ns" tcpdump -i "$ifc" --immediate-mode -U -n -s 160 -w "$f.pcap" "$@" 2> "$f.err" &
	echo $! > "$f.pid"
	for i in $(seq 100); do
		grep -q '^tcpdump: listening on' "$f.err" && return 0
		kill -0 "$(cat "$f.pid")" 2> /dev/null || break
		sleep 0.1
	done
	fail "tcpdump on [$ns] $ifc did not start: $(cat "$f.err")"
}
tap_stop() {
	local pid
	pid=$(cat "$1.pid")
	kill -INT "$pid"
	wait "$pid" || true	# tcpdump ends on SIGINT with status 0 or 130
}
tap_read() { python3 "$ZWIN_GUEST/tcp_sink.py" pcap "$1.pcap"; }

# veth NS1 ADDR1/LEN NS2 ADDR2/LEN [ADDR6_1/LEN ADDR6_2/LEN]: link NS1NS2
# in NS1, NS2NS1 in NS2
veth() {
	local a=$1$3 b=$3$1
	ip link add "$a" netns "$1" type veth peer name "$b" netns "$3"
	ip -n "$1" addr add "$2" dev "$a"
	ip -n "$3" addr add "$4" dev "$b"
	if [ $# -ge 6 ]; then
		ip -n "$1" addr add "$5" dev "$a" nodad
		ip -n "$3" addr add "$6" dev "$b" nodad
	fi
	ip -n "$1" link set "$a" up
	ip -n "$3" link set "$b" up
}

# topo_up: namespaces, links, routes, and an HTTP server on each real
# server answering its own name (busybox httpd).
topo_up() {
	local ns
	for ns in zc zlb zr1 zr2 za; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	veth zc 192.0.2.2/24 zlb 192.0.2.1/24 2001:db8:1::2/64 2001:db8:1::1/64
	veth za 203.0.113.2/24 zlb 203.0.113.1/24 2001:db8:4::2/64 2001:db8:4::1/64
	veth zr1 198.51.100.2/28 zlb 198.51.100.1/28 2001:db8:2::2/64 2001:db8:2::1/64
	veth zr2 198.51.100.18/28 zlb 198.51.100.17/28 2001:db8:3::2/64 2001:db8:3::1/64
	ip -n zlb addr add "$VIP/32" dev lo
	ip -n zlb addr add "$VIP6/128" dev lo nodad
	ip -n zc -6 route add default via 2001:db8:1::1
	ip -n za -6 route add default via 2001:db8:4::1
	ip -n zr1 -6 route add default via 2001:db8:2::1
	ip -n zr2 -6 route add default via 2001:db8:3::1
	ip netns exec zlb sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n zc route add default via 192.0.2.1
	ip -n za route add default via 203.0.113.1
	ip -n zr1 route add default via 198.51.100.1
	ip -n zr2 route add default via 198.51.100.17
	ip netns exec zlb sysctl -qw net.ipv4.ip_forward=1
	for ns in zr1 zr2; do
		mkdir -p "/tmp/www-$ns"
		echo "$ns" > "/tmp/www-$ns/index.html"
		ip netns exec "$ns" busybox httpd -p 80 -h "/tmp/www-$ns"
	done
}

# director2_up: a second director, zlb2, beside zlb (HA and cluster
# scenarios). It has the VIP too, its own links to the client and to each
# real server, and a link to zlb for IPVS's sync daemons; traffic still
# goes through zlb until the routes change (route_via).
#
#   zc ---- zlb ---- zr1, zr2     zlb  10.9.0.1 --- 10.9.0.2 zlb2 (sync)
#    \--10.0.0.0/24-- zlb2 --10.1.1.0/24-- zr1
#                          \--10.1.2.0/24-- zr2
director2_up() {
	ip netns add zlb2
	ip -n zlb2 link set lo up
	veth zc 10.0.0.2/24 zlb2 10.0.0.1/24
	veth zr1 10.1.1.2/24 zlb2 10.1.1.1/24
	veth zr2 10.1.2.2/24 zlb2 10.1.2.1/24
	veth zlb 10.9.0.1/24 zlb2 10.9.0.2/24
	ip -n zlb2 addr add "$VIP/32" dev lo
	ip -n zlb2 route add "$CIP/32" via 10.0.0.2
	ip -n zlb2 route add "$RS1/32" via 10.1.1.2
	ip -n zlb2 route add "$RS2/32" via 10.1.2.2
	ip netns exec zlb2 sysctl -qw net.ipv4.ip_forward=1
}
lb2() {
	pretty zlb2 "$*"
	ip netns exec zlb2 "$@" || return
	case " $* " in
	*" --pe zwin "*) zwin_ready zlb2 ;;
	esac
}

# route_via zlb|zlb2 [client|servers|both]: the client's route to the VIP
# (always from CIP) and/or the real servers' default route go through that
# director.
route_via() {
	local c=192.0.2.1 r1=198.51.100.1 r2=198.51.100.17
	if [ "$1" = zlb2 ]; then
		c=10.0.0.1 r1=10.1.1.1 r2=10.1.2.1
	fi
	case ${2:-both} in client | both)
		# the VIP is in the client's subnet: a host route beats it
		ip -n zc route replace "$VIP/32" via "$c" src "$CIP" ;;
	esac
	case ${2:-both} in servers | both)
		ip -n zr1 route replace default via "$r1"
		ip -n zr2 route replace default via "$r2" ;;
	esac
}

# ipvs_nat_service [ipvsadm service options...]: VIP:80 with both real
# servers in NAT mode.
ipvs_nat_service() {
	lb ipvsadm -A -t "$VIP:80" -s rr "$@" || fail "ipvsadm -A $*"
	lb ipvsadm -a -t "$VIP:80" -r "$RS1:80" -m || fail "add $RS1"
	lb ipvsadm -a -t "$VIP:80" -r "$RS2:80" -m || fail "add $RS2"
}

# ipvs_nat_service6 [ipvsadm service options...]: [VIP6]:80 with real
# server 1 in NAT mode.
ipvs_nat_service6() {
	lb ipvsadm -A -t "[$VIP6]:80" -s rr "$@"
	lb ipvsadm -a -t "[$VIP6]:80" -r "[$RS1_6]:80" -m
}

# zstat NS NAME: a counter of one of $ZWIN_STAT_FILES summed over cpus (the
# "entries" gauge is the same on every line: read once).
zstat() {
	local f
	for f in $ZWIN_STAT_FILES; do
		ip netns exec "$1" cat "/proc/net/stat/$f" | {
			local -a hdr row
			local i idx=-1 sum=0
			read -r -a hdr
			for i in "${!hdr[@]}"; do
				[ "${hdr[$i]}" = "$2" ] && idx=$i
			done
			[ "$idx" -ge 0 ] || exit 1
			while read -r -a row; do
				sum=$((sum + 16#${row[$idx]}))
				[ "$2" = entries ] && break
			done
			echo "$sum"
		} && return
	done
	echo "no-counter-$2"
}

# add_dest_files: 1 MiB and 20 MiB random files on both real servers.
add_dest_files() {
	local ns
	for ns in zr1 zr2; do
		head -c 1048576 /dev/urandom > "/tmp/www-$ns/1m"
		head -c 20971520 /dev/urandom > "/tmp/www-$ns/20m"
	done
}

# sink_up: the upload sink (tcp_sink.py serve) on port 9000 of both real
# servers, and the VIP:9000 NAT service for it (extra ipvsadm options).
sink_up() {
	local ns
	for ns in zr1 zr2; do
		ip netns exec "$ns" python3 "$ZWIN_GUEST/tcp_sink.py" serve 9000 \
			> "/tmp/sink-$ns.log" 2>&1 &
	done
	lb ipvsadm -A -t "$VIP:9000" -s rr "$@" || fail "ipvsadm -A :9000"
	lb ipvsadm -a -t "$VIP:9000" -r "$RS1:9000" -m || fail "add $RS1:9000"
	lb ipvsadm -a -t "$VIP:9000" -r "$RS2:9000" -m || fail "add $RS2:9000"
	for ns in zr1 zr2; do
		wait_listen "$ns" 9000
	done
}

# upload N [VIP]: N bytes from the client through VIP:9000 (default the
# IPv4 VIP); must arrive intact.
upload() {
	local out to=${2:-$VIP}
	out=$(ip netns exec zc python3 "$ZWIN_GUEST/tcp_sink.py" send "$to" 9000 "$1") ||
		fail "upload of $1 bytes to $to: the connection failed"
	upload_check "upload of $1 bytes to $to" "$1" "$out"
}

# upload_check WHAT N OUTPUT: tcp_sink.py send's OUTPUT shows N bytes sent
# and the same N bytes, same sha256, seen by the server.
# Failover transfers: a paced download of /big through VIP:80 and upload
# of as many bytes through VIP:9000, $XFER_RATE bytes/s each (16 MiB at
# 2 MB/s: about 8 s, long enough to switch directors in the middle).
XFER_SIZE=16777216
XFER_RATE=2000000
# xfer_files: the same random /big on both real servers (and in /tmp/big)
xfer_files() {
	head -c "$XFER_SIZE" /dev/urandom > /tmp/big
	cp /tmp/big /tmp/www-zr1/big
	cp /tmp/big /tmp/www-zr2/big
}
# xfer_start: both transfers in the background (pids $fetch and $send)
xfer_start() {
	ip netns exec zc python3 "$ZWIN_GUEST/tcp_sink.py" fetch "$VIP" 80 /big \
		"$XFER_RATE" > /tmp/fetch.out &
	fetch=$!
	ip netns exec zc env ZWIN_RATE="$XFER_RATE" python3 "$ZWIN_GUEST/tcp_sink.py" \
		send "$VIP" 9000 "$XFER_SIZE" > /tmp/send.out &
	send=$!
}
# xfer_end WHAT: both transfers complete intact; prints the longest time
# the download waited for data (the failover gap)
xfer_end() {
	local sha n gap
	wait "$fetch" || fail "$1: the download failed ($(cat /tmp/fetch.out))"
	wait "$send" || fail "$1: the upload failed ($(cat /tmp/send.out))"
	read -r sha n gap < /tmp/fetch.out
	expect_eq "$1: the download is byte-exact" "$sha $n" \
		"$(sha256sum < /tmp/big | cut -d' ' -f1) $XFER_SIZE"
	upload_check "$1: the upload" "$XFER_SIZE" "$(cat /tmp/send.out)"
	echo "gap: $1: the download waited at most $gap s for data"
}
# synced_conns NS: ESTABLISHED connections to the VIP in NS's IPVS table
synced_conns() {
	ip netns exec "$1" ipvsadm -Lnc |
		awk -v v="$VIP" '$5 ~ "^" v ":" && $3 == "ESTABLISHED"' | wc -l
}
upload_check() {
	local sent nsent seen nseen
	read -r sent nsent seen nseen <<< "$3"
	[ -n "$sent" ] && [ "$nsent" = "$2" ] || fail "$1: nothing sent ('$3')"
	expect_eq "$1 arrives intact (sha256, bytes)" "$seen $nseen" "$sent $2"
}

# download NAME [HOST]: fetch NAME from HOST (default the IPv4 VIP; for
# IPv6 "[VIP6]"), compare with the servers' copies.
download() {
	local got from=${2:-$VIP}
	ip netns exec zc curl -sS -g --max-time 300 -o /tmp/got "http://$from/$1" ||
		fail "download $1 from $from"
	got=$(sha256sum < /tmp/got)
	check "download of $1 from $from is byte-identical" test "$got" = \
		"$(sha256sum < "/tmp/www-zr1/$1")" -o "$got" = "$(sha256sum < "/tmp/www-zr2/$1")"
}

# get N: N HTTP requests from the client to the VIP; prints the bodies.
get() {
	local i
	for i in $(seq "$1"); do
		ip netns exec zc curl -sS --max-time 5 "http://$VIP/" || echo "curl-failed"
	done
}

# count_server_syns [ip6]: make the real servers count TCP SYNs to port 80
# (iptables, or ip6tables with "ip6"); server_syns [ip6] reads the sum.
count_server_syns() {
	local ns
	for ns in zr1 zr2; do
		ip netns exec "$ns" "${1:-ip}tables" -A INPUT -p tcp --syn --dport 80 -j ACCEPT
	done
}
server_syns() { servers_sum '/dpt:80/ { print $1 }' "${1:-ip}tables" -nvxL INPUT; }

# servers_sum AWK CMD...: the sum over both real servers of the numbers
# that the awk program AWK prints from CMD's output there
servers_sum() {
	local n=0 ns v prog=$1
	shift
	for ns in zr1 zr2; do
		v=$(ip netns exec "$ns" "$@" | awk "$prog" | awk '{ s += $1 } END { print s + 0 }')
		n=$((n + v))
	done
	echo "$n"
}

# ss_count NS SS-ARGS...: how many TCP sockets "ss -Htn SS-ARGS" lists in
# NS; prints "ss-failed" (which no count equals) if ss itself fails.
ss_count() {
	local out
	out=$(ip netns exec "$1" ss -Htn "${@:2}") || { echo ss-failed; return 1; }
	if [ -z "$out" ]; then echo 0; else wc -l <<< "$out"; fi
}

# zwin_ready NS: the proxy is set up in NS (its counters are there; NS
# "-" is the initial namespace), within 30 s. A load (autoload by ipvsadm
# too) that meets namespaces being dismantled returns before the set-up,
# which then completes in the background (Documentation/admin-guide.rst,
# "Loading").
zwin_ready() {
	local i in=(ip netns exec "$1")
	[ "$1" = - ] && in=()
	for i in $(seq 150); do
		"${in[@]}" test -r /proc/net/stat/ip_vs_zwin && return 0
		sleep 0.2
	done
	echo "the proxy's set-up in [$1] did not complete within 30 s" >&2
	return 1
}

# zwin_load [PARAM=VALUE...]: modprobe ip_vs_zwin, then wait for its
# set-up in every namespace there is.
zwin_load() {
	local ns
	host modprobe ip_vs_zwin "$@" || return
	for ns in - $(ip netns list | awk '{ print $1 }'); do
		zwin_ready "$ns" || return
	done
}

# server_socks: established sockets on port 80 of both real servers
# ("ss-failed" if ss fails).
server_socks() {
	local a b
	a=$(ss_count zr1 state established '( sport = :80 )') || { echo "$a"; return; }
	b=$(ss_count zr2 state established '( sport = :80 )') || { echo "$b"; return; }
	echo $((a + b))
}

# connect_result PORT [get]: the client's connection to VIP:PORT (with an
# HTTP GET with "get"): "data", "reset" or "timeout", and its seconds.
connect_result() {
	ip netns exec zc python3 "$ZWIN_GUEST/tcp_sink.py" connect "$VIP" "$@"
}

# scapy_client: scapy speaks for the client; its connections are unknown
# to the client's kernel, which must not reset them.
scapy_client() { c iptables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP; }

# module_loaded: ip_vs_zwin is in the kernel.
module_loaded() { grep -q '^ip_vs_zwin ' /proc/modules; }

# unload_eventually: rmmod ip_vs_zwin, retrying for up to 30 s while
# namespace cleanup (asynchronous) drops the last references; succeeds if
# the module is gone.
unload_eventually() {
	local i
	for i in $(seq 60); do
		rmmod ip_vs_zwin 2>/dev/null && break
		sleep 0.5
	done
	! module_loaded
}
