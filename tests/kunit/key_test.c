// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the cluster key's text format, its write-only sysctl and the
 * fingerprint (included by key.c).
 */

#include <kunit/test.h>

#define ZWIN_T_K1 "0123456789abcdef0011223344556677"
#define ZWIN_T_K2 "fedcba98-76543210-8899aabb-ccddeeff"

static void zwin_test_key_parse(struct kunit *test)
{
	static const char *const bad[] = {
		"", "0123", ZWIN_T_K1 "0", "0123456789abcdef001122334455667",
		"0123456789abcdef00112233445566zz",
		"00000000-00000000-00000000-00000000",	/* all zero */
		ZWIN_T_K1 ",", "," ZWIN_T_K1, ZWIN_T_K1 "," ZWIN_T_K2 "," ZWIN_T_K1,
		"random,", "Random",
	};
	siphash_key_t k[2];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, zwin_key_parse(ZWIN_T_K1 "\n", k), 1);
	KUNIT_EXPECT_EQ(test, k[0].key[0], 0x0123456789abcdefULL);
	KUNIT_EXPECT_EQ(test, k[0].key[1], 0x0011223344556677ULL);
	KUNIT_EXPECT_EQ(test, zwin_key_parse("  " ZWIN_T_K2 "," ZWIN_T_K1, k),
			2);
	KUNIT_EXPECT_EQ(test, k[0].key[0], 0xfedcba9876543210ULL);
	KUNIT_EXPECT_EQ(test, k[0].key[1], 0x8899aabbccddeeffULL);
	KUNIT_EXPECT_EQ(test, k[1].key[0], 0x0123456789abcdefULL);
	KUNIT_EXPECT_EQ(test, zwin_key_parse("random\n", k), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, zwin_key_parse(bad[i], k), -EINVAL,
				    "'%s'", bad[i]);
}

static struct ctl_table *zwin_t_key_entry(struct zwin_net *zn,
					  const char *name)
{
	unsigned int i;

	for (i = 0; zn->sysctl_tbl[i].procname; i++)
		if (!strcmp(zn->sysctl_tbl[i].procname, name))
			return &zn->sysctl_tbl[i];
	return NULL;
}

/* Writes @text through @t's handler; returns its result. */
static int zwin_t_key_write(struct ctl_table *t, const char *text)
{
	char buf[ZWIN_KEY_TEXT_MAX];
	size_t len = strscpy(buf, text, sizeof(buf));
	loff_t pos = 0;

	return t->proc_handler(t, 1, buf, &len, &pos);
}

/* Reads @t through its handler into @buf; returns its result. */
static int zwin_t_key_read(struct ctl_table *t, char *buf, size_t size)
{
	size_t len = size - 1;
	loff_t pos = 0;
	int err;

	memset(buf, 0, size);
	err = t->proc_handler(t, 0, buf, &len, &pos);
	buf[len] = 0;
	return err;
}

/*
 * The key is write-only (mode and handler), a bad write changes nothing,
 * the fingerprint follows the keys and "random" goes back.
 */
static void zwin_test_key_sysctl(struct kunit *test)
{
	struct zwin_net *zn = zwin_pernet(&init_net);
	struct ctl_table *key = zwin_t_key_entry(zn, "zwin_cookie_key");
	struct ctl_table *fp = zwin_t_key_entry(zn, "zwin_cookie_key_fp");
	char buf[64], one[16];
	siphash_key_t k[2];

	KUNIT_ASSERT_NOT_NULL(test, key);
	KUNIT_ASSERT_NOT_NULL(test, fp);
	KUNIT_EXPECT_EQ(test, key->mode, 0200);
	KUNIT_EXPECT_EQ(test, fp->mode, 0444);
	KUNIT_EXPECT_EQ(test, zwin_t_key_read(key, buf, sizeof(buf)), -EPERM);
	KUNIT_EXPECT_EQ(test, zwin_t_key_read(fp, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, buf, "random\n");

	KUNIT_ASSERT_EQ(test, zwin_t_key_write(key, ZWIN_T_K1 "\n"), 0);
	KUNIT_EXPECT_TRUE(test, zn->keys.shared);
	KUNIT_EXPECT_EQ(test, zn->keys.n, 1);
	zwin_key_parse(ZWIN_T_K1, k);
	KUNIT_EXPECT_EQ(test, zn->keys.cookie[0].key[0], k[0].key[0]);
	KUNIT_EXPECT_EQ(test, zwin_t_key_read(fp, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, strlen(buf), 9);
	/* neither half of the key shows in its fingerprint */
	KUNIT_EXPECT_FALSE(test, strstr(ZWIN_T_K1, strim(buf)));
	strscpy(one, buf, sizeof(one));

	KUNIT_EXPECT_EQ(test, zwin_t_key_write(key, "nonsense"), -EINVAL);
	KUNIT_EXPECT_EQ(test, zn->keys.cookie[0].key[0], k[0].key[0]);

	/* rotation: the new key first, the old one's fingerprint second */
	KUNIT_ASSERT_EQ(test, zwin_t_key_write(key, ZWIN_T_K2 "," ZWIN_T_K1),
			0);
	KUNIT_EXPECT_EQ(test, zn->keys.n, 2);
	KUNIT_EXPECT_EQ(test, zwin_t_key_read(fp, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, strlen(buf), 18);
	KUNIT_EXPECT_STREQ(test, strim(buf + 9), one);

	KUNIT_ASSERT_EQ(test, zwin_t_key_write(key, "random"), 0);
	KUNIT_EXPECT_FALSE(test, zn->keys.shared);
	KUNIT_EXPECT_EQ(test, zn->keys.n, 1);
	KUNIT_EXPECT_NE(test, zn->keys.cookie[0].key[0], k[0].key[0]);
	KUNIT_EXPECT_EQ(test, zwin_t_key_read(fp, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, buf, "random\n");
}

static struct kunit_case zwin_key_cases[] = {
	KUNIT_CASE(zwin_test_key_parse),
	KUNIT_CASE(zwin_test_key_sysctl),
	{}
};

static struct kunit_suite zwin_key_suite = {
	.name = "ip_vs_zwin_key",
	.test_cases = zwin_key_cases,
};

kunit_test_suite(zwin_key_suite);
