// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: the two handshakes.
 *
 *   client            proxy (balancer)                 real server
 *     SYN  ------------>  zero-window SYN-ACK, cookie ISN, no state
 *     <-----------------
 *     ACK  ------------>  cookie valid: entry; SYN as the client  ----->
 *                         (injected on the client's device, so that
 *                         conntrack and IPVS schedule it like any SYN)
 *                                                   <------ SYN-ACK
 *                         ACK as the client ---------------------->
 *     <-----------------  the SYN-ACK turned into the window reopen:
 *                         the server's window, the proxy's sequence
 *
 * Segments to the client leave from the virtual address through the
 * local output path, untracked by conntrack and ignored by IPVS; the
 * SYN-ACK of the first line the short way when it can (direct.c). Segments
 * to the server are injected as if received from the client.
 */

#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>

#include "zwin.h"

/* Largest TCP header with options (data offset 15). */
#define ZWIN_TCP_HDR_MAX	60

/* A segment the proxy builds. */
struct zwin_seg {
	u32	seq;
	u32	ack;
	u8	flags;		/* TCPHDR_* */
	u16	win;
	u8	opts[MAX_TCP_OPTION_SPACE];
	u8	optlen;
};

static void zwin_set_untracked(struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
#endif
}

/*
 * Writes the TCP header and options of @s at @th (room for them checked
 * by the caller) between @saddr and @daddr.
 */
static void zwin_put_tcp(struct tcphdr *th, __be16 sport, __be16 dport,
			 const struct zwin_seg *s)
{
	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(s->seq);
	th->ack_seq = htonl(s->ack);
	th->doff = (sizeof(*th) + s->optlen) / 4;
	tcp_flag_word(th) |= htonl((u32)s->flags << 16);
	th->window = htons(s->win);
	memcpy(th + 1, s->opts, s->optlen);
}

/*
 * The segment @s; from_client picks the direction of @t. Built in @reuse,
 * a received segment no longer needed, when it can be turned around.
 */
static struct sk_buff *zwin_build(struct net *net, const struct zwin_tuple *t,
				  bool from_client, const struct zwin_seg *s,
				  struct sk_buff *reuse)
{
	unsigned int tcplen = sizeof(struct tcphdr) + s->optlen;
	unsigned int thoff = zwin_af_iphdr_len(t->af);
	struct sk_buff *skb;
	struct tcphdr *th;

	if (reuse && !from_client && zwin_af_turn(net, reuse, t, tcplen))
		skb = reuse;
	else
		skb = zwin_af_alloc(net, t, from_client, tcplen);
	if (!skb)
		return NULL;
	th = (struct tcphdr *)(skb->data + thoff);
	if (from_client)
		zwin_put_tcp(th, t->cport, t->vport, s);
	else
		zwin_put_tcp(th, t->vport, t->cport, s);
	zwin_af_tcp_csum(skb, t->af, thoff);
	return skb;
}

/*
 * Sends @s from the virtual address to the client along @dst (a route
 * from zwin_af_route(), whose reference it takes; NULL: no route), or the
 * short way if @direct is given (@dst then only checked it); false if it
 * could not. @reuse, a received segment or NULL, is consumed in every
 * case: the answer is built in it when it can be.
 */
static bool zwin_xmit(struct zwin_net *zn, const struct zwin_tuple *t,
		      const struct zwin_seg *s, struct sk_buff *reuse,
		      struct dst_entry *dst, const struct zwin_direct *direct)
{
	struct sk_buff *skb;

	if (!dst)
		goto fail;
	skb = zwin_build(zn->net, t, false, s, reuse);
	if (skb != reuse)
		consume_skb(reuse);
	reuse = NULL;
	if (!skb) {
		dst_release(dst);
		goto fail;
	}
	/* IPVS must not schedule it, conntrack must not judge it. */
	skb->ipvs_property = 1;
	zwin_set_untracked(skb);
	if (direct) {
		dst_release(dst);
		if (!zwin_direct_xmit(skb, direct))
			goto fail;
		return true;
	}
	zwin_af_output(zn->net, skb, dst);
	return true;
fail:
	consume_skb(reuse);
	zwin_stat_inc(zn, ZWIN_STAT_XMIT_FAIL);
	return false;
}

