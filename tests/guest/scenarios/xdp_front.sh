#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The XDP front end (scripts/zwin-xdp, xdp/zwin_xdp.bpf.c), native XDP on
# the balancer's client-facing veth:
#  1. for the same SYNs (IPv4 with timestamps, without, IPv6), the SYN-ACK
#     XDP sends is the module's own: the same cookie, window 0, the same
#     options (the TSval's high bits are a clock's; the IPv4 route to the
#     client has a 1400-byte MTU: MSS 1360), from the VIP to the client's
#     MAC; the module sent none of them; a plain read of
#     /proc/net/ip_vs_zwin_xdp shows no key;
#  2. requests and a 3 MB upload through it, IPv4 and IPv6, are served
#     byte-exact: XDP answered the SYNs, the module checked the cookies;
#  3. a SYN with a bad checksum is dropped (xdp_syn_invalid), not answered;
#     a VLAN-tagged client is passed to the stack and served;
#  4. a flood of 3000 SYNs from the attacker is answered at XDP: none
#     reaches a real server, the module answers none;
#  5. ipvsadm: a service without the PE is no longer answered within a
#     second, and is again once it has it back; a deleted one is not;
#  6. detached under a transfer: the transfer completes byte-exact, and the
#     module answers SYNs again;
#  7. attached again and its syncer killed: within 2 s the program passes
#     every SYN, which the module answers.
#
#   zc 192.0.2.2 (scapy, curl; VLAN 100: 192.0.2.130)
#    |  zczlb: xdp_pass (a veth peer needs an XDP program for XDP_TX)
#   zlb zlbzc, zlbza: zwin_xdp (native)   IPVS NAT, zwin
#    |
#   za 203.0.113.2 (hping3; zazlb: xdp_pass)     zr1, zr2 (httpd, tcp_sink)
. "$(dirname "$0")/../lib.sh"
set -e

[ -n "${ZWIN_XDP_OBJ:-}" ] && [ -f "$ZWIN_XDP_OBJ" ] ||
	fail "no XDP program was built (ZWIN_XDP_OBJ='${ZWIN_XDP_OBJ:-}')"
XDP=$(cd "$ZWIN_GUEST/../.." && pwd)/scripts/zwin-xdp

# the pins' BPF filesystem, mounted where every ip netns exec sees it
host mkdir -p /run/ipvs-zwin/bpf
host mount -t bpf bpf /run/ipvs-zwin/bpf
topo_up
ipvs_nat_service --pe zwin
ipvs_nat_service6 --pe zwin
sink_up --pe zwin
scapy_client
c ip6tables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
# veth delivers XDP_TX frames at once only to a peer with an XDP program
XTEST=$(dirname "$ZWIN_XDP_OBJ")/xdp_test.bpf.o
host bpftool prog loadall "$XTEST" /run/ipvs-zwin/bpf/test
c bpftool net attach xdpdrv pinned /run/ipvs-zwin/bpf/test/xdp_pass dev zczlb
att bpftool net attach xdpdrv pinned /run/ipvs-zwin/bpf/test/xdp_pass dev zazlb
LBMAC=$(ip netns exec zlb cat /sys/class/net/zlbzc/address)
CMAC=$(ip netns exec zc cat /sys/class/net/zczlb/address)

# xstat NAME: an XDP counter summed over zlb's devices; "none" if no
# device has the program
xstat() {
	ip netns exec zlb "$XDP" status --json | python3 -c "
import json, sys
d = json.load(sys.stdin)['devices']
print(sum(v['counters']['$1'] for v in d.values()) if d else 'none')"
}
# req URL [CURL-ARGS...]: the client's request; the body or curl's error
req() { ip netns exec zc curl -sS -g --max-time 5 "$@" 2>&1 || true; }
# synack FAMILY SPORT TS: the SYN-ACK to a fixed SYN from the client
# (ISN 1000+SPORT, MSS 1400, SACK, window scale 7, timestamps if TS=1):
# "seq window flags options-hex tsval-low10 srcmac dstmac", or "none"
synack() {
	ip netns exec zc python3 - "$1" "$2" "$3" "$VIP" "$VIP6" <<'EOF'
import sys
from scapy.all import IP, IPv6, TCP, Ether, srp1, conf
conf.verb = 0
fam, sport, ts, vip, vip6 = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4], sys.argv[5]
opts = [("MSS", 1400), ("SAckOK", b""), ("WScale", 7)]
if ts:
    opts.insert(2, ("Timestamp", (123456, 0)))
ip = IP(dst=vip) if fam == "4" else IPv6(dst=vip6)
syn = Ether() / ip / TCP(sport=sport, dport=80, flags="S", seq=1000 + sport,
                         window=64240, options=opts)
