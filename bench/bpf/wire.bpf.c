// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The bench's stand-in wire, until src/dataplane lands: the same datapath as
 * bpf/xconnect.bpf.c (DEVMAP_HASH keyed by ingress ifindex) without the port
 * config, stats and loss knobs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} xcb_wire_tx SEC(".maps");

SEC("xdp.frags")
int xcb_wire(struct xdp_md *ctx)
{
	return bpf_redirect_map(&xcb_wire_tx, ctx->ingress_ifindex, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
