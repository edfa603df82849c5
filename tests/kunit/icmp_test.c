// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ICMP and ICMPv6 errors about proxied connections (included by
 * icmp.c), on real skbs in each ip_summed state: "fragmentation needed" /
 * "packet too big" sent to the VIP about a server segment gets the quoted
 * sequence number back in the server's space, an error sent to the client
 * about a client segment gets the quoted acknowledgment number in the
 * proxy's space; the ICMP checksum, computed from scratch, stays right.
 * Errors of connections the proxy does not translate are left alone.
 */

#include <kunit/test.h>
#include <net/ip6_checksum.h>

#define ZWIN_I_DELTA	0x70000010U
#define ZWIN_I_SEQ	0x00000100U	/* quoted sequence number */
#define ZWIN_I_ACK	0x00000200U	/* quoted acknowledgment number */

struct zwin_icmp_case {
	const char *name;
	int af;
	bool reply;		/* FORWARD: the quote is a client segment */
	u8 ip_summed;
	bool proxied;		/* an established entry exists */
	u32 want_seq, want_ack;
};

static const struct zwin_icmp_case zwin_icmp_cases[] = {
	{ "v4 frag needed to VIP", AF_INET, false, CHECKSUM_NONE, true,
	  ZWIN_I_SEQ - ZWIN_I_DELTA, ZWIN_I_ACK },
	{ "v4 frag needed to VIP, COMPLETE", AF_INET, false, CHECKSUM_COMPLETE,
	  true, ZWIN_I_SEQ - ZWIN_I_DELTA, ZWIN_I_ACK },
	{ "v4 error to client", AF_INET, true, CHECKSUM_NONE, true,
	  ZWIN_I_SEQ, ZWIN_I_ACK + ZWIN_I_DELTA },
	{ "v4 not proxied", AF_INET, false, CHECKSUM_NONE, false,
	  ZWIN_I_SEQ, ZWIN_I_ACK },
	{ "v6 too big to VIP", AF_INET6, false, CHECKSUM_NONE, true,
	  ZWIN_I_SEQ - ZWIN_I_DELTA, ZWIN_I_ACK },
	{ "v6 too big to VIP, COMPLETE", AF_INET6, false, CHECKSUM_COMPLETE,
	  true, ZWIN_I_SEQ - ZWIN_I_DELTA, ZWIN_I_ACK },
	{ "v6 error to client", AF_INET6, true, CHECKSUM_COMPLETE, true,
	  ZWIN_I_SEQ, ZWIN_I_ACK + ZWIN_I_DELTA },
	{ "v6 not proxied", AF_INET6, true, CHECKSUM_NONE, false,
	  ZWIN_I_SEQ, ZWIN_I_ACK },
};

static void zwin_icmp_desc(const struct zwin_icmp_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zwin_icmp, zwin_icmp_cases, zwin_icmp_desc);

static void zwin_i_tuple(int af, struct zwin_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->af = af;
	if (af == AF_INET6) {
		t->caddr.in6.s6_addr32[0] = htonl(0x20010db8);
		t->caddr.in6.s6_addr32[3] = htonl(0x77);
		t->vaddr.in6.s6_addr32[0] = htonl(0x20010db8);
		t->vaddr.in6.s6_addr32[3] = htonl(0x100);
	} else {
		t->caddr.ip = htonl(0x0a630177);
		t->vaddr.ip = htonl(0x0a630264);
	}
	t->cport = htons(41234);
	t->vport = htons(80);
}

/* The ICMP(v6) checksum of @skb from scratch: 0 when right. */
static __sum16 zwin_i_csum(struct sk_buff *skb, int af, unsigned int off)
{
	__wsum sum = skb_checksum(skb, off, skb->len - off, 0);

	if (af == AF_INET6)
		return csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
				       &ipv6_hdr(skb)->daddr, skb->len - off,
				       IPPROTO_ICMPV6, sum);
	return csum_fold(sum);
}

/*
 * An error from a router (outer source 10.99.9.9 / 2001:db8::99) quoting
 * 20 bytes of TCP: a server segment VIP -> client (to the VIP), or a
 * client segment client -> VIP (to the client, as IPVS leaves it).
 */
