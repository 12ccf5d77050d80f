/** The typed dataplane: wires between two ports of one network namespace.
 *
 * Each direction of a wire runs on one engine, at the ingress of the port the
 * frames enter: `xdp` (native XDP), `xdp-generic`, or `tc` (TCX, or a cls_bpf
 * filter on kernels without TCX). All engines read the same maps.
 *
 * State lives in bpffs under `pinDir`: the maps (xc_ports, xc_tx, xc_stats)
 * and one pinned bpf_link per port (`xdp/<ifname>` or `tcx/<ifname>`; a legacy
 * tc filter has no link and is found on the device). A process opens the
 * object, changes what it must and closes it; the wires stay. One pinDir
 * serves the ports of one netns, because the maps are keyed by ifindex. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { XconnectError } from '../errors.js';
import { native, toXconnectError, type LinkInfo, type LoadedObject, type PinnedLink, type TcAttach } from '../native/addon.js';
import type { Engine } from './engine-policy.js';
import {
  BPF,
  checkLayouts,
  NO_IMPAIRMENT,
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
  type Impairment,
  type PortConfig,
  type PortCounters,
} from './layout.js';

export type { Impairment, PortConfig, PortCounters } from './layout.js';
export type { Engine } from './engine-policy.js';

/** The two ports of a wire, by name, in `netns` (null: the host netns). */
export interface WirePorts {
  netns: string | null;
  a: string;
  b: string;
}

export interface WireSettings {
  /** The engine of each direction, named by the port the frames enter; one
   * value sets both. */
  engine: Engine | { a: Engine; b: Engine };
  adminUp: boolean;
  /** Loss probability 0..1 of both directions (shorthand for impair.*.loss). */
  loss?: number;
  /** What happens to the frames of each direction, named by the port they
   * enter (unset fields: none). */
  impair?: { a?: Partial<Impairment>; b?: Partial<Impairment> };
  /** tc engine: the MAC of the node interface behind each port (the veth
   * peer), so that frames to it take bpf_redirect_peer. Without it the tc engine
   * sends through the partner's egress (slower, equally transparent). */
  peerMac?: { a?: string | null; b?: string | null };
}

/** One attachment of ours on a port. */
export interface Attachment {
  kind: 'xdp-link' | 'tcx-link' | 'tc-filter';
  /** The device it is attached to (0: a link whose device is gone). */
  ifindex: number;
  progId: number;
}

export interface PortState {
  ifname: string;
  ifindex: number | null;
  /** The engine our attachment runs on this port, as the kernel reports it. */
  engine: Engine | null;
  /** How it is attached: 'tcx' or 'legacy' (tc), 'native' or 'generic' (XDP). */
  attach: string | null;
  /** XDP attachment as the kernel reports it for the interface (ours or not). */
  xdp: LinkInfo['xdp'];
  config: PortConfig | null;
  counters: PortCounters;
}

/** What is installed for the ports of one netns, before a change. */
export interface InstalledPorts {
  /** ifname -> our pinned links. */
  pins: Map<string, { xdp?: PinnedLink; tcx?: PinnedLink }>;
  /** ifindex -> port config. */
  config: Map<number, PortConfig>;
  /** ifindexes carrying our legacy tc filter. */
  tcFilters: Set<number>;
}

export interface PortResult {
  ifindex: number;
  engine: Engine;
  created: boolean;
}

export const DEFAULT_BPFFS_ROOT = '/sys/fs/bpf/clab-xconnect';

const PIN_DIRS = { xdp: 'xdp', tcx: 'tcx' } as const;

function engines(s: WireSettings): { a: Engine; b: Engine } {
  return typeof s.engine === 'string' ? { a: s.engine, b: s.engine } : s.engine;
}

/** The impairment of one direction: `base`, then the shorthand loss, then the explicit fields. */
function impairment(base: Impairment, loss: number | undefined, explicit: Partial<Impairment> | undefined): Impairment {
  return { ...base, ...(loss !== undefined ? { loss } : {}), ...explicit };
}

/** A change to installed wires: admin state, and impairments per direction
 * (unset fields keep their value). */
