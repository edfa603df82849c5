// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the short way out (included by direct.c). Which received frames
 * allow it (Ethernet, addressed to us, from a unicast address, no VLAN
 * tag left, a device that sends plain Ethernet frames), which routes
 * allow it (the same device, up, unicast), and the frame it builds: the
 * SYN's sender as destination, the device's address as source, the
 * network header untouched behind it. The guest scenario synack_direct
 * sends it for real.
 */

#include <kunit/test.h>
#include <linux/etherdevice.h>

static const u8 zwin_d_peer[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x42 };
static const u8 zwin_d_own[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };

struct zwin_d_case {
	const char *name;
	const u8 *src;		/* the frame's source; NULL: zwin_d_peer */
	int pkt_type;
	bool vlan_tag;		/* a tag left on the skb (no VLAN device) */
	unsigned int mac_len;
	unsigned short type;	/* device type */
	unsigned short hlen;	/* device's hard_header_len */
	bool noted;		/* the expected result */
};

static const u8 zwin_d_mcast[ETH_ALEN] = { 0x01, 0, 0x5e, 0, 0, 1 };
static const u8 zwin_d_zero[ETH_ALEN];

static const struct zwin_d_case zwin_d_cases[] = {
	{ "Ethernet, to us", NULL, PACKET_HOST, false, ETH_HLEN,
	  ARPHRD_ETHER, ETH_HLEN, true },
	{ "multicast source", zwin_d_mcast, PACKET_HOST, false, ETH_HLEN,
	  ARPHRD_ETHER, ETH_HLEN, false },
	{ "zero source", zwin_d_zero, PACKET_HOST, false, ETH_HLEN,
	  ARPHRD_ETHER, ETH_HLEN, false },
	{ "not to us", NULL, PACKET_OTHERHOST, false, ETH_HLEN,
	  ARPHRD_ETHER, ETH_HLEN, false },
	{ "VLAN tag left", NULL, PACKET_HOST, true, ETH_HLEN,
	  ARPHRD_ETHER, ETH_HLEN, false },
	{ "tagged header", NULL, PACKET_HOST, false, VLAN_ETH_HLEN,
	  ARPHRD_ETHER, ETH_HLEN, false },
	{ "device adds a tag", NULL, PACKET_HOST, false, ETH_HLEN,
	  ARPHRD_ETHER, VLAN_ETH_HLEN, false },
	{ "not Ethernet", NULL, PACKET_HOST, false, ETH_HLEN,
	  ARPHRD_NONE, ETH_HLEN, false },
};

static void zwin_d_desc(const struct zwin_d_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zwin_d, zwin_d_cases, zwin_d_desc);

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

static void zwin_d_free_skb(void *skb)
{
	kfree_skb(skb);
}

/* A received frame: Ethernet header from @src, then 20 bytes of IPv4. */
static struct sk_buff *zwin_d_skb(struct kunit *test, struct net_device *dev,
				  const u8 *src, unsigned int mac_len)
{
	struct sk_buff *skb = alloc_skb(128, GFP_KERNEL);
	struct ethhdr *eth;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, zwin_d_free_skb,
							skb), 0);
	skb_reserve(skb, 32);
	skb_reset_mac_header(skb);
	eth = skb_put_zero(skb, mac_len);
	memcpy(eth->h_dest, zwin_d_own, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	skb_pull(skb, mac_len);
	skb_reset_network_header(skb);
	memset(skb_put(skb, 20), 0x45, 20);
	skb->mac_len = mac_len;
	skb->dev = dev;
	skb->protocol = htons(ETH_P_IP);
	skb->pkt_type = PACKET_HOST;
	return skb;
}

static void zwin_test_direct_note(struct kunit *test)
{
	const struct zwin_d_case *c = test->param_value;
	struct net_device *dev = zwin_d_dev(test);
	struct zwin_direct d = {};
	struct sk_buff *skb;

	dev->type = c->type;
	dev->hard_header_len = c->hlen;
	skb = zwin_d_skb(test, dev, c->src ?: zwin_d_peer, c->mac_len);
	skb->pkt_type = c->pkt_type;
	if (c->vlan_tag)
		__vlan_hwaccel_put_tag(skb, htons(ETH_P_8021Q), 10);
	KUNIT_EXPECT_EQ(test, zwin_direct_note(skb, &d), c->noted);
	if (c->noted) {
		KUNIT_EXPECT_PTR_EQ(test, d.dev, dev);
		KUNIT_EXPECT_MEMEQ(test, d.dest, zwin_d_peer, ETH_ALEN);
	}
}

