/** The typed dataplane: wires between two ports of one network namespace.
 *
 * Each direction of a wire runs on one engine, at the ingress of the port the
 * frames enter: `xdp` (native XDP), `xdp-generic`, or `tc` (TCX, or a cls_bpf
 * filter on kernels without TCX). All engines read the same maps.
 *
 * State lives in bpffs under `pinDir`: the maps (xc_ports, xc_tx, xc_stats, ...)
 * and one pinned bpf_link per port (`xdp/<ifname>` or `tcx/<ifname>`; a legacy
 * tc filter has no link and is found on the device). A process opens the
 * maps, changes what it must and closes them; the wires stay. One pinDir
 * serves the ports of one netns, because the maps are keyed by ifindex.
 *
 * Ports are given as the caller's netlink snapshot saw them (ifindex, name,
 * XDP state), in the namespace the Dataplane was opened for (a held handle):
 * nothing here looks an interface up by name again, so what is decided and
 * what is done refer to the same devices. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { XconnectError } from '../errors.js';
import { native, toXconnectError, type LinkInfo, type LoadedObject, type MapOp, type PerfReaderHandle, type PinnedLink, type TcAttach, type TcState } from '../native/addon.js';
import { nsHandle, whereNetns, type Netns } from '../native/netns.js';
import { settleAll } from '../util/pool.js';
import type { Engine } from './engine-policy.js';
import {
  BPF,
  checkLayouts,
  checkMapShapes,
  NO_IMPAIRMENT,
  MAX_PORTS,
  decodePerCpuStats,
  decodeKey,
  decodePort,
  bytesView,
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

/** A port as a netlink snapshot of its netns saw it. */
export type PortLink = Pick<LinkInfo, 'ifindex' | 'name' | 'xdp'>;

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

export interface PortState {
  ifname: string;
  ifindex: number;
  /** The engine our attachment runs on this port, as the kernel reports it. */
  engine: Engine | null;
  /** How it is attached: 'tcx' or 'legacy' (tc), 'native' or 'generic' (XDP). */
  attach: string | null;
  /** XDP attachment as the snapshot reports it for the interface (ours or not). */
  xdp: LinkInfo['xdp'];
  config: PortConfig | null;
  counters: PortCounters;
}

/** What is installed, read in one pass before a change: the snapshot every
 * decision about the change is made on. */
export interface InstalledPorts {
  /** Port name -> our pinned links. */
  pins: Map<string, { xdp?: PinnedLink; tcx?: PinnedLink }>;
  /** ifindex -> port config, for every configured port. */
  config: Map<number, PortConfig>;
  /** tc state of the ports asked about (null: no such device). */
  tc: Map<number, TcState | null>;
  /** Of those, the ifindexes carrying a legacy tc filter of ours. */
  tcFilters: Set<number>;
}

export interface PortResult {
  ifindex: number;
  engine: Engine;
  /** Attached by this call (false: an attachment of ours was kept). */
  created: boolean;
}

export const DEFAULT_BPFFS_ROOT = '/sys/fs/bpf/clab-xconnect';

const PIN_DIRS = { xdp: 'xdp', tcx: 'tcx' } as const;
const XDP_MODES = { xdp: 'native', 'xdp-generic': 'generic' } as const;

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
  a: Pick<LinkInfo, 'ifindex' | 'name'>;
  b: Pick<LinkInfo, 'ifindex' | 'name'>;
  adminUp?: boolean;
  loss?: number;
  impair?: { a?: Partial<Impairment>; b?: Partial<Impairment> };
}

export interface DataplaneOptions {
  /** The namespace of the ports (default null: the process's own). */
  netns?: Netns | null;
  /** How the tc engine attaches: 'auto' probes the kernel for TCX (default:
   * CLAB_XCONNECT_TC_ATTACH, else 'auto'). */
  tcAttach?: TcAttach | 'auto';
  /** false: load the wire without its impairment code (the benchmark's
   * measure of what that code costs an unimpaired wire). Default true. */
  impairments?: boolean;
}

/** Why a port cannot take a wire of ours: programs at its hooks that we did
 * not install (empty: none). An XDP program runs before tc, so a tc wire
 * beside one would never see a frame; at TCX or as a bpf filter one would
 * share the frames with ours. */
