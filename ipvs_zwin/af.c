// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: the address-family seam. Everything that differs between
 * IPv4 and IPv6 when the proxy builds, checksums, routes or injects a
 * segment is here; the rest of the module is family-neutral.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/if_vlan.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/xfrm.h>

#include "zwin.h"

/**
 * zwin_af_iphdr_len() - network header length of the segments the proxy
 * builds for family @af
 * @af: AF_INET or AF_INET6
 *
 * Return: 20 or 40.
 */
unsigned int zwin_af_iphdr_len(int af)
{
	return af == AF_INET6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
}

/**
 * zwin_af_fix_len() - set the network header's length fields for a TCP
 * segment of @tcplen bytes at @thoff
 * @skb: the segment, network header at skb->data
 * @af: its family
 * @thoff: TCP header offset
 * @tcplen: TCP header, options and payload length
 */
void zwin_af_fix_len(struct sk_buff *skb, int af, unsigned int thoff,
		     unsigned int tcplen)
{
	if (af == AF_INET6) {
		ipv6_hdr(skb)->payload_len =
			htons(thoff - sizeof(struct ipv6hdr) + tcplen);
	} else {
		ip_hdr(skb)->tot_len = htons(thoff + tcplen);
		ip_send_check(ip_hdr(skb));
	}
}

/**
 * zwin_af_tcp_csum() - compute the TCP checksum of @skb from scratch
 * @skb: the segment, linear, network header at skb->data
 * @af: its family
 * @thoff: TCP header offset
 */
void zwin_af_tcp_csum(struct sk_buff *skb, int af, unsigned int thoff)
{
	struct tcphdr *th = (struct tcphdr *)(skb->data + thoff);
	unsigned int len = skb->len - thoff;
	__wsum csum;

	th->check = 0;
	csum = csum_partial(th, len, 0);
	if (af == AF_INET6)
		th->check = tcp_v6_check(len, &ipv6_hdr(skb)->saddr,
					 &ipv6_hdr(skb)->daddr, csum);
	else
		th->check = tcp_v4_check(len, ip_hdr(skb)->saddr,
					 ip_hdr(skb)->daddr, csum);
	skb->ip_summed = CHECKSUM_NONE;
}

/*
 * Writes at skb->data (room checked by the caller) the network header of a
 * TCP segment of @tcplen bytes between the addresses of @t, followed by
 * @tcplen zeroed bytes for the TCP header.
 */
static void zwin_af_fill(struct sk_buff *skb, struct net *net,
			 const struct zwin_tuple *t, bool from_client,
			 unsigned int tcplen)
{
	unsigned int nhlen = zwin_af_iphdr_len(t->af);
	const union nf_inet_addr *src = from_client ? &t->caddr : &t->vaddr;
	const union nf_inet_addr *dst = from_client ? &t->vaddr : &t->caddr;

	skb_reset_network_header(skb);
	if (t->af == AF_INET6) {
		struct ipv6hdr *ip6h = skb_put_zero(skb, nhlen);

		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->nexthdr = IPPROTO_TCP;
		ip6h->hop_limit = READ_ONCE(net->ipv6.devconf_all->hop_limit);
		ip6h->saddr = src->in6;
		ip6h->daddr = dst->in6;
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		struct iphdr *iph = skb_put_zero(skb, nhlen);

		iph->version = 4;
		iph->ihl = nhlen / 4;
		iph->frag_off = htons(IP_DF);
		iph->ttl = READ_ONCE(net->ipv4.sysctl_ip_default_ttl);
		iph->protocol = IPPROTO_TCP;
		iph->saddr = src->ip;
		iph->daddr = dst->ip;
		skb->protocol = htons(ETH_P_IP);
	}
	skb_set_transport_header(skb, nhlen);
	skb_put_zero(skb, tcplen);
	zwin_af_fix_len(skb, t->af, nhlen, tcplen);
}

/**
 * zwin_af_alloc() - a new segment with its network header filled
 * @net: namespace (for the default TTL / hop limit)
 * @t: addresses of the connection
 * @from_client: direction: client to virtual address, or back
 * @tcplen: bytes of TCP header and options to reserve after it
 *
 * Return: the skb, network header at skb->data, or NULL.
 */
struct sk_buff *zwin_af_alloc(struct net *net, const struct zwin_tuple *t,
			      bool from_client, unsigned int tcplen)
{
	struct sk_buff *skb;

	skb = alloc_skb(LL_MAX_HEADER + zwin_af_iphdr_len(t->af) + tcplen,
			GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER);
	zwin_af_fill(skb, net, t, from_client, tcplen);
	return skb;
}

