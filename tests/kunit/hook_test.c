// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the IPv4 PRE_ROUTING hook on real skbs (included by hook.c).
 * Bare SYNs to a zwin service with NAT servers are answered and consumed,
 * ACKs with a wrong cookie dropped, everything else accepted untouched.
 * IPv6: where the hook finds TCP behind extension headers, and what it
 * leaves alone (fragments, truncation); the fixture creates services
 * through IPVS's IPv4-only setsockopt interface, so IPv6 services are
 * tested in the guests (proxy_ipv6 and others).
 */

#include <kunit/test.h>
#include <linux/highmem.h>
#include <net/tcp.h>

#include "../tests/kunit/fixture.h"

#define ZWIN_H_VIP	htonl(0xc0000202)	/* 192.0.2.2 */
#define ZWIN_H_CIP	htonl(0xc6336401)	/* 198.51.100.1 */
#define ZWIN_H_PORT	htons(443)

struct zwin_pkt {
	u8 proto;
	u8 tcp_flags;		/* TCPHDR_* */
	__be16 dport;
	u16 frag_off;		/* host order, IP_MF | offset */
	int tcp_len;		/* bytes of TCP header present */
	bool nonlinear;		/* TCP header in a page fragment */
	bool bad_csum;		/* not verified, and wrong */
};

static struct sk_buff *zwin_build_skb(struct kunit *test,
				      const struct zwin_pkt *p)
{
	int tcp_len = p->tcp_len ? p->tcp_len : sizeof(struct tcphdr);
	struct tcphdr th = {};
	struct sk_buff *skb;
	struct iphdr *iph;

	skb = alloc_skb(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 64);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = p->proto;
	iph->saddr = ZWIN_H_CIP;
	iph->daddr = ZWIN_H_VIP;
	iph->frag_off = htons(p->frag_off);
	iph->tot_len = htons(sizeof(*iph) + tcp_len);
	ip_send_check(iph);
	skb->protocol = htons(ETH_P_IP);
	skb_set_transport_header(skb, sizeof(*iph));

	th.source = htons(40000);
	th.dest = p->dport ? p->dport : ZWIN_H_PORT;
	th.seq = htonl(12345);
	th.doff = sizeof(th) / 4;
	((u8 *)&th)[13] = p->tcp_flags;	/* the flags byte */

	if (p->nonlinear) {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy_to_page(page, 0, (void *)&th, min_t(int, tcp_len,
							   sizeof(th)));
		skb_add_rx_frag(skb, 0, page, 0, tcp_len, PAGE_SIZE);
	} else {
		skb_put_data(skb, &th, min_t(int, tcp_len, sizeof(th)));
	}
	/* as a device that verified the checksum, unless told otherwise */
	skb->ip_summed = p->bad_csum ? CHECKSUM_NONE : CHECKSUM_UNNECESSARY;
	return skb;
}

struct zwin_hook_case {
	const char *name;
	struct zwin_pkt pkt;
	bool counted;		/* syn_seen moves */
	bool proxied;		/* syn_zwin moves (and a STOLEN SYN answered) */
	enum { ACCEPT, DROP, STOLEN } verdict;
	bool cookie_checked;	/* cookie_invalid moves */
	bool syn_invalid;	/* syn_invalid moves */
};

static const unsigned int zwin_hook_verdicts[] = {
	[ACCEPT] = NF_ACCEPT, [DROP] = NF_DROP, [STOLEN] = NF_STOLEN,
};

