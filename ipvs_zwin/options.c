// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: TCP options: parsing (bounded by the header, never past it,
 * stopping at the first malformed option), the options of the segments the
 * proxy builds, and the in-place translation of SACK blocks and timestamps
 * in forwarded segments.
 */

#include <linux/tcp.h>
#include <net/tcp.h>

#include "zwin.h"

/*
 * Steps from *@pos to the next option of an area of @len bytes, skipping
 * NOPs: returns its offset and sets *@olen, or -1 at the end, at EOL, or
 * at the first malformed option (no length, length < 2, past the area).
 */
static int zwin_opt_next(const u8 *opt, unsigned int len, unsigned int *pos,
			 u8 *olen)
{
	unsigned int i = *pos;

	while (i < len && opt[i] == TCPOPT_NOP)
		i++;
	if (i + 1 >= len || opt[i] == TCPOPT_EOL)
		return -1;
	*olen = opt[i + 1];
	if (*olen < 2 || *olen > len - i)
		return -1;
	*pos = i + *olen;
	return i;
}

/**
 * zwin_parse_opts() - parse a TCP options area
 * @opt: first option byte
 * @len: bytes of options (data offset * 4 - 20)
 * @o: filled with what was found; absent options read as absent
 */
void zwin_parse_opts(const u8 *opt, unsigned int len, struct zwin_tcpopts *o)
{
	unsigned int pos = 0;
	u8 olen;
	int i;

	memset(o, 0, sizeof(*o));
	o->wscale = ZWIN_WSCALE_NONE;
	while ((i = zwin_opt_next(opt, len, &pos, &olen)) >= 0) {
		switch (opt[i]) {
		case TCPOPT_MSS:
			if (olen == TCPOLEN_MSS)
				o->mss = get_unaligned_be16(opt + i + 2);
			break;
		case TCPOPT_WINDOW:
			if (olen == TCPOLEN_WINDOW)
				o->wscale = min_t(u8, opt[i + 2], TCP_MAX_WSCALE);
			break;
		case TCPOPT_SACK_PERM:
			if (olen == TCPOLEN_SACK_PERM)
				o->sack_ok = true;
			break;
		case TCPOPT_TIMESTAMP:
			if (olen == TCPOLEN_TIMESTAMP) {
				o->ts = true;
				o->tsval = get_unaligned_be32(opt + i + 2);
				o->tsecr = get_unaligned_be32(opt + i + 6);
			}
			break;
		}
	}
}

/**
 * zwin_ts_opt() - write NOP, NOP, timestamp (12 bytes)
 * @p: where to write
 * @tsval: timestamp value
 * @tsecr: timestamp echo reply
 *
 * Return: bytes written.
 */
unsigned int zwin_ts_opt(u8 *p, u32 tsval, u32 tsecr)
{
	put_unaligned_be32(TCPOPT_NOP << 24 | TCPOPT_NOP << 16 |
			   TCPOPT_TIMESTAMP << 8 | TCPOLEN_TIMESTAMP, p);
	put_unaligned_be32(tsval, p + 4);
	put_unaligned_be32(tsecr, p + 8);
	return TCPOLEN_TSTAMP_ALIGNED;
}

/**
 * zwin_synack_opts() - options of a SYN or SYN-ACK carrying @o
 * @p: where to write, room for 20 bytes
 * @o: MSS, window scale, SACK-permitted, timestamps to announce
 * @tsval: timestamp value, if @o->ts
 * @tsecr: timestamp echo reply, if @o->ts
 *
 * Return: bytes written, a multiple of 4.
 */
unsigned int zwin_synack_opts(u8 *p, const struct zwin_synopts *o,
			      u32 tsval, u32 tsecr)
{
	unsigned int n = 0;

	put_unaligned_be32(TCPOPT_MSS << 24 | TCPOLEN_MSS << 16 | o->mss, p);
	n += TCPOLEN_MSS_ALIGNED;
	if (o->ts) {
		n += zwin_ts_opt(p + n, tsval, tsecr);
		if (o->sack) /* SACK-permitted in place of the two NOPs */
			put_unaligned_be16(TCPOPT_SACK_PERM << 8 |
					   TCPOLEN_SACK_PERM, p + n - 12);
	} else if (o->sack) {
		put_unaligned_be32(TCPOPT_NOP << 24 | TCPOPT_NOP << 16 |
				   TCPOPT_SACK_PERM << 8 | TCPOLEN_SACK_PERM,
				   p + n);
		n += 4;
	}
	if (o->wscale != ZWIN_WSCALE_NONE) {
		put_unaligned_be32(TCPOPT_NOP << 24 | TCPOPT_WINDOW << 16 |
				   TCPOLEN_WINDOW << 8 | o->wscale, p + n);
		n += 4;
	}
	return n;
}

static void zwin_replace4(struct sk_buff *skb, struct tcphdr *th, u8 *p,
			  u32 val)
{
	__be32 old = get_unaligned((__be32 *)p);
	__be32 new = htonl(val);

	put_unaligned(new, (__be32 *)p);
	inet_proto_csum_replace4(&th->check, skb, old, new, false);
}

/**
 * zwin_opts_rewrite() - translate SACK blocks and timestamps in place
 * @skb: writable segment of a proxied connection
 * @th: its TCP header, options included in the linear area
 * @c: the connection
 * @to_server: direction: client to server (SACK blocks and TSecr move to
 *	the server's spaces) or server to client (TSval to the proxy's)
 *
 * The checksum is updated incrementally, correct in every ip_summed state.
 */
void zwin_opts_rewrite(struct sk_buff *skb, struct tcphdr *th,
		       struct zwin_conn *c, bool to_server)
{
	unsigned int len = th->doff * 4 - sizeof(*th), pos = 0, j;
	u8 *opt = (u8 *)(th + 1);
	u8 olen;
	int i;

	while ((i = zwin_opt_next(opt, len, &pos, &olen)) >= 0) {
		if (opt[i] == TCPOPT_TIMESTAMP && olen == TCPOLEN_TIMESTAMP &&
		    c->opts.ts) {
			u8 *f = opt + i + (to_server ? 6 : 2);
			u32 v = get_unaligned_be32(f);

			if (to_server)
				zwin_replace4(skb, th, f, v - c->tsoff);
			else
				zwin_replace4(skb, th, f, v + c->tsoff);
		} else if (opt[i] == TCPOPT_SACK && to_server &&
			   olen >= TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK &&
			   (olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK == 0) {
			for (j = i + 2; j + 4 <= i + olen; j += 4)
				zwin_replace4(skb, th, opt + j,
					      get_unaligned_be32(opt + j) -
					      c->delta);
		}
	}
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/options_test.c"
#endif
