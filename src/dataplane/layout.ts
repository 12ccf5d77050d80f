/** Byte layouts of the BPF maps (bpf/xconnect.h). The offsets below are
 * checked against the compiled object's BTF each time it is loaded
 * (checkLayouts): a change to the header that is not made here too fails
 * loudly, at once, instead of corrupting the maps. */
import { XconnectError } from '../errors.js';

/** BPF object names, in one place. */
export const BPF = {
  progs: { wire: 'xc_wire', wireTc: 'xc_wire_tc', pass: 'xc_pass' },
  maps: { ports: 'xc_ports', tx: 'xc_tx', stats: 'xc_stats', rate: 'xc_rate', capture: 'xc_capture' },
} as const;

export const PORT_ADMIN_UP = 0x1;
export const PORT_PEER = 0x2;
export const PORT_IMPAIRED = 0x4;
export const PORT_CAPTURE = 0x8;
/** The most of a frame a capture copies (perf samples carry at most 64 KB). */
export const CAPTURE_MAX = 65000;
/** A probability threshold that always fires. */
export const P_ALL = 0xffffffff;

/** What happens to the frames of one direction (those entering a port). */
export interface Impairment {
  /** Probabilities 0..1. */
  loss: number;
  corruption: number;
  /** tc engine only. */
  duplicate: number;
  /** Policing rate in kbit/s (0: none), and the bucket depth in bytes (0: default). */
  rateKbit: number;
  burst: number;
  /** tc engine only (EDT, needs sch_fq on the partner): microseconds. */
  delayUs: number;
  jitterUs: number;
}

export const NO_IMPAIRMENT: Readonly<Impairment> = Object.freeze({ loss: 0, corruption: 0, duplicate: 0, rateKbit: 0, burst: 0, delayUs: 0, jitterUs: 0 });

export function isImpaired(i: Impairment): boolean {
  return i.loss > 0 || i.corruption > 0 || i.duplicate > 0 || i.rateKbit > 0 || i.delayUs > 0 || i.jitterUs > 0;
}

/** The burst a rate gets when none is given: 20 ms of the rate, and at least
 * two full-size frames. The bucket may go into debt (bpf/xconnect.h), so a
 * GSO packet larger than the burst still passes. */
export function defaultBurst(rateKbit: number): number {
  return Math.max(Math.round((rateKbit * 125) / 50), 3028);
}

export interface PortConfig {
  partner: number;
  adminUp: boolean;
  /** Index of the port's counters in xc_stats (and bucket in xc_rate). */
  slot: number;
  /** tc engine: the MAC of the partner's veth peer (the node interface); unicast
   * frames to it take bpf_redirect_peer. null: always the partner's egress. */
  peerMac: string | null;
  impair: Impairment;
  /** A capture is running on the port: bytes copied of each frame (null: none). */
  capture: { snaplen: number } | null;
}

/** xc_stats entries (XC_MAX_PORTS in bpf/xconnect.h). */
export const MAX_PORTS = 16384;

/** The counters of one direction, in xc_stats order. */
export const COUNTERS = ['rxPackets', 'rxBytes', 'redirected', 'dropAdmin', 'dropLoss', 'passNoPartner', 'dropRate', 'corrupted', 'duplicated', 'captureDropped'] as const;
export type CounterName = (typeof COUNTERS)[number];
export type PortCounters = Record<CounterName, bigint>;

export const KEY_SIZE = 4;
export const PORT_SIZE = 56;

/** struct xc_port: byte offset of each field. */
const PORT = {
  partner: 0,
  flags: 4,
  slot: 8,
  peer_mac: 12,
  loss: 20,
  corrupt: 24,
  duplicate: 28,
  rate: 32,
  burst: 40,
  delay_us: 44,
  jitter_us: 48,
  snaplen: 52,
} as const;

/** struct xc_stats: the C name of each counter, in COUNTERS order. */
const STATS_FIELDS = ['rx_packets', 'rx_bytes', 'redirected', 'drop_admin', 'drop_loss', 'pass_no_partner', 'drop_rate', 'corrupted', 'duplicated', 'cap_dropped'];

/** Struct layouts as BTF describes them (the addon reads them at load). */
export type StructLayouts = Record<string, { size: number; members: Record<string, number> }>;