static const struct zwin_hook_case zwin_hook_cases[] = {
	{ "SYN", { IPPROTO_TCP, TCPHDR_SYN }, true, true, STOLEN },
	{ "SYN, header in a page fragment",
	  { IPPROTO_TCP, TCPHDR_SYN, .nonlinear = true }, true, true,
	  STOLEN },
	{ "SYN+ECE+CWR (ECN setup)",
	  { IPPROTO_TCP, TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR }, true, true,
	  STOLEN },
	{ "ACK with a random cookie", { IPPROTO_TCP, TCPHDR_ACK }, false, false,
	  DROP, true },
	{ "ACK to another port", { IPPROTO_TCP, TCPHDR_ACK, htons(444) },
	  false, false },
	{ "SYN to another port",
	  { IPPROTO_TCP, TCPHDR_SYN, htons(444) }, true, false },
	{ "SYN with a bad checksum",
	  { IPPROTO_TCP, TCPHDR_SYN, .bad_csum = true }, true, true, DROP,
	  false, true },
	/* IPVS would schedule these to a real server: dropped */
	{ "SYN+ACK", { IPPROTO_TCP, TCPHDR_SYN | TCPHDR_ACK }, false, false,
	  DROP, false, true },
	{ "SYN+FIN", { IPPROTO_TCP, TCPHDR_SYN | TCPHDR_FIN }, false, false,
	  DROP, false, true },
	{ "SYN+FIN+PSH+URG", { IPPROTO_TCP, TCPHDR_SYN | TCPHDR_FIN |
	  TCPHDR_PSH | TCPHDR_URG }, false, false, DROP, false, true },
	{ "SYN+ACK to another port",
	  { IPPROTO_TCP, TCPHDR_SYN | TCPHDR_ACK, htons(444) }, false, false },
	/* IPVS never schedules a RST: left to it */
	{ "SYN+RST", { IPPROTO_TCP, TCPHDR_SYN | TCPHDR_RST }, false, false },
	{ "UDP", { IPPROTO_UDP, TCPHDR_SYN }, false, false },
	{ "first fragment",
	  { IPPROTO_TCP, TCPHDR_SYN, .frag_off = IP_MF }, false, false },
	{ "later fragment",
	  { IPPROTO_TCP, TCPHDR_SYN, .frag_off = 8 }, false, false },
	{ "TCP header cut at 12 bytes",
	  { IPPROTO_TCP, TCPHDR_SYN, .tcp_len = 12 }, false, false },
	{ "TCP header cut, nonlinear",
	  { IPPROTO_TCP, TCPHDR_SYN, .tcp_len = 12, .nonlinear = true },
	  false, false },
};

static void zwin_hook_desc(const struct zwin_hook_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zwin_hook, zwin_hook_cases, zwin_hook_desc);

static void zwin_hook_fx(struct kunit *test, struct zwin_fx *fx)
{
	int err;

	err = zwin_fx_open(test, fx, ZWIN_H_VIP, ZWIN_H_PORT);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, zwin_fx_add_service(fx, 0, 0), 0);
	err = zwin_fx_add_dest(fx, htonl(0x0a000101), htons(443),
			       IP_VS_CONN_F_MASQ, 1);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, zwin_fx_set_pe(fx, ZWIN_PE_NAME), 0);
}

static unsigned int zwin_hook_run(struct sk_buff *skb)
{
	struct nf_hook_state state = {
		.hook = NF_INET_PRE_ROUTING,
		.pf = NFPROTO_IPV4,
		.net = &init_net,
	};
	unsigned int verdict;

	rcu_read_lock();
	verdict = zwin_hook((void *)ZWIN_PRE, skb, &state);
	rcu_read_unlock();
	return verdict;
}

static void zwin_test_hook(struct kunit *test)
{
	const struct zwin_hook_case *c = test->param_value;
	struct zwin_net *zn = zwin_pernet(&init_net);
	unsigned long seen, proxied, answered, invalid, bad_syn;
	unsigned int len, verdict;
	struct sk_buff *skb;
	struct zwin_fx fx;

	zwin_hook_fx(test, &fx);
	/* as if a SYN-ACK had just been sent: ACKs get their cookie checked */
	WRITE_ONCE(zn->last_synack, jiffies);
	skb = zwin_build_skb(test, &c->pkt);
	len = skb->len;
	seen = zwin_stat_sum(zn, ZWIN_STAT_SYN_SEEN);
	proxied = zwin_stat_sum(zn, ZWIN_STAT_SYN_ZWIN);
	/* UML has no route to the client: the SYN-ACK fails to route */
	answered = zwin_stat_sum(zn, ZWIN_STAT_SYNACK_SENT) +
		   zwin_stat_sum(zn, ZWIN_STAT_XMIT_FAIL);
	invalid = zwin_stat_sum(zn, ZWIN_STAT_COOKIE_INVALID);
	bad_syn = zwin_stat_sum(zn, ZWIN_STAT_SYN_INVALID);

	verdict = zwin_hook_run(skb);
	KUNIT_EXPECT_EQ(test, verdict, zwin_hook_verdicts[c->verdict]);
	if (verdict != NF_STOLEN) {	/* the hook consumed a stolen skb */
		KUNIT_EXPECT_EQ(test, skb->len, len);
		kfree_skb(skb);
	}
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_SYN_SEEN) - seen,
			(unsigned long)c->counted);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_SYN_ZWIN) - proxied,
			(unsigned long)c->proxied);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_SYNACK_SENT) +
			zwin_stat_sum(zn, ZWIN_STAT_XMIT_FAIL) - answered,
			(unsigned long)(c->proxied && c->verdict == STOLEN));
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_COOKIE_INVALID) -
			invalid, (unsigned long)c->cookie_checked);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_SYN_INVALID) -
			bad_syn, (unsigned long)c->syn_invalid);
	zwin_fx_close(&fx);
}

