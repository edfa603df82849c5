// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: zero-window SYN proxy for IPVS.
 *
 * Module entry: the "zwin" IPVS persistence engine that marks services, and
 * the per network namespace setup: counters, sysctls and the PRE_ROUTING
 * hooks at once; the connection table, defragmentation and the hooks
 * after IPVS only once the namespace has an IPVS service (zwin_activate()).
 */

#include <linux/completion.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/sched/mm.h>
#include <linux/workqueue.h>
#include <net/ip_vs.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "zwin.h"

unsigned int zwin_net_id __read_mostly;

/*
 * The persistence engine is a tag: on a non-persistent service IPVS never
 * calls it, and on a persistent one every callback is optional and unset,
 * so IPVS keeps its normal source-address persistence. The proxy reads the
 * tag from svc->pe. Each service using it holds a module reference.
 */
struct ip_vs_pe zwin_pe = {
	.name	= ZWIN_PE_NAME,
	.refcnt	= ATOMIC_INIT(0),
	.module	= THIS_MODULE,
	.n_list	= LIST_HEAD_INIT(zwin_pe.n_list),
};

/*
 * Fragments are reassembled before the proxy's hook (defragmentation runs
 * at priority -400), as conntrack would have them: otherwise IPVS, which
 * reassembles IPv4 itself after the hook, would schedule a fragmented SYN
 * straight to a real server.
 */
static int zwin_defrag_enable(struct net *net)
{
	int err = nf_defrag_ipv4_enable(net);

	if (err)
		return err;
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
	err = nf_defrag_ipv6_enable(net);
	if (err)
		nf_defrag_ipv4_disable(net);
#endif
	return err;
}

static void zwin_defrag_disable(struct net *net)
{
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
	nf_defrag_ipv6_disable(net);
#endif
	nf_defrag_ipv4_disable(net);
}

/*
 * Client ACKs that arrived while the namespace was being set up go
 * through the hooks again, as received on their device (gone: dropped).
 */
static void zwin_early_release(struct zwin_net *zn)
{
	struct net_device *dev;
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&zn->early))) {
		rcu_read_lock();
		dev = dev_get_by_index_rcu(zn->net, skb->skb_iif);
		if (dev && (dev->flags & IFF_UP)) {
			skb->dev = dev;
			netif_rx(skb);
		} else {
			kfree_skb(skb);
		}
		rcu_read_unlock();
	}
}

/* Serialises activations (the work, and direct calls from KUnit). */
static DEFINE_MUTEX(zwin_activate_mutex);

/**
 * zwin_activate() - set up the costly part of a namespace's proxy: the
 * connection table, defragmentation and the hooks after IPVS
 * @zn: the namespace's proxy state
 *
 * Runs from a work item the PRE_ROUTING hook queues when it first sees
 * the namespace with an IPVS service; may sleep. Namespaces without IPVS
 * services (container hosts have thousands) never pay for it. Idempotent;
 * a failure is logged and retried on a later packet.
 */
void zwin_activate(struct zwin_net *zn)
{
	struct mem_cgroup *old;
	int err;

	mutex_lock(&zwin_activate_mutex);
	if (zn->active || READ_ONCE(zn->dying))
		goto out;
	/* the table is the namespace's: charge its creator's cgroup */
	old = set_active_memcg(zn->memcg);
	err = zwin_conn_table_alloc(zn);
	set_active_memcg(old);
	if (err)
		goto fail;
	err = zwin_defrag_enable(zn->net);
	if (err)
		goto fail_tbl;
	err = zwin_hooks_register(zn->net, false);
	if (err)
		goto fail_defrag;
	/* the table before the flag: the hooks acquire it */
	smp_store_release(&zn->active, true);
	zwin_early_release(zn);
	goto out;

fail_defrag:
	zwin_defrag_disable(zn->net);
fail_tbl:
	kvfree(zn->conn_tbl);
	zn->conn_tbl = NULL;
fail:
	pr_warn_ratelimited("cannot set up a network namespace with IPVS services (%d): its connections are not proxied yet\n",
			    err);
	skb_queue_purge(&zn->early);
	clear_bit(0, &zn->activating);
out:
	mutex_unlock(&zwin_activate_mutex);
}

