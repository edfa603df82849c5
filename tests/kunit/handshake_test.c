// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the handshakes on real skbs, sent for real (included by
 * handshake.c). The loopback device is brought up, so that the virtual
 * address 127.0.0.2 and the client 127.0.0.3 are local and routed: the
 * SYN-ACK is built, routed and sent through LOCAL_OUT, where a hook of
 * this suite takes it, and what the proxy injects toward the real server
 * is received on lo and taken at PRE_ROUTING before anything else sees it.
 *
 *  1. a client SYN is answered with a zero-window SYN-ACK whose options
 *     follow the client's offer and the zwin_mss, zwin_wscale, zwin_sack
 *     and zwin_timestamps sysctls, and whose ISN is a cookie that checks;
 *  2. the client's ACK of that cookie (or, when it was lost, its first
 *     window probe at the ISN) makes an entry and the client's SYN is
 *     sent to the server with the client's own options; the server's
 *     SYN-ACK becomes the window reopen (its window, the proxy's sequence
 *     and timestamps) and the ACK to the server is sent;
 *  3. an ACK whose acknowledgment is not a cookie is left alone.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/rtnetlink.h>
#include <net/ip.h>

#include "../tests/kunit/fixture.h"

#define ZWIN_HS_VIP	htonl(0x7f000002)	/* 127.0.0.2 */
#define ZWIN_HS_CIP	htonl(0x7f000003)	/* 127.0.0.3 */
#define ZWIN_HS_VPORT	htons(443)
#define ZWIN_HS_CPORT	htons(40000)

/* what LOCAL_OUT saw leave toward the client, PRE_ROUTING from it */
static struct sk_buff_head zwin_hs_out, zwin_hs_in;

static bool zwin_hs_ours(const struct sk_buff *skb, bool to_client)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (iph->protocol != IPPROTO_TCP)
		return false;
	if (to_client)
		return iph->saddr == ZWIN_HS_VIP && iph->daddr == ZWIN_HS_CIP;
	return iph->saddr == ZWIN_HS_CIP && iph->daddr == ZWIN_HS_VIP;
}

static unsigned int zwin_hs_take(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	bool out = state->hook == NF_INET_LOCAL_OUT;

	if (!zwin_hs_ours(skb, out))
		return NF_ACCEPT;
	skb_queue_tail(out ? &zwin_hs_out : &zwin_hs_in, skb);
	return NF_STOLEN;
}

static const struct nf_hook_ops zwin_hs_ops[] = {
	{ .hook = zwin_hs_take, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = INT_MIN },
	{ .hook = zwin_hs_take, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_PRE_ROUTING, .priority = INT_MIN },
};

struct zwin_hs {
	struct zwin_fx fx;
	struct zwin_net *zn;
	struct zwin_sysctl saved;
	struct zwin_tuple t;
};

static int zwin_hs_init(struct kunit *test)
{
	struct net_device *lo = init_net.loopback_dev;
	struct zwin_hs *hs;
	int err = 0;

	hs = kunit_kzalloc(test, sizeof(*hs), GFP_KERNEL);
	if (!hs)
		return -ENOMEM;
	test->priv = hs;
	rtnl_lock();
	if (!(lo->flags & IFF_UP))
		err = dev_open(lo, NULL);	/* adds 127.0.0.1/8 */
	rtnl_unlock();
	if (err)
		return err;
	skb_queue_head_init(&zwin_hs_out);
	skb_queue_head_init(&zwin_hs_in);
	err = nf_register_net_hooks(&init_net, zwin_hs_ops,
				    ARRAY_SIZE(zwin_hs_ops));
	if (err)
		return err;
	err = zwin_fx_open(test, &hs->fx, ZWIN_HS_VIP, ZWIN_HS_VPORT) ?:
	      zwin_fx_add_service(&hs->fx, 0, 0) ?:
	      zwin_fx_add_dest(&hs->fx, htonl(0x0a000101), ZWIN_HS_VPORT,
			       IP_VS_CONN_F_MASQ, 1) ?:
	      zwin_fx_set_pe(&hs->fx, ZWIN_PE_NAME);
	if (err) {
		/* exit() does not run after a failed init */
		if (hs->fx.sock)
			zwin_fx_close(&hs->fx);
		nf_unregister_net_hooks(&init_net, zwin_hs_ops,
					ARRAY_SIZE(zwin_hs_ops));
		return err;
	}
	hs->zn = zwin_pernet(&init_net);
	zwin_activate(hs->zn);
	hs->saved = hs->zn->sysctl;
	hs->t.af = AF_INET;
	hs->t.caddr.ip = ZWIN_HS_CIP;
	hs->t.vaddr.ip = ZWIN_HS_VIP;
	hs->t.cport = ZWIN_HS_CPORT;
	hs->t.vport = ZWIN_HS_VPORT;
	return 0;
}