/* zwin_enable=0: SYNs to zwin services are counted apart, not proxied. */
static void zwin_test_hook_disabled(struct kunit *test)
{
	static const struct zwin_pkt syn = { IPPROTO_TCP, TCPHDR_SYN };
	struct zwin_net *zn = zwin_pernet(&init_net);
	unsigned long disabled, proxied;
	struct sk_buff *skb;
	struct zwin_fx fx;

	zwin_hook_fx(test, &fx);
	disabled = zwin_stat_sum(zn, ZWIN_STAT_SYN_DISABLED);
	proxied = zwin_stat_sum(zn, ZWIN_STAT_SYN_ZWIN);

	WRITE_ONCE(zn->sysctl.enable, 0);
	skb = zwin_build_skb(test, &syn);
	KUNIT_EXPECT_EQ(test, zwin_hook_run(skb), NF_ACCEPT);
	kfree_skb(skb);
	WRITE_ONCE(zn->sysctl.enable, 1);

	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_SYN_DISABLED),
			disabled + 1);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_SYN_ZWIN), proxied);
	zwin_fx_close(&fx);
}

/* An IPv6 packet: extension headers @ext (@extlen bytes), then @tcp. */
struct zwin_v6_case {
	const char *name;
	u8 nexthdr;		/* the IPv6 header's */
	u8 ext[24];
	unsigned int extlen;
	unsigned int tcplen;	/* bytes of TCP header present */
	bool nonlinear;		/* everything after the IPv6 header in a page */
	bool tcp;		/* the tuple is found, TCP at 40 + extlen */
};

