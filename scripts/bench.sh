#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: set up, build the module for Debian's 6.12 kernel
# (ZWIN_BENCH_KERNEL=<release> for another), compile the flood generator
# (tests/bench/synflood.c), boot one guest running tests/guest/bench.sh
# (the benchmark proper is tests/bench/bench.sh), then copy its raw figures
# out of the guest's output directory and print the ratio table
# (scripts/bench-report.py), which also writes CSV files and a PNG chart.
# Documentation/benchmarks.rst describes each figure.
#
#   ZWIN_BENCH_ROUNDS=N   rounds (default 5)
#   ZWIN_BENCH_SECONDS=S  length of each timed measurement (default 3)
#   ZWIN_BENCH_QUICK=1    1 round of 1 s measurements, 1000 idle connections
#   ZWIN_BENCH_OUT=DIR    results directory (default
#                         $ZWIN_CACHE/bench/<timestamp>)
#   ZWIN_BENCH_ONLY="flood tput crate ttfb mem"  the sections to run
#   ZWIN_BENCH_FLOOD="zwin xdp xdpdrop"  only these flood variants
#   ZWIN_BENCH_PROFILE=1  also profile a flood per variant and iperf3 with
#                         and without the proxy (perf)
#
# Never fails because of speed: it fails only if nothing was measured.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$ZWIN_TOP/scripts/setup.sh"
rel=${ZWIN_BENCH_KERNEL:-$(echo $ZWIN_KERNELS | tr ' ' '\n' | tail -1)}
quick=${ZWIN_BENCH_QUICK:-0}
rounds=${ZWIN_BENCH_ROUNDS:-5}
secs=${ZWIN_BENCH_SECONDS:-3}
ttfb_n=10 mem_conns=10000
if [ "$quick" = 1 ]; then
	rounds=1 secs=1 ttfb_n=5 mem_conns=1000
fi
res=${ZWIN_BENCH_OUT:-$ZWIN_CACHE/bench/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$res"

ko=$("$ZWIN_TOP/scripts/build-module.sh" "$rel")
# The guest sees the host's root: it finds these through its zwin.kdir
# boot argument ($ZWIN_CACHE/kernels/<release>).
gdir=$ZWIN_CACHE/bench/guest-$rel
mkdir -p "$gdir"
gcc -O2 -Wall -Wextra -Werror -o "$gdir/synflood" "$ZWIN_TOP/tests/bench/synflood.c"
# The kernel's own XDP SYN proxy, a BPF selftest (xdp_synproxy_kern.c),
# from linux-source-6.12 with the BTF of Debian's 6.12 kernel (CO-RE
# relocates it for 6.1): variant xdpsynproxy. Without it, no such variant.
rm -f "$gdir/xdp_synproxy_kern.o"
tree=$("$ZWIN_TOP/scripts/kunit-tree.sh")
vml=$(ls /usr/src/linux-headers-6.12*-amd64/vmlinux 2> /dev/null | tail -1)
if [ -n "$vml" ] && bpftool btf dump file "$vml" format c > "$gdir/vmlinux.h" &&
	clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I"$gdir" \
		-I"$tree/tools/testing/selftests/bpf" -I/usr/include/"$(gcc -dumpmachine)" \
		-c "$tree/tools/testing/selftests/bpf/progs/xdp_synproxy_kern.c" \
		-o "$gdir/xdp_synproxy_kern.o" > "$gdir/xdp_synproxy.log" 2>&1; then
	log "built the kernel's xdp_synproxy for variant xdpsynproxy"
else
	log "the kernel's xdp_synproxy did not build ($gdir/xdp_synproxy.log): no variant xdpsynproxy"
	rm -f "$gdir/xdp_synproxy_kern.o"
fi
cat > "$gdir/settings" <<EOF
ROUNDS=$rounds
MEAS=$secs
TTFB_N=$ttfb_n
MEM_CONNS=$mem_conns
QUICK=$quick
ONLY="${ZWIN_BENCH_ONLY:-flood tput crate ttfb mem}"
PROFILE=${ZWIN_BENCH_PROFILE:-0}
FLOOD_ONLY="${ZWIN_BENCH_FLOOD:-}"
EOF

log "benchmark on Debian $rel under QEMU/TCG: $rounds round(s) of ${secs} s measurements"
rc=0
ZWIN_LIVE=${ZWIN_LIVE:-1} ZWIN_GUEST_TIMEOUT=${ZWIN_GUEST_TIMEOUT:-4000} \
	"$ZWIN_TOP/scripts/guest.sh" "$rel" "$ko" bench || rc=$?
run=$ZWIN_CACHE/runs/$rel
for f in bench.csv bench-info.txt bench.log bench.dmesg; do
	[ -f "$run/$f" ] && cp "$run/$f" "$res/raw-$f"
done
# the profiles of this run (the guest's output directory is emptied at boot)
for f in "$run"/profile-*.txt; do
	[ -f "$f" ] && cp "$f" "$res/raw-${f##*/}"
done
[ "$rc" -eq 0 ] || log "the guest reported a problem (see $res/raw-bench.log); figures are kept"
[ -s "$res/raw-bench.csv" ] || die "no figures came out of the guest (see $run/console.log)"
/usr/bin/python3 "$ZWIN_TOP/scripts/bench-report.py" "$res"
log "results: $res"
