/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipvs-zwin: declarations shared by the module's source files.
 */
#ifndef _ZWIN_H
#define _ZWIN_H

#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/seqlock.h>
#include <linux/siphash.h>
#include <linux/tcp.h>
#include <linux/if_ether.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <linux/netfilter.h>
#include <net/netns/generic.h>
#include <net/ip_vs.h>

#define ZWIN_VERSION	"0.1.0"
#define ZWIN_PE_NAME	"zwin"

/*
 * Counters, one set per cpu per network namespace, shown in
 * /proc/net/stat/ip_vs_zwin in this order (names in stats.c).
 */
enum zwin_stat {
	ZWIN_STAT_SYN_SEEN,	/* TCP SYNs examined at PRE_ROUTING */
	ZWIN_STAT_SYN_PLAIN,	/* ... to an IPVS service without the PE */
	ZWIN_STAT_SYN_ZWIN,	/* ... to a zwin service with a NAT server */
	ZWIN_STAT_SYN_NODEST,	/* ... to a zwin service, no usable server */
	ZWIN_STAT_SYN_NONAT,	/* ... to a zwin service, not all NAT */
	ZWIN_STAT_SYN_DISABLED,	/* ... to a zwin service, zwin_enable=0 */
	ZWIN_STAT_SYNACK_SENT,	/* zero-window SYN-ACKs sent */
	ZWIN_STAT_COOKIE_VALID,	/* client ACKs with a valid cookie */
	ZWIN_STAT_COOKIE_INVALID, /* ... with an invalid or expired one */
	ZWIN_STAT_CONN_FULL,	/* valid ACKs refused: table full or no memory */
	ZWIN_STAT_PENDING_FULL,	/* ... too many server connects in progress */
	ZWIN_STAT_ABORTED,	/* connections reset by unload or netns exit */
	ZWIN_STAT_SERVER_SYN,	/* SYNs sent to real servers */
	ZWIN_STAT_SERVER_RETRY,	/* ... of which retransmissions */
	ZWIN_STAT_SERVER_TIMEOUT, /* servers that never answered: client reset */
	ZWIN_STAT_SERVER_REFUSED, /* servers that answered RST: client reset */
	ZWIN_STAT_ESTABLISHED,	/* server handshakes completed */
	ZWIN_STAT_WINDOW_OPEN,	/* window reopen segments sent to clients */
	ZWIN_STAT_TO_SERVER,	/* client packets translated */
	ZWIN_STAT_TO_CLIENT,	/* server packets translated */
	ZWIN_STAT_EARLY_DROP,	/* client packets dropped before the server answered */
	ZWIN_STAT_XMIT_FAIL,	/* packets the proxy could not build or route */
	ZWIN_STAT_SYN_INVALID,	/* SYN+FIN/RST/ACK to a zwin service: dropped */
	ZWIN_STAT_SYN_EXISTING,	/* SYNs of a translated connection: to server */
	ZWIN_STAT_IPVS_CONN,	/* segments of older IPVS connections */
	ZWIN_STAT_ACK_STORM,	/* connections cut off in a duplicate-ACK loop */
	ZWIN_STAT_ORPHANED,	/* ... IPVS stopped forwarding: both reset */
	ZWIN_STAT_RST_IGNORED,	/* RSTs not at the exact next sequence: dropped */
	ZWIN_STAT_ICMP,		/* ICMP errors whose quoted segment was translated */
	ZWIN_STAT_GRO_LIST,	/* fraglist GRO packets, every segment translated */
	ZWIN_STAT_GRO_LIST_FAIL, /* ... that could not be: dropped */
	ZWIN_STAT_COOKIE_PREV,	/* valid cookies made with the previous key */
	ZWIN_STAT_SYNC_RECORD,	/* failover records written for IPVS sync */
	ZWIN_STAT_SYNC_ADOPTED,	/* entries rebuilt from synced records */
	ZWIN_STAT_SYNC_INVALID,	/* segments of synced conns without a valid record */
	ZWIN_STAT_ACK_REUSE,	/* valid cookies replacing a closed conn, same ports */
	ZWIN_STAT_SYNACK_DIRECT, /* SYN-ACKs sent the short way (direct.c) */
	ZWIN_STAT_DIRECT_FALLBACK, /* ... routed: the short way did not apply */
	ZWIN_STAT_MAX
};

