// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: turning a received SYN into its answer (included by af.c), on
 * real IPv4 and IPv6 skbs, linear, nonlinear, with an extension header,
 * carrying the state a received packet picks up (device, link-layer
 * header, mark, priority, timestamp, hash, VLAN tag, control block); and the cases where the
 * buffer must not be reused (cloned, GSO, too small).
 */

#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/if_vlan.h>
#include <net/ip6_checksum.h>

/* SYN-ACK: 20 + MSS 4 + SACK_PERM/TS 12 + NOP/WS 4 */
#define ZWIN_A_TCPLEN	40
/* the SYN: 20 + 20 bytes of options */
#define ZWIN_A_SYNLEN	40

struct zwin_af_case {
	const char *name;
	u8 af;
	bool exthdr;		/* IPv6 destination options before TCP */
	bool nonlinear;		/* the TCP header in a page fragment */
	bool cloned;		/* a tap holds a clone */
	bool gso;
	unsigned int room;	/* linear buffer size; 0: 256 */
	bool turned;		/* the expected result */
};

static const struct zwin_af_case zwin_af_cases[] = {
	{ "IPv4", 4, false, false, false, false, 0, true },
	{ "IPv4 nonlinear", 4, false, true, false, false, 0, true },
	{ "IPv6", 6, false, false, false, false, 0, true },
	{ "IPv6 dest-opts, nonlinear", 6, true, true, false, false, 0, true },
	{ "IPv4 cloned", 4, false, false, true, false, 0, false },
	{ "IPv6 GSO", 6, false, false, false, true, 0, false },
	/* 59 linear bytes: the answer (20 + 40) does not fit */
	{ "IPv4 too small", 4, false, true, false, false, 59, false },
};

static void zwin_af_desc(const struct zwin_af_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zwin_af, zwin_af_cases, zwin_af_desc);

static void zwin_a_tuple(u8 af, struct zwin_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->af = af == 6 ? AF_INET6 : AF_INET;
	t->cport = htons(40000);
	t->vport = htons(80);
	if (af == 6) {
		t->caddr.in6.s6_addr32[0] = htonl(0x20010db8);
		t->caddr.in6.s6_addr32[3] = htonl(1);
		t->vaddr.in6.s6_addr32[0] = htonl(0x20010db8);
		t->vaddr.in6.s6_addr32[3] = htonl(0x100);
	} else {
		t->caddr.ip = htonl(0xc6336401);	/* 198.51.100.1 */
		t->vaddr.ip = htonl(0xc0000264);	/* 192.0.2.100 */
	}
}

/* A SYN from the client as a driver hands it up, network header at data. */
static struct sk_buff *zwin_a_syn(struct kunit *test,
				  const struct zwin_af_case *c,
				  const struct zwin_tuple *t)
{
	unsigned int room = c->room ? c->room : 256;
	u8 tcp[ZWIN_A_SYNLEN] = {};
	struct tcphdr *th = (struct tcphdr *)tcp;
	unsigned int nh = c->af == 6 ? sizeof(struct ipv6hdr) : 20;
	struct sk_buff *skb;

	if (c->exthdr)
		nh += 8;
	skb = alloc_skb(NET_SKB_PAD + ETH_HLEN + room, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	/* exactly @room bytes of linear buffer (allocations round up) */
	skb_reserve(skb, skb_tailroom(skb) - room);
	skb_reset_network_header(skb);
	skb_set_mac_header(skb, -ETH_HLEN);	/* as eth_type_trans() left it */
	if (c->af == 6) {
		struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->payload_len = htons(nh - sizeof(*ip6h) + ZWIN_A_SYNLEN);
		ip6h->nexthdr = c->exthdr ? NEXTHDR_DEST : IPPROTO_TCP;
		ip6h->hop_limit = 64;
		ip6h->saddr = t->caddr.in6;
		ip6h->daddr = t->vaddr.in6;
		skb->protocol = htons(ETH_P_IPV6);
		if (c->exthdr) {
			u8 *opt = skb_put_zero(skb, 8);

			opt[0] = IPPROTO_TCP;	/* next header; length 0 */
			opt[2] = 1;		/* PadN over the other 4 */
			opt[3] = 4;
		}
	} else {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = 5;
		iph->ttl = 64;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = t->caddr.ip;
		iph->daddr = t->vaddr.ip;
		iph->tot_len = htons(nh + ZWIN_A_SYNLEN);
		ip_send_check(iph);
		skb->protocol = htons(ETH_P_IP);
	}
	skb_set_transport_header(skb, nh);
	th->source = t->cport;
	th->dest = t->vport;
	th->seq = htonl(12345);
	th->doff = ZWIN_A_SYNLEN / 4;
	th->syn = 1;
	th->window = htons(64240);
	memset(tcp + sizeof(*th), TCPOPT_NOP, ZWIN_A_SYNLEN - sizeof(*th));
	if (c->nonlinear) {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy_to_page(page, 0, tcp, sizeof(tcp));
		skb_add_rx_frag(skb, 0, page, 0, sizeof(tcp), PAGE_SIZE);
	} else {
		KUNIT_ASSERT_GE(test, skb_tailroom(skb), (int)sizeof(tcp));
		skb_put_data(skb, tcp, sizeof(tcp));
	}

	/* what the way in leaves on a packet */
	skb->ip_summed = CHECKSUM_COMPLETE;
	skb->csum = csum_partial(skb->data, skb_headlen(skb), 0);
	skb->mark = 7;
	skb->priority = 3;
	skb->skb_iif = 2;
	skb->dev = init_net.loopback_dev;
	skb->pkt_type = PACKET_OTHERHOST;
	skb->tstamp = ktime_get_real();
	skb_set_hash(skb, 0x1234, PKT_HASH_TYPE_L4);
	__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), 42);
	memset(skb->cb, 0xa5, sizeof(skb->cb));
	if (c->gso) {
		skb_shinfo(skb)->gso_size = 1000;
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV6;
	}
	return skb;
}

