/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit fixture: real IPVS services in init_net, created through IPVS's
 * own setsockopt interface on a kernel socket (what ipvsadm's old
 * interface does), and the zwin PE attached the way IPVS attaches it.
 */
#ifndef _ZWIN_KUNIT_FIXTURE_H
#define _ZWIN_KUNIT_FIXTURE_H

#include <kunit/test.h>
#include <linux/ip_vs.h>

struct zwin_fx {
	struct socket *sock;
	__be32 vip;
	__be16 vport;
	u32 fwmark;	/* non-zero: the helpers act on this fwmark service */
};

int zwin_fx_open(struct kunit *test, struct zwin_fx *fx, __be32 vip,
		 __be16 vport);
void zwin_fx_close(struct zwin_fx *fx);
int zwin_fx_add_service(struct zwin_fx *fx, unsigned int flags,
			unsigned int timeout);
int zwin_fx_add_dest(struct zwin_fx *fx, __be32 addr, __be16 port,
		     unsigned int fwd, int weight);
int zwin_fx_set_pe(struct zwin_fx *fx, const char *pe_name);

#endif