export interface WireChange {
  a: string;
  b: string;
  adminUp?: boolean;
  loss?: number;
  impair?: { a?: Partial<Impairment>; b?: Partial<Impairment> };
}

export interface DataplaneOptions {
  /** How the tc engine attaches: 'auto' probes the kernel for TCX (default:
   * CLAB_XCONNECT_TC_ATTACH, else 'auto'). */
  tcAttach?: TcAttach | 'auto';
  /** false: load the wire without its impairment code (the benchmark's
   * measure of what that code costs an unimpaired wire). Default true. */
  impairments?: boolean;
}

export class Dataplane {
  readonly pinDir: string;
  readonly #obj: LoadedObject;
  readonly #tcAttachWanted: TcAttach | 'auto';
  #tcAttach: TcAttach | undefined;
  #closed = false;

  private constructor(pinDir: string, obj: LoadedObject, opts: DataplaneOptions) {
    this.pinDir = pinDir;
    this.#obj = obj;
    this.#tcAttachWanted = opts.tcAttach ?? tcAttachFromEnv();
  }

  /** Loads the programs, reusing (or creating) the maps pinned in `pinDir`. */
  static async open(pinDir: string, opts: DataplaneOptions = {}): Promise<Dataplane> {
    const obj = await native.open(pinDir, { impairments: opts.impairments ?? true });
    try {
      checkLayouts(obj.layouts);
    } catch (e) {
      native.close(obj.handle);
      throw e;
    }
    return new Dataplane(pinDir, obj, opts);
  }