/** Throws unless the compiled structs are laid out as this file encodes them. */
export function checkLayouts(btf: StructLayouts): void {
  const problems: string[] = [];
  const expect = (struct: string, size: number, fields: Record<string, number>) => {
    const got = btf[struct];
    if (!got) return problems.push(`struct ${struct} missing from the BPF object's BTF`);
    if (got.size !== size) problems.push(`struct ${struct} is ${got.size} bytes, the TypeScript layout ${size}`);
    for (const [f, off] of Object.entries(fields))
      if (got.members[f] !== off) problems.push(`${struct}.${f} is at ${got.members[f] ?? 'no offset'}, the TypeScript layout at ${off}`);
  };
  expect('xc_port', PORT_SIZE, PORT);
  expect('xc_stats', STATS_SIZE, Object.fromEntries(STATS_FIELDS.map((f, k) => [f, 8 * k])));
  expect('xc_bucket', BUCKET_SIZE, { tokens: 8, last_ns: 16 });
  if (problems.length)
    throw new XconnectError('RUNTIME', `the BPF object and src/dataplane/layout.ts disagree: ${problems.join('; ')}`, {
      hint: 'change bpf/xconnect.h and src/dataplane/layout.ts together, then rebuild',
    });
}
/** Map types (uapi enum bpf_map_type) of the maps checkMapShapes knows. */
const MAP_TYPE = { hash: 1, array: 2, percpuArray: 6, devmapHash: 25 } as const;

/** Throws unless pinned maps have the types and shapes this file encodes (a
 * lab's maps opened without loading the programs, whose BTF checkLayouts
 * reads): a map of another type or shape (a lab wired by a version with
 * other maps) would otherwise fail later, inside libbpf, without a word on
 * what to do. */
export function checkMapShapes(maps: Record<string, { type: number; keySize: number; valueSize: number }>, pinDir: string): void {
  const want: Record<string, [number, number, number]> = {
    [BPF.maps.ports]: [MAP_TYPE.hash, KEY_SIZE, PORT_SIZE],
    [BPF.maps.tx]: [MAP_TYPE.devmapHash, KEY_SIZE, DEVMAP_VAL_SIZE],
    [BPF.maps.stats]: [MAP_TYPE.percpuArray, KEY_SIZE, STATS_SIZE],
    [BPF.maps.rate]: [MAP_TYPE.array, KEY_SIZE, BUCKET_SIZE],
  };
  const bad = Object.entries(want).filter(([name, [t, k, v]]) => {
    const m = maps[name];
    return m && (m.type !== t || m.keySize !== k || m.valueSize !== v);
  });
  if (bad.length)
    throw new XconnectError('RUNTIME', `the maps pinned in ${pinDir} do not match this version of clab-xconnect (${bad.map(([n]) => n).join(', ')})`, {
      hint: "remove the lab's state with `clab-xconnect destroy`, then apply again",
    });
}
export const DEVMAP_VAL_SIZE = 8; // struct bpf_devmap_val {ifindex; bpf_prog.fd}
export const STATS_SIZE = 8 * COUNTERS.length;
/** struct xc_bucket: spin lock, reserved, tokens, last_ns. */
export const BUCKET_SIZE = 24;

export function u32Key(ifindex: number): Buffer {
  const b = Buffer.alloc(KEY_SIZE);
  b.writeUInt32LE(ifindex);
  return b;
}

/** Probability -> the u32 threshold the program compares a random u32 with. */
export function toThreshold(p: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return P_ALL;
  return Math.min(P_ALL - 1, Math.round(p * 2 ** 32));
}

/** The probability a threshold stands for, rounded to what a threshold can
 * hold (so that 1% reads back as 0.01, not 0.010000000009). */
export function fromThreshold(t: number): number {
  return t === P_ALL ? 1 : Math.round((t / 2 ** 32) * 1e9) / 1e9;
}

/** Two impairments the kernel cannot tell apart are the same. */
export function sameImpairment(x: Impairment, y: Impairment): boolean {
  return (
    toThreshold(x.loss) === toThreshold(y.loss) &&
    toThreshold(x.corruption) === toThreshold(y.corruption) &&
    toThreshold(x.duplicate) === toThreshold(y.duplicate) &&
    x.rateKbit === y.rateKbit &&
    (x.rateKbit === 0 || (x.burst || defaultBurst(x.rateKbit)) === (y.burst || defaultBurst(y.rateKbit))) &&
    x.delayUs === y.delayUs &&
    x.jitterUs === y.jitterUs
  );
}

