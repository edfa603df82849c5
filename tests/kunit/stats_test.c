// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: counters and the /proc/net/stat/ip_vs_zwin format (included by
 * stats.c).
 */

#include <kunit/test.h>
#include <linux/seq_file.h>
#include <linux/string.h>

/* Every counter has a distinct one-word name. */
static void zwin_test_stat_names(struct kunit *test)
{
	int i, j;

	for (i = 0; i < ZWIN_STAT_MAX; i++) {
		KUNIT_ASSERT_NOT_NULL(test, zwin_stat_names[i]);
		KUNIT_EXPECT_GT(test, strlen(zwin_stat_names[i]), 0);
		KUNIT_EXPECT_NULL(test, strpbrk(zwin_stat_names[i], " \t\n"));
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, zwin_stat_names[i],
					    zwin_stat_names[j]);
	}
}

/* Increments on any cpu show up in the sum, and only in their counter. */
static void zwin_test_stat_sum(struct kunit *test)
{
	struct zwin_net *zn = zwin_pernet(&init_net);
	unsigned long before[ZWIN_STAT_MAX];
	int i, cpu;

	for (i = 0; i < ZWIN_STAT_MAX; i++)
		before[i] = zwin_stat_sum(zn, i);

	for_each_possible_cpu(cpu)
		per_cpu_ptr(zn->stats, cpu)->cnt[ZWIN_STAT_SYN_NONAT] += 3;
	preempt_disable();
	zwin_stat_inc(zn, ZWIN_STAT_SYN_NONAT);
	preempt_enable();

	for (i = 0; i < ZWIN_STAT_MAX; i++)
		KUNIT_EXPECT_EQ(test, zwin_stat_sum(zn, i) - before[i],
				i == ZWIN_STAT_SYN_NONAT ?
				3UL * num_possible_cpus() + 1 : 0UL);

	for_each_possible_cpu(cpu)
		per_cpu_ptr(zn->stats, cpu)->cnt[ZWIN_STAT_SYN_NONAT] -= 3;
	preempt_disable();
	this_cpu_dec(zn->stats->cnt[ZWIN_STAT_SYN_NONAT]);
	preempt_enable();
}

/* Reads the whole file @f through the seq_operations, as procfs does. */
static char *zwin_read_proc(struct kunit *test, struct net *net,
			    const struct zwin_stat_file *f)
{
	struct seq_net_private snp = { .net = net };
	struct seq_file m = {};
	loff_t pos = 0;
	void *v;

	m.size = PAGE_SIZE;
	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	m.private = &snp;
	for (v = zwin_seq_start(&m, &pos); v; v = zwin_seq_next(&m, v, &pos))
		KUNIT_ASSERT_EQ(test, zwin_seq_show_file(&m, v, f), 0);
	zwin_seq_stop(&m, NULL);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	m.buf[m.count] = '\0';
	return m.buf;
}

/*
 * Each file: a header of names, then one row per possible cpu: the
 * entries gauge and eight-digit hex fields whose column sums are the
 * counters; every counter in exactly one file, in enum order, and no
 * file wider than lnstat reads.
 */
static void zwin_test_proc_format(struct kunit *test)
{
	struct zwin_net *zn = zwin_pernet(&init_net);
	unsigned long sum[ZWIN_STAT_MAX] = {};
	unsigned int f, i, next = 0;
	char *buf, *line, *field;
	int rows;

	preempt_disable();
	zwin_stat_inc(zn, ZWIN_STAT_SYN_PLAIN);
	zwin_stat_inc(zn, ZWIN_STAT_MAX - 1);
	preempt_enable();
	for (f = 0; f < ARRAY_SIZE(zwin_stat_files); f++) {
		const struct zwin_stat_file *sf = &zwin_stat_files[f];

		KUNIT_EXPECT_EQ(test, sf->first, next);
		KUNIT_EXPECT_GT(test, sf->end, sf->first);
		KUNIT_EXPECT_LE(test, 1 + sf->end - sf->first, 32);
		next = sf->end;
		buf = zwin_read_proc(test, &init_net, sf);
		line = strsep(&buf, "\n");
		field = strsep(&line, " ");
		KUNIT_EXPECT_STREQ(test, field, "entries");
		for (i = sf->first; i < sf->end; i++) {
			field = strsep(&line, " ");
			KUNIT_ASSERT_NOT_NULL(test, field);
			KUNIT_EXPECT_STREQ(test, field, zwin_stat_names[i]);
		}
		KUNIT_EXPECT_NULL(test, line);

		rows = 0;
		while ((line = strsep(&buf, "\n")) && *line) {
			unsigned long entries;

			field = strsep(&line, " ");
			KUNIT_ASSERT_NOT_NULL(test, field);
			KUNIT_ASSERT_EQ(test, kstrtoul(field, 16, &entries), 0);
			KUNIT_EXPECT_EQ(test, entries,
					(unsigned long)atomic_read(&zn->conn_count));
			for (i = sf->first; i < sf->end; i++) {
				unsigned long v;

				field = strsep(&line, " ");
				KUNIT_ASSERT_NOT_NULL(test, field);
				KUNIT_EXPECT_GE(test, strlen(field), 8);
				KUNIT_ASSERT_EQ(test,
						kstrtoul(field, 16, &v), 0);
				sum[i] += v;
			}
			KUNIT_EXPECT_NULL(test, line);
			rows++;
		}
		KUNIT_EXPECT_EQ(test, rows, num_possible_cpus());
	}
	KUNIT_EXPECT_EQ(test, next, ZWIN_STAT_MAX);
	for (i = 0; i < ZWIN_STAT_MAX; i++)
		KUNIT_EXPECT_EQ(test, sum[i], zwin_stat_sum(zn, i));
	KUNIT_EXPECT_GT(test, sum[ZWIN_STAT_SYN_PLAIN], 0);
	KUNIT_EXPECT_GT(test, sum[ZWIN_STAT_MAX - 1], 0);
}