/* zwin_xmit() along the route to the client. */
static bool zwin_xmit_to_client(struct zwin_net *zn,
				const struct zwin_tuple *t,
				const struct zwin_seg *s,
				struct sk_buff *reuse)
{
	return zwin_xmit(zn, t, s, reuse, zwin_af_route(zn->net, t), NULL);
}

/* Injects @s as received from the client on its device. */
static void zwin_inject_from_client(struct zwin_conn *c,
				    const struct zwin_seg *s)
{
	struct zwin_net *zn = c->zn;
	struct net_device *dev;
	struct zwin_tuple t;
	struct sk_buff *skb;

	zwin_conn_tuple(c, &t);
	skb = zwin_build(zn->net, &t, true, s, NULL);
	if (!skb)
		goto fail;
	rcu_read_lock();
	dev = dev_get_by_index_rcu(zn->net, c->ifindex);
	if (!dev || !(dev->flags & IFF_UP)) {
		rcu_read_unlock();
		kfree_skb(skb);
		goto fail;
	}
	skb->dev = dev;
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	/* already verified: we computed it */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	netif_rx(skb);
	rcu_read_unlock();
	return;
fail:
	zwin_stat_inc(zn, ZWIN_STAT_XMIT_FAIL);
}

/*
 * Replaces the TCP header and payload of @skb (network header at
 * skb->data, TCP at @thoff) by the segment @s. The network header is kept.
 */
static int zwin_rebuild(struct sk_buff *skb, int af, unsigned int thoff,
			const struct zwin_seg *s)
{
	unsigned int tcplen = sizeof(struct tcphdr) + s->optlen;
	__be16 _ports[2], sport, dport;
	const __be16 *ports;
	struct tcphdr *th;

	/* a forwarded skb's TCP header need not be in its linear part */
	ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
	if (!ports)
		return -EINVAL;
	sport = ports[0];
	dport = ports[1];
	if (pskb_trim(skb, thoff) || skb_ensure_writable(skb, thoff))
		return -ENOMEM;
	if (skb_tailroom(skb) < tcplen &&
	    pskb_expand_head(skb, 0, tcplen - skb_tailroom(skb), GFP_ATOMIC))
		return -ENOMEM;
	th = skb_put(skb, tcplen);
	zwin_put_tcp(th, sport, dport, s);
	zwin_af_fix_len(skb, af, thoff, tcplen);
	zwin_af_tcp_csum(skb, af, thoff);
	return 0;
}

/* Reads the TCP header with its options into @buf (60 bytes). */
static const struct tcphdr *zwin_tcp_full(const struct sk_buff *skb,
					  unsigned int thoff, u8 *buf,
					  struct zwin_tcpopts *o)
{
	const struct tcphdr *th;

	th = skb_header_pointer(skb, thoff, sizeof(*th), buf);
	if (!th || th->doff < 5)
		return NULL;
	th = skb_header_pointer(skb, thoff, th->doff * 4, buf);
	if (!th)
		return NULL;
	zwin_parse_opts((const u8 *)(th + 1), th->doff * 4 - sizeof(*th), o);
	return th;
}

/**
 * zwin_client_syn() - answer a client's SYN to a proxied service
 * @zn: the namespace's proxy state
 * @skb: the SYN (network header at skb->data)
 * @t: its addresses and ports
 * @thoff: offset of its TCP header
 *
 * Sends a SYN-ACK with window 0 and a cookie as sequence number, built in
 * the SYN's own buffer when it can be (else the SYN is consumed): nothing
 * is kept. It leaves the short way (direct.c) when zwin_synack_direct
 * allows and the way is valid, else through the local output path. A SYN
 * from a martian IPv4 source (broadcast, multicast, 0.0.0.0) is dropped.
 *
 * Return: NF_STOLEN, or NF_DROP for a malformed SYN or a bad checksum.
 */
