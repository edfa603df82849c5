// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin: what an XDP front end needs to answer SYNs as the module
 * would, in /proc/net/ip_vs_zwin_xdp (one per network namespace).
 *
 * The optional XDP program (xdp/zwin_xdp.bpf.c, loaded by scripts/zwin-xdp)
 * builds the same zero-window SYN-ACK with the same cookie. It has no
 * access to the module's memory, so its loader copies what it needs from
 * this file about twice a second:
 *
 *   version 1
 *   enable <zwin_enable>
 *   key <k0> <k1>             the key cookies are made with (hex u64s),
 *                             "-" unless the file is open for writing
 *   shared <0|1>              1: a cluster key, cookies count wall time
 *   clock_off_ns <ns>         wall minus monotonic time if shared, else 0
 *   ts_base <u32>             the timestamp clock's offset
 *   mss <zwin_mss>
 *   wscale <the scale announced now>
 *   sack <zwin_sack>
 *   timestamps <zwin_timestamps>
 *   synack_direct <zwin_synack_direct>
 *   ttl <net.ipv4.ip_default_ttl>
 *   hop_limit <net.ipv6.conf.all.hop_limit, 64 without IPv6>
 *   svc <4|6> <vaddr> <vport> <class>   one per candidate written
 *
 * Which IPVS services the proxy serves is decided per packet by
 * zwin_classify(); IPVS keeps no list a module can walk. So the loader
 * writes the TCP services ipvsadm lists ("clear" first, then lines
 * "4 10.0.0.1 80" or "6 2001:db8::1 80", at most ZWIN_XDP_SVC_MAX), and
 * a read classifies each as a SYN to it would be now: "proxy" is answered
 * by XDP, anything else is passed to the stack ("nonlocal": a proxied
 * service whose address is not the host's, as on a backup director,
 * which the module cannot answer from). Each write must end with a
 * newline; a line that does not parse empties the list.
 *
 * The loader opens the file for reading and writing. Only such a reader
 * is shown the key, and only its reads count as sending SYN-ACKs: XDP
 * sends them on the module's behalf, so the window in which bare ACKs
 * are checked as cookies (hook.c) stays open while it runs. Any read
 * records the window scale announced, as the module's SYN path does
 * (cookie.c). A plain read (cat, a report tool collecting /proc/net)
 * shows neither the key nor changes anything else.
 *
 * Mode 0600, and both reading and writing need CAP_NET_ADMIN over the
 * namespace, as setting zwin_cookie_key does.
 */

#include <linux/inet.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/route.h>

#include "zwin.h"

#define ZWIN_XDP_NAME		"ip_vs_zwin_xdp"
#define ZWIN_XDP_VERSION	1

static const char *const zwin_class_names[] = {
	[ZWIN_CLS_NONE]		= "none",
	[ZWIN_CLS_PLAIN]	= "plain",
	[ZWIN_CLS_NODEST]	= "nodest",
	[ZWIN_CLS_NONAT]	= "nonat",
	[ZWIN_CLS_PROXY]	= "proxy",
};

/* Whether @s's address is one of @net's own (the module answers from it). */
static bool zwin_xdp_local(struct net *net, const struct zwin_xdp_svc *s)
{
	if (s->af == AF_INET6)
		return ipv6_mod_enabled() &&
		       ipv6_chk_addr(net, &s->addr.in6, NULL, 0);
	return inet_addr_type(net, s->addr.ip) == RTN_LOCAL;
}

static bool zwin_xdp_allowed(const struct file *file, struct net *net)
{
	return file_ns_capable(file, net->user_ns, CAP_NET_ADMIN);
}

static void zwin_xdp_show_keys(struct seq_file *m, struct zwin_net *zn,
			       bool key_too)
{
	siphash_key_t key;
	unsigned int seq;
	s64 off;
	bool shared;
	u32 base;

	do {
		seq = read_seqbegin(&zn->key_lock);
		key = zn->keys.cookie[0];
		shared = zn->keys.shared;
		base = zn->keys.ts_base;
	} while (read_seqretry(&zn->key_lock, seq));
	off = shared ? ktime_get_real_ns() - ktime_get_ns() : 0;
	if (key_too)
		seq_printf(m, "key %016llx %016llx\n", key.key[0], key.key[1]);
	else
		seq_puts(m, "key - -\n");
	memzero_explicit(&key, sizeof(key));
	seq_printf(m, "shared %d\nclock_off_ns %lld\nts_base %u\n", shared, off,
		   base);
}

