// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: the table of proxied connections and their timers.
 *
 * One hash table per network namespace, keyed by (client address and
 * port, virtual address and port) with a per-namespace siphash key.
 * Lookups run under RCU without locks; inserts and removals take the
 * namespace's lock. An entry lives from the client's valid ACK until its
 * timer finds it idle past the timeout of its state (IPVS's own TCP
 * timeouts plus a margin, so translation never stops before IPVS forgets
 * the connection), or the namespace or module goes away.
 */

#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/rculist.h>
#include <linux/vmalloc.h>

#include "zwin.h"

static unsigned int zwin_hash_bits = 14;
module_param_named(hash_bits, zwin_hash_bits, uint, 0444);
MODULE_PARM_DESC(hash_bits,
		 "log2 of buckets per namespace for proxied connections (8-20, default 14)");

static struct kmem_cache *zwin_conn_cache;
/* Entries allocated and not yet freed, all namespaces: 0 at unload. */
static atomic_t zwin_conn_live = ATOMIC_INIT(0);

/* Margin over IPVS's timeouts, so that IPVS forgets a connection first. */
#define ZWIN_TIMEOUT_MARGIN	(10 * HZ)
/*
 * A connection whose server failed stays this long after the client was
 * reset, so that segments the client sent meanwhile (window probes) find
 * it and are dropped instead of completing a new handshake.
 */
#define ZWIN_RESET_QUARANTINE	(10 * HZ)

/**
 * zwin_conn_failed() - the server refused or never answered: reset the
 * client and hold @c in quarantine until its timer ends it
 * @c: the connection, locked, in ZWIN_S_SYN_SENT
 */
void zwin_conn_failed(struct zwin_conn *c)
{
	zwin_reset_client(c);
	WRITE_ONCE(c->state, ZWIN_S_RESET);
	atomic_dec(&c->zn->pending);
	zwin_conn_arm(c, ZWIN_RESET_QUARANTINE);
}

/**
 * zwin_conn_abort() - cut off a translated connection: reset both sides
 * and drop what either still sends, until the quarantine ends
 * @c: the connection, established or closing; not locked
 *
 * Return: true if this call cut it off (false if it was already over).
 */
bool zwin_conn_abort(struct zwin_conn *c)
{
	bool done = false;

	spin_lock(&c->lock);
	if (!c->dead && (c->state == ZWIN_S_ESTABLISHED ||
			 c->state == ZWIN_S_CLOSING)) {
		zwin_reset_client(c);
		zwin_reset_server(c);
		WRITE_ONCE(c->state, ZWIN_S_RESET);
		zwin_conn_arm(c, ZWIN_RESET_QUARANTINE);
		done = true;
	}
	spin_unlock(&c->lock);
	return done;
}

static u32 zwin_conn_hash(struct zwin_net *zn, const struct zwin_tuple *t)
{
	struct {
		union nf_inet_addr caddr;
		union nf_inet_addr vaddr;
		__be16 cport;
		__be16 vport;
		u32 af;
	} k;

	memset(&k, 0, sizeof(k));
	k.caddr = t->caddr;
	k.vaddr = t->vaddr;
	k.cport = t->cport;
	k.vport = t->vport;
	k.af = t->af;
	return (u32)siphash(&k, sizeof(k), &zn->conn_key) & zn->conn_mask;
}

static bool zwin_conn_match(const struct zwin_conn *c,
			    const struct zwin_tuple *t)
{
	return c->cport == t->cport && c->vport == t->vport &&
	       c->af == t->af &&
	       nf_inet_addr_cmp(&c->caddr, &t->caddr) &&
	       nf_inet_addr_cmp(&c->vaddr, &t->vaddr);
}

/**
 * zwin_conn_find() - the proxied connection a segment belongs to
 * @zn: the namespace's proxy state
 * @t: the segment's addresses and ports, client side first
 *
 * Caller holds rcu_read_lock(); the entry stays valid until it drops it.
 *
 * Return: the entry or NULL.
 */
struct zwin_conn *zwin_conn_find(struct zwin_net *zn,
				 const struct zwin_tuple *t)
{
	struct zwin_conn *c;

	hlist_for_each_entry_rcu(c, &zn->conn_tbl[zwin_conn_hash(zn, t)],
				 hnode)
		if (zwin_conn_match(c, t) && !READ_ONCE(c->dead))
			return c;
	return NULL;
}