static void zwin_activate_work(struct work_struct *work)
{
	zwin_activate(container_of(work, struct zwin_net, activate_work));
}

static int __net_init zwin_net_init(struct net *net)
{
	struct zwin_net *zn = zwin_pernet(net);
	int err;

	zn->net = net;
	zwin_cookie_init(zn);
	zwin_conn_init(zn);
	INIT_WORK(&zn->activate_work, zwin_activate_work);
	skb_queue_head_init(&zn->early);
	/* the namespace's creator, whose cgroup pays for its table */
	zn->memcg = get_mem_cgroup_from_mm(current->mm);

	err = zwin_stats_init(zn);
	if (err)
		goto err_memcg;
	err = zwin_list_init(zn);
	if (err)
		goto err_stats;
	err = zwin_xdp_init(zn);
	if (err)
		goto err_list;
	err = zwin_sysctl_init(zn);
	if (err)
		goto err_xdp;
	err = zwin_hooks_register(net, true);
	if (err)
		goto err_sysctl;
	return 0;

err_sysctl:
	zwin_sysctl_exit(zn);
err_xdp:
	zwin_xdp_exit(zn);
err_list:
	zwin_list_exit(zn);
err_stats:
	zwin_stats_exit(zn);
err_memcg:
	mem_cgroup_put(zn->memcg);
	return err;
}

static void __net_exit zwin_net_exit(struct net *net)
{
	struct zwin_net *zn = zwin_pernet(net);

	/* no reader of the listing walks the table after this */
	zwin_list_exit(zn);
	zwin_xdp_exit(zn);
	/* Unregistering waits for packets in flight in our hooks. */
	zwin_hooks_unregister(net, true);
	/* no hook queues it now; an activation under way completes */
	cancel_work_sync(&zn->activate_work);
	mutex_lock(&zwin_activate_mutex);
	WRITE_ONCE(zn->dying, true);
	mutex_unlock(&zwin_activate_mutex);
	skb_queue_purge(&zn->early);
	if (zn->active) {
		zwin_hooks_unregister(net, false);
		zwin_defrag_disable(net);
	}
	zwin_conn_exit(zn);
	zwin_sysctl_exit(zn);
	zwin_stats_exit(zn);
	mem_cgroup_put(zn->memcg);
}

static struct pernet_operations zwin_net_ops = {
	.init	= zwin_net_init,
	.exit	= zwin_net_exit,
	.id	= &zwin_net_id,
	.size	= sizeof(struct zwin_net),
};

/*
 * register_pernet_subsys() waits for pernet_ops_rwsem, which a namespace
 * being dismantled holds while IPVS's exit in it waits for IPVS's
 * configuration mutex. IPVS loads this module by its alias holding that
 * mutex (ipvsadm --pe zwin: request_module, which waits for modprobe):
 * waiting there would deadlock ipvsadm, modprobe and every later
 * namespace creation or deletion, for good. So the registration runs in
 * a work item; init waits for it ZWIN_SETUP_WAIT at most, then registers
 * the PE anyway, and the namespaces' set-up completes in the background
 * once the dismantling can go on. Until then a service marked zwin is
 * served as plain IPVS (the PE is a tag), and the proxy takes over new
 * connections when its hooks are in place, as after any configuration
 * change. Loaded by hand (no IPVS mutex held), init waits as long, but a
 * parallel autoload would wait on this init and close the same cycle.
 */
#define ZWIN_SETUP_WAIT		(2 * HZ)

