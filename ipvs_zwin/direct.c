// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: the short way out. A SYN-ACK answering a flood SYN can be
 * handed straight to the device its route leaves by, in a frame to the
 * route's next hop as the neighbour table knows it, without the local
 * output path (LOCAL_OUT and POST_ROUTING hooks, the IP output functions,
 * the neighbour state machine): that path is a large share of the cost
 * of an answer. It is taken only where it sends the frame the routed path
 * would send (net.ipv4.vs.zwin_synack_direct, admin-guide.rst):
 *
 *  - the route is unicast, with no IPsec transform, no lightweight-tunnel
 *    encapsulation, no IPv6 gateway for an IPv4 route, and leaves by an
 *    Ethernet device (VLAN, bond, bridge, macvlan and veth devices are)
 *    that builds its own link-layer headers and is no VRF's;
 *  - the next hop has a valid neighbour entry; one that is only stale is
 *    used and sent for confirmation, as the routed path does.
 *
 * Anything else is routed, as with zwin_synack_direct=0. The device's
 * queueing discipline, tc and netfilter egress hooks and packet taps still
 * see the SYN-ACK; iptables or nftables OUTPUT and POSTROUTING do not.
 */

#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <net/arp.h>
#include <net/dst.h>
#include <net/ip6_route.h>
#include <net/ndisc.h>
#include <net/neighbour.h>
#include <net/route.h>

#include "zwin.h"

/**
 * zwin_direct_dev_ok() - whether the short way may follow @dst
 * @dst: the route to the client
 *
 * Return: true if @dst is one the short way can follow (above); its
 * next hop is not looked at.
 */
bool zwin_direct_dev_ok(const struct dst_entry *dst)
{
	const struct net_device *dev = dst->dev;

	if (!dev || dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN ||
	    !dev_has_header(dev) || !(dev->flags & IFF_UP) ||
	    netif_is_l3_master(dev) || netif_is_l3_slave(dev))
		return false;
	/* an xfrm bundle is no rtable: tested before the IPv4 fields */
	if (dst_xfrm(dst) || dst->lwtstate)
		return false;
	if (dst->ops->family == AF_INET) {
		const struct rtable *rt = container_of(dst, struct rtable, dst);

		if (rt->rt_type != RTN_UNICAST || rt->rt_gw_family == AF_INET6)
			return false;
	}
	return true;
}

/**
 * zwin_direct_route() - the short way along @dst, if there is one
 * @d: filled with the device and the next hop's link-layer address
 * @dst: the route to the client, from zwin_af_route()
 * @t: the connection's addresses
 *
 * Must be called under rcu_read_lock() with bottom halves disabled (a
 * netfilter hook).
 *
 * Return: true if @d can be used by zwin_direct_xmit().
 */
bool zwin_direct_route(struct zwin_direct *d, struct dst_entry *dst,
		       const struct zwin_tuple *t)
{
	struct net_device *dev = dst->dev;
	struct neighbour *n;
	u8 nud;

	if (!zwin_direct_dev_ok(dst))
		return false;
	if (t->af == AF_INET6) {
		const struct rt6_info *rt = container_of(dst, struct rt6_info,
							 dst);

		n = __ipv6_neigh_lookup_noref(dev,
					      rt6_nexthop(rt, &t->caddr.in6));
	} else {
		const struct rtable *rt = container_of(dst, struct rtable, dst);

		n = __ipv4_neigh_lookup_noref(dev, (__force u32)
					      rt_nexthop(rt, t->caddr.ip));
	}
	if (!n)
		return false;
	nud = READ_ONCE(n->nud_state);
	if (!(nud & NUD_VALID))
		return false;
	/* a stale entry is used and confirmed, as neigh_resolve_output() does */
	if (!(nud & NUD_CONNECTED))
		neigh_event_send(n, NULL);
	neigh_ha_snapshot(d->dest, n, dev);
	d->dev = dev;
	return true;
}

/* Puts @skb in a frame from @d's device to @d's next hop. */
static int zwin_direct_frame(struct sk_buff *skb, const struct zwin_direct *d)
{
	struct net_device *dev = d->dev;

	if (skb_cow_head(skb, LL_RESERVED_SPACE(dev)))
		return -ENOMEM;
	skb_dst_drop(skb);
	skb->dev = dev;
	if (dev_hard_header(skb, dev, ntohs(skb->protocol), d->dest, NULL,
			    skb->len) < 0)
		return -EINVAL;
	skb_reset_mac_header(skb);
	skb->mac_len = skb_network_offset(skb);
	return 0;
}

/**
 * zwin_direct_xmit() - send a segment the short way
 * @skb: a segment from zwin_af_alloc() or zwin_af_turn(), network header
 *	at skb->data; consumed
 * @d: from zwin_direct_route()
 *
 * Return: true if it was handed to the device (its queueing discipline
 * may still drop it), false if its frame could not be built (@skb freed).
 */
bool zwin_direct_xmit(struct sk_buff *skb, const struct zwin_direct *d)
{
	if (zwin_direct_frame(skb, d)) {
		kfree_skb(skb);
		return false;
	}
	dev_queue_xmit(skb);
	return true;
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/direct_test.c"
#endif
