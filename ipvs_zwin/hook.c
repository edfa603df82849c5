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
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>

#include "zwin.h"

/* Between the raw table (-300) and conntrack (-200), same for IPv6. */
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

#define ZWIN_NONAT_MSG "has --pe zwin but DR or tunnel real servers, whose replies bypass the balancer: its connections are not proxied (only NAT -m servers can be)\n"

static void zwin_warn_nonat(int af, const union nf_inet_addr *daddr,
			    __be16 dport)
{
	if (af == AF_INET6)
		pr_warn_ratelimited("service [%pI6c]:%u " ZWIN_NONAT_MSG,
				    &daddr->in6, ntohs(dport));
	else
		pr_warn_ratelimited("service %pI4:%u " ZWIN_NONAT_MSG,
				    &daddr->ip, ntohs(dport));
}

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
		zwin_warn_nonat(af, daddr, dport);
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

/* A client segment of a connection the proxy already tracks. */
static unsigned int zwin_client_pkt(struct zwin_net *zn, struct zwin_conn *c,
				    struct sk_buff *skb,
				    const struct zwin_tuple *t,
				    const struct tcphdr *th, unsigned int thoff)
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
	case ZWIN_S_RESET:
		/* the client was reset; what it sent meanwhile goes nowhere */
		return NF_DROP;
	case ZWIN_S_CLOSING:
		if (zwin_is_bare_syn(th)) {
			/* port reuse: the old connection is over */
			zwin_conn_kill(c);
			if (zwin_syn_class(zn, t->af, &t->vaddr, t->vport) ==
			    ZWIN_CLS_PROXY)
				return zwin_client_syn(zn, skb, t, thoff);
			return NF_ACCEPT;
		}
		fallthrough;
	default:
		if (zwin_is_bare_syn(th))
			return NF_DROP;
		return zwin_to_server(c, skb, thoff);
	}
}

/* Client to virtual address, family-neutral: @t and @thoff are parsed. */
static unsigned int zwin_pre_routing(struct zwin_net *zn, struct sk_buff *skb,
				     const struct zwin_tuple *t,
				     unsigned int thoff)
{
	const struct tcphdr *th;
	struct zwin_conn *c;
	struct tcphdr _th;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	if (atomic_read(&zn->conn_count)) {
		c = zwin_conn_find(zn, t);
		if (c)
			return zwin_client_pkt(zn, c, skb, t, th, thoff);
	}
	if (zwin_is_bare_syn(th)) {
		if (zwin_syn_class(zn, t->af, &t->vaddr, t->vport) ==
		    ZWIN_CLS_PROXY)
			return zwin_client_syn(zn, skb, t, thoff);
	} else if (zwin_is_bare_ack(th) &&
		   time_before(jiffies, READ_ONCE(zn->last_synack) +
			       ZWIN_COOKIE_WINDOW) &&
		   READ_ONCE(zn->sysctl.enable) &&
		   zwin_classify(zn->net, t->af, &t->vaddr, t->vport) ==
		   ZWIN_CLS_PROXY) {
		return zwin_client_ack(zn, skb, t, thoff);
	}
	return NF_ACCEPT;
}

/* Server to client, after IPVS's FORWARD hook gave them the VIP back. */
static unsigned int zwin_forward(struct zwin_net *zn, struct sk_buff *skb,
				 const struct zwin_tuple *t, unsigned int thoff)
{
	struct zwin_conn *c = zwin_conn_find(zn, t);

	if (!c)
		return NF_ACCEPT;
	/* pairs with the release in zwin_server_synack(): fields are set */
	switch (smp_load_acquire(&c->state)) {
	case ZWIN_S_SYN_SENT:
		return zwin_server_synack(c, skb, thoff);
	case ZWIN_S_RESET:
		return NF_DROP;
	default:
		return zwin_to_client(c, skb, thoff);
	}
}

/*
 * Fills @t from @skb's addresses and TCP ports; @reply swaps the sides
 * (server to client segments). Returns false for anything but an
 * unfragmented TCP segment whose ports can be read.
 */
static bool zwin_ipv4_tuple(struct sk_buff *skb, bool reply,
			    struct zwin_tuple *t, unsigned int *thoff)
{
	const struct iphdr *iph = ip_hdr(skb);
	__be16 _ports[2];
	const __be16 *ports;

	/* ip_rcv() validated and linearised the IPv4 header. */
	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph))
		return false;
	*thoff = ip_hdrlen(skb);
	ports = skb_header_pointer(skb, *thoff, sizeof(_ports), _ports);
	if (!ports)
		return false;
	memset(t, 0, sizeof(*t));
	t->af = AF_INET;
	t->caddr.ip = reply ? iph->daddr : iph->saddr;
	t->vaddr.ip = reply ? iph->saddr : iph->daddr;
	t->cport = ports[reply ? 1 : 0];
	t->vport = ports[reply ? 0 : 1];
	return true;
}

/*
 * IPv6: only TCP directly after the fixed header is considered; segments
 * with extension headers pass untouched (never proxied, never parsed).
 */
static bool zwin_ipv6_tuple(struct sk_buff *skb, bool reply,
			    struct zwin_tuple *t, unsigned int *thoff)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	__be16 _ports[2];
	const __be16 *ports;

	if (ip6h->nexthdr != IPPROTO_TCP)
		return false;
	*thoff = sizeof(*ip6h);
	ports = skb_header_pointer(skb, *thoff, sizeof(_ports), _ports);
	if (!ports)
		return false;
	memset(t, 0, sizeof(*t));
	t->af = AF_INET6;
	t->caddr.in6 = reply ? ip6h->daddr : ip6h->saddr;
	t->vaddr.in6 = reply ? ip6h->saddr : ip6h->daddr;
	t->cport = ports[reply ? 1 : 0];
	t->vport = ports[reply ? 0 : 1];
	return true;
}

static unsigned int zwin_ipv4_pre_routing(void *priv, struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	struct zwin_tuple t;
	unsigned int thoff;

	if (!zwin_ipv4_tuple(skb, false, &t, &thoff))
		return NF_ACCEPT;
	return zwin_pre_routing(zwin_pernet(state->net), skb, &t, thoff);
}

static unsigned int zwin_ipv6_pre_routing(void *priv, struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	struct zwin_tuple t;
	unsigned int thoff;

	if (!zwin_ipv6_tuple(skb, false, &t, &thoff))
		return NF_ACCEPT;
	return zwin_pre_routing(zwin_pernet(state->net), skb, &t, thoff);
}

static unsigned int zwin_ipv4_forward(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct zwin_net *zn = zwin_pernet(state->net);
	struct zwin_tuple t;
	unsigned int thoff;

	if (!atomic_read(&zn->conn_count) ||
	    !zwin_ipv4_tuple(skb, true, &t, &thoff))
		return NF_ACCEPT;
	return zwin_forward(zn, skb, &t, thoff);
}

static unsigned int zwin_ipv6_forward(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct zwin_net *zn = zwin_pernet(state->net);
	struct zwin_tuple t;
	unsigned int thoff;

	if (!atomic_read(&zn->conn_count) ||
	    !zwin_ipv6_tuple(skb, true, &t, &thoff))
		return NF_ACCEPT;
	return zwin_forward(zn, skb, &t, thoff);
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
	{
		.hook		= zwin_ipv6_pre_routing,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= ZWIN_PRI_PRE_ROUTING,
	},
	{
		.hook		= zwin_ipv6_forward,
		.pf		= NFPROTO_IPV6,
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
#include "../tests/kunit/fuzz_test.c"
#endif