unsigned int zwin_client_syn(struct zwin_net *zn, struct sk_buff *skb,
			     const struct zwin_tuple *t, unsigned int thoff)
{
	const struct zwin_sysctl *sc = &zn->sysctl;
	u8 buf[ZWIN_TCP_HDR_MAX];
	struct zwin_direct d, *direct = NULL;
	struct zwin_synopts o, ours;
	struct zwin_tcpopts co;
	const struct tcphdr *th;
	struct dst_entry *dst;
	struct zwin_seg s = {};
	u32 tsval = 0;

	th = zwin_tcp_full(skb, thoff, buf, &co);
	/* a corrupted SYN gets no answer, as from the kernel's own TCP */
	if (!th || nf_checksum(skb, NF_INET_PRE_ROUTING, thoff, IPPROTO_TCP,
			       t->af)) {
		zwin_stat_inc(zn, ZWIN_STAT_SYN_INVALID);
		return NF_DROP;
	}
	o.mss = co.mss ? co.mss : TCP_MSS_DEFAULT;
	o.wscale = co.wscale;
	o.sack = co.sack_ok && READ_ONCE(sc->sack);
	o.ts = co.ts && READ_ONCE(sc->timestamps);
	o.ecn = th->ece && th->cwr;
	o.pws = o.wscale == ZWIN_WSCALE_NONE ? 0 : zwin_cookie_wscale(zn);

	s.seq = zwin_cookie_make(zn, t, ntohl(th->seq), &o, &tsval);
	s.ack = ntohl(th->seq) + 1;
	s.flags = TCPHDR_SYN | TCPHDR_ACK | (o.ecn ? TCPHDR_ECE : 0);
	s.win = 0;
	/*
	 * Routed first: an answer that cannot leave costs no buffer, and the
	 * MSS announced is what the kernel's TCP would announce on that route
	 * (its advmss: the device MTU less the IPv4 or IPv6 and TCP headers,
	 * or the route's advmss), capped by zwin_mss.
	 */
	dst = zwin_af_route(zn->net, t);
	/* as the kernel's own input path, no answer to a martian source */
	if (dst && zwin_af_martian(dst, t)) {
		dst_release(dst);
		zwin_stat_inc(zn, ZWIN_STAT_SYN_INVALID);
		return NF_DROP;
	}
	ours = o;
	ours.mss = READ_ONCE(sc->mss);
	if (dst)
		ours.mss = min_t(unsigned int, ours.mss, dst_metric_advmss(dst));
	if (o.wscale != ZWIN_WSCALE_NONE)
		ours.wscale = o.pws;
	s.optlen = zwin_synack_opts(s.opts, &ours, tsval, co.tsval);

	if (READ_ONCE(sc->synack_direct) && dst) {
		if (zwin_direct_route(&d, dst, t))
			direct = &d;
		else
			zwin_stat_inc(zn, ZWIN_STAT_DIRECT_FALLBACK);
	}
	/* the SYN becomes its answer (or is consumed) */
	if (zwin_xmit(zn, t, &s, skb, dst, direct)) {
		unsigned long now = jiffies;

		zwin_stat_inc(zn, ZWIN_STAT_SYNACK_SENT);
		if (direct)
			zwin_stat_inc(zn, ZWIN_STAT_SYNACK_DIRECT);
		/* written once a tick, not once a SYN: every cpu reads it */
		if (READ_ONCE(zn->last_synack) != now)
			WRITE_ONCE(zn->last_synack, now);
	}
	return NF_STOLEN;
}

/**
 * zwin_send_syn() - send (again) the client's SYN toward the real server
 * @c: the connection, locked
 */
