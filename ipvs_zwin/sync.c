// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: failover records, carried by IPVS's connection sync.
 *
 * When the proxy completes a server handshake it writes what another
 * director needs to translate the connection into the six 32-bit words of
 * IPVS's connection, in_seq and out_seq, and sets IP_VS_CONN_F_IN_SEQ and
 * IP_VS_CONN_F_OUT_SEQ. IPVS's sync daemon sends them with the connection
 * (IPVS_OPT_SEQ_DATA of the v1 message), and a backup restores them
 * verbatim; IPVS itself applies them only to connections bound to an
 * application helper, which a zwin connection never is.
 *
 *   in_seq.init_seq        delta (proxy ISN - server ISN)
 *   in_seq.delta           tsoff (proxy TSval - server TSval)
 *   in_seq.previous_delta  info: server wscale (bits 0-3), proxy wscale
 *                          (4-7), timestamps (8), version (24-27)
 *   out_seq.init_seq       client ISN
 *   out_seq.delta          MAC, high 32 bits
 *   out_seq.previous_delta MAC, low 32 bits
 *
 * The MAC is a 64-bit SipHash, keyed with a key derived from the cluster
 * cookie key (key.c), over the four words and the connection's client,
 * virtual and real server addresses and ports: a record forged, altered
 * or moved to another connection or real server fails, and a director
 * without the writer's key (or its previous one) cannot use it.
 *
 * A director that meets a segment of a zwin service it has no entry for,
 * while IPVS has a connection carrying a record, rebuilds the entry from
 * the record and translates the segment; the first segment, from either
 * side, gives the sequence numbers it tracks. A synced connection of a
 * zwin service without a valid record is never forwarded untranslated:
 * its segments are dropped and counted (sync_invalid).
 */

#include <net/ip_vs.h>

#include "zwin.h"

#define ZWIN_RI_SWS_SHIFT	0
#define ZWIN_RI_PWS_SHIFT	4
#define ZWIN_RI_TS		BIT(8)
#define ZWIN_RI_VERSION		BIT(24)
#define ZWIN_RI_VERSION_MASK	(0xfU << 24)
#define ZWIN_RI_KNOWN		(ZWIN_RI_VERSION_MASK | ZWIN_RI_TS | 0xff)

/* What the MAC covers: addresses in 16 bytes each, v4 zero-padded. */
struct zwin_record_in {
	u8	caddr[16];
	u8	vaddr[16];
	u8	daddr[16];
	__be16	cport;
	__be16	vport;
	__be16	dport;
	u16	af;
	u32	w[4];
} __aligned(SIPHASH_ALIGNMENT);

static void zwin_addr_put(u8 *dst, u8 af, const union nf_inet_addr *a)
{
	if (af == AF_INET)
		memcpy(dst, &a->ip, sizeof(a->ip));
	else
		memcpy(dst, &a->in6, sizeof(a->in6));
}

static u64 zwin_record_mac(const siphash_key_t *key, const u32 *w,
			   const struct zwin_tuple *t,
			   const union nf_inet_addr *daddr, __be16 dport)
{
	struct zwin_record_in in;

	memset(&in, 0, sizeof(in));
	zwin_addr_put(in.caddr, t->af, &t->caddr);
	zwin_addr_put(in.vaddr, t->af, &t->vaddr);
	zwin_addr_put(in.daddr, t->af, daddr);
	in.cport = t->cport;
	in.vport = t->vport;
	in.dport = dport;
	in.af = t->af;
	memcpy(in.w, w, sizeof(in.w));
	return siphash(&in, sizeof(in), key);
}

/**
 * zwin_record_encode() - the six words of a connection's failover record
 * @zn: the namespace's proxy state (its current record key signs)
 * @r: the record; r->mac is ignored
 * @t: the connection's client and virtual addresses and ports
 * @daddr: its real server's address
 * @dport: its real server's port
 * @w: ZWIN_RECORD_WORDS words, in in_seq/out_seq order
 */
void zwin_record_encode(struct zwin_net *zn, const struct zwin_record *r,
			const struct zwin_tuple *t,
			const union nf_inet_addr *daddr, __be16 dport, u32 *w)
{
	unsigned int seq;
	u64 mac;

	w[0] = r->delta;
	w[1] = r->tsoff;
	w[2] = (r->info & ~ZWIN_RI_VERSION_MASK) | ZWIN_RI_VERSION;
	w[3] = r->client_isn;
	do {
		seq = read_seqbegin(&zn->key_lock);
		mac = zwin_record_mac(&zn->keys.record[0], w, t, daddr, dport);
	} while (read_seqretry(&zn->key_lock, seq));
	w[4] = upper_32_bits(mac);
	w[5] = lower_32_bits(mac);
}

