// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: netfilter hooks.
 *
 * PRE_ROUTING, after defragmentation and the raw table but before
 * conntrack, so that SYNs the proxy answers never create conntrack or IPVS
 * state. Non-TCP packets and TCP packets other than a bare SYN leave after
 * two header checks.
 */

#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/skbuff.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>

#include "zwin.h"

/* Between the raw table (-300) and conntrack (-200). */
#define ZWIN_PRI_PRE_ROUTING	(NF_IP_PRI_CONNTRACK - 10)

static const enum zwin_stat zwin_class_stat[] = {
	[ZWIN_CLS_NONE]		= ZWIN_STAT_MAX,
	[ZWIN_CLS_PLAIN]	= ZWIN_STAT_SYN_PLAIN,
	[ZWIN_CLS_NODEST]	= ZWIN_STAT_SYN_NODEST,
	[ZWIN_CLS_NONAT]	= ZWIN_STAT_SYN_NONAT,
	[ZWIN_CLS_PROXY]	= ZWIN_STAT_SYN_ZWIN,
};

/*
 * Classifies and counts a SYN; returns what the proxy will act on. The
 * proxy is off in this namespace when zwin_enable is 0: such SYNs go to
 * IPVS untouched and are counted apart.
 */
static enum zwin_class zwin_syn_class(struct zwin_net *zn, int af,
				      const union nf_inet_addr *daddr,
				      __be16 dport)
{
	enum zwin_class cls;

	zwin_stat_inc(zn, ZWIN_STAT_SYN_SEEN);
	cls = zwin_classify(zn->net, af, daddr, dport);
	if (cls == ZWIN_CLS_PROXY && !READ_ONCE(zn->sysctl_enable)) {
		zwin_stat_inc(zn, ZWIN_STAT_SYN_DISABLED);
		return ZWIN_CLS_PLAIN;
	}
	if (zwin_class_stat[cls] != ZWIN_STAT_MAX)
		zwin_stat_inc(zn, zwin_class_stat[cls]);
	return cls;
}

static bool zwin_is_bare_syn(const struct tcphdr *th)
{
	return th->syn && !(th->ack || th->rst || th->fin);
}

static unsigned int zwin_ipv4_pre_routing(void *priv, struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	union nf_inet_addr daddr = {};
	const struct tcphdr *th;
	struct tcphdr _th;

	/* ip_rcv() validated and linearised the IPv4 header. */
	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
		return NF_ACCEPT;
	th = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_th), &_th);
	if (!th || !zwin_is_bare_syn(th))
		return NF_ACCEPT;

	daddr.ip = iph->daddr;
	zwin_syn_class(zwin_pernet(state->net), AF_INET, &daddr, th->dest);
	return NF_ACCEPT;
}

static const struct nf_hook_ops zwin_nf_ops[] = {
	{
		.hook		= zwin_ipv4_pre_routing,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= ZWIN_PRI_PRE_ROUTING,
	},
};

/**
 * zwin_hooks_register() - attach the proxy's netfilter hooks to @net
 * @net: network namespace being set up
 *
 * Return: 0 or a negative errno.
 */
int zwin_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, zwin_nf_ops, ARRAY_SIZE(zwin_nf_ops));
}

/**
 * zwin_hooks_unregister() - detach the hooks from @net
 * @net: network namespace being torn down
 *
 * Waits until no packet of @net runs in the hooks any more.
 */
void zwin_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, zwin_nf_ops, ARRAY_SIZE(zwin_nf_ops));
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/hook_test.c"
#endif
