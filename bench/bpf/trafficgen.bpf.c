// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Generator side: run by BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES, never
 * attached. Every run of the program turns the template frame handed to the
 * syscall into a live frame; returning XDP_REDIRECT makes the kernel transmit
 * it through ndo_xdp_xmit of the target device. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bench.h"

/* Set by the loader before load. */
const volatile __u32 tx_ifindex = 0;
/* 1: drop every frame (measures the generator alone, nothing is sent). */
const volatile __u32 dry_run = 0;

/* Frames offered, per CPU. Counting here rather than from the syscall's repeat
 * count lets one syscall run for the whole measurement (each syscall sets up
 * and tears down a page_pool, which on this kernel costs an RCU grace period,
 * ~25 ms) and lets the loader read a precise window while it runs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xcb_count);
} xcb_gen_count SEC(".maps");

SEC("xdp")
int xcb_gen(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct xcb_count *c = bpf_map_lookup_elem(&xcb_gen_count, &key);

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	if (dry_run)
		return XDP_DROP;
	return bpf_redirect(tx_ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
