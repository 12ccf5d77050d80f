/** status: each planned wire with its ports, engine, admin state,
 * impairments and counters, read from the kernel and the lab's maps, and
 * where the running state differs from the topology file (cuts, run-time
 * impairments). Reads only. */
import { Dataplane, type Engine, type Impairment, type PortState } from '../dataplane/dataplane.js';
import { COUNTERS, type CounterName } from '../dataplane/layout.js';
import type { PortPlan } from '../plan/types.js';
import { loadPlan, varsOf, type LoadedPlan } from './load-plan.js';
import { withRuntimeState } from './overrides.js';
import { labPinDir } from './paths.js';
import { requireRoot } from './privileges.js';
import { LinkIndex } from './resolve.js';
import { directionKey, readRuntimeState, type ImpairmentOverride } from './runtime-state.js';

/** The BPF counters of the frames entering a port. */
export type CountersJson = Record<CounterName, number>;

export interface PortStatus {
  endpoint: string | null;
  port: string;
  ifindex: number | null;
  /** The port's operational state ('up', 'down', 'lowerlayerdown', ...; null: absent). */
  oper: string | null;
  /** The engine carrying the frames that enter this port (null: none of ours). */
  engine: Engine | null;
  /** 'tcx' or 'legacy' (tc); 'native' or 'generic' (XDP). */
  attach: string | null;
  /** What happens to the frames entering this port, as installed. */
  impair: Impairment | null;
  /** A capture copies the frames entering this port (bytes per frame), or null. */
  capture: { snaplen: number } | null;
  counters: CountersJson;
}

export interface WireStatus {
  id: string;
  kind: string;
  /** active: both ports wired to each other; partial: one side only or drifted; absent: not installed. */
  state: 'active' | 'partial' | 'absent';
  /** The engine of both directions; 'mixed' when they differ, 'none' when not installed. */
  engine: Engine | 'none' | 'mixed';
  admin: 'up' | 'down' | 'mixed' | null;
  /** What differs from the topology file, set at run time (`link`, `impair`). */
  runtime: {
    cut: { since: string } | null;
    impair: { a?: ImpairmentOverride; b?: ImpairmentOverride };
  };
  a: PortStatus;
  b: PortStatus;
}

export interface StatusReport {
  lab: string;
  wires: WireStatus[];
}

function counters(s: PortState | undefined): CountersJson {
  return Object.fromEntries(COUNTERS.map((c) => [c, s ? Number(s.counters[c]) : 0])) as CountersJson;
}

function portStatus(p: PortPlan, s: PortState | undefined, oper: string | null): PortStatus {
  return {
    endpoint: p.node ? `${p.node.name}:${p.node.iface}` : null,
    port: s?.ifname ?? p.ifname,
    ifindex: s?.ifindex ?? null,
    oper,
    engine: s?.engine ?? null,
    attach: s?.attach ?? null,
    impair: s?.config ? s.config.impair : null,
    capture: s?.config?.capture ?? null,
    counters: counters(s),
  };
}

export async function status(opts: {
  file: string;
  env?: Record<string, string | undefined>;
  vars?: string;
  /** The plan of `file` as the caller holds it (watch): not read again. */
  loaded?: LoadedPlan;
}): Promise<StatusReport> {
  requireRoot('status');
  const { plan: filePlan } = opts.loaded ?? (await loadPlan(opts.file, opts.env, varsOf(opts)));
  const state = await readRuntimeState(filePlan.lab);
  const { plan, runtime } = withRuntimeState(filePlan, state);
  // The lab's maps only: reading them needs no program load.
  const dp = await Dataplane.openPinned(labPinDir(plan.lab));
  try {
    const host = await LinkIndex.of(null);
    // Every planned port (by name or altname), read in one batch.
    const links = plan.wires.flatMap((w) => [w.a, w.b]).map((p) => host.find(p.ifname) ?? (p.altname ? host.find(p.altname) : undefined));
    const present = [...new Map(links.filter((l) => !!l).map((l) => [l!.ifindex, l!])).values()];
    const read = dp ? await dp.ports(present) : [];
    const byIndex = new Map(read.map((r) => [r.ifindex, r]));
    const wires: WireStatus[] = [];
    for (const [i, w] of plan.wires.entries()) {
      const [la, lb] = [links[2 * i], links[2 * i + 1]];
      const states = [la, lb].map((l) => (l ? byIndex.get(l.ifindex) : undefined));
      const [sa, sb] = states;
      const wired = (s: PortState | undefined, o: PortState | undefined) => !!s?.engine && !!o?.ifindex && s.config?.partner === o.ifindex;
      const both = wired(sa, sb) && wired(sb, sa);
      const any = !!(sa?.engine || sb?.engine || sa?.config || sb?.config);
      const engines = new Set(states.map((s) => s?.engine ?? null));
      const admins = new Set(states.filter((s) => s?.config).map((s) => (s!.config!.adminUp ? 'up' : 'down')));
      const cut = state.cuts[w.id];
      const over = (side: 'a' | 'b') => (runtime.get(w.id)?.overridden[side] ? { [side]: state.impair[directionKey(w.id, side)] } : {});
      wires.push({
        id: w.id,
        kind: w.kind,
        state: both ? 'active' : any ? 'partial' : 'absent',
        engine: engines.size > 1 ? 'mixed' : ([...engines][0] ?? 'none'),
        admin: admins.size === 0 ? null : admins.size > 1 ? 'mixed' : ([...admins][0] as 'up' | 'down'),
        runtime: { cut: cut ? { since: cut.since } : null, impair: { ...over('a'), ...over('b') } },
        a: portStatus(w.a, sa, la?.operState ?? null),
        b: portStatus(w.b, sb, lb?.operState ?? null),
      });
    }
    return { lab: plan.lab, wires };
  } finally {
    dp?.close();
  }
}

