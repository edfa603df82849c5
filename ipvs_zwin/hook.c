// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: netfilter hooks.
 *
 * PRE_ROUTING, after defragmentation and the raw table but before
 * conntrack: client SYNs answered (no conntrack or IPVS state), client
 * ACKs checked against their cookie, client segments of proxied
 * connections translated. FORWARD, just after IPVS: server segments of
 * proxied connections. LOCAL_IN, just after IPVS: client segments of
 * proxied connections IPVS stopped forwarding. ICMP errors quoting
 * segments of proxied connections get the quote translated (icmp.c) at
 * PRE_ROUTING and FORWARD. Packets of other connections leave after a few
 * header tests and, while the namespace has proxied connections, one hash
 * lookup.
 */

#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/skbuff.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "zwin.h"

/* Between the raw table (-300) and conntrack (-200), same for IPv6. */
#define ZWIN_PRI_PRE_ROUTING	(NF_IP_PRI_CONNTRACK - 10)
/*
 * Just after IPVS: its FORWARD hook (100) restores the VIP on server
 * segments; its LOCAL_IN hook (99) takes client segments it forwards.
 */
#define ZWIN_PRI_AFTER_IPVS	101

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
static enum zwin_class zwin_syn_class(struct zwin_net *zn,
				      const struct sk_buff *skb,
				      const struct zwin_tuple *t)
{
	enum zwin_class cls;

	zwin_stat_inc(zn, ZWIN_STAT_SYN_SEEN);
	cls = zwin_classify(zn->net, t->af, skb->mark, &t->vaddr, t->vport);
	if (cls == ZWIN_CLS_PROXY && !READ_ONCE(zn->sysctl.enable)) {
		zwin_stat_inc(zn, ZWIN_STAT_SYN_DISABLED);
		return ZWIN_CLS_PLAIN;
	}
	if (zwin_class_stat[cls] != ZWIN_STAT_MAX)
		zwin_stat_inc(zn, zwin_class_stat[cls]);
	if (cls == ZWIN_CLS_NONAT)
		zwin_warn_nonat(t->af, &t->vaddr, t->vport);
	return cls;
}

