// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: the address-family seam. Everything that differs between
 * IPv4 and IPv6 when the proxy builds, checksums, routes or injects a
 * segment is here; the rest of the module is family-neutral.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/tcp.h>

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
	unsigned int nhlen = zwin_af_iphdr_len(t->af);
	const union nf_inet_addr *src = from_client ? &t->caddr : &t->vaddr;
	const union nf_inet_addr *dst = from_client ? &t->vaddr : &t->caddr;
	struct sk_buff *skb;

	skb = alloc_skb(LL_MAX_HEADER + nhlen + tcplen, GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER);
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
	return skb;
}

/**
 * zwin_af_output() - route @skb from the virtual address to the client
 * and send it through the local output path
 * @net: namespace
 * @skb: a segment from zwin_af_alloc(), consumed
 * @t: addresses of the connection
 *
 * Return: true if it was handed to the stack.
 */
bool zwin_af_output(struct net *net, struct sk_buff *skb,
		    const struct zwin_tuple *t)
{
	if (t->af == AF_INET6) {
		struct flowi6 fl6 = {
			.daddr = t->caddr.in6,
			.saddr = t->vaddr.in6,
			.flowi6_proto = IPPROTO_TCP,
		};
		struct dst_entry *dst = ip6_route_output(net, NULL, &fl6);

		if (dst->error) {
			dst_release(dst);
			kfree_skb(skb);
			return false;
		}
		skb_dst_set(skb, dst);
		ip6_local_out(net, NULL, skb);
	} else {
		struct flowi4 fl4 = {
			.daddr = t->caddr.ip,
			.saddr = t->vaddr.ip,
			.flowi4_proto = IPPROTO_TCP,
		};
		struct rtable *rt = ip_route_output_key(net, &fl4);

		if (IS_ERR(rt)) {
			kfree_skb(skb);
			return false;
		}
		skb_dst_set(skb, &rt->dst);
		ip_local_out(net, NULL, skb);
	}
	return true;
}
