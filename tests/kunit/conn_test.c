// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the connection table's lifetime rule (included by conn.c). An
 * entry is unlinked and freed by its own timer exactly once, and nothing
 * that found it before (a packet on another cpu) can arm its timer again
 * after that. KASAN reports a timer firing on a freed entry, list debugging
 * and lockdep the rest.
 *
 * UML runs one cpu, so a "packet on another cpu" is emulated by finding
 * the entry under rcu_read_lock() with softirqs enabled and waiting there
 * while the timer softirq expires it, as a second cpu's timer would.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/random.h>

/* 10.99.0.1:port -> 10.99.0.2:80, one tuple per test */
static void zwin_ct_tuple(struct zwin_tuple *t, u16 port)
{
	memset(t, 0, sizeof(*t));
	t->af = AF_INET;
	t->caddr.ip = htonl(0x0a630001);
	t->vaddr.ip = htonl(0x0a630002);
	t->cport = htons(port);
	t->vport = htons(80);
}

/*
 * An established entry, closed by FINs both ways and idle for longer than
 * any timeout: its timer, due at the next tick, unlinks and frees it.
 */
static struct zwin_conn *zwin_ct_idle(struct zwin_net *zn,
				      const struct zwin_tuple *t)
{
	struct zwin_conn *c = zwin_conn_alloc(zn, t);

	if (!c)
		return NULL;
	c->state = ZWIN_S_CLOSING;
	c->fin[0] = true;
	c->fin[1] = true;
	c->last = (u32)jiffies - 3600 * HZ;
	local_bh_disable();
	if (zwin_conn_insert(c)) {
		local_bh_enable();
		return NULL;
	}
	atomic_dec(&zn->pending);	/* as the server's SYN-ACK would */
	spin_lock(&c->lock);
	mod_timer(&c->timer, jiffies + 1);
	spin_unlock(&c->lock);
	local_bh_enable();
	return c;
}

/*
 * Waits (softirqs on), at most a second, until @t has no entry and the
 * table is back to @count entries: a killed entry is invisible at once,
 * but unlinked only when its timer has run.
 */
static bool zwin_ct_gone(struct zwin_net *zn, const struct zwin_tuple *t,
			 int count)
{
	unsigned long end = jiffies + HZ;
	bool found;

	do {
		rcu_read_lock();
		found = zwin_conn_find(zn, t);
		rcu_read_unlock();
		if (!found && atomic_read(&zn->conn_count) == count)
			return true;
		usleep_range(5000, 10000);
	} while (time_before(jiffies, end));
	return false;
}

/*
 * A packet found the entry; before it acts, the timer expires the entry.
 * Killing or touching it then must not arm the timer again.
 */
static void zwin_test_conn_no_rearm_after_expiry(struct kunit *test)
{
	struct zwin_net *zn = zwin_pernet(&init_net);
	int live = atomic_read(&zwin_conn_live);
	int count = atomic_read(&zn->conn_count);
	struct zwin_tuple t;
	struct zwin_conn *c;
	unsigned long end;
	int i;

	zwin_activate(zn);
	KUNIT_ASSERT_TRUE(test, zn->active);
	for (i = 0; i < 20; i++) {
		zwin_ct_tuple(&t, 1000 + i);
		KUNIT_ASSERT_NOT_NULL(test, zwin_ct_idle(zn, &t));

		rcu_read_lock();
		c = zwin_conn_find(zn, &t);
		KUNIT_ASSERT_NOT_NULL(test, c);
		/* the "other cpu": the timer softirq, while we hold @c */
		end = jiffies + 3;
		while (time_before(jiffies, end) ||
		       (!READ_ONCE(c->dead) && time_before(jiffies, end + HZ)))
			cpu_relax();
		KUNIT_EXPECT_TRUE(test, READ_ONCE(c->dead));
		KUNIT_EXPECT_FALSE(test, timer_pending(&c->timer));

		local_bh_disable();
		zwin_conn_kill(c);
		zwin_conn_touch(c, HZ);
		KUNIT_EXPECT_FALSE_MSG(test, timer_pending(&c->timer),
				       "a dead, unlinked entry's timer was armed again");
		/* do not let a wrongly armed timer fire on freed memory */
		del_timer(&c->timer);
		local_bh_enable();
		rcu_read_unlock();
		KUNIT_EXPECT_TRUE(test, zwin_ct_gone(zn, &t, count));
	}
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&zwin_conn_live), live);
}

struct zwin_ct_stress {
	struct zwin_net *zn;
	struct zwin_tuple t;
	unsigned long ops;
};

/*
 * One of two threads: find the entry, wait a little with softirqs on (the
 * timer may expire it meanwhile), then touch, rearm or kill it as a packet
 * would; recreate it when it is gone.
 */
static int zwin_ct_hammer(void *arg)
{
	struct zwin_ct_stress *s = arg;
	struct zwin_conn *c;

	while (!kthread_should_stop()) {
		rcu_read_lock();
		c = zwin_conn_find(s->zn, &s->t);
		if (c) {
			udelay(get_random_u32_below(200));
			local_bh_disable();
			switch (get_random_u32_below(4)) {
			case 0:
				zwin_conn_touch(c, 0);
				break;
			case 1:
				zwin_conn_touch(c, 1);
				break;
			case 2:
				zwin_conn_kill(c);
				break;
			default:
				/* idle again: the next tick expires it */
				WRITE_ONCE(c->last, (u32)jiffies - 3600 * HZ);
				break;
			}
			local_bh_enable();
			s->ops++;
		}
		rcu_read_unlock();
		if (!c)
			zwin_ct_idle(s->zn, &s->t);
		cond_resched();
	}
	return 0;
}

/* Two threads hammer touch/kill while the entry's timer expires it. */
static void zwin_test_conn_stress(struct kunit *test)
{
	struct zwin_ct_stress s = { .zn = zwin_pernet(&init_net) };
	int live = atomic_read(&zwin_conn_live);
	int count = atomic_read(&s.zn->conn_count);
	struct task_struct *k[2];
	struct zwin_conn *c;
	int i;

	zwin_activate(s.zn);
	KUNIT_ASSERT_TRUE(test, s.zn->active);
	zwin_ct_tuple(&s.t, 2000);
	for (i = 0; i < 2; i++) {
		k[i] = kthread_run(zwin_ct_hammer, &s, "zwin-ct-%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(k[i]));
	}
	msleep(1500);
	for (i = 0; i < 2; i++)
		kthread_stop(k[i]);
	kunit_info(test, "%lu touch/kill operations on found entries\n", s.ops);
	KUNIT_EXPECT_GT(test, s.ops, 100UL);

	rcu_read_lock();
	c = zwin_conn_find(s.zn, &s.t);
	if (c) {
		local_bh_disable();
		zwin_conn_kill(c);
		local_bh_enable();
	}
	rcu_read_unlock();
	KUNIT_EXPECT_TRUE(test, zwin_ct_gone(s.zn, &s.t, count));
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&zwin_conn_live), live);
}

static struct kunit_case zwin_conn_cases[] = {
	KUNIT_CASE(zwin_test_conn_no_rearm_after_expiry),
	KUNIT_CASE_SLOW(zwin_test_conn_stress),
	{}
};

static struct kunit_suite zwin_conn_suite = {
	.name = "ip_vs_zwin_conn",
	.test_cases = zwin_conn_cases,
};

kunit_test_suite(zwin_conn_suite);