static struct sk_buff *zwin_i_skb(struct kunit *test,
				  const struct zwin_icmp_case *c,
				  const struct zwin_tuple *t,
				  unsigned int *icmp_off, __be32 **quote)
{
	bool v6 = c->af == AF_INET6;
	unsigned int nh = v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	unsigned int len = nh + 8 + nh + sizeof(struct tcphdr);
	struct sk_buff *skb = alloc_skb(len + 64, GFP_KERNEL);
	struct tcphdr *th;
	u8 *icmp;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 32);
	skb_reset_network_header(skb);
	skb_put_zero(skb, len);
	icmp = skb->data + nh;
	th = (struct tcphdr *)(icmp + 8 + nh);
	th->source = c->reply ? t->cport : t->vport;
	th->dest = c->reply ? t->vport : t->cport;
	th->seq = htonl(ZWIN_I_SEQ);
	th->ack_seq = htonl(ZWIN_I_ACK);
	th->doff = 5;
	th->ack = 1;
	if (v6) {
		struct ipv6hdr *o = ipv6_hdr(skb), *in = (void *)(icmp + 8);
		struct icmp6hdr *ih = (void *)icmp;

		o->version = 6;
		o->nexthdr = IPPROTO_ICMPV6;
		o->hop_limit = 64;
		o->payload_len = htons(len - nh);
		o->saddr.s6_addr32[0] = htonl(0x20010db8);
		o->saddr.s6_addr32[3] = htonl(0x99);
		o->daddr = c->reply ? t->caddr.in6 : t->vaddr.in6;
		in->version = 6;
		in->nexthdr = IPPROTO_TCP;
		in->payload_len = htons(1440);
		in->saddr = c->reply ? t->caddr.in6 : t->vaddr.in6;
		in->daddr = c->reply ? t->vaddr.in6 : t->caddr.in6;
		ih->icmp6_type = ICMPV6_PKT_TOOBIG;
		ih->icmp6_mtu = htonl(1400);
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		struct iphdr *o = ip_hdr(skb), *in = (void *)(icmp + 8);
		struct icmphdr *ih = (void *)icmp;

		o->version = 4;
		o->ihl = 5;
		o->ttl = 64;
		o->protocol = IPPROTO_ICMP;
		o->tot_len = htons(len);
		o->saddr = htonl(0x0a630909);
		o->daddr = c->reply ? t->caddr.ip : t->vaddr.ip;
		ip_send_check(o);
		in->version = 4;
		in->ihl = 5;
		in->ttl = 63;
		in->protocol = IPPROTO_TCP;
		in->tot_len = htons(1500);
		in->frag_off = htons(IP_DF);
		in->saddr = c->reply ? t->caddr.ip : t->vaddr.ip;
		in->daddr = c->reply ? t->vaddr.ip : t->caddr.ip;
		ip_send_check(in);
		ih->type = ICMP_DEST_UNREACH;
		ih->code = ICMP_FRAG_NEEDED;
		ih->un.frag.mtu = htons(1400);
	}
	*icmp_off = nh;
	/* a valid checksum, then the skb's checksum state as a device's */
	if (v6) {
		struct icmp6hdr *ih = (void *)icmp;

		ih->icmp6_cksum = csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
						  &ipv6_hdr(skb)->daddr,
						  len - nh, IPPROTO_ICMPV6,
						  csum_partial(icmp, len - nh, 0));
	} else {
		((struct icmphdr *)icmp)->checksum =
			csum_fold(csum_partial(icmp, len - nh, 0));
	}
	skb->ip_summed = c->ip_summed;
	if (c->ip_summed == CHECKSUM_COMPLETE)
		skb->csum = skb_checksum(skb, nh, len - nh, 0);
	skb_set_transport_header(skb, nh);
	*quote = (__be32 *)th;
	return skb;
}

static void zwin_test_icmp(struct kunit *test)
{
	const struct zwin_icmp_case *p = test->param_value;
	struct zwin_net *zn = zwin_pernet(&init_net);
	unsigned long xlate = zwin_stat_sum(zn, ZWIN_STAT_ICMP);
	struct zwin_conn *c = NULL;
	struct zwin_tuple t;
	struct sk_buff *skb;
	unsigned int off;
	__be32 *q;

	zwin_activate(zn);
	KUNIT_ASSERT_TRUE(test, zn->active);
	zwin_i_tuple(p->af, &t);
	if (p->proxied) {
		c = zwin_conn_alloc(zn, &t);
		KUNIT_ASSERT_NOT_NULL(test, c);
		c->state = ZWIN_S_ESTABLISHED;
		c->delta = ZWIN_I_DELTA;
		local_bh_disable();
		KUNIT_ASSERT_EQ(test, zwin_conn_insert(c), 0);
		atomic_dec(&zn->pending);
		local_bh_enable();
	}
	skb = zwin_i_skb(test, p, &t, &off, &q);

	local_bh_disable();
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, zwin_icmp(zn, skb, p->af, p->reply),
			(unsigned int)NF_ACCEPT);
	rcu_read_unlock();
	local_bh_enable();

	KUNIT_EXPECT_EQ(test, ntohl(q[1]), p->want_seq);
	KUNIT_EXPECT_EQ(test, ntohl(q[2]), p->want_ack);
	KUNIT_EXPECT_EQ(test, (u16)zwin_i_csum(skb, p->af, off), 0);
	if (p->ip_summed == CHECKSUM_COMPLETE)
		KUNIT_EXPECT_EQ(test, csum_fold(skb->csum),
				csum_fold(skb_checksum(skb, off,
						       skb->len - off, 0)));
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_ICMP) - xlate,
			p->proxied ? 1UL : 0UL);
	kfree_skb(skb);
	if (c) {
		local_bh_disable();	/* as every caller: the timer's lock */
		zwin_conn_kill(c);
		local_bh_enable();
	}
}

/* A quote shorter than 8 TCP bytes, or of a non-TCP packet: untouched. */
static void zwin_test_icmp_short(struct kunit *test)
{
	const struct zwin_icmp_case p = { "short", AF_INET, false,
					  CHECKSUM_NONE, false };
	struct zwin_net *zn = zwin_pernet(&init_net);
	struct zwin_tuple t;
	struct sk_buff *skb;
	unsigned int off;
	__be32 *q;

	zwin_i_tuple(AF_INET, &t);
	skb = zwin_i_skb(test, &p, &t, &off, &q);
	/* cut the quote after the ports: no sequence number */
	skb_trim(skb, (u8 *)q - skb->data + 4);
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, zwin_icmp(zn, skb, AF_INET, false),
			(unsigned int)NF_ACCEPT);
	rcu_read_unlock();
	kfree_skb(skb);
}

static struct kunit_case zwin_icmp_test_cases[] = {
	KUNIT_CASE_PARAM(zwin_test_icmp, zwin_icmp_gen_params),
	KUNIT_CASE(zwin_test_icmp_short),
	{}
};

static struct kunit_suite zwin_icmp_suite = {
	.name = "ip_vs_zwin_icmp",
	.test_cases = zwin_icmp_test_cases,
};

kunit_test_suite(zwin_icmp_suite);
