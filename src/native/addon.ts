/** Loads the native addon (build/Release/xconnect.node) once and gives it a
 * type. Every call returns a promise; failures are turned into XconnectError
 * here, in one place. */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { XconnectError, type ErrorCode } from '../errors.js';

export type XdpMode = 'native' | 'generic';

export interface LinkInfo {
  ifindex: number;
  name: string;
  /** Hardware address, `aa:bb:cc:dd:ee:ff` ('' when the device has none). */
  mac: string;
  altnames: string[];
  mtu: number;
  operState: string;
  adminUp: boolean;
  /** rtnetlink kind: 'veth', 'vxlan', 'bridge', '' for none. */
  kind: string;
  /** IFLA_LINK: for a veth, the peer's ifindex (in the peer's netns). */
  peerIfindex: number | null;
  /** IFLA_LINK_NETNSID: the peer's netns id as this netns knows it; null = same netns. */
  peerNetnsId: number | null;
  xdp: { mode: 'none' | 'native' | 'generic' | 'other'; progId: number };
}

export interface FeatureState {
  active: boolean;
  changeable: boolean;
}

export interface MapOp {
  op: 'update' | 'delete' | 'lookup';
  fd: number;
  key: Buffer;
  value?: Buffer;
  valueSize?: number;
}

export interface LoadedObject {
  handle: unknown;
  maps: Record<string, number>;
  progs: Record<string, number>;
  possibleCpus: number;
  /** The map value structs as the compiler laid them out (from BTF). */
  layouts: Record<string, { size: number; members: Record<string, number> }>;
}

export interface AttachResult {
  ifindex: number;
  mode: XdpMode;
  progId: number;
  linkId: number;
  created: boolean;
}

/** How the tc engine's program is attached: a TCX bpf_link (kernel 6.6+) or a
 * direct-action cls_bpf filter in the port's ingress qdisc (older kernels). */
export type TcAttach = 'tcx' | 'legacy';

export interface TcAttachResult {
  ifindex: number;
  progId: number;
  /** 0 for a legacy filter (no bpf_link). */
  linkId: number;
  created: boolean;
  /** Legacy attach only: a clsact qdisc was added for the filter. */
  qdiscCreated: boolean;
}

export interface TcFilter {
  prio: number;
  handle: number;
  kind: string;
  name: string;
  progId: number;
  /** Our legacy wire filter. */
  ours: boolean;
}

/** tc state at a port's ingress. */
export interface TcState {
  /** Program ids attached at TCX ingress. */
  tcx: number[];
  filters: TcFilter[];
}

/** The XDP actions a driver implements (generic netlink "netdev", kernel 6.3+). */
export interface XdpFeatures {
  basic: boolean;
  redirect: boolean;
  /** Can be the target of an XDP redirect. */
  ndoXmit: boolean;
  rxSg: boolean;
  ndoXmitSg: boolean;
}

export interface CapturedFrame {
  tsNs: bigint;
  /** The port the frame entered. */
  ifindex: number;
  origLen: number;
  data: Buffer;
}

export interface PinnedLink {
  id: number;
  progId: number;
  /** 0 when the link's device is gone. */
  ifindex: number;
  type: 'xdp' | 'tcx' | 'other';
}

