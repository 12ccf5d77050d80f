/** The paths under test, each built in namespaces of its own:
 * sender `eth1` -> [middle: pa ... pb] -> receiver `eth1`, as containerlab
 * wires nodes (link MTU set on every veth end, tx checksum offload off on the
 * node-side ends, everything else default). */
import { createNetns, deleteNetns, type Netns } from './netns.js';
import { attachProgram, detachProgram, ethtoolK, nsRun, type XdpMode } from './tools.js';
import { installWire, type InstalledWire, type WireImpl } from './wire.js';
import { run } from './sh.js';

export type PathId = 'a' | 'b' | 'c' | 'd' | 'e';

export interface PathSpec {
  id: PathId;
  key: 'direct' | 'tc' | 'bridge' | 'wire-native' | 'wire-generic';
  title: string;
}

export const PATHS: readonly PathSpec[] = [
  { id: 'a', key: 'direct', title: 'direct veth pair' },
  { id: 'b', key: 'tc', title: 'tc mirred stitch' },
  { id: 'c', key: 'bridge', title: 'Linux bridge' },
  { id: 'd', key: 'wire-native', title: 'XDP wire, native' },
  { id: 'e', key: 'wire-generic', title: 'XDP wire, generic' },
];

export interface Endpoint {
  netns: Netns;
  dev: string;
  addr: string;
}

/** What the bench measures in a fixture; each needs its own device state. */
export type Mode = 'pps' | 'tcp';

export interface FixtureOptions {
  mtu: number;
  wireImpl: WireImpl;
  /** How the native wire's node-side ports get NAPI for TCP: GRO or an XDP pass program. */
  wireNapi: 'gro' | 'xdp';
}

export class Fixture {
  readonly spec: PathSpec;
  readonly opts: FixtureOptions;
  readonly snd: Endpoint;
  readonly rcv: Endpoint;
  readonly mid: Netns | undefined;
  wire: InstalledWire | undefined;
  #mode: Mode | undefined;
  /** What this path needed beyond containerlab's defaults, per mode (for the report). */
  readonly needs: Record<Mode, string[]> = { pps: [], tcp: [] };

  private constructor(spec: PathSpec, opts: FixtureOptions, snd: Endpoint, rcv: Endpoint, mid: Netns | undefined) {
    this.spec = spec;
    this.opts = opts;
    this.snd = snd;
    this.rcv = rcv;
    this.mid = mid;
  }

  /** Builds the path; on failure removes what it made. */
  static async build(spec: PathSpec, opts: FixtureOptions): Promise<Fixture> {
    const made: Netns[] = [];
    const ns = async (tag: string) => {
      const n = await createNetns(tag);
      made.push(n);
      return n;
    };
    try {
      const s = await ns(`${spec.id}-snd`);
      const r = await ns(`${spec.id}-rcv`);
      const m = spec.id === 'a' ? undefined : await ns(`${spec.id}-mid`);
      const f = new Fixture(spec, opts, { netns: s, dev: 'eth1', addr: '198.18.0.1' }, { netns: r, dev: 'eth1', addr: '198.18.0.2' }, m);
      await f.#plumb();
      return f;
    } catch (e) {
      for (const n of made) await deleteNetns(n);
      throw e;
    }
  }

