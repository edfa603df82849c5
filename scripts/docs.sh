#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# docs.sh [OUTDIR]: make docs. Renders every Documentation/*.rst to HTML
# with docutils (python3-docutils), reporting every warning, into OUTDIR or
# a temporary directory that is then removed. Exits non-zero if any file
# has a warning or error. README is plain text and is not rendered.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

command -v rst2html > /dev/null || die "rst2html not found (apt-get install python3-docutils)"
# only the command line's settings, not ~/.docutils or /etc/docutils.conf
export DOCUTILSCONFIG=

out=${1:-}
if [ -z "$out" ]; then
	out=$(mktemp -d /tmp/zwin-docs.XXXXXX)
	trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

rc=0
for f in "$ZWIN_TOP"/Documentation/*.rst; do
	name=$(basename "$f" .rst)
	# --exit-status=warning: report them all, then fail
	if rst2html --report=warning --exit-status=warning "$f" "$out/$name.html"; then
		echo "ok - Documentation/$name.rst"
	else
		echo "not ok - Documentation/$name.rst"
		rc=1
	fi
done
exit $rc