r = srp1(syn, iface="zczlb", timeout=2, filter=f"tcp and src port 80 and dst port {sport}")
if r is None:
    print("none")
    sys.exit()
t = r[TCP]
raw = bytes(t)[20:t.dataofs * 4]
tsval = dict(t.options).get("Timestamp", (0, 0))[0]
print(t.seq, t.window, t.flags, raw.hex() if not ts else raw.hex()[:16] + "tsval" + raw.hex()[24:],
      tsval & 0x3ff, r[Ether].src, r[Ether].dst)
EOF
}

# 1. the same SYN-ACK, from XDP as from the module
declare -A ref1 viax
# a 1400-byte hop: the module announces MSS 1360 from the route
lb ip route replace 192.0.2.0/26 dev zlbzc mtu 1400
expect_eq "a plain read of ip_vs_zwin_xdp shows no key" \
	"$(ip netns exec zlb awk '$1 == "key"' /proc/net/ip_vs_zwin_xdp)" "key - -"
for f in "4 40001 1" "4 40002 0" "6 40003 1"; do
	ref1[$f]=$(synack $f)
done
sa0=$(zstat zlb synack_sent)
lb "$XDP" attach zlbzc || fail "zwin-xdp attach zlbzc (native)"
mode=$(ip -n zlb -j -d link show dev zlbzc | python3 -c \
	'import json,sys; print(json.load(sys.stdin)[0]["xdp"]["mode"])')
expect_eq "zwin_xdp attached to zlbzc in native mode (1)" "$mode" 1
for f in "4 40001 1" "4 40002 0" "6 40003 1"; do
	viax[$f]=$(synack $f)
done
expect_eq "the module sent none of these SYN-ACKs" "$(zstat zlb synack_sent)" "$sa0"
expect_eq "XDP answered all three" "$(xstat xdp_synack)" 3
lb "$XDP" detach zlbzc
for f in "4 40001 1" "4 40002 0" "6 40003 1"; do
	ref2=$(synack $f)
	read -r seq win flags opts low smac dmac <<< "${viax[$f]}"
	[ "$seq" != none ] || fail "SYN $f: XDP sent no SYN-ACK"
	expect_eq "SYN $f: window 0, SYN-ACK, from zlb to the client's MAC" \
		"$win $flags $smac $dmac" "0 SA $LBMAC $CMAC"
	case $f in 4*) expect_eq "SYN $f: MSS 1360 (the route's MTU)" "${opts:4:4}" 0550 ;; esac
	# a cookie period may end between the two references: one matches
	if [ "${viax[$f]}" = "${ref1[$f]}" ] || [ "${viax[$f]}" = "$ref2" ]; then
		echo "ok: SYN $f: XDP's SYN-ACK is the module's ($seq, options $opts)"
	else
		fail "SYN $f: XDP sent '${viax[$f]}', the module '${ref1[$f]}' and '$ref2'"
	fi
done

# 2. served through it, the module checking XDP's cookies
lb "$XDP" attach zlbzc || fail "zwin-xdp attach zlbzc again"
lb "$XDP" attach zlbza || fail "zwin-xdp attach zlbza (the attacker's side)"
x0=$(xstat xdp_synack) sa0=$(zstat zlb synack_sent) cv0=$(zstat zlb cookie_valid)
for i in 1 2 3; do
	got=$(req "http://$VIP/")
	case $got in zr1 | zr2) echo "ok: IPv4 request $i served ($got)" ;;
	*) fail "IPv4 request $i: got '$got'" ;; esac
done
got=$(req "http://[$VIP6]/")
expect_eq "an IPv6 request is served" "$got" zr1
upload 3000000
expect_eq "XDP answered the 5 SYNs, the module none, and checked 5 cookies" \
	"$(($(xstat xdp_synack) - x0)) $(($(zstat zlb synack_sent) - sa0)) $(($(zstat zlb cookie_valid) - cv0))" \
	"5 0 5"

zs=$(ip netns exec zlb python3 "$(dirname "$XDP")/zwin-stat" --once --json |
	python3 -c 'import json, sys; print(json.load(sys.stdin).get("xdp_synack", "missing"))')
expect_eq "zwin-stat shows XDP's xdp_synack next to the module's counters" "$zs" "$(xstat xdp_synack)"