  async #plumb(): Promise<void> {
    const { snd, rcv, mid } = this;
    const mtu = String(this.opts.mtu);
    const link = (ns: Netns, dev: string) => run('ip', ['-n', ns.name, 'link', 'set', 'dev', dev, 'mtu', mtu, 'up']);
    // `peer name`, not `peer`: iproute2 would read a short name like "a" as a keyword.
    if (!mid) {
      await run('ip', ['link', 'add', snd.dev, 'netns', snd.netns.name, 'type', 'veth', 'peer', 'name', rcv.dev, 'netns', rcv.netns.name]);
    } else {
      await run('ip', ['link', 'add', snd.dev, 'netns', snd.netns.name, 'type', 'veth', 'peer', 'name', 'pa', 'netns', mid.name]);
      await run('ip', ['link', 'add', 'pb', 'netns', mid.name, 'type', 'veth', 'peer', 'name', rcv.dev, 'netns', rcv.netns.name]);
      await link(mid, 'pa');
      await link(mid, 'pb');
    }
    for (const e of [snd, rcv]) {
      await link(e.netns, e.dev);
      await run('ip', ['-n', e.netns.name, 'addr', 'add', `${e.addr}/24`, 'dev', e.dev]);
      // containerlab turns tx checksum offload off on the node side of its veths.
      await ethtoolK(e.netns, e.dev, { tx: 'off' });
    }
    if (!mid) return;
    switch (this.spec.key) {
      case 'tc':
        for (const [from, to] of [['pa', 'pb'], ['pb', 'pa']] as const) {
          await nsRun(mid, 'tc', ['qdisc', 'add', 'dev', from, 'ingress']);
          await nsRun(mid, 'tc', ['filter', 'add', 'dev', from, 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0',
            'action', 'mirred', 'egress', 'redirect', 'dev', to]);
        }
        break;
      case 'bridge':
        await run('ip', ['-n', mid.name, 'link', 'add', 'br0', 'type', 'bridge']);
        for (const p of ['pa', 'pb']) await run('ip', ['-n', mid.name, 'link', 'set', 'dev', p, 'master', 'br0']);
        await run('ip', ['-n', mid.name, 'link', 'set', 'dev', 'br0', 'up']);
        break;
      case 'wire-native':
      case 'wire-generic':
        this.wire = await installWire(this.opts.wireImpl, mid, 'pa', 'pb', this.#wireMode()!);
        break;
      default:
        break;
    }
  }

  #wireMode(): XdpMode | undefined {
    return this.spec.key === 'wire-native' ? 'native' : this.spec.key === 'wire-generic' ? 'generic' : undefined;
  }

  /** Puts the devices in the state a measurement needs; records what that was.
   *
   * pps: the receiver gets the sink (native XDP: counts, drops, and turns its
   * NAPI on). Generated frames are XDP frames redirected into the sender's
   * veth, so the port receiving them (pa, or the receiver on a) must run NAPI:
   * a native XDP program there (paths a, d) or GRO on (b, c, e).
   * tcp: no sink; a native wire redirects XDP frames into the node-side veths,
   * which then need NAPI: GRO on, or an XDP pass program (--wire-napi). */
  async setMode(mode: Mode): Promise<void> {
    if (this.#mode === mode) return;
    const { snd, rcv, mid } = this;
    const key = this.spec.key;
    const needs: string[] = [];
    const native = key === 'wire-native';
    // Undo the other mode's state (all idempotent).
    await detachProgram(rcv.netns, rcv.dev, 'native');
    await detachProgram(snd.netns, snd.dev, 'native');
    await ethtoolK(snd.netns, snd.dev, { gro: 'off' });
    await ethtoolK(rcv.netns, rcv.dev, { gro: 'off' });
    if (mid) await ethtoolK(mid, 'pa', { gro: 'off' });

    if (mode === 'pps') {
      await attachProgram(rcv.netns, rcv.dev, 'sink', 'native');
      if (mid && !native) {
        await ethtoolK(mid, 'pa', { gro: 'on' });
        needs.push('middle pa: GRO on (NAPI for the generator\'s XDP frames)');
      }
    } else if (native) {
      for (const e of [snd, rcv]) {
        if (this.opts.wireNapi === 'gro') await ethtoolK(e.netns, e.dev, { gro: 'on' });
        else await attachProgram(e.netns, e.dev, 'pass', 'native');
      }
      needs.push(this.opts.wireNapi === 'gro' ? 'node-side eth1 (both): GRO on' : 'node-side eth1 (both): XDP pass program (native)');
    }
    this.needs[mode] = needs;
    this.#mode = mode;
  }

  /** Removes the wire (exercising the removal path) and the namespaces. */
  async destroy(): Promise<void> {
    try {
      await this.wire?.remove();
    } finally {
      for (const n of [this.snd.netns, this.rcv.netns, this.mid]) if (n) await deleteNetns(n);
    }
  }
}