static const struct zwin_v6_case zwin_v6_cases[] = {
	{ "TCP", IPPROTO_TCP, {}, 0, 20, false, true },
	{ "TCP, nonlinear", IPPROTO_TCP, {}, 0, 20, true, true },
	{ "destination options, TCP", NEXTHDR_DEST,
	  { IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0 }, 8, 20, false, true },
	{ "hop-by-hop, destination options, TCP, nonlinear", NEXTHDR_HOP,
	  { NEXTHDR_DEST, 0, 1, 4, 0, 0, 0, 0,
	    IPPROTO_TCP, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 24, 20,
	  true, true },
	{ "atomic fragment (offset 0, no MF), TCP", NEXTHDR_FRAGMENT,
	  { IPPROTO_TCP, 0, 0, 0, 0, 0, 0, 1 }, 8, 20, false, true },
	{ "first fragment", NEXTHDR_FRAGMENT,
	  { IPPROTO_TCP, 0, 0, 1, 0, 0, 0, 1 }, 8, 20, false, false },
	{ "later fragment", NEXTHDR_FRAGMENT,
	  { IPPROTO_TCP, 0, 0, 8, 0, 0, 0, 1 }, 8, 20, false, false },
	{ "UDP", IPPROTO_UDP, {}, 0, 20, false, false },
	{ "destination options, UDP", NEXTHDR_DEST,
	  { IPPROTO_UDP, 0, 1, 4, 0, 0, 0, 0 }, 8, 20, false, false },
	{ "extension header cut short", NEXTHDR_DEST,
	  { IPPROTO_TCP, 2, 1, 4, 0, 0, 0, 0 }, 8, 0, false, false },
	{ "TCP ports cut short", IPPROTO_TCP, {}, 0, 2, false, false },
	{ "TCP ports cut short, nonlinear", NEXTHDR_DEST,
	  { IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0 }, 8, 3, true, false },
};

static void zwin_v6_desc(const struct zwin_v6_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zwin_v6, zwin_v6_cases, zwin_v6_desc);

/* 2001:db8:1::2 port 40000 -> 2001:db8:ff::100 port 443, a SYN */
static struct sk_buff *zwin_build_v6(struct kunit *test,
				     const struct zwin_v6_case *c)
{
	u8 rest[sizeof(c->ext) + sizeof(struct tcphdr)] = {};
	struct tcphdr *th = (struct tcphdr *)(rest + c->extlen);
	unsigned int len = c->extlen + c->tcplen;
	struct ipv6hdr *ip6h;
	struct sk_buff *skb;

	skb = alloc_skb(256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 64);
	skb_reset_network_header(skb);
	ip6h = skb_put_zero(skb, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->hop_limit = 64;
	ip6h->nexthdr = c->nexthdr;
	ip6h->payload_len = htons(len);
	ipv6_addr_set(&ip6h->saddr, htonl(0x20010db8), htonl(0x10000), 0,
		      htonl(2));
	ipv6_addr_set(&ip6h->daddr, htonl(0x20010db8), htonl(0xff0000), 0,
		      htonl(0x100));
	skb->protocol = htons(ETH_P_IPV6);

	memcpy(rest, c->ext, c->extlen);
	th->source = htons(40000);
	th->dest = ZWIN_H_PORT;
	th->seq = htonl(12345);
	th->doff = sizeof(*th) / 4;
	th->syn = 1;
	if (c->nonlinear) {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy_to_page(page, 0, rest, len);
		skb_add_rx_frag(skb, 0, page, 0, len, PAGE_SIZE);
	} else {
		skb_put_data(skb, rest, len);
	}
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	return skb;
}

/* The tuple, both ways, where TCP is; nothing where it is not. */
static void zwin_test_v6_tuple(struct kunit *test)
{
	const struct zwin_v6_case *c = test->param_value;
	struct sk_buff *skb = zwin_build_v6(test, c);
	unsigned int thoff = 0;
	struct zwin_tuple t;

	KUNIT_ASSERT_EQ(test, zwin_ipv6_tuple(skb, false, &t, &thoff), c->tcp);
	if (c->tcp) {
		KUNIT_EXPECT_EQ(test, thoff, sizeof(struct ipv6hdr) + c->extlen);
		KUNIT_EXPECT_EQ(test, t.af, AF_INET6);
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&t.caddr.in6,
							&ipv6_hdr(skb)->saddr));
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&t.vaddr.in6,
							&ipv6_hdr(skb)->daddr));
		KUNIT_EXPECT_EQ(test, ntohs(t.cport), 40000);
		KUNIT_EXPECT_EQ(test, t.vport, ZWIN_H_PORT);
		/* a server's segment: the other way round */
		KUNIT_ASSERT_TRUE(test, zwin_ipv6_tuple(skb, true, &t, &thoff));
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&t.caddr.in6,
							&ipv6_hdr(skb)->daddr));
		KUNIT_EXPECT_EQ(test, t.cport, ZWIN_H_PORT);
		KUNIT_EXPECT_EQ(test, ntohs(t.vport), 40000);
	}
	kfree_skb(skb);
}

/*
 * Through the IPv6 hook, to an address that is no service: a SYN found
 * behind extension headers is counted as seen, nothing else; every packet
 * is accepted untouched.
 */
static void zwin_test_v6_hook(struct kunit *test)
{
	const struct zwin_v6_case *c = test->param_value;
	struct zwin_net *zn = zwin_pernet(&init_net);
	struct nf_hook_state state = {
		.hook = NF_INET_PRE_ROUTING,
		.pf = NFPROTO_IPV6,
		.net = &init_net,
	};
	unsigned long seen, plain;
	struct sk_buff *skb = zwin_build_v6(test, c);
	unsigned int len = skb->len, verdict;

	seen = zwin_stat_sum(zn, ZWIN_STAT_SYN_SEEN);
	plain = zwin_stat_sum(zn, ZWIN_STAT_SYN_PLAIN);
	rcu_read_lock();
	verdict = zwin_hook((void *)ZWIN_PRE, skb, &state);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, verdict, NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, skb->len, len);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_SYN_SEEN) - seen,
			(unsigned long)c->tcp);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_SYN_PLAIN), plain);
	kfree_skb(skb);
}

static struct kunit_case zwin_hook_test_cases[] = {
	KUNIT_CASE_PARAM(zwin_test_hook, zwin_hook_gen_params),
	KUNIT_CASE(zwin_test_hook_disabled),
	KUNIT_CASE_PARAM(zwin_test_v6_tuple, zwin_v6_gen_params),
	KUNIT_CASE_PARAM(zwin_test_v6_hook, zwin_v6_gen_params),
	{}
};

static struct kunit_suite zwin_hook_suite = {
	.name = "ip_vs_zwin_hook",
	.test_cases = zwin_hook_test_cases,
};

kunit_test_suite(zwin_hook_suite);
