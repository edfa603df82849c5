#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict (from Debian's linux-source-6.12) on every C file
# and header of the module and its KUnit suites (kernel code; the user-space
# benchmark tools under tests/bench are not). Exit status 0 only if it
# reports nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$("$ZWIN_TOP/scripts/kunit-tree.sh")
cd "$ZWIN_TOP"
mapfile -t files < <(git ls-files 'ipvs_zwin/*.[ch]' 'include/*.h' 'tests/kunit/*.[ch]' 'xdp/*.[ch]' 2>/dev/null ||
	find ipvs_zwin include tests/kunit xdp -name '*.[ch]')
perl "$tree/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES -f "${files[@]}"
