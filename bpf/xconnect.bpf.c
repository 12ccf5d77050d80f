// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The wire: a frame arriving on a port leaves through the port's partner.
 *
 * Maps are keyed by the ingress ifindex. One set of maps serves the ports of
 * one network namespace (ifindexes repeat across namespaces); the loader pins
 * them in a directory per namespace/lab. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xconnect.h"

/* Port configuration, written by the control plane. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XC_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct xc_port);
} xc_ports SEC(".maps");

/* Egress device per ingress port. DEVMAP_HASH rather than DEVMAP: an array
 * devmap needs ifindex < max_entries, and root-netns ifindexes in a big lab
 * pass any fixed bound. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XC_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} xc_tx SEC(".maps");

/* Counters by the slot the control plane gives each port: an array lookup is
 * index arithmetic, where a second hash lookup per frame cost ~14 ns
 * (BENCHMARKS.md). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XC_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct xc_stats);
} xc_stats SEC(".maps");

/* xdp.frags: native XDP on a veth whose peer MTU is above ~3.5 KB (containerlab
 * uses 9500) only attaches with a multi-buffer aware program. */
SEC("xdp.frags")
int xc_wire(struct xdp_md *ctx)
{
	__u32 port = ctx->ingress_ifindex;
	struct xc_port *cfg = bpf_map_lookup_elem(&xc_ports, &port);
	struct xc_stats *st;
	long act;

	/* Not one of ours: let the stack (and a tc stitch beneath us) have it. */
	if (!cfg)
		return XDP_PASS;

	st = bpf_map_lookup_elem(&xc_stats, &cfg->slot);
	if (st) {
		st->rx_packets++;
		st->rx_bytes += bpf_xdp_get_buff_len(ctx);
	}

	if (!(cfg->flags & XC_PORT_ADMIN_UP)) {
		if (st)
			st->drop_admin++;
		return XDP_DROP;
	}

	if (cfg->loss && (cfg->loss == XC_LOSS_ALL || bpf_get_prandom_u32() < cfg->loss)) {
		if (st)
			st->drop_loss++;
		return XDP_DROP;
	}

	/* A missing xc_tx entry (partner deleted: the kernel removes devmap
	 * entries of vanished devices) falls back to XDP_PASS. */
	act = bpf_redirect_map(&xc_tx, port, XDP_PASS);
	if (st) {
		if (act == XDP_REDIRECT)
			st->redirected++;
		else
			st->pass_no_partner++;
	}
	return act;
}

/* For a receiving veth whose NAPI must be on for native redirects into it and
 * whose owner chose an XDP program over GRO for that. */
SEC("xdp.frags")
int xc_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
