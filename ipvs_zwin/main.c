// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: zero-window SYN proxy for IPVS.
 *
 * Module entry: the "zwin" IPVS persistence engine that marks services, and
 * the per network namespace setup (counters, sysctls, netfilter hooks).
 */

#include <linux/module.h>
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

static int __net_init zwin_net_init(struct net *net)
{
	struct zwin_net *zn = zwin_pernet(net);
	int err;

	zn->net = net;
	zwin_cookie_init(zn);

	err = zwin_stats_init(zn);
	if (err)
		return err;
	err = zwin_sysctl_init(zn);
	if (err)
		goto err_stats;
	err = zwin_conn_init(zn);
	if (err)
		goto err_sysctl;
	err = zwin_defrag_enable(net);
	if (err)
		goto err_conn;
	err = zwin_hooks_register(net);
	if (err)
		goto err_defrag;
	return 0;

err_defrag:
	zwin_defrag_disable(net);
err_conn:
	zwin_conn_exit(zn);
err_sysctl:
	zwin_sysctl_exit(zn);
err_stats:
	zwin_stats_exit(zn);
	return err;
}

static void __net_exit zwin_net_exit(struct net *net)
{
	struct zwin_net *zn = zwin_pernet(net);

	/* Unregistering waits for packets in flight in our hooks. */
	zwin_hooks_unregister(net);
	zwin_defrag_disable(net);
	zwin_conn_exit(zn);
	zwin_sysctl_exit(zn);
	zwin_stats_exit(zn);
}

static struct pernet_operations zwin_net_ops = {
	.init	= zwin_net_init,
	.exit	= zwin_net_exit,
	.id	= &zwin_net_id,
	.size	= sizeof(struct zwin_net),
};

static int __init zwin_init(void)
{
	int err;

	err = zwin_svc_init();
	if (err)
		return err;

	err = zwin_conn_cache_create();
	if (err)
		return err;
	err = register_pernet_subsys(&zwin_net_ops);
	if (err) {
		zwin_conn_cache_destroy();
		return err;
	}

	err = register_ip_vs_pe(&zwin_pe);
	if (err) {
		pr_err("cannot register IPVS persistence engine \"%s\": %d\n",
		       ZWIN_PE_NAME, err);
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
	unregister_ip_vs_pe(&zwin_pe);
	synchronize_rcu();
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