struct zwin_cpu_stats {
	unsigned long cnt[ZWIN_STAT_MAX];
};

/* What a SYN's destination is, as far as the proxy is concerned. */
enum zwin_class {
	ZWIN_CLS_NONE,		/* not an IPVS TCP virtual service */
	ZWIN_CLS_PLAIN,		/* an IPVS service without the zwin PE */
	ZWIN_CLS_NODEST,	/* zwin service, no real server can take it */
	ZWIN_CLS_NONAT,		/* zwin service, usable servers are DR/TUN */
	ZWIN_CLS_PROXY,		/* zwin service with a usable NAT server */
};

/* Runtime settings of a namespace: net.ipv4.vs.zwin_* (sysctl.c). */
struct zwin_sysctl {
	int enable;		/* 0 off, 1 services with the PE, 2 all NAT */
	int mss;
	int wscale;
	int sack;
	int timestamps;
	int syn_retries;
	int syn_timeout_ms;
	int max_conns;
	int max_pending;
	int ack_storm;
	int synack_direct;	/* SYN-ACKs the short way when valid */
};

/*
 * The keys of a namespace (key.c): a random one of its own, or the
 * operator's cluster key (net.ipv4.vs.zwin_cookie_key), with the one
 * before it during a rotation. Read under zwin_net.key_lock.
 */
struct zwin_keys {
	siphash_key_t	cookie[2];	/* [0] makes cookies, both check */
	siphash_key_t	record[2];	/* failover records, from cookie[] */
	u32		fp[2];		/* fingerprints of cookie[] */
	u32		ts_base;	/* timestamp clock offset */
	u8		n;		/* keys in use: 1 or 2 */
	bool		shared;		/* the operator's: wall-clock time */
};

/* A virtual service an XDP front end asks about (xdp.c). */
struct zwin_xdp_svc {
	union nf_inet_addr	addr;
	__be16			port;
	u8			af;
};

#define ZWIN_XDP_SVC_MAX	4096

/* Per network namespace state (net_generic). */
struct zwin_net {
	struct net			*net;
	/*
	 * main.c: set up lazily, when the namespace first has an IPVS
	 * service: defragmentation, the hooks after IPVS, the table.
	 */
	bool				active;		/* published by release */
	unsigned long			activating;	/* bit 0: work queued */
	struct work_struct		activate_work;
	struct sk_buff_head		early;		/* ACKs held until then */
	struct mem_cgroup		*memcg;		/* of the creator */
	struct zwin_cpu_stats __percpu	*stats;
	struct ctl_table_header		*sysctl_hdr;
	struct ctl_table		*sysctl_tbl;
	struct zwin_sysctl		sysctl;

	/* key.c, cookie.c */
	seqlock_t			key_lock;	/* writers: sysctl */
	struct zwin_keys		keys;
	unsigned long			last_synack;	/* jiffies */
	bool				sync_seen;	/* IPVS sync ran here */
	/* window scales announced: now, and before the last change */
	u8				ws_cur;
	u8				ws_prev;
	unsigned long			ws_changed;	/* jiffies */

	/* conn.c: proxied connections */
	struct hlist_head		*conn_tbl;
	unsigned int			conn_mask;
	siphash_key_t			conn_key;
	spinlock_t			conn_lock;	/* writers of conn_tbl */
	atomic_t			conn_count;
	atomic_t			pending;	/* in ZWIN_S_SYN_SENT */
	bool				dying;