static void zwin_hs_exit(struct kunit *test)
{
	struct zwin_hs *hs = test->priv;

	nf_unregister_net_hooks(&init_net, zwin_hs_ops,
				ARRAY_SIZE(zwin_hs_ops));
	skb_queue_purge(&zwin_hs_out);
	skb_queue_purge(&zwin_hs_in);
	hs->zn->sysctl = hs->saved;
	zwin_fx_close(&hs->fx);
}

/* A client segment as received on lo; @opts/@optlen its TCP options. */
static struct sk_buff *zwin_hs_skb(struct kunit *test, const struct zwin_hs *hs,
				   u8 flags, u32 seq, u32 ack, u16 win,
				   const u8 *opts, unsigned int optlen)
{
	unsigned int tcplen = sizeof(struct tcphdr) + optlen;
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;

	skb = alloc_skb(LL_MAX_HEADER + sizeof(*iph) + tcplen, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->saddr = ZWIN_HS_CIP;
	iph->daddr = ZWIN_HS_VIP;
	iph->tot_len = htons(sizeof(*iph) + tcplen);
	ip_send_check(iph);
	skb_set_transport_header(skb, sizeof(*iph));
	th = skb_put_zero(skb, tcplen);
	th->source = ZWIN_HS_CPORT;
	th->dest = ZWIN_HS_VPORT;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = tcplen / 4;
	tcp_flag_word(th) |= htonl((u32)flags << 16);
	th->window = htons(win);
	memcpy(th + 1, opts, optlen);
	th->check = tcp_v4_check(tcplen, iph->saddr, iph->daddr,
				 csum_partial(th, tcplen, 0));
	skb->protocol = htons(ETH_P_IP);
	skb->dev = init_net.loopback_dev;
	skb->skb_iif = skb->dev->ifindex;
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/* MSS 1400, SACK-permitted, timestamps (TSval @tsval), window scale 5 */
static unsigned int zwin_hs_synopts(u8 *p, u32 tsval)
{
	static const u8 o[20] = { 2, 4, 0x05, 0x78, 4, 2, 8, 10, 0, 0, 0, 0,
				  0, 0, 0, 0, 1, 3, 3, 5 };

	memcpy(p, o, sizeof(o));
	put_unaligned_be32(tsval, p + 8);
	return sizeof(o);
}

/* Runs @fn on @skb as the PRE_ROUTING hook would: softirq, RCU. */
static unsigned int zwin_hs_run(struct zwin_hs *hs, struct sk_buff *skb,
				bool syn)
{
	unsigned int v;

	local_bh_disable();
	rcu_read_lock();
	v = syn ? zwin_client_syn(hs->zn, skb, &hs->t, ip_hdrlen(skb)) :
		  zwin_client_ack(hs->zn, skb, &hs->t, ip_hdrlen(skb), NULL);
	rcu_read_unlock();
	local_bh_enable();
	return v;
}

/* The next segment taken from @q within a second, or NULL. */
static struct sk_buff *zwin_hs_next(struct sk_buff_head *q)
{
	unsigned long end = jiffies + HZ;
	struct sk_buff *skb;

	while (!(skb = skb_dequeue(q)) && time_before(jiffies, end))
		usleep_range(1000, 2000);
	return skb;
}

/* @skb's TCP header, its checksum checked, its options parsed. */
static struct tcphdr *zwin_hs_tcp(struct kunit *test, struct sk_buff *skb,
				  struct zwin_tcpopts *o)
{
	const struct iphdr *iph;
	struct tcphdr *th;
	unsigned int len;

	KUNIT_ASSERT_EQ(test, skb_linearize(skb), 0);
	iph = ip_hdr(skb);
	KUNIT_ASSERT_EQ(test, ip_fast_csum(iph, iph->ihl), 0);
	len = ntohs(iph->tot_len) - iph->ihl * 4;
	th = (struct tcphdr *)((u8 *)iph + iph->ihl * 4);
	KUNIT_EXPECT_EQ(test, tcp_v4_check(len, iph->saddr, iph->daddr,
					   csum_partial(th, len, 0)), 0);
	memset(o, 0, sizeof(*o));
	zwin_parse_opts((u8 *)(th + 1), th->doff * 4 - sizeof(*th), o);
	return th;
}

struct zwin_hs_case {
	const char *name;
	int mss, wscale, sack, ts;	/* the sysctls */
	bool ecn;			/* the client asks for ECN */
	u16 want_mss;			/* announced to the client */
};

static const struct zwin_hs_case zwin_hs_cases[] = {
	{ "defaults", 1460, 7, 1, 1, false, 1460 },
	{ "ECN asked", 1460, 7, 1, 1, true, 1460 },
	{ "zwin_mss=1000", 1000, 7, 1, 1, false, 1000 },
	{ "zwin_wscale=2", 1460, 2, 1, 1, false, 1460 },
	{ "zwin_sack=0", 1460, 7, 0, 1, false, 1460 },
	{ "zwin_timestamps=0", 1460, 7, 1, 0, false, 1460 },
	{ "all off, zwin_wscale=14", 536, 14, 0, 0, true, 536 },
};

static void zwin_hs_desc(const struct zwin_hs_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zwin_hs, zwin_hs_cases, zwin_hs_desc);

/*
 * Sends the client's SYN (ISN @isn, TSval 777) under the sysctls of @c
 * and checks the SYN-ACK; returns its sequence number (the cookie) and
 * TSval.
 */
static u32 zwin_hs_synack(struct kunit *test, struct zwin_hs *hs,
			  const struct zwin_hs_case *c, u32 isn, u32 *tsval)
{
	unsigned long sent = zwin_stat_sum(hs->zn, ZWIN_STAT_SYNACK_SENT);
	struct zwin_synopts got;
	struct zwin_tcpopts o;
	struct sk_buff *skb;
	struct tcphdr *th;
	u8 opts[20];
	u32 cookie;

	hs->zn->sysctl.mss = c->mss;
	hs->zn->sysctl.wscale = c->wscale;
	hs->zn->sysctl.sack = c->sack;
	hs->zn->sysctl.timestamps = c->ts;
	skb = zwin_hs_skb(test, hs, TCPHDR_SYN |
			  (c->ecn ? TCPHDR_ECE | TCPHDR_CWR : 0), isn, 0, 64240,
			  opts, zwin_hs_synopts(opts, 777));
	KUNIT_ASSERT_EQ(test, zwin_hs_run(hs, skb, true), NF_STOLEN);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(hs->zn, ZWIN_STAT_SYNACK_SENT),
			sent + 1);

	skb = zwin_hs_next(&zwin_hs_out);
	KUNIT_ASSERT_NOT_NULL_MSG(test, skb, "no SYN-ACK left");
	th = zwin_hs_tcp(test, skb, &o);
	KUNIT_EXPECT_EQ(test, th->source, ZWIN_HS_VPORT);
	KUNIT_EXPECT_EQ(test, th->dest, ZWIN_HS_CPORT);
	KUNIT_EXPECT_EQ(test, tcp_flag_word(th) & (TCP_FLAG_SYN | TCP_FLAG_ACK |
			TCP_FLAG_ECE | TCP_FLAG_CWR | TCP_FLAG_RST | TCP_FLAG_FIN),
			TCP_FLAG_SYN | TCP_FLAG_ACK | (c->ecn ? TCP_FLAG_ECE : 0));
	KUNIT_EXPECT_EQ(test, ntohs(th->window), 0);
	KUNIT_EXPECT_EQ(test, ntohl(th->ack_seq), isn + 1);
	KUNIT_EXPECT_EQ(test, o.mss, c->want_mss);
	KUNIT_EXPECT_EQ(test, o.wscale, (u8)c->wscale);
	KUNIT_EXPECT_EQ(test, o.sack_ok, (bool)c->sack);
	KUNIT_EXPECT_EQ(test, o.ts, (bool)c->ts);
	if (c->ts)
		KUNIT_EXPECT_EQ(test, o.tsecr, 777U);
	cookie = ntohl(th->seq);
	*tsval = o.tsval;
	kfree_skb(skb);
	KUNIT_EXPECT_NULL(test, skb_peek(&zwin_hs_out));

	/* the cookie carries the client's offer, as far as it is kept */
	KUNIT_ASSERT_TRUE(test, zwin_cookie_check(hs->zn, &hs->t, isn, cookie,
						  c->ts, *tsval, &got));
	KUNIT_EXPECT_EQ(test, got.mss, 1380);	/* 1400, table floor */
	KUNIT_EXPECT_EQ(test, got.wscale, 5);
	KUNIT_EXPECT_EQ(test, got.sack, (bool)c->sack);
	KUNIT_EXPECT_EQ(test, got.ts, (bool)c->ts);
	KUNIT_EXPECT_EQ(test, got.ecn, c->ecn);
	KUNIT_EXPECT_EQ(test, got.pws, (u8)c->wscale);
	return cookie;
}

static void zwin_test_hs_synack(struct kunit *test)
{
	struct zwin_hs *hs = test->priv;
	u32 tsval;

	zwin_hs_synack(test, hs, test->param_value, get_random_u32(), &tsval);
}

/* Waits (up to a second) for the table to hold @entries entries again. */
static void zwin_hs_drain(struct kunit *test, struct zwin_hs *hs,
			  int entries)
{
	int i;

	for (i = 0; i < 100 && atomic_read(&hs->zn->conn_count) != entries; i++)
		usleep_range(10000, 20000);
	KUNIT_EXPECT_EQ(test, atomic_read(&hs->zn->conn_count), entries);
}

/* The client's ACK (@probe: its window probe instead) to the end. */
static void zwin_hs_complete(struct kunit *test, bool probe)
{
	static const u32 names[] = {
		ZWIN_STAT_COOKIE_VALID, ZWIN_STAT_SERVER_SYN,
		ZWIN_STAT_ESTABLISHED, ZWIN_STAT_WINDOW_OPEN,
	};
	const struct zwin_hs_case *c = &zwin_hs_cases[0];
	struct zwin_hs *hs = test->priv;
	u32 isn = get_random_u32(), cookie, tsval, s_isn = 0x55550000;
	unsigned long before[ARRAY_SIZE(names)];
	int entries, pending, i;
	struct zwin_tcpopts o;
	struct zwin_conn *zc;
	struct sk_buff *skb;
	struct tcphdr *th;
	u8 opts[20];

	for (i = 0; i < ARRAY_SIZE(names); i++)
		before[i] = zwin_stat_sum(hs->zn, names[i]);
	entries = atomic_read(&hs->zn->conn_count);
	pending = atomic_read(&hs->zn->pending);
	cookie = zwin_hs_synack(test, hs, c, isn, &tsval);

	/* NOP NOP TS(778, the SYN-ACK's TSval) */
	memset(opts, TCPOPT_NOP, 2);
	zwin_ts_opt(opts, 778, tsval);
	skb = zwin_hs_skb(test, hs, TCPHDR_ACK, probe ? isn : isn + 1,
			  cookie + 1, 502, opts, TCPOLEN_TSTAMP_ALIGNED);
	KUNIT_ASSERT_EQ(test, zwin_hs_run(hs, skb, false), NF_STOLEN);
	KUNIT_EXPECT_EQ(test, atomic_read(&hs->zn->conn_count), entries + 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&hs->zn->pending), pending + 1);

	/* the client's SYN, with its own options, toward IPVS */
	skb = zwin_hs_next(&zwin_hs_in);
	KUNIT_ASSERT_NOT_NULL_MSG(test, skb, "no SYN toward the server");
	th = zwin_hs_tcp(test, skb, &o);
	KUNIT_EXPECT_EQ(test, tcp_flag_word(th) & (TCP_FLAG_SYN | TCP_FLAG_ACK),
			TCP_FLAG_SYN);
	KUNIT_EXPECT_EQ(test, ntohl(th->seq), isn);
	KUNIT_EXPECT_EQ(test, th->source, ZWIN_HS_CPORT);
	KUNIT_EXPECT_EQ(test, th->dest, ZWIN_HS_VPORT);
	KUNIT_EXPECT_EQ(test, ntohs(th->window), 502U << 5 > 65535 ? 65535 :
			502U << 5);
	KUNIT_EXPECT_EQ(test, o.mss, 1380);
	KUNIT_EXPECT_EQ(test, o.wscale, 5);
	KUNIT_EXPECT_TRUE(test, o.sack_ok);
	KUNIT_EXPECT_TRUE(test, o.ts);
	KUNIT_EXPECT_EQ(test, o.tsval, 778U);
	kfree_skb(skb);

	rcu_read_lock();
	zc = zwin_conn_find(hs->zn, &hs->t);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL(test, zc);
	KUNIT_EXPECT_EQ(test, zc->state, ZWIN_S_SYN_SENT);
	KUNIT_EXPECT_EQ(test, zc->proxy_isn, cookie);
	KUNIT_EXPECT_EQ(test, zc->client_isn, isn);

	/* the server's SYN-ACK, as IPVS hands it back (from the VIP) */
	memset(opts, 0, sizeof(opts));
	opts[0] = 2;
	opts[1] = 4;
	put_unaligned_be16(1460, opts + 2);
	opts[4] = TCPOPT_NOP;
	opts[5] = TCPOPT_NOP;
	zwin_ts_opt(opts + 4, 9000, 778);
	opts[16] = TCPOPT_NOP;
	opts[17] = 3;
	opts[18] = 3;
	opts[19] = 9;		/* the server scales by 9 */
	skb = zwin_hs_skb(test, hs, TCPHDR_SYN | TCPHDR_ACK, s_isn, isn + 1,
			  65160, opts, 20);
	/* turn it around: server to client */
	swap(ip_hdr(skb)->saddr, ip_hdr(skb)->daddr);
	swap(tcp_hdr(skb)->source, tcp_hdr(skb)->dest);
	local_bh_disable();
	KUNIT_ASSERT_EQ(test, zwin_server_synack(zc, skb, ip_hdrlen(skb)),
			NF_ACCEPT);
	local_bh_enable();
	/* ... became the reopen: our sequence, the server's window */
	th = zwin_hs_tcp(test, skb, &o);
	KUNIT_EXPECT_EQ(test, tcp_flag_word(th) & (TCP_FLAG_SYN | TCP_FLAG_ACK),
			TCP_FLAG_ACK);
	KUNIT_EXPECT_EQ(test, ntohl(th->seq), cookie + 1);
	KUNIT_EXPECT_EQ(test, ntohl(th->ack_seq), isn + 1);
	KUNIT_EXPECT_EQ(test, ntohs(th->window), 65160 >> 7);
	KUNIT_EXPECT_TRUE(test, o.ts);
	/* the client's clock of the proxy goes on from the SYN-ACK's */
	KUNIT_EXPECT_EQ(test, o.tsval, tsval);
	KUNIT_EXPECT_EQ(test, o.tsecr, 778U);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, zc->delta, cookie - s_isn);
	KUNIT_EXPECT_EQ(test, zc->swscale, 9);
	KUNIT_EXPECT_EQ(test, atomic_read(&hs->zn->pending), pending);

	/* the ACK to the server, in the client's spaces */
	skb = zwin_hs_next(&zwin_hs_in);
	KUNIT_ASSERT_NOT_NULL_MSG(test, skb, "no ACK toward the server");
	th = zwin_hs_tcp(test, skb, &o);
	KUNIT_EXPECT_EQ(test, tcp_flag_word(th) & (TCP_FLAG_SYN | TCP_FLAG_ACK),
			TCP_FLAG_ACK);
	KUNIT_EXPECT_EQ(test, ntohl(th->seq), isn + 1);
	KUNIT_EXPECT_EQ(test, ntohl(th->ack_seq), cookie + 1);
	KUNIT_EXPECT_EQ(test, ntohs(th->window), 502);
	KUNIT_EXPECT_EQ(test, o.tsval, 778U);
	KUNIT_EXPECT_EQ(test, o.tsecr, tsval);
	kfree_skb(skb);

	for (i = 0; i < ARRAY_SIZE(names); i++)
		KUNIT_EXPECT_EQ_MSG(test, zwin_stat_sum(hs->zn, names[i]),
				    before[i] + 1, "%s",
				    zwin_stat_names[names[i]]);

	/* gone before the next case: its timer unlinks it now */
	local_bh_disable();
	zwin_conn_kill(zc);
	local_bh_enable();
	zwin_hs_drain(test, hs, entries);
}

