// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the short way out (included by direct.c). Which routes allow it
 * (unicast, no encapsulation, no IPv6 gateway for IPv4, an Ethernet
 * device that is up, builds its own headers and is no VRF's) and the
 * frame it builds: the next hop's address as destination, the device's
 * as source, the network header untouched behind it. The next hop's
 * neighbour entry and the sending are the guest scenario synack_direct's.
 */

#include <kunit/test.h>
#include <linux/etherdevice.h>

static const u8 zwin_d_hop[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x42 };
static const u8 zwin_d_own[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };

static void zwin_d_free_dev(void *dev)
{
	free_netdev(dev);
}

/* An Ethernet device, never registered: only its fields are read. */
static struct net_device *zwin_d_dev(struct kunit *test)
{
	struct net_device *dev = alloc_etherdev(0);

	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zwin_d_free_dev,
							dev), 0);
	eth_hw_addr_set(dev, zwin_d_own);
	dev->flags |= IFF_UP;
	return dev;
}

/* Routes: fields only, as zwin_direct_dev_ok() reads them. */
static void zwin_test_direct_dev(struct kunit *test)
{
	static struct dst_ops ops4 = { .family = AF_INET };
	static struct dst_ops ops6 = { .family = AF_INET6 };
	struct net_device *dev = zwin_d_dev(test);
	const struct header_ops *hops = dev->header_ops;
	struct rtable *rt;

	rt = kunit_kzalloc(test, sizeof(*rt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rt);
	rt->dst.ops = &ops4;
	rt->dst.dev = dev;
	rt->rt_type = RTN_UNICAST;
	rt->rt_gw_family = AF_INET;
	KUNIT_EXPECT_TRUE(test, zwin_direct_dev_ok(&rt->dst));

	rt->rt_type = RTN_BROADCAST;
	KUNIT_EXPECT_FALSE(test, zwin_direct_dev_ok(&rt->dst));
	rt->rt_type = RTN_UNICAST;
	/* an IPv4 route through an IPv6 gateway (RFC 5549) */
	rt->rt_gw_family = AF_INET6;
	KUNIT_EXPECT_FALSE(test, zwin_direct_dev_ok(&rt->dst));
	rt->rt_gw_family = 0;
	KUNIT_EXPECT_TRUE(test, zwin_direct_dev_ok(&rt->dst));
	/* a lightweight-tunnel encapsulation (never dereferenced here) */
	rt->dst.lwtstate = (struct lwtunnel_state *)zwin_d_hop;
	KUNIT_EXPECT_FALSE(test, zwin_direct_dev_ok(&rt->dst));
	rt->dst.lwtstate = NULL;

	dev->flags &= ~IFF_UP;
	KUNIT_EXPECT_FALSE(test, zwin_direct_dev_ok(&rt->dst));
	dev->flags |= IFF_UP;
	dev->priv_flags |= IFF_L3MDEV_SLAVE;
	KUNIT_EXPECT_FALSE(test, zwin_direct_dev_ok(&rt->dst));
	dev->priv_flags &= ~IFF_L3MDEV_SLAVE;
	dev->priv_flags |= IFF_L3MDEV_MASTER;
	KUNIT_EXPECT_FALSE(test, zwin_direct_dev_ok(&rt->dst));
	dev->priv_flags &= ~IFF_L3MDEV_MASTER;
	dev->type = ARPHRD_NONE;
	KUNIT_EXPECT_FALSE(test, zwin_direct_dev_ok(&rt->dst));
	dev->type = ARPHRD_ETHER;
	/* no link-layer header of its own (as a tunnel device) */
	dev->header_ops = NULL;
	KUNIT_EXPECT_FALSE(test, zwin_direct_dev_ok(&rt->dst));
	dev->header_ops = hops;
	KUNIT_EXPECT_TRUE(test, zwin_direct_dev_ok(&rt->dst));

	/* IPv6 routes have no rt_type to check */
	rt->dst.ops = &ops6;
	rt->rt_type = RTN_BROADCAST;
	KUNIT_EXPECT_TRUE(test, zwin_direct_dev_ok(&rt->dst));
}

static void zwin_d_free_skb(void *skb)
{
	kfree_skb(skb);
}

/* The frame: to the next hop, from the device, the packet behind it. */
static void zwin_test_direct_frame(struct kunit *test)
{
	struct net_device *dev = zwin_d_dev(test);
	struct zwin_direct d = { .dev = dev };
	struct sk_buff *skb = alloc_skb(64, GFP_KERNEL);
	const struct ethhdr *eth;
	u8 ip[40];

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zwin_d_free_skb,
							skb), 0);
	memcpy(d.dest, zwin_d_hop, ETH_ALEN);
	/* less headroom than the device wants: the head is reallocated */
	skb_reserve(skb, 4);
	skb_reset_network_header(skb);
	memset(ip, 0x60, sizeof(ip));
	skb_put_data(skb, ip, sizeof(ip));
	skb->protocol = htons(ETH_P_IPV6);
	KUNIT_ASSERT_EQ(test, zwin_direct_frame(skb, &d), 0);
	eth = eth_hdr(skb);
	KUNIT_EXPECT_PTR_EQ(test, (void *)eth, (void *)skb->data);
	KUNIT_EXPECT_EQ(test, skb->len, ETH_HLEN + sizeof(ip));
	KUNIT_EXPECT_EQ(test, skb->mac_len, ETH_HLEN);
	KUNIT_EXPECT_GE(test, skb_headroom(skb) + ETH_HLEN,
			(unsigned int)LL_RESERVED_SPACE(dev));
	KUNIT_EXPECT_MEMEQ(test, eth->h_dest, zwin_d_hop, ETH_ALEN);
	KUNIT_EXPECT_MEMEQ(test, eth->h_source, zwin_d_own, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, eth->h_proto, htons(ETH_P_IPV6));
	KUNIT_EXPECT_MEMEQ(test, skb_network_header(skb), ip, sizeof(ip));
	KUNIT_EXPECT_PTR_EQ(test, skb->dev, dev);
}

static struct kunit_case zwin_direct_test_cases[] = {
	KUNIT_CASE(zwin_test_direct_dev),
	KUNIT_CASE(zwin_test_direct_frame),
	{}
};

static struct kunit_suite zwin_direct_suite = {
	.name = "ip_vs_zwin_direct",
	.test_cases = zwin_direct_test_cases,
};

kunit_test_suite(zwin_direct_suite);
