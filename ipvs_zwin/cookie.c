// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: SYN cookies.
 *
 * The proxy's initial sequence number toward a client is a MAC, keyed by a
 * per-namespace random siphash key, over the connection's addresses and
 * ports, the client's ISN, the client's SYN options and a time counter
 * that advances every ZWIN_COOKIE_PERIOD seconds. The options and the low
 * bit of the counter travel in the clear, in 10 "info" bits:
 *
 *   info = period parity (1) | MSS index (3) | window scale (4) |
 *          SACK-permitted (1) | ECN (1)
 *
 * Without client timestamps the info bits are the low 10 bits of the ISN
 * and the MAC fills the other 22: a random ACK passes with probability
 * 2^-22 (2.4e-7). With timestamps the info bits are the low 10 bits of the
 * proxy's TSval, which the client echoes in every ACK, and the MAC fills
 * all 32 ISN bits: 2^-32 (2.3e-10). A cookie is accepted during the period
 * it was made in and the next one, 64 to 128 seconds.
 *
 * The window scale the proxy announced (zwin_wscale when the SYN came) is
 * part of the MAC, not of the info bits: the check tries the scale
 * announced now and, within a cookie's lifetime after zwin_wscale changed,
 * the one before, and reports which one the client was promised.
 *
 * The key and the clocks come from key.c. With a namespace's own random
 * key, time is the namespace's uptime (a monotonic clock). With a cluster
 * key shared by several directors, a SYN-ACK sent by one may be answered
 * to another: time is then wall-clock time, which directors keep in step
 * (NTP), every ACK is checked (not only within a cookie's lifetime of the
 * director's last SYN-ACK: hook.c), a director behind its peer by up to
 * ZWIN_COOKIE_SKEW seconds also tries the period after its own, and during
 * a rotation the previous key is tried after the current one.
 */

#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <net/tcp.h>

#include "zwin.h"

#define ZWIN_INFO_BITS		10
#define ZWIN_INFO_MASK		((1U << ZWIN_INFO_BITS) - 1)

/*
 * MSS values a cookie can carry; a client's MSS rounds down to one, so
 * that the server is never promised more than the client offered (88 is
 * the least Linux's TCP uses: TCP_MIN_MSS).
 */
static const u16 zwin_msstab[8] = {
	TCP_MIN_MSS, 536, 1200, 1300, 1380, 1440, 1460, 8960
};

/**
 * zwin_cookie_init() - give @zn a random cookie key and timestamp base
 * @zn: the namespace's proxy state
 */
void zwin_cookie_init(struct zwin_net *zn)
{
	zwin_keys_init(zn);
}

/**
 * zwin_ts_now() - the proxy's TCP timestamp clock for @zn (milliseconds)
 * @zn: the namespace's proxy state, its key_lock read-held
 *
 * Return: current clock value: the namespace's uptime plus a random
 * offset, or with a cluster key the wall clock plus an offset derived
 * from the key, the same on every director.
 */
u32 zwin_ts_now(struct zwin_net *zn)
{
	ktime_t now = zn->keys.shared ? ktime_get_real() : ktime_get();

	return (u32)ktime_to_ms(now) + zn->keys.ts_base;
}

/* How long a changed window scale's predecessor is still tried. */
#define ZWIN_WS_PREV_LIFE	(130 * HZ)

/**
 * zwin_cookie_wscale() - the window scale to announce in a SYN-ACK now
 * @zn: the namespace's proxy state
 *
 * Follows zwin_wscale, remembering the value before its last change for
 * the cookies made with it. Racing cpus write the same values.
 *
 * Return: the scale, 0-14.
 */
u8 zwin_cookie_wscale(struct zwin_net *zn)
{
	u8 ws = READ_ONCE(zn->sysctl.wscale);

	if (unlikely(ws != READ_ONCE(zn->ws_cur))) {
		WRITE_ONCE(zn->ws_prev, READ_ONCE(zn->ws_cur));
		WRITE_ONCE(zn->ws_changed, jiffies);
		WRITE_ONCE(zn->ws_cur, ws);
	}
	return ws;
}

/*
 * The current cookie period; *@ahead is set when a cluster director's
 * clock is close enough to the next period for a peer slightly ahead of
 * it to have made a cookie in that one. From the clocks themselves, not
 * their per-tick seconds: the XDP front end (xdp/zwin_xdp.bpf.c) reads
 * the same nanoseconds, so both change period at the same instant.
 */
static u32 zwin_period(bool shared, bool *ahead)
{
	u64 secs = div_u64(shared ? ktime_get_real_ns() : ktime_get_ns(),
			   NSEC_PER_SEC);

	*ahead = shared && secs % ZWIN_COOKIE_PERIOD >=
			   ZWIN_COOKIE_PERIOD - ZWIN_COOKIE_SKEW;
	return (u32)(secs / ZWIN_COOKIE_PERIOD);
}

static u32 zwin_info_encode(const struct zwin_synopts *o, u32 period)
{
	u32 idx = 0, i;

	for (i = 1; i < ARRAY_SIZE(zwin_msstab); i++)
		if (o->mss >= zwin_msstab[i])
			idx = i;
	return (period & 1) << 9 | idx << 6 | (o->wscale & 0xf) << 2 |
	       (o->sack ? 2 : 0) | (o->ecn ? 1 : 0);
}

static void zwin_info_decode(u32 info, bool ts, struct zwin_synopts *o)
{
	o->mss = zwin_msstab[(info >> 6) & 7];
	o->wscale = (info >> 2) & 0xf;
	o->sack = info & 2;
	o->ecn = info & 1;
	o->ts = ts;
}

static u32 zwin_mac(const siphash_key_t *key, const struct zwin_tuple *t,
		    u32 isn, u32 info, u32 period, bool ts, u8 pws)
{
	struct {
		union nf_inet_addr caddr;
		union nf_inet_addr vaddr;
		__be16 cport;
		__be16 vport;
		u32 isn;
		u32 info;
		u32 period;
	} in;

	memset(&in, 0, sizeof(in));
	in.caddr = t->caddr;
	in.vaddr = t->vaddr;
	in.cport = t->cport;
	in.vport = t->vport;
	in.isn = isn;
	/* the mode is part of the MAC: one cookie never checks in the other */
	in.info = info | (ts ? 1U << 31 : 0) | (u32)t->af << 16 |
		  (u32)pws << 24;
	in.period = period;
	return (u32)siphash(&in, sizeof(in), key);
}

/* zwin_cookie_make() for a given time @period */
static u32 __zwin_cookie_make(struct zwin_net *zn, const struct zwin_tuple *t,
			      u32 client_isn, const struct zwin_synopts *o,
			      u32 *tsval, u32 period)
{
	u32 info = zwin_info_encode(o, period);
	u8 pws = o->wscale == ZWIN_WSCALE_NONE ? 0 : o->pws;
	u32 mac = zwin_mac(&zn->keys.cookie[0], t, client_isn, info, period,
			   o->ts, pws);

	if (o->ts) {
		*tsval = (zwin_ts_now(zn) & ~ZWIN_INFO_MASK) | info;
		return mac;
	}
	return (mac << ZWIN_INFO_BITS) | info;
}

/*
 * zwin_cookie_check() at time period @now, and with @ahead at @now + 1
 * too; *@key is set to the index of the key that made the cookie.
 */
static bool zwin_cookie_check_at(struct zwin_net *zn,
				 const struct zwin_tuple *t, u32 client_isn,
				 u32 cookie, bool has_ts, u32 tsecr,
				 struct zwin_synopts *o, u32 now, bool ahead,
				 unsigned int *key)
{
	u32 info = (has_ts ? tsecr : cookie) & ZWIN_INFO_MASK;
	u32 periods[2], mac;
	unsigned int np = 1, k, w, p, nws = 1;
	u8 pws[2] = { 0, 0 };

	/* the parity bit tells the period apart from its neighbours */
	if ((now & 1) == info >> 9) {
		periods[0] = now;
	} else {
		periods[0] = now - 1;
		if (ahead)
			periods[np++] = now + 1;
	}
	zwin_info_decode(info, has_ts, o);
	if (o->wscale != ZWIN_WSCALE_NONE) {
		pws[0] = READ_ONCE(zn->ws_cur);
		pws[1] = READ_ONCE(zn->ws_prev);
		if (pws[1] != pws[0] &&
		    time_before(jiffies, READ_ONCE(zn->ws_changed) +
				ZWIN_WS_PREV_LIFE))
			nws = 2;
	}
	for (k = 0; k < zn->keys.n; k++)
		for (w = 0; w < nws; w++)
			for (p = 0; p < np; p++) {
				mac = zwin_mac(&zn->keys.cookie[k], t,
					       client_isn, info, periods[p],
					       has_ts, pws[w]);
				if (has_ts ? mac == cookie :
				    (mac << ZWIN_INFO_BITS) ==
				    (cookie & ~ZWIN_INFO_MASK)) {
					o->pws = pws[w];
					*key = k;
					return true;
				}
			}
	return false;
}

/**
 * zwin_cookie_make() - the proxy's ISN for a client SYN
 * @zn: the namespace's proxy state
 * @t: the connection's addresses and ports
 * @client_isn: the sequence number of the client's SYN
 * @o: the client's options (o->ts selects the timestamp layout) and, in
 *	o->pws, the window scale announced to it (from zwin_cookie_wscale())
 * @tsval: with o->ts, set to the TSval the SYN-ACK must carry
 *
 * Return: the cookie, to be sent as the SYN-ACK's sequence number.
 */
u32 zwin_cookie_make(struct zwin_net *zn, const struct zwin_tuple *t,
		     u32 client_isn, const struct zwin_synopts *o, u32 *tsval)
{
	unsigned int seq;
	bool ahead;
	u32 cookie;

	do {
		seq = read_seqbegin(&zn->key_lock);
		cookie = __zwin_cookie_make(zn, t, client_isn, o, tsval,
					    zwin_period(zn->keys.shared,
							&ahead));
	} while (read_seqretry(&zn->key_lock, seq));
	return cookie;
}

/**
 * zwin_cookie_check() - validate the cookie a client's ACK acknowledges
 * @zn: the namespace's proxy state
 * @t: the connection's addresses and ports
 * @client_isn: the client's ISN (the ACK's sequence number - 1)
 * @cookie: the proxy's ISN (the ACK's acknowledgment number - 1)
 * @has_ts: the ACK carries a timestamp option
 * @tsecr: its echoed timestamp, if @has_ts
 * @o: set to the client's SYN options on success, and in o->pws the
 *	window scale the proxy announced to it
 *
 * Return: true if the cookie was made for this connection with one of
 * the namespace's keys during the current or the previous period (or,
 * with a cluster key near the end of a period, the next one).
 */
bool zwin_cookie_check(struct zwin_net *zn, const struct zwin_tuple *t,
		       u32 client_isn, u32 cookie, bool has_ts, u32 tsecr,
		       struct zwin_synopts *o)
{
	unsigned int seq, key = 0;
	bool ok, ahead;
	u32 now;

	do {
		seq = read_seqbegin(&zn->key_lock);
		now = zwin_period(zn->keys.shared, &ahead);
		ok = zwin_cookie_check_at(zn, t, client_isn, cookie, has_ts,
					  tsecr, o, now, ahead, &key);
	} while (read_seqretry(&zn->key_lock, seq));
	if (ok && key)
		zwin_stat_inc(zn, ZWIN_STAT_COOKIE_PREV);
	return ok;
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/cookie_test.c"
#endif
