// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: sequence-space translation on real IPv4 and IPv6 skbs (included
 * by rewrite.c), in each ip_summed state, linear and nonlinear, across
 * sequence
 * wraparound; every checksum is compared with one computed from scratch.
 */

#include <kunit/test.h>
#include <linux/highmem.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>

#define ZWIN_R_PAYLOAD	300

struct zwin_rw_case {
	const char *name;
	u8 af;
	u8 ip_summed;
	bool nonlinear;
	u32 delta;
	u32 tsoff;
	u8 swscale;
	u8 pwscale;
	u16 cwin;	/* the server's window of 1000 as the client sees it */
};

static const struct zwin_rw_case zwin_rw_cases[] = {
	{ "NONE", 4, CHECKSUM_NONE, false, 0x12345678, 1000, 7, 7, 1000 },
	{ "COMPLETE", 4, CHECKSUM_COMPLETE, false, 0x12345678, 1000, 7, 7,
	  1000 },
	{ "PARTIAL", 4, CHECKSUM_PARTIAL, false, 0x12345678, 1000, 7, 7, 1000 },
	{ "NONE, nonlinear", 4, CHECKSUM_NONE, true, 0x9abcdef0, 5, 7, 7,
	  1000 },
	{ "COMPLETE, nonlinear", 4, CHECKSUM_COMPLETE, true, 0x9abcdef0, 5,
	  7, 7, 1000 },
	{ "PARTIAL, nonlinear", 4, CHECKSUM_PARTIAL, true, 0x9abcdef0, 5, 7, 7,
	  1000 },
	{ "wraparound", 4, CHECKSUM_NONE, false, 0x00000200, 0xfffffff0, 7, 7,
	  1000 },
	/* 1000 << 9 = 512000 bytes, >> 7 */
	{ "server scale 9, proxy 7", 4, CHECKSUM_COMPLETE, false, 77, 0, 9, 7,
	  4000 },
	/* 4000 bytes >> 7, rounded down */
	{ "server scale 2, proxy 7", 4, CHECKSUM_NONE, false, 77, 0, 2, 7, 31 },
	{ "server unscaled, proxy 7", 4, CHECKSUM_NONE, false, 77, 0,
	  ZWIN_WSCALE_NONE, 7, 7 },
	/* 16384000 bytes do not fit an unscaled field */
	{ "server scale 14, proxy 0: 65535", 4, CHECKSUM_PARTIAL, false, 77, 0,
	  14, 0, 65535 },
	{ "IPv6 NONE", 6, CHECKSUM_NONE, false, 0x12345678, 1000, 7, 7, 1000 },
	{ "IPv6 COMPLETE, nonlinear", 6, CHECKSUM_COMPLETE, true, 0x9abcdef0,
	  5, 7, 7, 1000 },
	{ "IPv6 PARTIAL", 6, CHECKSUM_PARTIAL, false, 0x00000200, 0xfffffff0,
	  9, 7, 4000 },
	{ "IPv6 server scale 14, proxy 2: 65535", 6, CHECKSUM_COMPLETE, false,
	  77, 0, 14, 2, 65535 },
};

static void zwin_rw_desc(const struct zwin_rw_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zwin_rw, zwin_rw_cases, zwin_rw_desc);

/* 20 + 12 (NOP NOP TS) + 20 (NOP NOP SACK with 2 blocks) */
#define ZWIN_R_TCPLEN	52

static unsigned int zwin_r_nhlen(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IPV6) ? sizeof(struct ipv6hdr) :
						    sizeof(struct iphdr);
}

/* The TCP checksum of @skb computed from scratch (check field included). */
static __sum16 zwin_r_tcp_csum(struct sk_buff *skb)
{
	unsigned int nhlen = zwin_r_nhlen(skb), len = skb->len - nhlen;
	__wsum sum = skb_checksum(skb, nhlen, len, 0);

	if (skb->protocol == htons(ETH_P_IPV6))
		return csum_ipv6_magic(&ipv6_hdr(skb)->saddr,
				       &ipv6_hdr(skb)->daddr, len, IPPROTO_TCP,
				       sum);
	return csum_tcpudp_magic(ip_hdr(skb)->saddr, ip_hdr(skb)->daddr, len,
				 IPPROTO_TCP, sum);
}

