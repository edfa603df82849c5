// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: netfilter hooks.
 *
 * PRE_ROUTING, after defragmentation and the raw table but before
 * conntrack: client SYNs answered (no conntrack or IPVS state), client
 * ACKs checked against their cookie, client segments of proxied
 * connections translated. FORWARD, just after IPVS: server segments of
 * proxied connections. Packets of other connections leave after a few
 * header tests and, while the namespace has proxied connections, one hash
 * lookup.
 */

#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/skbuff.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>

#include "zwin.h"

/* Between the raw table (-300) and conntrack (-200). */
#define ZWIN_PRI_PRE_ROUTING	(NF_IP_PRI_CONNTRACK - 10)
/* Just after IPVS's FORWARD hook (100), which restores the VIP. */
#define ZWIN_PRI_FORWARD	101

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
	if (cls == ZWIN_CLS_PROXY && !READ_ONCE(zn->sysctl.enable)) {
		zwin_stat_inc(zn, ZWIN_STAT_SYN_DISABLED);
		return ZWIN_CLS_PLAIN;
	}
	if (zwin_class_stat[cls] != ZWIN_STAT_MAX)
		zwin_stat_inc(zn, zwin_class_stat[cls]);
	if (cls == ZWIN_CLS_NONAT)
		pr_warn_ratelimited("service %pI4:%u has --pe zwin but DR or tunnel real servers, whose replies bypass the balancer: its connections are not proxied (only NAT -m servers can be)\n",
				    &daddr->ip, ntohs(dport));
	return cls;
}

static bool zwin_is_bare_syn(const struct tcphdr *th)
{
	return th->syn && !(th->ack || th->rst || th->fin);
}

static bool zwin_is_bare_ack(const struct tcphdr *th)
{
	return th->ack && !(th->syn || th->rst || th->fin);
}

/* A cookie is valid for at most two periods after the last SYN-ACK. */
#define ZWIN_COOKIE_WINDOW	(130 * HZ)

static void zwin_tuple_v4(struct zwin_tuple *t, __be32 caddr, __be32 vaddr,
			  __be16 cport, __be16 vport)
{
	memset(t, 0, sizeof(*t));
	t->af = AF_INET;
	t->caddr.ip = caddr;
	t->vaddr.ip = vaddr;
	t->cport = cport;
	t->vport = vport;
}

/* A client segment of a connection the proxy already tracks. */
static unsigned int zwin_client_pkt(struct zwin_net *zn, struct zwin_conn *c,
				    struct sk_buff *skb,
				    const struct zwin_tuple *t,
				    const struct tcphdr *th)
{
	/* pairs with the release in zwin_server_synack(): fields are set */
	switch (smp_load_acquire(&c->state)) {
	case ZWIN_S_SYN_SENT:
		/* our own SYN, injected on the client's device */
		if (zwin_is_bare_syn(th) && ntohl(th->seq) == c->client_isn)
			return NF_ACCEPT;
		if (th->rst) {
			zwin_conn_kill(c);
			return NF_DROP;
		}
		/* window probes, repeated ACKs: the client sends them again */
		zwin_stat_inc(zn, ZWIN_STAT_EARLY_DROP);
		return NF_DROP;
	case ZWIN_S_CLOSING:
		if (zwin_is_bare_syn(th)) {
			/* port reuse: the old connection is over */
			zwin_conn_kill(c);
			if (zwin_syn_class(zn, t->af, &t->vaddr, t->vport) ==
			    ZWIN_CLS_PROXY)
				return zwin_client_syn(zn, skb, t, th);
			return NF_ACCEPT;
		}
		fallthrough;
	default:
		if (zwin_is_bare_syn(th))
			return NF_DROP;
		return zwin_to_server(c, skb, ip_hdrlen(skb));
	}
}

static unsigned int zwin_ipv4_pre_routing(void *priv, struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct zwin_net *zn = zwin_pernet(state->net);
	const struct tcphdr *th;
	struct zwin_tuple t;
	struct zwin_conn *c;
	struct tcphdr _th;

	/* ip_rcv() validated and linearised the IPv4 header. */
	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
		return NF_ACCEPT;
	th = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;

	zwin_tuple_v4(&t, iph->saddr, iph->daddr, th->source, th->dest);

	if (atomic_read(&zn->conn_count)) {
		c = zwin_conn_find(zn, &t);
		if (c)
			return zwin_client_pkt(zn, c, skb, &t, th);
	}
	if (zwin_is_bare_syn(th)) {
		if (zwin_syn_class(zn, AF_INET, &t.vaddr, t.vport) ==
		    ZWIN_CLS_PROXY)
			return zwin_client_syn(zn, skb, &t, th);
	} else if (zwin_is_bare_ack(th) &&
		   time_before(jiffies, READ_ONCE(zn->last_synack) +
			       ZWIN_COOKIE_WINDOW) &&
		   READ_ONCE(zn->sysctl.enable) &&
		   zwin_classify(state->net, AF_INET, &t.vaddr, t.vport) ==
		   ZWIN_CLS_PROXY) {
		return zwin_client_ack(zn, skb, &t, th);
	}
	return NF_ACCEPT;
}

/* Server segments, after IPVS's FORWARD hook gave them the VIP back. */
static unsigned int zwin_ipv4_forward(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct zwin_net *zn = zwin_pernet(state->net);
	const struct tcphdr *th;
	struct zwin_tuple t;
	struct zwin_conn *c;
	struct tcphdr _th;

	if (!atomic_read(&zn->conn_count) || iph->protocol != IPPROTO_TCP ||
	    ip_is_fragment(iph))
		return NF_ACCEPT;
	th = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;

	zwin_tuple_v4(&t, iph->daddr, iph->saddr, th->dest, th->source);
	c = zwin_conn_find(zn, &t);
	if (!c)
		return NF_ACCEPT;
	/* pairs with the release in zwin_server_synack(): fields are set */
	if (smp_load_acquire(&c->state) == ZWIN_S_SYN_SENT)
		return zwin_server_synack(c, skb, th);
	return zwin_to_client(c, skb, ip_hdrlen(skb));
}

static const struct nf_hook_ops zwin_nf_ops[] = {
	{
		.hook		= zwin_ipv4_pre_routing,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= ZWIN_PRI_PRE_ROUTING,
	},
	{
		.hook		= zwin_ipv4_forward,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_FORWARD,
		.priority	= ZWIN_PRI_FORWARD,
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