	/* xdp.c: services an XDP front end asks about */
	struct mutex			xdp_lock;
	struct zwin_xdp_svc		*xdp_svc;	/* ZWIN_XDP_SVC_MAX */
	unsigned int			xdp_nsvc;
};

/* Options a client offered in its SYN, as a cookie keeps them. */
struct zwin_synopts {
	u16	mss;
	u8	wscale;		/* ZWIN_WSCALE_NONE if not offered */
	bool	sack;
	bool	ts;
	bool	ecn;
	u8	pws;		/* scale the proxy announced (0 if none) */
};

#define ZWIN_WSCALE_NONE	15

/* TCP options of one segment (options.c). */
struct zwin_tcpopts {
	u16	mss;
	u8	wscale;		/* ZWIN_WSCALE_NONE if absent */
	bool	sack_ok;
	bool	ts;
	u32	tsval;
	u32	tsecr;
};

enum zwin_conn_state {
	ZWIN_S_SYN_SENT,	/* SYN sent to the real server */
	ZWIN_S_ESTABLISHED,	/* translating */
	ZWIN_S_CLOSING,		/* FIN both ways or RST seen */
	ZWIN_S_RESET,		/* server failed, client reset: quarantine */
};

/*
 * A proxied connection, keyed by client and virtual address/port: 192
 * bytes on x86-64 (three cache lines; keep it there: the last holds what
 * every translated segment reads and writes).
 */
struct zwin_conn {
	struct hlist_node	hnode;
	struct rcu_head		rcu;
	struct zwin_net		*zn;
	struct timer_list	timer;
	spinlock_t		lock;		/* handshake and timer */

	union nf_inet_addr	caddr;
	union nf_inet_addr	vaddr;
	__be16			cport;
	__be16			vport;
	u8			af;
	u8			state;		/* enum zwin_conn_state */
	union {
		u8		syn_tries;	/* until the server answers */
		u8		storm_dirs;	/* then: BIT(0), BIT(1): ways seen */
	};
	u8			swscale;	/* server's, or NONE */
	u8			pwscale;	/* proxy's toward client */
	bool			dead;		/* set under lock, for good */
	bool			fin[2];		/* FIN [0] client [1] server, locked */

	struct zwin_synopts	opts;		/* client's SYN options */
	u16			cwin;		/* client's window field */
	u16			storm_cnt;
	int			ifindex;	/* client's ingress device */
	u32			client_isn;
	u32			proxy_isn;
	u32			delta;		/* proxy_isn - server_isn */
	u32			tsoff;		/* proxy TS - server TS */
	u32			c_nxt;		/* client's next sequence */
	u32			s_nxt;		/* server's next, proxy space */
	u32			c_ack;		/* client's last ack, proxy space */
	u32			s_ack;		/* server's last ack */
	u32			last;		/* jiffies (low 32 bits), last packet */
	union {
		struct {	/* until the server answers (handshake.c) */
			u32	ctsval;		/* client's last TSval */
			u32	ptsval;		/* proxy's SYN-ACK TSval */
		};
		/* then: the last pure ACK each way (ACK storms, rewrite.c) */
		u32		storm_sig[2];	/* [0] to the server */
	};
	u32			storm_t;	/* jiffies, start of the count */
};

extern unsigned int zwin_net_id;
extern struct ip_vs_pe zwin_pe;

static inline struct zwin_net *zwin_pernet(const struct net *net)
{
	return net_generic(net, zwin_net_id);
}

static inline void zwin_stat_inc(struct zwin_net *zn, enum zwin_stat s)
{
	this_cpu_inc(zn->stats->cnt[s]);
}

/* Address and ports of a TCP segment, in the client's direction. */
struct zwin_tuple {
	u8			af;
	union nf_inet_addr	caddr;
	union nf_inet_addr	vaddr;
	__be16			cport;
	__be16			vport;
};

/* key.c */
void zwin_keys_init(struct zwin_net *zn);
int zwin_key_parse(const char *s, siphash_key_t *keys);
int zwin_keys_set(struct zwin_net *zn, const siphash_key_t *keys,
		  unsigned int n);
