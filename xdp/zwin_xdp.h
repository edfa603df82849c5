/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipvs-zwin XDP front end: the maps shared by the BPF program
 * (zwin_xdp.bpf.c) and its loader (scripts/zwin-xdp), which packs the same
 * layouts (little-endian, no padding other than shown).
 */
#ifndef _ZWIN_XDP_H
#define _ZWIN_XDP_H

#include <linux/types.h>

/* zwin_cfg[0]: what /proc/net/ip_vs_zwin_xdp says, copied by the loader. */
struct zwin_xdp_cfg {
	__u64	key[2];		/* siphash key cookies are made with */
	__s64	clock_off_ns;	/* added to the monotonic clock */
	__u64	valid_until_ns;	/* monotonic: later, every SYN is passed */
	__u32	ts_base;	/* timestamp clock offset */
	__u32	enable;		/* 0: pass everything to the stack */
	__u16	mss4;		/* zwin_mss, capped by routes' mtu, advmss */
	__u16	mss6;		/* ... IPv6 routes' */
	__u8	wscale;		/* the window scale to announce */
	__u8	sack;		/* zwin_sack */
	__u8	ts;		/* zwin_timestamps */
	__u8	ttl;		/* IPv4 TTL of SYN-ACKs */
	__u8	hop_limit;	/* IPv6 hop limit of SYN-ACKs */
	__u8	pad[7];
};				/* 56 bytes */

/*
 * zwin_svcs keys: the services the module classified; values
 * ZWIN_XDP_SVC_*. A port-zero service answers the ports no service of
 * their own has, except, where the address has a port-21 service, the
 * ports IPVS gives that one (20 and the unprivileged ports).
 */
enum {
	ZWIN_XDP_SVC_PASS,	/* not proxied: the stack's */
	ZWIN_XDP_SVC_PROXY,	/* proxied: answered at XDP */
	ZWIN_XDP_SVC_PROXY_NOFTP, /* proxied port zero, FTP data ports not */
};

struct zwin_xdp_svc {
	__u8	af;		/* 4 or 6 */
	__u8	pad;
	__be16	port;		/* 0: a port-zero service, every port */
	__u8	addr[16];	/* IPv4: the first 4 bytes, the rest zero */
};				/* 20 bytes */

/* zwin_stats: per-cpu counters, in this order. */
enum {
	ZWIN_XDP_SYNACK,	/* SYN answered at XDP (XDP_TX) */
	/* SYN to a service dropped: bad checksum, short TCP header */
	ZWIN_XDP_SYN_INVALID,
	/* SYN to a service passed: answer would leave by another device */
	ZWIN_XDP_PASS_ROUTE,
	/* SYN to a service passed: IP options, data, martian source... */
	ZWIN_XDP_PASS_OTHER,
	ZWIN_XDP_STAT_MAX
};

#define ZWIN_XDP_SVC_MAX	4096

#endif /* _ZWIN_XDP_H */
