// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit fixture for ipvs-zwin: see fixture.h. Built only into the UML
 * KUnit kernel (CONFIG_IP_VS_ZWIN_KUNIT_TEST), where IPVS is built in.
 */

#include <linux/in.h>
#include <linux/net.h>
#include <linux/rcupdate.h>
#include <linux/sockptr.h>
#include <linux/string.h>
#include <net/ip_vs.h>
#include <net/sock.h>

#include "fixture.h"

static int zwin_fx_ctl(struct zwin_fx *fx, int cmd, void *arg, int len)
{
	return fx->sock->ops->setsockopt(fx->sock, IPPROTO_IP, cmd,
					 KERNEL_SOCKPTR(arg), len);
}

static void zwin_fx_svc_user(struct zwin_fx *fx, struct ip_vs_service_user *u)
{
	memset(u, 0, sizeof(*u));
	u->protocol = IPPROTO_TCP;
	if (fx->fwmark) {
		u->fwmark = fx->fwmark;	/* ipvsadm -f: no address, no port */
	} else {
		u->addr = fx->vip;
		u->port = fx->vport;
	}
	strscpy(u->sched_name, "rr", sizeof(u->sched_name));
	u->netmask = htonl(0xffffffff);
}

/**
 * zwin_fx_open() - open the control socket, start from an empty IPVS
 * @test: the running test
 * @fx: fixture to fill
 * @vip: virtual address the helpers act on
 * @vport: virtual port the helpers act on
 *
 * Return: 0 or a negative errno.
 */
int zwin_fx_open(struct kunit *test, struct zwin_fx *fx, __be32 vip,
		 __be16 vport)
{
	int err;

	fx->vip = vip;
	fx->vport = vport;
	fx->fwmark = 0;
	err = sock_create_kern(&init_net, PF_INET, SOCK_RAW, IPPROTO_RAW,
			       &fx->sock);
	if (err)
		return err;
	return zwin_fx_ctl(fx, IP_VS_SO_SET_FLUSH, NULL, 0);
}

/**
 * zwin_fx_close() - delete every IPVS service and close the socket
 * @fx: fixture opened by zwin_fx_open()
 */
void zwin_fx_close(struct zwin_fx *fx)
{
	zwin_fx_ctl(fx, IP_VS_SO_SET_FLUSH, NULL, 0);
	sock_release(fx->sock);
}

/**
 * zwin_fx_add_service() - add the TCP service vip:vport, scheduler rr
 * @fx: fixture
 * @flags: IP_VS_SVC_F_* (IP_VS_SVC_F_PERSISTENT for -p)
 * @timeout: persistence timeout in seconds
 *
 * Return: 0 or a negative errno from IPVS.
 */
int zwin_fx_add_service(struct zwin_fx *fx, unsigned int flags,
			unsigned int timeout)
{
	struct ip_vs_service_user u;

	zwin_fx_svc_user(fx, &u);
	u.flags = flags;
	u.timeout = timeout;
	return zwin_fx_ctl(fx, IP_VS_SO_SET_ADD, &u, sizeof(u));
}

/**
 * zwin_fx_add_dest() - add a real server to the service
 * @fx: fixture
 * @addr: real server address
 * @port: real server port
 * @fwd: IP_VS_CONN_F_MASQ, IP_VS_CONN_F_DROUTE or IP_VS_CONN_F_TUNNEL
 * @weight: scheduling weight
 *
 * Return: 0 or a negative errno from IPVS.
 */
int zwin_fx_add_dest(struct zwin_fx *fx, __be32 addr, __be16 port,
		     unsigned int fwd, int weight)
{
	struct {
		struct ip_vs_service_user s;
		struct ip_vs_dest_user d;
	} arg;	/* struct ip_vs_svcdest_user */

	zwin_fx_svc_user(fx, &arg.s);
	memset(&arg.d, 0, sizeof(arg.d));
	arg.d.addr = addr;
	arg.d.port = port;
	arg.d.conn_flags = fwd;
	arg.d.weight = weight;
	return zwin_fx_ctl(fx, IP_VS_SO_SET_ADDDEST, &arg, sizeof(arg));
}

/**
 * zwin_fx_set_pe() - set the service's persistence engine by name
 * @fx: fixture
 * @pe_name: PE name, or NULL to clear it
 *
 * The setsockopt interface cannot carry a PE name (only ipvsadm's netlink
 * one can), so this takes the PE the way IPVS's edit path does and swaps it
 * in; IPVS drops the reference when the service goes.
 *
 * Return: 0, -ENOENT without such a service or PE.
 */
int zwin_fx_set_pe(struct zwin_fx *fx, const char *pe_name)
{
	union nf_inet_addr vaddr = { .ip = fx->vip };
	struct ip_vs_pe *pe = NULL, *old;
	struct ip_vs_service *svc;

	if (pe_name) {
		pe = ip_vs_pe_getbyname(pe_name);
		if (!pe)
			return -ENOENT;
	}
	rcu_read_lock();
	svc = ip_vs_service_find(net_ipvs(&init_net), AF_INET, fx->fwmark,
				 IPPROTO_TCP, &vaddr, fx->vport);
	if (!svc) {
		rcu_read_unlock();
		ip_vs_pe_put(pe);
		return -ENOENT;
	}
	old = rcu_replace_pointer(svc->pe, pe, true);
	rcu_read_unlock();
	synchronize_rcu();
	ip_vs_pe_put(old);
	return 0;
}
