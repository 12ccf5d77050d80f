// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Receiver side: count every frame and drop it. A per-CPU array so the fast
 * path takes no lock; the reader sums the CPUs. One counter map serves both
 * sinks:
 * - xcb_sink (XDP, native): counts frames in the veth's NAPI poll, before any
 *   skb exists. Attached in native mode it also switches on the veth's NAPI,
 *   which XDP redirects into it need.
 * - xcb_sink_tc (tc ingress): for frames that never pass the veth's receive
 *   path. bpf_redirect_peer() (the tc engine) hands an skb straight to the
 *   node interface's ingress, so an XDP program there never sees it. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "bench.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xcb_count);
} xcb_sink_count SEC(".maps");

static __always_inline void count(__u64 bytes)
{
	__u32 key = 0;
	struct xcb_count *c = bpf_map_lookup_elem(&xcb_sink_count, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* xdp.frags: native attach on a veth whose peer MTU is above ~3.5 KB
 * (containerlab: 9500) is refused for programs without multi-buffer support. */
SEC("xdp.frags")
int xcb_sink(struct xdp_md *ctx)
{
	count(bpf_xdp_get_buff_len(ctx));
	return XDP_DROP;
}

SEC("tc")
int xcb_sink_tc(struct __sk_buff *skb)
{
	count(skb->len);
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