/**
 * zwin_conn_timeout() - how long @c may stay idle in its state
 * @c: the connection
 *
 * Return: a timeout in jiffies.
 */
unsigned long zwin_conn_timeout(struct zwin_conn *c)
{
	struct netns_ipvs *ipvs = net_ipvs(c->zn->net);
	struct ip_vs_proto_data *pd;
	int st;

	if (READ_ONCE(c->state) == ZWIN_S_SYN_SENT)
		return msecs_to_jiffies(READ_ONCE(c->zn->sysctl.syn_timeout_ms))
		       << c->syn_tries;
	if (READ_ONCE(c->state) == ZWIN_S_RESET)
		return ZWIN_RESET_QUARANTINE;
	/* closed by FINs both ways, or by a RST: IPVS's own timeouts */
	if (READ_ONCE(c->state) == ZWIN_S_CLOSING)
		st = READ_ONCE(c->fin[0]) && READ_ONCE(c->fin[1]) ?
		     IP_VS_TCP_S_TIME_WAIT : IP_VS_TCP_S_CLOSE;
	else if (READ_ONCE(c->fin[0]) || READ_ONCE(c->fin[1]))
		st = IP_VS_TCP_S_FIN_WAIT;
	else
		st = IP_VS_TCP_S_ESTABLISHED;
	pd = ipvs ? ip_vs_proto_data_get(ipvs, IPPROTO_TCP) : NULL;
	if (!pd || !pd->timeout_table)
		return 15 * 60 * HZ + ZWIN_TIMEOUT_MARGIN;
	return READ_ONCE(pd->timeout_table[st]) + ZWIN_TIMEOUT_MARGIN;
}

static void zwin_conn_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(zwin_conn_cache,
			container_of(head, struct zwin_conn, rcu));
	atomic_dec(&zwin_conn_live);
}

/*
 * The lifetime rule. An entry is unlinked and freed only by its own timer
 * (or by zwin_conn_exit() once the namespace is dying and its hooks are
 * gone). The timer is armed only under c->lock and only while c->dead is
 * false; c->dead is set only under c->lock, and once set is never
 * cleared. When the timer decides to free the entry it sets c->dead and
 * deletes any re-arming that happened while it waited for the lock, all
 * under c->lock: from then on no path can arm the timer again, so it
 * cannot fire on an unlinked or freed entry, and the entry is unlinked
 * exactly once.
 */

/**
 * zwin_conn_arm() - (re)arm @c's timer to fire @timeout from now
 * @c: the connection, locked
 * @timeout: in jiffies
 *
 * Does nothing once @c is dead.
 */
void zwin_conn_arm(struct zwin_conn *c, unsigned long timeout)
{
	lockdep_assert_held(&c->lock);
	WRITE_ONCE(c->last, (u32)jiffies);
	if (!c->dead)
		mod_timer(&c->timer, jiffies + timeout);
}

/**
 * zwin_conn_kill() - end @c now
 * @c: the connection, not locked
 *
 * Lookups stop finding it at once; its timer, fired now, unlinks and
 * frees it. Killing a dead entry does nothing.
 */
void zwin_conn_kill(struct zwin_conn *c)
{
	spin_lock(&c->lock);
	if (!c->dead) {
		WRITE_ONCE(c->dead, true);
		mod_timer(&c->timer, jiffies);
	}
	spin_unlock(&c->lock);
}

/**
 * zwin_conn_touch() - note activity on @c and rearm its timer if needed
 * @c: the connection, not locked
 * @timeout: its timeout from now, when its state just changed; 0 to only
 *	record activity (the timer then checks the idle time when it fires)
 */
void zwin_conn_touch(struct zwin_conn *c, unsigned long timeout)
{
	WRITE_ONCE(c->last, (u32)jiffies);
	if (!timeout)
		return;
	spin_lock(&c->lock);
	zwin_conn_arm(c, timeout);
	spin_unlock(&c->lock);
}

/* The jiffies of @c's last packet: it keeps the low 32 bits (in the past). */
static unsigned long zwin_conn_last(const struct zwin_conn *c)
{
	return jiffies - (u32)((u32)jiffies - READ_ONCE(c->last));
}

