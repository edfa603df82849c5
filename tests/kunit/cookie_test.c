// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: SYN cookies (included by cookie.c): every option combination
 * survives a round trip in both layouts, cookies expire after two
 * periods, belong to one connection and one key, and random ACKs pass at
 * the documented rate.
 */

#include <kunit/test.h>

#include <linux/random.h>
#include <net/tcp.h>

/* zwin_cookie_check() at time period @now (KUnit) */
static bool __zwin_cookie_check(struct zwin_net *zn,
				const struct zwin_tuple *t, u32 client_isn,
				u32 cookie, bool has_ts, u32 tsecr,
				struct zwin_synopts *o, u32 now)
{
	unsigned int key;

	return zwin_cookie_check_at(zn, t, client_isn, cookie, has_ts, tsecr,
				    o, now, false, &key);
}

static void zwin_t_tuple(struct zwin_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->af = AF_INET;
	t->caddr.ip = htonl(0xc6336401);
	t->vaddr.ip = htonl(0xc0000264);
	t->cport = htons(40001);
	t->vport = htons(80);
}

static struct zwin_net *zwin_t_zn(struct kunit *test)
{
	struct zwin_net *zn = kunit_kzalloc(test, sizeof(*zn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, zn);
	zwin_cookie_init(zn);
	return zn;
}

static u16 zwin_t_mss_floor(u16 mss)
{
	u16 r = zwin_msstab[0];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(zwin_msstab); i++)
		if (mss >= zwin_msstab[i])
			r = zwin_msstab[i];
	return r;
}

/* All MSS/wscale/SACK/TS/ECN combinations, both layouts. */
static void zwin_test_cookie_roundtrip(struct kunit *test)
{
	static const u16 mss[] = { 100, 536, 1199, 1200, 1359, 1400, 1440,
				   1460, 1500, 8960, 9000, 65535 };
	struct zwin_net *zn = zwin_t_zn(test);
	struct zwin_synopts o, got;
	struct zwin_tuple t;
	unsigned int i, j, ws;
	u32 isn, cookie, tsval = 0, seen = 0;
	bool ok;

	zwin_t_tuple(&t);
	/* MSS index, window scale 0-14 or none, SACK/TS/ECN bits */
	for (i = 0; i < ARRAY_SIZE(mss) * 16 * 8; i++) {
		ws = (i / 8) % 16;	/* 15 is ZWIN_WSCALE_NONE */
		o.mss = mss[i / 128];
		o.wscale = ws;
		o.sack = i & 1;
		o.ts = i & 2;
		o.ecn = i & 4;
		o.pws = 0;	/* zn->ws_cur of a new namespace */
		isn = get_random_u32();
		cookie = __zwin_cookie_make(zn, &t, isn, &o, &tsval, 1000);
		memset(&got, 0xff, sizeof(got));
		ok = __zwin_cookie_check(zn, &t, isn, cookie, o.ts, tsval, &got,
					 1000);
		KUNIT_ASSERT_TRUE(test, ok);
		KUNIT_EXPECT_EQ(test, got.mss, zwin_t_mss_floor(o.mss));
		/* the server is never promised more than the client offered */
		KUNIT_EXPECT_LE(test, got.mss, max_t(u16, o.mss, TCP_MIN_MSS));
		KUNIT_EXPECT_EQ(test, got.wscale, o.wscale);
		KUNIT_EXPECT_EQ(test, got.sack, o.sack);
		KUNIT_EXPECT_EQ(test, got.ts, o.ts);
		KUNIT_EXPECT_EQ(test, got.ecn, o.ecn);
		for (j = 0; j < ARRAY_SIZE(zwin_msstab); j++)
			if (got.mss == zwin_msstab[j])
				seen |= BIT(j);
	}
	/* the inputs reach every MSS the cookie can carry */
	KUNIT_EXPECT_EQ(test, seen, BIT(ARRAY_SIZE(zwin_msstab)) - 1);
}