static struct sk_buff *zwin_r_skb(struct kunit *test,
				  const struct zwin_rw_case *c, u32 seq,
				  u32 ack, u32 tsval, u32 tsecr,
				  const u32 *sack)
{
	struct zwin_tuple t = { .af = c->af == 6 ? AF_INET6 : AF_INET };
	unsigned int nhlen = zwin_af_iphdr_len(t.af);
	struct sk_buff *skb;
	struct tcphdr *th;
	u8 *p;
	int i;

	if (t.af == AF_INET6) {
		t.caddr.in6.s6_addr32[0] = htonl(0x20010db8);
		t.caddr.in6.s6_addr32[3] = htonl(2);
		t.vaddr.in6.s6_addr32[0] = htonl(0x20010db8);
		t.vaddr.in6.s6_addr32[3] = htonl(0x100);
	} else {
		t.caddr.ip = htonl(0xc6336401);
		t.vaddr.ip = htonl(0xc0000264);
	}
	/* the network header, with room for TCP and a linear payload */
	skb = zwin_af_alloc(&init_net, &t, true, ZWIN_R_TCPLEN);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, pskb_expand_head(skb, 0, ZWIN_R_PAYLOAD,
					       GFP_KERNEL), 0);
	th = (struct tcphdr *)(skb->data + nhlen);
	th->source = htons(40000);
	th->dest = htons(80);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = ZWIN_R_TCPLEN / 4;
	th->ack = 1;
	th->psh = 1;
	th->window = htons(1000);
	p = (u8 *)(th + 1);
	p += zwin_ts_opt(p, tsval, tsecr);
	*p++ = TCPOPT_NOP;
	*p++ = TCPOPT_NOP;
	*p++ = TCPOPT_SACK;
	*p++ = 18;
	for (i = 0; i < 4; i++, p += 4)
		put_unaligned_be32(sack[i], p);

	if (c->nonlinear) {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		memset(page_address(page), 0xa5, ZWIN_R_PAYLOAD);
		skb_add_rx_frag(skb, 0, page, 0, ZWIN_R_PAYLOAD, PAGE_SIZE);
	} else {
		memset(skb_put(skb, ZWIN_R_PAYLOAD), 0xa5, ZWIN_R_PAYLOAD);
	}
	zwin_af_fix_len(skb, t.af, nhlen, ZWIN_R_TCPLEN + ZWIN_R_PAYLOAD);

	th->check = 0;
	th->check = zwin_r_tcp_csum(skb);
	skb->ip_summed = c->ip_summed;
	if (c->ip_summed == CHECKSUM_COMPLETE) {
		skb->csum = skb_checksum(skb, 0, skb->len, 0);
	} else if (c->ip_summed == CHECKSUM_PARTIAL && t.af == AF_INET6) {
		th->check = ~tcp_v6_check(skb->len - nhlen,
					  &ipv6_hdr(skb)->saddr,
					  &ipv6_hdr(skb)->daddr, 0);
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct tcphdr, check);
	} else if (c->ip_summed == CHECKSUM_PARTIAL) {
		th->check = ~tcp_v4_check(skb->len - nhlen, ip_hdr(skb)->saddr,
					  ip_hdr(skb)->daddr, 0);
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct tcphdr, check);
	}
	return skb;
}

/* The checksum the segment would carry on the wire must be right. */
static void zwin_r_check_csum(struct kunit *test, struct sk_buff *skb,
			      u8 ip_summed)
{
	struct tcphdr *th;
	__sum16 want;

	if (ip_summed == CHECKSUM_COMPLETE)
		KUNIT_EXPECT_EQ(test, csum_fold(skb->csum),
				csum_fold(skb_checksum(skb, 0, skb->len, 0)));
	if (ip_summed == CHECKSUM_PARTIAL)
		KUNIT_ASSERT_EQ(test, skb_checksum_help(skb), 0);
	th = tcp_hdr(skb);
	want = th->check;
	th->check = 0;
	KUNIT_EXPECT_EQ(test, want, zwin_r_tcp_csum(skb));
	th->check = want;
}

static void zwin_r_conn(struct zwin_conn *c, const struct zwin_rw_case *p)
{
	memset(c, 0, sizeof(*c));
	c->zn = zwin_pernet(&init_net);
	c->state = ZWIN_S_ESTABLISHED;
	c->dead = true;		/* keeps the timer out of the test */
	c->opts.ts = true;
	c->delta = p->delta;
	c->tsoff = p->tsoff;
	c->swscale = p->swscale;
	c->pwscale = p->pwscale;
}

static void zwin_test_to_server(struct kunit *test)
{
	const struct zwin_rw_case *p = test->param_value;
	const u32 sack[4] = { 0xfffffe00, 0x00000100, 0x7fffffff, 0x80000100 };
	struct sk_buff *skb;
	struct zwin_conn c;
	const u8 *o;
	int i;

	zwin_r_conn(&c, p);
	skb = zwin_r_skb(test, p, 5000, 0xfffffff0, 111, 222, sack);
	KUNIT_ASSERT_EQ(test, zwin_to_server(&c, skb, zwin_r_nhlen(skb)),
			NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->seq), 5000U);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->ack_seq),
			0xfffffff0U - p->delta);
	o = (const u8 *)(tcp_hdr(skb) + 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(o + 4), 111U);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(o + 8), 222U - p->tsoff);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(o + 16 + 4 * i),
				sack[i] - p->delta);
	KUNIT_EXPECT_EQ(test, ntohs(tcp_hdr(skb)->window), 1000);
	zwin_r_check_csum(test, skb, p->ip_summed);
	kfree_skb(skb);
}

