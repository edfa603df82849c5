// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: translation of every segment of an established proxied
 * connection, in place, with incremental checksum updates (right in every
 * ip_summed state, GSO/GRO packets included: only header fields change).
 *
 *   client -> server (PRE_ROUTING, before conntrack and IPVS):
 *	ack -= delta, SACK blocks -= delta, TSecr -= tsoff
 *   server -> client (FORWARD, after IPVS translated the addresses back):
 *	seq += delta, TSval += tsoff, window rescaled from the server's
 *	window scale to the one the proxy announced to the client
 *
 * Fraglist GRO packets get every segment translated (zwin_list_xlate()).
 *
 * Both directions also watch for duplicate-ACK loops (ACK storms): two
 * peers that disagree about the sequence space can answer each other's
 * pure ACKs forever at line rate. A connection on which both sides keep
 * repeating the same pure ACK more than zwin_ack_storm times within a
 * second, with no other segment between, is cut off: both sides reset,
 * the rest dropped.
 */

#include <linux/jhash.h>
#include <linux/skbuff.h>
#include <net/tcp.h>

#include "zwin.h"

/*
 * Whether a RST with sequence number @seq (in the receiver's space) is the
 * one RFC 5961 and Linux accept: exactly the receiver's next expected
 * sequence number. The proxy sees that point from both ends: the last
 * acknowledgment the receiver sent, and the end of what the sender sent.
 * An off-path RST must hit one of the two 32-bit values. Any other RST is
 * dropped (counted as rst_ignored): neither IPVS (which closes its
 * connection on any RST, letting a following SYN reschedule the flow) nor
 * the receiver sees it. A sender that really reset answers the receiver's
 * next segment with a RST at its acknowledgment number, which is exact.
 */
static bool zwin_rst_exact(const struct zwin_conn *c, u32 seq,
			   unsigned int dir)
{
	if (dir == 0)
		return seq == READ_ONCE(c->s_ack) || seq == READ_ONCE(c->c_nxt);
	return seq == READ_ONCE(c->c_ack) || seq == READ_ONCE(c->s_nxt);
}

/* True if @th is a RST that must not pass (and counts it). */
static bool zwin_rst_drop(struct zwin_conn *c, const struct tcphdr *th,
			  unsigned int dir, u32 seq)
{
	if (!th->rst || zwin_rst_exact(c, seq, dir))
		return false;
	zwin_stat_inc(c->zn, ZWIN_STAT_RST_IGNORED);
	return true;
}

/*
 * FIN and RST bookkeeping; @dir is 0 for the client's segments, 1 back;
 * a RST here passed zwin_rst_drop(). The
 * flags and the state change under c->lock, so that crossing FINs on two
 * cpus cannot both miss the move to CLOSING, and a proxy abort's RESET is
 * never overwritten.
 */
static void zwin_fin_rst(struct zwin_conn *c, const struct tcphdr *th,
			 unsigned int dir)
{
	bool changed = false;

	if (!th->fin && !th->rst) {
		zwin_conn_touch(c, 0);
		return;
	}
	spin_lock(&c->lock);
	if (c->state != ZWIN_S_ESTABLISHED && c->state != ZWIN_S_CLOSING) {
		spin_unlock(&c->lock);
		return;
	}
	if (th->fin && !c->fin[dir]) {
		WRITE_ONCE(c->fin[dir], true);
		changed = true;
	}
	if ((th->rst || (c->fin[0] && c->fin[1])) &&
	    c->state != ZWIN_S_CLOSING) {
		WRITE_ONCE(c->state, ZWIN_S_CLOSING);
		changed = true;
	}
	if (changed)
		zwin_conn_arm(c, zwin_conn_timeout(c));
	else
		WRITE_ONCE(c->last, (u32)jiffies);
	spin_unlock(&c->lock);
}

/*
 * Records the sequence number following @th's segment in @nxt if it is
 * ahead: where a RST must start if the proxy has to end the connection.
 * A SYN on an established connection (the client's port reuse) starts a
 * foreign sequence space and is not counted; nor is a RST, whose sequence
 * number anyone can forge.
 */
static void zwin_note_nxt(u32 *nxt, const struct sk_buff *skb,
			  const struct tcphdr *th, unsigned int thoff)
{
	u32 end = ntohl(th->seq) + skb->len - thoff - th->doff * 4 + th->fin;

	if (!th->syn && !th->rst && after(end, READ_ONCE(*nxt)))
		WRITE_ONCE(*nxt, end);
}

/*
 * Duplicate-ACK loop detection; @dir is 0 toward the server, 1 toward the
 * client. Returns true when @c must be cut off. Updates race between the
 * two directions' cpus; a lost update only delays detection.
 */
