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
 */

#include <linux/skbuff.h>
#include <net/tcp.h>

#include "zwin.h"

static void zwin_fin_rst(struct zwin_conn *c, const struct tcphdr *th,
			 unsigned long fin_bit)
{
	unsigned long old = READ_ONCE(c->flags);

	if (th->rst || ((old | fin_bit) == (ZWIN_F_CLIENT_FIN | ZWIN_F_SERVER_FIN) &&
			th->fin)) {
		if (READ_ONCE(c->state) != ZWIN_S_CLOSING) {
			WRITE_ONCE(c->state, ZWIN_S_CLOSING);
			zwin_conn_touch(c, zwin_conn_timeout(c));
		}
		return;
	}
	if (th->fin && !(old & fin_bit)) {
		set_bit(__ffs(fin_bit), &c->flags);
		zwin_conn_touch(c, zwin_conn_timeout(c));
		return;
	}
	zwin_conn_touch(c, 0);
}

/*
 * Records the sequence number following @th's segment in @nxt if it is
 * ahead: where a RST must start if the proxy has to end the connection.
 */
static void zwin_note_nxt(u32 *nxt, const struct sk_buff *skb,
			  const struct tcphdr *th, unsigned int thoff)
{
	u32 end = ntohl(th->seq) + skb->len - thoff - th->doff * 4 + th->fin;

	if (after(end, READ_ONCE(*nxt)))
		WRITE_ONCE(*nxt, end);
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
	struct tcphdr *th = zwin_tcp_writable(skb, thoff);

	if (!th)
		return NF_DROP;
	zwin_note_nxt(&c->c_nxt, skb, th, thoff);
	if (th->ack && after(ntohl(th->ack_seq), READ_ONCE(c->c_ack)))
		WRITE_ONCE(c->c_ack, ntohl(th->ack_seq));
	if (th->ack)
		zwin_replace_seq(skb, th, &th->ack_seq,
				 ntohl(th->ack_seq) - c->delta);
	if (th->doff > 5)
		zwin_opts_rewrite(skb, th, c, true);
	zwin_fin_rst(c, th, ZWIN_F_CLIENT_FIN);
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
	struct tcphdr *th = zwin_tcp_writable(skb, thoff);
	u8 sws;

	if (!th)
		return NF_DROP;
	zwin_replace_seq(skb, th, &th->seq, ntohl(th->seq) + c->delta);
	zwin_note_nxt(&c->s_nxt, skb, th, thoff);
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
	zwin_fin_rst(c, th, ZWIN_F_SERVER_FIN);
	zwin_stat_inc(c->zn, ZWIN_STAT_TO_CLIENT);
	return NF_ACCEPT;
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/rewrite_test.c"
#endif
