// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: which IPVS virtual services the proxy serves.
 *
 * IPVS keeps its services in a table private to ip_vs_ctl.c and does not
 * export ip_vs_service_find(), the lookup it uses per packet. The function
 * is global (declared in <net/ip_vs.h>), so built into the kernel (the KUnit
 * build) we call it directly; as a module we resolve its address once at
 * load time with a disarmed kprobe and call it through a pointer whose type
 * is taken from the kernel's own declaration, so a changed prototype fails
 * the build instead of the machine. Documentation/design.rst explains why
 * this beats walking IPVS's real-server table.
 */

#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/rculist.h>
#include <net/ip_vs.h>

#include "zwin.h"

#define ZWIN_FIND_SYM	"ip_vs_service_find"

#ifdef MODULE
static typeof(ip_vs_service_find) *zwin_service_find __read_mostly;

/*
 * Returns the offset of @addr into ZWIN_FIND_SYM, or a negative errno if
 * @addr is not inside that function of the ip_vs module.
 */
static long zwin_sym_offset(unsigned long addr)
{
	char buf[KSYM_SYMBOL_LEN];
	const char *p;
	unsigned long off;
	size_t n = strlen(ZWIN_FIND_SYM);

	sprint_symbol(buf, addr);
	/* "ip_vs_service_find+0x0/0x110 [ip_vs]" */
	if (strncmp(buf, ZWIN_FIND_SYM "+", n + 1) || !strstr(buf, " [ip_vs]"))
		return -ENOENT;
	p = buf + n + 1;
	if (sscanf(p, "%lx/", &off) != 1 || off > LONG_MAX)
		return -EINVAL;
	return off;
}

static int zwin_resolve_service_find(void)
{
	struct kprobe kp = {
		.symbol_name	= ZWIN_FIND_SYM,
		/* never armed: we only want the address resolved */
		.flags		= KPROBE_FLAG_DISABLED,
	};
	unsigned long addr;
	long off;
	int err;

	if (!IS_ENABLED(CONFIG_KPROBES)) {
		pr_err("this kernel has no CONFIG_KPROBES: cannot locate %s() in ip_vs; refusing to load\n",
		       ZWIN_FIND_SYM);
		return -EOPNOTSUPP;
	}
	err = register_kprobe(&kp);
	if (err) {
		pr_err("cannot locate %s() in ip_vs (kprobe lookup: %d); refusing to load\n",
		       ZWIN_FIND_SYM, err);
		return err;
	}
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);

	/*
	 * With IBT, kprobes place the probe after the function's ENDBR
	 * instruction; the function itself starts at offset 0.
	 */
	off = zwin_sym_offset(addr);
	if (off < 0 || off > 16 || zwin_sym_offset(addr - off) != 0) {
		pr_err("%s() resolved to %pS, not its entry; refusing to load\n",
		       ZWIN_FIND_SYM, (void *)addr);
		return -ENOENT;
	}
	zwin_service_find = (typeof(zwin_service_find))(addr - off);
	return 0;
}
#else
#define zwin_service_find ip_vs_service_find

static int zwin_resolve_service_find(void)
{
	return 0;
}
#endif

/**
 * zwin_svc_init() - prepare service lookups
 *
 * Return: 0, or a negative errno (with a logged reason) if this kernel does
 * not let the module find IPVS services.
 */
int zwin_svc_init(void)
{
	return zwin_resolve_service_find();
}

static bool zwin_dest_usable(const struct ip_vs_dest *dest)
{
	return atomic_read(&dest->weight) > 0 &&
	       !(READ_ONCE(dest->flags) & IP_VS_DEST_F_OVERLOAD);
}

static bool zwin_dest_nat(const struct ip_vs_dest *dest)
{
	return (atomic_read(&dest->conn_flags) & IP_VS_CONN_F_FWD_MASK) ==
	       IP_VS_CONN_F_MASQ;
}

/**
 * zwin_classify() - what the proxy should do with a SYN to @daddr:@dport
 * @net: network namespace the packet is in
 * @af: address family of @daddr
 * @daddr: destination address of the SYN
 * @dport: destination TCP port of the SYN
 *
 * Must be called under rcu_read_lock() (netfilter hooks are). Looks the
 * service up the way IPVS does for a new connection (exact service, then
 * the port-zero catch-all), without a firewall mark: at PRE_ROUTING no mark
 * is set yet, so fwmark services are never proxied.
 *
 * Return: ZWIN_CLS_PROXY for a service carrying the zwin PE (or any
 * service when zwin_enable is 2) whose usable (weight > 0, not overloaded)
 * real servers, at least one, are all NAT; ZWIN_CLS_NONAT if a marked
 * service has a usable server using DR or tunnelling (IPVS could pick it,
 * and its replies would bypass the proxy); ZWIN_CLS_NODEST if none is
 * usable; ZWIN_CLS_PLAIN for other services; ZWIN_CLS_NONE otherwise.
 */
enum zwin_class zwin_classify(struct net *net, int af,
			      const union nf_inet_addr *daddr, __be16 dport)
{
	struct netns_ipvs *ipvs = net_ipvs(net);
	struct ip_vs_service *svc;
	struct ip_vs_dest *dest;
	bool usable = false, marked;

	if (!ipvs || !READ_ONCE(ipvs->enable))
		return ZWIN_CLS_NONE;
	svc = zwin_service_find(ipvs, af, 0, IPPROTO_TCP, daddr, dport);
	if (!svc)
		return ZWIN_CLS_NONE;
	marked = rcu_dereference(svc->pe) == &zwin_pe;
	if (!marked && READ_ONCE(zwin_pernet(net)->sysctl.enable) != 2)
		return ZWIN_CLS_PLAIN;

	list_for_each_entry_rcu(dest, &svc->destinations, n_list) {
		if (!zwin_dest_usable(dest))
			continue;
		if (!zwin_dest_nat(dest))
			/* unmarked services are simply left alone */
			return marked ? ZWIN_CLS_NONAT : ZWIN_CLS_PLAIN;
		usable = true;
	}
	return usable ? ZWIN_CLS_PROXY : ZWIN_CLS_NODEST;
}

/**
 * zwin_ipvs_conn_exists() - whether IPVS already has a connection for a
 * client segment (one it made before its service got the zwin PE)
 * @net: network namespace of the segment
 * @t: its addresses and ports
 *
 * Must be called under rcu_read_lock(). Only the invalid-cookie path calls
 * it: such segments are rare except just after the PE was switched on.
 *
 * Return: true if IPVS would forward the segment on a known connection.
 */
bool zwin_ipvs_conn_exists(struct net *net, const struct zwin_tuple *t)
{
	struct netns_ipvs *ipvs = net_ipvs(net);
	struct ip_vs_conn_param p;
	struct ip_vs_conn *cp;

	if (!ipvs)
		return false;
	ip_vs_conn_fill_param(ipvs, t->af, IPPROTO_TCP, &t->caddr, t->cport,
			      &t->vaddr, t->vport, &p);
	cp = ip_vs_conn_in_get(&p);
	if (!cp)
		return false;
	__ip_vs_conn_put(cp);
	return true;
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/svc_test.c"
#endif
