/** The typed dataplane: wires between two ports of one network namespace.
 *
 * State lives in bpffs under `pinDir`: the maps (xc_ports, xc_tx, xc_stats)
 * and one pinned bpf_link per port (`links/<ifname>`). A process opens the
 * object, changes what it must and closes it; the wires stay. One pinDir
 * serves the ports of one netns, because the maps are keyed by ifindex. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { XconnectError } from '../errors.js';
import { native, toXconnectError, type AttachResult, type LinkInfo, type LoadedObject, type XdpMode } from '../native/addon.js';
import {
  BPF,
  KEY_SIZE,
  PORT_SIZE,
  STATS_SIZE,
  decodePerCpuStats,
  decodePort,
  encodeDevmapVal,
  encodePort,
  u32Key,
  zeroCounters,
  type PortConfig,
  type PortCounters,
} from './layout.js';

export type { PortConfig, PortCounters } from './layout.js';

/** The two ports of a wire, by name, in `netns` (null: the host netns). */
export interface WirePorts {
  netns: string | null;
  a: string;
  b: string;
}

export interface WireSettings {
  mode: XdpMode;
  adminUp: boolean;
  /** Loss probability 0..1, applied to both directions. */
  loss: number;
}

export interface PortState {
  ifname: string;
  ifindex: number | null;
  /** XDP attachment as the kernel reports it for the interface. */
  attached: 'none' | 'native' | 'generic' | 'other';
  /** True when the program on the port is the one our pinned link holds. */
  ours: boolean;
  config: PortConfig | null;
  counters: PortCounters;
}

export const DEFAULT_BPFFS_ROOT = '/sys/fs/bpf/clab-xconnect';

export class Dataplane {
  readonly pinDir: string;
  readonly #obj: LoadedObject;
  #closed = false;

  private constructor(pinDir: string, obj: LoadedObject) {
    this.pinDir = pinDir;
    this.#obj = obj;
  }

  /** Loads the programs, reusing (or creating) the maps pinned in `pinDir`. */
  static async open(pinDir: string): Promise<Dataplane> {
    return new Dataplane(pinDir, await native.open(pinDir));
  }

  /** Releases this process's handles; pinned state stays. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    native.close(this.#obj.handle);
  }

  /** Where the link of port `ifname` is pinned. */
  linkPin(ifname: string): string {
    return path.join(this.pinDir, 'links', ifname);
  }

  #map(name: string): number {
    if (this.#closed) throw new XconnectError('RUNTIME', 'dataplane is closed');
    const fd = this.#obj.maps[name];
    if (fd === undefined) throw new XconnectError('RUNTIME', `BPF map ${name} missing from the loaded object`);
    return fd;
  }