/* Valid in the period it was made and the next; not before, not later. */
static void zwin_test_cookie_expiry(struct kunit *test)
{
	struct zwin_net *zn = zwin_t_zn(test);
	struct zwin_synopts o = { .mss = 1460, .wscale = 7, .sack = true };
	struct zwin_synopts got;
	struct zwin_tuple t;
	u32 c, tsval = 0, p, now;

	zwin_t_tuple(&t);
	for (p = 10; p < 14; p++) {
		o.ts = p & 1;
		c = __zwin_cookie_make(zn, &t, 7, &o, &tsval, p);
		/* accepted at p and p + 1 only */
		for (now = p - 1; now <= p + 3; now++)
			KUNIT_EXPECT_EQ(test, now == p || now == p + 1,
					__zwin_cookie_check(zn, &t, 7, c, o.ts,
							    tsval, &got, now));
	}
}

/* A cookie binds the addresses, ports, client ISN, key and layout. */
static void zwin_test_cookie_binding(struct kunit *test)
{
	struct zwin_net *zn = zwin_t_zn(test), *other = zwin_t_zn(test);
	struct zwin_synopts o = { .mss = 1460, .wscale = 7, .sack = true };
	struct zwin_synopts got;
	struct zwin_tuple t, u;
	u32 c, tsval = 0;

	zwin_t_tuple(&t);
	c = __zwin_cookie_make(zn, &t, 1000, &o, &tsval, 5);
	KUNIT_EXPECT_TRUE(test, __zwin_cookie_check(zn, &t, 1000, c, false, 0,
						    &got, 5));
	KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(zn, &t, 1001, c, false, 0,
						     &got, 5));
	KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(zn, &t, 1000, c + 1, false,
						     0, &got, 5));
	KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(other, &t, 1000, c, false,
						     0, &got, 5));
	/* the same bits presented as a timestamp cookie */
	KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(zn, &t, 1000, c, true, c,
						     &got, 5));
	u = t;
	u.cport = htons(40002);
	KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(zn, &u, 1000, c, false, 0,
						     &got, 5));
	u = t;
	u.caddr.ip ^= htonl(1);
	KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(zn, &u, 1000, c, false, 0,
						     &got, 5));
	u = t;
	u.vport = htons(81);
	KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(zn, &u, 1000, c, false, 0,
						     &got, 5));
}

/* IPv6: every address bit counts, and a v4 cookie is not a v6 one. */
static void zwin_test_cookie_ipv6(struct kunit *test)
{
	struct zwin_net *zn = zwin_t_zn(test);
	struct zwin_synopts o = { .mss = 1440, .wscale = 8, .sack = true };
	struct zwin_synopts got;
	struct zwin_tuple t = { .af = AF_INET6 }, u;
	u32 c, tsval = 0;
	int i;

	t.caddr.in6.s6_addr32[0] = htonl(0x20010db8);
	t.caddr.in6.s6_addr32[3] = htonl(2);
	t.vaddr.in6.s6_addr32[0] = htonl(0x20010db8);
	t.vaddr.in6.s6_addr32[3] = htonl(0x100);
	t.cport = htons(42000);
	t.vport = htons(443);
	for (i = 0; i < 2; i++) {
		o.ts = i;
		c = __zwin_cookie_make(zn, &t, 99, &o, &tsval, 7);
		KUNIT_EXPECT_TRUE(test, __zwin_cookie_check(zn, &t, 99, c, o.ts,
							    tsval, &got, 7));
		KUNIT_EXPECT_EQ(test, got.mss, 1440);
		KUNIT_EXPECT_EQ(test, got.wscale, 8);
		u = t;
		u.caddr.in6.s6_addr[9] ^= 0x40;
		KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(zn, &u, 99, c,
							     o.ts, tsval, &got,
							     7));
		u = t;
		u.af = AF_INET;
		KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(zn, &u, 99, c,
							     o.ts, tsval, &got,
							     7));
	}
}