static void zwin_setup_fn(struct work_struct *work);
static DECLARE_WORK(zwin_setup_work, zwin_setup_fn);
static DECLARE_COMPLETION(zwin_setup_done);
/* Orders the set-up's end against init's registration of the PE. */
static DEFINE_MUTEX(zwin_setup_mutex);
static int zwin_setup_err;		/* under zwin_setup_mutex */
static bool zwin_setup_finished;	/* under zwin_setup_mutex */
static bool zwin_pe_registered;		/* under zwin_setup_mutex */

static void zwin_setup_fn(struct work_struct *work)
{
	int err = register_pernet_subsys(&zwin_net_ops);

	mutex_lock(&zwin_setup_mutex);
	zwin_setup_err = err;
	zwin_setup_finished = true;
	if (zwin_pe_registered) {
		/* init gave up waiting: say how it ended */
		if (err) {
			/* no new service gets the tag: ipvsadm says why */
			unregister_ip_vs_pe(&zwin_pe);
			zwin_pe_registered = false;
			pr_err("cannot set up network namespaces (%d): services marked --pe %s are served as plain IPVS; reload the module\n",
			       err, ZWIN_PE_NAME);
		} else {
			pr_info("set up in every network namespace\n");
		}
	}
	mutex_unlock(&zwin_setup_mutex);
	complete_all(&zwin_setup_done);
}

static int __init zwin_init(void)
{
	int err;

	err = zwin_svc_init();
	if (err)
		return err;

	err = zwin_conn_cache_create();
	if (err)
		return err;
	queue_work(system_unbound_wq, &zwin_setup_work);
	wait_for_completion_timeout(&zwin_setup_done, ZWIN_SETUP_WAIT);

	mutex_lock(&zwin_setup_mutex);
	if (zwin_setup_finished && zwin_setup_err) {
		err = zwin_setup_err;
		mutex_unlock(&zwin_setup_mutex);
		/* the work's function may still be on its way out */
		flush_work(&zwin_setup_work);
		zwin_conn_cache_destroy();
		return err;
	}
	err = register_ip_vs_pe(&zwin_pe);
	zwin_pe_registered = !err;
	if (!err && !zwin_setup_finished)
		pr_notice("network namespaces are being dismantled: the per-namespace set-up (sysctls, counters, hooks) completes when they are\n");
	mutex_unlock(&zwin_setup_mutex);
	if (err) {
		pr_err("cannot register IPVS persistence engine \"%s\": %d\n",
		       ZWIN_PE_NAME, err);
		/*
		 * Another PE has the name, so IPVS is not waiting for this
		 * module: waiting for the set-up cannot close the cycle.
		 */
		flush_work(&zwin_setup_work);
		if (!zwin_setup_err)
			unregister_pernet_subsys(&zwin_net_ops);
		zwin_conn_cache_destroy();
		return err;
	}
	pr_info("v%s loaded; enable with: ipvsadm -A -t VIP:PORT -s SCHED --pe %s\n",
		ZWIN_VERSION, ZWIN_PE_NAME);
	return 0;
}

static void __exit zwin_exit(void)
{
	/*
	 * No service can hold the PE here: each one holds a module reference.
	 * IPVS walks its PE list under RCU and does not wait for readers.
	 */
	mutex_lock(&zwin_setup_mutex);
	if (zwin_pe_registered)
		unregister_ip_vs_pe(&zwin_pe);
	zwin_pe_registered = false;
	mutex_unlock(&zwin_setup_mutex);
	/* a set-up still under way completes first */
	flush_work(&zwin_setup_work);
	synchronize_rcu();
	if (!zwin_setup_err)
		unregister_pernet_subsys(&zwin_net_ops);
	zwin_conn_cache_destroy();
	pr_info("unloaded\n");
}

module_init(zwin_init);
module_exit(zwin_exit);

MODULE_DESCRIPTION("IPVS zero-window SYN proxy (persistence engine \"zwin\")");
MODULE_VERSION(ZWIN_VERSION);
MODULE_LICENSE("GPL");
MODULE_ALIAS("ip_vs_pe_" ZWIN_PE_NAME);

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/main_test.c"
#endif