void zwin_send_syn(struct zwin_conn *c)
{
	struct zwin_seg s = {};
	u8 cw = c->opts.wscale == ZWIN_WSCALE_NONE ? 0 : c->opts.wscale;

	s.seq = c->client_isn;
	s.flags = TCPHDR_SYN | (c->opts.ecn ? TCPHDR_ECE | TCPHDR_CWR : 0);
	s.win = min_t(u32, (u32)c->cwin << cw, U16_MAX);
	s.optlen = zwin_synack_opts(s.opts, &c->opts, c->ctsval, 0);
	zwin_inject_from_client(c, &s);
	zwin_stat_inc(c->zn, ZWIN_STAT_SERVER_SYN);
}

/**
 * zwin_reset_client() - abort the client's side of @c with a RST
 * @c: the connection, locked
 */
void zwin_reset_client(struct zwin_conn *c)
{
	struct zwin_seg s = {};
	struct zwin_tuple t;

	zwin_conn_tuple(c, &t);
	s.flags = TCPHDR_RST;
	if (c->state == ZWIN_S_SYN_SENT) {
		s.seq = c->proxy_isn + 1;
		zwin_xmit_to_client(c->zn, &t, &s, NULL);
		return;
	}
	/*
	 * A RST is taken only at the client's exact next sequence number:
	 * the last one it acknowledged, or the server's last sent if data
	 * arrived since.
	 */
	s.seq = READ_ONCE(c->c_ack);
	zwin_xmit_to_client(c->zn, &t, &s, NULL);
	if (READ_ONCE(c->s_nxt) != s.seq) {
		s.seq = READ_ONCE(c->s_nxt);
		zwin_xmit_to_client(c->zn, &t, &s, NULL);
	}
}

/**
 * zwin_reset_server() - abort the server's side of @c with a RST injected
 * as from the client (IPVS and conntrack take it there)
 * @c: the connection, established or in the server handshake; the proxy's
 *	hooks no longer translate it
 */
void zwin_reset_server(struct zwin_conn *c)
{
	struct zwin_seg s = {};

	/*
	 * As for the client: the server's last ack, which a client that
	 * lost its footing cannot move; then the client's data's end.
	 */
	s.flags = TCPHDR_RST;
	if (c->state == ZWIN_S_SYN_SENT) {
		/* the server's SYN-ACK, if any, acknowledged the client ISN */
		s.seq = c->client_isn + 1;
		zwin_inject_from_client(c, &s);
		return;
	}
	s.seq = READ_ONCE(c->s_ack);
	zwin_inject_from_client(c, &s);
	if (READ_ONCE(c->c_nxt) != s.seq) {
		s.seq = READ_ONCE(c->c_nxt);
		zwin_inject_from_client(c, &s);
	}
}

/**
 * zwin_client_ack() - a client's ACK that may complete a proxied handshake
 * @zn: the namespace's proxy state
 * @skb: the ACK (network header at skb->data)
 * @t: its addresses and ports
 * @thoff: offset of its TCP header
 * @old: the entry of a closed connection on the same addresses and ports,
 *	or NULL. The client reused its port and sent its new SYN to another
 *	director (ECMP, a cluster key): this one sees the ACK first. A valid
 *	cookie replaces @old; anything else is left to it.
 *
 * With a valid cookie, creates the connection entry and sends the SYN
 * toward the real server; the ACK itself is consumed (the client will
 * resend anything it carried once the window opens).
 *
 * Return: NF_STOLEN; NF_DROP for a malformed or refused ACK; NF_ACCEPT
 * if its cookie is not valid, for the caller to decide (a segment of an
 * older IPVS connection, or garbage).
 */
unsigned int zwin_client_ack(struct zwin_net *zn, struct sk_buff *skb,
			     const struct zwin_tuple *t, unsigned int thoff,
			     struct zwin_conn *old)
{
	u8 buf[ZWIN_TCP_HDR_MAX];
	struct zwin_tcpopts co;
	const struct tcphdr *th;
	struct zwin_synopts o;
	struct zwin_conn *c;
	u32 isn;

