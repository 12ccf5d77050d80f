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
  MAX_PORTS,
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

  /** name -> interface, for names and altnames of one netns (one netlink dump). */
  async #interfaces(netns: string | null): Promise<Map<string, LinkInfo>> {
    const m = new Map<string, LinkInfo>();
    for (const l of await native.listLinks(netns)) {
      m.set(l.name, l);
      for (const alt of l.altnames) if (!m.has(alt)) m.set(alt, l);
    }
    return m;
  }

  #ifindex(ifs: Map<string, LinkInfo>, netns: string | null, ifname: string): number {
    const l = ifs.get(ifname);
    if (!l)
      throw new XconnectError('RUNTIME', `interface ${ifname} not found ${netns ? `in netns ${netns}` : 'in the host netns'}`, {
        endpoint: ifname,
        netns: netns ?? undefined,
        errnoName: 'ENODEV',
      });
    return l.ifindex;
  }

  /** Installs one wire; see installWires. */
  async installWire(w: WirePorts, s: WireSettings): Promise<{ a: AttachResult; b: AttachResult }> {
    return (await this.installWires(w.netns, [{ a: w.a, b: w.b, settings: s }]))[0]!;
  }

  /** Installs (or re-installs, idempotently) wires between ports of `netns`:
   * map entries first, so the program redirects from its first frame, then the
   * XDP program on every port, in one kernel job per mode. If a port cannot take
   * it, the links made by this call are removed and the new ports forgotten.
   * Counters of ports already wired are kept. */
  async installWires(
    netns: string | null,
    wires: { a: string; b: string; settings: WireSettings }[],
  ): Promise<{ a: AttachResult; b: AttachResult }[]> {
    if (wires.length === 0) return [];
    const ifs = await this.#interfaces(netns);
    const idx = wires.map((w) => {
      if (w.a === w.b) throw new XconnectError('PLAN', `a wire needs two different ports, got ${w.a} twice`);
      return [this.#ifindex(ifs, netns, w.a), this.#ifindex(ifs, netns, w.b)] as const;
    });
    const portsMap = this.#map(BPF.maps.ports);
    const ports = idx.flat();
    const existing = await native.mapOps(
      null,
      ports.map((i) => ({ op: 'lookup' as const, fd: portsMap, key: u32Key(i), valueSize: PORT_SIZE })),
    );
    // A port keeps its counter slot (and counts) across re-installs; a new
    // port gets the lowest free slot, zeroed.
    const slotOf = new Map<number, number>();
    ports.forEach((i, k) => {
      const buf = existing[k];
      if (buf instanceof Buffer) slotOf.set(i, decodePort(buf).slot);
    });
    const fresh = [...new Set(ports.filter((i) => !slotOf.has(i)))];
    if (fresh.length) {
      const used = new Set([...(await this.configuredPorts()).values()].map((c) => c.slot));
      let next = 0;
      for (const i of fresh) {
        while (used.has(next)) next++;
        if (next >= MAX_PORTS)
          throw new XconnectError('PLAN', `more than ${MAX_PORTS} ports in one lab`, { hint: 'split the lab; see XC_MAX_PORTS in bpf/xconnect.h' });
        slotOf.set(i, next);
        used.add(next);
      }
    }
    const zero = Buffer.alloc(this.#statsSize);
    const stats = this.#map(BPF.maps.stats);
    const ops = [
      ...fresh.map((i) => ({ op: 'update' as const, fd: stats, key: u32Key(slotOf.get(i)!), value: zero })),
      ...wires.flatMap((w, k) => {
        const [a, b] = idx[k]!;
        return [...this.#portOps(a, b, slotOf.get(a)!, w.settings), ...this.#portOps(b, a, slotOf.get(b)!, w.settings)];
      }),
    ];
    // Devmap values are resolved in the updating thread's netns: run in `netns`.
    await native.mapOps(netns, ops).catch((e: unknown) => {
      throw toXconnectError(e, { netns });
    });
    const results = new Map<string, AttachResult>();
    const created: string[] = [];
    try {
      for (const mode of ['native', 'generic'] as const) {
        const names = wires.filter((w) => w.settings.mode === mode).flatMap((w) => [w.a, w.b]);
        if (names.length === 0) continue;
        const r = await native.attachXdp({
          netns: netns ?? '',
          progFd: this.#prog(BPF.progs.wire),
          mode,
          ports: names.map((ifname) => ({ ifname, pin: this.linkPin(ifname) })),
        });
        names.forEach((n, k) => {
          results.set(n, r[k]!);
          if (r[k]!.created) created.push(n);
        });
      }
    } catch (e) {
      await native.detachXdp(created.map((n) => this.linkPin(n)));
      await this.#deletePorts(fresh);
      throw e;
    }
    return wires.map((w) => ({ a: results.get(w.a)!, b: results.get(w.b)! }));
  }

  #portOps(port: number, partner: number, slot: number, s: WireSettings) {
    return [
      { op: 'update' as const, fd: this.#map(BPF.maps.tx), key: u32Key(port), value: encodeDevmapVal(partner) },
      {
        op: 'update' as const,
        fd: this.#map(BPF.maps.ports),
        key: u32Key(port),
        value: encodePort({ partner, adminUp: s.adminUp, loss: s.loss, slot }),
      },
    ];
  }

  async #deletePorts(ifindexes: number[]): Promise<void> {
    if (ifindexes.length === 0) return;
    // Counter slots are array entries: they are freed with the port's config
    // and zeroed when handed out again.
    const maps = [BPF.maps.ports, BPF.maps.tx].map((m) => this.#map(m));
    await native.mapOps(
      null,
      ifindexes.flatMap((i) => maps.map((fd) => ({ op: 'delete' as const, fd, key: u32Key(i) }))),
    );
  }

  /** Changes admin state and/or loss of both directions of an installed wire. */
  async updateWire(w: WirePorts, change: { adminUp?: boolean; loss?: number }): Promise<void> {
    await this.updateWires(w.netns, [{ a: w.a, b: w.b, ...change }]);
  }

  /** Changes admin state and/or loss of installed wires, in one map batch. */
  async updateWires(netns: string | null, changes: { a: string; b: string; adminUp?: boolean; loss?: number }[]): Promise<void> {
    if (changes.length === 0) return;
    const ifs = await this.#interfaces(netns);
    const ports = this.#map(BPF.maps.ports);
    const items = changes.flatMap((c) =>
      [c.a, c.b].map((name) => ({ name, ifindex: this.#ifindex(ifs, netns, name), change: c })),
    );
    const cur = await native.mapOps(
      null,
      items.map((it) => ({ op: 'lookup' as const, fd: ports, key: u32Key(it.ifindex), valueSize: PORT_SIZE })),
    );
    const ops = items.map((it, k) => {
      const buf = cur[k];
      if (!(buf instanceof Buffer))
        throw new XconnectError('RUNTIME', `port ${it.name} is not wired`, { endpoint: it.name, netns: netns ?? undefined });
      const c = decodePort(buf);
      const adminUp = it.change.adminUp ?? c.adminUp;
      const loss = it.change.loss ?? c.loss;
      return { op: 'update' as const, fd: ports, key: u32Key(it.ifindex), value: encodePort({ ...c, adminUp, loss }) };
    });
    await native.mapOps(null, ops);
  }

  /** Removes a wire: detaches both links (a tc stitch beneath resumes at once),
   * then drops the ports' map entries. Safe on a half-removed or unknown wire. */
  async removeWire(w: WirePorts): Promise<void> {
    await this.removePorts(w.netns, [w.a, w.b]);
  }

  /** Detaches ports' links and forgets their map entries. The ifindex comes
   * from the pinned link, or from the device when the pin is already gone. */
  async removePorts(netns: string | null, ifnames: string[]): Promise<void> {
    if (ifnames.length === 0) return;
    const pins = ifnames.map((n) => this.linkPin(n));
    const pinned = await native.pinnedLinks(pins);
    const ifindexes = pinned.map((p) => p?.ifindex ?? 0);
    if (ifindexes.some((i) => !i)) {
      const ifs = await this.#interfaces(netns);
      ifnames.forEach((n, k) => {
        if (!ifindexes[k]) ifindexes[k] = ifs.get(n)?.ifindex ?? 0;
      });
    }
    await native.detachXdp(pins);
    await this.#deletePorts(ifindexes.filter((i) => i > 0));
  }

  /** Ports with a pinned link: ifname -> what the link holds (ifindex 0: its
   * device is gone). */
  async pinnedPorts(): Promise<Map<string, { ifindex: number; progId: number }>> {
    const names = await readdir(path.join(this.pinDir, 'links')).catch(() => [] as string[]);
    const links = await native.pinnedLinks(names.map((n) => this.linkPin(n)));
    const out = new Map<string, { ifindex: number; progId: number }>();
    names.forEach((n, k) => {
      const l = links[k];
      if (l) out.set(n, { ifindex: l.ifindex, progId: l.progId });
    });
    return out;
  }

  /** What the kernel and the maps say about one port. */
  async port(netns: string | null, ifname: string): Promise<PortState> {
    return (await this.ports(netns, [ifname]))[0]!;
  }

  /** What the kernel and the maps say about ports of one netns (a few kernel jobs in all). */
  async ports(netns: string | null, ifnames: string[]): Promise<PortState[]> {
    const ifs = await this.#interfaces(netns);
    const pinned = await native.pinnedLinks(ifnames.map((n) => this.linkPin(n)));
    const links = ifnames.map((n) => ifs.get(n));
    const present = links.filter((l): l is LinkInfo => !!l);
    const cfgs = (
      await native.mapOps(
        null,
        present.map((l) => ({ op: 'lookup' as const, fd: this.#map(BPF.maps.ports), key: u32Key(l.ifindex), valueSize: PORT_SIZE })),
      )
    ).map((b) => (b instanceof Buffer ? decodePort(b) : null));
    const withCfg = cfgs.filter((c): c is PortConfig => !!c);
    const stats = await native.mapOps(
      null,
      withCfg.map((c) => ({ op: 'lookup' as const, fd: this.#map(BPF.maps.stats), key: u32Key(c.slot), valueSize: this.#statsSize })),
    );
    const counters = new Map(withCfg.map((c, k) => [c, stats[k]]));
    let k = 0;
    return ifnames.map((ifname, i) => {
      const link = links[i];
      if (!link) return { ifname, ifindex: null, attached: 'none', ours: false, config: null, counters: zeroCounters() };
      const cfg = cfgs[k++] ?? null;
      const st = cfg ? counters.get(cfg) : undefined;
      const pin = pinned[i];
      return {
        ifname: link.name,
        ifindex: link.ifindex,
        attached: link.xdp.mode,
        ours: !!pin && pin.progId !== 0 && pin.progId === link.xdp.progId,
        config: cfg,
        counters: st instanceof Buffer ? decodePerCpuStats(st, this.#obj.possibleCpus) : zeroCounters(),
      };
    });
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

