/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where differences between the kernels ipvs-zwin supports
 * (Debian 6.1 and 6.12, and whatever backports they carry) are bridged.
 * Force-included into every object by Kbuild. Each test below probes the
 * headers we compile against, never LINUX_VERSION_CODE: Debian's sublevels
 * and backports make version numbers lie.
 */
#ifndef _ZWIN_COMPAT_H
#define _ZWIN_COMPAT_H

/*
 * scripts/check.sh builds the module once more as if the kernel had no
 * kprobes, and a guest scenario (nokprobes) checks that it refuses to load.
 * Before any header, so that <linux/kprobes.h> gives its stubs.
 */
#ifdef ZWIN_TEST_NO_KPROBES
#undef CONFIG_KPROBES
#endif

#include <net/net_namespace.h>

/*
 * register_net_sysctl_sz() came with commit 3ca9e5ec ("sysctl: Add size to
 * register_net_sysctl function"), which also turned register_net_sysctl()
 * into a macro around it. Before it, a table ends with an empty sentinel
 * entry, which callers always provide; @n counts the entries before it.
 */
#ifdef register_net_sysctl
#define zwin_register_net_sysctl(net, path, tbl, n) \
	register_net_sysctl_sz(net, path, tbl, n)
#else
#define zwin_register_net_sysctl(net, path, tbl, n) \
	((void)(n), register_net_sysctl(net, path, tbl))
#endif

/*
 * <asm/unaligned.h> moved to <linux/unaligned.h> in commit 5f60d5f6bbc1
 * ("move asm/unaligned.h to linux/unaligned.h"). Kbuild defines
 * ZWIN_HAVE_LINUX_UNALIGNED_H when the headers have the new file.
 */
#ifdef ZWIN_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * Sysctl handlers take a const table since commit 78eb4ea25cd5 ("sysctl:
 * treewide: constify the ctl_table argument of proc_handlers"). Kbuild
 * defines ZWIN_HAVE_CONST_CTL_TABLE when <linux/sysctl.h> says so.
 */
#ifdef ZWIN_HAVE_CONST_CTL_TABLE
#define zwin_ctl_table_t const struct ctl_table
#else
#define zwin_ctl_table_t struct ctl_table
#endif

#endif /* _ZWIN_COMPAT_H */