/* A director given the cluster key @hex (zwin_key_parse()'s format). */
static struct zwin_net *zwin_t_zn_key(struct kunit *test, const char *hex)
{
	struct zwin_net *zn = zwin_t_zn(test);
	siphash_key_t k[2];
	int n = zwin_key_parse(hex, k);

	KUNIT_ASSERT_GT(test, n, 0);
	KUNIT_ASSERT_EQ(test, zwin_keys_set(zn, k, n), 0);
	return zn;
}

#define ZWIN_T_CK1 "00112233445566778899aabbccddeeff"
#define ZWIN_T_CK2 "f0e1d2c3b4a5968778695a4b3c2d1e0f"

/*
 * Two directors with one cluster key accept each other's cookies, with
 * different keys they do not, and their timestamp clocks agree.
 */
static void zwin_test_cookie_cluster(struct kunit *test)
{
	struct zwin_net *a = zwin_t_zn_key(test, ZWIN_T_CK1);
	struct zwin_net *b = zwin_t_zn_key(test, ZWIN_T_CK1);
	struct zwin_net *c = zwin_t_zn_key(test, ZWIN_T_CK2);
	struct zwin_net *own = zwin_t_zn(test);
	struct zwin_synopts o = { .mss = 1460, .wscale = 7, .sack = true };
	struct zwin_synopts got;
	struct zwin_tuple t;
	u32 ck, tsval = 0, ta, tb;
	int ts;

	zwin_t_tuple(&t);
	for (ts = 0; ts < 2; ts++) {
		o.ts = ts;
		ck = __zwin_cookie_make(a, &t, 31, &o, &tsval, 400);
		KUNIT_EXPECT_TRUE(test, __zwin_cookie_check(b, &t, 31, ck, o.ts,
							    tsval, &got, 400));
		KUNIT_EXPECT_TRUE(test, __zwin_cookie_check(b, &t, 31, ck, o.ts,
							    tsval, &got, 401));
		KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(c, &t, 31, ck,
							     o.ts, tsval, &got,
							     400));
		KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(own, &t, 31, ck,
							     o.ts, tsval, &got,
							     400));
	}
	/* wall-clock based and keyed alike: equal to within a few ms */
	KUNIT_EXPECT_TRUE(test, a->keys.shared);
	KUNIT_EXPECT_FALSE(test, own->keys.shared);
	KUNIT_EXPECT_EQ(test, a->keys.ts_base, b->keys.ts_base);
	KUNIT_EXPECT_NE(test, a->keys.ts_base, c->keys.ts_base);
	ta = zwin_ts_now(a);
	tb = zwin_ts_now(b);
	KUNIT_EXPECT_LE(test, tb - ta, 50U);
	/* and close to the wall clock in ms, whatever the uptime */
	KUNIT_EXPECT_LE(test, ta - a->keys.ts_base -
			(u32)ktime_to_ms(ktime_get_real()), 50U);
}

/*
 * Clock skew between directors: a cookie made by a peer whose clock is
 * already in the next period is accepted only near the end of the
 * checker's own period (ahead), never earlier, and never two ahead.
 */
