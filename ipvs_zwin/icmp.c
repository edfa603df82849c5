// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: ICMP and ICMPv6 errors about proxied connections.
 *
 * An error quotes the header of the segment that caused it. IPVS relays
 * errors of NAT connections between the real server and the client,
 * rewriting the quoted addresses and ports, but the quoted sequence
 * numbers are in the space of whoever sent the segment through the
 * proxy's translation:
 *
 *   PRE_ROUTING, an error sent to the VIP (a router between client and
 *	balancer, e.g. "fragmentation needed" or "packet too big" for a
 *	server segment): the quoted sequence number is the proxy's; the
 *	real server's TCP ignores errors outside its own send window
 *	(tcp_v4_err(), tcp_v6_err()), so path MTU discovery would never
 *	work. It is put back in the server's space (- delta) before IPVS
 *	relays the error.
 *   FORWARD after IPVS, an error sent to the client about a client
 *	segment (a router between balancer and server): IPVS already gave
 *	the quote the VIP back; the quoted acknowledgment number, if the
 *	router quoted it, goes back to the proxy's space (+ delta).
 *
 * Same-size field edits with the ICMP checksum updated incrementally, so
 * right in every ip_summed state; the quoted TCP checksum (of a segment
 * the quote does not hold) is left as routers and IPVS leave it.
 */

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "zwin.h"

/* Where the quoted TCP header of an error is, and what it says. */
struct zwin_quote {
	unsigned int	csum_off;	/* offset of the ICMP(v6) checksum */
	unsigned int	tcp_off;	/* offset of the quoted TCP header */
	unsigned int	tcp_len;	/* bytes of it in the packet (8..12) */
	struct zwin_tuple t;		/* the quoted segment's connection */
};

/* Reads 8 or 12 quoted TCP bytes: ports, seq and, if present, ack. */
static bool zwin_quote_tcp(const struct sk_buff *skb, struct zwin_quote *q,
			   __be32 *w)
{
	if (q->tcp_off >= skb->len)
		return false;
	q->tcp_len = min_t(unsigned int, skb->len - q->tcp_off, 12);
	if (q->tcp_len < 8)
		return false;
	q->tcp_len &= ~3U;
	return !skb_copy_bits(skb, q->tcp_off, w, q->tcp_len);
}

/* The quoted segment's connection in @q, the client's way round. */
static void zwin_quote_tuple(struct zwin_quote *q, int af, const void *saddr,
			     const void *daddr, const __be32 *w, bool reply)
{
	const __be16 *ports = (const __be16 *)w;
	size_t alen = af == AF_INET6 ? sizeof(struct in6_addr) :
				       sizeof(__be32);

	memset(&q->t, 0, sizeof(q->t));
	q->t.af = af;
	memcpy(&q->t.caddr, reply ? saddr : daddr, alen);
	memcpy(&q->t.vaddr, reply ? daddr : saddr, alen);
	q->t.cport = ports[reply ? 0 : 1];
	q->t.vport = ports[reply ? 1 : 0];
}

/*
 * Fills @q from an IPv4 error that quotes a TCP segment; @w gets the
 * quoted words (ports, seq, ack). The tuple is the client's way round:
 * @reply quotes a client segment (FORWARD), otherwise a server segment.
 */
static bool zwin_icmp4_quote(const struct sk_buff *skb, bool reply,
			     struct zwin_quote *q, __be32 *w)
{
	const struct iphdr *iph = ip_hdr(skb), *cih;
	const struct icmphdr *ich;
	struct icmphdr _ich;
	struct iphdr _cih;
	unsigned int off;

	if (iph->protocol != IPPROTO_ICMP || ip_is_fragment(iph))
		return false;
	off = ip_hdrlen(skb);
	ich = skb_header_pointer(skb, off, sizeof(_ich), &_ich);
	if (!ich || (ich->type != ICMP_DEST_UNREACH &&
		     ich->type != ICMP_SOURCE_QUENCH &&
		     ich->type != ICMP_TIME_EXCEEDED))
		return false;
	q->csum_off = off + offsetof(struct icmphdr, checksum);
	off += sizeof(_ich);
	cih = skb_header_pointer(skb, off, sizeof(_cih), &_cih);
	if (!cih || cih->version != 4 || cih->ihl < 5 ||
	    cih->protocol != IPPROTO_TCP || (ntohs(cih->frag_off) & IP_OFFSET))
		return false;
	q->tcp_off = off + cih->ihl * 4;
	if (!zwin_quote_tcp(skb, q, w))
		return false;
	zwin_quote_tuple(q, AF_INET, &cih->saddr, &cih->daddr, w, reply);
	return true;
}

