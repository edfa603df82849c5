// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: per-cpu counters, shown per network namespace in
 * /proc/net/stat/ip_vs_zwin like /proc/net/stat/synproxy: a header line of
 * counter names, then one line per possible cpu of hexadecimal values (the
 * format lnstat reads). The first column, "entries", is the number of
 * proxied connections, repeated on every line as conntrack does.
 *
 * lnstat reads at most 32 columns of a file and shows nothing of a file
 * with more, so the counters are spread over files of at most 32 columns
 * each: ip_vs_zwin, then ip_vs_zwin_cluster for those of several
 * directors working together (key rotation, failover), then ip_vs_zwin_xmit
 * for the way SYN-ACKs leave (direct.c). Each file starts with "entries".
 */

#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "zwin.h"

/* lnstat's limit (LNSTAT_MAX_FIELDS_PER_LINE in iproute2) */
#define ZWIN_PROC_MAX_COLUMNS	32

/* The proc files and their counters: [first, end) of enum zwin_stat. */
struct zwin_stat_file {
	const char	*name;
	unsigned int	first;
	unsigned int	end;
};

static const struct zwin_stat_file zwin_stat_files[] = {
	{ "ip_vs_zwin", 0, ZWIN_STAT_COOKIE_PREV },
	{ "ip_vs_zwin_cluster", ZWIN_STAT_COOKIE_PREV, ZWIN_STAT_SYNACK_DIRECT },
	{ "ip_vs_zwin_xmit", ZWIN_STAT_SYNACK_DIRECT, ZWIN_STAT_MAX },
};

/* "entries" and the counters of each file fit lnstat; every counter shown */
static_assert(1 + ZWIN_STAT_COOKIE_PREV <= ZWIN_PROC_MAX_COLUMNS);
static_assert(1 + ZWIN_STAT_SYNACK_DIRECT - ZWIN_STAT_COOKIE_PREV <=
	      ZWIN_PROC_MAX_COLUMNS);
static_assert(1 + ZWIN_STAT_MAX - ZWIN_STAT_SYNACK_DIRECT <=
	      ZWIN_PROC_MAX_COLUMNS);

const char *const zwin_stat_names[ZWIN_STAT_MAX] = {
	[ZWIN_STAT_SYN_SEEN]		= "syn_seen",
	[ZWIN_STAT_SYN_PLAIN]		= "syn_plain",
	[ZWIN_STAT_SYN_ZWIN]		= "syn_zwin",
	[ZWIN_STAT_SYN_NODEST]		= "syn_nodest",
	[ZWIN_STAT_SYN_NONAT]		= "syn_nonat",
	[ZWIN_STAT_SYN_DISABLED]	= "syn_disabled",
	[ZWIN_STAT_SYNACK_SENT]		= "synack_sent",
	[ZWIN_STAT_COOKIE_VALID]	= "cookie_valid",
	[ZWIN_STAT_COOKIE_INVALID]	= "cookie_invalid",
	[ZWIN_STAT_CONN_FULL]		= "conn_full",
	[ZWIN_STAT_PENDING_FULL]	= "pending_full",
	[ZWIN_STAT_ABORTED]		= "aborted",
	[ZWIN_STAT_SERVER_SYN]		= "server_syn",
	[ZWIN_STAT_SERVER_RETRY]	= "server_retry",
	[ZWIN_STAT_SERVER_TIMEOUT]	= "server_timeout",
	[ZWIN_STAT_SERVER_REFUSED]	= "server_refused",
	[ZWIN_STAT_ESTABLISHED]		= "established",
	[ZWIN_STAT_WINDOW_OPEN]		= "window_open",
	[ZWIN_STAT_TO_SERVER]		= "to_server",
	[ZWIN_STAT_TO_CLIENT]		= "to_client",
	[ZWIN_STAT_EARLY_DROP]		= "early_drop",
	[ZWIN_STAT_XMIT_FAIL]		= "xmit_fail",
	[ZWIN_STAT_SYN_INVALID]		= "syn_invalid",
	[ZWIN_STAT_SYN_EXISTING]	= "syn_existing",
	[ZWIN_STAT_IPVS_CONN]		= "ipvs_conn",
	[ZWIN_STAT_ACK_STORM]		= "ack_storm",
	[ZWIN_STAT_ORPHANED]		= "orphaned",
	[ZWIN_STAT_RST_IGNORED]		= "rst_ignored",
	[ZWIN_STAT_ICMP]		= "icmp_xlate",
	[ZWIN_STAT_GRO_LIST]		= "gro_list",
	[ZWIN_STAT_GRO_LIST_FAIL]	= "gro_list_fail",
	[ZWIN_STAT_COOKIE_PREV]		= "cookie_prev",
	[ZWIN_STAT_SYNC_RECORD]		= "sync_record",
	[ZWIN_STAT_SYNC_ADOPTED]	= "sync_adopted",
	[ZWIN_STAT_SYNC_INVALID]	= "sync_invalid",
	[ZWIN_STAT_ACK_REUSE]		= "ack_reuse",
	[ZWIN_STAT_SYNACK_DIRECT]	= "synack_direct",
	[ZWIN_STAT_DIRECT_FALLBACK]	= "direct_fallback",
};

