// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: the short way out. A SYN-ACK answering a flood SYN can leave
 * straight from the Ethernet device the SYN came in on, to the link-layer
 * address it came from, without the local output path (LOCAL_OUT and
 * POST_ROUTING hooks, neighbour lookup): that path is most of the cost of
 * an answer. It is taken only when it sends the answer where the routed
 * path would send it and as it would (net.ipv4.vs.zwin_synack_direct,
 * Documentation/admin-guide.rst):
 *
 *  - the SYN came in an Ethernet frame (plain Ethernet header, no VLAN tag
 *    left on it, addressed to this host, from a unicast address) on a
 *    device that takes plain Ethernet frames to send;
 *  - the route to the client leaves by that same device, is unicast and
 *    has no IPsec transform and no lightweight-tunnel encapsulation.
 *
 * Anything else is routed, as with zwin_synack_direct=0. The device's
 * queueing discipline, tc and netfilter egress hooks and packet taps still
 * see the SYN-ACK; iptables or nftables OUTPUT and POSTROUTING do not.
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <net/dst.h>
#include <net/lwtunnel.h>
#include <net/route.h>

#include "zwin.h"

/**
 * zwin_direct_note() - note how a received SYN could be answered directly
 * @skb: the SYN, as received (at PRE_ROUTING)
 * @d: filled with its device and its sender's link-layer address
 *
 * Return: true if the frame allows an answer the short way.
 */
bool zwin_direct_note(const struct sk_buff *skb, struct zwin_direct *d)
{
	const struct net_device *dev = skb->dev;
	const struct ethhdr *eth;

	if (!dev || dev->type != ARPHRD_ETHER ||
	    dev->hard_header_len != ETH_HLEN || dev->addr_len != ETH_ALEN ||
	    skb->pkt_type != PACKET_HOST || skb_vlan_tag_present(skb) ||
	    !skb_mac_header_was_set(skb) || skb->mac_len != ETH_HLEN)
		return false;
	eth = eth_hdr(skb);
	if (!is_valid_ether_addr(eth->h_source))
		return false;
	d->dev = skb->dev;
	memcpy(d->dest, eth->h_source, ETH_ALEN);
	return true;
}

/**
 * zwin_direct_route_ok() - whether @dst sends where the short way would
 * @d: from zwin_direct_note()
 * @dst: the route to the client
 *
 * Return: true if @dst leaves by @d's device, unicast, with no transform.
 */
bool zwin_direct_route_ok(const struct zwin_direct *d,
			  const struct dst_entry *dst)
{
	if (dst->dev != d->dev || !(d->dev->flags & IFF_UP) || dst_xfrm(dst) ||
	    dst->lwtstate)
		return false;
	if (dst->ops->family == AF_INET &&
	    container_of(dst, struct rtable, dst)->rt_type != RTN_UNICAST)
		return false;
	return true;
}

/* Puts @skb in an Ethernet frame from @d's device to the SYN's sender. */
static int zwin_direct_frame(struct sk_buff *skb, const struct zwin_direct *d)
{
	struct ethhdr *eth;

	if (skb_cow_head(skb, ETH_HLEN))
		return -ENOMEM;
	skb_dst_drop(skb);
	eth = skb_push(skb, ETH_HLEN);
	skb_reset_mac_header(skb);
	skb->mac_len = ETH_HLEN;
	memcpy(eth->h_dest, d->dest, ETH_ALEN);
	memcpy(eth->h_source, d->dev->dev_addr, ETH_ALEN);
	eth->h_proto = skb->protocol;
	skb->dev = d->dev;
	return 0;
}

/**
 * zwin_direct_xmit() - send a segment the short way
 * @skb: a segment from zwin_af_alloc() or zwin_af_turn(), network header
 *	at skb->data; consumed
 * @d: from zwin_direct_note(), checked by zwin_direct_route_ok()
 *
 * Return: true if it was handed to the device (its queueing discipline
 * may still drop it), false if it could not be built (@skb freed).
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