export function foreignAttachments(port: PortLink, s: InstalledPorts): string[] {
  const pins = s.pins.get(port.name);
  const out: string[] = [];
  if (port.xdp.mode !== 'none' && pins?.xdp?.progId !== port.xdp.progId)
    out.push(`XDP program id ${port.xdp.progId} (${port.xdp.mode} mode)`);
  const tc = s.tc.get(port.ifindex);
  for (const id of tc?.tcx ?? []) if (id !== pins?.tcx?.progId || pins.tcx.ifindex !== port.ifindex) out.push(`TCX program id ${id}`);
  for (const f of tc?.filters ?? []) if (f.kind === 'bpf' && !f.ours) out.push(`a tc bpf filter (pref ${f.prio}, "${f.name}")`);
  return out;
}

export class Dataplane {
  readonly pinDir: string;
  readonly netns: Netns | null;
  /** The maps (and, once loaded, the programs). */
  #obj: LoadedObject;
  #loaded: boolean;
  readonly #opts: DataplaneOptions;
  #tcAttach: TcAttach | undefined;
  #closed = false;

  private constructor(pinDir: string, obj: LoadedObject, loaded: boolean, opts: DataplaneOptions) {
    // Normalised once: pin paths are joined to it by hand (linkPin).
    this.pinDir = path.resolve(pinDir);
    this.netns = opts.netns ?? null;
    this.#obj = obj;
    this.#loaded = loaded;
    this.#opts = { ...opts, tcAttach: opts.tcAttach ?? tcAttachFromEnv() };
  }

  /** Loads the programs, reusing (or creating) the maps pinned in `pinDir`. */
  static async open(pinDir: string, opts: DataplaneOptions = {}): Promise<Dataplane> {
    return new Dataplane(pinDir, await loadChecked(pinDir, opts), true, opts);
  }

  /** The lab's pinned maps alone (null: none pinned): what reading and
   * changing installed wires needs. The programs are loaded (and verified)
   * only if a wire must be attached. */
  static async openPinned(pinDir: string, opts: DataplaneOptions = {}): Promise<Dataplane | null> {
    const obj = await native.openPinned(pinDir, Object.values(BPF.maps));
    if (!obj.maps[BPF.maps.ports]) {
      native.closeHandle(obj.handle);
      return null;
    }
    try {
      checkMapShapes(obj.maps, pinDir);
    } catch (e) {
      native.closeHandle(obj.handle);
      throw e;
    }
    return new Dataplane(pinDir, obj, false, opts);
  }

