/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipvs-zwin: declarations shared by the module's source files.
 */
#ifndef _ZWIN_H
#define _ZWIN_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/netfilter.h>
#include <net/netns/generic.h>
#include <net/ip_vs.h>

#define ZWIN_VERSION	"0.1.0"
#define ZWIN_PE_NAME	"zwin"

/*
 * Counters, one set per cpu per network namespace, shown in
 * /proc/net/stat/ip_vs_zwin in this order (names in stats.c).
 */
enum zwin_stat {
	ZWIN_STAT_SYN_SEEN,	/* TCP SYNs examined at PRE_ROUTING */
	ZWIN_STAT_SYN_PLAIN,	/* ... to an IPVS service without the PE */
	ZWIN_STAT_SYN_ZWIN,	/* ... to a zwin service with a NAT server */
	ZWIN_STAT_SYN_NODEST,	/* ... to a zwin service, no usable server */
	ZWIN_STAT_SYN_NONAT,	/* ... to a zwin service, no NAT server */
	ZWIN_STAT_SYN_DISABLED,	/* ... to a zwin service, zwin_enable=0 */
	ZWIN_STAT_MAX
};

struct zwin_cpu_stats {
	unsigned long cnt[ZWIN_STAT_MAX];
};

/* What a SYN's destination is, as far as the proxy is concerned. */
enum zwin_class {
	ZWIN_CLS_NONE,		/* not an IPVS TCP virtual service */
	ZWIN_CLS_PLAIN,		/* an IPVS service without the zwin PE */
	ZWIN_CLS_NODEST,	/* zwin service, no real server can take it */
	ZWIN_CLS_NONAT,		/* zwin service, usable servers are DR/TUN */
	ZWIN_CLS_PROXY,		/* zwin service with a usable NAT server */
};

/* Per network namespace state (net_generic). */
struct zwin_net {
	struct net			*net;
	struct zwin_cpu_stats __percpu	*stats;
	struct ctl_table_header		*sysctl_hdr;
	struct ctl_table		*sysctl_tbl;
	int				sysctl_enable;
};

extern unsigned int zwin_net_id;
extern struct ip_vs_pe zwin_pe;

static inline struct zwin_net *zwin_pernet(const struct net *net)
{
	return net_generic(net, zwin_net_id);
}

static inline void zwin_stat_inc(struct zwin_net *zn, enum zwin_stat s)
{
	this_cpu_inc(zn->stats->cnt[s]);
}

/* svc.c */
int zwin_svc_init(void);
enum zwin_class zwin_classify(struct net *net, int af,
			      const union nf_inet_addr *daddr, __be16 dport);

/* hook.c */
int zwin_hooks_register(struct net *net);
void zwin_hooks_unregister(struct net *net);

/* sysctl.c */
int zwin_sysctl_init(struct zwin_net *zn);
void zwin_sysctl_exit(struct zwin_net *zn);

/* stats.c */
int zwin_stats_init(struct zwin_net *zn);
void zwin_stats_exit(struct zwin_net *zn);
unsigned long zwin_stat_sum(struct zwin_net *zn, enum zwin_stat s);
extern const char *const zwin_stat_names[ZWIN_STAT_MAX];

#endif /* _ZWIN_H */
