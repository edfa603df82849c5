#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: set up, build the module for Debian's 6.12 kernel, boot a
# guest and run tests/guest/demo.sh there with its output shown live.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$ZWIN_TOP/scripts/setup.sh"
rel=${ZWIN_DEMO_KERNEL:-$(echo $ZWIN_KERNELS | tr ' ' '\n' | tail -1)}
ko=$("$ZWIN_TOP/scripts/build-module.sh" "$rel")
log "booting Debian $rel under QEMU (software emulation: about a minute)"
ZWIN_LIVE=1 "$ZWIN_TOP/scripts/guest.sh" "$rel" "$ko" demo | tail -1