  /** Releases this process's handles (once jobs in flight are done); pinned state stays. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    native.closeHandle(this.#obj.handle);
  }

  /** How the tc engine attaches on this kernel: TCX where the kernel has it. */
  async tcAttach(): Promise<TcAttach> {
    const want = this.#opts.tcAttach ?? 'auto';
    if (!this.#tcAttach) this.#tcAttach = want === 'auto' ? ((await native.probeTcx()) ? 'tcx' : 'legacy') : want;
    return this.#tcAttach;
  }

  /** Where the bpf_link of port `ifname` is pinned, per link type. */
  linkPin(ifname: string, type: 'xdp' | 'tcx'): string {
    // Joined by hand: an interface name holds no '/' or '..', and path.join
    // (normalising every path) cost ~10 ms for the 4,000 pins of 1,000 wires.
    return `${this.pinDir}/${PIN_DIRS[type]}/${ifname}`;
  }

  get #handle() {
    if (this.#closed) throw new XconnectError('RUNTIME', 'dataplane is closed');
    return this.#obj.handle;
  }

  /** Map operations; in the ports' netns when they write devmap values (which
   * the kernel resolves in the writing thread's netns). */
  #ops(ops: MapOp[], inNetns = false): Promise<(boolean | Buffer | null)[]> {
    if (ops.length === 0) return Promise.resolve([]);
    return native.mapOps(this.#handle, inNetns ? nsHandle(this.netns) : null, ops).catch((e: unknown) => {
      throw toXconnectError(e, { netns: this.netns?.path ?? null });
    });
  }

  /** The programs, loaded on first need (openPinned does not load them). */
  async #programs(): Promise<LoadedObject> {
    if (this.#loaded) return this.#obj;
    const obj = await loadChecked(this.pinDir, this.#opts);
    native.closeHandle(this.#obj.handle);
    this.#obj = obj;
    this.#loaded = true;
    return obj;
  }

  /** Reads what is installed: every pin of ours, every port config, and the
   * tc state of `ports` (a few kernel jobs in all). `ports` may still be
   * coming: the pins and configs are read meanwhile. */
  async installed(ports: Pick<LinkInfo, 'ifindex'>[] | Promise<Pick<LinkInfo, 'ifindex'>[]> = []): Promise<InstalledPorts> {
    const pins = new Map<string, { xdp?: PinnedLink; tcx?: PinnedLink }>();
    let ifindexes: number[] = [];
    // Every read starts now, each with its handler (a `ports` that fails must
    // not go unhandled while the others run), and all settle before this returns.
    const [{ names, links }, config, tcStates] = await settleAll([
      Promise.all((['xdp', 'tcx'] as const).map((type) => readdir(path.join(this.pinDir, PIN_DIRS[type])).catch(() => [] as string[]))).then(
        async ([xdp, tcx]) => {
          const names = { xdp: xdp!, tcx: tcx! };
          const links = await native.pinnedLinks([...names.xdp.map((n) => this.linkPin(n, 'xdp')), ...names.tcx.map((n) => this.linkPin(n, 'tcx'))]);
          return { names, links };
        },
      ),
      this.configuredPorts(),
      Promise.resolve(ports).then((ps) => {
        ifindexes = [...new Set(ps.map((p) => p.ifindex))];
        return ifindexes.length ? native.tcState(nsHandle(this.netns), ifindexes) : [];
      }),
    ] as const);
    names.xdp.forEach((n, k) => {
      const l = links[k];
      if (l) pins.set(n, { ...pins.get(n), xdp: l });
    });
    names.tcx.forEach((n, k) => {
      const l = links[names.xdp.length + k];
      if (l) pins.set(n, { ...pins.get(n), tcx: l });
    });
    const tc = new Map(ifindexes.map((i, k) => [i, tcStates[k] ?? null]));
    const tcFilters = new Set(ifindexes.filter((i) => tc.get(i)?.filters.some((f) => f.ours)));
    return { pins, config, tc, tcFilters };
  }

  /** Installs one wire; see installWires. */
  async installWire(a: PortLink, b: PortLink, s: WireSettings): Promise<{ a: PortResult; b: PortResult }> {
    return (await this.installWires([{ a, b, settings: s }]))[0]!;
  }

  /** Installs (or re-installs, idempotently) wires between ports of this
   * netns, deciding on `snapshot` (read now when not given): map entries
   * first, so a program forwards from its first frame; then each port's
   * engine, one kernel job per engine; then whatever other engine of ours the
   * port carried goes. A new attachment always comes before the old one goes:
   * XDP runs before tc, so every frame meets exactly one of them and none is
   * lost or sent twice during a switch. If a port cannot take its engine, what
   * this call attached is removed and the new ports forgotten. Counters of
   * ports already wired are kept. */
  async installWires(wires: { a: PortLink; b: PortLink; settings: WireSettings }[], snapshot?: InstalledPorts): Promise<{ a: PortResult; b: PortResult }[]> {
    if (wires.length === 0) return [];
    for (const w of wires) if (w.a.ifindex === w.b.ifindex) throw new XconnectError('PLAN', `a wire needs two different ports, got ${w.a.name} twice`);
    const s = snapshot ?? (await this.installed(wires.flatMap((w) => [w.a, w.b])));
    const tcAttach = await this.tcAttach();
    const ports = wires.flatMap((w) => {
      const e = engines(w.settings);
      const mac = w.settings.peerMac ?? {};
      return [
        { link: w.a, partner: w.b, engine: e.a, peerMac: mac.b, impair: w.settings.impair?.a, w },
        { link: w.b, partner: w.a, engine: e.b, peerMac: mac.a, impair: w.settings.impair?.b, w },
      ];
    });
    for (const p of ports) {
      const foreign = foreignAttachments(p.link, s);
      if (foreign.length)
        throw new XconnectError('BUSY', `interface ${p.link.name} ${whereNetns(this.netns)} already carries ${foreign[0]} that clab-xconnect did not install; refusing to run beside it`, {
          endpoint: p.link.name,
          netns: this.netns?.path,
          hint: 'remove that program first (e.g. `ip link set dev IF xdp off`) or exclude the link',
        });
    }
    // A port keeps its counter slot (and counts) across re-installs; a new
    // port gets the lowest free slot, zeroed.
    const fresh = [...new Set(ports.map((p) => p.link.ifindex).filter((i) => !s.config.has(i)))];
    const slotOf = new Map([...s.config].map(([i, c]) => [i, c.slot]));
    const used = new Set(slotOf.values());
    let next = 0;
    for (const i of fresh) {
      while (used.has(next)) next++;
      if (next >= MAX_PORTS)
        throw new XconnectError('PLAN', `more than ${MAX_PORTS} ports in one lab`, { hint: 'split the lab; see XC_MAX_PORTS in bpf/xconnect.h' });
      slotOf.set(i, next);
      used.add(next);
    }
    const configs = ports.map((p) => ({
      ...p,
      config: {
        partner: p.partner.ifindex,
        adminUp: p.w.settings.adminUp,
        slot: slotOf.get(p.link.ifindex)!,
        peerMac: p.engine === 'tc' ? (p.peerMac ?? null) : null,
        impair: impairment(NO_IMPAIRMENT, p.w.settings.loss, p.impair),
        // A running capture goes on through a re-install.
        capture: s.config.get(p.link.ifindex)?.capture ?? null,
      } satisfies PortConfig,
    }));
    const obj = await this.#programs();
    const zero = Buffer.alloc(statsLookupSize(obj));
    const created: { port: PortLink; how: 'xdp' | 'tcx' | 'legacy' }[] = [];
    const results = new Map<number, PortResult>();
    try {
      await this.#ops(
        [
          ...fresh.map((i) => ({ op: 'update' as const, map: BPF.maps.stats, key: u32Key(slotOf.get(i)!), value: zero })),
          ...configs.flatMap((p) => [
            { op: 'update' as const, map: BPF.maps.tx, key: u32Key(p.link.ifindex), value: encodeDevmapVal(p.config.partner) },
            { op: 'update' as const, map: BPF.maps.ports, key: u32Key(p.link.ifindex), value: encodePort(p.config) },
          ]),
        ],
        true,
      );
      for (const engine of ['xdp', 'xdp-generic'] as const) {
        const mode = XDP_MODES[engine];
        const list = configs.filter((p) => p.engine === engine);
        // Ours already, in this mode: kept as it is.
        const kept = (p: (typeof list)[number]) => {
          const pin = s.pins.get(p.link.name)?.xdp;
          return !!pin && pin.ifindex === p.link.ifindex && pin.progId === p.link.xdp.progId && p.link.xdp.mode === mode;
        };
        for (const p of list.filter(kept)) results.set(p.link.ifindex, { ifindex: p.link.ifindex, engine, created: false });
        const attach = list.filter((p) => !kept(p));
        if (attach.length === 0) continue;
        await native.attachXdp({
          object: obj.handle,
          prog: BPF.progs.wire,
          netns: nsHandle(this.netns),
          mode,
          ports: attach.map((p) => ({
            ifindex: p.link.ifindex,
            name: p.link.name,
            pin: this.linkPin(p.link.name, 'xdp'),
            replace: !!s.pins.get(p.link.name)?.xdp,
          })),
        });
        for (const p of attach) {
          results.set(p.link.ifindex, { ifindex: p.link.ifindex, engine, created: true });
          created.push({ port: p.link, how: 'xdp' });
        }
      }
      const tc = configs.filter((p) => p.engine === 'tc');
      if (tc.length) {
        const r = await native.attachTc({
          object: obj.handle,
          prog: BPF.progs.wireTc,
          netns: nsHandle(this.netns),
          attach: tcAttach,
          ports: tc.map((p) => ({ ifindex: p.link.ifindex, name: p.link.name, pin: this.linkPin(p.link.name, 'tcx') })),
        });
        tc.forEach((p, k) => {
          results.set(p.link.ifindex, { ifindex: p.link.ifindex, engine: 'tc', created: r[k]!.created });
          if (r[k]!.created) created.push({ port: p.link, how: tcAttach });
        });
      }
      await this.#dropOtherEngines(configs.map((p) => ({ link: p.link, keep: p.engine })), tcAttach, s);
    } catch (e) {
      await native.detachLinks(created.filter((c) => c.how !== 'legacy').map((c) => this.linkPin(c.port.name, c.how === 'xdp' ? 'xdp' : 'tcx')));
      await native.detachTcLegacy(nsHandle(this.netns), created.filter((c) => c.how === 'legacy').map((c) => c.port.ifindex));
      await this.#deletePorts(fresh);
      throw e;
    }
    return wires.map((w) => ({ a: results.get(w.a.ifindex)!, b: results.get(w.b.ifindex)! }));
  }

  /** Removes the attachments of ours that a port no longer needs (by the
   * snapshot): the other engine's link, and a legacy filter where the tc
   * engine now uses TCX. */
  async #dropOtherEngines(ports: { link: PortLink; keep: Engine }[], tcAttach: TcAttach, s: InstalledPorts): Promise<void> {
    const pins = ports.flatMap(({ link, keep }) => {
      const have = s.pins.get(link.name);
      return [
        ...(keep === 'tc' && have?.xdp ? [this.linkPin(link.name, 'xdp')] : []),
        ...((keep !== 'tc' || tcAttach === 'legacy') && have?.tcx ? [this.linkPin(link.name, 'tcx')] : []),
      ];
    });
    if (pins.length) await native.detachLinks(pins);
    const filters = ports.filter(({ link, keep }) => (keep !== 'tc' || tcAttach === 'tcx') && s.tcFilters.has(link.ifindex));
    if (filters.length) await native.detachTcLegacy(nsHandle(this.netns), filters.map((p) => p.link.ifindex));
  }

  async #configs(ifindexes: number[]): Promise<(PortConfig | null)[]> {
    const bufs = await this.#ops(ifindexes.map((i) => ({ op: 'lookup' as const, map: BPF.maps.ports, key: u32Key(i) })));
    return bufs.map((b) => (b instanceof Buffer ? decodePort(b) : null));
  }

  async #deletePorts(ifindexes: number[]): Promise<void> {
    // Counter slots are array entries: they are freed with the port's config
    // and zeroed when handed out again.
    await this.#ops(ifindexes.flatMap((i) => [BPF.maps.ports, BPF.maps.tx].map((map) => ({ op: 'delete' as const, map, key: u32Key(i) }))));
  }

  /** Turns capture on (bytes copied per frame) or off (null) on installed
   * ports, by ifindex, in one map batch. Ports not configured are skipped.
   * Returns the ifindexes whose setting changed. */
  async setCapture(ifindexes: number[], snaplen: number | null): Promise<number[]> {
    const cur = await this.#configs(ifindexes);
    const changed = ifindexes.filter((_, k) => cur[k] && (cur[k]!.capture?.snaplen ?? null) !== snaplen);
    await this.#ops(
      ifindexes.flatMap((i, k) => {
        const c = cur[k];
        if (!c || (c.capture?.snaplen ?? null) === snaplen) return [];
        return [{ op: 'update' as const, map: BPF.maps.ports, key: u32Key(i), value: encodePort({ ...c, capture: snaplen === null ? null : { snaplen } }) }];
      }),
    );
    return changed;
  }

  /** A reader of the capture perf buffer (close it with native.closeHandle). */
  openCaptureReader(pagesPerCpu: number, filter?: string, snaplen?: number): PerfReaderHandle {
    return native.openPerfReader(this.#handle, BPF.maps.capture, pagesPerCpu, filter, snaplen);
  }

  /** Changes admin state and/or impairments of installed wires, in one map
   * batch. The engines stay as they are: duplication and delay need the tc
   * engine, which installWires decides. */
  async updateWires(changes: WireChange[]): Promise<void> {
    if (changes.length === 0) return;
    const items = changes.flatMap((c) => (['a', 'b'] as const).map((side) => ({ port: c[side], change: c, side })));
    const cur = await this.#configs(items.map((it) => it.port.ifindex));
    const ops = items.map((it, k) => {
      const c = cur[k];
      if (!c) throw new XconnectError('RUNTIME', `port ${it.port.name} is not wired`, { endpoint: it.port.name, netns: this.netns?.path });
      const adminUp = it.change.adminUp ?? c.adminUp;
      const impair = impairment(c.impair, it.change.loss, it.change.impair?.[it.side]);
      return { op: 'update' as const, map: BPF.maps.ports, key: u32Key(it.port.ifindex), value: encodePort({ ...c, adminUp, impair }) };
    });
    await this.#ops(ops);
  }

  /** Detaches ports (every engine of ours) and forgets their map entries.
   * `ifindex` null: the port's device is unknown to the caller; the pinned
   * link says which it was, if any. */
  async removePorts(ports: { name: string; ifindex: number | null }[]): Promise<void> {
    if (ports.length === 0) return;
    const pins = ports.flatMap((p) => (['xdp', 'tcx'] as const).map((t) => this.linkPin(p.name, t)));
    const pinned = ports.some((p) => !p.ifindex) ? await native.pinnedLinks(pins) : [];
    const ifindexes = ports.map((p, k) => p.ifindex || pinned[2 * k]?.ifindex || pinned[2 * k + 1]?.ifindex || 0);
    await native.detachLinks(pins);
    const present = ifindexes.filter((i) => i > 0);
    if (present.length) await native.detachTcLegacy(nsHandle(this.netns), present);
    await this.#deletePorts(present);
  }

  /** What the kernel and the maps say about ports (from the caller's snapshot)
   * of this netns: a few kernel jobs in all. */
  async ports(links: PortLink[]): Promise<PortState[]> {
    const inst = await this.installed(links);
    const withCfg = links.filter((l) => inst.config.has(l.ifindex));
    const stats = await this.#ops(withCfg.map((l) => ({ op: 'lookup' as const, map: BPF.maps.stats, key: u32Key(inst.config.get(l.ifindex)!.slot) })));
    const counters = new Map(withCfg.map((l, k) => [l.ifindex, stats[k]]));
    return links.map((link) => {
      const st = counters.get(link.ifindex);
      const { engine, attach } = activeEngine(link, inst.pins.get(link.name), inst.tcFilters.has(link.ifindex));
      return {
        ifname: link.name,
        ifindex: link.ifindex,
        engine,
        attach,
        xdp: link.xdp,
        config: inst.config.get(link.ifindex) ?? null,
        counters: st instanceof Buffer ? decodePerCpuStats(st, this.#obj.possibleCpus) : zeroCounters(),
      };
    });
  }

  /** Every configured port: ifindex -> config (for reconciling and cleanup). */
  async configuredPorts(): Promise<Map<number, PortConfig>> {
    const d = await native.mapDump(this.#handle, BPF.maps.ports);
    const ports = new Map<number, PortConfig>();
    const [keys, values] = [bytesView(d.keys), bytesView(d.values)];
    for (let i = 0; i < d.count; i++) ports.set(decodeKey(keys, i, d.keySize), decodePort(d.values, i * d.valueSize, values));
    return ports;
  }

  /** Forgets ports that are not in `keep` (stale after a device vanished or a
   * wire went): a legacy tc filter of ours goes with them. `configured`: the
   * configured ports as the caller's snapshot has them, if nothing but this
   * caller changed them since (read now when not given: a map dump, 17 ms at
   * 2,000 ports). */
  async forgetPortsExcept(keep: Set<number>, configured?: Iterable<number>): Promise<number> {
    const stale = [...(configured ?? (await this.configuredPorts()).keys())].filter((i) => !keep.has(i));
    if (stale.length === 0) return 0;
    await native.detachTcLegacy(nsHandle(this.netns), stale);
    await this.#deletePorts(stale);
    return stale.length;
  }
}

/** Bytes of one xc_stats lookup (one 8-aligned value per possible CPU). */
function statsLookupSize(obj: LoadedObject): number {
  const v = obj.maps[BPF.maps.stats]!.valueSize;
  return ((v + 7) & ~7) * obj.possibleCpus;
}

/** Loads the programs and checks that the compiled structs match layout.ts. */
async function loadChecked(pinDir: string, opts: DataplaneOptions): Promise<LoadedObject> {
  const obj = await native.open(pinDir, { impairments: opts.impairments ?? true });
  try {
    checkLayouts(obj.layouts);
  } catch (e) {
    native.closeHandle(obj.handle);
    throw e;
  }
  return obj;
}

/** The engine our attachments run on a device, by the precedence the kernel
 * gives them: XDP before TCX before tc filters. */
export function activeEngine(
  link: PortLink,
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
