/** Loads the native addon (build/Release/xconnect.node) once and gives it a
 * type. Every call returns a promise; failures are turned into XconnectError
 * here, in one place. */
import { createRequire } from 'node:module';
import path from 'node:path';
import { XconnectError, type ErrorCode } from '../errors.js';
import { packageRoot } from '../util/package.js';

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

export interface MapDump {
  count: number;
  keySize: number;
  valueSize: number;
  keys: Buffer;
  values: Buffer;
}

export interface FeatureState {
  active: boolean;
  changeable: boolean;
}

/** An open kernel object the addon owns (a netns, a BPF object, a socket, a
 * lock): opaque, released with closeHandle. A job in flight keeps what it
 * uses open until it is done. */
declare const handleKind: unique symbol;
export type Handle<K extends string> = { readonly [handleKind]: K };
export type NetnsHandle = Handle<'netns'>;
export type ObjectHandle = Handle<'bpf-object'>;
export type PerfReaderHandle = Handle<'perf-reader'>;
export type PacketSocketHandle = Handle<'packet-socket'>;
export type LockHandle = Handle<'lock'>;

export interface MapOp {
  op: 'update' | 'delete' | 'lookup';
  /** The map's name in the BPF object. */
  map: string;
  key: Buffer;
  /** update: the value, of the map's value size (per-CPU maps: one 8-byte aligned value per possible CPU). */
  value?: Buffer;
}

