// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: the listing of proxied connections, per network namespace, in
 * /proc/net/ip_vs_zwin_conn: one line per entry of the table with the
 * client, the virtual service, the real server IPVS chose (from IPVS's own
 * connection, "-" once IPVS has forgotten it), the proxy's state, the
 * seconds until the entry's timer and the sequence offset between the
 * server's and the proxy's ISN. Read only by the namespace's root: the
 * offset helps anyone forging segments.
 *
 * The reader walks the table under RCU like a packet does; a read that
 * spans several buffers resumes where it stopped instead of walking the
 * table again, so listing a large table costs one pass.
 */

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "zwin.h"

#define ZWIN_LIST_NAME	"ip_vs_zwin_conn"

static const char *const zwin_state_names[] = {
	[ZWIN_S_SYN_SENT]	= "SYN_SENT",
	[ZWIN_S_ESTABLISHED]	= "ESTABLISHED",
	[ZWIN_S_CLOSING]	= "CLOSING",
	[ZWIN_S_RESET]		= "RESET",
};

struct zwin_list_iter {
	struct seq_net_private	p;	/* first: seq_file_net() */
	unsigned int		bucket;	/* where the last entry shown is */
	unsigned int		skip;	/* ... its index in that bucket */
	loff_t			pos;	/* ... and its position */
};

/* The table, or NULL before the namespace has one. Under RCU. */
static struct hlist_head *zwin_list_tbl(struct zwin_net *zn)
{
	/* pairs with zwin_activate()'s release: the table before the flag */
	return smp_load_acquire(&zn->active) ? zn->conn_tbl : NULL;
}

/*
 * The @skip-th entry of bucket @it->bucket or the first one of a later
 * bucket; records where it was found.
 */
static struct zwin_conn *zwin_list_from(struct zwin_net *zn,
					struct zwin_list_iter *it,
					unsigned int skip)
{
	struct hlist_head *tbl = zwin_list_tbl(zn);
	struct zwin_conn *c;
	unsigned int n;

	if (!tbl)
		return NULL;
	for (; it->bucket <= zn->conn_mask; it->bucket++, skip = 0) {
		n = 0;
		hlist_for_each_entry_rcu(c, &tbl[it->bucket], hnode) {
			if (n++ < skip)
				continue;
			it->skip = n - 1;
			return c;
		}
	}
	return NULL;
}

static void *zwin_list_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct zwin_net *zn = zwin_pernet(seq_file_net(seq));
	struct zwin_list_iter *it = seq->private;
	struct zwin_conn *c;
	loff_t i;

	rcu_read_lock();
	if (*pos == 0)
		return SEQ_START_TOKEN;
	/*
	 * The read goes on where the previous buffer ended: at the entry
	 * last found (it did not fit) or the one after it.
	 */
	if (it->pos && (*pos == it->pos || *pos == it->pos + 1)) {
		c = zwin_list_from(zn, it, it->skip + (*pos - it->pos));
		goto found;
	}
	it->bucket = 0;
	c = zwin_list_from(zn, it, 0);
	for (i = 1; c && i < *pos; i++)
		c = zwin_list_from(zn, it, it->skip + 1);
found:
	if (c)
		it->pos = *pos;
	return c;
}

static void *zwin_list_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct zwin_net *zn = zwin_pernet(seq_file_net(seq));
	struct zwin_list_iter *it = seq->private;
	struct zwin_conn *c;

	if (v == SEQ_START_TOKEN) {
		it->bucket = 0;
		c = zwin_list_from(zn, it, 0);
	} else {
		c = zwin_list_from(zn, it, it->skip + 1);
	}
	(*pos)++;
	if (c)
		it->pos = *pos;
	return c;
}

static void zwin_list_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

/* "192.0.2.2:40000" or "[2001:db8::2]:40000" into @buf */
static void zwin_list_addr(char *buf, size_t len, int af,
			   const union nf_inet_addr *a, __be16 port)
{
	if (af == AF_INET6)
		snprintf(buf, len, "[%pI6c]:%u", &a->in6, ntohs(port));
	else
		snprintf(buf, len, "%pI4:%u", &a->ip, ntohs(port));
}

static int zwin_list_show(struct seq_file *seq, void *v)
{
	char cbuf[48], vbuf[48], sbuf[48];
	struct zwin_conn *c = v;
	union nf_inet_addr daddr;
	struct zwin_tuple t;
	unsigned long left;
	__be16 dport;
	u8 state;

	if (v == SEQ_START_TOKEN) {
		seq_printf(seq, "%-47s %-47s %-47s %-11s %7s %s\n", "Client",
			   "Virtual", "Server", "State", "Expires", "Offset");
		return 0;
	}
	/* killed, its timer about to unlink it: over for the proxy */
	if (READ_ONCE(c->dead))
		return SEQ_SKIP;
	t.af = c->af;
	t.caddr = c->caddr;
	t.vaddr = c->vaddr;
	t.cport = c->cport;
	t.vport = c->vport;
	zwin_list_addr(cbuf, sizeof(cbuf), c->af, &c->caddr, c->cport);
	zwin_list_addr(vbuf, sizeof(vbuf), c->af, &c->vaddr, c->vport);
	if (zwin_ipvs_conn_dest(seq_file_net(seq), &t, &daddr, &dport))
		zwin_list_addr(sbuf, sizeof(sbuf), c->af, &daddr, dport);
	else
		strscpy(sbuf, "-", sizeof(sbuf));
	state = READ_ONCE(c->state);
	left = READ_ONCE(c->timer.expires) - jiffies;
	if (!timer_pending(&c->timer) || (long)left < 0)
		left = 0;
	seq_printf(seq, "%-47s %-47s %-47s %-11s %7lu %08x\n", cbuf, vbuf,
		   sbuf, state < ARRAY_SIZE(zwin_state_names) ?
		   zwin_state_names[state] : "?", left / HZ,
		   READ_ONCE(c->delta));
	return 0;
}

static const struct seq_operations zwin_list_ops = {
	.start	= zwin_list_start,
	.next	= zwin_list_next,
	.stop	= zwin_list_stop,
	.show	= zwin_list_show,
};

/**
 * zwin_list_init() - create @zn's /proc/net/ip_vs_zwin_conn
 * @zn: the namespace's proxy state
 *
 * Return: 0 or -ENOMEM.
 */
int zwin_list_init(struct zwin_net *zn)
{
	if (!proc_create_net(ZWIN_LIST_NAME, 0400, zn->net->proc_net,
			     &zwin_list_ops, sizeof(struct zwin_list_iter)))
		return -ENOMEM;
	return 0;
}

/**
 * zwin_list_exit() - remove @zn's /proc/net/ip_vs_zwin_conn
 * @zn: the namespace's proxy state
 *
 * Called before the table goes: once it returns no reader is inside the
 * file's functions, and later reads of a file still open fail.
 */
void zwin_list_exit(struct zwin_net *zn)
{
	remove_proc_entry(ZWIN_LIST_NAME, zn->net->proc_net);
}