static void zwin_test_cookie_skew(struct kunit *test)
{
	struct zwin_net *a = zwin_t_zn_key(test, ZWIN_T_CK1);
	struct zwin_synopts o = { .mss = 1460, .wscale = 7, .sack = true };
	struct zwin_synopts got;
	struct zwin_tuple t;
	unsigned int key;
	u32 ck, tsval = 0;
	int ts;
	bool ahead;

	zwin_t_tuple(&t);
	for (ts = 0; ts < 2; ts++) {
		o.ts = ts;
		ck = __zwin_cookie_make(a, &t, 5, &o, &tsval, 301);
		KUNIT_EXPECT_TRUE(test, zwin_cookie_check_at(a, &t, 5, ck, o.ts,
							     tsval, &got, 300,
							     true, &key));
		KUNIT_EXPECT_FALSE(test, zwin_cookie_check_at(a, &t, 5, ck,
							      o.ts, tsval,
							      &got, 300, false,
							      &key));
		KUNIT_EXPECT_FALSE(test, zwin_cookie_check_at(a, &t, 5, ck,
							      o.ts, tsval,
							      &got, 299, true,
							      &key));
	}
	/* ahead only with a cluster key, and only in a period's last seconds */
	zwin_period(false, &ahead);
	KUNIT_EXPECT_FALSE(test, ahead);
	KUNIT_EXPECT_EQ(test, zwin_period(true, &ahead),
			(u32)(ktime_get_real_seconds() / ZWIN_COOKIE_PERIOD));
	KUNIT_EXPECT_EQ(test, ahead, ktime_get_real_seconds() %
			ZWIN_COOKIE_PERIOD >=
			ZWIN_COOKIE_PERIOD - ZWIN_COOKIE_SKEW);
}

/*
 * Rotation: while "NEW,OLD" is set, cookies made with OLD by a director
 * not yet rotated pass (as the previous key), NEW makes cookies, and once
 * OLD is gone its cookies fail.
 */
static void zwin_test_cookie_rotation(struct kunit *test)
{
	struct zwin_net *old = zwin_t_zn_key(test, ZWIN_T_CK1);
	struct zwin_net *rot = zwin_t_zn_key(test, ZWIN_T_CK2 "," ZWIN_T_CK1);
	struct zwin_net *neu = zwin_t_zn_key(test, ZWIN_T_CK2);
	struct zwin_synopts o = { .mss = 1460, .wscale = 7, .sack = true };
	struct zwin_synopts got;
	struct zwin_tuple t;
	unsigned int key = 9;
	u32 ck, tsval = 0;

	zwin_t_tuple(&t);
	ck = __zwin_cookie_make(old, &t, 77, &o, &tsval, 20);
	KUNIT_EXPECT_TRUE(test, zwin_cookie_check_at(rot, &t, 77, ck, false, 0,
						     &got, 20, false, &key));
	KUNIT_EXPECT_EQ(test, key, 1U);
	KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(neu, &t, 77, ck, false, 0,
						     &got, 20));
	ck = __zwin_cookie_make(rot, &t, 77, &o, &tsval, 20);
	KUNIT_EXPECT_TRUE(test, zwin_cookie_check_at(neu, &t, 77, ck, false, 0,
						     &got, 20, false, &key));
	KUNIT_EXPECT_EQ(test, key, 0U);
	KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(old, &t, 77, ck, false, 0,
						     &got, 20));
	/* the timestamp clock follows the key that makes cookies */
	KUNIT_EXPECT_EQ(test, rot->keys.ts_base, neu->keys.ts_base);
}

/*
 * Random ACKs against one connection: the documented false-accept rates
 * are 2^-22 without timestamps and 2^-32 with them. 2,000,000 tries
 * without timestamps expect 0.48 accepts: more than 5 has probability
 * below 1e-5 at the documented rate (and 0.14 at a 1e-6 rate's
 * neighbourhood of 4e-6). 1,000,000 tries with timestamps expect 0.0002.
 */
static void zwin_test_cookie_false_accept(struct kunit *test)
{
	struct zwin_net *zn = zwin_t_zn(test);
	struct zwin_tuple t4, t6 = { .af = AF_INET6 }, *t;
	unsigned int i, plain = 0, ts = 0;
	struct zwin_synopts got;

	zwin_t_tuple(&t4);
	t6.caddr.in6.s6_addr32[0] = htonl(0x20010db8);
	t6.vaddr.in6.s6_addr32[3] = htonl(0x100);
	t6.cport = htons(1);
	t6.vport = htons(443);
	for (i = 0; i < 2000000; i++) {
		t = (i & 1) ? &t6 : &t4;	/* half IPv4, half IPv6 */
		if (__zwin_cookie_check(zn, t, get_random_u32(),
					get_random_u32(), false, 0, &got, 9))
			plain++;
		if (i < 1000000 &&
		    __zwin_cookie_check(zn, t, get_random_u32(),
					get_random_u32(), true,
					get_random_u32(), &got, 9))
			ts++;
		if (!(i & 0xffff))
			cond_resched();
	}
	kunit_info(test, "false accepts (IPv4 and IPv6): %u of 2000000 without timestamps, %u of 1000000 with\n",
		   plain, ts);
	KUNIT_EXPECT_LE(test, plain, 5U);
	KUNIT_EXPECT_EQ(test, ts, 0U);
}

