/** Byte layouts of the BPF maps (bpf/xconnect.h). Change both together. */

/** BPF object names, in one place. */
export const BPF = {
  progs: { wire: 'xc_wire', wireTc: 'xc_wire_tc', pass: 'xc_pass' },
  maps: { ports: 'xc_ports', tx: 'xc_tx', stats: 'xc_stats' },
} as const;

export const PORT_ADMIN_UP = 0x1;
export const PORT_PEER = 0x2;
export const LOSS_ALL = 0xffffffff;

export interface PortConfig {
  partner: number;
  adminUp: boolean;
  /** Loss probability 0..1. */
  loss: number;
  /** Index of the port's counters in xc_stats. */
  slot: number;
  /** tc engine: the MAC of the partner's veth peer (the node interface); unicast
   * frames to it take bpf_redirect_peer. null: always the partner's egress. */
  peerMac: string | null;
}

/** xc_stats entries (XC_MAX_PORTS in bpf/xconnect.h). */
export const MAX_PORTS = 16384;

export interface PortCounters {
  rxPackets: bigint;
  rxBytes: bigint;
  redirected: bigint;
  dropAdmin: bigint;
  dropLoss: bigint;
  passNoPartner: bigint;
}

export const KEY_SIZE = 4;
export const PORT_SIZE = 24;
export const DEVMAP_VAL_SIZE = 8; // struct bpf_devmap_val {ifindex; bpf_prog.fd}
export const STATS_SIZE = 48;

export function u32Key(ifindex: number): Buffer {
  const b = Buffer.alloc(KEY_SIZE);
  b.writeUInt32LE(ifindex);
  return b;
}

/** Probability -> the u32 threshold the program compares a random u32 with. */
export function lossToThreshold(p: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return LOSS_ALL;
  return Math.min(LOSS_ALL - 1, Math.round(p * 2 ** 32));
}

export function thresholdToLoss(t: number): number {
  return t === LOSS_ALL ? 1 : t / 2 ** 32;
}

export function encodePort(c: PortConfig): Buffer {
  const b = Buffer.alloc(PORT_SIZE);
  b.writeUInt32LE(c.partner, 0);
  b.writeUInt32LE((c.adminUp ? PORT_ADMIN_UP : 0) | (c.peerMac ? PORT_PEER : 0), 4);
  b.writeUInt32LE(lossToThreshold(c.loss), 8);
  b.writeUInt32LE(c.slot, 12);
  if (c.peerMac) Buffer.from(c.peerMac.split(':').map((h) => parseInt(h, 16))).copy(b, 16, 0, 6);
  return b;
}

export function decodePort(b: Buffer): PortConfig {
  const flags = b.readUInt32LE(4);
  const mac = [...b.subarray(16, 22)].map((x) => x.toString(16).padStart(2, '0')).join(':');
  return {
    partner: b.readUInt32LE(0),
    adminUp: (flags & PORT_ADMIN_UP) !== 0,
    loss: thresholdToLoss(b.readUInt32LE(8)),
    slot: b.readUInt32LE(12),
    peerMac: flags & PORT_PEER ? mac : null,
  };
}

export function encodeDevmapVal(ifindex: number): Buffer {
  const b = Buffer.alloc(DEVMAP_VAL_SIZE);
  b.writeUInt32LE(ifindex, 0);
  return b;
}

export function zeroCounters(): PortCounters {
  return { rxPackets: 0n, rxBytes: 0n, redirected: 0n, dropAdmin: 0n, dropLoss: 0n, passNoPartner: 0n };
}

/** Sums a per-CPU value buffer (each CPU's slot is STATS_SIZE, 8-aligned). */
export function decodePerCpuStats(b: Buffer, cpus: number): PortCounters {
  const s = zeroCounters();
  for (let i = 0; i < cpus; i++) {
    const o = i * STATS_SIZE;
    s.rxPackets += b.readBigUInt64LE(o);
    s.rxBytes += b.readBigUInt64LE(o + 8);
    s.redirected += b.readBigUInt64LE(o + 16);
    s.dropAdmin += b.readBigUInt64LE(o + 24);
    s.dropLoss += b.readBigUInt64LE(o + 32);
    s.passNoPartner += b.readBigUInt64LE(o + 40);
  }
  return s;
}