static void zwin_test_to_client(struct kunit *test)
{
	const struct zwin_rw_case *p = test->param_value;
	const u32 sack[4] = { 1, 2, 3, 4 };
	struct sk_buff *skb;
	struct zwin_conn c;
	const u8 *o;
	int i;

	zwin_r_conn(&c, p);
	skb = zwin_r_skb(test, p, 0xffffff00, 77, 333, 444, sack);
	KUNIT_ASSERT_EQ(test, zwin_to_client(&c, skb, zwin_r_nhlen(skb)),
			NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->seq), 0xffffff00U + p->delta);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->ack_seq), 77U);
	o = (const u8 *)(tcp_hdr(skb) + 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(o + 4), 333U + p->tsoff);
	KUNIT_EXPECT_EQ(test, get_unaligned_be32(o + 8), 444U);
	/* SACK blocks from the server are left alone */
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, get_unaligned_be32(o + 16 + 4 * i),
				sack[i]);
	KUNIT_EXPECT_EQ(test, ntohs(tcp_hdr(skb)->window), p->cwin);
	zwin_r_check_csum(test, skb, p->ip_summed);
	kfree_skb(skb);
}

/* A pure segment (no payload) with @flags, TCP at offset 20. */
static struct sk_buff *zwin_r_pure(struct kunit *test, u32 seq, u32 ack,
				   u8 flags, unsigned int payload)
{
	struct sk_buff *skb = alloc_skb(128, GFP_KERNEL);
	struct tcphdr *th;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_zero(skb, sizeof(struct iphdr));
	th = skb_put_zero(skb, sizeof(*th) + payload);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = sizeof(*th) / 4;
	th->window = htons(500);
	tcp_flag_word(th) |= htonl((u32)flags << 16);
	return skb;
}

/* Feeds one segment to the detector; true if it calls for a cut. */
static bool zwin_r_storm(struct kunit *test, struct zwin_conn *c,
			 unsigned int dir, u32 seq, u32 ack, u8 flags,
			 unsigned int payload)
{
	struct sk_buff *skb = zwin_r_pure(test, seq, ack, flags, payload);
	bool cut = zwin_ack_storm(c, skb, (struct tcphdr *)(skb->data + 20),
				  20, dir);

	kfree_skb(skb);
	return cut;
}

/*
 * Duplicate-ACK loops: the same pure ACK repeated both ways more than
 * zwin_ack_storm times in a second is a storm; one-way duplicates (loss
 * recovery), data, or new acknowledgments in between are not.
 */
static void zwin_test_ack_storm(struct kunit *test)
{
	struct zwin_net *zn = zwin_pernet(&init_net);
	int saved = zn->sysctl.ack_storm;
	struct zwin_conn c = { .zn = zn, .state = ZWIN_S_ESTABLISHED };
	unsigned int i, cut_at = 0;

	zn->sysctl.ack_storm = 10;
	/* one way only: a receiver's duplicate ACKs during recovery */
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_FALSE(test, zwin_r_storm(test, &c, 0, 7, 9,
						      TCPHDR_ACK, 0));
	/* both ways, data from the server in between: progress */
	for (i = 0; i < 100; i++) {
		KUNIT_EXPECT_FALSE(test, zwin_r_storm(test, &c, 0, 7, 9,
						      TCPHDR_ACK, 0));
		KUNIT_EXPECT_FALSE(test, zwin_r_storm(test, &c, 1, 9, 7,
						      TCPHDR_ACK, 0));
		KUNIT_EXPECT_FALSE(test, zwin_r_storm(test, &c, 1, 9, 7,
						      TCPHDR_ACK | TCPHDR_PSH,
						      100));
	}
	/* both ways, the client's ack advancing: progress */
	for (i = 0; i < 100; i++) {
		KUNIT_EXPECT_FALSE(test, zwin_r_storm(test, &c, 0, 7, 9 + i,
						      TCPHDR_ACK, 0));
		KUNIT_EXPECT_FALSE(test, zwin_r_storm(test, &c, 1, 9, 7,
						      TCPHDR_ACK, 0));
	}
	/* the loop: the same pure ACK both ways */
	for (i = 1; i <= 40 && !cut_at; i++)
		if (zwin_r_storm(test, &c, i & 1, 7, 9, TCPHDR_ACK, 0))
			cut_at = i;
	KUNIT_EXPECT_GT(test, cut_at, 10U);
	KUNIT_EXPECT_LE(test, cut_at, 13U);
	/* 0 turns detection off */
	zn->sysctl.ack_storm = 0;
	for (i = 1; i <= 40; i++)
		KUNIT_EXPECT_FALSE(test, zwin_r_storm(test, &c, i & 1, 7, 9,
						      TCPHDR_ACK, 0));
	zn->sysctl.ack_storm = saved;
}

static struct kunit_case zwin_rewrite_cases[] = {
	KUNIT_CASE_PARAM(zwin_test_to_server, zwin_rw_gen_params),
	KUNIT_CASE_PARAM(zwin_test_to_client, zwin_rw_gen_params),
	KUNIT_CASE(zwin_test_ack_storm),
	{}
};

static struct kunit_suite zwin_rewrite_suite = {
	.name = "ip_vs_zwin_rewrite",
	.test_cases = zwin_rewrite_cases,
};

kunit_test_suite(zwin_rewrite_suite);