export interface MapShape {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

export interface LoadedObject {
  handle: ObjectHandle;
  /** The maps it holds, by name (openPinned: the pinned ones only). */
  maps: Record<string, MapShape>;
  /** Program names (openPinned: none). */
  progs: string[];
  possibleCpus: number;
  /** The map value structs as the compiler laid them out (from BTF; openPinned: none). */
  layouts: Record<string, { size: number; members: Record<string, number> }>;
}

/** What attaching the program to one port did (attachXdp, attachTc). */
export interface AttachResult {
  ifindex: number;
  progId: number;
  /** 0 for a legacy tc filter (no bpf_link). */
  linkId: number;
  /** false: an attachment of ours was kept (tc only; XDP always attaches). */
  created: boolean;
  /** Legacy tc attach only: a clsact qdisc was added for the filter. */
  qdiscCreated: boolean;
}

/** How the tc engine's program is attached: a TCX bpf_link (kernel 6.6+) or a
 * direct-action cls_bpf filter in the port's ingress qdisc (older kernels). */
export type TcAttach = 'tcx' | 'legacy';


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

/** The raw addon surface (native/*.cc). A `netns` of null is the process's own netns. */
interface RawAddon {
  /** Holds the namespace at `path` open; dev and ino are its identity (as stat(2) of a path naming it reports). */
  openNetns(path: string): Promise<{ handle: NetnsHandle; dev: bigint; ino: bigint }>;
  /** Releases a handle (once any job using it is done); a later use is refused. */
  closeHandle(h: Handle<string>): void;
  /** Loads the programs, reusing (or creating) the maps pinned in pinDir.
   * impairments: false builds the wire without its impairment code (benchmarks only). */
  open(pinDir: string, options?: { impairments?: boolean }): Promise<LoadedObject>;
  /** The maps of `names` pinned in pinDir (absent ones left out), no programs. */
  openPinned(pinDir: string, names: string[]): Promise<LoadedObject>;
  /** Attaches program `prog` to ports the caller found need it (replace: drop
   * the link of ours pinned there first). The kernel refuses a device that
   * carries any XDP program. All or nothing. */
  attachXdp(o: {
    object: ObjectHandle;
    prog: string;
    netns: NetnsHandle | null;
    mode: XdpMode;
    ports: { ifindex: number; name: string; pin: string; replace: boolean }[];
  }): Promise<AttachResult[]>;
  /** The tc engine: TCX links pinned at `pin`, or legacy filters. Idempotent per port; all or nothing. */
  attachTc(o: {
    object: ObjectHandle;
    prog: string;
    netns: NetnsHandle | null;
    attach: TcAttach;
    ports: { ifindex: number; name: string; pin: string }[];
  }): Promise<AttachResult[]>;
  /** Removes our legacy tc filters (and a clsact qdisc we made); per port: whether a filter was there. */
  detachTcLegacy(netns: NetnsHandle | null, ifindexes: number[]): Promise<boolean[]>;
  /** tc state per ifindex (null: no such interface). */
  tcState(netns: NetnsHandle | null, ifindexes: number[]): Promise<(TcState | null)[]>;
  /** Whether the kernel has TCX. */
  probeTcx(): Promise<boolean>;
  /** Whether the kernel has the qdisc `kind` (tried in a throwaway netns). */
  probeQdisc(kind: string): Promise<boolean>;
  /** An fq root qdisc of ours on each device (for the tc engine's delay). */
  ensureRootFq(netns: NetnsHandle | null, ifindexes: number[]): Promise<void>;
  /** Removes the fq root qdiscs of ours. */
  removeRootFq(netns: NetnsHandle | null, ifindexes: number[]): Promise<void>;
  /** XDP features per ifindex (null: unknown to this kernel, or no such device). */
  xdpFeatures(netns: NetnsHandle | null, ifindexes: number[]): Promise<(XdpFeatures | null)[]>;
  /** Sets interfaces administratively up or down. */
  setLinkUp(netns: NetnsHandle | null, items: { ifindex: number; up: boolean }[]): Promise<void>;
  /** null, or libpcap's words about what is wrong with a pcap-filter expression. */
  compileFilter(expr: string, snaplen: number): string | null;
  /** Reads the perf buffer map `map` of `object` (pages per CPU: a power of 2),
   * keeping only frames that match `filter` (a pcap-filter expression). */
  openPerfReader(object: ObjectHandle, map: string, pagesPerCpu: number, filter?: string, snaplen?: number): PerfReaderHandle;
  /** Frames read within the wait (tsNs: CLOCK_REALTIME ns; a VLAN tag held in
   * metadata put back); lost and rejected count since the reader opened. */
  readPerf(handle: PerfReaderHandle, o: { timeoutMs: number }): Promise<{ frames: CapturedFrame[]; lost: number; rejected: number }>;
  /** Detaches the bpf_links (XDP or TCX) pinned at `pins`; per pin: whether something was pinned there. */
  detachLinks(pins: string[]): Promise<boolean[]>;
  pinnedLinks(pins: string[]): Promise<(PinnedLink | null)[]>;
  mapOps(object: ObjectHandle, netns: NetnsHandle | null, ops: MapOp[]): Promise<(boolean | Buffer | null)[]>;
  /** Every entry of a hash map, packed: entry i's key at i * keySize of `keys`, its value at i * valueSize of `values`. */
  mapDump(object: ObjectHandle, map: string): Promise<MapDump>;
  getLink(netns: NetnsHandle | null, nameOrIndex: string | number): Promise<LinkInfo | null>;
  listLinks(netns: NetnsHandle | null): Promise<LinkInfo[]>;
  /** listLinks of several namespaces, in one kernel job. */
  listLinksIn(netnses: NetnsHandle[]): Promise<LinkInfo[][]>;
  /** The id under which `netns` knows each of `targets` (null: none assigned). */
  netnsIds(netns: NetnsHandle | null, targets: NetnsHandle[]): Promise<(number | null)[]>;
  getFeatures(netns: NetnsHandle | null, ifindexes: number[]): Promise<Record<string, FeatureState>[]>;
  setFeatures(netns: NetnsHandle | null, items: { ifindex: number; want: Record<string, boolean> }[]): Promise<Record<string, FeatureState>[]>;
  sendFrames(netns: NetnsHandle | null, ifname: string, frames: Buffer[]): Promise<number>;
  openCapture(netns: NetnsHandle | null, ifname: string): Promise<PacketSocketHandle>;
  readCapture(handle: PacketSocketHandle, o: { max?: number; timeoutMs?: number }): Promise<Buffer[]>;
  /** flock(2)-held file lock; the kernel drops it when the process dies. Release with closeHandle. */
  lockFile(path: string, timeoutMs: number): Promise<LockHandle>;
  /** Threads that allocate from now on share at most `n` glibc malloc arenas (mallopt M_ARENA_MAX). */
  limitMallocArenas(n: number): void;
  /** Gives the free pages of every malloc arena back to the kernel (malloc_trim); true if any were. */
  trimMalloc(): boolean;
}


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