/**
 * zwin_stat_sum() - a counter summed over all cpus
 * @zn: the namespace's proxy state
 * @s: which counter
 *
 * Return: the sum; racy against concurrent increments, like any reader.
 */
unsigned long zwin_stat_sum(struct zwin_net *zn, enum zwin_stat s)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(zn->stats, cpu)->cnt[s];
	return sum;
}

static void *zwin_seq_cpu(struct seq_file *seq, loff_t *pos)
{
	struct zwin_net *zn = zwin_pernet(seq_file_net(seq));
	int cpu;

	for (cpu = *pos - 1; cpu < nr_cpu_ids; cpu++) {
		if (!cpu_possible(cpu))
			continue;
		*pos = cpu + 1;
		return per_cpu_ptr(zn->stats, cpu);
	}
	return NULL;
}

static void *zwin_seq_start(struct seq_file *seq, loff_t *pos)
{
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return zwin_seq_cpu(seq, pos);
}

static void *zwin_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	(*pos)++;
	return zwin_seq_cpu(seq, pos);
}

static void zwin_seq_stop(struct seq_file *seq, void *v)
{
}

/* One line of file @f: the header (SEQ_START_TOKEN) or a cpu's values. */
static int zwin_seq_show_file(struct seq_file *seq, void *v,
			      const struct zwin_stat_file *f)
{
	struct zwin_net *zn = zwin_pernet(seq_file_net(seq));
	const struct zwin_cpu_stats *st = v;
	unsigned int i;

	/* a gauge, like conntrack's: the same namespace-wide value per line */
	if (v == SEQ_START_TOKEN)
		seq_puts(seq, "entries ");
	else
		seq_printf(seq, "%08x ", atomic_read(&zn->conn_count));
	for (i = f->first; i < f->end; i++) {
		if (v == SEQ_START_TOKEN)
			seq_puts(seq, zwin_stat_names[i]);
		else
			seq_printf(seq, "%08lx", st->cnt[i]);
		seq_putc(seq, i + 1 < f->end ? ' ' : '\n');
	}
	return 0;
}

static int zwin_seq_show(struct seq_file *seq, void *v)
{
	return zwin_seq_show_file(seq, v, pde_data(file_inode(seq->file)));
}

static const struct seq_operations zwin_seq_ops = {
	.start	= zwin_seq_start,
	.next	= zwin_seq_next,
	.stop	= zwin_seq_stop,
	.show	= zwin_seq_show,
};

/**
 * zwin_stats_init() - allocate @zn's counters and create its proc files
 * @zn: the namespace's proxy state
 *
 * Return: 0 or -ENOMEM.
 */
int zwin_stats_init(struct zwin_net *zn)
{
	unsigned int i;

	zn->stats = alloc_percpu(struct zwin_cpu_stats);
	if (!zn->stats)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(zwin_stat_files); i++) {
		const struct zwin_stat_file *f = &zwin_stat_files[i];

		if (!proc_create_net_data(f->name, 0444,
					  zn->net->proc_net_stat,
					  &zwin_seq_ops,
					  sizeof(struct seq_net_private),
					  (void *)f))
			goto fail;
	}
	return 0;
fail:
	while (i--)
		remove_proc_entry(zwin_stat_files[i].name,
				  zn->net->proc_net_stat);
	free_percpu(zn->stats);
	return -ENOMEM;
}

/**
 * zwin_stats_exit() - remove @zn's proc files and free its counters
 * @zn: the namespace's proxy state
 */
void zwin_stats_exit(struct zwin_net *zn)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(zwin_stat_files); i++)
		remove_proc_entry(zwin_stat_files[i].name,
				  zn->net->proc_net_stat);
	free_percpu(zn->stats);
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/stats_test.c"
#endif