static bool zwin_ack_storm(struct zwin_conn *c, const struct sk_buff *skb,
			   const struct tcphdr *th, unsigned int thoff,
			   unsigned int dir)
{
	unsigned int limit = READ_ONCE(c->zn->sysctl.ack_storm);
	u32 sig, now = (u32)jiffies;
	u16 cnt;

	if (!limit)
		return false;
	if (th->syn || th->fin || th->rst || !th->ack ||
	    skb->len != thoff + th->doff * 4) {
		/* anything but a pure ACK is progress */
		if (READ_ONCE(c->storm_cnt))
			WRITE_ONCE(c->storm_cnt, 0);
		return false;
	}
	sig = jhash_3words(ntohl(th->seq), ntohl(th->ack_seq),
			   ntohs(th->window), 0);
	if (sig != READ_ONCE(c->storm_sig[dir])) {
		WRITE_ONCE(c->storm_sig[dir], sig);
		WRITE_ONCE(c->storm_cnt, 0);
		return false;
	}
	cnt = READ_ONCE(c->storm_cnt);
	if (!cnt || now - READ_ONCE(c->storm_t) > HZ) {
		WRITE_ONCE(c->storm_t, now);
		WRITE_ONCE(c->storm_dirs, 0);
		cnt = 0;
	}
	WRITE_ONCE(c->storm_dirs, READ_ONCE(c->storm_dirs) | BIT(dir));
	WRITE_ONCE(c->storm_cnt, ++cnt);
	return cnt > limit && READ_ONCE(c->storm_dirs) == (BIT(0) | BIT(1));
}

/* Cuts @c off if @skb continues an ACK storm; true if it must be dropped. */
static bool zwin_storm_cut(struct zwin_conn *c, const struct sk_buff *skb,
			   const struct tcphdr *th, unsigned int thoff,
			   unsigned int dir)
{
	if (!zwin_ack_storm(c, skb, th, thoff, dir))
		return false;
	if (zwin_conn_abort(c)) {
		zwin_stat_inc(c->zn, ZWIN_STAT_ACK_STORM);
		net_info_ratelimited("ACK storm on a proxied connection: cut off (zwin_ack_storm=%d)\n",
				     READ_ONCE(c->zn->sysctl.ack_storm));
	}
	return true;
}

/* Makes the TCP header with options writable; returns it or NULL. */
static struct tcphdr *zwin_tcp_writable(struct sk_buff *skb,
					unsigned int thoff)
{
	struct tcphdr _th;
	const struct tcphdr *th;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || th->doff < 5 ||
	    skb_ensure_writable(skb, thoff + th->doff * 4))
		return NULL;
	return (struct tcphdr *)(skb->data + thoff);
}

static void zwin_replace_seq(struct sk_buff *skb, struct tcphdr *th,
			     __be32 *field, u32 val)
{
	__be32 new = htonl(val);

	inet_proto_csum_replace4(&th->check, skb, *field, new, false);
	*field = new;
}

/* Client to server: acknowledgment, SACK blocks, TSecr. */
static void zwin_xlate_to_server(struct zwin_conn *c, struct sk_buff *skb,
				 struct tcphdr *th)
{
	if (th->ack)
		zwin_replace_seq(skb, th, &th->ack_seq,
				 ntohl(th->ack_seq) - c->delta);
	if (th->doff > 5)
		zwin_opts_rewrite(skb, th, c, true);
}

/* Server to client: sequence number, TSval, window. */
static void zwin_xlate_to_client(struct zwin_conn *c, struct sk_buff *skb,
				 struct tcphdr *th)
{
	u8 sws;

	zwin_replace_seq(skb, th, &th->seq, ntohl(th->seq) + c->delta);
	if (th->doff > 5)
		zwin_opts_rewrite(skb, th, c, false);

	sws = c->swscale == ZWIN_WSCALE_NONE ? 0 : c->swscale;
	if (sws != c->pwscale) {
		u32 bytes = (u32)ntohs(th->window) << sws;
		__be16 win = htons(min_t(u32, bytes >> c->pwscale, U16_MAX));

		inet_proto_csum_replace2(&th->check, skb, th->window, win,
					 false);
		th->window = win;
	}
}

/* A fraglist segment's TCP header, options included, if linear. */
static struct tcphdr *zwin_seg_tcphdr(struct sk_buff *seg)
{
	struct tcphdr *th;

	if (!skb_transport_header_was_set(seg))
		return NULL;
	th = tcp_hdr(seg);
	if ((u8 *)(th + 1) > skb_tail_pointer(seg) || th->doff < 5 ||
	    (u8 *)th + th->doff * 4 > skb_tail_pointer(seg))
		return NULL;
	return th;
}