/** The raw addon surface (native/*.cc). `netns` null = the process's own netns. */
interface RawAddon {
  /** impairments: false builds the wire without its impairment code (benchmarks only). */
  open(pinDir: string, options?: { impairments?: boolean }): Promise<LoadedObject>;
  close(handle: unknown): void;
  /** All or nothing: links made by a failed call are removed again. */
  attachXdp(o: { netns: string; progFd: number; mode: XdpMode; ports: { ifname: string; pin: string }[] }): Promise<AttachResult[]>;
  /** The tc engine: TCX links pinned at `pin`, or legacy filters. All or nothing, like attachXdp. */
  attachTc(o: { netns: string; progFd: number; attach: TcAttach; ports: { ifname: string; pin: string }[] }): Promise<TcAttachResult[]>;
  /** Removes our legacy tc filters (and a clsact qdisc we made); per port: whether a filter was there. */
  detachTcLegacy(netns: string | null, ifindexes: number[]): Promise<boolean[]>;
  /** tc state per ifindex (null: no such interface). */
  tcState(netns: string | null, ifindexes: number[]): Promise<(TcState | null)[]>;
  /** Whether the kernel has TCX. */
  probeTcx(): Promise<boolean>;
  /** Whether the kernel has the qdisc `kind` (tried in a throwaway netns). */
  probeQdisc(kind: string): Promise<boolean>;
  /** An fq root qdisc of ours on each device (for the tc engine's delay). */
  ensureRootFq(netns: string | null, ifindexes: number[]): Promise<void>;
  /** Removes the fq root qdiscs of ours. */
  removeRootFq(netns: string | null, ifindexes: number[]): Promise<void>;
  /** XDP features per ifindex (null: unknown to this kernel, or no such device). */
  xdpFeatures(netns: string | null, ifindexes: number[]): Promise<(XdpFeatures | null)[]>;
  /** Sets interfaces administratively up or down. */
  setLinkUp(netns: string | null, items: { ifindex: number; up: boolean }[]): Promise<void>;
  /** null, or libpcap's words about what is wrong with a pcap-filter expression. */
  compileFilter(expr: string, snaplen: number): string | null;
  /** Reads the capture perf buffer `mapFd` (pages per CPU: a power of 2),
   * keeping only frames that match `filter` (a pcap-filter expression). */
  openPerfReader(mapFd: number, pagesPerCpu: number, filter?: string, snaplen?: number): unknown;
  /** Frames read within the wait (tsNs: CLOCK_REALTIME ns; a VLAN tag held in
   * metadata put back); lost and rejected count since the reader opened. */
  readPerf(handle: unknown, o: { timeoutMs: number }): Promise<{ frames: CapturedFrame[]; lost: number; rejected: number }>;
  closePerfReader(handle: unknown): void;
  /** Detaches the bpf_links (XDP or TCX) pinned at `pins`; per pin: whether something was pinned there. */
  detachLinks(pins: string[]): Promise<boolean[]>;
  pinnedLinks(pins: string[]): Promise<(PinnedLink | null)[]>;
  mapOps(netns: string | null, ops: MapOp[]): Promise<(boolean | Buffer | null)[]>;
  mapDump(fd: number, keySize: number, valueSize: number): Promise<{ key: Buffer; value: Buffer }[]>;
  /** A pinned map's fd and shape, without loading any program (null: nothing pinned there). */
  openPinnedMap(path: string): Promise<{ fd: number; type: number; keySize: number; valueSize: number; maxEntries: number } | null>;
  closeFd(fd: number): void;
  getLink(netns: string | null, nameOrIndex: string | number): Promise<LinkInfo | null>;
  listLinks(netns: string | null): Promise<LinkInfo[]>;
  netnsId(netns: string | null, target: string): Promise<number | null>;
  getFeatures(netns: string | null, ifnames: string[]): Promise<Record<string, FeatureState>[]>;
  setFeatures(netns: string | null, items: { ifname: string; want: Record<string, boolean> }[]): Promise<Record<string, FeatureState>[]>;
  sendFrames(netns: string | null, ifname: string, frames: Buffer[]): Promise<number>;
  openCapture(netns: string | null, ifname: string): Promise<number>;
  readCapture(fd: number, o: { max?: number; timeoutMs?: number }): Promise<Buffer[]>;
  closeCapture(fd: number): void;
  /** flock(2)-held file lock; the kernel drops it when the process dies. */
  lockFile(path: string, timeoutMs: number): Promise<number>;
  unlockFile(fd: number): void;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repo root from src/native or dist/native. */
export const packageRoot = path.resolve(here, '..', '..');

let raw: RawAddon | undefined;

function load(): RawAddon {
  if (raw) return raw;
  const file = process.env.CLAB_XCONNECT_ADDON ?? path.join(packageRoot, 'build', 'Release', 'xconnect.node');
  try {
    raw = createRequire(import.meta.url)(file) as RawAddon;
  } catch (e) {
    throw new XconnectError('RUNTIME', `cannot load the native addon ${file}: ${(e as Error).message}`, {
      hint: 'build it with `npm install` (or `npm run build:native`)',
      cause: e,
    });
  }
  return raw;
}

interface NativeError extends Error {
  errno?: number;
  code?: string;
}

/** Maps an addon failure to the project's error type. */
export function toXconnectError(e: unknown, ctx: { endpoint?: string; netns?: string | null } = {}): XconnectError {
  if (e instanceof XconnectError) return e;
  const ne = e as NativeError;
  const errno = ne?.errno;
  let code: ErrorCode = 'KERNEL';
  let hint: string | undefined;
  if (ne?.code === 'EPERM' || ne?.code === 'EACCES') {
    code = 'PERMISSION';
    hint = 'clab-xconnect needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN): run it as root';
  } else if (ne?.code === 'EBUSY') {
    code = 'BUSY';
    hint = 'remove that program first (e.g. `ip link set dev IF xdp off`) or exclude the link';
  } else if (ne?.code === 'ENODEV' || ne?.code === 'ENOENT') {
    code = 'RUNTIME';
  }
  return new XconnectError(code, ne?.message ?? String(e), {
    errno,
    errnoName: ne?.code,
    endpoint: ctx.endpoint,
    netns: ctx.netns ?? undefined,
    hint,
    cause: e,
  });
}

/** The addon with every promise's rejection mapped to XconnectError. */
export const native: RawAddon = new Proxy({} as RawAddon, {
  get(_t, prop: keyof RawAddon) {
    const fn = load()[prop] as unknown as (...a: unknown[]) => unknown;
    if (typeof fn !== 'function') return fn;
    return (...args: unknown[]) => {
      let out: unknown;
      try {
        out = fn(...args);
      } catch (e) {
        throw toXconnectError(e);
      }
      return out instanceof Promise ? out.catch((e: unknown) => Promise.reject(toXconnectError(e))) : out;
    };
  },
});
