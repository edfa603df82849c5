// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: which IPVS virtual services the proxy serves.
 *
 * IPVS keeps its services in a table private to ip_vs_ctl.c and does not
 * export ip_vs_service_find(), the lookup it uses per packet. The function
 * is global (declared in <net/ip_vs.h>), so built into the kernel (the KUnit
 * build) we call it directly. As a module we resolve its address once at
 * load time with a disarmed kprobe and call it through a static call: the
 * kernel patches a direct CALL/JMP to the address, never an indirect
 * branch. That matters on kernels with IBT: nothing in the kernel calls
 * ip_vs_service_find() indirectly, so its ENDBR64 is sealed (overwritten)
 * when ip_vs loads, and an indirect call to it would raise #CP on CPUs
 * that enforce IBT. The static call's type is taken from the kernel's own
 * declaration, so a changed prototype fails the build instead of the
 * machine. Documentation/design.rst weighs this against walking IPVS's
 * real-server table.
 */

#include <linux/kernel.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/rculist.h>
#include <linux/static_call.h>
#include <net/ip_vs.h>

#include "zwin.h"

#define ZWIN_FIND_SYM	"ip_vs_service_find"

#ifdef MODULE
/*
 * A static call is only IBT-safe where the kernel turns it into a direct
 * branch; without HAVE_STATIC_CALL it is an indirect call through the key.
 */
#if defined(CONFIG_X86_KERNEL_IBT) && !defined(CONFIG_HAVE_STATIC_CALL)
#define ZWIN_FIND_UNSAFE	1
#else
#define ZWIN_FIND_UNSAFE	0
#endif

/* Until the lookup is resolved (never called then: no hook is registered). */
static struct ip_vs_service *
zwin_service_find_none(struct netns_ipvs *ipvs, int af, __u32 fwmark,
		       __u16 protocol, const union nf_inet_addr *vaddr,
		       __be16 vport)
{
	return NULL;
}

DEFINE_STATIC_CALL(zwin_service_find, zwin_service_find_none);

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

	if (ZWIN_FIND_UNSAFE) {
		pr_err("this kernel has IBT but no static calls: %s() can only be called indirectly, which IBT-enforcing CPUs fault on; refusing to load\n",
		       ZWIN_FIND_SYM);
		return -EOPNOTSUPP;
	}
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
	 * On IBT kernels kprobes place the probe after an ENDBR64 at the
	 * function's entry; the function itself starts at offset 0.
	 */
	off = zwin_sym_offset(addr);
	if (off < 0 || off > 16 || zwin_sym_offset(addr - off) != 0) {
		pr_err("%s() resolved to %pS, not its entry; refusing to load\n",
		       ZWIN_FIND_SYM, (void *)addr);
		return -ENOENT;
	}
	/* patched into direct branches: no ENDBR64 is needed at the target */
	static_call_update(zwin_service_find,
			   (typeof(ip_vs_service_find) *)(addr - off));
	return 0;
}

#define zwin_service_lookup static_call(zwin_service_find)
#else
#define zwin_service_lookup ip_vs_service_find

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
 * @mark: the packet's firewall mark (skb->mark)
 * @daddr: destination address of the SYN
 * @dport: destination TCP port of the SYN
 *
 * Must be called under rcu_read_lock() (netfilter hooks are). Looks the
 * service up the way IPVS does for a new connection: the firewall-mark
 * service of @mark, then the exact service, then the port-zero catch-all.
 * The proxy's hook runs after the raw table and before mangle, so only
 * marks set in raw (or by tc on ingress) select fwmark services.
 *
 * Return: ZWIN_CLS_PROXY for a service carrying the zwin PE (or any
 * service when zwin_enable is 2) whose usable (weight > 0, not overloaded)
 * real servers, at least one, are all NAT; ZWIN_CLS_NONAT if a marked
 * service has a usable server using DR or tunnelling (IPVS could pick it,
 * and its replies would bypass the proxy); ZWIN_CLS_NODEST if none is
 * usable; ZWIN_CLS_PLAIN for other services; ZWIN_CLS_NONE otherwise.
 */
