// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: 100,000 randomised and mutated IPv4 segments through the
 * PRE_ROUTING hook (included by hook.c, after hook_test.c): random TCP
 * flags, data offsets, option bytes, lengths cut short of what the header
 * claims, fragments, linear and nonlinear skbs, all aimed at a zwin
 * service so that the SYN and cookie paths run. KASAN reports any access
 * past a packet; the counters must stay consistent.
 */

#include <kunit/test.h>
#include <linux/random.h>

static struct sk_buff *zwin_fuzz_skb(struct kunit *test)
{
	u8 tcp[60 + 64];
	unsigned int tcplen = get_random_u32_below(sizeof(tcp) + 1);
	bool nonlinear = get_random_u32_below(2);
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
	iph->protocol = get_random_u32_below(8) ? IPPROTO_TCP : IPPROTO_UDP;
	iph->saddr = ZWIN_H_CIP ^ htonl(get_random_u32_below(256));
	iph->daddr = ZWIN_H_VIP;
	iph->frag_off = get_random_u32_below(16) ? 0 :
			htons(get_random_u32() & (IP_MF | IP_OFFSET));
	iph->tot_len = htons(sizeof(*iph) + tcplen);
	ip_send_check(iph);
	skb->protocol = htons(ETH_P_IP);
	skb->dev = init_net.loopback_dev;
	skb_set_transport_header(skb, sizeof(*iph));

	get_random_bytes(tcp, sizeof(tcp));
	((struct tcphdr *)tcp)->dest = ZWIN_H_PORT;
	/* mostly SYNs and ACKs, the interesting paths; any flags otherwise */
	switch (get_random_u32_below(4)) {
	case 0:
		tcp[13] = TCPHDR_SYN;
		break;
	case 1:
		tcp[13] = TCPHDR_ACK;
		break;
	}
	/* mostly verified by the "device"; else the SYN path checks it */
	skb->ip_summed = get_random_u32_below(4) ? CHECKSUM_UNNECESSARY :
			 CHECKSUM_NONE;
	if (nonlinear && tcplen) {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy_to_page(page, 0, tcp, tcplen);
		skb_add_rx_frag(skb, 0, page, 0, tcplen, PAGE_SIZE);
	} else {
		skb_put_data(skb, tcp, tcplen);
	}
	return skb;
}

static void zwin_test_fuzz(struct kunit *test)
{
	struct zwin_net *zn = zwin_pernet(&init_net);
	unsigned long before[ZWIN_STAT_MAX], d[ZWIN_STAT_MAX];
	unsigned int i, verdict, n[3] = {};
	struct sk_buff *skb;
	struct zwin_fx fx;

	zwin_hook_fx(test, &fx);
	for (i = 0; i < ZWIN_STAT_MAX; i++)
		before[i] = zwin_stat_sum(zn, i);
	for (i = 0; i < 100000; i++) {
		WRITE_ONCE(zn->last_synack, jiffies);
		skb = zwin_fuzz_skb(test);
		verdict = zwin_hook_run(skb);
		KUNIT_ASSERT_TRUE(test, verdict == NF_ACCEPT ||
				  verdict == NF_DROP || verdict == NF_STOLEN);
		n[verdict == NF_ACCEPT ? 0 : verdict == NF_DROP ? 1 : 2]++;
		if (verdict != NF_STOLEN)
			kfree_skb(skb);
		if (!(i & 0x3ff))
			cond_resched();
	}
	for (i = 0; i < ZWIN_STAT_MAX; i++)
		d[i] = zwin_stat_sum(zn, i) - before[i];
	kunit_info(test, "accepted %u, dropped %u, answered %u; SYNs %lu, invalid cookies %lu\n",
		   n[0], n[1], n[2], d[ZWIN_STAT_SYN_SEEN],
		   d[ZWIN_STAT_COOKIE_INVALID]);
	/* every SYN went to the zwin service */
	KUNIT_EXPECT_EQ(test, d[ZWIN_STAT_SYN_SEEN], d[ZWIN_STAT_SYN_ZWIN]);
	/* a SYN is answered (or its answer failed to route) at most once */
	KUNIT_EXPECT_LE(test, d[ZWIN_STAT_SYNACK_SENT] + d[ZWIN_STAT_XMIT_FAIL],
			d[ZWIN_STAT_SYN_ZWIN]);
	KUNIT_EXPECT_EQ(test, (unsigned long)n[2],
			d[ZWIN_STAT_SYNACK_SENT] + d[ZWIN_STAT_XMIT_FAIL] +
			d[ZWIN_STAT_COOKIE_VALID]);
	/* random ACKs: the paths ran, and essentially none passed */
	KUNIT_EXPECT_GT(test, d[ZWIN_STAT_COOKIE_INVALID], 10000UL);
	KUNIT_EXPECT_LE(test, d[ZWIN_STAT_COOKIE_VALID], 2UL);
	KUNIT_EXPECT_GT(test, d[ZWIN_STAT_SYN_ZWIN], 10000UL);
	/* random flag mixes with SYN: SYN+FIN and the like were dropped */
	KUNIT_EXPECT_GT(test, d[ZWIN_STAT_SYN_INVALID], 100UL);
	zwin_fx_close(&fx);
}

static struct kunit_case zwin_fuzz_cases[] = {
	KUNIT_CASE_SLOW(zwin_test_fuzz),
	{}
};

static struct kunit_suite zwin_fuzz_suite = {
	.name = "ip_vs_zwin_fuzz",
	.test_cases = zwin_fuzz_cases,
};

kunit_test_suite(zwin_fuzz_suite);