/*
 * The headers, as Documentation/admin-guide.rst documents the counters
 * (tests/tools/test_docs.py checks that this list and the guide's name
 * the same counters), in the order of the columns: "entries" and the
 * counters of /proc/net/stat/ip_vs_zwin, then those of ip_vs_zwin_cluster
 * and of ip_vs_zwin_xmit (each starts with "entries" too).
 */
static const char *const zwin_t_documented[] = {
	"entries", "syn_seen", "syn_plain", "syn_zwin", "syn_nodest",
	"syn_nonat", "syn_disabled", "synack_sent", "cookie_valid",
	"cookie_invalid", "conn_full", "pending_full", "aborted", "server_syn",
	"server_retry", "server_timeout", "server_refused", "established",
	"window_open", "to_server", "to_client", "early_drop", "xmit_fail",
	"syn_invalid", "syn_existing", "ipvs_conn", "ack_storm", "orphaned",
	"rst_ignored", "icmp_xlate", "gro_list", "gro_list_fail",
	"cookie_prev", "sync_record", "sync_adopted", "sync_invalid",
	"ack_reuse", "synack_direct", "direct_fallback",
};

/* where ip_vs_zwin_cluster's, ip_vs_zwin_xmit's counters start in it */
#define ZWIN_T_CLUSTER	32
#define ZWIN_T_XMIT	37

static void zwin_t_expect_header(struct kunit *test, unsigned int f,
				 unsigned int first, unsigned int end)
{
	char *buf = zwin_read_proc(test, &init_net, &zwin_stat_files[f]);
	char *line = strsep(&buf, "\n");
	unsigned int i;

	KUNIT_EXPECT_STREQ(test, strsep(&line, " "), "entries");
	for (i = first; i < end; i++)
		KUNIT_EXPECT_STREQ(test, strsep(&line, " "),
				   zwin_t_documented[i]);
	KUNIT_EXPECT_NULL(test, line);
}

static void zwin_test_proc_header(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(zwin_stat_files), 3);
	KUNIT_EXPECT_STREQ(test, zwin_stat_files[0].name, "ip_vs_zwin");
	KUNIT_EXPECT_STREQ(test, zwin_stat_files[1].name,
			   "ip_vs_zwin_cluster");
	KUNIT_EXPECT_STREQ(test, zwin_stat_files[2].name, "ip_vs_zwin_xmit");
	zwin_t_expect_header(test, 0, 1, ZWIN_T_CLUSTER);
	zwin_t_expect_header(test, 1, ZWIN_T_CLUSTER, ZWIN_T_XMIT);
	zwin_t_expect_header(test, 2, ZWIN_T_XMIT,
			     ARRAY_SIZE(zwin_t_documented));
}

static struct kunit_case zwin_stats_cases[] = {
	KUNIT_CASE(zwin_test_stat_names),
	KUNIT_CASE(zwin_test_proc_header),
	KUNIT_CASE(zwin_test_stat_sum),
	KUNIT_CASE(zwin_test_proc_format),
	{}
};

static struct kunit_suite zwin_stats_suite = {
	.name = "ip_vs_zwin_stats",
	.test_cases = zwin_stats_cases,
};

kunit_test_suite(zwin_stats_suite);
