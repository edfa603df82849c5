// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the net.ipv4.vs.zwin_* sysctls (included by sysctl.c). Each one
 * of init_net's table writes its own namespace's setting, starts at the
 * documented default, and through the handler /proc/sys uses accepts its
 * documented range and refuses the values just outside it, unchanged.
 */

#include <kunit/test.h>

/* As Documentation/admin-guide.rst gives them (tests/tools checks it). */
static const struct {
	const char *name;
	int def, min, max;
} zwin_t_sysctls[] = {
	{ "zwin_enable", 1, 0, 2 },
	{ "zwin_mss", 1460, 536, 65535 },
	{ "zwin_wscale", 7, 0, 14 },
	{ "zwin_sack", 1, 0, 1 },
	{ "zwin_timestamps", 1, 0, 1 },
	{ "zwin_syn_retries", 3, 0, 10 },
	{ "zwin_syn_timeout_ms", 1000, 100, 60000 },
	{ "zwin_max_conns", 262144, 0, INT_MAX },
	{ "zwin_max_pending", 4096, 0, INT_MAX },
	{ "zwin_ack_storm", 1000, 0, 60000 },
	{ "zwin_synack_direct", 1, 0, 1 },
};

/* Writes @val as text through @t's handler, as a write to /proc/sys. */
static int zwin_t_sysctl_write(struct ctl_table *t, long long val)
{
	char buf[24];
	size_t len;
	loff_t pos = 0;

	len = scnprintf(buf, sizeof(buf), "%lld\n", val);
	return t->proc_handler(t, 1, buf, &len, &pos);
}

static struct ctl_table *zwin_t_sysctl_find(struct zwin_net *zn,
					    const char *name)
{
	unsigned int i;

	for (i = 0; i < ZWIN_SYSCTL_COUNT; i++)
		if (!strcmp(zn->sysctl_tbl[i].procname, name))
			return &zn->sysctl_tbl[i];
	return NULL;
}

/* Every entry is documented, and points into this namespace's settings. */
static void zwin_test_sysctl_table(struct kunit *test)
{
	struct zwin_net *zn = zwin_pernet(&init_net);
	const char *lo = (const char *)&zn->sysctl;
	struct ctl_table *t;
	unsigned int i;

	/* and the two key entries (key_test.c) */
	KUNIT_EXPECT_EQ(test, ZWIN_SYSCTL_COUNT,
			ARRAY_SIZE(zwin_t_sysctls) + 2);
	for (i = 0; i < ARRAY_SIZE(zwin_t_sysctls); i++) {
		t = zwin_t_sysctl_find(zn, zwin_t_sysctls[i].name);
		KUNIT_ASSERT_NOT_NULL_MSG(test, t, "%s", zwin_t_sysctls[i].name);
		KUNIT_EXPECT_EQ(test, t->mode, 0644);
		KUNIT_EXPECT_TRUE(test, t->proc_handler == proc_dointvec_minmax);
		/* unsigned: an address below the settings wraps to a large one */
		KUNIT_EXPECT_LE(test, (uintptr_t)t->data - (uintptr_t)lo +
				sizeof(int), sizeof(zn->sysctl));
	}
}

/* The defaults, in a namespace's table as in the template. */
static void zwin_test_sysctl_defaults(struct kunit *test)
{
	struct zwin_net *zn = zwin_pernet(&init_net);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(zwin_t_sysctls); i++) {
		struct ctl_table *t = zwin_t_sysctl_find(zn,
							 zwin_t_sysctls[i].name);
		const struct zwin_sysctl *d = &zwin_sysctl_defaults;

		KUNIT_ASSERT_NOT_NULL(test, t);
		/* the same field of the defaults */
		KUNIT_EXPECT_EQ_MSG(test, *(const int *)((const char *)d +
				    ((const char *)t->data -
				     (const char *)&zn->sysctl)),
				    zwin_t_sysctls[i].def, "%s",
				    zwin_t_sysctls[i].name);
	}
}

/* The range through the handler; out of it -EINVAL, value unchanged. */
static void zwin_test_sysctl_ranges(struct kunit *test)
{
	struct zwin_net *zn = zwin_pernet(&init_net);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(zwin_t_sysctls); i++) {
		const char *name = zwin_t_sysctls[i].name;
		struct ctl_table *t = zwin_t_sysctl_find(zn, name);
		long long lo = zwin_t_sysctls[i].min, hi = zwin_t_sysctls[i].max;
		int *v, old;

		KUNIT_ASSERT_NOT_NULL(test, t);
		v = t->data;
		old = *v;
		KUNIT_EXPECT_EQ_MSG(test, zwin_t_sysctl_write(t, lo - 1), -EINVAL,
				    "%s", name);
		KUNIT_EXPECT_EQ_MSG(test, *v, old, "%s", name);
		KUNIT_EXPECT_EQ_MSG(test, zwin_t_sysctl_write(t, hi + 1), -EINVAL,
				    "%s", name);
		KUNIT_EXPECT_EQ_MSG(test, *v, old, "%s", name);
		KUNIT_EXPECT_EQ_MSG(test, zwin_t_sysctl_write(t, lo), 0, "%s",
				    name);
		KUNIT_EXPECT_EQ_MSG(test, *v, (int)lo, "%s", name);
		KUNIT_EXPECT_EQ_MSG(test, zwin_t_sysctl_write(t, hi), 0, "%s",
				    name);
		KUNIT_EXPECT_EQ_MSG(test, *v, (int)hi, "%s", name);
		*v = old;
	}
}

static struct kunit_case zwin_sysctl_cases[] = {
	KUNIT_CASE(zwin_test_sysctl_table),
	KUNIT_CASE(zwin_test_sysctl_defaults),
	KUNIT_CASE(zwin_test_sysctl_ranges),
	{}
};

static struct kunit_suite zwin_sysctl_suite = {
	.name = "ip_vs_zwin_sysctl",
	.test_cases = zwin_sysctl_cases,
};

kunit_test_suite(zwin_sysctl_suite);
