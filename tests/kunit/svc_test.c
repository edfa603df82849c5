// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: zwin_classify() on real IPVS services (included by svc.c).
 */

#include <kunit/test.h>

#include "../tests/kunit/fixture.h"

#define ZWIN_T_VIP	htonl(0xc0000201)	/* 192.0.2.1 */
#define ZWIN_T_PORT	htons(80)

struct zwin_cls_case {
	const char *name;
	const char *pe;			/* PE on the service, or NULL */
	bool persistent;
	int ndests;
	struct {
		unsigned int fwd;
		int weight;
	} dests[3];
	__be16 probe_port;		/* 0: the service's port */
	enum zwin_class want;
	int enable;			/* zwin_enable; 0 here means 1 */
};

#define NAT	IP_VS_CONN_F_MASQ
#define DR	IP_VS_CONN_F_DROUTE
#define TUN	IP_VS_CONN_F_TUNNEL

static const struct zwin_cls_case zwin_cls_cases[] = {
	{ "plain service, NAT server", NULL, false, 1, {{ NAT, 1 }},
	  0, ZWIN_CLS_PLAIN },
	{ "zwin, no real server", "zwin", false, 0, {},
	  0, ZWIN_CLS_NODEST },
	{ "zwin, one NAT server", "zwin", false, 1, {{ NAT, 1 }},
	  0, ZWIN_CLS_PROXY },
	{ "zwin, NAT server of weight 0", "zwin", false, 1, {{ NAT, 0 }},
	  0, ZWIN_CLS_NODEST },
	{ "zwin, DR server only", "zwin", false, 1, {{ DR, 1 }},
	  0, ZWIN_CLS_NONAT },
	{ "zwin, TUN server only", "zwin", false, 1, {{ TUN, 1 }},
	  0, ZWIN_CLS_NONAT },
	{ "zwin, DR then NAT", "zwin", false, 2, {{ DR, 1 }, { NAT, 1 }},
	  0, ZWIN_CLS_NONAT },
	{ "zwin, NAT then DR", "zwin", false, 2, {{ NAT, 1 }, { DR, 1 }},
	  0, ZWIN_CLS_NONAT },
	{ "zwin, NAT and DR of weight 0", "zwin", false, 2,
	  {{ NAT, 1 }, { DR, 0 }}, 0, ZWIN_CLS_PROXY },
	{ "zwin, NAT weight 0 and DR", "zwin", false, 2, {{ NAT, 0 }, { DR, 2 }},
	  0, ZWIN_CLS_NONAT },
	{ "zwin, persistent service", "zwin", true, 1, {{ NAT, 1 }},
	  0, ZWIN_CLS_PROXY },
	{ "zwin, SYN to another port", "zwin", false, 1, {{ NAT, 1 }},
	  htons(81), ZWIN_CLS_NONE },
	/* zwin_enable=2: every NAT service, marked or not */
	{ "enable 2, plain service, NAT server", NULL, false, 1, {{ NAT, 1 }},
	  0, ZWIN_CLS_PROXY, 2 },
	{ "enable 2, plain service, DR server", NULL, false, 1, {{ DR, 1 }},
	  0, ZWIN_CLS_PLAIN, 2 },
	{ "enable 2, plain service, NAT and DR", NULL, false, 2,
	  {{ NAT, 1 }, { DR, 1 }}, 0, ZWIN_CLS_PLAIN, 2 },
	{ "enable 2, plain service, no server", NULL, false, 0, {},
	  0, ZWIN_CLS_NODEST, 2 },
	{ "enable 2, zwin, DR server", "zwin", false, 1, {{ DR, 1 }},
	  0, ZWIN_CLS_NONAT, 2 },
};

static void zwin_cls_desc(const struct zwin_cls_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(zwin_cls, zwin_cls_cases, zwin_cls_desc);

static void zwin_test_classify(struct kunit *test)
{
	const struct zwin_cls_case *c = test->param_value;
	union nf_inet_addr daddr = { .ip = ZWIN_T_VIP };
	struct zwin_fx fx;
	enum zwin_class got;
	int i, err;

	KUNIT_ASSERT_EQ(test, zwin_fx_open(test, &fx, ZWIN_T_VIP, ZWIN_T_PORT),
			0);
	err = zwin_fx_add_service(&fx, c->persistent ?
				  IP_VS_SVC_F_PERSISTENT : 0, 60);
	KUNIT_ASSERT_EQ(test, err, 0);
	for (i = 0; i < c->ndests; i++) {
		err = zwin_fx_add_dest(&fx, htonl(0x0a000001 + i), htons(8080),
				       c->dests[i].fwd, c->dests[i].weight);
		KUNIT_ASSERT_EQ(test, err, 0);
	}
	if (c->pe)
		KUNIT_ASSERT_EQ(test, 0, zwin_fx_set_pe(&fx, c->pe));

	WRITE_ONCE(zwin_pernet(&init_net)->sysctl.enable,
		   c->enable ? c->enable : 1);
	rcu_read_lock();
	got = zwin_classify(&init_net, AF_INET, 0, &daddr,
			    c->probe_port ? c->probe_port : ZWIN_T_PORT);
	rcu_read_unlock();
	WRITE_ONCE(zwin_pernet(&init_net)->sysctl.enable, 1);
	KUNIT_EXPECT_EQ(test, got, c->want);

	zwin_fx_close(&fx);
}

static enum zwin_class zwin_t_classify(const union nf_inet_addr *daddr)
{
	return zwin_classify(&init_net, AF_INET, 0, daddr, ZWIN_T_PORT);
}

/* With no service at all IPVS is disabled in the namespace. */
static void zwin_test_classify_no_ipvs(struct kunit *test)
{
	union nf_inet_addr daddr = { .ip = ZWIN_T_VIP };
	struct zwin_fx fx;

	KUNIT_ASSERT_EQ(test, zwin_fx_open(test, &fx, ZWIN_T_VIP, ZWIN_T_PORT),
			0);
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, zwin_t_classify(&daddr), ZWIN_CLS_NONE);
	rcu_read_unlock();
	zwin_fx_close(&fx);
}