/* Returns true if @c still needs its timer, rearmed by the caller. */
static bool zwin_conn_expire_locked(struct zwin_conn *c)
{
	if (c->dead)
		return false;
	if (c->state == ZWIN_S_SYN_SENT) {
		if (c->syn_tries < READ_ONCE(c->zn->sysctl.syn_retries)) {
			c->syn_tries++;
			zwin_stat_inc(c->zn, ZWIN_STAT_SERVER_RETRY);
			zwin_send_syn(c);
			mod_timer(&c->timer, jiffies + zwin_conn_timeout(c));
			return true;
		}
		zwin_stat_inc(c->zn, ZWIN_STAT_SERVER_TIMEOUT);
		zwin_conn_failed(c);
		return true;
	}
	if (time_before(jiffies, zwin_conn_last(c) + zwin_conn_timeout(c))) {
		mod_timer(&c->timer, zwin_conn_last(c) + zwin_conn_timeout(c));
		return true;
	}
	return false;
}

static void zwin_conn_expire(struct timer_list *t)
{
	struct zwin_conn *c = from_timer(c, t, timer);
	struct zwin_net *zn = c->zn;
	bool keep, pending;

	if (READ_ONCE(zn->dying))
		return;		/* zwin_conn_exit() frees everything */
	spin_lock(&c->lock);
	keep = zwin_conn_expire_locked(c);
	if (!keep) {
		/*
		 * Under c->lock: the handshake cannot move it any more, and
		 * nothing can arm the timer again (see the lifetime rule);
		 * drop an arming made while this callback waited for the lock.
		 */
		WRITE_ONCE(c->dead, true);
		del_timer(&c->timer);
		pending = c->state == ZWIN_S_SYN_SENT;
	}
	spin_unlock(&c->lock);
	if (keep)
		return;

	spin_lock_bh(&zn->conn_lock);
	if (zn->dying) {
		spin_unlock_bh(&zn->conn_lock);
		return;
	}
	hlist_del_rcu(&c->hnode);
	atomic_dec(&zn->conn_count);
	if (pending)
		atomic_dec(&zn->pending);
	spin_unlock_bh(&zn->conn_lock);
	call_rcu(&c->rcu, zwin_conn_free_rcu);
}

/**
 * zwin_conn_alloc() - a new, unlinked connection entry for @t
 * @zn: the namespace's proxy state
 * @t: its addresses and ports
 *
 * Return: the entry in state ZWIN_S_SYN_SENT, or NULL when the table is
 * full (zwin_max_conns) or memory is short.
 */
struct zwin_conn *zwin_conn_alloc(struct zwin_net *zn,
				  const struct zwin_tuple *t)
{
	struct zwin_conn *c;

	if (atomic_read(&zn->conn_count) >= READ_ONCE(zn->sysctl.max_conns))
		return NULL;
	c = kmem_cache_zalloc(zwin_conn_cache, GFP_ATOMIC);
	if (!c)
		return NULL;
	atomic_inc(&zwin_conn_live);
	c->zn = zn;
	c->af = t->af;
	c->caddr = t->caddr;
	c->vaddr = t->vaddr;
	c->cport = t->cport;
	c->vport = t->vport;
	c->state = ZWIN_S_SYN_SENT;
	c->last = (u32)jiffies;
	spin_lock_init(&c->lock);
	timer_setup(&c->timer, zwin_conn_expire, 0);
	return c;
}

/**
 * zwin_conn_tuple() - the addresses and ports of @c, client side first
 * @c: a connection
 * @t: filled (padding zeroed: a key for hashes and MACs)
 */
void zwin_conn_tuple(const struct zwin_conn *c, struct zwin_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->af = c->af;
	t->caddr = c->caddr;
	t->vaddr = c->vaddr;
	t->cport = c->cport;
	t->vport = c->vport;
}

/**
 * zwin_conn_insert() - make a filled entry visible to lookups
 * @c: from zwin_conn_alloc(), its fields set
 *
 * Return: 0, or -EEXIST (the connection exists, or the namespace is going
 * away): the entry was freed.
 */