/**
 * zwin_af_turn() - turn a received segment into the answer to its sender
 * @net: namespace (for the default TTL / hop limit)
 * @skb: the received segment, network header at skb->data; its content
 *	is no longer needed
 * @t: addresses of the connection; the answer goes from the virtual
 *	address to the client
 * @tcplen: bytes of TCP header and options to reserve after the network
 *	header
 *
 * Saves a flood SYN's answer an allocation and the SYN a free. Only a
 * buffer the proxy owns alone and that is large enough is reused; all the
 * state it picked up on the way in (device, link-layer header, route,
 * conntrack, mark, timestamp, VLAN tag, hash, control block) is cleared,
 * as in a new one.
 *
 * Return: true if @skb now holds a segment as from zwin_af_alloc(); false
 * if it is shared, cloned, GSO, from the memory reserves or too small,
 * and the caller allocates (and still owns @skb, possibly trimmed).
 */
bool zwin_af_turn(struct net *net, struct sk_buff *skb,
		  const struct zwin_tuple *t, unsigned int tcplen)
{
	unsigned int need = zwin_af_iphdr_len(t->af) + tcplen;

	if (skb_shared(skb) || skb_cloned(skb) || skb_is_gso(skb) ||
	    skb->pfmemalloc || skb_end_pointer(skb) - skb->data < need)
		return false;
	/* drops page fragments and a reassembled fragment list */
	if (pskb_trim(skb, 0))
		return false;
	skb_scrub_packet(skb, true);
	skb_orphan(skb);
	skb->dev = NULL;	/* the route sets the way out */
	skb_unset_mac_header(skb);
	__vlan_hwaccel_clear_tag(skb);
	skb_clear_hash(skb);
	skb->priority = 0;
	skb->encapsulation = 0;
	memset(skb->cb, 0, sizeof(skb->cb));
	zwin_af_fill(skb, net, t, false, tcplen);
	return true;
}

/**
 * zwin_af_route() - route from the virtual address to the client
 * @net: namespace
 * @t: addresses of the connection
 *
 * IPsec (xfrm) policies apply, in both families: a policy that blocks
 * the flow leaves it without a route.
 *
 * Return: a referenced route, or NULL if there is none.
 */
struct dst_entry *zwin_af_route(struct net *net, const struct zwin_tuple *t)
{
	struct rtable *rt;

	if (t->af == AF_INET6) {
		struct flowi6 fl6 = {
			.daddr = t->caddr.in6,
			.saddr = t->vaddr.in6,
			.flowi6_proto = IPPROTO_TCP,
		};
		struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);

		if (dst->error) {
			dst_release(dst);
			return NULL;
		}
		/* IPsec policy, as ip_route_output_key() applies for IPv4 */
		dst = xfrm_lookup_route(net, dst, flowi6_to_flowi(&fl6), NULL, 0);
		return IS_ERR(dst) ? NULL : dst;
	}
	rt = ip_route_output_key(net, &(struct flowi4){
		.daddr = t->caddr.ip,
		.saddr = t->vaddr.ip,
		.flowi4_proto = IPPROTO_TCP,
	});
	return IS_ERR(rt) ? NULL : &rt->dst;
}

/**
 * zwin_af_martian() - whether the client's address is one no answer may go to
 * @dst: the route to it, from zwin_af_route()
 * @t: addresses of the connection
 *
 * IPv4 only, as ip_route_input() finds martian sources (after the hook
 * that answers the SYN): the address the kernel's ipv4_is_zeronet()
 * refuses, the limited broadcast, a multicast address, or one the route
 * says is a broadcast (a subnet's). An answer there would be broadcast or
 * multicast on the link. IPv6 input already dropped multicast sources.
 *
 * Return: true if the SYN must not be answered.
 */
bool zwin_af_martian(const struct dst_entry *dst, const struct zwin_tuple *t)
{
	__be32 a = t->caddr.ip;
	const struct rtable *rt;

	if (t->af != AF_INET)
		return false;
	if (ipv4_is_zeronet(a) || ipv4_is_lbcast(a) || ipv4_is_multicast(a))
		return true;
	if (dst_xfrm(dst))
		return false;
	rt = container_of(dst, struct rtable, dst);
	return rt->rt_type == RTN_BROADCAST || rt->rt_type == RTN_MULTICAST;
}

/**
 * zwin_af_output() - send @skb through the local output path
 * @net: namespace
 * @skb: a segment from zwin_af_alloc() or zwin_af_turn(), consumed
 * @dst: its route from zwin_af_route(), whose reference @skb takes
 */
void zwin_af_output(struct net *net, struct sk_buff *skb,
		    struct dst_entry *dst)
{
	skb_dst_set(skb, dst);
	if (skb->protocol == htons(ETH_P_IPV6))
		ip6_local_out(net, NULL, skb);
	else
		ip_local_out(net, NULL, skb);
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/af_test.c"
#endif
