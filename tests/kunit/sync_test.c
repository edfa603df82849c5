// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: failover records (included by sync.c): a round trip, every word,
 * address and port bound by the MAC, the previous cluster key accepted,
 * another key and unknown versions refused.
 */

#include <kunit/test.h>

#define ZWIN_T_SK1 "00112233445566778899aabbccddeeff"
#define ZWIN_T_SK2 "ffeeddccbbaa99887766554433221100"

static struct zwin_net *zwin_t_sync_zn(struct kunit *test, const char *key)
{
	struct zwin_net *zn = kunit_kzalloc(test, sizeof(*zn), GFP_KERNEL);
	siphash_key_t k[2];
	int n;

	KUNIT_ASSERT_NOT_NULL(test, zn);
	zwin_keys_init(zn);
	if (key) {
		n = zwin_key_parse(key, k);
		KUNIT_ASSERT_GT(test, n, 0);
		KUNIT_ASSERT_EQ(test, zwin_keys_set(zn, k, n), 0);
	}
	return zn;
}

static void zwin_t_sync_tuple(struct zwin_tuple *t, union nf_inet_addr *d,
			      u8 af)
{
	memset(t, 0, sizeof(*t));
	memset(d, 0, sizeof(*d));
	t->af = af;
	if (af == AF_INET) {
		t->caddr.ip = htonl(0xc0000202);
		t->vaddr.ip = htonl(0xc0000264);
		d->ip = htonl(0xc6336402);
	} else {
		t->caddr.in6.s6_addr32[0] = htonl(0x20010db8);
		t->caddr.in6.s6_addr32[3] = htonl(2);
		t->vaddr.in6.s6_addr32[0] = htonl(0x20010db8);
		t->vaddr.in6.s6_addr32[3] = htonl(0x100);
		d->in6.s6_addr32[0] = htonl(0x20010db8);
		d->in6.s6_addr32[3] = htonl(0x202);
	}
	t->cport = htons(40000);
	t->vport = htons(80);
}

/* Signs @w[0..3] again with @zn's current record key. */
static void zwin_t_resign(struct zwin_net *zn, u32 *w,
			  const struct zwin_tuple *t,
			  const union nf_inet_addr *d, __be16 dport)
{
	u64 mac = zwin_record_mac(&zn->keys.record[0], w, t, d, dport);

	w[4] = upper_32_bits(mac);
	w[5] = lower_32_bits(mac);
}

/* Encoded by one director, read back by another with the same key. */
static void zwin_test_record_roundtrip(struct kunit *test)
{
	struct zwin_net *a = zwin_t_sync_zn(test, ZWIN_T_SK1);
	struct zwin_net *b = zwin_t_sync_zn(test, ZWIN_T_SK1);
	struct zwin_record r = {
		.delta = 0x89abcdef, .tsoff = 0xfffff000,
		.info = 7 << ZWIN_RI_SWS_SHIFT | 9 << ZWIN_RI_PWS_SHIFT |
			ZWIN_RI_TS,
		.client_isn = 0x01020304,
	}, got;
	union nf_inet_addr d;
	struct zwin_tuple t;
	u32 w[ZWIN_RECORD_WORDS];
	__be16 dport = htons(8080);
	int i;

	for (i = 0; i < 2; i++) {
		zwin_t_sync_tuple(&t, &d, i ? AF_INET6 : AF_INET);
		zwin_record_encode(a, &r, &t, &d, dport, w);
		KUNIT_EXPECT_EQ(test, w[0], r.delta);
		KUNIT_EXPECT_EQ(test, w[1], r.tsoff);
		KUNIT_EXPECT_EQ(test, w[3], r.client_isn);
		KUNIT_EXPECT_EQ(test, w[2] & ZWIN_RI_VERSION_MASK,
				ZWIN_RI_VERSION);
		memset(&got, 0, sizeof(got));
		KUNIT_ASSERT_TRUE(test, zwin_record_decode(b, w, &t, &d, dport,
							   &got));
		KUNIT_EXPECT_EQ(test, got.delta, r.delta);
		KUNIT_EXPECT_EQ(test, got.tsoff, r.tsoff);
		KUNIT_EXPECT_EQ(test, got.info & ~ZWIN_RI_VERSION_MASK, r.info);
		KUNIT_EXPECT_EQ(test, got.client_isn, r.client_isn);
		KUNIT_EXPECT_EQ(test, got.mac, (u64)w[4] << 32 | w[5]);
	}
}

/*
 * Any bit of any word, any address or port, the family: refused. So is a
 * record under another key, or a version this module does not know.
 */
