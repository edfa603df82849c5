#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: set up, build the module for Debian's 6.12 kernel, boot a
# guest and run tests/guest/demo.sh there with its output shown live (a
# line per second while a SYN flood is absorbed), then draw the timeline
# as a PNG (scripts/demo-plot.py) and print where it is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$ZWIN_TOP/scripts/setup.sh"
rel=${ZWIN_DEMO_KERNEL:-$(echo $ZWIN_KERNELS | tr ' ' '\n' | tail -1)}
ko=$("$ZWIN_TOP/scripts/build-module.sh" "$rel")
log "booting Debian $rel under QEMU (software emulation: about a minute)"
rc=0
ZWIN_LIVE=1 "$ZWIN_TOP/scripts/guest.sh" "$rel" "$ko" demo || rc=$?
out=$ZWIN_CACHE/demo
mkdir -p "$out"
if [ -s "$ZWIN_CACHE/runs/$rel/demo-timeline.csv" ]; then
	cp "$ZWIN_CACHE/runs/$rel/demo-timeline.csv" "$out/"
	/usr/bin/python3 "$ZWIN_TOP/scripts/demo-plot.py" "$out/demo-timeline.csv" \
		"$out/demo-timeline.png"
	log "timeline: $out/demo-timeline.png (data: $out/demo-timeline.csv)"
fi
exit "$rc"