/*
 * The window scale announced in the SYN-ACK is the one the ACK's check
 * reports, even after zwin_wscale changed in between; the one before the
 * change is tried only for a cookie's lifetime; a client that offered no
 * window scaling was announced none.
 */
static void zwin_test_cookie_wscale(struct kunit *test)
{
	struct zwin_net *zn = zwin_t_zn(test);
	struct zwin_synopts o = { .mss = 1460, .wscale = 8 }, got;
	struct zwin_tuple t;
	u32 c7, c2, cn, tsval = 0;

	zwin_t_tuple(&t);
	zn->sysctl.wscale = 7;
	o.pws = zwin_cookie_wscale(zn);
	KUNIT_EXPECT_EQ(test, o.pws, 7);
	c7 = __zwin_cookie_make(zn, &t, 50, &o, &tsval, 3);

	zn->sysctl.wscale = 2;		/* the operator changes it */
	o.pws = zwin_cookie_wscale(zn);
	KUNIT_EXPECT_EQ(test, o.pws, 2);
	c2 = __zwin_cookie_make(zn, &t, 60, &o, &tsval, 3);
	o.wscale = ZWIN_WSCALE_NONE;
	o.pws = 0;
	cn = __zwin_cookie_make(zn, &t, 70, &o, &tsval, 3);

	KUNIT_ASSERT_TRUE(test, __zwin_cookie_check(zn, &t, 50, c7, false, 0,
						    &got, 3));
	KUNIT_EXPECT_EQ(test, got.pws, 7);
	KUNIT_ASSERT_TRUE(test, __zwin_cookie_check(zn, &t, 60, c2, false, 0,
						    &got, 3));
	KUNIT_EXPECT_EQ(test, got.pws, 2);
	KUNIT_ASSERT_TRUE(test, __zwin_cookie_check(zn, &t, 70, cn, false, 0,
						    &got, 3));
	KUNIT_EXPECT_EQ(test, got.pws, 0);
	KUNIT_EXPECT_EQ(test, got.wscale, ZWIN_WSCALE_NONE);

	/* a cookie's lifetime after the change, the old scale is forgotten */
	zn->ws_changed = jiffies - 131 * HZ;
	KUNIT_EXPECT_FALSE(test, __zwin_cookie_check(zn, &t, 50, c7, false, 0,
						     &got, 3));
	KUNIT_EXPECT_TRUE(test, __zwin_cookie_check(zn, &t, 60, c2, false, 0,
						    &got, 3));
}

static struct kunit_case zwin_cookie_cases[] = {
	KUNIT_CASE(zwin_test_cookie_wscale),
	KUNIT_CASE(zwin_test_cookie_roundtrip),
	KUNIT_CASE(zwin_test_cookie_expiry),
	KUNIT_CASE(zwin_test_cookie_binding),
	KUNIT_CASE(zwin_test_cookie_ipv6),
	KUNIT_CASE(zwin_test_cookie_cluster),
	KUNIT_CASE(zwin_test_cookie_skew),
	KUNIT_CASE(zwin_test_cookie_rotation),
	KUNIT_CASE_SLOW(zwin_test_cookie_false_accept),
	{}
};

static struct kunit_suite zwin_cookie_suite = {
	.name = "ip_vs_zwin_cookie",
	.test_cases = zwin_cookie_cases,
};

kunit_test_suite(zwin_cookie_suite);