int zwin_key_sysctl(zwin_ctl_table_t *ctl, int write, void *buffer,
		    size_t *lenp, loff_t *ppos);
int zwin_key_fp_sysctl(zwin_ctl_table_t *ctl, int write, void *buffer,
		       size_t *lenp, loff_t *ppos);

/* cookie.c */
#define ZWIN_COOKIE_PERIOD	64	/* seconds */
#define ZWIN_COOKIE_SKEW	10	/* seconds between cluster directors */
void zwin_cookie_init(struct zwin_net *zn);
u32 zwin_cookie_make(struct zwin_net *zn, const struct zwin_tuple *t,
		     u32 client_isn, const struct zwin_synopts *o, u32 *tsval);
bool zwin_cookie_check(struct zwin_net *zn, const struct zwin_tuple *t,
		       u32 client_isn, u32 cookie, bool has_ts, u32 tsecr,
		       struct zwin_synopts *o);
u32 zwin_ts_now(struct zwin_net *zn);
u8 zwin_cookie_wscale(struct zwin_net *zn);

/* options.c */
void zwin_parse_opts(const u8 *opt, unsigned int len, struct zwin_tcpopts *o);
unsigned int zwin_synack_opts(u8 *p, const struct zwin_synopts *o,
			      u32 tsval, u32 tsecr);
unsigned int zwin_ts_opt(u8 *p, u32 tsval, u32 tsecr);
void zwin_opts_rewrite(struct sk_buff *skb, struct tcphdr *th,
		       struct zwin_conn *c, bool to_server);

/* conn.c */
void zwin_conn_init(struct zwin_net *zn);
int zwin_conn_table_alloc(struct zwin_net *zn);
void zwin_conn_exit(struct zwin_net *zn);
int zwin_conn_cache_create(void);
void zwin_conn_cache_destroy(void);
struct zwin_conn *zwin_conn_find(struct zwin_net *zn,
				 const struct zwin_tuple *t);
struct zwin_conn *zwin_conn_alloc(struct zwin_net *zn,
				  const struct zwin_tuple *t);
void zwin_conn_tuple(const struct zwin_conn *c, struct zwin_tuple *t);
int zwin_conn_insert(struct zwin_conn *c);
void zwin_conn_arm(struct zwin_conn *c, unsigned long timeout);
void zwin_conn_kill(struct zwin_conn *c);
void zwin_conn_touch(struct zwin_conn *c, unsigned long timeout);
bool zwin_conn_abort(struct zwin_conn *c);
unsigned long zwin_conn_timeout(struct zwin_conn *c);

/* af.c */
unsigned int zwin_af_iphdr_len(int af);
void zwin_af_fix_len(struct sk_buff *skb, int af, unsigned int thoff,
		     unsigned int tcplen);
void zwin_af_tcp_csum(struct sk_buff *skb, int af, unsigned int thoff);
struct sk_buff *zwin_af_alloc(struct net *net, const struct zwin_tuple *t,
			      bool from_client, unsigned int tcplen);
bool zwin_af_turn(struct net *net, struct sk_buff *skb,
		  const struct zwin_tuple *t, unsigned int tcplen);
struct dst_entry *zwin_af_route(struct net *net, const struct zwin_tuple *t);
bool zwin_af_martian(const struct dst_entry *dst, const struct zwin_tuple *t);
void zwin_af_output(struct net *net, struct sk_buff *skb,
		    struct dst_entry *dst);

/* direct.c: where the short way sends a SYN-ACK */
struct zwin_direct {
	struct net_device	*dev;
	u8			dest[ETH_ALEN];
};

bool zwin_direct_dev_ok(const struct dst_entry *dst);
bool zwin_direct_route(struct zwin_direct *d, struct dst_entry *dst,
		       const struct zwin_tuple *t);
bool zwin_direct_xmit(struct sk_buff *skb, const struct zwin_direct *d);