	th = zwin_tcp_full(skb, thoff, buf, &co);
	if (!th)
		return NF_DROP;
	isn = ntohl(th->seq) - 1;
	if (!zwin_cookie_check(zn, t, isn, ntohl(th->ack_seq) - 1, co.ts,
			       co.tsecr, &o)) {
		/*
		 * If the client's ACK was lost, the client (which believes
		 * it is connected, to a zero window) sends window probes:
		 * seq = its ISN, no data. They complete the handshake too.
		 */
		isn = ntohl(th->seq);
		if (skb->len > thoff + th->doff * 4 ||
		    !zwin_cookie_check(zn, t, isn, ntohl(th->ack_seq) - 1,
				       co.ts, co.tsecr, &o))
			return NF_ACCEPT;	/* not a cookie */
	}
	/*
	 * A live IPVS connection (made before the service got the PE, or
	 * the proxy was enabled) whose segment happens to check as a cookie
	 * (1 in 2^22 without timestamps) is not a new handshake: it goes on
	 * as it was, through IPVS (the caller counts it as ipvs_conn).
	 */
	if (zwin_ipvs_conn_exists(zn->net, t, true))
		return NF_ACCEPT;
	/*
	 * The namespace's table is still being set up (its first service
	 * came moments ago): the ACK waits for it, a few at most, and goes
	 * through the hooks again once it is there (zwin_activate()).
	 */
	if (!smp_load_acquire(&zn->active)) {
		if (skb_queue_len(&zn->early) >= ZWIN_EARLY_MAX) {
			zwin_stat_inc(zn, ZWIN_STAT_EARLY_DROP);
			return NF_DROP;
		}
		skb_dst_drop(skb);
		nf_reset_ct(skb);
		skb->dev = NULL;	/* found again by skb_iif */
		skb_queue_tail(&zn->early, skb);
		return NF_STOLEN;
	}
	zwin_stat_inc(zn, ZWIN_STAT_COOKIE_VALID);
	/* even lucky or replayed ACKs cannot push more connects than this */
	if (atomic_read(&zn->pending) >= READ_ONCE(zn->sysctl.max_pending)) {
		zwin_stat_inc(zn, ZWIN_STAT_PENDING_FULL);
		goto refuse;
	}
	if (old) {
		/* lookups stop finding it at once: the new entry goes in */
		zwin_conn_kill(old);
		zwin_stat_inc(zn, ZWIN_STAT_ACK_REUSE);
	}
	c = zwin_conn_alloc(zn, t);
	if (!c) {
		zwin_stat_inc(zn, ZWIN_STAT_CONN_FULL);
		goto refuse;
	}
	c->client_isn = isn;
	c->proxy_isn = ntohl(th->ack_seq) - 1;
	c->opts = o;
	/* the scale announced in the SYN-ACK, which the cookie carries */
	c->pwscale = o.pws;
	c->cwin = ntohs(th->window);
	c->ctsval = co.tsval;
	c->ptsval = co.tsecr;
	c->ifindex = skb->skb_iif ? skb->skb_iif : skb->dev->ifindex;
	c->c_nxt = c->client_isn + 1;
	if (zwin_conn_insert(c))	/* a retransmitted ACK raced us */
		return NF_DROP;
	spin_lock(&c->lock);
	zwin_send_syn(c);
	zwin_conn_arm(c, zwin_conn_timeout(c));
	spin_unlock(&c->lock);

	consume_skb(skb);
	return NF_STOLEN;

refuse:
	{
		struct zwin_seg s = { .seq = ntohl(th->ack_seq),
				      .flags = TCPHDR_RST };

		zwin_xmit_to_client(zn, t, &s, NULL);
	}
	return NF_DROP;
}