enum zwin_class zwin_classify(struct net *net, int af, u32 mark,
			      const union nf_inet_addr *daddr, __be16 dport)
{
	struct netns_ipvs *ipvs = net_ipvs(net);
	struct ip_vs_service *svc;
	struct ip_vs_dest *dest;
	bool usable = false, marked;

	if (!ipvs || !READ_ONCE(ipvs->enable))
		return ZWIN_CLS_NONE;
	svc = zwin_service_lookup(ipvs, af, mark, IPPROTO_TCP, daddr, dport);
	if (!svc)
		return ZWIN_CLS_NONE;
	/*
	 * With a service on port 21 IPVS's lookup also returns it for the
	 * FTP data port and every unprivileged port of the address: data
	 * connections, which IPVS's FTP helper may expect. The proxy serves
	 * only the service's own port (or a port-zero service's every port).
	 */
	if (svc->port && svc->port != dport)
		return ZWIN_CLS_PLAIN;
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

/*
 * IPVS's TCP states of a connection that still carries a flow: a segment
 * of it must never be taken for a new proxied handshake. CLOSE, TIME_WAIT
 * and LAST_ACK connections are over; a client may reuse their ports.
 */
static bool zwin_ipvs_state_live(int state)
{
	switch (state) {
	case IP_VS_TCP_S_ESTABLISHED:
	case IP_VS_TCP_S_SYN_SENT:
	case IP_VS_TCP_S_SYN_RECV:
	case IP_VS_TCP_S_SYNACK:
	case IP_VS_TCP_S_FIN_WAIT:
	case IP_VS_TCP_S_CLOSE_WAIT:
		return true;
	default:
		return false;
	}
}

/**
 * zwin_ipvs_conn_ref() - IPVS's connection for a client segment
 * @net: network namespace of the segment
 * @t: its addresses and ports
 *
 * Must be called under rcu_read_lock().
 *
 * Return: the connection, referenced (__ip_vs_conn_put() it), or NULL.
 */
struct ip_vs_conn *zwin_ipvs_conn_ref(struct net *net,
				      const struct zwin_tuple *t)
{
	struct netns_ipvs *ipvs = net_ipvs(net);
	struct ip_vs_conn_param p;

	if (!ipvs)
		return NULL;
	ip_vs_conn_fill_param(ipvs, t->af, IPPROTO_TCP, &t->caddr, t->cport,
			      &t->vaddr, t->vport, &p);
	return ip_vs_conn_in_get(&p);
}

/**
 * zwin_ipvs_conn_live() - whether IPVS's connection @cp still carries a
 * flow (not closing or closed)
 * @cp: the connection, referenced
 *
 * Return: true in IPVS's TCP states up to FIN_WAIT and CLOSE_WAIT.
 */
bool zwin_ipvs_conn_live(const struct ip_vs_conn *cp)
{
	return zwin_ipvs_state_live(READ_ONCE(cp->state));
}

/**
 * zwin_ipvs_conn_exists() - whether IPVS already has a connection for a
 * client segment (one it made before its service got the zwin PE)
 * @net: network namespace of the segment
 * @t: its addresses and ports
 * @live: only a connection still carrying a flow counts (see
 *	zwin_ipvs_state_live()), not one that is closing or closed
 *
 * Must be called under rcu_read_lock(). Only ACKs that are not part of a
 * proxied connection call it: such segments are rare except just after
 * the PE was switched on.
 *
 * Return: true if IPVS would forward the segment on such a connection.
 */
bool zwin_ipvs_conn_exists(struct net *net, const struct zwin_tuple *t,
			   bool live)
{
	struct ip_vs_conn *cp = zwin_ipvs_conn_ref(net, t);
	bool found;

	if (!cp)
		return false;
	found = !live || zwin_ipvs_state_live(READ_ONCE(cp->state));
	__ip_vs_conn_put(cp);
	return found;
}

/**
 * zwin_ipvs_conn_dest() - the real server of IPVS's connection for a
 * proxied connection
 * @net: its network namespace
 * @t: its addresses and ports, client side first
 * @daddr: set to the real server's address
 * @dport: set to its port
 *
 * Must be called under rcu_read_lock() (the listing, list.c).
 *
 * Return: false if IPVS has no connection for @t.
 */
bool zwin_ipvs_conn_dest(struct net *net, const struct zwin_tuple *t,
			 union nf_inet_addr *daddr, __be16 *dport)
{
	struct ip_vs_conn *cp = zwin_ipvs_conn_ref(net, t);

	if (!cp)
		return false;
	*daddr = cp->daddr;
	*dport = cp->dport;
	__ip_vs_conn_put(cp);
	return true;
}

#if IS_ENABLED(CONFIG_IP_VS_ZWIN_KUNIT_TEST)
#include "../tests/kunit/svc_test.c"
#endif
