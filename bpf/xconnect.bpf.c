// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The wire: a frame arriving on a port leaves through the port's partner.
 *
 * Two engines share one port config, one set of counters and the same admin
 * and loss rules:
 * - xc_wire (XDP): for ports that receive XDP frames (a NIC's driver). A
 *   veth receiving skbs from a node's stack would have to turn each one into an
 *   xdp_buff and back, which costs more than it saves.
 * - xc_wire_tc (TCX ingress, or a cls_bpf filter on kernels without TCX):
 *   for ports that receive skbs. The skb stays whole (GSO, checksum state,
 *   a VLAN tag held in metadata).
 *
 * Maps are keyed by the ingress ifindex. One set of maps serves the ports of
 * one network namespace (ifindexes repeat across namespaces); the loader pins
 * them in a directory per namespace/lab. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "xconnect.h"

/* TCX_NEXT (TC_ACT_UNSPEC for a cls_bpf filter: "run the next filter"), so a
 * port we do not wire falls through to containerlab's tc stitch. The 6.1 uapi
 * headers Debian 12 ships predate TCX; the values are the same. */
#define XC_TC_NEXT (-1)
#define XC_TC_SHOT 2
#define VLAN_HLEN 4

/* Port configuration, written by the control plane. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XC_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct xc_port);
} xc_ports SEC(".maps");

/* Egress device per ingress port. DEVMAP_HASH rather than DEVMAP: an array
 * devmap needs ifindex < max_entries, and root-netns ifindexes in a big lab
 * pass any fixed bound. The kernel deletes an entry when its device goes,
 * which tells both engines that the partner is gone. */
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

enum xc_verdict { XC_FORWARD, XC_DROP };

/* What both engines decide before they forward: counts the frame(s) and
 * applies admin state and loss. `segs` is how many wire frames the packet
 * stands for (a GSO packet is several). */
static __always_inline enum xc_verdict xc_admit(const struct xc_port *cfg, struct xc_stats *st, __u32 segs, __u32 bytes)
{
	if (st) {
		st->rx_packets += segs;
		st->rx_bytes += bytes;
	}
	if (!(cfg->flags & XC_PORT_ADMIN_UP)) {
		if (st)
			st->drop_admin += segs;
		return XC_DROP;
	}
	if (cfg->loss && (cfg->loss == XC_LOSS_ALL || bpf_get_prandom_u32() < cfg->loss)) {
		if (st)
			st->drop_loss += segs;
		return XC_DROP;
	}
	return XC_FORWARD;
}

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
	if (xc_admit(cfg, st, 1, bpf_xdp_get_buff_len(ctx)) == XC_DROP)
		return XDP_DROP;

	/* A missing xc_tx entry (partner deleted) falls back to XDP_PASS. */
	act = bpf_redirect_map(&xc_tx, port, XDP_PASS);
	if (st) {
		if (act == XDP_REDIRECT)
			st->redirected++;
		else
			st->pass_no_partner++;
	}
	return act;
}

/* Is the frame addressed (unicast) to the partner's node interface? */
static __always_inline int xc_to_peer(struct __sk_buff *skb, const struct xc_port *cfg)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	const __u16 *dst = data;
	const __u16 *mac = (const __u16 *)cfg->peer_mac;

	if (data + ETH_ALEN > data_end)
		return 0;
	return dst[0] == mac[0] && dst[1] == mac[1] && dst[2] == mac[2];
}

SEC("tc")
int xc_wire_tc(struct __sk_buff *skb)
{
	__u32 port = skb->ingress_ifindex;
	struct xc_port *cfg = bpf_map_lookup_elem(&xc_ports, &port);
	struct xc_stats *st;
	__u32 segs, bytes;

	if (!cfg)
		return XC_TC_NEXT;

	st = bpf_map_lookup_elem(&xc_stats, &cfg->slot);
	segs = skb->gso_segs ? skb->gso_segs : 1;
	/* The stack moved an outer VLAN tag into metadata before tc: count the
	 * frame as it was on the wire, as the XDP engine does. */
	bytes = skb->len + (skb->vlan_present ? VLAN_HLEN : 0);
	if (xc_admit(cfg, st, segs, bytes) == XC_DROP)
		return XC_TC_SHOT;

	/* The devmap entry is the kernel's word that the partner still exists. */
	if (!bpf_map_lookup_elem(&xc_tx, &port)) {
		if (st)
			st->pass_no_partner += segs;
		return XC_TC_NEXT;
	}
	if (st)
		st->redirected += segs;
	if ((cfg->flags & XC_PORT_PEER) && xc_to_peer(skb, cfg))
		return bpf_redirect_peer(cfg->partner, 0);
	return bpf_redirect(cfg->partner, 0);
}

/* For a receiving veth whose NAPI must be on for native redirects into it and
 * whose owner chose an XDP program over GRO for that. */
SEC("xdp.frags")
int xc_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
