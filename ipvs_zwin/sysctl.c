// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: per network namespace sysctls, net.ipv4.vs.zwin_*.
 * IPVS owns net/ipv4/vs; a second table at the same path merges with it.
 * Documented in Documentation/admin-guide.rst.
 */

#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "zwin.h"

enum {
	ZWIN_SYSCTL_ENABLE,
	ZWIN_SYSCTL_COUNT
};

static struct ctl_table zwin_sysctl_template[ZWIN_SYSCTL_COUNT + 1] = {
	[ZWIN_SYSCTL_ENABLE] = {
		.procname	= "zwin_enable",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	/* empty sentinel, needed by kernels without register_net_sysctl_sz */
};

/**
 * zwin_sysctl_init() - register @zn's namespace copy of the sysctl table
 * @zn: the namespace's proxy state
 *
 * Return: 0 or -ENOMEM.
 */
int zwin_sysctl_init(struct zwin_net *zn)
{
	struct ctl_table *tbl;

	tbl = kmemdup(zwin_sysctl_template, sizeof(zwin_sysctl_template),
		      GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	tbl[ZWIN_SYSCTL_ENABLE].data = &zn->sysctl_enable;

	zn->sysctl_hdr = zwin_register_net_sysctl(zn->net, "net/ipv4/vs", tbl,
						  ZWIN_SYSCTL_COUNT);
	if (!zn->sysctl_hdr) {
		kfree(tbl);
		return -ENOMEM;
	}
	zn->sysctl_tbl = tbl;
	return 0;
}

/**
 * zwin_sysctl_exit() - unregister and free @zn's sysctl table
 * @zn: the namespace's proxy state
 */
void zwin_sysctl_exit(struct zwin_net *zn)
{
	unregister_net_sysctl_table(zn->sysctl_hdr);
	kfree(zn->sysctl_tbl);
}