/**
 * zwin_server_synack() - the real server's answer to the proxy's SYN
 * @c: the connection, in ZWIN_S_SYN_SENT
 * @skb: the server's segment after IPVS translated its addresses back
 *	(network header at skb->data)
 * @thoff: offset of its TCP header
 *
 * A SYN-ACK completes the server handshake and becomes the window reopen
 * to the client; a RST makes the proxy reset the client.
 *
 * Return: NF_ACCEPT for the reopen, NF_DROP otherwise.
 */
unsigned int zwin_server_synack(struct zwin_conn *c, struct sk_buff *skb,
				unsigned int thoff)
{
	const struct tcphdr *th;
	u8 buf[ZWIN_TCP_HDR_MAX];
	struct zwin_tcpopts so;
	struct zwin_seg ack = {}, open = {};
	u32 server_isn, swin;

	th = zwin_tcp_full(skb, thoff, buf, &so);
	if (!th)
		return NF_DROP;

	spin_lock(&c->lock);
	if (c->state != ZWIN_S_SYN_SENT || c->dead ||
	    ntohl(th->ack_seq) != c->client_isn + 1) {
		spin_unlock(&c->lock);
		return NF_DROP;
	}
	if (th->rst) {
		zwin_stat_inc(c->zn, ZWIN_STAT_SERVER_REFUSED);
		zwin_conn_failed(c);
		spin_unlock(&c->lock);
		return NF_DROP;
	}
	if (!th->syn || !th->ack) {
		spin_unlock(&c->lock);
		return NF_DROP;
	}

	server_isn = ntohl(th->seq);
	c->delta = c->proxy_isn - server_isn;
	c->s_nxt = c->proxy_isn + 1;
	c->c_ack = c->proxy_isn + 1;
	c->s_ack = c->client_isn + 1;
	atomic_dec(&c->zn->pending);
	c->swscale = c->opts.wscale == ZWIN_WSCALE_NONE ? ZWIN_WSCALE_NONE :
		     so.wscale;
	if (c->opts.ts && so.ts)
		c->tsoff = c->ptsval - so.tsval;
	else
		c->opts.ts = false;
	/* SYN-ACK windows are never scaled: bytes in, proxy scale out. */
	swin = ntohs(th->window) >> c->pwscale;

	/* ACK to the server, in the client's spaces: PRE_ROUTING translates. */
	ack.seq = c->client_isn + 1;
	ack.ack = c->proxy_isn + 1;
	ack.flags = TCPHDR_ACK;
	ack.win = c->cwin;
	if (c->opts.ts)
		ack.optlen = zwin_ts_opt(ack.opts, c->ctsval, c->ptsval);
	/* for the sync daemon, before IPVS's connection is ESTABLISHED */
	zwin_sync_record(c);
	/* the handshake's timestamps give way to the ACK-storm detector */
	c->storm_sig[0] = 0;
	c->storm_sig[1] = 0;
	c->storm_dirs = 0;	/* was syn_tries */
	/* translation fields first: lookups acquire the state */
	smp_store_release(&c->state, ZWIN_S_ESTABLISHED);
	zwin_inject_from_client(c, &ack);

	/* The SYN-ACK becomes the reopen: the server's window, our sequence. */
	open.seq = c->proxy_isn + 1;
	open.ack = c->client_isn + 1;
	open.flags = TCPHDR_ACK;
	open.win = swin;
	if (c->opts.ts)
		open.optlen = zwin_ts_opt(open.opts, so.tsval + c->tsoff,
					  so.tsecr);
	zwin_stat_inc(c->zn, ZWIN_STAT_ESTABLISHED);
	zwin_conn_arm(c, zwin_conn_timeout(c));
	spin_unlock(&c->lock);

	if (zwin_rebuild(skb, c->af, thoff, &open)) {
		zwin_stat_inc(c->zn, ZWIN_STAT_XMIT_FAIL);
		return NF_DROP;
	}
	zwin_stat_inc(c->zn, ZWIN_STAT_WINDOW_OPEN);
	return NF_ACCEPT;
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/handshake_test.c"
#endif