int zwin_conn_insert(struct zwin_conn *c)
{
	struct zwin_net *zn = c->zn;
	struct zwin_tuple t;

	zwin_conn_tuple(c, &t);
	spin_lock_bh(&zn->conn_lock);
	if (zn->dying || zwin_conn_find(zn, &t)) {
		spin_unlock_bh(&zn->conn_lock);
		kmem_cache_free(zwin_conn_cache, c);
		atomic_dec(&zwin_conn_live);
		return -EEXIST;
	}
	hlist_add_head_rcu(&c->hnode, &zn->conn_tbl[zwin_conn_hash(zn, &t)]);
	atomic_inc(&zn->conn_count);
	if (c->state == ZWIN_S_SYN_SENT)	/* not one rebuilt (sync.c) */
		atomic_inc(&zn->pending);
	spin_unlock_bh(&zn->conn_lock);
	return 0;
}

/**
 * zwin_conn_init() - an empty, table-less connection state for @zn
 * @zn: the namespace's proxy state
 *
 * The table itself comes with zwin_conn_table_alloc(), when the namespace
 * is activated; until then nothing may be inserted.
 */
void zwin_conn_init(struct zwin_net *zn)
{
	get_random_bytes(&zn->conn_key, sizeof(zn->conn_key));
	spin_lock_init(&zn->conn_lock);
	atomic_set(&zn->conn_count, 0);
	atomic_set(&zn->pending, 0);
}

/**
 * zwin_conn_table_alloc() - allocate @zn's connection table
 * @zn: the namespace's proxy state, not yet active
 *
 * May sleep. Charged to the active memory cgroup (the caller sets the
 * namespace creator's).
 *
 * Return: 0 or -ENOMEM.
 */
int zwin_conn_table_alloc(struct zwin_net *zn)
{
	unsigned int bits = zwin_hash_bits;	/* checked at load */

	zn->conn_tbl = kvcalloc(1U << bits, sizeof(*zn->conn_tbl),
				GFP_KERNEL_ACCOUNT);
	if (!zn->conn_tbl)
		return -ENOMEM;
	zn->conn_mask = (1U << bits) - 1;
	return 0;
}

/**
 * zwin_conn_exit() - drop every connection of @zn and free its table
 * @zn: the namespace's proxy state; its hooks are already unregistered,
 *	so no packet can look an entry up any more
 */
void zwin_conn_exit(struct zwin_net *zn)
{
	struct zwin_conn *c;
	struct hlist_node *n;
	unsigned int i;

	/* From here on no timer unlinks or frees, and nothing is added. */
	spin_lock_bh(&zn->conn_lock);
	WRITE_ONCE(zn->dying, true);
	spin_unlock_bh(&zn->conn_lock);
	if (!zn->conn_tbl)
		return;		/* never activated */

	for (i = 0; i <= zn->conn_mask; i++) {
		hlist_for_each_entry_safe(c, n, &zn->conn_tbl[i], hnode) {
			del_timer_sync(&c->timer);
			/*
			 * Translation stops here: end both sides definitely
			 * rather than let them see foreign sequence numbers,
			 * also a client whose server handshake is under way
			 * (it believes it is connected).
			 */
			if (!c->dead && (c->state == ZWIN_S_ESTABLISHED ||
					 c->state == ZWIN_S_SYN_SENT)) {
				zwin_reset_client(c);
				zwin_reset_server(c);
				zwin_stat_inc(zn, ZWIN_STAT_ABORTED);
			}
			hlist_del_rcu(&c->hnode);
			atomic_dec(&zn->conn_count);
			call_rcu(&c->rcu, zwin_conn_free_rcu);
		}
	}
	rcu_barrier();
	kvfree(zn->conn_tbl);
}

/**
 * zwin_conn_cache_create() - the slab cache of connection entries
 *
 * Also checks the hash_bits module parameter: a value out of range is
 * refused, not silently changed.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int zwin_conn_cache_create(void)
{
	if (zwin_hash_bits < 8 || zwin_hash_bits > 20) {
		pr_err("hash_bits=%u is out of range 8-20; refusing to load\n",
		       zwin_hash_bits);
		return -EINVAL;
	}
	zwin_conn_cache = KMEM_CACHE(zwin_conn, 0);
	return zwin_conn_cache ? 0 : -ENOMEM;
}

/**
 * zwin_conn_cache_destroy() - free the slab cache, after every entry
 */
void zwin_conn_cache_destroy(void)
{
	rcu_barrier();
	/* a leak check that works even where slab caches are merged */
	WARN(atomic_read(&zwin_conn_live), "%d connection entries leaked\n",
	     atomic_read(&zwin_conn_live));
	kmem_cache_destroy(zwin_conn_cache);
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/conn_test.c"
#endif