static void zwin_test_hs_ack(struct kunit *test)
{
	zwin_hs_complete(test, false);
}

/* The client's ACK was lost: its window probe (seq = ISN) completes it. */
static void zwin_test_hs_probe(struct kunit *test)
{
	zwin_hs_complete(test, true);
}

/* An ACK one off the cookie is not one: accepted untouched, no entry. */
static void zwin_test_hs_not_cookie(struct kunit *test)
{
	struct zwin_hs *hs = test->priv;
	unsigned long valid, server;
	u32 isn = get_random_u32(), cookie, tsval;
	int entries = atomic_read(&hs->zn->conn_count);
	struct sk_buff *skb;
	u8 opts[12];

	cookie = zwin_hs_synack(test, hs, &zwin_hs_cases[0], isn, &tsval);
	valid = zwin_stat_sum(hs->zn, ZWIN_STAT_COOKIE_VALID);
	server = zwin_stat_sum(hs->zn, ZWIN_STAT_SERVER_SYN);
	zwin_ts_opt(opts, 778, tsval);
	skb = zwin_hs_skb(test, hs, TCPHDR_ACK, isn + 1, cookie + 2, 502, opts,
			  TCPOLEN_TSTAMP_ALIGNED);
	KUNIT_EXPECT_EQ(test, zwin_hs_run(hs, skb, false), NF_ACCEPT);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(hs->zn, ZWIN_STAT_COOKIE_VALID),
			valid);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(hs->zn, ZWIN_STAT_SERVER_SYN),
			server);
	KUNIT_EXPECT_EQ(test, atomic_read(&hs->zn->conn_count), entries);
	msleep(20);
	KUNIT_EXPECT_NULL(test, skb_peek(&zwin_hs_in));
}