  /** Releases this process's handles; pinned state stays. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    native.close(this.#obj.handle);
  }

  /** How the tc engine attaches on this kernel: TCX where the kernel has it. */
  async tcAttach(): Promise<TcAttach> {
    if (!this.#tcAttach) this.#tcAttach = this.#tcAttachWanted === 'auto' ? ((await native.probeTcx()) ? 'tcx' : 'legacy') : this.#tcAttachWanted;
    return this.#tcAttach;
  }

  /** Where the bpf_link of port `ifname` is pinned, per link type. */
  linkPin(ifname: string, type: 'xdp' | 'tcx'): string {
    return path.join(this.pinDir, PIN_DIRS[type], ifname);
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

  #link(ifs: Map<string, LinkInfo>, netns: string | null, ifname: string): LinkInfo {
    const l = ifs.get(ifname);
    if (!l)
      throw new XconnectError('RUNTIME', `interface ${ifname} not found ${netns ? `in netns ${netns}` : 'in the host netns'}`, {
        endpoint: ifname,
        netns: netns ?? undefined,
        errnoName: 'ENODEV',
      });
    return l;
  }

  /** Installs one wire; see installWires. */
  async installWire(w: WirePorts, s: WireSettings): Promise<{ a: PortResult; b: PortResult }> {
    return (await this.installWires(w.netns, [{ a: w.a, b: w.b, settings: s }]))[0]!;
  }

  /** Installs (or re-installs, idempotently) wires between ports of `netns`:
   * map entries first, so a program forwards from its first frame; then each
   * port's engine, one kernel job per engine; then whatever other engine of
   * ours the port carried goes. A new attachment always comes before the old
   * one goes: XDP runs before tc, so every frame meets exactly one of them and
   * none is lost or sent twice during a switch. If a port cannot take its
   * engine, what this call attached is removed and the new ports forgotten.
   * Counters of ports already wired are kept. */
  async installWires(netns: string | null, wires: { a: string; b: string; settings: WireSettings }[]): Promise<{ a: PortResult; b: PortResult }[]> {
    if (wires.length === 0) return [];
    const ifs = await this.#interfaces(netns);
    const ends = wires.map((w) => {
      if (w.a === w.b) throw new XconnectError('PLAN', `a wire needs two different ports, got ${w.a} twice`);
      return [this.#link(ifs, netns, w.a), this.#link(ifs, netns, w.b)] as const;
    });
    const portsMap = this.#map(BPF.maps.ports);
    const ifindexes = ends.flat().map((l) => l.ifindex);
    const existing = await native.mapOps(
      null,
      ifindexes.map((i) => ({ op: 'lookup' as const, fd: portsMap, key: u32Key(i), valueSize: PORT_SIZE })),
    );
    // A port keeps its counter slot (and counts) across re-installs; a new
    // port gets the lowest free slot, zeroed.
    const before = new Map<number, PortConfig>();
    ifindexes.forEach((i, k) => {
      const buf = existing[k];
      if (buf instanceof Buffer) before.set(i, decodePort(buf));
    });
    const fresh = [...new Set(ifindexes.filter((i) => !before.has(i)))];
    const slotOf = new Map([...before].map(([i, c]) => [i, c.slot]));
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
    // Per port: its engine, partner and config.
    const tcAttach = await this.tcAttach();
    await this.#refuseForeignXdp(wires, ends);
    const ports = wires.flatMap((w, k) => {
      const [a, b] = ends[k]!;
      const e = engines(w.settings);
      const mac = w.settings.peerMac ?? {};
      const port = (self: LinkInfo, partner: LinkInfo, engine: Engine, peerMac: string | null | undefined, impair: Partial<Impairment> | undefined) => ({
        ifname: self.name,
        link: self,
        engine,
        config: {
          partner: partner.ifindex,
          adminUp: w.settings.adminUp,
          slot: slotOf.get(self.ifindex)!,
          peerMac: engine === 'tc' ? (peerMac ?? null) : null,
          impair: impairment(NO_IMPAIRMENT, w.settings.loss, impair),
          // A running capture goes on through a re-install.
          capture: before.get(self.ifindex)?.capture ?? null,
        } satisfies PortConfig,
      });
      return [port(a, b, e.a, mac.b, w.settings.impair?.a), port(b, a, e.b, mac.a, w.settings.impair?.b)];
    });
    const zero = Buffer.alloc(this.#statsSize);
    const stats = this.#map(BPF.maps.stats);
    const writeConfig = (list: typeof ports) =>
      list.flatMap((p) => [
        { op: 'update' as const, fd: this.#map(BPF.maps.tx), key: u32Key(p.link.ifindex), value: encodeDevmapVal(p.config.partner) },
        { op: 'update' as const, fd: portsMap, key: u32Key(p.link.ifindex), value: encodePort(p.config) },
      ]);
    // Devmap values are resolved in the updating thread's netns: run in `netns`.
    await native
      .mapOps(netns, [...fresh.map((i) => ({ op: 'update' as const, fd: stats, key: u32Key(slotOf.get(i)!), value: zero })), ...writeConfig(ports)])
      .catch((e: unknown) => {
        throw toXconnectError(e, { netns });
      });

    const created: { ifname: string; ifindex: number; how: 'xdp' | 'tcx' | 'legacy' }[] = [];
    const results = new Map<string, PortResult>();
    try {
      for (const [engine, mode] of [['xdp', 'native'], ['xdp-generic', 'generic']] as const) {
        const list = ports.filter((p) => p.engine === engine);
        if (list.length === 0) continue;
        const r = await native.attachXdp({
          netns: netns ?? '',
          progFd: this.#prog(BPF.progs.wire),
          mode,
          ports: list.map((p) => ({ ifname: p.ifname, pin: this.linkPin(p.ifname, 'xdp') })),
        });
        list.forEach((p, k) => {
          results.set(p.ifname, { ifindex: r[k]!.ifindex, engine, created: r[k]!.created });
          if (r[k]!.created) created.push({ ifname: p.ifname, ifindex: r[k]!.ifindex, how: 'xdp' });
        });
      }
      const tc = ports.filter((p) => p.engine === 'tc');
      if (tc.length) {
        const r = await native.attachTc({
          netns: netns ?? '',
          progFd: this.#prog(BPF.progs.wireTc),
          attach: tcAttach,
          ports: tc.map((p) => ({ ifname: p.ifname, pin: this.linkPin(p.ifname, 'tcx') })),
        });
        tc.forEach((p, k) => {
          const res = r[k]!;
          results.set(p.ifname, { ifindex: res.ifindex, engine: 'tc', created: res.created });
          if (res.created) created.push({ ifname: p.ifname, ifindex: res.ifindex, how: tcAttach });
        });
      }
      await this.#dropOtherEngines(netns, ports.map((p) => ({ ifname: p.ifname, ifindex: p.link.ifindex, keep: p.engine, tcAttach })));
    } catch (e) {
      await native.detachLinks(created.filter((c) => c.how !== 'legacy').map((c) => this.linkPin(c.ifname, c.how === 'xdp' ? 'xdp' : 'tcx')));
      await native.detachTcLegacy(netns, created.filter((c) => c.how === 'legacy').map((c) => c.ifindex));
      await this.#deletePorts(fresh);
      throw e;
    }
    return ends.map(([a, b]) => ({ a: results.get(a.name)!, b: results.get(b.name)! }));
  }

  /** An XDP program runs before tc: on a port that carries one we did not
   * install, the tc engine would never see a frame. (The XDP attach refuses
   * such ports itself.) */
  async #refuseForeignXdp(wires: { settings: WireSettings }[], ends: (readonly [LinkInfo, LinkInfo])[]): Promise<void> {
    const tcPorts = wires.flatMap((w, k) => {
      const e = engines(w.settings);
      return [...(e.a === 'tc' ? [ends[k]![0]] : []), ...(e.b === 'tc' ? [ends[k]![1]] : [])];
    }).filter((l) => l.xdp.mode !== 'none');
    if (tcPorts.length === 0) return;
    const pins = await native.pinnedLinks(tcPorts.map((l) => this.linkPin(l.name, 'xdp')));
    const foreign = tcPorts.find((l, k) => pins[k]?.progId !== l.xdp.progId);
    if (foreign)
      throw new XconnectError('BUSY', `interface ${foreign.name} already carries XDP program id ${foreign.xdp.progId} (${foreign.xdp.mode} mode) that clab-xconnect did not install; refusing to run beside it`, {
        endpoint: foreign.name,
        hint: 'remove that program first (e.g. `ip link set dev IF xdp off`) or exclude the link',
      });
  }

  /** Removes the attachments of ours that a port no longer needs: the other
   * engine's link, and a legacy filter where the tc engine now uses TCX. */
  async #dropOtherEngines(netns: string | null, ports: { ifname: string; ifindex: number; keep: Engine; tcAttach: TcAttach }[]): Promise<void> {
    const pins = ports.flatMap((p) => [
      ...(p.keep === 'tc' ? [this.linkPin(p.ifname, 'xdp')] : []),
      ...(p.keep !== 'tc' || p.tcAttach === 'legacy' ? [this.linkPin(p.ifname, 'tcx')] : []),
    ]);
    await native.detachLinks(pins);
    const legacy = ports.filter((p) => p.keep !== 'tc' || p.tcAttach === 'tcx');
    if (legacy.length === 0) return;
    // One look per port at its ingress filters (legacy attach: one of ours may
    // be there from before a switch of engine or of attach type).
    const state = await native.tcState(netns, legacy.map((p) => p.ifindex));
    const withFilter = legacy.filter((_, k) => state[k]?.filters.some((f) => f.ours));
    if (withFilter.length) await native.detachTcLegacy(netns, withFilter.map((p) => p.ifindex));
  }

  async #configs(ifindexes: number[]): Promise<(PortConfig | null)[]> {
    const bufs = await native.mapOps(
      null,
      ifindexes.map((i) => ({ op: 'lookup' as const, fd: this.#map(BPF.maps.ports), key: u32Key(i), valueSize: PORT_SIZE })),
    );
    return bufs.map((b) => (b instanceof Buffer ? decodePort(b) : null));
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

  /** Turns capture on (bytes copied per frame) or off (null) on installed
   * ports, by ifindex, in one map batch. Ports not configured are skipped. */
  async setCapture(ifindexes: number[], snaplen: number | null): Promise<number[]> {
    const cur = await this.#configs(ifindexes);
    const ports = this.#map(BPF.maps.ports);
    const changed = ifindexes.filter((_, k) => cur[k] && (cur[k]!.capture?.snaplen ?? null) !== snaplen);
    const ops = ifindexes.flatMap((i, k) => {
      const c = cur[k];
      if (!c || (c.capture?.snaplen ?? null) === snaplen) return [];
      return [{ op: 'update' as const, fd: ports, key: u32Key(i), value: encodePort({ ...c, capture: snaplen === null ? null : { snaplen } }) }];
    });
    if (ops.length) await native.mapOps(null, ops);
    return changed;
  }

  /** The fd of the capture perf buffer (owned by this object). */
  captureMap(): number {
    return this.#map(BPF.maps.capture);
  }

  /** Changes admin state and/or impairments of an installed wire. */
  async updateWire(w: WirePorts, change: Omit<WireChange, 'a' | 'b'>): Promise<void> {
    await this.updateWires(w.netns, [{ a: w.a, b: w.b, ...change }]);
  }

  /** Changes admin state and/or impairments of installed wires, in one map
   * batch. The engines stay as they are: duplication and delay need the tc
   * engine, which installWires decides. */
  async updateWires(netns: string | null, changes: WireChange[]): Promise<void> {
    if (changes.length === 0) return;
    const ifs = await this.#interfaces(netns);
    const ports = this.#map(BPF.maps.ports);
    const items = changes.flatMap((c) =>
      (['a', 'b'] as const).map((side) => ({ name: c[side], ifindex: this.#link(ifs, netns, c[side]).ifindex, change: c, side })),
    );
    const cur = await this.#configs(items.map((it) => it.ifindex));
    const ops = items.map((it, k) => {
      const c = cur[k];
      if (!c) throw new XconnectError('RUNTIME', `port ${it.name} is not wired`, { endpoint: it.name, netns: netns ?? undefined });
      const adminUp = it.change.adminUp ?? c.adminUp;
      const impair = impairment(c.impair, it.change.loss, it.change.impair?.[it.side]);
      return { op: 'update' as const, fd: ports, key: u32Key(it.ifindex), value: encodePort({ ...c, adminUp, impair }) };
    });
    await native.mapOps(null, ops);
  }

  /** Removes a wire: detaches both ports (a tc stitch beneath resumes at once),
   * then drops the ports' map entries. Safe on a half-removed or unknown wire. */
  async removeWire(w: WirePorts): Promise<void> {
    await this.removePorts(w.netns, [w.a, w.b]);
  }

  /** Detaches ports (every engine of ours) and forgets their map entries. The
   * ifindex comes from a pinned link, or from the device when no pin is left. */
  async removePorts(netns: string | null, ifnames: string[]): Promise<void> {
    if (ifnames.length === 0) return;
    const types = ['xdp', 'tcx'] as const;
    const pins = ifnames.flatMap((n) => types.map((t) => this.linkPin(n, t)));
    const pinned = await native.pinnedLinks(pins);
    const ifindexes = ifnames.map((_, k) => pinned[2 * k]?.ifindex || pinned[2 * k + 1]?.ifindex || 0);
    if (ifindexes.some((i) => !i)) {
      const ifs = await this.#interfaces(netns);
      ifnames.forEach((n, k) => {
        if (!ifindexes[k]) ifindexes[k] = ifs.get(n)?.ifindex ?? 0;
      });
    }
    await native.detachLinks(pins);
    const present = ifindexes.filter((i) => i > 0);
    await native.detachTcLegacy(netns, present);
    await this.#deletePorts(present);
  }

  /** What is installed: pinned links by port name, port configs, and (for the
   * `ifindexes` given) which ports carry a legacy tc filter of ours. */
  async installed(netns: string | null, ifindexes: number[] = []): Promise<InstalledPorts> {
    const pins = new Map<string, { xdp?: PinnedLink; tcx?: PinnedLink }>();
    for (const type of ['xdp', 'tcx'] as const) {
      const names = await readdir(path.join(this.pinDir, PIN_DIRS[type])).catch(() => [] as string[]);
      const links = await native.pinnedLinks(names.map((n) => this.linkPin(n, type)));
      names.forEach((n, k) => {
        const l = links[k];
        if (l) pins.set(n, { ...pins.get(n), [type]: l });
      });
    }
    const config = await this.configuredPorts();
    // A legacy filter is looked for where it can be: configured ports when the
    // tc engine attaches that way, and configured ports with no link at all.
    const legacy = (await this.tcAttach()) === 'legacy';
    const pinnedIdx = new Set([...pins.values()].flatMap((p) => [p.xdp?.ifindex, p.tcx?.ifindex]).filter((i): i is number => !!i));
    const look = ifindexes.filter((i) => config.has(i) && (legacy || !pinnedIdx.has(i)));
    const state = look.length ? await native.tcState(netns, look) : [];
    const tcFilters = new Set(look.filter((_, k) => state[k]?.filters.some((f) => f.ours)));
    return { pins, config, tcFilters };
  }

  /** What the kernel and the maps say about one port. */
  async port(netns: string | null, ifname: string): Promise<PortState> {
    return (await this.ports(netns, [ifname]))[0]!;
  }

  /** What the kernel and the maps say about ports of one netns (a few kernel jobs in all). */
  async ports(netns: string | null, ifnames: string[]): Promise<PortState[]> {
    const ifs = await this.#interfaces(netns);
    const links = ifnames.map((n) => ifs.get(n));
    const present = links.filter((l): l is LinkInfo => !!l);
    const inst = await this.installed(netns, present.map((l) => l.ifindex));
    const cfgs = present.map((l) => inst.config.get(l.ifindex) ?? null);
    const withCfg = cfgs.filter((c): c is PortConfig => !!c);
    const stats = await native.mapOps(
      null,
      withCfg.map((c) => ({ op: 'lookup' as const, fd: this.#map(BPF.maps.stats), key: u32Key(c.slot), valueSize: this.#statsSize })),
    );
    const counters = new Map(withCfg.map((c, k) => [c, stats[k]]));
    return ifnames.map((ifname, i) => {
      const link = links[i];
      if (!link) return { ifname, ifindex: null, engine: null, attach: null, xdp: { mode: 'none', progId: 0 }, config: null, counters: zeroCounters() };
      const cfg = inst.config.get(link.ifindex) ?? null;
      const st = cfg ? counters.get(cfg) : undefined;
      const { engine, attach } = activeEngine(link, inst.pins.get(link.name), inst.tcFilters.has(link.ifindex));
      return {
        ifname: link.name,
        ifindex: link.ifindex,
        engine,
        attach,
        xdp: link.xdp,
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

  /** Forgets ports of `netns` that are not in `keep` (stale after a device
   * vanished or a wire went): a legacy tc filter of ours goes with them. */
  async forgetPortsExcept(netns: string | null, keep: Set<number>): Promise<number> {
    const stale = [...(await this.configuredPorts()).keys()].filter((i) => !keep.has(i));
    if (stale.length === 0) return 0;
    await native.detachTcLegacy(netns, stale);
    await this.#deletePorts(stale);
    return stale.length;
  }
}

/** The engine our attachments run on a device, by the precedence the kernel
 * gives them: XDP before TCX before tc filters. */
export function activeEngine(
  link: LinkInfo,
  pins: { xdp?: PinnedLink; tcx?: PinnedLink } | undefined,
  tcFilter: boolean,
): { engine: Engine | null; attach: string | null } {
  const xdp = pins?.xdp;
  if (xdp && xdp.ifindex === link.ifindex && xdp.progId !== 0 && xdp.progId === link.xdp.progId) {
    if (link.xdp.mode === 'native') return { engine: 'xdp', attach: 'native' };
    if (link.xdp.mode === 'generic') return { engine: 'xdp-generic', attach: 'generic' };
  }
  if (link.xdp.mode !== 'none') return { engine: null, attach: null }; // someone else's XDP runs first
  const tcx = pins?.tcx;
  if (tcx && tcx.type === 'tcx' && tcx.ifindex === link.ifindex) return { engine: 'tc', attach: 'tcx' };
  if (tcFilter) return { engine: 'tc', attach: 'legacy' };
  return { engine: null, attach: null };
}

function tcAttachFromEnv(): TcAttach | 'auto' {
  const v = process.env['CLAB_XCONNECT_TC_ATTACH'];
  if (v === undefined || v === '' || v === 'auto') return 'auto';
  if (v === 'tcx' || v === 'legacy') return v;
  throw new XconnectError('USAGE', `CLAB_XCONNECT_TC_ATTACH must be auto, tcx or legacy, got ${JSON.stringify(v)}`, { value: v });
}
