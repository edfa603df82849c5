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

static int zwin_mss_min = 536, zwin_mss_max = 65535;
static int zwin_wscale_max = 14;
static int zwin_retries_max = 10;
static int zwin_timeout_min = 100, zwin_timeout_max = 60000;
static int zwin_storm_max = 60000;

#define ZWIN_INT(_name, _field, _min, _max) {				\
	.procname	= "zwin_" _name,				\
	.data		= (void *)offsetof(struct zwin_sysctl, _field),	\
	.maxlen		= sizeof(int),					\
	.mode		= 0644,						\
	.proc_handler	= proc_dointvec_minmax,				\
	.extra1		= _min,						\
	.extra2		= _max,						\
}

/* .data holds offsets into struct zwin_sysctl until a namespace copies it */
static struct ctl_table zwin_sysctl_template[] = {
	ZWIN_INT("enable", enable, SYSCTL_ZERO, SYSCTL_TWO),
	ZWIN_INT("mss", mss, &zwin_mss_min, &zwin_mss_max),
	ZWIN_INT("wscale", wscale, SYSCTL_ZERO, &zwin_wscale_max),
	ZWIN_INT("sack", sack, SYSCTL_ZERO, SYSCTL_ONE),
	ZWIN_INT("timestamps", timestamps, SYSCTL_ZERO, SYSCTL_ONE),
	ZWIN_INT("syn_retries", syn_retries, SYSCTL_ZERO, &zwin_retries_max),
	ZWIN_INT("syn_timeout_ms", syn_timeout_ms, &zwin_timeout_min,
		 &zwin_timeout_max),
	ZWIN_INT("max_conns", max_conns, SYSCTL_ZERO, SYSCTL_INT_MAX),
	ZWIN_INT("max_pending", max_pending, SYSCTL_ZERO, SYSCTL_INT_MAX),
	ZWIN_INT("ack_storm", ack_storm, SYSCTL_ZERO, &zwin_storm_max),
	ZWIN_INT("synack_direct", synack_direct, SYSCTL_ZERO, SYSCTL_ONE),
	/* key.c: .data becomes the namespace's struct zwin_net */
	{
		.procname	= "zwin_cookie_key",
		.mode		= 0200,	/* never readable, by root neither */
		.proc_handler	= zwin_key_sysctl,
	},
	{
		.procname	= "zwin_cookie_key_fp",
		.mode		= 0444,
		.proc_handler	= zwin_key_fp_sysctl,
	},
	{ }	/* sentinel, for kernels without register_net_sysctl_sz */
};

#define ZWIN_SYSCTL_COUNT	(ARRAY_SIZE(zwin_sysctl_template) - 1)

static const struct zwin_sysctl zwin_sysctl_defaults = {
	.enable		= 1,
	.mss		= 1460,
	.wscale		= 7,
	.sack		= 1,
	.timestamps	= 1,
	.syn_retries	= 3,
	.syn_timeout_ms	= 1000,
	.max_conns	= 262144,
	.max_pending	= 4096,
	.ack_storm	= 1000,
	.synack_direct	= 1,
};

/**
 * zwin_sysctl_init() - defaults and the namespace's sysctl table
 * @zn: the namespace's proxy state
 *
 * Return: 0 or -ENOMEM.
 */
int zwin_sysctl_init(struct zwin_net *zn)
{
	struct ctl_table *tbl;
	unsigned int i, n;

	zn->sysctl = zwin_sysctl_defaults;
	zn->ws_cur = zn->sysctl.wscale;
	zn->ws_prev = zn->ws_cur;
	tbl = kmemdup(zwin_sysctl_template, sizeof(zwin_sysctl_template),
		      GFP_KERNEL);
	if (!tbl)
		return -ENOMEM;
	for (i = 0; i < ZWIN_SYSCTL_COUNT; i++) {
		if (tbl[i].proc_handler == proc_dointvec_minmax)
			tbl[i].data = (char *)&zn->sysctl +
				      (uintptr_t)tbl[i].data;
		else
			tbl[i].data = zn;
	}
	/* as IPVS hides its own: not for unprivileged namespace owners */
	n = ZWIN_SYSCTL_COUNT;
	if (zn->net->user_ns != &init_user_ns) {
		tbl[0].procname = NULL;
		n = 0;
	}

	zn->sysctl_hdr = zwin_register_net_sysctl(zn->net, "net/ipv4/vs", tbl,
						  n);
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

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/sysctl_test.c"
#endif