/* Removing the PE (ipvsadm -E without --pe) turns the proxy off. */
static void zwin_test_classify_pe_removed(struct kunit *test)
{
	union nf_inet_addr daddr = { .ip = ZWIN_T_VIP };
	struct zwin_fx fx;

	KUNIT_ASSERT_EQ(test, zwin_fx_open(test, &fx, ZWIN_T_VIP, ZWIN_T_PORT),
			0);
	KUNIT_ASSERT_EQ(test, 0, zwin_fx_add_service(&fx, 0, 0));
	KUNIT_ASSERT_EQ(test, zwin_fx_add_dest(&fx, htonl(0x0a000001),
					       htons(80), NAT, 1), 0);
	KUNIT_ASSERT_EQ(test, 0, zwin_fx_set_pe(&fx, "zwin"));
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, zwin_t_classify(&daddr), ZWIN_CLS_PROXY);
	rcu_read_unlock();
	KUNIT_ASSERT_EQ(test, 0, zwin_fx_set_pe(&fx, NULL));
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, zwin_t_classify(&daddr), ZWIN_CLS_PLAIN);
	rcu_read_unlock();
	zwin_fx_close(&fx);
}

/*
 * Firewall-mark services (ipvsadm -f): found by the packet's mark first,
 * as IPVS finds them, then the address service of the same VIP:port.
 */
static void zwin_test_classify_fwmark(struct kunit *test)
{
	union nf_inet_addr daddr = { .ip = ZWIN_T_VIP };
	struct zwin_fx fx;
	enum zwin_class got[4];

	KUNIT_ASSERT_EQ(test, zwin_fx_open(test, &fx, ZWIN_T_VIP, ZWIN_T_PORT),
			0);
	/* a plain address service of the VIP:port */
	KUNIT_ASSERT_EQ(test, 0, zwin_fx_add_service(&fx, 0, 0));
	KUNIT_ASSERT_EQ(test, zwin_fx_add_dest(&fx, htonl(0x0a000001),
					       htons(80), NAT, 1), 0);
	/* and fwmark 7 with the PE and a NAT server */
	fx.fwmark = 7;
	KUNIT_ASSERT_EQ(test, 0, zwin_fx_add_service(&fx, 0, 0));
	KUNIT_ASSERT_EQ(test, zwin_fx_add_dest(&fx, htonl(0x0a000002),
					       htons(80), NAT, 1), 0);
	KUNIT_ASSERT_EQ(test, 0, zwin_fx_set_pe(&fx, "zwin"));
	rcu_read_lock();
	got[0] = zwin_classify(&init_net, AF_INET, 7, &daddr, ZWIN_T_PORT);
	got[1] = zwin_classify(&init_net, AF_INET, 0, &daddr, ZWIN_T_PORT);
	got[2] = zwin_classify(&init_net, AF_INET, 8, &daddr, ZWIN_T_PORT);
	/* a mark service serves every address and port */
	daddr.ip = htonl(0xc6336401);
	got[3] = zwin_classify(&init_net, AF_INET, 7, &daddr, htons(443));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ_MSG(test, got[0], ZWIN_CLS_PROXY, "mark 7");
	KUNIT_EXPECT_EQ_MSG(test, got[1], ZWIN_CLS_PLAIN, "no mark");
	KUNIT_EXPECT_EQ_MSG(test, got[2], ZWIN_CLS_PLAIN, "mark 8, no such service");
	KUNIT_EXPECT_EQ_MSG(test, got[3], ZWIN_CLS_PROXY,
			    "mark 7, another address and port");
	/* without the PE the mark service is plain */
	KUNIT_ASSERT_EQ(test, 0, zwin_fx_set_pe(&fx, NULL));
	rcu_read_lock();
	got[0] = zwin_classify(&init_net, AF_INET, 7, &daddr, htons(443));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ_MSG(test, got[0], ZWIN_CLS_PLAIN, "mark 7, no PE");
	zwin_fx_close(&fx);
}

#undef NAT
#undef DR
#undef TUN

static struct kunit_case zwin_svc_cases[] = {
	KUNIT_CASE_PARAM(zwin_test_classify, zwin_cls_gen_params),
	KUNIT_CASE(zwin_test_classify_no_ipvs),
	KUNIT_CASE(zwin_test_classify_pe_removed),
	KUNIT_CASE(zwin_test_classify_fwmark),
	{}
};

static struct kunit_suite zwin_svc_suite = {
	.name = "ip_vs_zwin_svc",
	.test_cases = zwin_svc_cases,
};

kunit_test_suite(zwin_svc_suite);
