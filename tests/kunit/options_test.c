// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: TCP option parsing on hostile bytes and the options the proxy
 * writes (included by options.c). Every buffer is allocated to its exact
 * length, so KASAN reports any read past it.
 */

#include <kunit/test.h>

struct zwin_opt_case {
	const char *name;
	u8 len;
	u8 bytes[40];
	u16 mss;
	u8 wscale;
	bool sack;
	bool ts;
	u32 tsval;
};

#define NONE ZWIN_WSCALE_NONE

static const struct zwin_opt_case zwin_opt_cases[] = {
	{ "empty", 0, {}, 0, NONE },
	{ "EOL", 1, { 0 }, 0, NONE },
	{ "NOPs", 3, { 1, 1, 1 }, 0, NONE },
	{ "MSS", 4, { 2, 4, 5, 0xb4 }, 1460, NONE },
	{ "all of Linux's SYN", 20,
	  { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 1, 3, 3, 7 },
	  1460, 7, true, true, 9 },
	{ "MSS with length 3", 4, { 2, 3, 5, 0xb4 }, 0, NONE },
	{ "length 0 stops", 8, { 2, 0, 2, 4, 5, 0xb4, 0, 0 }, 0, NONE },
	{ "length 1 stops", 6, { 3, 1, 2, 4, 5, 0xb4 }, 0, NONE },
	{ "length 255 stops", 6, { 2, 4, 5, 0xb4, 8, 255 }, 1460, NONE },
	{ "kind in the last byte", 5, { 2, 4, 5, 0xb4, 3 }, 1460, NONE },
	{ "option past the end", 6, { 1, 1, 8, 10, 0, 0 }, 0, NONE },
	{ "window scale 200 clamps", 3, { 3, 3, 200 }, 0, 14 },
	{ "after EOL ignored", 5, { 0, 2, 4, 5, 0xb4 }, 0, NONE },
	{ "unknown options skipped", 10,
	  { 30, 4, 1, 2, 4, 2, 254, 3, 9, 1 }, 0, NONE, true },
	{ "timestamp of wrong length", 9,
	  { 8, 9, 1, 2, 3, 4, 5, 6, 7 }, 0, NONE },
};

#undef NONE

static void zwin_opt_desc(const struct zwin_opt_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zwin_opt, zwin_opt_cases, zwin_opt_desc);

static void zwin_test_parse(struct kunit *test)
{
	const struct zwin_opt_case *c = test->param_value;
	u8 *buf = kunit_kmalloc(test, c->len ? c->len : 1, GFP_KERNEL);
	struct zwin_tcpopts o;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, c->bytes, c->len);
	zwin_parse_opts(buf, c->len, &o);
	KUNIT_EXPECT_EQ(test, o.mss, c->mss);
	KUNIT_EXPECT_EQ(test, o.wscale, c->wscale);
	KUNIT_EXPECT_EQ(test, o.sack_ok, c->sack);
	KUNIT_EXPECT_EQ(test, o.ts, c->ts);
	if (c->ts)
		KUNIT_EXPECT_EQ(test, o.tsval, c->tsval);
}

/* Random bytes of every length: never a read past the end. */
static void zwin_test_parse_random(struct kunit *test)
{
	struct zwin_tcpopts o;
	unsigned int len, i;
	u8 *buf;

	for (i = 0; i < 20000; i++) {
		len = i % 41;
		buf = kmalloc(len ? len : 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		get_random_bytes(buf, len);
		zwin_parse_opts(buf, len, &o);
		KUNIT_EXPECT_LE(test, o.wscale, ZWIN_WSCALE_NONE);
		kfree(buf);
	}
}

/* What the proxy writes parses back to what it meant. */
static void zwin_test_synack_opts(struct kunit *test)
{
	struct zwin_synopts o;
	struct zwin_tcpopts got;
	unsigned int bits, len;
	u8 buf[MAX_TCP_OPTION_SPACE];

	for (bits = 0; bits < 8; bits++) {
		o.mss = 1400 + bits;
		o.wscale = (bits & 4) ? 9 : ZWIN_WSCALE_NONE;
		o.sack = bits & 1;
		o.ts = bits & 2;
		o.ecn = false;
		len = zwin_synack_opts(buf, &o, 0x11223344, 0x55667788);
		KUNIT_EXPECT_EQ(test, len % 4, 0U);
		KUNIT_EXPECT_LE(test, len, 20U);
		zwin_parse_opts(buf, len, &got);
		KUNIT_EXPECT_EQ(test, got.mss, o.mss);
		KUNIT_EXPECT_EQ(test, got.wscale, o.wscale);
		KUNIT_EXPECT_EQ(test, got.sack_ok, o.sack);
		KUNIT_EXPECT_EQ(test, got.ts, o.ts);
		if (o.ts) {
			KUNIT_EXPECT_EQ(test, got.tsval, 0x11223344U);
			KUNIT_EXPECT_EQ(test, got.tsecr, 0x55667788U);
		}
	}
}

static struct kunit_case zwin_options_cases[] = {
	KUNIT_CASE_PARAM(zwin_test_parse, zwin_opt_gen_params),
	KUNIT_CASE(zwin_test_parse_random),
	KUNIT_CASE(zwin_test_synack_opts),
	{}
};

static struct kunit_suite zwin_options_suite = {
	.name = "ip_vs_zwin_options",
	.test_cases = zwin_options_cases,
};

kunit_test_suite(zwin_options_suite);