/*
 * Fraglist GRO (rx-gro-list; TCP since Linux 6.10) hands forwarded
 * segments over as one SKB_GSO_FRAGLIST packet: the head, then the other
 * segments in its frag_list, each still with its own headers. Segmenting
 * it (skb_segment_list()) sends these headers out as they are, copying
 * from the head only addresses and ports: a translation of the head alone
 * leaves segments 2..n in the wrong sequence spaces. So each segment's
 * header is translated here like the head's. That is simpler than
 * segmenting in the hook, which returns one verdict for one skb, and
 * cheaper than rebuilding the packet; GRO only merges segments with equal
 * flags, window, acknowledgment and options, so the head's bookkeeping
 * (on the whole length) holds for all of them. The segments may be
 * shared with a clone of the packet (a tap on the device): as
 * skb_segment_list() does, the head's shared info is made private, a
 * shared segment is replaced by a clone, and a cloned one gets its own
 * copy of the header before it is written. Each segment's checksum is
 * updated in its own ip_summed state. Returns false (counted) when a
 * copy cannot be allocated or a header is not linear: the caller drops.
 */
static bool zwin_list_xlate(struct zwin_conn *c, struct sk_buff *skb,
			    bool to_server)
{
	struct sk_buff **pp, *seg, *nseg;
	struct tcphdr *th;

	if (skb_unclone(skb, GFP_ATOMIC))
		goto fail;
	for (pp = &skb_shinfo(skb)->frag_list; (seg = *pp); pp = &seg->next) {
		if (skb_shared(seg)) {
			nseg = skb_clone(seg, GFP_ATOMIC);
			if (!nseg)
				goto fail;
			nseg->next = seg->next;
			*pp = nseg;
			consume_skb(seg);
			seg = nseg;
		}
		th = skb_unclone(seg, GFP_ATOMIC) ? NULL : zwin_seg_tcphdr(seg);
		if (!th)
			goto fail;
		if (to_server)
			zwin_xlate_to_server(c, seg, th);
		else
			zwin_xlate_to_client(c, seg, th);
	}
	zwin_stat_inc(c->zn, ZWIN_STAT_GRO_LIST);
	return true;
fail:
	zwin_stat_inc(c->zn, ZWIN_STAT_GRO_LIST_FAIL);
	return false;
}

/**
 * zwin_to_server() - translate a client segment of @c toward the server
 * @c: the connection, established
 * @skb: the segment, network header at skb->data
 * @thoff: offset of its TCP header
 *
 * Return: NF_ACCEPT, or NF_DROP if the header cannot be made writable.
 */
unsigned int zwin_to_server(struct zwin_conn *c, struct sk_buff *skb,
			    unsigned int thoff)
{
	struct tcphdr *th;

	if (unlikely(skb_shinfo(skb)->gso_type & SKB_GSO_FRAGLIST) &&
	    !zwin_list_xlate(c, skb, true))
		return NF_DROP;
	th = zwin_tcp_writable(skb, thoff);
	if (!th || zwin_rst_drop(c, th, 0, ntohl(th->seq)) ||
	    zwin_storm_cut(c, skb, th, thoff, 0))
		return NF_DROP;
	zwin_note_nxt(&c->c_nxt, skb, th, thoff);
	if (th->ack && !th->rst &&
	    after(ntohl(th->ack_seq), READ_ONCE(c->c_ack)))
		WRITE_ONCE(c->c_ack, ntohl(th->ack_seq));
	zwin_xlate_to_server(c, skb, th);
	zwin_fin_rst(c, th, 0);
	zwin_stat_inc(c->zn, ZWIN_STAT_TO_SERVER);
	return NF_ACCEPT;
}

/**
 * zwin_to_client() - translate a server segment of @c toward the client
 * @c: the connection, established
 * @skb: the segment, network header at skb->data
 * @thoff: offset of its TCP header
 *
 * Return: NF_ACCEPT, or NF_DROP if the header cannot be made writable.
 */
unsigned int zwin_to_client(struct zwin_conn *c, struct sk_buff *skb,
			    unsigned int thoff)
{
	struct tcphdr *th;

	if (unlikely(skb_shinfo(skb)->gso_type & SKB_GSO_FRAGLIST) &&
	    !zwin_list_xlate(c, skb, false))
		return NF_DROP;
	th = zwin_tcp_writable(skb, thoff);
	if (!th || zwin_rst_drop(c, th, 1, ntohl(th->seq) + c->delta) ||
	    zwin_storm_cut(c, skb, th, thoff, 1))
		return NF_DROP;
	zwin_xlate_to_client(c, skb, th);
	zwin_note_nxt(&c->s_nxt, skb, th, thoff);
	if (th->ack && !th->rst &&
	    after(ntohl(th->ack_seq), READ_ONCE(c->s_ack)))
		WRITE_ONCE(c->s_ack, ntohl(th->ack_seq));
	zwin_fin_rst(c, th, 1);
	zwin_stat_inc(c->zn, ZWIN_STAT_TO_CLIENT);
	return NF_ACCEPT;
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/rewrite_test.c"
#endif
