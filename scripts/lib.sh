# SPDX-License-Identifier: GPL-2.0
# Shared settings for ipvs-zwin scripts. Source it; do not run it.
#
# Everything downloaded or built lives under $ZWIN_CACHE (outside the
# repository), keyed by version, so a second run rebuilds only what changed.

ZWIN_CACHE=${ZWIN_CACHE:-/var/cache/ipvs-zwin}
ZWIN_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The Debian kernels the module is tested on (package names without the
# linux-image-/linux-headers- prefix). scripts/setup.sh installs their
# headers and unpacks their images; guests boot them.
ZWIN_KERNELS=${ZWIN_KERNELS:-"6.1.0-57-amd64 6.12.117+deb12-amd64"}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Version of the installed linux-source-6.12 package (the UML/KUnit tree).
linux_source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null
}