static bool zwin_a_zero(const u8 *p, unsigned int len)
{
	return !memchr_inv(p, 0, len);
}

static void zwin_test_turn(struct kunit *test)
{
	const struct zwin_af_case *c = test->param_value;
	unsigned int nh = c->af == 6 ? sizeof(struct ipv6hdr) : 20;
	struct sk_buff *skb, *clone = NULL;
	unsigned char *buf;
	struct zwin_tuple t;
	unsigned int len;
	struct tcphdr *th;

	zwin_a_tuple(c->af, &t);
	skb = zwin_a_syn(test, c, &t);
	if (c->cloned) {
		clone = skb_clone(skb, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, clone);
	}
	buf = skb->head;
	len = skb->len;

	KUNIT_EXPECT_EQ(test, c->turned,
			zwin_af_turn(&init_net, skb, &t, ZWIN_A_TCPLEN));
	if (!c->turned) {
		/* left as it came, for the caller to free */
		KUNIT_EXPECT_EQ(test, skb->len, len);
		KUNIT_EXPECT_EQ(test, skb->mark, 7U);
		kfree_skb(clone);
		kfree_skb(skb);
		return;
	}
	KUNIT_EXPECT_PTR_EQ(test, skb->head, buf);
	KUNIT_EXPECT_FALSE(test, skb_is_nonlinear(skb));
	KUNIT_EXPECT_EQ(test, skb->len, nh + ZWIN_A_TCPLEN);
	KUNIT_EXPECT_EQ(test, skb_network_offset(skb), 0);
	KUNIT_EXPECT_EQ(test, skb_transport_offset(skb), (int)nh);
	if (c->af == 6) {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		KUNIT_EXPECT_EQ(test, skb->protocol, htons(ETH_P_IPV6));
		KUNIT_EXPECT_EQ(test, ip6h->nexthdr, IPPROTO_TCP);
		KUNIT_EXPECT_EQ(test, ntohs(ip6h->payload_len), ZWIN_A_TCPLEN);
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&ip6h->saddr,
							&t.vaddr.in6));
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&ip6h->daddr,
							&t.caddr.in6));
	} else {
		struct iphdr *iph = ip_hdr(skb);

		KUNIT_EXPECT_EQ(test, skb->protocol, htons(ETH_P_IP));
		KUNIT_EXPECT_EQ(test, iph->protocol, IPPROTO_TCP);
		KUNIT_EXPECT_EQ(test, ntohs(iph->tot_len), nh + ZWIN_A_TCPLEN);
		KUNIT_EXPECT_EQ(test, iph->saddr, t.vaddr.ip);
		KUNIT_EXPECT_EQ(test, iph->daddr, t.caddr.ip);
		KUNIT_EXPECT_EQ(test, ip_fast_csum(iph, iph->ihl), 0);
	}
	/* the TCP part is zeroed for the caller to fill */
	th = tcp_hdr(skb);
	KUNIT_EXPECT_TRUE(test, zwin_a_zero((u8 *)th, ZWIN_A_TCPLEN));

	/* nothing of the way in is left */
	KUNIT_EXPECT_EQ(test, skb->mark, 0U);
	KUNIT_EXPECT_EQ(test, skb->priority, 0U);
	KUNIT_EXPECT_EQ(test, skb->skb_iif, 0);
	KUNIT_EXPECT_EQ(test, (int)skb->pkt_type, PACKET_HOST);
	KUNIT_EXPECT_EQ(test, ktime_to_ns(skb->tstamp), 0);
	KUNIT_EXPECT_FALSE(test, (bool)skb->l4_hash);
	KUNIT_EXPECT_EQ(test, skb_get_hash_raw(skb), 0U);
	KUNIT_EXPECT_FALSE(test, skb_vlan_tag_present(skb));
	KUNIT_EXPECT_TRUE(test, zwin_a_zero(skb->cb, sizeof(skb->cb)));
	KUNIT_EXPECT_NULL(test, skb_nfct(skb));
	KUNIT_EXPECT_NULL(test, skb_dst(skb));
	KUNIT_EXPECT_NULL(test, skb->dev);
	KUNIT_EXPECT_FALSE(test, skb_mac_header_was_set(skb));

	/* and the answer checksums like a new one */
	th->source = t.vport;
	th->dest = t.cport;
	th->doff = ZWIN_A_TCPLEN / 4;
	th->syn = 1;
	th->ack = 1;
	zwin_af_tcp_csum(skb, t.af, nh);
	KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_NONE);
	if (c->af == 6)
		KUNIT_EXPECT_EQ(test, csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
						      &ipv6_hdr(skb)->daddr,
						      ZWIN_A_TCPLEN, IPPROTO_TCP,
						      csum_partial(th,
								   ZWIN_A_TCPLEN,
								   0)), 0);
	else
		KUNIT_EXPECT_EQ(test, csum_tcpudp_magic(ip_hdr(skb)->saddr,
							ip_hdr(skb)->daddr,
							ZWIN_A_TCPLEN,
							IPPROTO_TCP,
							csum_partial(th,
								     ZWIN_A_TCPLEN,
								     0)), 0);
	kfree_skb(skb);
}

