/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* Structs shared by the BPF programs (bpf/xconnect.bpf.c) and their users.
 * The TypeScript side encodes the same layouts in src/dataplane/layout.ts:
 * change both together. */
#ifndef XCONNECT_H
#define XCONNECT_H

#include <linux/types.h>

/* Value of the xc_ports map, keyed by the ingress ifindex (u32). Both
 * engines (XDP and tc) read the same entry. Everything about one direction of
 * a wire (the frames entering this port) lives here. */
struct xc_port {
	__u32 partner;   /* egress ifindex (the tc engine redirects to it; XDP uses xc_tx) */
	__u32 flags;     /* XC_PORT_* */
	__u32 slot;      /* index of this port's counters in xc_stats (and its bucket in xc_rate) */
	__u8 peer_mac[6]; /* with XC_PORT_PEER: MAC of the partner's veth peer (the node interface) */
	__u16 reserved;
	/* Impairments, read only with XC_PORT_IMPAIRED. Probabilities are u32
	 * thresholds compared with bpf_get_prandom_u32(); XC_P_ALL means always. */
	__u32 loss;
	__u32 corrupt;   /* flip one random bit at a random offset */
	__u32 duplicate; /* tc engine only: send a second copy */
	__u64 rate;      /* policing rate, bytes per second (0: none) */
	__u32 burst;     /* token bucket depth, bytes */
	__u32 delay_us;  /* tc engine only: EDT delay (needs sch_fq on the partner) */
	__u32 jitter_us; /* uniformly random extra delay, 0..jitter */
	__u32 snaplen;   /* with XC_PORT_CAPTURE: bytes of each frame copied to xc_capture */
};

/* Token bucket of a policed direction, in xc_rate at the port's slot. The
 * bucket may go into debt: a GSO packet larger than the burst still passes
 * when there is any credit, and the debt holds the next ones back, so the
 * long-run rate is exact whatever the packet sizes. */
struct xc_bucket {
	struct bpf_spin_lock lock;
	__u32 reserved;
	__s64 tokens;    /* bytes */
	__u64 last_ns;
};

#define XC_PORT_ADMIN_UP 0x1u
/* tc engine: the partner is a veth whose peer lives in another netns. Unicast
 * frames to that peer's MAC are delivered with bpf_redirect_peer() (no backlog
 * hop); every other frame goes out through the partner's egress, so that the
 * peer's stack classifies it (bpf_redirect_peer marks every frame PACKET_HOST,
 * and a node would then accept unicast frames addressed to someone else). */
#define XC_PORT_PEER 0x2u
/* Some impairment is set: the one branch an unimpaired frame pays. */
#define XC_PORT_IMPAIRED 0x4u
/* A capture is running on this port: frames entering it are copied (up to
 * snaplen) to the xc_capture perf buffer, as the end sent them. */
#define XC_PORT_CAPTURE 0x8u

/* A probability threshold that always fires (a u32 compare alone cannot reach 100%). */
#define XC_P_ALL 0xffffffffu

/* Value of the per-CPU xc_stats array, indexed by xc_port.slot. Packets are
 * frames on the wire: the tc engine counts a GSO packet as its segments. */
struct xc_stats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 redirected;
	__u64 drop_admin;
	__u64 drop_loss;
	__u64 pass_no_partner;
	__u64 drop_rate;
	__u64 corrupted;
	__u64 duplicated;
	__u64 cap_dropped; /* frames a capture could not copy: its buffer was full */
};

/* What precedes each captured frame in the xc_capture perf buffer. */
struct xc_cap_hdr {
	__u64 ts_ns;     /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 ifindex;   /* the port the frame entered */
	__u32 orig_len;  /* the frame's length on the wire (a VLAN tag in metadata included) */
	__u32 cap_len;   /* bytes that follow (the tag held in metadata not included) */
	__u16 vlan_tci;  /* with XC_CAP_VLAN: the tag the stack held in skb metadata */
	__u16 vlan_proto; /* ... and its TPID (network byte order) */
	__u32 flags;     /* XC_CAP_* */
	__u32 reserved;
};

#define XC_CAP_VLAN 0x1u
/* Perf samples carry at most 64 KB; the snaplen is capped below that. */
#define XC_CAP_MAX 65000

/* Ports per lab (8,192 wires). Maps are preallocated, per-CPU ones once per
 * possible CPU: keep this no larger than labs need. */
#define XC_MAX_PORTS 16384

/* The legacy tc engine (kernels without TCX) attaches as a cls_bpf filter at
 * this priority and handle, ahead of containerlab's u32 stitch (which the
 * kernel numbers from 49152 down). */
#define XC_TC_PRIO 1
#define XC_TC_HANDLE 0xc1abu

#endif
