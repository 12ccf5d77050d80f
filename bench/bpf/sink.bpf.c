// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Receiver side: count every frame and drop it. A per-CPU array so the fast
 * path takes no lock; the reader sums the CPUs. Attached in native mode, it
 * also switches on the veth's NAPI, which XDP redirects into it need. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bench.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xcb_count);
} xcb_sink_count SEC(".maps");

/* xdp.frags: native attach on a veth whose peer MTU is above ~3.5 KB
 * (containerlab: 9500) is refused for programs without multi-buffer support. */
SEC("xdp.frags")
int xcb_sink(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct xcb_count *c = bpf_map_lookup_elem(&xcb_sink_count, &key);

	if (c) {
		c->packets++;
		c->bytes += bpf_xdp_get_buff_len(ctx);
	}
	return XDP_DROP;
}

/* Only switches NAPI on (for a veth that must receive XDP redirects). */
SEC("xdp.frags")
int xcb_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