/* Clients no answer may go to: IPv4 martian sources, by address or route. */
static void zwin_test_martian(struct kunit *test)
{
	static struct dst_ops ops4 = { .family = AF_INET };
	static const struct {
		__be32 addr;
		u8 type;
		bool martian;
	} c[] = {
		{ htonl(0xc6336402), RTN_UNICAST, false },	/* 198.51.100.2 */
		{ htonl(0xc63364ff), RTN_BROADCAST, true },	/* a subnet's */
		{ htonl(0xffffffff), RTN_UNICAST, true },	/* limited bcast */
		{ htonl(0xe0000001), RTN_UNICAST, true },	/* 224.0.0.1 */
		{ htonl(0), RTN_UNICAST, true },		/* 0.0.0.0 */
		{ htonl(0xc6336402), RTN_MULTICAST, true },
		{ htonl(0x7f000003), RTN_LOCAL, false },	/* KUnit's clients */
	};
	struct zwin_tuple t;
	struct rtable *rt;
	unsigned int i;

	rt = kunit_kzalloc(test, sizeof(*rt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rt);
	rt->dst.ops = &ops4;
	zwin_a_tuple(4, &t);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		t.caddr.ip = c[i].addr;
		rt->rt_type = c[i].type;
		KUNIT_EXPECT_EQ_MSG(test, zwin_af_martian(&rt->dst, &t),
				    c[i].martian, "case %u", i);
	}
	/* IPv6 input drops multicast sources itself */
	zwin_a_tuple(6, &t);
	KUNIT_EXPECT_FALSE(test, zwin_af_martian(&rt->dst, &t));
}

static struct kunit_case zwin_af_test_cases[] = {
	KUNIT_CASE_PARAM(zwin_test_turn, zwin_af_gen_params),
	KUNIT_CASE(zwin_test_martian),
	{}
};

static struct kunit_suite zwin_af_suite = {
	.name = "ip_vs_zwin_af",
	.test_cases = zwin_af_test_cases,
};

kunit_test_suite(zwin_af_suite);