/* The service @skb is for is one the proxy serves (marks included). */
static bool zwin_proxied(struct zwin_net *zn, const struct sk_buff *skb,
			 const struct zwin_tuple *t)
{
	return zwin_classify(zn->net, t->af, skb->mark, &t->vaddr,
			     t->vport) == ZWIN_CLS_PROXY;
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

/*
 * Whether a bare ACK may answer one of the proxy's cookies: within a
 * cookie's lifetime of this namespace's last SYN-ACK, or always with a
 * cluster key, whose cookies other directors may have sent.
 */
static bool zwin_cookie_window(struct zwin_net *zn)
{
	return READ_ONCE(zn->keys.shared) ||
	       time_before(jiffies, READ_ONCE(zn->last_synack) +
			   ZWIN_COOKIE_WINDOW);
}

/*
 * A client segment of @c, closed or reset, that may be the ACK of a new
 * connection on the same ports: the client reused its port and its SYN
 * went to another director (ECMP, a cluster key), so that this one never
 * saw it. A valid cookie replaces @c (zwin_client_ack()).
 *
 * Return: NF_ACCEPT if the segment is still @c's, another verdict if
 * zwin_client_ack() took it.
 */
static unsigned int zwin_reuse_ack(struct zwin_net *zn, struct zwin_conn *c,
				   struct sk_buff *skb,
				   const struct zwin_tuple *t,
				   const struct tcphdr *th, unsigned int thoff)
{
	if (!zwin_is_bare_ack(th) || !zwin_cookie_window(zn) ||
	    !READ_ONCE(zn->sysctl.enable) || !zwin_proxied(zn, skb, t))
		return NF_ACCEPT;
	return zwin_client_ack(zn, skb, t, thoff, c);
}

/* A client segment of a connection the proxy already tracks. */
static unsigned int zwin_client_pkt(struct zwin_net *zn, struct zwin_conn *c,
				    struct sk_buff *skb,
				    const struct zwin_tuple *t,
				    const struct tcphdr *th, unsigned int thoff)
{
	unsigned int verdict;

	/* pairs with the release in zwin_server_synack(): fields are set */
	switch (smp_load_acquire(&c->state)) {
	case ZWIN_S_SYN_SENT:
		/* our own SYN, injected on the client's device */
		if (zwin_is_bare_syn(th) && ntohl(th->seq) == c->client_isn)
			return NF_ACCEPT;
		/* only the client's own RST, at its exact next sequence */
		if (th->rst) {
			if (ntohl(th->seq) == c->client_isn + 1)
				zwin_conn_kill(c);
			return NF_DROP;
		}
		/* window probes, repeated ACKs: the client sends them again */
		zwin_stat_inc(zn, ZWIN_STAT_EARLY_DROP);
		return NF_DROP;
	case ZWIN_S_RESET:
		verdict = zwin_reuse_ack(zn, c, skb, t, th, thoff);
		if (verdict != NF_ACCEPT)
			return verdict;
		/*
		 * The client was reset; what it sent meanwhile goes nowhere,
		 * but for resets: among them the proxy's own to the server.
		 */
		return th->rst && !th->ack ? NF_ACCEPT : NF_DROP;
	case ZWIN_S_CLOSING:
		if (zwin_is_bare_syn(th)) {
			/* port reuse: the old connection is over */
			zwin_conn_kill(c);
			if (zwin_syn_class(zn, skb, t) == ZWIN_CLS_PROXY)
				return zwin_client_syn(zn, skb, t, thoff);
			return NF_ACCEPT;
		}
		verdict = zwin_reuse_ack(zn, c, skb, t, th, thoff);
		if (verdict != NF_ACCEPT)
			return verdict;
		fallthrough;
	default:
		/*
		 * A SYN on a live connection (the client reused its port)
		 * goes to the server, which answers with a challenge ACK
		 * (RFC 5961) the client resets: as without the proxy.
		 */
		if (th->syn)
			zwin_stat_inc(zn, ZWIN_STAT_SYN_EXISTING);
		return zwin_to_server(c, skb, thoff);
	}
}

/*
 * Whether IPVS's sync daemon runs or ran in the namespace: from then on it
 * may hold synced connections the proxy has no entry for (sync.c). Set
 * once, never cleared.
 */
static bool zwin_sync_seen(struct zwin_net *zn)
{
	struct netns_ipvs *ipvs;

	if (likely(READ_ONCE(zn->sync_seen)))
		return true;
	ipvs = net_ipvs(zn->net);
	if (!ipvs || !READ_ONCE(ipvs->sync_state))
		return false;
	WRITE_ONCE(zn->sync_seen, true);
	return true;
}

/* Client to virtual address, family-neutral: @t and @thoff are parsed. */
static unsigned int zwin_pre_routing(struct zwin_net *zn, struct sk_buff *skb,
				     const struct zwin_tuple *t,
				     unsigned int thoff)
{
	const struct tcphdr *th;
	enum zwin_class cls;
	struct zwin_conn *c;
	struct tcphdr _th;
	bool sync, ack;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	if (atomic_read(&zn->conn_count)) {
		c = zwin_conn_find(zn, t);
		if (c)
			return zwin_client_pkt(zn, c, skb, t, th, thoff);
	}
	if (zwin_is_bare_syn(th)) {
		if (zwin_syn_class(zn, skb, t) == ZWIN_CLS_PROXY)
			return zwin_client_syn(zn, skb, t, thoff);
		return NF_ACCEPT;
	}
	if (th->syn && !th->rst) {
		/*
		 * SYN+FIN, SYN+ACK: IPVS would schedule them (it only looks
		 * for the SYN bit) and let them reach a real server.
		 */
		if (READ_ONCE(zn->sysctl.enable) && zwin_proxied(zn, skb, t)) {
			zwin_stat_inc(zn, ZWIN_STAT_SYN_INVALID);
			return NF_DROP;
		}
		return NF_ACCEPT;
	}
	/*
	 * What is left may be a segment of a connection another director
	 * proxied, synced here, or the ACK of a cookie: the service is found
	 * once for both, and only then, without touching an IPVS connection's
	 * refcount (the client's mark, as IPVS finds fwmark services).
	 */
	sync = zwin_sync_seen(zn);
	ack = zwin_is_bare_ack(th) && zwin_cookie_window(zn) &&
	      READ_ONCE(zn->sysctl.enable);
	if (!sync && !ack)
		return NF_ACCEPT;
	cls = zwin_classify(zn->net, t->af, skb->mark, &t->vaddr, t->vport);
	if (sync && cls >= ZWIN_CLS_NODEST) {
		unsigned int verdict = zwin_sync_adopt(zn, skb, t, thoff,
						       false);

		if (verdict != ZWIN_SYNC_NONE)
			return verdict;
	}
	if (ack && cls == ZWIN_CLS_PROXY) {
		unsigned int verdict = zwin_client_ack(zn, skb, t, thoff,
						       NULL);

		if (verdict != NF_ACCEPT)
			return verdict;
		/*
		 * Not a cookie: a connection IPVS made before the service
		 * got the PE goes on as it was, anything else is dropped.
		 */
		if (zwin_ipvs_conn_exists(zn->net, t, false)) {
			zwin_stat_inc(zn, ZWIN_STAT_IPVS_CONN);
			return NF_ACCEPT;
		}
		zwin_stat_inc(zn, ZWIN_STAT_COOKIE_INVALID);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

/* Server to client, after IPVS's FORWARD hook gave them the VIP back. */
static unsigned int zwin_forward(struct zwin_net *zn, struct sk_buff *skb,
				 const struct zwin_tuple *t, unsigned int thoff)
{
	struct zwin_conn *c = zwin_conn_find(zn, t);
	unsigned int verdict;

	if (!c) {
		/* a reply of a connection another director proxied */
		if (skb->ipvs_property && zwin_sync_seen(zn)) {
			verdict = zwin_sync_adopt(zn, skb, t, thoff, true);
			if (verdict != ZWIN_SYNC_NONE)
				return verdict;
		}
		return NF_ACCEPT;
	}
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
 * A client segment of a proxied connection that IPVS did not take: it no
 * longer forwards the connection (its real server was removed with
 * expire_nodest_conn, its service was the last one and IPVS unhooked, it
 * could not schedule the proxy's SYN). Left alone it would meet the local
 * stack, whose reset would carry the server's sequence space; the proxy
 * ends it properly instead.
 */
static unsigned int zwin_local_in(struct zwin_net *zn, struct sk_buff *skb,
				  const struct zwin_tuple *t,
				  unsigned int thoff)
{
	struct zwin_conn *c = zwin_conn_find(zn, t);
	bool orphaned = false;

	if (!c)
		return NF_ACCEPT;
	/* pairs with the release in zwin_server_synack() */
	switch (smp_load_acquire(&c->state)) {
	case ZWIN_S_SYN_SENT:
		spin_lock(&c->lock);
		if (c->state == ZWIN_S_SYN_SENT && !c->dead) {
			zwin_conn_failed(c);
			orphaned = true;
		}
		spin_unlock(&c->lock);
		break;
	case ZWIN_S_RESET:
		break;
	default:
		orphaned = zwin_conn_abort(c);
		break;
	}
	if (orphaned)
		zwin_stat_inc(zn, ZWIN_STAT_ORPHANED);
	return NF_DROP;
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
 * IPv6: TCP after any extension headers, as IPVS finds it (a SYN with a
 * destination options header must not slip past the proxy). Fragments
 * were reassembled by nf_defrag_ipv6, which the module enables; any left
 * pass untouched.
 */
static bool zwin_ipv6_tuple(struct sk_buff *skb, bool reply,
			    struct zwin_tuple *t, unsigned int *thoff)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	u8 nexthdr = ip6h->nexthdr;
	__be16 _ports[2], frag_off = 0;
	const __be16 *ports;
	int off;

	if (nexthdr != IPPROTO_TCP) {
		off = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
		if (off < 0 || nexthdr != IPPROTO_TCP || frag_off)
			return false;
		*thoff = off;
	} else {
		*thoff = sizeof(*ip6h);
	}
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

/* Where a hook sits; its nf_hook_ops carry it in .priv. */
enum zwin_stage {
	ZWIN_PRE,	/* PRE_ROUTING: client segments */
	ZWIN_FWD,	/* FORWARD after IPVS: server segments */
	ZWIN_LOCAL,	/* LOCAL_IN after IPVS: client segments it did not take */
};

static unsigned int zwin_stage_run(struct zwin_net *zn, enum zwin_stage st,
				   struct sk_buff *skb,
				   const struct zwin_tuple *t, unsigned int thoff)
{
	switch (st) {
	case ZWIN_PRE:
		return zwin_pre_routing(zn, skb, t, thoff);
	case ZWIN_FWD:
		return zwin_forward(zn, skb, t, thoff);
	default:
		return zwin_local_in(zn, skb, t, thoff);
	}
}

/*
 * The first packet a namespace with an IPVS service receives queues its
 * activation (zwin_activate()): until then SYNs are still answered (that
 * needs no state), and client ACKs, which need the table, are held (64 at
 * most) and replayed once it is there (zwin_client_ack()).
 */
static void zwin_maybe_activate(struct zwin_net *zn)
{
	struct netns_ipvs *ipvs = net_ipvs(zn->net);

	if (ipvs && READ_ONCE(ipvs->enable) &&
	    !test_and_set_bit(0, &zn->activating))
		schedule_work(&zn->activate_work);
}

static unsigned int zwin_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	enum zwin_stage st = (uintptr_t)priv;
	struct zwin_net *zn = zwin_pernet(state->net);
	bool reply = st == ZWIN_FWD;
	struct zwin_tuple t;
	unsigned int thoff;
	bool ok;

	/*
	 * Only PRE_ROUTING has work when no connection is proxied, but for
	 * IPVS's replies of connections synced from another director (not
	 * other forwarded traffic: it is not even parsed).
	 */
	if (st != ZWIN_PRE && !atomic_read(&zn->conn_count) &&
	    (st == ZWIN_LOCAL || !skb->ipvs_property || !zwin_sync_seen(zn)))
		return NF_ACCEPT;
	if (unlikely(!READ_ONCE(zn->active)))
		zwin_maybe_activate(zn);
	if (state->pf == NFPROTO_IPV6)
		ok = zwin_ipv6_tuple(skb, reply, &t, &thoff);
	else
		ok = zwin_ipv4_tuple(skb, reply, &t, &thoff);
	if (ok)
		return zwin_stage_run(zn, st, skb, &t, thoff);
	/* not TCP: ICMP errors quoting a proxied segment (icmp.c) */
	if (st == ZWIN_LOCAL || !atomic_read(&zn->conn_count))
		return NF_ACCEPT;
	return zwin_icmp(zn, skb, state->pf == NFPROTO_IPV6 ? AF_INET6 :
			 AF_INET, reply);
}

#define ZWIN_HOOK(_pf, _num, _prio, _st) {			\
	.hook		= zwin_hook,				\
	.pf		= _pf,					\
	.hooknum	= _num,					\
	.priority	= _prio,				\
	.priv		= (void *)(uintptr_t)(_st),		\
}

/* Every namespace: SYNs are answered from its first service on. */
static const struct nf_hook_ops zwin_nf_pre_ops[] = {
	ZWIN_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING,
		  ZWIN_PRI_PRE_ROUTING, ZWIN_PRE),
	ZWIN_HOOK(NFPROTO_IPV6, NF_INET_PRE_ROUTING,
		  ZWIN_PRI_PRE_ROUTING, ZWIN_PRE),
};

/* Namespaces with IPVS services only (zwin_activate()). */
static const struct nf_hook_ops zwin_nf_ops[] = {
	ZWIN_HOOK(NFPROTO_IPV4, NF_INET_FORWARD,
		  ZWIN_PRI_AFTER_IPVS, ZWIN_FWD),
	ZWIN_HOOK(NFPROTO_IPV4, NF_INET_LOCAL_IN,
		  ZWIN_PRI_AFTER_IPVS, ZWIN_LOCAL),
	ZWIN_HOOK(NFPROTO_IPV6, NF_INET_FORWARD,
		  ZWIN_PRI_AFTER_IPVS, ZWIN_FWD),
	ZWIN_HOOK(NFPROTO_IPV6, NF_INET_LOCAL_IN,
		  ZWIN_PRI_AFTER_IPVS, ZWIN_LOCAL),
};

/**
 * zwin_hooks_register() - attach netfilter hooks of the proxy to @net
 * @net: network namespace
 * @pre: the PRE_ROUTING hooks (every namespace, at creation), or the
 *	hooks after IPVS (when the namespace is activated)
 *
 * Return: 0 or a negative errno.
 */
int zwin_hooks_register(struct net *net, bool pre)
{
	if (pre)
		return nf_register_net_hooks(net, zwin_nf_pre_ops,
					     ARRAY_SIZE(zwin_nf_pre_ops));
	return nf_register_net_hooks(net, zwin_nf_ops, ARRAY_SIZE(zwin_nf_ops));
}

/**
 * zwin_hooks_unregister() - detach hooks from @net
 * @net: network namespace being torn down
 * @pre: which ones, as for zwin_hooks_register()
 *
 * Waits until no packet of @net runs in them any more.
 */
void zwin_hooks_unregister(struct net *net, bool pre)
{
	if (pre)
		nf_unregister_net_hooks(net, zwin_nf_pre_ops,
					ARRAY_SIZE(zwin_nf_pre_ops));
	else
		nf_unregister_net_hooks(net, zwin_nf_ops,
					ARRAY_SIZE(zwin_nf_ops));
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/hook_test.c"
#include "../tests/kunit/fuzz_test.c"
#endif
