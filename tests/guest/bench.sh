#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# zwin-timeout: 3000
#
# make bench, inside the guest: the guest topology (lib.sh) and the
# benchmark itself (tests/bench/bench.sh), which writes its raw figures to
# /zwin-out/bench.csv. scripts/bench.sh boots the guest and reports.
. "$(dirname "$0")/lib.sh"
. "$ZWIN_GUEST/../bench/bench.sh"