/*
 * The client reused the port of a closed connection and another director
 * answered its SYN: here only the ACK arrives, on the old entry's ports.
 * A segment that is no cookie stays the old connection's; a valid cookie
 * replaces it (ack_reuse) and the server handshake starts.
 */
static void zwin_test_hs_reuse(struct kunit *test)
{
	struct zwin_hs *hs = test->priv;
	int entries = atomic_read(&hs->zn->conn_count);
	u32 isn = get_random_u32(), cookie, tsval;
	struct zwin_conn *old, *zc;
	unsigned long reused;
	struct sk_buff *skb;
	unsigned int v;
	u8 opts[12];
	bool dead;

	old = zwin_conn_alloc(hs->zn, &hs->t);
	KUNIT_ASSERT_NOT_NULL(test, old);
	old->state = ZWIN_S_CLOSING;
	KUNIT_ASSERT_EQ(test, zwin_conn_insert(old), 0);
	reused = zwin_stat_sum(hs->zn, ZWIN_STAT_ACK_REUSE);
	cookie = zwin_hs_synack(test, hs, &zwin_hs_cases[0], isn, &tsval);
	zwin_ts_opt(opts, 778, tsval);

	/* one off the cookie: the old connection's segment */
	skb = zwin_hs_skb(test, hs, TCPHDR_ACK, isn + 1, cookie + 2, 502, opts,
			  TCPOLEN_TSTAMP_ALIGNED);
	local_bh_disable();
	rcu_read_lock();
	v = zwin_client_ack(hs->zn, skb, &hs->t, ip_hdrlen(skb), old);
	rcu_read_unlock();
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, v, NF_ACCEPT);
	kfree_skb(skb);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(old->dead));
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(hs->zn, ZWIN_STAT_ACK_REUSE),
			reused);

	/* the cookie: a new connection in place of the old one */
	skb = zwin_hs_skb(test, hs, TCPHDR_ACK, isn + 1, cookie + 1, 502, opts,
			  TCPOLEN_TSTAMP_ALIGNED);
	local_bh_disable();
	rcu_read_lock();
	v = zwin_client_ack(hs->zn, skb, &hs->t, ip_hdrlen(skb), old);
	/* killed: freed after a grace period, not before */
	dead = READ_ONCE(old->dead);
	zc = zwin_conn_find(hs->zn, &hs->t);
	rcu_read_unlock();
	local_bh_enable();
	if (v != NF_STOLEN)	/* not consumed */
		kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, v, NF_STOLEN);
	KUNIT_EXPECT_TRUE(test, dead);
	KUNIT_EXPECT_EQ(test, zwin_stat_sum(hs->zn, ZWIN_STAT_ACK_REUSE),
			reused + 1);
	KUNIT_ASSERT_NOT_NULL(test, zc);
	KUNIT_EXPECT_PTR_NE(test, zc, old);
	KUNIT_EXPECT_EQ(test, zc->state, ZWIN_S_SYN_SENT);
	KUNIT_EXPECT_EQ(test, zc->proxy_isn, cookie);
	skb = zwin_hs_next(&zwin_hs_in);
	KUNIT_EXPECT_NOT_NULL_MSG(test, skb, "no SYN toward the server");
	kfree_skb(skb);

	local_bh_disable();
	zwin_conn_kill(zc);
	local_bh_enable();
	zwin_hs_drain(test, hs, entries);
}

static struct kunit_case zwin_hs_test_cases[] = {
	KUNIT_CASE_PARAM(zwin_test_hs_synack, zwin_hs_gen_params),
	KUNIT_CASE(zwin_test_hs_ack),
	KUNIT_CASE(zwin_test_hs_probe),
	KUNIT_CASE(zwin_test_hs_not_cookie),
	KUNIT_CASE(zwin_test_hs_reuse),
	{}
};

static struct kunit_suite zwin_hs_suite = {
	.name = "ip_vs_zwin_handshake",
	.init = zwin_hs_init,
	.exit = zwin_hs_exit,
	.test_cases = zwin_hs_test_cases,
};

kunit_test_suite(zwin_hs_suite);
