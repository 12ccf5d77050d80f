/** The paths under test, each built in namespaces of its own:
 * sender `eth1` -> [middle: pa ... pb] -> receiver `eth1`, as containerlab
 * wires nodes (link MTU set on every veth end, tx checksum offload off on the
 * node-side ends, everything else default). The sender and receiver
 * namespaces play the lab nodes; the middle plays the host. */
import type { Engine } from '../dataplane/engine-policy.js';
import { createNetns, deleteNetns, type Netns } from './netns.js';
import { attachSink, detachSink, ethtoolK, nsRun, type SinkMode } from './tools.js';
import { installWire, type InstalledWire } from './wire.js';
import { run } from './sh.js';

export type PathKey = 'direct' | 'tc' | 'bridge' | 'wire-tc' | 'wire-xdp' | 'wire-xdp-generic' | 'wire-tc-bare';

export interface PathSpec {
  /** Short name for --paths (a, b, ...). */
  id: string;
  key: PathKey;
  title: string;
  /** The wire engine a wire path is measured on (both directions). */
  engine?: Engine;
  /** false: load the wire without its impairment code. */
  impairments?: boolean;
}

export const PATHS: readonly PathSpec[] = [
  { id: 'a', key: 'direct', title: 'direct veth pair' },
  { id: 'b', key: 'tc', title: 'tc mirred stitch' },
  { id: 'c', key: 'bridge', title: 'Linux bridge' },
  { id: 'd', key: 'wire-tc', title: 'wire, tc engine', engine: 'tc' },
  { id: 'e', key: 'wire-xdp', title: 'wire, native XDP', engine: 'xdp' },
  { id: 'f', key: 'wire-xdp-generic', title: 'wire, generic XDP', engine: 'xdp-generic' },
  // The tc engine loaded without its impairment code: what that code costs
  // an unimpaired wire (one branch per frame).
  { id: 'g', key: 'wire-tc-bare', title: 'wire, tc engine, no impairment code', engine: 'tc', impairments: false },
];

export interface Endpoint {
  netns: Netns;
  dev: string;
  addr: string;
}

/** The traffic a fixture is set up for; each needs its own device state.
 * socket: iperf3 in the node namespaces. xdp-frames: the live-frames
 * generator into a sink. */
export type Mode = 'socket' | 'xdp-frames';

export interface FixtureOptions {
  mtu: number;
  /** How the tc engine attaches (Dataplane.open's tcAttach). */
  tcAttach: 'auto' | 'tcx' | 'legacy';
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
  readonly needs: Record<Mode, string[]> = { socket: [], 'xdp-frames': [] };

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
    let f: Fixture | undefined;
    try {
      const s = await ns(`${spec.id}-snd`);
      const r = await ns(`${spec.id}-rcv`);
      const m = spec.key === 'direct' ? undefined : await ns(`${spec.id}-mid`);
      f = new Fixture(spec, opts, { netns: s, dev: 'eth1', addr: '198.18.0.1' }, { netns: r, dev: 'eth1', addr: '198.18.0.2' }, m);
      await f.#plumb();
      return f;
    } catch (e) {
      await f?.wire?.remove().catch(() => undefined);
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
        // containerlab's stitch (links/link_veth.go via netlink): ingress qdisc,
        // u32 match-all, mirred egress redirect, both ways.
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
      default:
        if (this.spec.engine)
          this.wire = await installWire({
            mid,
            a: { netns: snd.netns, dev: snd.dev },
            b: { netns: rcv.netns, dev: rcv.dev },
            engine: this.spec.engine,
            tcAttach: this.opts.tcAttach,
            impairments: this.spec.impairments ?? true,
          });
        break;
    }
  }

  /** How the receiver counts generated frames: the XDP sink (in the veth's
   * NAPI poll), except behind the tc engine, whose bpf_redirect_peer() hands
   * skbs straight to the receiver's ingress, past its XDP hook. */
  get sinkMode(): SinkMode {
    return this.spec.engine === 'tc' ? 'tc' : 'native';
  }

  /** Puts the devices in the state a measurement needs; records what that was.
   *
   * socket: no sink, nothing beyond what the wire's engine set up inside the
   * nodes when it was installed (the library's node settings).
   * xdp-frames: the receiver gets the sink (count and drop). Generated frames
   * are XDP frames redirected into the sender's veth, so the port receiving
   * them (pa, or the receiver on the direct path) must run NAPI: a native XDP
   * program there (direct: the sink; wire-xdp: the wire) or GRO on. */
  async setMode(mode: Mode): Promise<void> {
    if (this.#mode === mode) return;
    const { rcv, mid } = this;
    const needs: string[] = this.wire?.nodeChanges.length ? [`engine policy: ${this.wire.nodeChanges.join(', ')}`] : [];
    // pa needs GRO when no native XDP program of its own gives it NAPI.
    const paGro = !!mid && this.spec.key !== 'wire-xdp';
    if (this.#mode === 'xdp-frames') {
      // Undo what the XDP-frame mode set (the sink tool exists: it ran).
      await detachSink(rcv.netns, rcv.dev, this.sinkMode);
      if (paGro) await ethtoolK(mid, 'pa', { gro: 'off' });
    }
    if (mode === 'xdp-frames') {
      await attachSink(rcv.netns, rcv.dev, this.sinkMode);
      if (this.sinkMode === 'tc') needs.push('receiver eth1: tc ingress sink (bpf_redirect_peer skips the veth\'s XDP hook)');
      if (paGro) {
        await ethtoolK(mid, 'pa', { gro: 'on' });
        needs.push('middle pa: GRO on (NAPI for the generator\'s XDP frames)');
      }
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

/** Resolves a --paths item: a key (`wire-tc`) or its letter (`d`). */
export function findPath(name: string): PathSpec | undefined {
  return PATHS.find((p) => p.key === name || p.id === name);
}