/**
 * zwin_record_decode() - check and read a failover record
 * @zn: the namespace's proxy state (its current and previous record keys
 *	are tried)
 * @w: the six words, as zwin_record_encode() made them
 * @t: the connection's client and virtual addresses and ports
 * @daddr: its real server's address
 * @dport: its real server's port
 * @r: filled on success
 *
 * Return: true if one of @zn's keys made @w for exactly this connection
 * and real server, in a version this module reads.
 */
bool zwin_record_decode(struct zwin_net *zn, const u32 *w,
			const struct zwin_tuple *t,
			const union nf_inet_addr *daddr, __be16 dport,
			struct zwin_record *r)
{
	u64 want = (u64)w[4] << 32 | w[5];
	unsigned int seq, k;
	bool ok;

	if ((w[2] & ZWIN_RI_VERSION_MASK) != ZWIN_RI_VERSION ||
	    (w[2] & ~ZWIN_RI_KNOWN))
		return false;
	do {
		seq = read_seqbegin(&zn->key_lock);
		ok = false;
		for (k = 0; k < zn->keys.n && !ok; k++)
			ok = zwin_record_mac(&zn->keys.record[k], w, t, daddr,
					     dport) == want;
	} while (read_seqretry(&zn->key_lock, seq));
	if (!ok)
		return false;
	r->delta = w[0];
	r->tsoff = w[1];
	r->info = w[2];
	r->client_isn = w[3];
	r->mac = want;
	return true;
}

/**
 * zwin_sync_record() - write @c's failover record into IPVS's connection
 * @c: a connection whose server handshake just completed (delta, tsoff,
 *	window scales set), locked
 *
 * Must be called in softirq under rcu_read_lock() (the hooks), before the
 * proxy's ACK lets IPVS's connection reach ESTABLISHED: IPVS may sync it
 * at that state change (sync_refresh_period).
 */
void zwin_sync_record(struct zwin_conn *c)
{
	struct zwin_record r = {
		.delta = c->delta,
		.tsoff = c->tsoff,
		.info = (u32)c->swscale << ZWIN_RI_SWS_SHIFT |
			(u32)c->pwscale << ZWIN_RI_PWS_SHIFT |
			(c->opts.ts ? ZWIN_RI_TS : 0),
		.client_isn = c->client_isn,
	};
	struct ip_vs_conn *cp;
	struct zwin_tuple t;
	u32 w[ZWIN_RECORD_WORDS];

	zwin_conn_tuple(c, &t);
	cp = zwin_ipvs_conn_ref(c->zn->net, &t);
	if (!cp)
		return;
	zwin_record_encode(c->zn, &r, &t, &cp->daddr, cp->dport, w);
	spin_lock(&cp->lock);
	cp->in_seq.init_seq = w[0];
	cp->in_seq.delta = w[1];
	cp->in_seq.previous_delta = w[2];
	cp->out_seq.init_seq = w[3];
	cp->out_seq.delta = w[4];
	cp->out_seq.previous_delta = w[5];
	/* the sync daemon reads the words once it sees the flags */
	smp_wmb();
	cp->flags |= IP_VS_CONN_F_IN_SEQ | IP_VS_CONN_F_OUT_SEQ;
	spin_unlock(&cp->lock);
	__ip_vs_conn_put(cp);
	zwin_stat_inc(c->zn, ZWIN_STAT_SYNC_RECORD);
}

/* A new entry for @t, established from the record @r. */
static struct zwin_conn *zwin_sync_entry(struct zwin_net *zn,
					 const struct zwin_tuple *t,
					 const struct zwin_record *r,
					 const struct tcphdr *th,
					 bool to_client)
{
	u32 seq = ntohl(th->seq), ack = ntohl(th->ack_seq);
	struct zwin_conn *c = zwin_conn_alloc(zn, t);

	if (!c)
		return NULL;
	c->state = ZWIN_S_ESTABLISHED;
	c->delta = r->delta;
	c->tsoff = r->tsoff;
	c->client_isn = r->client_isn;
	c->opts.ts = !!(r->info & ZWIN_RI_TS);
	c->swscale = (r->info >> ZWIN_RI_SWS_SHIFT) & 0xf;
	c->pwscale = (r->info >> ZWIN_RI_PWS_SHIFT) & 0xf;
	c->opts.wscale = c->swscale == ZWIN_WSCALE_NONE ? ZWIN_WSCALE_NONE :
			 c->pwscale;
	c->proxy_isn = c->delta;	/* unknown: server ISN 0 */
	/* where each side stands, as far as this first segment tells */
	if (to_client) {
		c->s_nxt = seq + r->delta;
		c->s_ack = ack;
		c->c_nxt = ack;
		c->c_ack = seq + r->delta;
	} else {
		c->c_nxt = seq;
		c->c_ack = ack;
		c->s_nxt = ack;
		c->s_ack = seq;
	}
	return c;
}