export function encodePort(c: PortConfig): Buffer {
  const b = Buffer.alloc(PORT_SIZE);
  const i = c.impair;
  const flags =
    (c.adminUp ? PORT_ADMIN_UP : 0) | (c.peerMac ? PORT_PEER : 0) | (isImpaired(i) ? PORT_IMPAIRED : 0) | (c.capture ? PORT_CAPTURE : 0);
  b.writeUInt32LE(c.partner, PORT.partner);
  b.writeUInt32LE(flags, PORT.flags);
  b.writeUInt32LE(c.slot, PORT.slot);
  if (c.peerMac) Buffer.from(c.peerMac.split(':').map((h) => parseInt(h, 16))).copy(b, PORT.peer_mac, 0, 6);
  b.writeUInt32LE(toThreshold(i.loss), PORT.loss);
  b.writeUInt32LE(toThreshold(i.corruption), PORT.corrupt);
  b.writeUInt32LE(toThreshold(i.duplicate), PORT.duplicate);
  b.writeBigUInt64LE(BigInt(i.rateKbit) * 125n, PORT.rate);
  b.writeUInt32LE(i.rateKbit ? i.burst || defaultBurst(i.rateKbit) : 0, PORT.burst);
  b.writeUInt32LE(i.delayUs, PORT.delay_us);
  b.writeUInt32LE(i.jitterUs, PORT.jitter_us);
  b.writeUInt32LE(c.capture ? Math.min(c.capture.snaplen, CAPTURE_MAX) : 0, PORT.snaplen);
  return b;
}

/** The bytes of `b` as a DataView. Its reads are plain builtins, where a
 * Buffer's read methods check their arguments through wrappers that allocate
 * on every call under lite mode (watch's): decoding a 100-wire lab's configs
 * and counters that way made ~0.4 MB of garbage per metrics scrape. */
export function bytesView(b: Buffer): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Decodes the port config at byte `at` of `b` (a map dump packs entries one
 * after another; pass its `view` too, made once for all of them). */
export function decodePort(b: Buffer, at = 0, v: DataView = bytesView(b)): PortConfig {
  const flags = v.getUint32(at + PORT.flags, true);
  const rateKbit = Number(v.getBigUint64(at + PORT.rate, true) / 125n);
  return {
    partner: v.getUint32(at + PORT.partner, true),
    adminUp: (flags & PORT_ADMIN_UP) !== 0,
    slot: v.getUint32(at + PORT.slot, true),
    peerMac: flags & PORT_PEER ? macString(b, at + PORT.peer_mac) : null,
    impair: {
      loss: fromThreshold(v.getUint32(at + PORT.loss, true)),
      corruption: fromThreshold(v.getUint32(at + PORT.corrupt, true)),
      duplicate: fromThreshold(v.getUint32(at + PORT.duplicate, true)),
      rateKbit,
      burst: rateKbit ? v.getUint32(at + PORT.burst, true) : 0,
      delayUs: v.getUint32(at + PORT.delay_us, true),
      jitterUs: v.getUint32(at + PORT.jitter_us, true),
    },
    capture: flags & PORT_CAPTURE ? { snaplen: v.getUint32(at + PORT.snaplen, true) } : null,
  };
}

/** The u32 key of entry `i` of a map dump's packed keys (`v`: their view). */
export function decodeKey(v: DataView, i: number, keySize: number): number {
  return v.getUint32(i * keySize, true);
}

function macString(b: Buffer, at: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + b[at + i]!.toString(16).padStart(2, '0');
  return s;
}

export function encodeDevmapVal(ifindex: number): Buffer {
  const b = Buffer.alloc(DEVMAP_VAL_SIZE);
  b.writeUInt32LE(ifindex, 0);
  return b;
}

export function zeroCounters(): PortCounters {
  const s = {} as PortCounters;
  for (let i = 0; i < COUNTERS.length; i++) s[COUNTERS[i]!] = 0n;
  return s;
}

/** Sums a per-CPU value buffer (each CPU's slot is STATS_SIZE, 8-aligned). */
export function decodePerCpuStats(b: Buffer, cpus: number): PortCounters {
  const v = bytesView(b);
  const s = zeroCounters();
  for (let i = 0; i < cpus; i++) for (let k = 0; k < COUNTERS.length; k++) s[COUNTERS[k]!] += v.getBigUint64(i * STATS_SIZE + 8 * k, true);
  return s;
}
