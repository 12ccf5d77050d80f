/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Structs shared by the BPF programs (bpf/xconnect.bpf.c) and their users.
 * The TypeScript side encodes the same layouts in src/dataplane/layout.ts:
 * change both together. */
#ifndef XCONNECT_H
#define XCONNECT_H

#ifdef __BPF__
#include <linux/types.h>
#else
#include <stdint.h>
typedef uint32_t __u32;
typedef uint64_t __u64;
#endif

/* Value of the xc_ports map, keyed by the ingress ifindex (u32). */
struct xc_port {
	__u32 partner;   /* egress ifindex, informational; xc_tx holds the device */
	__u32 flags;     /* XC_PORT_* */
	__u32 loss;      /* drop when bpf_get_prandom_u32() < loss; see XC_LOSS_ALL */
	__u32 slot;      /* index of this port's counters in xc_stats */
};

#define XC_PORT_ADMIN_UP 0x1u
/* loss == XC_LOSS_ALL drops every frame (a u32 compare alone cannot reach 100%). */
#define XC_LOSS_ALL 0xffffffffu

/* Value of the per-CPU xc_stats array, indexed by xc_port.slot. */
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

#endif
