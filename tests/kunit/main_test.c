// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: a namespace's lazy set-up (included by main.c). Client ACKs that
 * arrive before the namespace's table exists are held, 64 at most (the
 * rest dropped and counted as early_drop), and replayed on their device
 * once it is there; a device gone meanwhile drops its ACKs. Activation is
 * idempotent and does nothing for a namespace on its way out.
 *
 * A private struct zwin_net stands for the namespace being set up (its
 * net is init_net, which is already active), so that nothing of init_net
 * changes but what goes through its device.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>
#include <net/tcp.h>

#define ZWIN_MT_VIP	htonl(0x7f000002)	/* 127.0.0.2 */
#define ZWIN_MT_CIP	htonl(0x7f000005)	/* 127.0.0.5 */

static atomic_t zwin_mt_seen;

/* PRE_ROUTING, first of all: counts and takes the replayed ACKs. */
static unsigned int zwin_mt_take(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	if (ip_hdr(skb)->saddr != ZWIN_MT_CIP)
		return NF_ACCEPT;
	atomic_inc(&zwin_mt_seen);
	kfree_skb(skb);
	return NF_STOLEN;
}

static const struct nf_hook_ops zwin_mt_ops = {
	.hook = zwin_mt_take, .pf = NFPROTO_IPV4,
	.hooknum = NF_INET_PRE_ROUTING, .priority = INT_MIN,
};

static void zwin_mt_free_stats(void *stats)
{
	free_percpu(stats);
}

/* A namespace's proxy state before zwin_activate() ran. */
static struct zwin_net *zwin_mt_zn(struct kunit *test)
{
	struct zwin_net *zn = kunit_kzalloc(test, sizeof(*zn), GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, zn);
	zn->net = &init_net;
	zwin_cookie_init(zn);
	zwin_conn_init(zn);
	skb_queue_head_init(&zn->early);
	zn->stats = alloc_percpu(struct zwin_cpu_stats);
	KUNIT_ASSERT_NOT_NULL(test, zn->stats);
	err = kunit_add_action_or_reset(test, zwin_mt_free_stats, zn->stats);
	KUNIT_ASSERT_EQ(test, err, 0);
	zn->sysctl.max_pending = 4096;
	zn->sysctl.max_conns = 4096;
	return zn;
}

/* The client's ACK of its cookie, received on lo, @port its source port. */
static struct sk_buff *zwin_mt_ack(struct kunit *test, struct zwin_net *zn,
				   struct zwin_tuple *t, u16 port)
{
	struct zwin_synopts o = { .mss = 1460, .wscale = ZWIN_WSCALE_NONE };
	u32 isn = get_random_u32(), cookie, tsval;
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;

	memset(t, 0, sizeof(*t));
	t->af = AF_INET;
	t->caddr.ip = ZWIN_MT_CIP;
	t->vaddr.ip = ZWIN_MT_VIP;
	t->cport = htons(port);
	t->vport = htons(443);
	cookie = zwin_cookie_make(zn, t, isn, &o, &tsval);

