/** The paths under test, each built in namespaces of its own:
 * sender `eth1` -> [middle: pa ... pb] -> receiver `eth1`, as containerlab
 * wires nodes (link MTU set on every veth end, tx checksum offload off on the
 * node-side ends, everything else default). The sender and receiver
 * namespaces play the lab nodes; the middle plays the host. */
import type { Engine } from '../dataplane/engine-policy.js';
import { createWireBed, ethtoolK, ownedNetnsName, run, stitchBothWays, type Netns, type WireBed } from '../lab/index.js';
import { attachSink, BENCH_NETNS, detachSink, type SinkMode } from './tools.js';
import { installWire, type InstalledWire } from './wire.js';

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
  #bed: WireBed;
  #mode: Mode | undefined;
  /** What this path needed beyond containerlab's defaults, per mode (for the report). */
  readonly needs: Record<Mode, string[]> = { socket: [], 'xdp-frames': [] };

  private constructor(spec: PathSpec, opts: FixtureOptions, bed: WireBed) {
    this.spec = spec;
    this.opts = opts;
    this.#bed = bed;
    this.snd = { netns: bed.node1, dev: bed.ifname, addr: bed.addrs[0] };
    this.rcv = { netns: bed.node2, dev: bed.ifname, addr: bed.addrs[1] };
    this.mid = bed.wire;
  }

  /** Builds the path on the test bed (src/lab/wire-bed.ts: link MTU on every
   * veth end, tx checksum offload off on the node ends); on failure removes
   * what it made. */
  static async build(spec: PathSpec, opts: FixtureOptions): Promise<Fixture> {
    const name = (tag: string) => ownedNetnsName(BENCH_NETNS, `${spec.id}-${tag}`);
    const bed = await createWireBed({
      names: { node1: name('snd'), node2: name('rcv'), wire: spec.key === 'direct' ? undefined : name('mid') },
      ifname: 'eth1',
      mtu: opts.mtu,
      addrs: ['198.18.0.1', '198.18.0.2'],
      netns: { lo: true, ipv6: true },
    });
    const f = new Fixture(spec, opts, bed);
    try {
      await f.#plumb();
      return f;
    } catch (e) {
      await f.destroy().catch(() => undefined);
      throw e;
    }
  }

  /** What the path puts between pa and pb. */
  async #plumb(): Promise<void> {
    const mid = this.mid;
    if (!mid) return;
    const [pa, pb] = this.#bed.ports;
    switch (this.spec.key) {
      case 'tc':
        // containerlab's stitch (src/lab/stitch.ts), both ways.
        await stitchBothWays(pa, pb, { netns: mid.path });
        break;
      case 'bridge':
        await run('ip', ['link', 'add', 'br0', 'type', 'bridge'], { netns: mid.path });
        for (const p of [pa, pb]) await run('ip', ['link', 'set', 'dev', p, 'master', 'br0'], { netns: mid.path });
        await run('ip', ['link', 'set', 'dev', 'br0', 'up'], { netns: mid.path });
        break;
      default:
        if (this.spec.engine)
          this.wire = await installWire({
            mid,
            a: { netns: this.snd.netns, dev: this.snd.dev },
            b: { netns: this.rcv.netns, dev: this.rcv.dev },
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
      if (paGro) await ethtoolK('pa', { gro: 'off' }, { netns: mid.path });
    }
    if (mode === 'xdp-frames') {
      await attachSink(rcv.netns, rcv.dev, this.sinkMode);
      if (this.sinkMode === 'tc') needs.push('receiver eth1: tc ingress sink (bpf_redirect_peer skips the veth\'s XDP hook)');
      if (paGro) {
        await ethtoolK('pa', { gro: 'on' }, { netns: mid.path });
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
      await this.#bed.destroy();
    }
  }
}

/** Resolves a --paths item: a key (`wire-tc`) or its letter (`d`). */
export function findPath(name: string): PathSpec | undefined {
  return PATHS.find((p) => p.key === name || p.id === name);
}