/* handshake.c */
unsigned int zwin_client_syn(struct zwin_net *zn, struct sk_buff *skb,
			     const struct zwin_tuple *t, unsigned int thoff);
unsigned int zwin_client_ack(struct zwin_net *zn, struct sk_buff *skb,
			     const struct zwin_tuple *t, unsigned int thoff,
			     struct zwin_conn *old);
unsigned int zwin_server_synack(struct zwin_conn *c, struct sk_buff *skb,
				unsigned int thoff);
void zwin_send_syn(struct zwin_conn *c);
void zwin_reset_client(struct zwin_conn *c);
void zwin_reset_server(struct zwin_conn *c);
void zwin_conn_failed(struct zwin_conn *c);

/* rewrite.c */
unsigned int zwin_to_server(struct zwin_conn *c, struct sk_buff *skb,
			    unsigned int thoff);
unsigned int zwin_to_client(struct zwin_conn *c, struct sk_buff *skb,
			    unsigned int thoff);

/* icmp.c */
unsigned int zwin_icmp(struct zwin_net *zn, struct sk_buff *skb, int af,
		       bool reply);

/* svc.c */
int zwin_svc_init(void);
enum zwin_class zwin_classify(struct net *net, int af, u32 mark,
			      const union nf_inet_addr *daddr, __be16 dport);
struct ip_vs_conn *zwin_ipvs_conn_ref(struct net *net,
				      const struct zwin_tuple *t);
bool zwin_ipvs_conn_live(const struct ip_vs_conn *cp);
bool zwin_ipvs_conn_exists(struct net *net, const struct zwin_tuple *t,
			   bool live);
bool zwin_ipvs_conn_dest(struct net *net, const struct zwin_tuple *t,
			 union nf_inet_addr *daddr, __be16 *dport);

/* sync.c */
#define ZWIN_RECORD_WORDS	6	/* u32s of IPVS's in_seq and out_seq */
struct zwin_record {
	u32	delta;
	u32	tsoff;
	u32	info;		/* ZWIN_RI_* */
	u32	client_isn;
	u64	mac;
};

void zwin_record_encode(struct zwin_net *zn, const struct zwin_record *r,
			const struct zwin_tuple *t,
			const union nf_inet_addr *daddr, __be16 dport,
			u32 *w);
bool zwin_record_decode(struct zwin_net *zn, const u32 *w,
			const struct zwin_tuple *t,
			const union nf_inet_addr *daddr, __be16 dport,
			struct zwin_record *r);
/* zwin_sync_adopt(): IPVS has no synced connection; not a verdict */
#define ZWIN_SYNC_NONE		(~0U)
void zwin_sync_record(struct zwin_conn *c);
unsigned int zwin_sync_adopt(struct zwin_net *zn, struct sk_buff *skb,
			     const struct zwin_tuple *t, unsigned int thoff,
			     bool to_client);

/* hook.c */
int zwin_hooks_register(struct net *net, bool pre);
void zwin_hooks_unregister(struct net *net, bool pre);

/* main.c */
#define ZWIN_EARLY_MAX	64	/* ACKs held while a namespace is set up */
void zwin_activate(struct zwin_net *zn);

/* list.c */
int zwin_list_init(struct zwin_net *zn);
void zwin_list_exit(struct zwin_net *zn);

/* xdp.c */
int zwin_xdp_init(struct zwin_net *zn);
void zwin_xdp_exit(struct zwin_net *zn);

/* sysctl.c */
int zwin_sysctl_init(struct zwin_net *zn);
void zwin_sysctl_exit(struct zwin_net *zn);

/* stats.c */
int zwin_stats_init(struct zwin_net *zn);
void zwin_stats_exit(struct zwin_net *zn);
unsigned long zwin_stat_sum(struct zwin_net *zn, enum zwin_stat s);
extern const char *const zwin_stat_names[ZWIN_STAT_MAX];

#endif /* _ZWIN_H */