/**
 * zwin_sync_adopt() - a segment of a zwin service the proxy has no entry
 * for: rebuild the entry from IPVS's synced connection, or drop it
 * @zn: the namespace's proxy state
 * @skb: the segment, network header at skb->data
 * @t: its addresses and ports, client side first
 * @thoff: offset of its TCP header
 * @to_client: a server segment (FORWARD, after IPVS), not a client one
 *	(PRE_ROUTING, before IPVS)
 *
 * Must be called under rcu_read_lock().
 *
 * Return: ZWIN_SYNC_NONE when IPVS has no live connection for @t that
 * is synced or carries a record (the caller goes on as before); else the
 * verdict: the segment translated, or NF_DROP (counted: sync_invalid for
 * a missing or invalid record).
 */
unsigned int zwin_sync_adopt(struct zwin_net *zn, struct sk_buff *skb,
			     const struct zwin_tuple *t, unsigned int thoff,
			     bool to_client)
{
	u32 w[ZWIN_RECORD_WORDS];
	struct zwin_record r;
	struct ip_vs_conn *cp;
	struct zwin_conn *c;
	struct tcphdr _th;
	const struct tcphdr *th;
	unsigned int flags;
	bool ok = false;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || th->syn)
		return ZWIN_SYNC_NONE;
	cp = zwin_ipvs_conn_ref(zn->net, t);
	if (!cp)
		return ZWIN_SYNC_NONE;
	flags = READ_ONCE(cp->flags);
	if (!(flags & (IP_VS_CONN_F_SEQ_MASK | IP_VS_CONN_F_SYNC)) ||
	    !zwin_ipvs_conn_live(cp) ||
	    zwin_classify(zn->net, t->af, cp->fwmark, &cp->vaddr,
			  cp->vport) < ZWIN_CLS_NODEST) {
		__ip_vs_conn_put(cp);
		return ZWIN_SYNC_NONE;
	}
	if ((flags & IP_VS_CONN_F_SEQ_MASK) == IP_VS_CONN_F_SEQ_MASK) {
		spin_lock(&cp->lock);
		w[0] = cp->in_seq.init_seq;
		w[1] = cp->in_seq.delta;
		w[2] = cp->in_seq.previous_delta;
		w[3] = cp->out_seq.init_seq;
		w[4] = cp->out_seq.delta;
		w[5] = cp->out_seq.previous_delta;
		spin_unlock(&cp->lock);
		ok = zwin_record_decode(zn, w, t, &cp->daddr, cp->dport, &r);
	}
	__ip_vs_conn_put(cp);
	if (!ok) {
		zwin_stat_inc(zn, ZWIN_STAT_SYNC_INVALID);
		return NF_DROP;
	}
	/*
	 * The namespace's table is still being set up (zwin_activate()):
	 * the segment is dropped, its sender's retransmission finds it.
	 */
	if (!smp_load_acquire(&zn->active)) {
		zwin_stat_inc(zn, ZWIN_STAT_EARLY_DROP);
		return NF_DROP;
	}
	c = zwin_sync_entry(zn, t, &r, th, to_client);
	if (!c) {
		zwin_stat_inc(zn, ZWIN_STAT_CONN_FULL);
		return NF_DROP;
	}
	if (zwin_conn_insert(c)) {
		/* another cpu adopted it first: use that one */
		c = zwin_conn_find(zn, t);
		/* pairs with the release that published its state */
		if (!c || smp_load_acquire(&c->state) != ZWIN_S_ESTABLISHED)
			return NF_DROP;
	} else {
		spin_lock(&c->lock);
		zwin_conn_arm(c, zwin_conn_timeout(c));
		spin_unlock(&c->lock);
		zwin_stat_inc(zn, ZWIN_STAT_SYNC_ADOPTED);
	}
	return to_client ? zwin_to_client(c, skb, thoff) :
			   zwin_to_server(c, skb, thoff);
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/sync_test.c"
#endif
