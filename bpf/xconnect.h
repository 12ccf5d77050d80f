/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Structs shared by the BPF programs (bpf/xconnect.bpf.c) and their users.
 * The TypeScript side encodes the same layouts in src/dataplane/layout.ts:
 * change both together. */
#ifndef XCONNECT_H
#define XCONNECT_H

#include <linux/types.h>

/* Value of the xc_ports map, keyed by the ingress ifindex (u32). Both
 * engines (XDP and tc) read the same entry. */
struct xc_port {
	__u32 partner;   /* egress ifindex (the tc engine redirects to it; XDP uses xc_tx) */
	__u32 flags;     /* XC_PORT_* */
	__u32 loss;      /* drop when bpf_get_prandom_u32() < loss; see XC_LOSS_ALL */
	__u32 slot;      /* index of this port's counters in xc_stats */
	__u8 peer_mac[6]; /* with XC_PORT_PEER: MAC of the partner's veth peer (the node interface) */
	__u16 reserved;
};

#define XC_PORT_ADMIN_UP 0x1u
/* tc engine: the partner is a veth whose peer lives in another netns. Unicast
 * frames to that peer's MAC are delivered with bpf_redirect_peer() (no backlog
 * hop); every other frame goes out through the partner's egress, so that the
 * peer's stack classifies it (bpf_redirect_peer marks every frame PACKET_HOST,
 * and a node would then accept unicast frames addressed to someone else). */
#define XC_PORT_PEER 0x2u

/* loss == XC_LOSS_ALL drops every frame (a u32 compare alone cannot reach 100%). */
#define XC_LOSS_ALL 0xffffffffu

/* Value of the per-CPU xc_stats array, indexed by xc_port.slot. Packets are
 * frames on the wire: the tc engine counts a GSO packet as its segments. */
struct xc_stats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 redirected;
	__u64 drop_admin;
	__u64 drop_loss;
	__u64 pass_no_partner;
};

/* Ports per lab (8,192 wires). Maps are preallocated, per-CPU ones once per
 * possible CPU: keep this no larger than labs need. */
#define XC_MAX_PORTS 16384

/* The legacy tc engine (kernels without TCX) attaches as a cls_bpf filter at
 * this priority and handle, ahead of containerlab's u32 stitch (which the
 * kernel numbers from 49152 down). */
#define XC_TC_PRIO 1
#define XC_TC_HANDLE 0xc1abu

#endif