	skb = alloc_skb(LL_MAX_HEADER + 40, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->saddr = t->caddr.ip;
	iph->daddr = t->vaddr.ip;
	iph->tot_len = htons(40);
	ip_send_check(iph);
	skb_set_transport_header(skb, sizeof(*iph));
	th = skb_put_zero(skb, sizeof(*th));
	th->source = t->cport;
	th->dest = t->vport;
	th->seq = htonl(isn + 1);
	th->ack_seq = htonl(cookie + 1);
	th->doff = 5;
	th->ack = 1;
	th->window = htons(502);
	th->check = tcp_v4_check(sizeof(*th), iph->saddr, iph->daddr,
				 csum_partial(th, sizeof(*th), 0));
	skb->protocol = htons(ETH_P_IP);
	skb->dev = init_net.loopback_dev;
	skb->skb_iif = skb->dev->ifindex;
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	return skb;
}

static unsigned int zwin_mt_client_ack(struct zwin_net *zn,
				       struct sk_buff *skb,
				       const struct zwin_tuple *t)
{
	unsigned int v;

	local_bh_disable();
	rcu_read_lock();
	v = zwin_client_ack(zn, skb, t, ip_hdrlen(skb), NULL);
	rcu_read_unlock();
	local_bh_enable();
	return v;
}

/* 64 valid ACKs are held; the 65th is dropped and counted. */
static void zwin_test_early_hold(struct kunit *test)
{
	struct zwin_net *zn = zwin_mt_zn(test);
	struct zwin_tuple t;
	struct sk_buff *skb;
	int i;

	for (i = 0; i < ZWIN_EARLY_MAX; i++) {
		skb = zwin_mt_ack(test, zn, &t, 20000 + i);
		KUNIT_ASSERT_EQ(test, zwin_mt_client_ack(zn, skb, &t),
				NF_STOLEN);
	}
	KUNIT_EXPECT_EQ(test, skb_queue_len(&zn->early), ZWIN_EARLY_MAX);
	/* held ones lose what ties them to the path they came by */
	skb = skb_peek(&zn->early);
	KUNIT_EXPECT_NULL(test, skb->dev);
	KUNIT_EXPECT_NULL(test, skb_dst(skb));
	KUNIT_EXPECT_EQ(test, skb->skb_iif, init_net.loopback_dev->ifindex);

	skb = zwin_mt_ack(test, zn, &t, 30000);
	KUNIT_EXPECT_EQ(test, zwin_mt_client_ack(zn, skb, &t), NF_DROP);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&zn->early), ZWIN_EARLY_MAX);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_EARLY_DROP), 1UL);
	/* not counted as valid until they are handled for real */
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_COOKIE_VALID), 0UL);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, ZWIN_STAT_SERVER_SYN), 0UL);
	skb_queue_purge(&zn->early);
}

/* Replayed on their device; one whose device is gone is dropped. */
static void zwin_test_early_release(struct kunit *test)
{
	struct net_device *lo = init_net.loopback_dev;
	struct zwin_net *zn = zwin_mt_zn(test);
	struct zwin_tuple t;
	struct sk_buff *skb;
	int i, err = 0;

	rtnl_lock();
	if (!(lo->flags & IFF_UP))
		err = dev_open(lo, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	atomic_set(&zwin_mt_seen, 0);
	KUNIT_ASSERT_EQ(test, nf_register_net_hook(&init_net, &zwin_mt_ops), 0);

	for (i = 0; i < 3; i++) {
		skb = zwin_mt_ack(test, zn, &t, 40000 + i);
		KUNIT_ASSERT_EQ(test, zwin_mt_client_ack(zn, skb, &t),
				NF_STOLEN);
	}
	/* the last one's device went away */
	skb_peek_tail(&zn->early)->skb_iif = INT_MAX;
	zwin_early_release(zn);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&zn->early), 0);
	for (i = 0; i < 100 && atomic_read(&zwin_mt_seen) < 2; i++)
		usleep_range(10000, 20000);
	usleep_range(50000, 60000);
	KUNIT_EXPECT_EQ(test, atomic_read(&zwin_mt_seen), 2);
	nf_unregister_net_hook(&init_net, &zwin_mt_ops);
}

/* A namespace on its way out is not set up; an active one stays as is. */
static void zwin_test_activate(struct kunit *test)
{
	struct zwin_net *zn = zwin_mt_zn(test), *real;
	struct hlist_head *tbl;

	WRITE_ONCE(zn->dying, true);
	zwin_activate(zn);
	KUNIT_EXPECT_FALSE(test, zn->active);
	KUNIT_EXPECT_NULL(test, zn->conn_tbl);

	real = zwin_pernet(&init_net);
	zwin_activate(real);
	KUNIT_ASSERT_TRUE(test, real->active);
	tbl = real->conn_tbl;
	zwin_activate(real);
	KUNIT_EXPECT_TRUE(test, real->active);
	KUNIT_EXPECT_PTR_EQ(test, real->conn_tbl, tbl);
}

static struct kunit_case zwin_main_cases[] = {
	KUNIT_CASE(zwin_test_early_hold),
	KUNIT_CASE(zwin_test_early_release),
	KUNIT_CASE(zwin_test_activate),
	{}
};

static struct kunit_suite zwin_main_suite = {
	.name = "ip_vs_zwin_main",
	.test_cases = zwin_main_cases,
};

kunit_test_suite(zwin_main_suite);
