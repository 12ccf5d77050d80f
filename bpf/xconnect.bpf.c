// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* The wire: a frame arriving on a port leaves through the port's partner.
 *
 * Two engines share one port config, one set of counters and the same admin,
 * loss and impairment rules:
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
#define NSEC_PER_SEC 1000000000ull
#define XC_TSTAMP_DELIVERY_MONO 1 /* BPF_SKB_TSTAMP_DELIVERY_MONO (5.18+) */

/* Set false by the loader to build the wire without its impairment code (the
 * verifier then drops it): the benchmark's measure of what that code costs an
 * unimpaired wire. */
const volatile __u8 xc_impairments = 1;

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

/* Token buckets of policed directions, by slot. Shared by all CPUs (a rate
 * is one rate), hence the spin lock. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XC_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct xc_bucket);
} xc_rate SEC(".maps");

/* Frames copied by a running capture (`clab-xconnect capture`), one ring per
 * CPU; the reader sets the entries. Its size is the number of CPUs (libbpf). */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} xc_capture SEC(".maps");

#define COUNT(st, field, n) \
	do {                    \
		if (st)             \
			(st)->field += (n); \
	} while (0)

static __always_inline int xc_chance(__u32 threshold)
{
	return threshold && (threshold == XC_P_ALL || bpf_get_prandom_u32() < threshold);
}

/* Whether `bytes` more may pass at the direction's rate (policing: no queue). */
static __always_inline int xc_police(const struct xc_port *cfg, __u32 bytes)
{
	__u32 slot = cfg->slot;
	struct xc_bucket *b = bpf_map_lookup_elem(&xc_rate, &slot);
	__u64 now = bpf_ktime_get_ns(), elapsed;
	__s64 tokens;
	int pass;

	if (!b)
		return 1;
	bpf_spin_lock(&b->lock);
	elapsed = now - b->last_ns;
	/* A second's worth refills any bucket, and keeps elapsed * rate in u64. */
	if (elapsed > NSEC_PER_SEC)
		elapsed = NSEC_PER_SEC;
	tokens = b->tokens + (__s64)(elapsed * cfg->rate / NSEC_PER_SEC);
	if (tokens > (__s64)cfg->burst)
		tokens = cfg->burst;
	pass = tokens > 0;
	if (pass)
		tokens -= bytes;
	b->tokens = tokens;
	b->last_ns = now;
	bpf_spin_unlock(&b->lock);
	return pass;
}

enum xc_verdict { XC_FORWARD, XC_DROP };

/* What both engines decide before anything touches the frame: counts it and
 * applies admin state, loss and the rate. `segs` is how many wire frames the
 * packet stands for (a GSO packet is several). */
static __always_inline enum xc_verdict xc_admit(const struct xc_port *cfg, struct xc_stats *st, __u32 segs, __u32 bytes)
{
	COUNT(st, rx_packets, segs);
	COUNT(st, rx_bytes, bytes);
	if (!(cfg->flags & XC_PORT_ADMIN_UP)) {
		COUNT(st, drop_admin, segs);
		return XC_DROP;
	}
	if (!xc_impairments || !(cfg->flags & XC_PORT_IMPAIRED))
		return XC_FORWARD;
	if (xc_chance(cfg->loss)) {
		COUNT(st, drop_loss, segs);
		return XC_DROP;
	}
	if (cfg->rate && !xc_police(cfg, bytes)) {
		COUNT(st, drop_rate, segs);
		return XC_DROP;
	}
	return XC_FORWARD;
}

/* The bytes of a frame to copy, and the perf flags that ask the kernel to
 * append them (from the packet, whatever its layout) after the header. */
static __always_inline __u64 xc_cap_flags(const struct xc_port *cfg, __u32 len, struct xc_cap_hdr *h)
{
	__u32 cap = len < cfg->snaplen ? len : cfg->snaplen;

	if (cap > XC_CAP_MAX)
		cap = XC_CAP_MAX;
	h->ts_ns = bpf_ktime_get_ns();
	h->cap_len = cap;
	return BPF_F_CURRENT_CPU | ((__u64)cap << 32);
}

/* A random byte offset into the first `len` bytes, and a random bit. */
static __always_inline __u32 xc_flip_at(__u32 len, __u8 *bit)
{
	__u32 r = bpf_get_prandom_u32();

	*bit = 1 << (r & 7);
	return (r >> 3) % len;
}

/* xdp.frags: native XDP on a veth whose peer MTU is above ~3.5 KB (containerlab
 * uses 9500) only attaches with a multi-buffer aware program. */