  #prog(name: string): number {
    const fd = this.#obj.progs[name];
    if (fd === undefined) throw new XconnectError('RUNTIME', `BPF program ${name} missing from the loaded object`);
    return fd;
  }

  get #statsSize(): number {
    return STATS_SIZE * this.#obj.possibleCpus;
  }

  async #resolve(netns: string | null, ifname: string): Promise<LinkInfo> {
    const link = await native.getLink(netns, ifname);
    if (!link)
      throw new XconnectError('RUNTIME', `interface ${ifname} not found ${netns ? `in netns ${netns}` : 'in the host netns'}`, {
        endpoint: ifname,
        netns: netns ?? undefined,
        errnoName: 'ENODEV',
      });
    return link;
  }

  /** Installs (or re-installs, idempotently) a wire: map entries first, so the
   * program redirects from its first frame, then the XDP program on both
   * ports. If the second port cannot take it, the first is restored. Counters
   * of ports already wired are kept. */
  async installWire(w: WirePorts, s: WireSettings): Promise<{ a: AttachResult; b: AttachResult }> {
    if (w.a === w.b) throw new XconnectError('PLAN', `a wire needs two different ports, got ${w.a} twice`);
    const [la, lb] = await Promise.all([this.#resolve(w.netns, w.a), this.#resolve(w.netns, w.b)]);
    const stats = this.#map(BPF.maps.stats);
    const existing = await native.mapOps(null, [
      { op: 'lookup', fd: stats, key: u32Key(la.ifindex), valueSize: this.#statsSize },
      { op: 'lookup', fd: stats, key: u32Key(lb.ifindex), valueSize: this.#statsSize },
    ]);
    const ops = [
      ...this.#portOps(la.ifindex, lb.ifindex, s),
      ...this.#portOps(lb.ifindex, la.ifindex, s),
    ];
    const zero = Buffer.alloc(this.#statsSize);
    if (!existing[0]) ops.push({ op: 'update', fd: stats, key: u32Key(la.ifindex), value: zero });
    if (!existing[1]) ops.push({ op: 'update', fd: stats, key: u32Key(lb.ifindex), value: zero });
    // Devmap values are resolved in the updating thread's netns: run in w.netns.
    await native.mapOps(w.netns, ops).catch((e: unknown) => {
      throw toXconnectError(e, { endpoint: `${w.a}<->${w.b}`, netns: w.netns });
    });
    const attach = (ifname: string) =>
      native.attachXdp({ netns: w.netns ?? '', ifname, progFd: this.#prog(BPF.progs.wire), mode: s.mode, pin: this.linkPin(ifname) });
    const a = await attach(w.a);
    let b: AttachResult;
    try {
      b = await attach(w.b);
    } catch (e) {
      if (a.created) await native.detachXdp(this.linkPin(w.a));
      await this.#deletePorts([la.ifindex, lb.ifindex]);
      throw e;
    }
    return { a, b };
  }

  #portOps(port: number, partner: number, s: WireSettings) {
    return [
      { op: 'update' as const, fd: this.#map(BPF.maps.tx), key: u32Key(port), value: encodeDevmapVal(partner) },
      {
        op: 'update' as const,
        fd: this.#map(BPF.maps.ports),
        key: u32Key(port),
        value: encodePort({ partner, adminUp: s.adminUp, loss: s.loss }),
      },
    ];
  }

  async #deletePorts(ifindexes: number[]): Promise<void> {
    const maps = [BPF.maps.ports, BPF.maps.tx, BPF.maps.stats].map((m) => this.#map(m));
    await native.mapOps(
      null,
      ifindexes.flatMap((i) => maps.map((fd) => ({ op: 'delete' as const, fd, key: u32Key(i) }))),
    );
  }

  /** Changes admin state and/or loss of both directions of an installed wire. */
  async updateWire(w: WirePorts, change: { adminUp?: boolean; loss?: number }): Promise<void> {
    const [la, lb] = await Promise.all([this.#resolve(w.netns, w.a), this.#resolve(w.netns, w.b)]);
    const ports = this.#map(BPF.maps.ports);
    const cur = await native.mapOps(null, [
      { op: 'lookup', fd: ports, key: u32Key(la.ifindex), valueSize: PORT_SIZE },
      { op: 'lookup', fd: ports, key: u32Key(lb.ifindex), valueSize: PORT_SIZE },
    ]);
    const ops = [la, lb].map((l, i) => {
      const buf = cur[i];
      if (!(buf instanceof Buffer))
        throw new XconnectError('RUNTIME', `port ${l.name} is not wired`, { endpoint: l.name, netns: w.netns ?? undefined });
      const c = decodePort(buf);
      return {
        op: 'update' as const,
        fd: ports,
        key: u32Key(l.ifindex),
        value: encodePort({ partner: c.partner, adminUp: change.adminUp ?? c.adminUp, loss: change.loss ?? c.loss }),
      };
    });
    await native.mapOps(null, ops);
  }

  /** Removes a wire: detaches both links (a tc stitch beneath resumes at once),
   * then drops the ports' map entries. Safe on a half-removed or unknown wire. */
  async removeWire(w: WirePorts): Promise<void> {
    await this.removePort(w.netns, w.a);
    await this.removePort(w.netns, w.b);
  }

  /** Detaches one port's link and forgets its map entries. The ifindex comes
   * from the pinned link, or from the device when the pin is already gone. */
  async removePort(netns: string | null, ifname: string): Promise<void> {
    const pinned = await native.pinnedLink(this.linkPin(ifname));
    let ifindex = pinned?.ifindex || undefined;
    if (!ifindex) ifindex = (await native.getLink(netns, ifname))?.ifindex;
    await native.detachXdp(this.linkPin(ifname));
    if (ifindex) await this.#deletePorts([ifindex]);
  }

  /** Ports with a pinned link: ifname -> what the link holds (ifindex 0: its
   * device is gone). */
  async pinnedPorts(): Promise<Map<string, { ifindex: number; progId: number }>> {
    const names = await readdir(path.join(this.pinDir, 'links')).catch(() => [] as string[]);
    const out = new Map<string, { ifindex: number; progId: number }>();
    for (const n of names) {
      const l = await native.pinnedLink(this.linkPin(n));
      if (l) out.set(n, { ifindex: l.ifindex, progId: l.progId });
    }
    return out;
  }

  /** What the kernel and the maps say about one port. */
  async port(netns: string | null, ifname: string): Promise<PortState> {
    const link = await native.getLink(netns, ifname);
    if (!link) return { ifname, ifindex: null, attached: 'none', ours: false, config: null, counters: zeroCounters() };
    const pinned = await native.pinnedLink(this.linkPin(ifname));
    const [cfg, st] = await native.mapOps(null, [
      { op: 'lookup', fd: this.#map(BPF.maps.ports), key: u32Key(link.ifindex), valueSize: PORT_SIZE },
      { op: 'lookup', fd: this.#map(BPF.maps.stats), key: u32Key(link.ifindex), valueSize: this.#statsSize },
    ]);
    return {
      ifname,
      ifindex: link.ifindex,
      attached: link.xdp.mode,
      ours: !!pinned && pinned.progId !== 0 && pinned.progId === link.xdp.progId,
      config: cfg instanceof Buffer ? decodePort(cfg) : null,
      counters: st instanceof Buffer ? decodePerCpuStats(st, this.#obj.possibleCpus) : zeroCounters(),
    };
  }

  /** Every configured port: ifindex -> config (for reconciling and cleanup). */
  async configuredPorts(): Promise<Map<number, PortConfig>> {
    const rows = await native.mapDump(this.#map(BPF.maps.ports), KEY_SIZE, PORT_SIZE);
    return new Map(rows.map((r) => [r.key.readUInt32LE(0), decodePort(r.value)]));
  }

  /** Drops map entries of ports that are not in `keep` (stale after a device vanished). */
  async forgetPortsExcept(keep: Set<number>): Promise<number> {
    const stale = [...(await this.configuredPorts()).keys()].filter((i) => !keep.has(i));
    if (stale.length) await this.#deletePorts(stale);
    return stale.length;
  }
}