static void zwin_test_record_binding(struct kunit *test)
{
	struct zwin_net *a = zwin_t_sync_zn(test, ZWIN_T_SK1);
	struct zwin_net *other = zwin_t_sync_zn(test, ZWIN_T_SK2);
	struct zwin_net *own = zwin_t_sync_zn(test, NULL);
	struct zwin_record r = { .delta = 5, .tsoff = 6, .info = 0x17,
				 .client_isn = 8 }, got;
	union nf_inet_addr d, e;
	struct zwin_tuple t, u;
	u32 w[ZWIN_RECORD_WORDS], x[ZWIN_RECORD_WORDS];
	__be16 dport = htons(80);
	unsigned int i, bit;

	zwin_t_sync_tuple(&t, &d, AF_INET);
	zwin_record_encode(a, &r, &t, &d, dport, w);
	KUNIT_ASSERT_TRUE(test, zwin_record_decode(a, w, &t, &d, dport, &got));
	for (i = 0; i < ZWIN_RECORD_WORDS; i++)
		for (bit = 0; bit < 32; bit += 7) {
			memcpy(x, w, sizeof(x));
			x[i] ^= BIT(bit);
			KUNIT_EXPECT_FALSE_MSG(test, zwin_record_decode(a, x, &t,
									&d,
									dport,
									&got),
					       "word %u bit %u", i, bit);
		}
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(a, w, &t, &d,
						    htons(81), &got));
	e = d;
	e.ip ^= htonl(1);
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(a, w, &t, &e, dport, &got));
	u = t;
	u.cport = htons(40001);
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(a, w, &u, &d, dport, &got));
	u = t;
	u.caddr.ip ^= htonl(0x100);
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(a, w, &u, &d, dport, &got));
	u = t;
	u.vport = htons(443);
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(a, w, &u, &d, dport, &got));
	u = t;
	u.af = AF_INET6;
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(a, w, &u, &d, dport, &got));
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(other, w, &t, &d, dport,
						    &got));
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(own, w, &t, &d, dport,
						    &got));
	/* a zeroed record (IPVS's default in_seq/out_seq) */
	memset(x, 0, sizeof(x));
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(a, x, &t, &d, dport, &got));
	/* another version, signed correctly, is still refused */
	memcpy(x, w, sizeof(x));
	x[2] = (x[2] & ~ZWIN_RI_VERSION_MASK) | 2U << 24;
	zwin_t_resign(a, x, &t, &d, dport);
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(a, x, &t, &d, dport, &got));
	/* ... while the same re-signing of the real one passes */
	memcpy(x, w, sizeof(x));
	zwin_t_resign(a, x, &t, &d, dport);
	KUNIT_EXPECT_TRUE(test, zwin_record_decode(a, x, &t, &d, dport, &got));
}

/* During a rotation records of the previous key still pass, then fail. */
static void zwin_test_record_rotation(struct kunit *test)
{
	struct zwin_net *old = zwin_t_sync_zn(test, ZWIN_T_SK1);
	struct zwin_net *rot = zwin_t_sync_zn(test, ZWIN_T_SK2 "," ZWIN_T_SK1);
	struct zwin_net *neu = zwin_t_sync_zn(test, ZWIN_T_SK2);
	struct zwin_record r = { .delta = 1, .client_isn = 2 }, got;
	union nf_inet_addr d;
	struct zwin_tuple t;
	u32 w[ZWIN_RECORD_WORDS];

	zwin_t_sync_tuple(&t, &d, AF_INET6);
	zwin_record_encode(old, &r, &t, &d, htons(80), w);
	KUNIT_EXPECT_TRUE(test, zwin_record_decode(rot, w, &t, &d, htons(80),
						   &got));
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(neu, w, &t, &d, htons(80),
						    &got));
	zwin_record_encode(rot, &r, &t, &d, htons(80), w);
	KUNIT_EXPECT_TRUE(test, zwin_record_decode(neu, w, &t, &d, htons(80),
						   &got));
	KUNIT_EXPECT_FALSE(test, zwin_record_decode(old, w, &t, &d, htons(80),
						    &got));
}

static struct kunit_case zwin_sync_cases[] = {
	KUNIT_CASE(zwin_test_record_roundtrip),
	KUNIT_CASE(zwin_test_record_binding),
	KUNIT_CASE(zwin_test_record_rotation),
	{}
};

static struct kunit_suite zwin_sync_suite = {
	.name = "ip_vs_zwin_sync",
	.test_cases = zwin_sync_cases,
};

kunit_test_suite(zwin_sync_suite);
