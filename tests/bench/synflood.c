// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: the benchmark's spoofed SYN flood generator (make bench).
 *
 *   synflood IFNAME DSTMAC DSTIP DPORT SECONDS [SRCNET PREFIXLEN]
 *
 * Sends IPv4 TCP SYNs out of IFNAME as fast as it can for SECONDS, each
 * from a random source address in SRCNET/PREFIXLEN (default 10.0.0.0/8)
 * and a random source port, with the options a Linux client offers (MSS
 * 1460, SACK permitted, timestamps, window scale 7) and correct checksums.
 * Frames are built in userspace and handed to the device through an
 * AF_PACKET raw socket, 64 at a time with sendmmsg(), so that no route,
 * neighbour or socket lookup is paid per packet on the sending side.
 * Prints "sent N seconds S" on stdout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/types.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define FRAME_LEN (14 + 20 + 40)

static __u64 rng = 0x9e3779b97f4a7c15ULL;

static __u32 rnd32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (__u32)(rng >> 16);
}

static __u32 csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *p = data;

	while (len > 1) {
		sum += (__u32)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (__u32)p[0] << 8;
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* One SYN from a random source into FRAME (Ethernet header already set). */
static void build(__u8 *f, __u32 src, __u32 dst, __u16 dport)
{
	__u8 *ip = f + 14, *tcp = ip + 20, pseudo[12];
	__u32 sum;
	__u16 ipid = rnd32();

	memset(ip, 0, 60);
	ip[0] = 0x45;
	put16(ip + 2, 60);
	put16(ip + 4, ipid);
	put16(ip + 6, 0x4000);		/* DF */
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));

	put16(tcp, 1024 + rnd32() % 64000);
	put16(tcp + 2, dport);
	put32(tcp + 4, rnd32());
	tcp[12] = 10 << 4;		/* 40 bytes of header */
	tcp[13] = 0x02;			/* SYN */
	put16(tcp + 14, 64240);
	/* MSS 1460, SACK permitted, timestamps, NOP, window scale 7 */
	tcp[20] = 2; tcp[21] = 4; put16(tcp + 22, 1460);
	tcp[24] = 4; tcp[25] = 2;
	tcp[26] = 8; tcp[27] = 10; put32(tcp + 28, rnd32()); put32(tcp + 32, 0);
	tcp[36] = 1;
	tcp[37] = 3; tcp[38] = 3; tcp[39] = 7;

	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	put16(pseudo + 10, 40);
	sum = csum_add(csum_add(0, pseudo, 12), tcp, 40);
	put16(tcp + 16, csum_fold(sum));
}

static int parse_mac(const char *s, __u8 *mac)
{
	unsigned int m[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = m[i];
	return 0;
}

int main(int argc, char **argv)
{
	static __u8 frames[BATCH][FRAME_LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll sll;
	__u8 dmac[6], smac[6] = { 0x02, 0, 0, 0, 0, 1 };
	struct in_addr dst, net;
	__u32 mask, base;
	unsigned long long sent = 0;
	double secs, t0, t;
	int fd, i, n, plen = 8;
	unsigned int ifindex;
	__u16 dport;
	char path[128];
	FILE *f;

	if (argc != 6 && argc != 8) {
		fprintf(stderr, "usage: %s IFNAME DSTMAC DSTIP DPORT SECONDS [SRCNET PREFIXLEN]\n",
			argv[0]);
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex || parse_mac(argv[2], dmac) || !inet_aton(argv[3], &dst)) {
		fprintf(stderr, "synflood: bad interface, MAC or address\n");
		return 2;
	}
	dport = atoi(argv[4]);
	secs = atof(argv[5]);
	inet_aton("10.0.0.0", &net);
	if (argc == 8) {
		if (!inet_aton(argv[6], &net)) {
			fprintf(stderr, "synflood: bad source network\n");
			return 2;
		}
		plen = atoi(argv[7]);
	}
	mask = plen <= 0 ? 0 : plen >= 32 ? ~0U : ~0U << (32 - plen);
	base = ntohl(net.s_addr) & mask;
	/* our own MAC as source, when sysfs shows it */
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", argv[1]);
	f = fopen(path, "r");
	if (f) {
		char buf[64];

		if (fgets(buf, sizeof(buf), f))
			parse_mac(buf, smac);
		fclose(f);
	}
	rng ^= (__u64)getpid() << 32 ^ (__u64)(now() * 1e6);

	fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: send only */
	if (fd < 0) {
		perror("synflood: socket");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dmac, 6);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("synflood: bind");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		memcpy(frames[i], dmac, 6);
		memcpy(frames[i] + 6, smac, 6);
		frames[i][12] = 0x08;
		frames[i][13] = 0x00;
		iov[i].iov_base = frames[i];
		iov[i].iov_len = FRAME_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	t0 = now();
	do {
		for (i = 0; i < BATCH; i++)
			build(frames[i], base | (rnd32() & ~mask),
			      ntohl(dst.s_addr), dport);
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0) {
			sent += n;
		} else if (n < 0 && errno != ENOBUFS && errno != EAGAIN &&
			   errno != EINTR) {
			perror("synflood: sendmmsg");
			return 1;
		}
		t = now();
	} while (t - t0 < secs);
	printf("sent %llu seconds %.3f\n", sent, t - t0);
	return 0;
}
