#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: sets this machine up (scripts/setup.sh) and runs every test
# layer, counting each as test cases:
#   lint    checkpatch --strict; warning-free build and sparse-clean build
#           against each tested kernel's headers; DKMS install and removal
#           in a private tree (scripts/dkms-check.sh); docutils-clean
#           Documentation (make docs); scripts/zwin-stat's unit tests
#   kunit   KUnit suites under UML with KASAN and lockdep
#   guest   every scenario of tests/guest/scenarios in a QEMU guest of each
#           tested Debian kernel (those marked "# zwin-clock: warp" in a
#           second guest whose clock skips idle time)
# Ends with "N passed, N failed, N skipped"; exits non-zero on any failure.
# ZWIN_SCENARIOS="a b" or ZWIN_KERNELS="rel" narrow the run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
"$ZWIN_TOP/scripts/setup.sh" || die "setup failed"

pass=0 fail=0 skip=0
record() { # record STATUS NAME
	if [ "$1" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok - $2"
	else
		fail=$((fail + 1))
		echo "not ok - $2"
	fi
}
# add_counts OUTPUT: adds a layer's closing "N passed, N failed[, N skipped]".
add_counts() {
	local line p f s
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' <<< "$1" | tail -1)
	p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<< "$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<< "$line")
	s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<< "$line")
	if [ -z "$line" ]; then
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + ${s:-0}))
}

log "lint"
"$ZWIN_TOP/scripts/checkpatch.sh" > /tmp/zwin-checkpatch.log 2>&1
rc=$?
[ $rc -eq 0 ] || cat /tmp/zwin-checkpatch.log
record $rc "checkpatch --strict"

declare -A ko
for k in $ZWIN_KERNELS; do
	out=$("$ZWIN_TOP/scripts/build-module.sh" "$k")
	rc=$?
	record $rc "build without warnings against $k"
	[ $rc -eq 0 ] && ko[$k]=$out
	"$ZWIN_TOP/scripts/build-module.sh" "$k" C=2 > /dev/null
	record $? "sparse clean against $k"
done
# A kernel without kprobes: the module must build and refuse to load
# (scenario nokprobes); here, it must not even reference kprobes.
declare -A nokp
for k in $ZWIN_KERNELS; do
	out=$(ZWIN_BUILD_TAG=nokprobes "$ZWIN_TOP/scripts/build-module.sh" "$k" \
		KCFLAGS=-DZWIN_TEST_NO_KPROBES)
	rc=$?
	if [ $rc -eq 0 ]; then
		# files, not pipes: grep -q stopping early fails pipefail
		nm -u "$out" > /tmp/zwin-nokprobes.nm
		strings "$out" > /tmp/zwin-nokprobes.strings
		grep -q 'register_kprobe' /tmp/zwin-nokprobes.nm && rc=1
		grep -q 'has no CONFIG_KPROBES' /tmp/zwin-nokprobes.strings || rc=1
	fi
	record $rc "a build as if $k had no CONFIG_KPROBES has no kprobe calls"
	[ $rc -eq 0 ] && nokp[$k]=$out
done
# The sparse build replaced the objects; build the module again for use.
for k in "${!ko[@]}"; do
	"$ZWIN_TOP/scripts/build-module.sh" "$k" > /dev/null || unset "ko[$k]"
done
# DKMS packaging: make dkms-install/dkms-remove in a private DKMS tree.
for k in $ZWIN_KERNELS; do
	ZWIN_KERNELS=$k "$ZWIN_TOP/scripts/dkms-check.sh" > /tmp/zwin-dkms.log 2>&1
	rc=$?
	[ $rc -eq 0 ] || sed "s/^/# /" /tmp/zwin-dkms.log
	record $rc "dkms install, modinfo and remove against $k"
done

"$ZWIN_TOP/scripts/docs.sh" > /tmp/zwin-docs.log 2>&1
rc=$?
[ $rc -eq 0 ] || sed "s/^/# /" /tmp/zwin-docs.log
record $rc "Documentation/*.rst render without docutils warnings"

python3 "$ZWIN_TOP/tests/tools/test_zwin_stat.py" > /tmp/zwin-stat-test.log 2>&1
rc=$?
[ $rc -eq 0 ] || sed "s/^/# /" /tmp/zwin-stat-test.log
record $rc "scripts/zwin-stat on fake counter files (tests/tools)"

python3 "$ZWIN_TOP/tests/tools/test_docs.py" > /tmp/zwin-docs-test.log 2>&1
rc=$?
[ $rc -eq 0 ] || sed "s/^/# /" /tmp/zwin-docs-test.log
record $rc "admin guide's counters and sysctls (names, ranges, defaults) are the code's (tests/tools)"

log "kunit"
out=$("$ZWIN_TOP/scripts/kunit.sh" 2>&1)
echo "$out" | grep -E '^(ok|not ok|#)' | grep -v '^ok' || true
echo "$out" | tail -1
add_counts "$out"

# Every scenario, plus the demo so that `make demo` cannot rot.
scenarios=${ZWIN_SCENARIOS:-$(cd "$ZWIN_TOP/tests/guest/scenarios" && ls ./*.sh | sed 's|^\./||; s|\.sh$||' | tr '\n' ' ') demo}
# Scenarios marked "# zwin-clock: warp" wait out minutes of timers: they
# run in a second guest whose clock skips idle time (scripts/guest.sh).
normal="" warp=""
for s in $scenarios; do
	if grep -qx '# zwin-clock: warp' "$ZWIN_TOP/tests/guest/scenarios/$s.sh" 2> /dev/null; then
		warp="$warp $s"
	else
		normal="$normal $s"
	fi
done
for k in $ZWIN_KERNELS; do
	log "guest $k:$normal"
	if [ -z "${ko[$k]:-}" ]; then
		for s in $scenarios; do record 1 "$k $s (no module)"; done
		continue
	fi
	if [ -n "$normal" ]; then
		# shellcheck disable=SC2086
		out=$(ZWIN_EXTRA_KO=${nokp[$k]:+nokprobes=${nokp[$k]}} \
			"$ZWIN_TOP/scripts/guest.sh" "$k" "${ko[$k]}" $normal 2>&1)
		echo "$out"
		add_counts "$out"
	fi
	[ -n "$warp" ] || continue
	log "guest $k, clock warp:$warp"
	# shellcheck disable=SC2086
	out=$(ZWIN_CLOCK_WARP=1 ZWIN_RUN_DIR="$ZWIN_CACHE/runs/$k-warp" \
		"$ZWIN_TOP/scripts/guest.sh" "$k" "${ko[$k]}" $warp 2>&1)
	echo "$out"
	add_counts "$out"
done

log "make check took $(( $(date +%s) - t0 )) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