/* A frame that lost its link-layer header is not noted either. */
static void zwin_test_direct_no_mac(struct kunit *test)
{
	struct net_device *dev = zwin_d_dev(test);
	struct sk_buff *skb = zwin_d_skb(test, dev, zwin_d_peer, ETH_HLEN);
	struct zwin_direct d = {};

	skb_unset_mac_header(skb);
	KUNIT_EXPECT_FALSE(test, zwin_direct_note(skb, &d));
	skb_reset_mac_header(skb);
	skb->dev = NULL;
	KUNIT_EXPECT_FALSE(test, zwin_direct_note(skb, &d));
}

/* Routes: fields only, as zwin_direct_route_ok() reads them. */
static void zwin_test_direct_route(struct kunit *test)
{
	static struct dst_ops ops4 = { .family = AF_INET };
	static struct dst_ops ops6 = { .family = AF_INET6 };
	struct net_device *dev = zwin_d_dev(test), *other = zwin_d_dev(test);
	struct zwin_direct d = { .dev = dev };
	struct rtable *rt;

	rt = kunit_kzalloc(test, sizeof(*rt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rt);
	rt->dst.ops = &ops4;
	rt->dst.dev = dev;
	rt->rt_type = RTN_UNICAST;
	KUNIT_EXPECT_TRUE(test, zwin_direct_route_ok(&d, &rt->dst));
	/* the route to the client leaves by another device */
	rt->dst.dev = other;
	KUNIT_EXPECT_FALSE(test, zwin_direct_route_ok(&d, &rt->dst));
	rt->dst.dev = dev;
	rt->rt_type = RTN_BROADCAST;
	KUNIT_EXPECT_FALSE(test, zwin_direct_route_ok(&d, &rt->dst));
	rt->rt_type = RTN_UNICAST;
	dev->flags &= ~IFF_UP;
	KUNIT_EXPECT_FALSE(test, zwin_direct_route_ok(&d, &rt->dst));
	dev->flags |= IFF_UP;
	/* IPv6 routes have no rt_type to check */
	rt->dst.ops = &ops6;
	rt->rt_type = RTN_BROADCAST;
	KUNIT_EXPECT_TRUE(test, zwin_direct_route_ok(&d, &rt->dst));
}

/* The frame: to the SYN's sender, from the device, the packet behind it. */
static void zwin_test_direct_frame(struct kunit *test)
{
	struct net_device *dev = zwin_d_dev(test);
	struct sk_buff *skb = zwin_d_skb(test, dev, zwin_d_peer, ETH_HLEN);
	struct zwin_direct d = {};
	const struct ethhdr *eth;
	u8 ip[20];

	KUNIT_ASSERT_TRUE(test, zwin_direct_note(skb, &d));
	/* the answer is built where the SYN's network header was */
	memcpy(ip, skb->data, sizeof(ip));
	skb_unset_mac_header(skb);
	skb->dev = NULL;
	skb->protocol = htons(ETH_P_IPV6);
	KUNIT_ASSERT_EQ(test, zwin_direct_frame(skb, &d), 0);
	eth = eth_hdr(skb);
	KUNIT_EXPECT_PTR_EQ(test, (void *)eth, (void *)skb->data);
	KUNIT_EXPECT_EQ(test, skb->len, ETH_HLEN + 20);
	KUNIT_EXPECT_EQ(test, skb->mac_len, ETH_HLEN);
	KUNIT_EXPECT_MEMEQ(test, eth->h_dest, zwin_d_peer, ETH_ALEN);
	KUNIT_EXPECT_MEMEQ(test, eth->h_source, zwin_d_own, ETH_ALEN);
	KUNIT_EXPECT_EQ(test, eth->h_proto, htons(ETH_P_IPV6));
	KUNIT_EXPECT_MEMEQ(test, skb->data + ETH_HLEN, ip, sizeof(ip));
	KUNIT_EXPECT_PTR_EQ(test, skb->dev, dev);
}

static struct kunit_case zwin_direct_test_cases[] = {
	KUNIT_CASE_PARAM(zwin_test_direct_note, zwin_d_gen_params),
	KUNIT_CASE(zwin_test_direct_no_mac),
	KUNIT_CASE(zwin_test_direct_route),
	KUNIT_CASE(zwin_test_direct_frame),
	{}
};

static struct kunit_suite zwin_direct_suite = {
	.name = "ip_vs_zwin_direct",
	.test_cases = zwin_direct_test_cases,
};

kunit_test_suite(zwin_direct_suite);