# 3. a corrupted SYN is dropped; a VLAN-tagged one is the stack's
inv0=$(xstat xdp_syn_invalid)
got=$(ip netns exec zc python3 - "$VIP" <<'EOF'
import sys
from scapy.all import IP, TCP, sr1, conf
conf.verb = 0
r = sr1(IP(dst=sys.argv[1]) / TCP(sport=40010, dport=80, flags="S", chksum=0x1234),
        timeout=1)
print("none" if r is None else "answered")
EOF
)
expect_eq "a SYN with a bad checksum: no answer" "$got" none
expect_eq "... counted xdp_syn_invalid" "$(($(xstat xdp_syn_invalid) - inv0))" 1
c ip link add link zczlb name zcv100 type vlan id 100
c ip addr add 192.0.2.130/26 dev zcv100
c ip link set zcv100 up
lb ip link add link zlbzc name zlbv100 type vlan id 100
lb ip addr add 192.0.2.129/26 dev zlbv100
lb ip link set zlbv100 up
sa0=$(zstat zlb synack_sent) x0=$(xstat xdp_synack)
got=$(req --interface 192.0.2.130 "http://$VIP/")
case $got in zr1 | zr2) echo "ok: a request over VLAN 100 is served ($got)" ;;
*) fail "a request over VLAN 100: got '$got'" ;; esac
expect_eq "... its SYN passed by XDP, answered by the module" \
	"$(($(zstat zlb synack_sent) - sa0)) $(($(xstat xdp_synack) - x0))" "1 0"

# 4. a flood answered at XDP
count_server_syns
x0=$(xstat xdp_synack) sa0=$(zstat zlb synack_sent)
att hping3 -q -S -p 80 -i u200 -c 3000 "$VIP" > /dev/null 2>&1 || true
sleep 1
x=$(($(xstat xdp_synack) - x0))
expect_ge "the flood's 3000 SYNs answered at XDP" "$x" 2900
expect_eq "... none by the module" "$(($(zstat zlb synack_sent) - sa0))" 0
expect_eq "... none reached a real server" "$(server_syns)" 0

# 5. ipvsadm changes, followed within a second
lb ipvsadm -E -t "$VIP:80" -s rr
sleep 1.2
x0=$(xstat xdp_synack)
got=$(req "http://$VIP/")
case $got in zr1 | zr2) ;; *) fail "plain IPVS request: got '$got'" ;; esac
expect_eq "the PE removed: XDP answers no SYN to the service" "$(($(xstat xdp_synack) - x0))" 0
expect_eq "... which reached a real server" "$(server_syns)" 1
lb ipvsadm -E -t "$VIP:80" -s rr --pe zwin
zwin_ready zlb
sleep 1.2
x0=$(xstat xdp_synack)
got=$(req "http://$VIP/")
case $got in zr1 | zr2) ;; *) fail "request with the PE back: got '$got'" ;; esac
expect_eq "the PE back: XDP answers again" "$(($(xstat xdp_synack) - x0))" 1
lb ipvsadm -D -t "$VIP:80"
sleep 1.2
x0=$(xstat xdp_synack)
got=$(req "http://$VIP/")
expect_eq "the service deleted: XDP answers no SYN to it" "$(($(xstat xdp_synack) - x0))" 0
ipvs_nat_service --pe zwin

# 6. detached under a transfer
xfer_files
xfer_start
sleep 2
lb "$XDP" detach zlbzc
lb "$XDP" detach zlbza
xfer_end "transfers across the detach"
mode=$(ip -n zlb -j -d link show dev zlbzc | python3 -c \
	'import json,sys; print(json.load(sys.stdin)[0].get("xdp", {}).get("mode", "none"))')
expect_eq "no XDP program left on zlbzc" "$mode" none
sa0=$(zstat zlb synack_sent)
got=$(req "http://$VIP/")
case $got in zr1 | zr2) ;; *) fail "request after the detach: got '$got'" ;; esac
expect_eq "detached: the module answers SYNs again" "$(($(zstat zlb synack_sent) - sa0))" 1

# 7. a dead syncer: the program stops answering within 2 s
lb "$XDP" attach zlbzc || fail "zwin-xdp attach zlbzc, a third time"
sa0=$(zstat zlb synack_sent) x0=$(xstat xdp_synack)
got=$(req "http://$VIP/")
expect_eq "attached again, XDP answers (XDP, module)" \
	"$(($(xstat xdp_synack) - x0)) $(($(zstat zlb synack_sent) - sa0))" "1 0"
pid=$(ip netns exec zlb "$XDP" status --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["syncer"])')
[ "$pid" -gt 1 ] 2> /dev/null || fail "no syncer pid: '$pid'"
host kill -9 "$pid"
sleep 2.5
sa0=$(zstat zlb synack_sent) x0=$(xstat xdp_synack)
got=$(req "http://$VIP/")
case $got in zr1 | zr2) ;; *) fail "request with the syncer dead: got '$got'" ;; esac
expect_eq "syncer dead for 2.5 s: the module answers, XDP does not (XDP, module)" \
	"$(($(xstat xdp_synack) - x0)) $(($(zstat zlb synack_sent) - sa0))" "0 1"
lb "$XDP" detach zlbzc
echo "PASS"
