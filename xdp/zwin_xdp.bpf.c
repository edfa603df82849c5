// SPDX-License-Identifier: GPL-2.0
/*
 * ipvs-zwin XDP front end: answers a bare SYN to a proxied IPVS service at
 * the driver with the zero-window SYN-ACK the module would send, the same
 * cookie and options bit for bit, and XDP_TX. Everything else is passed
 * to the stack: the client's ACK reaches the module, which checks the
 * cookie and does the rest as without XDP.
 *
 * What it needs from the module (the cookie key, its clocks, the sysctls,
 * which services are proxied) its loader, scripts/zwin-xdp, copies from
 * /proc/net/ip_vs_zwin_xdp into the maps below about twice a second. The
 * cookie is ipvs_zwin/cookie.c's: SipHash-2-4 over the same 48 bytes, the
 * same 10 info bits. The SYN-ACK goes to the route's next hop as the
 * module's short way sends it (ipvs_zwin/direct.c), never back to the
 * SYN's source MAC; a SYN whose answer would leave by another device, or
 * whose next hop is not resolved, is passed to the module.
 *
 * A SYN is passed rather than answered whenever the module might treat it
 * differently: VLAN tags, IPv4 options or a bad header checksum,
 * fragments, IPv6 extension headers, data in the SYN, martian sources,
 * frames to another MAC, and every SYN once the loader's copy is more
 * than two seconds old (it died, or the module went). Malformed SYNs to a
 * proxied service are dropped as the module drops them.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "zwin_xdp.h"

#define AF_INET			2
#define AF_INET6		10
#define ZWIN_INFO_BITS		10
#define ZWIN_INFO_MASK		((1U << ZWIN_INFO_BITS) - 1)
#define ZWIN_WSCALE_NONE	15
#define ZWIN_COOKIE_PERIOD	64
#define TCP_MAX_WSCALE		14
#define NSEC_PER_SEC		1000000000ULL
#define NSEC_PER_MSEC		1000000ULL

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct zwin_xdp_cfg);
} zwin_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ZWIN_XDP_SVC_MAX);
	__type(key, struct zwin_xdp_svc);
	__type(value, __u8);
} zwin_svcs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ZWIN_XDP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} zwin_stats SEC(".maps");

/* A SYN's TCP header: option parsing reads it at variable offsets. */
struct zwin_hdr {
	__u8	b[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct zwin_hdr);
} zwin_scratch SEC(".maps");

/* The client's SYN, as the module's cookie sees it. */
struct zwin_syn {
	__u8	caddr[16];
	__u8	vaddr[16];
	__be16	cport;
	__be16	vport;
	__u32	isn;
	__u16	mss;		/* offered, TCP_MSS_DEFAULT if none */
	__u8	wscale;		/* ZWIN_WSCALE_NONE if none */
	__u8	sack;
	__u8	ts;
	__u8	ecn;
	__u32	tsval;
	/* the packet */
	__u8	af;		/* 4 or 6 */
	__u8	nhlen;		/* network header bytes */
	__u8	doff;		/* TCP header bytes */
	__u8	pws;		/* window scale announced (0: none) */
	__u16	tcplen;		/* TCP header and data bytes */
};

static __always_inline int zwin_count(__u32 idx, int verdict)
{
	__u64 *v = bpf_map_lookup_elem(&zwin_stats, &idx);

	if (v)
		*v += 1;
	return verdict;
}

