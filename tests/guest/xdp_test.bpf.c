// SPDX-License-Identifier: GPL-2.0
/*
 * XDP programs the guest scenarios use beside the front end:
 *  - xdp_pass: on the far end of a veth, so that the frames the front end
 *    sends back with XDP_TX are delivered at once (veth only kicks its
 *    peer's NAPI for XDP_TX when the peer has an XDP program);
 *  - xdp_drop_syn: make bench's baseline, every TCP SYN dropped at XDP
 *    (counted in drop_count), everything else passed.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} drop_count SEC(".maps");

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_drop_syn(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *th;
	__u32 zero = 0;
	__u64 *n;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_TCP)
			return XDP_PASS;
		th = (void *)ip + ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != IPPROTO_TCP)
			return XDP_PASS;
		th = (void *)(ip6 + 1);
	} else {
		return XDP_PASS;
	}
	if ((void *)(th + 1) > data_end || !th->syn || th->ack)
		return XDP_PASS;
	n = bpf_map_lookup_elem(&drop_count, &zero);
	if (n)
		*n += 1;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
