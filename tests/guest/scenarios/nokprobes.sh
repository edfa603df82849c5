#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A kernel without CONFIG_KPROBES: the module cannot locate IPVS's service
# lookup and must refuse to load, saying why, rather than load and fail
# later. scripts/check.sh builds that variant (include/compat.h,
# ZWIN_TEST_NO_KPROBES) and scripts/guest.sh installs it as
# zwin-test/nokprobes.ko; this guest's kernel has kprobes, so only the
# module's own check can refuse it.
. "$(dirname "$0")/../lib.sh"
set -e

ko=/lib/modules/$(uname -r)/zwin-test/nokprobes.ko
check "the no-kprobes variant was installed (make check builds it)" test -f "$ko"
host modprobe ip_vs
check "it refuses to load" bash -c "! insmod $ko 2>/dev/null"
check "the kernel log says why" bash -c \
	"dmesg | grep -q 'this kernel has no CONFIG_KPROBES: cannot locate ip_vs_service_find() in ip_vs; refusing to load'"
check "it is not loaded" bash -c "! grep -q '^ip_vs_zwin ' /proc/modules"
check "the real module still loads" modprobe ip_vs_zwin