SEC("xdp.frags")
int xc_wire(struct xdp_md *ctx)
{
	__u32 port = ctx->ingress_ifindex;
	struct xc_port *cfg = bpf_map_lookup_elem(&xc_ports, &port);
	struct xc_stats *st;
	__u32 len;
	long act;

	/* Not one of ours: let the stack (and a tc stitch beneath us) have it. */
	if (!cfg)
		return XDP_PASS;

	st = bpf_map_lookup_elem(&xc_stats, &cfg->slot);
	/* A helper call (the frame may have frags): once per frame. */
	len = bpf_xdp_get_buff_len(ctx);
	/* A capture sees what the end sent, before the wire drops or changes it. */
	if (cfg->flags & XC_PORT_CAPTURE) {
		struct xc_cap_hdr h = { .ifindex = port, .orig_len = len };
		__u64 flags = xc_cap_flags(cfg, len, &h);

		if (bpf_perf_event_output(ctx, &xc_capture, flags, &h, sizeof(h)) < 0)
			COUNT(st, cap_dropped, 1);
	}
	if (xc_admit(cfg, st, 1, len) == XC_DROP)
		return XDP_DROP;

	/* Duplication and delay need an skb: the control plane keeps them off
	 * XDP ports (it moves such a port to the tc engine). */
	if (xc_impairments && (cfg->flags & XC_PORT_IMPAIRED) && xc_chance(cfg->corrupt)) {
		/* In the linear part, as a one-buffer frame has it. */
		__u32 head = ctx->data_end - ctx->data;
		__u8 bit, byte;
		__u32 off;

		if (head) {
			off = xc_flip_at(head, &bit);
			if (!bpf_xdp_load_bytes(ctx, off, &byte, 1)) {
				byte ^= bit;
				if (!bpf_xdp_store_bytes(ctx, off, &byte, 1))
					COUNT(st, corrupted, 1);
			}
		}
	}

	/* A missing xc_tx entry (partner deleted) falls back to XDP_PASS. */
	act = bpf_redirect_map(&xc_tx, port, XDP_PASS);
	if (act == XDP_REDIRECT)
		COUNT(st, redirected, 1);
	else
		COUNT(st, pass_no_partner, 1);
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

/* The tc engine's impairments that change or copy the frame. Returns whether
 * the frame must leave through the partner's egress (a delay needs its qdisc). */
static __always_inline int xc_impair_tc(struct __sk_buff *skb, const struct xc_port *cfg, struct xc_stats *st, __u32 segs)
{
	int egress = 0;

	if (xc_chance(cfg->corrupt)) {
		__u32 len = skb->data_end - skb->data;
		__u8 bit, byte;
		__u32 off;

		if (len) {
			off = xc_flip_at(len, &bit);
			if (!bpf_skb_load_bytes(skb, off, &byte, 1)) {
				byte ^= bit;
				if (!bpf_skb_store_bytes(skb, off, &byte, 1, 0))
					COUNT(st, corrupted, segs);
			}
		}
	}
	if (xc_chance(cfg->duplicate) && !bpf_clone_redirect(skb, cfg->partner, 0))
		COUNT(st, duplicated, segs);
	if (cfg->delay_us) {
		__u64 delay = (__u64)cfg->delay_us * 1000;

		if (cfg->jitter_us)
			delay += (__u64)(bpf_get_prandom_u32() % (cfg->jitter_us + 1)) * 1000;
		bpf_skb_set_tstamp(skb, bpf_ktime_get_ns() + delay, XC_TSTAMP_DELIVERY_MONO);
		egress = 1;
	}
	return egress;
}

SEC("tc")
int xc_wire_tc(struct __sk_buff *skb)
{
	__u32 port = skb->ingress_ifindex;
	struct xc_port *cfg = bpf_map_lookup_elem(&xc_ports, &port);
	struct xc_stats *st;
	__u32 segs, bytes;
	int egress = 0;

	if (!cfg)
		return XC_TC_NEXT;

	st = bpf_map_lookup_elem(&xc_stats, &cfg->slot);
	segs = skb->gso_segs ? skb->gso_segs : 1;
	/* The stack moved an outer VLAN tag into metadata before tc: count the
	 * frame as it was on the wire, as the XDP engine does. */
	bytes = skb->len + (skb->vlan_present ? VLAN_HLEN : 0);
	if (cfg->flags & XC_PORT_CAPTURE) {
		struct xc_cap_hdr h = { .ifindex = port, .orig_len = bytes };
		__u64 flags = xc_cap_flags(cfg, skb->len, &h);

		/* The reader puts a tag held in metadata back, as libpcap does. */
		if (skb->vlan_present) {
			h.flags = XC_CAP_VLAN;
			h.vlan_tci = skb->vlan_tci;
			h.vlan_proto = skb->vlan_proto;
		}
		if (bpf_perf_event_output(skb, &xc_capture, flags, &h, sizeof(h)) < 0)
			COUNT(st, cap_dropped, segs);
	}
	if (xc_admit(cfg, st, segs, bytes) == XC_DROP)
		return XC_TC_SHOT;

	/* The devmap entry is the kernel's word that the partner still exists. */
	if (!bpf_map_lookup_elem(&xc_tx, &port)) {
		COUNT(st, pass_no_partner, segs);
		return XC_TC_NEXT;
	}
	if (xc_impairments && (cfg->flags & XC_PORT_IMPAIRED))
		egress = xc_impair_tc(skb, cfg, st, segs);
	COUNT(st, redirected, segs);
	if (!egress && (cfg->flags & XC_PORT_PEER) && xc_to_peer(skb, cfg))
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