static __always_inline __u64 zwin_rotl(__u64 x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND						\
	do {							\
		v0 += v1; v1 = zwin_rotl(v1, 13); v1 ^= v0;		\
		v0 = zwin_rotl(v0, 32);				\
		v2 += v3; v3 = zwin_rotl(v3, 16); v3 ^= v2;		\
		v0 += v3; v3 = zwin_rotl(v3, 21); v3 ^= v0;		\
		v2 += v1; v1 = zwin_rotl(v1, 17); v1 ^= v2;		\
		v2 = zwin_rotl(v2, 32);				\
	} while (0)

/* SipHash-2-4 of 48 bytes (6 little-endian words), as the kernel's. */
static __always_inline __u64 zwin_siphash48(const __u64 *w, const __u64 *k)
{
	__u64 v0 = 0x736f6d6570736575ULL ^ k[0];
	__u64 v1 = 0x646f72616e646f6dULL ^ k[1];
	__u64 v2 = 0x6c7967656e657261ULL ^ k[0];
	__u64 v3 = 0x7465646279746573ULL ^ k[1];
	__u64 b = 48ULL << 56;
	int i;

#pragma unroll
	for (i = 0; i < 6; i++) {
		v3 ^= w[i];
		SIPROUND;
		SIPROUND;
		v0 ^= w[i];
	}
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* MSS values a cookie can carry (cookie.c's zwin_msstab). */
static __always_inline __u32 zwin_mss_index(__u16 mss)
{
	if (mss >= 8960)
		return 7;
	if (mss >= 1460)
		return 6;
	if (mss >= 1440)
		return 5;
	if (mss >= 1380)
		return 4;
	if (mss >= 1300)
		return 3;
	if (mss >= 1200)
		return 2;
	if (mss >= 536)
		return 1;
	return 0;
}

/*
 * cookie.c's __zwin_cookie_make(): the cookie, and with timestamps the
 * TSval the SYN-ACK carries.
 */
__noinline __u32 zwin_cookie(const struct zwin_xdp_cfg *cfg,
			     const struct zwin_syn *s, __u32 *tsval)
{
	__u32 af, info, mac, period;
	__u64 now;
	struct {
		__u8	caddr[16];
		__u8	vaddr[16];
		__be16	cport;
		__be16	vport;
		__u32	isn;
		__u32	info;
		__u32	period;
	} in;

	if (!cfg || !s || !tsval)
		return 0;
	af = s->af == 4 ? AF_INET : AF_INET6;
	now = bpf_ktime_get_ns() + cfg->clock_off_ns;
	period = (__u32)(now / NSEC_PER_SEC / ZWIN_COOKIE_PERIOD);
	info = (period & 1) << 9 | zwin_mss_index(s->mss) << 6 |
	       (s->wscale & 0xf) << 2 | (s->sack ? 2 : 0) | (s->ecn ? 1 : 0);
	__builtin_memcpy(in.caddr, s->caddr, 16);
	__builtin_memcpy(in.vaddr, s->vaddr, 16);
	in.cport = s->cport;
	in.vport = s->vport;
	in.isn = s->isn;
	in.info = info | (s->ts ? 1U << 31 : 0) | af << 16 |
		  (__u32)s->pws << 24;
	in.period = period;
	mac = (__u32)zwin_siphash48((const __u64 *)&in, cfg->key);
	if (s->ts) {
		*tsval = (((__u32)(now / NSEC_PER_MSEC) + cfg->ts_base) &
			  ~ZWIN_INFO_MASK) | info;
		return mac;
	}
	return (mac << ZWIN_INFO_BITS) | info;
}

/* Folds a sum of 32-bit words into a 16-bit ones' complement checksum. */
static __always_inline __u16 zwin_fold(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* Sum of the 32-bit words of @len bytes (a multiple of 4, at most 60). */
static __always_inline __u64 zwin_sum(void *p, __u32 len)
{
	__s64 r = bpf_csum_diff(0, 0, p, len & 0x3c, 0);

	return r < 0 ? 0 : (__u32)r;
}

/* Sum of an IPv4 or IPv6 pseudo header for TCP. */
static __always_inline __u64 zwin_pseudo(__u8 af, const __u8 *a,
					 const __u8 *b, __u32 len)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	__u64 s = bpf_htonl(IPPROTO_TCP) + bpf_htonl(len);

	if (af == 4)
		return s + x[0] + y[0];
	return s + x[0] + x[1] + x[2] + x[3] + y[0] + y[1] + y[2] + y[3];
}

/* h[i], the index masked where the verifier sees it, not before */
static __always_inline __u8 zwin_byte(const __u8 *h, __u64 i)
{
	asm volatile("" : "+r"(i));
	return h[i & 63];
}

/* The state of zwin_parse()'s walk over the options. */
struct zwin_walk {
	__u64	i;		/* offset in the header */
	__u64	len;		/* header bytes */
	__u32	tsval;
	__u16	mss;
	__u8	wscale;
	__u8	sack;
	__u8	ts;
};

/*
 * One step of options.c's zwin_parse_opts(): skips a NOP or reads one
 * option. Returns 1 at the end, at EOL or at a malformed option. Run by
 * bpf_loop(), so that the verifier checks one step, not every path.
 */
static long zwin_walk_step(__u64 step, struct zwin_walk *w)
{
	__u32 zero = 0;
	struct zwin_hdr *hh = bpf_map_lookup_elem(&zwin_scratch, &zero);
	__u64 i = w->i, len = w->len;
	const __u8 *h;
	__u8 kind, olen, v;

	if (!hh || i >= len || len > 60)
		return 1;
	h = hh->b;
	kind = zwin_byte(h, i);
	if (kind == 1) {		/* NOP */
		w->i = i + 1;
		return 0;
	}
	if (i + 1 >= len || kind == 0)
		return 1;
	olen = zwin_byte(h, i + 1);
	if (olen < 2 || olen > len - i)
		return 1;
	if (kind == 2 && olen == 4) {
		w->mss = zwin_byte(h, i + 2) << 8 | zwin_byte(h, i + 3);
	} else if (kind == 3 && olen == 3) {
		v = zwin_byte(h, i + 2);
		w->wscale = v > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : v;
	} else if (kind == 4 && olen == 2) {
		w->sack = 1;
	} else if (kind == 8 && olen == 10) {
		w->ts = 1;
		w->tsval = (__u32)zwin_byte(h, i + 2) << 24 |
			   (__u32)zwin_byte(h, i + 3) << 16 |
			   (__u32)zwin_byte(h, i + 4) << 8 | zwin_byte(h, i + 5);
	}
	w->i = i + olen;
	return 0;
}

/*
 * options.c's zwin_parse_opts() over the header of @len bytes in the
 * scratch map. Each step consumes at least one of the 40 option bytes.
 */
static __always_inline void zwin_parse(__u64 len, struct zwin_syn *s)
{
	struct zwin_walk w = {
		.i = sizeof(struct tcphdr),
		.len = len,
		.wscale = ZWIN_WSCALE_NONE,
	};

	bpf_loop(40, zwin_walk_step, &w, 0);
	s->mss = w.mss;
	s->wscale = w.wscale;
	s->sack = w.sack;
	s->ts = w.ts;
	s->tsval = w.tsval;
}

/* The SYN-ACK's TCP header and options (options.c's zwin_synack_opts()). */
struct zwin_seg {
	struct tcphdr	th;
	__be32		w[5];
};

static __always_inline __u32 zwin_build_tcp(struct zwin_seg *g,
					    const struct zwin_syn *s,
					    __u32 cookie, __u16 mss,
					    __u32 tsval)
{
	__u32 n = 1;

	__builtin_memset(g, 0, sizeof(*g));
	g->th.source = s->vport;
	g->th.dest = s->cport;
	g->th.seq = bpf_htonl(cookie);
	g->th.ack_seq = bpf_htonl(s->isn + 1);
	g->th.syn = 1;
	g->th.ack = 1;
	g->th.ece = s->ecn;
	g->w[0] = bpf_htonl(2 << 24 | 4 << 16 | mss);
	if (s->ts) {
		g->w[1] = bpf_htonl(s->sack ? 4 << 24 | 2 << 16 | 8 << 8 | 10 :
				    1 << 24 | 1 << 16 | 8 << 8 | 10);
		g->w[2] = bpf_htonl(tsval);
		g->w[3] = bpf_htonl(s->tsval);
		n = 4;
	} else if (s->sack) {
		g->w[1] = bpf_htonl(1 << 24 | 1 << 16 | 4 << 8 | 2);
		n = 2;
	}
	if (s->wscale != ZWIN_WSCALE_NONE) {
		__be32 ws = bpf_htonl(1 << 24 | 3 << 16 | 3 << 8 | s->pws);

		if (n == 1)
			g->w[1] = ws;
		else if (n == 2)
			g->w[2] = ws;
		else
			g->w[4] = ws;
		n++;
	}
	g->th.doff = 5 + n;
	return sizeof(struct tcphdr) + n * 4;
}

/*
 * The answer's next hop and MSS: the route back to the client must leave
 * by the device the SYN came in on and its neighbour be resolved.
 * Returns the advertised MSS (the kernel's advmss for that MTU), 0 if the
 * SYN is to be passed.
 */
static __always_inline __u32 zwin_route(struct xdp_md *ctx,
					const struct zwin_syn *s,
					struct bpf_fib_lookup *p)
{
	__u32 mtu;

	__builtin_memset(p, 0, sizeof(*p));
	p->l4_protocol = IPPROTO_TCP;
	p->sport = s->vport;
	p->dport = s->cport;
	p->ifindex = ctx->ingress_ifindex;
	if (s->af == 4) {
		p->family = AF_INET;
		__builtin_memcpy(&p->ipv4_src, s->vaddr, 4);
		__builtin_memcpy(&p->ipv4_dst, s->caddr, 4);
	} else {
		p->family = AF_INET6;
		__builtin_memcpy(p->ipv6_src, s->vaddr, 16);
		__builtin_memcpy(p->ipv6_dst, s->caddr, 16);
	}
	if (bpf_fib_lookup(ctx, p, sizeof(*p), 0) != BPF_FIB_LKUP_RET_SUCCESS ||
	    p->ifindex != ctx->ingress_ifindex)
		return 0;
	mtu = p->mtu_result;
	/* ipv4_default_advmss(), ip6_default_advmss() */
	if (s->af == 4)
		return mtu > 256 + 40 ? mtu - 40 : 256;
	return mtu > 1220 + 60 ? mtu - 60 : 1220;
}

__noinline int zwin_answer(struct xdp_md *ctx,
			   const struct zwin_xdp_cfg *cfg, struct zwin_syn *s)
{
	__u32 mss, cookie, tsval = 0, seglen, len, nhlen;
	struct bpf_fib_lookup p;
	struct zwin_seg g;
	__u8 af;
	__u64 sum, pseudo;
	union {
		__u8	b[ETH_ALEN];
		__u32	w;
	} dmac;
	struct zwin_hdr *hh;
	const __u8 *hdr;
	__u32 zero = 0;
	int delta;

	hh = bpf_map_lookup_elem(&zwin_scratch, &zero);
	if (!cfg || !s || !hh)
		return XDP_PASS;
	hdr = hh->b;
	nhlen = s->nhlen & 0x3c;
	af = s->af;
	if ((s->doff & 0x3c) < sizeof(struct tcphdr))
		return XDP_PASS;

	/*
	 * nf_checksum() in zwin_client_syn(): a corrupted SYN is dropped.
	 * XDP cannot see a buffer's checksum state: a SYN from a local
	 * sender with checksum offload (a container's veth) carries only
	 * the pseudo header's sum, which the stack trusts. So does this.
	 */
	pseudo = zwin_pseudo(af, s->caddr, s->vaddr, s->tcplen);
	sum = zwin_sum((void *)hdr, s->doff) + pseudo;
	if (zwin_fold(sum) &&
	    ((const struct tcphdr *)hdr)->check != (__u16)~zwin_fold(pseudo))
		return zwin_count(ZWIN_XDP_SYN_INVALID, XDP_DROP);
	zwin_parse(s->doff, s);
	mss = zwin_route(ctx, s, &p);
	if (!mss)
		return zwin_count(ZWIN_XDP_PASS_ROUTE, XDP_PASS);
	/* a frame to another host's MAC (promiscuous device): the stack's */
	if (bpf_xdp_load_bytes(ctx, 0, dmac.b, ETH_ALEN) ||
	    dmac.w != *(__u32 *)p.smac ||
	    *(__u16 *)(dmac.b + 4) != *(__u16 *)(p.smac + 4))
		return zwin_count(ZWIN_XDP_PASS_OTHER, XDP_PASS);
	if (af == 4 && cfg->mss4 < mss)
		mss = cfg->mss4;
	if (af == 6 && cfg->mss6 < mss)
		mss = cfg->mss6;

	/* zwin_client_syn(): what the cookie keeps */
	if (!s->mss)
		s->mss = TCP_MSS_DEFAULT;
	s->sack = s->sack && cfg->sack;
	s->ts = s->ts && cfg->ts;
	s->pws = s->wscale == ZWIN_WSCALE_NONE ? 0 : cfg->wscale;
	cookie = zwin_cookie(cfg, s, &tsval);
	seglen = zwin_build_tcp(&g, s, cookie, mss, tsval);

	len = sizeof(struct ethhdr) + nhlen + seglen;
	delta = (int)len - (int)bpf_xdp_get_buff_len(ctx);
	if (delta && bpf_xdp_adjust_tail(ctx, delta))
		return zwin_count(ZWIN_XDP_PASS_OTHER, XDP_PASS);

	g.th.check = zwin_fold(zwin_sum(&g, seglen) +
			       zwin_pseudo(af, s->vaddr, s->caddr, seglen));
	if (af == 4) {
		struct iphdr ip = {};

		ip.version = 4;
		ip.ihl = 5;
		ip.tot_len = bpf_htons(nhlen + seglen);
		ip.frag_off = bpf_htons(0x4000);	/* DF */
		ip.ttl = cfg->ttl;
		ip.protocol = IPPROTO_TCP;
		__builtin_memcpy(&ip.saddr, s->vaddr, 4);
		__builtin_memcpy(&ip.daddr, s->caddr, 4);
		ip.check = zwin_fold(zwin_sum(&ip, sizeof(ip)));
		if (bpf_xdp_store_bytes(ctx, sizeof(struct ethhdr), &ip,
					sizeof(ip)))
			return XDP_ABORTED;
	} else {
		struct ipv6hdr ip6 = {};

		ip6.version = 6;
		ip6.payload_len = bpf_htons(seglen);
		ip6.nexthdr = IPPROTO_TCP;
		ip6.hop_limit = cfg->hop_limit;
		__builtin_memcpy(&ip6.saddr, s->vaddr, 16);
		__builtin_memcpy(&ip6.daddr, s->caddr, 16);
		if (bpf_xdp_store_bytes(ctx, sizeof(struct ethhdr), &ip6,
					sizeof(ip6)))
			return XDP_ABORTED;
	}
	if (bpf_xdp_store_bytes(ctx, sizeof(struct ethhdr) + nhlen, &g,
				seglen & 0x3c) ||
	    bpf_xdp_store_bytes(ctx, 0, p.dmac, ETH_ALEN) ||
	    bpf_xdp_store_bytes(ctx, ETH_ALEN, p.smac, ETH_ALEN))
		return XDP_ABORTED;
	return zwin_count(ZWIN_XDP_SYNACK, XDP_TX);
}

/* A bare SYN: SYN without ACK, RST or FIN. */
static __always_inline int zwin_bare_syn(const struct tcphdr *th)
{
	return th->syn && !th->ack && !th->rst && !th->fin;
}

/* Whether the service of @k (its port, else port zero) is proxied. */
static __always_inline int zwin_is_svc(struct zwin_xdp_svc *k)
{
	__u16 port = bpf_ntohs(k->port);
	__u8 *v = bpf_map_lookup_elem(&zwin_svcs, k);

	if (v)
		return *v == ZWIN_XDP_SVC_PROXY;
	k->port = 0;
	v = bpf_map_lookup_elem(&zwin_svcs, k);
	if (!v)
		return 0;
	if (*v == ZWIN_XDP_SVC_PROXY_NOFTP)
		return port != 20 && port < 1024;
	return *v == ZWIN_XDP_SVC_PROXY;
}

/*
 * The settings, if the loader's copy of them is fresh and @k a service
 * answered at XDP; else NULL: the SYN is the stack's.
 */
static __always_inline const struct zwin_xdp_cfg *
zwin_cfg_for(struct zwin_xdp_svc *k)
{
	const struct zwin_xdp_cfg *cfg;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&zwin_cfg, &zero);
	if (!cfg || !cfg->enable || bpf_ktime_get_ns() > cfg->valid_until_ns ||
	    !zwin_is_svc(k))
		return 0;
	return cfg;
}

SEC("xdp")
int zwin_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	const struct zwin_xdp_cfg *cfg;
	struct zwin_xdp_svc k = {};
	struct zwin_syn s = {};
	struct tcphdr *th;
	__u32 zero = 0, nhlen, tcplen, doff;
	struct zwin_hdr *hdr;
	__u32 flen;
	__u8 af;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	flen = bpf_xdp_get_buff_len(ctx);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_TCP)
			return XDP_PASS;
		th = (void *)(ip + 1);
		if ((void *)(th + 1) > data_end || !zwin_bare_syn(th))
			return XDP_PASS;
		af = 4;
		nhlen = sizeof(*ip);
		__builtin_memcpy(s.caddr, &ip->saddr, 4);
		__builtin_memcpy(s.vaddr, &ip->daddr, 4);
		k.af = 4;
		k.port = th->dest;
		__builtin_memcpy(k.addr, &ip->daddr, 4);
		cfg = zwin_cfg_for(&k);
		if (!cfg)
			return XDP_PASS;
		/* the stack's own checks first: the module sees no other */
		if (ip->ihl != 5 || ip->version != 4 ||
		    zwin_fold(zwin_sum(ip, sizeof(*ip))) ||
		    (ip->frag_off & bpf_htons(0x3fff)) ||
		    bpf_ntohs(ip->tot_len) > flen - sizeof(*eth) ||
		    bpf_ntohs(ip->tot_len) < sizeof(*ip) + sizeof(*th))
			return zwin_count(ZWIN_XDP_PASS_OTHER, XDP_PASS);
		/* martians, as zwin_af_martian(); the module drops them */
		if (ip->saddr == 0 || ip->saddr == 0xffffffff ||
		    (ip->saddr & bpf_htonl(0xf0000000)) ==
		    bpf_htonl(0xe0000000))
			return zwin_count(ZWIN_XDP_PASS_OTHER, XDP_PASS);
		tcplen = bpf_ntohs(ip->tot_len) - sizeof(*ip);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end ||
		    ip6->nexthdr != IPPROTO_TCP)
			return XDP_PASS;
		th = (void *)(ip6 + 1);
		if ((void *)(th + 1) > data_end || !zwin_bare_syn(th))
			return XDP_PASS;
		af = 6;
		nhlen = sizeof(*ip6);
		__builtin_memcpy(s.caddr, &ip6->saddr, 16);
		__builtin_memcpy(s.vaddr, &ip6->daddr, 16);
		k.af = 6;
		k.port = th->dest;
		__builtin_memcpy(k.addr, &ip6->daddr, 16);
		cfg = zwin_cfg_for(&k);
		if (!cfg)
			return XDP_PASS;
		if (ip6->version != 6 ||
		    bpf_ntohs(ip6->payload_len) >
		    flen - sizeof(*eth) - sizeof(*ip6) ||
		    s.caddr[0] == 0xff)
			return zwin_count(ZWIN_XDP_PASS_OTHER, XDP_PASS);
		tcplen = bpf_ntohs(ip6->payload_len);
	} else {
		return XDP_PASS;
	}

	/* zwin_tcp_full(): a header shorter than 20 or than said is dropped */
	doff = th->doff * 4;
	if (doff < sizeof(*th) || doff > tcplen)
		return zwin_count(ZWIN_XDP_SYN_INVALID, XDP_DROP);
	/* a SYN with data: the module's (it answers and drops the data) */
	if (tcplen != doff)
		return zwin_count(ZWIN_XDP_PASS_OTHER, XDP_PASS);
	s.cport = th->source;
	s.vport = th->dest;
	s.isn = bpf_ntohl(th->seq);
	s.ecn = th->ece && th->cwr;
	s.af = af;
	s.nhlen = nhlen;
	s.doff = doff;
	s.tcplen = tcplen;
	hdr = bpf_map_lookup_elem(&zwin_scratch, &zero);
	if (!hdr ||
	    bpf_xdp_load_bytes(ctx, sizeof(*eth) + nhlen, hdr->b, doff & 0x3c))
		return zwin_count(ZWIN_XDP_PASS_OTHER, XDP_PASS);
	return zwin_answer(ctx, cfg, &s);
}

char _license[] SEC("license") = "GPL";