static int zwin_xdp_show(struct seq_file *m, void *v)
{
	struct net *net = seq_file_single_net(m);
	struct zwin_net *zn = zwin_pernet(net);
	const struct zwin_sysctl *sc = &zn->sysctl;
	bool loader = m->file->f_mode & FMODE_WRITE;
	const struct zwin_xdp_svc *s;
	const char *name;
	int hop_limit = 64;
	unsigned int i;
	int cls;

	if (!zwin_xdp_allowed(m->file, net))
		return -EPERM;
	seq_printf(m, "version %d\nenable %d\n", ZWIN_XDP_VERSION,
		   READ_ONCE(sc->enable));
	zwin_xdp_show_keys(m, zn, loader);
	seq_printf(m, "mss %d\nwscale %u\nsack %d\ntimestamps %d\n",
		   READ_ONCE(sc->mss), zwin_cookie_wscale(zn),
		   READ_ONCE(sc->sack), READ_ONCE(sc->timestamps));
	/* without IPv6 (ipv6.disable=1) there is no devconf to read */
	if (ipv6_mod_enabled() && net->ipv6.devconf_all)
		hop_limit = READ_ONCE(net->ipv6.devconf_all->hop_limit);
	seq_printf(m, "synack_direct %d\nttl %u\nhop_limit %d\n",
		   READ_ONCE(sc->synack_direct),
		   READ_ONCE(net->ipv4.sysctl_ip_default_ttl), hop_limit);
	/* as zwin_client_syn() does */
	if (loader && READ_ONCE(sc->enable))
		WRITE_ONCE(zn->last_synack, jiffies);

	mutex_lock(&zn->xdp_lock);
	for (i = 0; i < zn->xdp_nsvc; i++) {
		s = &zn->xdp_svc[i];
		rcu_read_lock();
		cls = zwin_classify(net, s->af, 0, &s->addr, s->port);
		rcu_read_unlock();
		name = zwin_class_names[cls];
		if (cls == ZWIN_CLS_PROXY && !zwin_xdp_local(net, s))
			name = "nonlocal";
		if (s->af == AF_INET6)
			seq_printf(m, "svc 6 %pI6c %u %s\n", &s->addr.in6,
				   ntohs(s->port), name);
		else
			seq_printf(m, "svc 4 %pI4 %u %s\n", &s->addr.ip,
				   ntohs(s->port), name);
	}
	mutex_unlock(&zn->xdp_lock);
	return 0;
}

/* Parses "4 ADDR PORT" or "6 ADDR PORT" into @s. */
static int zwin_xdp_parse(char *line, struct zwin_xdp_svc *s)
{
	char *fam = strsep(&line, " "), *addr = strsep(&line, " ");
	u16 port;

	if (!fam || !addr || !line || kstrtou16(line, 10, &port))
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->port = htons(port);
	if (!strcmp(fam, "4")) {
		s->af = AF_INET;
		if (!in4_pton(addr, -1, (u8 *)&s->addr.ip, -1, NULL))
			return -EINVAL;
	} else if (!strcmp(fam, "6")) {
		s->af = AF_INET6;
		if (!in6_pton(addr, -1, s->addr.in6.s6_addr, -1, NULL))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	return 0;
}

static int zwin_xdp_write(struct file *file, char *buf, size_t size)
{
	struct seq_file *m = file->private_data;
	struct net *net = seq_file_single_net(m);
	struct zwin_net *zn = zwin_pernet(net);
	struct zwin_xdp_svc s;
	char *line;
	int err = 0;

	if (!zwin_xdp_allowed(file, net))
		return -EPERM;
	/* whole lines only: a line split over two writes would misparse */
	if (!size || buf[size - 1] != '\n')
		return -EINVAL;
	mutex_lock(&zn->xdp_lock);
	while ((line = strsep(&buf, "\n"))) {
		line = strim(line);
		if (!*line)
			continue;
		if (!strcmp(line, "clear")) {
			zn->xdp_nsvc = 0;
			continue;
		}
		err = zwin_xdp_parse(line, &s);
		if (err)
			break;
		if (zn->xdp_nsvc == ZWIN_XDP_SVC_MAX) {
			err = -ENOSPC;
			break;
		}
		if (!zn->xdp_svc) {
			zn->xdp_svc = kvcalloc(ZWIN_XDP_SVC_MAX, sizeof(s),
					       GFP_KERNEL_ACCOUNT);
			if (!zn->xdp_svc) {
				err = -ENOMEM;
				break;
			}
		}
		zn->xdp_svc[zn->xdp_nsvc++] = s;
	}
	/* never a list that is only partly what was meant */
	if (err)
		zn->xdp_nsvc = 0;
	mutex_unlock(&zn->xdp_lock);
	return err;
}

/**
 * zwin_xdp_init() - create @zn's /proc/net/ip_vs_zwin_xdp
 * @zn: the namespace's proxy state
 *
 * Return: 0 or -ENOMEM.
 */
int zwin_xdp_init(struct zwin_net *zn)
{
	mutex_init(&zn->xdp_lock);
	if (!proc_create_net_single_write(ZWIN_XDP_NAME, 0600,
					  zn->net->proc_net, zwin_xdp_show,
					  zwin_xdp_write, NULL))
		return -ENOMEM;
	return 0;
}

/**
 * zwin_xdp_exit() - remove @zn's /proc/net/ip_vs_zwin_xdp and the
 * candidates written to it
 * @zn: the namespace's proxy state
 */
void zwin_xdp_exit(struct zwin_net *zn)
{
	remove_proc_entry(ZWIN_XDP_NAME, zn->net->proc_net);
	kvfree(zn->xdp_svc);
	zn->xdp_svc = NULL;
	zn->xdp_nsvc = 0;
}
