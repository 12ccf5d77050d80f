/** `link down|up|flap`: cut a wire so that both nodes see it go down (its
 * root-netns ports go down, so each node interface loses its carrier), and
 * restore it. The cut is run-time state: it survives re-applies until `link
 * up`, and apply carries out whatever a crashed command left half done. */
import { XconnectError } from '../errors.js';
import { native, type NetnsHandle } from '../native/addon.js';
import { reconcileLab, type ApplyReport } from './apply.js';
import { varsOf } from './load-plan.js';
import { findWire } from './endpoint.js';
import type { ResolvedPort } from './resolve.js';

export interface LinkOptions {
  file: string;
  /** `node:iface` at either end, or a wire id. */
  endpoint: string;
  env?: Record<string, string | undefined>;
  vars?: string;
}

export interface CarrierReport {
  /** The end (`node:iface`), or the port when there is no node behind it. */
  end: string;
  port: string;
  /** Whether whoever is behind this port sees the carrier go. */
  seesCarrier: boolean;
  note?: string;
}

export interface LinkReport {
  lab: string;
  wire: string;
  state: 'cut' | 'up';
  /** false when the wire already was in that state. */
  changed: boolean;
  /** Whether the kernel carried the change through within 5 s (carrier seen
   * as wanted on every port and node interface). */
  settled: boolean;
  ends: CarrierReport[];
  apply: ApplyReport;
}

function carrier(p: ResolvedPort): CarrierReport {
  if (p.kind === 'vxlan')
    return { end: p.endpoint ?? p.ifname, port: p.ifname, seesCarrier: false, note: 'the remote end of a vxlan tunnel cannot see a carrier; its frames are dropped and counted' };
  return { end: p.endpoint ?? p.ifname, port: p.ifname, seesCarrier: true };
}

async function setCut(opts: LinkOptions, cut: boolean): Promise<LinkReport> {
  let id = '';
  let changed = false;
  let settled = true;
  const r = await reconcileLab({
    file: opts.file,
    env: opts.env,
    ...varsOf(opts),
    after: async (wires) => {
      const w = wires.find((x) => x.plan.id === id);
      if (changed && w) settled = await settle([w.a, w.b], !cut);
    },
    change: (state, plan) => {
      const { wire } = findWire(plan, opts.endpoint, opts.file);
      id = wire.id;
      const cur = state.cuts[id];
      if (cut) {
        changed = cur?.phase !== 'down';
        if (!changed) return state;
        return { ...state, cuts: { ...state.cuts, [id]: { since: new Date().toISOString(), phase: 'down', ports: [] } } };
      }
      changed = cur?.phase === 'down';
      if (!cur) return state;
      return { ...state, cuts: { ...state.cuts, [id]: { ...cur, phase: 'restoring' } } };
    },
  });
  const w = r.resolved.find((x) => x.plan.id === id);
  if (!w) throw new XconnectError('RUNTIME', `wire ${id} could not be resolved`, { hint: 'run apply to see why' });
  const { state: _s, runtime: _r, resolved: _w, ...apply } = r;
  return { lab: r.lab, wire: id, state: cut ? 'cut' : 'up', changed, settled, ends: [carrier(w.a), carrier(w.b)], apply };
}

/** Waits until the kernel has carried the change through: the node
 * interfaces (and the ports) report the carrier as wanted. The kernel applies
 * a carrier change in its link-watch work, up to a second later; until then a
 * node still drops (or still sends) frames. */
async function settle(ports: ResolvedPort[], up: boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const ifaces = [
    ...ports.map((p) => ({ netns: null as NetnsHandle | null, ifindex: p.ifindex })),
    ...ports.flatMap((p) => (p.peer ? [{ netns: p.peer.netns.handle, ifindex: p.peer.ifindex }] : [])),
  ];
  for (;;) {
    const links = await Promise.all(ifaces.map((i) => native.getLink(i.netns, i.ifindex)));
    if (links.every((l) => !l || (l.operState === 'up') === up)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Cuts a wire: both root-netns ports go down, so both nodes see the link go
 * down; whatever still reaches the wire is dropped and counted. */
export async function linkDown(opts: LinkOptions): Promise<LinkReport> {
  return setCut(opts, true);
}

/** Restores a cut wire, with no re-apply needed. */
export async function linkUp(opts: LinkOptions): Promise<LinkReport> {
  return setCut(opts, false);
}

export interface FlapOptions extends LinkOptions {
  downMs: number;
  upMs: number;
  /** Number of down/up cycles; undefined: until stopped. */
  count?: number;
  signal?: AbortSignal;
  /** Called at each transition, with its time. */
  onTransition?: (at: Date, state: 'cut' | 'up', report: LinkReport) => void;
}

/** Flaps a wire: down for downMs, up for upMs, count times (or until the
 * signal), and always leaves it up. */
export async function linkFlap(opts: FlapOptions): Promise<{ cycles: number; stopped: boolean }> {
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (opts.signal?.aborted) return resolve();
      const t = setTimeout(resolve, ms);
      opts.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  let cycles = 0;
  try {
    while (!opts.signal?.aborted && (opts.count === undefined || cycles < opts.count)) {
      opts.onTransition?.(new Date(), 'cut', await linkDown(opts));
      await sleep(opts.downMs);
      opts.onTransition?.(new Date(), 'up', await linkUp(opts));
      cycles++;
      if (opts.count === undefined || cycles < opts.count) await sleep(opts.upMs);
    }
  } finally {
    // Stopped in the middle of a down phase (or by an error): leave it up.
    const r = await linkUp(opts);
    if (r.changed) opts.onTransition?.(new Date(), 'up', r);
  }
  return { cycles, stopped: !!opts.signal?.aborted };
}
