#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh: runs `make dkms-install` and `make dkms-remove` for each
# kernel of $ZWIN_KERNELS in a private DKMS tree under a temporary directory
# (dkms --dkmstree, --sourcetree, --installtree, --no-depmod), so neither
# /var/lib/dkms, /usr/src nor /lib/modules is touched. Checks that the
# module DKMS built and installed is there, built for that kernel, and that
# modinfo shows its description, version (ZWIN_VERSION), alias, license and
# hash_bits parameter. Prints "ok - ..." or "not ok - ..." per kernel; exits
# non-zero if any failed (with the log); ZWIN_VERBOSE=1 shows every log.
# Needs root (dkms) and the kernels' headers.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

command -v dkms > /dev/null || die "dkms is not installed (run scripts/setup.sh)"
ver=$(sed -n 's/^#define ZWIN_VERSION[[:space:]]*"\(.*\)"/\1/p' "$ZWIN_TOP/include/zwin.h")
[ -n "$ver" ] || die "no ZWIN_VERSION in include/zwin.h"

t=$(mktemp -d /tmp/zwin-dkms.XXXXXX)
trap 'rm -rf "$t"' EXIT
# dkms signs modules with a key it creates in /var/lib/dkms unless these
# (framework.conf variables, also read from the environment) say otherwise.
export mok_signing_key=$t/mok.key mok_certificate=$t/mok.pub
dkms="dkms --dkmstree $t/dkms --sourcetree $t/src --installtree $t/modules --no-depmod"

# What a stray write to the system's trees would change.
system_state() { # system_state RELEASE
	find /var/lib/dkms /usr/src /lib/modules/"$1" -maxdepth 2 \
		-printf '%p %s %T@\n' 2> /dev/null | sort | sha1sum
}

re() { # a literal in an extended regex (versions: dots and pluses)
	local s=${1//./\\.}
	echo "${s//+/\\+}"
}

check() { # check RELEASE: all output is the log
	local k=$1 before ko info f
	before=$(system_state "$k")
	[ "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$ZWIN_TOP/dkms.conf")" = "$ver" ] || {
		echo "dkms.conf PACKAGE_VERSION is not ZWIN_VERSION $ver"; return 1; }
	mkdir -p "$t/dkms" "$t/src" "$t/modules/$k"
	make -C "$ZWIN_TOP" --no-print-directory dkms-install KVER="$k" \
		DKMS="$dkms" DKMS_SRC="$t/src" || return 1
	$dkms status ipvs-zwin/"$ver" -k "$k"
	ko=$(find "$t/modules/$k" -name 'ip_vs_zwin.ko*')
	if [ -z "$ko" ] || [ "$(wc -l <<< "$ko")" -ne 1 ]; then
		echo "no single ip_vs_zwin.ko* installed under $t/modules/$k"
		return 1
	fi
	echo "installed: ${ko#"$t"/modules/}"
	case $ko in */updates/*) ;; *) echo "not under updates/"; return 1 ;; esac
	f=$(find "$t/dkms/ipvs-zwin/$ver/$k" -path '*/module/ip_vs_zwin.ko*')
	[ -n "$f" ] || { echo "no built module in the DKMS tree"; return 1; }
	info=$(modinfo "$ko") || return 1
	echo "$info"
	for want in "^description: .*zero-window SYN proxy" "^version: *$(re "$ver")\$" \
		"^alias: *ip_vs_pe_zwin\$" "^license: *GPL\$" "^parm: *hash_bits:" \
		"^vermagic: *$(re "$k") "; do
		grep -Eq "$want" <<< "$info" || { echo "modinfo lacks /$want/"; return 1; }
	done
	make -C "$ZWIN_TOP" --no-print-directory dkms-remove KVER="$k" \
		DKMS="$dkms" DKMS_SRC="$t/src" || return 1
	[ -z "$(find "$t/modules/$k" -name 'ip_vs_zwin.ko*')" ] || {
		echo "dkms-remove left the module installed"; return 1; }
	[ ! -e "$t/src/ipvs-zwin-$ver" ] || { echo "dkms-remove left the sources"; return 1; }
	[ -z "$($dkms status ipvs-zwin)" ] || { echo "dkms-remove left it registered"; return 1; }
	[ "$(system_state "$k")" = "$before" ] || {
		echo "/var/lib/dkms, /usr/src or /lib/modules/$k changed"; return 1; }
}

failed=0
for k in $ZWIN_KERNELS; do
	name="dkms-install, modinfo, dkms-remove in a private tree for $k"
	if check "$k" > "$t/$k.log" 2>&1; then
		[ -z "${ZWIN_VERBOSE:-}" ] || sed 's/^/# /' "$t/$k.log"
		echo "ok - $name"
	else
		sed 's/^/# /' "$t/$k.log"
		echo "not ok - $name"
		failed=1
	fi
done
exit $failed