/* IPv6: as zwin_icmp4_quote(), for every ICMPv6 error type. */
static bool zwin_icmp6_quote(const struct sk_buff *skb, bool reply,
			     struct zwin_quote *q, __be32 *w)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb), *cih;
	const struct icmp6hdr *ich;
	struct icmp6hdr _ich;
	struct ipv6hdr _cih;
	__be16 frag_off = 0;
	u8 nexthdr = ip6h->nexthdr;
	int off;

	off = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_ICMPV6 || frag_off)
		return false;
	ich = skb_header_pointer(skb, off, sizeof(_ich), &_ich);
	if (!ich || (ich->icmp6_type & ICMPV6_INFOMSG_MASK))
		return false;
	q->csum_off = off + offsetof(struct icmp6hdr, icmp6_cksum);
	off += sizeof(_ich);
	cih = skb_header_pointer(skb, off, sizeof(_cih), &_cih);
	if (!cih || cih->version != 6)
		return false;
	nexthdr = cih->nexthdr;
	off = ipv6_skip_exthdr(skb, off + sizeof(_cih), &nexthdr, &frag_off);
	if (off < 0 || nexthdr != IPPROTO_TCP || frag_off)
		return false;
	q->tcp_off = off;
	if (!zwin_quote_tcp(skb, q, w))
		return false;
	zwin_quote_tuple(q, AF_INET6, &cih->saddr, &cih->daddr, w, reply);
	return true;
}

/**
 * zwin_icmp() - translate the quote of an ICMP or ICMPv6 error about a
 * proxied connection
 * @zn: the namespace's proxy state
 * @skb: the packet (network header at skb->data); anything but an error
 *	quoting a TCP segment of a translated connection is left alone
 * @af: its family
 * @reply: true at FORWARD after IPVS (the quote is a client segment),
 *	false at PRE_ROUTING (the quote is a server segment)
 *
 * Must be called under rcu_read_lock() (netfilter hooks are).
 *
 * Return: NF_ACCEPT, or NF_DROP if a quote to translate cannot be made
 * writable.
 */
unsigned int zwin_icmp(struct zwin_net *zn, struct sk_buff *skb, int af,
		       bool reply)
{
	struct zwin_quote q;
	struct zwin_conn *c;
	__be32 w[3], *field;
	__sum16 *csum;
	u32 val;
	int st;

	if (!(af == AF_INET6 ? zwin_icmp6_quote(skb, reply, &q, w) :
			       zwin_icmp4_quote(skb, reply, &q, w)))
		return NF_ACCEPT;
	c = zwin_conn_find(zn, &q.t);
	if (!c)
		return NF_ACCEPT;
	/* pairs with the release in zwin_server_synack(): delta is set */
	st = smp_load_acquire(&c->state);
	if (st != ZWIN_S_ESTABLISHED && st != ZWIN_S_CLOSING)
		return NF_ACCEPT;
	if (reply) {
		if (q.tcp_len < 12)
			return NF_ACCEPT;	/* no ack quoted */
		val = ntohl(w[2]) + c->delta;
	} else {
		val = ntohl(w[1]) - c->delta;
	}
	if (skb_ensure_writable(skb, q.tcp_off + q.tcp_len))
		return NF_DROP;
	field = (__be32 *)(skb->data + q.tcp_off) + (reply ? 2 : 1);
	csum = (__sum16 *)(skb->data + q.csum_off);
	inet_proto_csum_replace4(csum, skb, *field, htonl(val), false);
	*field = htonl(val);
	zwin_stat_inc(zn, ZWIN_STAT_ICMP);
	return NF_ACCEPT;
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/icmp_test.c"
#endif
