#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the KUnit suites (tests/kunit) in a UML kernel built from Debian's
# linux-source-6.12 with IPVS, KASAN and lockdep, with this tree linked in
# (scripts/kunit-tree.sh). The build directory is cached per source
# version, so only changed files are recompiled. Prints one line per test
# case and, last, "kunit: N passed, N failed, N skipped".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$("$ZWIN_TOP/scripts/kunit-tree.sh")
bdir=$ZWIN_CACHE/uml-$(linux_source_version)
mkdir -p "$bdir"
rm -f "$bdir/results.json" "$bdir/test.log"
log "KUnit under UML (build dir $bdir)"
rc=0
(cd "$tree" && python3 tools/testing/kunit/kunit.py run --arch=um \
	--build_dir="$bdir" --kunitconfig="$ZWIN_TOP/tests/kunit/.kunitconfig" \
	--jobs="$(nproc)" --timeout=900 --json="$bdir/results.json") \
	> "$bdir/kunit.log" 2>&1 || rc=$?

if [ ! -s "$bdir/results.json" ]; then
	tail -n 60 "$bdir/kunit.log"
	echo "not ok - kunit build or boot"
	echo "kunit: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
python3 - "$bdir/results.json" "$rc" "$bdir/test.log" <<'PY'
import json, re, sys

# Every suite the tree must run: one that stops being #included (or
# built) would otherwise vanish without a failure.
EXPECTED = {"ip_vs_zwin_af", "ip_vs_zwin_conn", "ip_vs_zwin_cookie",
            "ip_vs_zwin_direct", "ip_vs_zwin_fuzz", "ip_vs_zwin_handshake",
            "ip_vs_zwin_hook", "ip_vs_zwin_icmp", "ip_vs_zwin_key",
            "ip_vs_zwin_main", "ip_vs_zwin_options", "ip_vs_zwin_rewrite",
            "ip_vs_zwin_stats", "ip_vs_zwin_svc", "ip_vs_zwin_sync",
            "ip_vs_zwin_sysctl"}
# Reports of the kernel's own checkers (lockdep, might_sleep, WARN, BUG,
# KASAN, RCU), which KUnit prints without failing a case.
BAD = re.compile(r"WARNING:|BUG:|KASAN|possible (recursive|circular|irq) lock|"
                 r"inconsistent lock state|suspicious RCU usage|"
                 r"sleeping function called|Call Trace|INFO: rcu")

counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}

def walk(group, path):
    for case in group.get("test_cases", []):
        name = path + [case["name"]]
        st = case["status"]
        st = st if st in counts else "FAIL"
        counts[st] += 1
        word = {"PASS": "ok", "SKIP": "ok # SKIP", "FAIL": "not ok"}[st]
        print(f"{word} - kunit {'.'.join(name)}")
    for sub in group.get("sub_groups", []):
        walk(sub, path + [sub["name"]])

data = json.load(open(sys.argv[1]))
walk(data, [])
failed = counts["FAIL"]
seen = {g["name"] for g in data.get("sub_groups", [])}
for suite in sorted(EXPECTED - seen):
    failed += 1
    print(f"not ok - kunit suite {suite} did not run")
# from the first test on: UML's own boot warnings (virt-pci) are not ours
log = open(sys.argv[3], errors="replace").read()
start = log.find("TAP version")
reports = [l for l in log[max(start, 0):].splitlines() if BAD.search(l)]
if start < 0:
    reports.append("no TAP output in the kernel log")
if reports:
    failed += 1
    print("not ok - kunit kernel log has checker reports:")
    for l in reports[:20]:
        print("#   " + l)
else:
    print("ok - kunit kernel log has no lockdep, WARN, BUG, KASAN or RCU report")
    counts["PASS"] += 1
if sum(counts.values()) == 0 or (int(sys.argv[2]) and not failed):
    failed += 1
    print("not ok - kunit run (no cases, or kunit.py failed)")
print(f"kunit: {counts['PASS']} passed, {failed} failed, {counts['SKIP']} skipped")
sys.exit(1 if failed else 0)
PY
