/** status: each planned wire with its ports, mode, admin state and counters,
 * read from the kernel and the lab's maps. Reads only. */
import { access } from 'node:fs/promises';
import { Dataplane, type Engine, type PortState } from '../dataplane/dataplane.js';
import type { PortCounters } from '../dataplane/layout.js';
import type { PortPlan } from '../plan/types.js';
import { loadPlan } from './load-plan.js';
import { labPinDir } from './paths.js';
import { requireRoot } from './privileges.js';
import { LinkIndex } from './resolve.js';

export interface CountersJson {
  rxPackets: number;
  rxBytes: number;
  redirected: number;
  dropAdmin: number;
  dropLoss: number;
  passNoPartner: number;
}

export interface PortStatus {
  endpoint: string | null;
  port: string;
  ifindex: number | null;
  /** The engine carrying the frames that enter this port (null: none of ours). */
  engine: Engine | null;
  /** 'tcx' or 'legacy' (tc); 'native' or 'generic' (XDP). */
  attach: string | null;
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
  loss: number | null;
  a: PortStatus;
  b: PortStatus;
}

export interface StatusReport {
  lab: string;
  wires: WireStatus[];
}

function counters(c: PortCounters): CountersJson {
  return {
    rxPackets: Number(c.rxPackets),
    rxBytes: Number(c.rxBytes),
    redirected: Number(c.redirected),
    dropAdmin: Number(c.dropAdmin),
    dropLoss: Number(c.dropLoss),
    passNoPartner: Number(c.passNoPartner),
  };
}

function portStatus(p: PortPlan, s: PortState | undefined): PortStatus {
  const zero = { rxPackets: 0, rxBytes: 0, redirected: 0, dropAdmin: 0, dropLoss: 0, passNoPartner: 0 };
  return {
    endpoint: p.node ? `${p.node.name}:${p.node.iface}` : null,
    port: s?.ifname ?? p.ifname,
    ifindex: s?.ifindex ?? null,
    engine: s?.engine ?? null,
    attach: s?.attach ?? null,
    counters: s ? counters(s.counters) : zero,
  };
}

export async function status(opts: { file: string; env?: Record<string, string | undefined> }): Promise<StatusReport> {
  requireRoot('status');
  const { plan } = await loadPlan(opts.file, opts.env);
  const pinDir = labPinDir(plan.lab);
  const installed = await access(pinDir).then(() => true, () => false);
  const dp = installed ? await Dataplane.open(pinDir) : undefined;
  try {
    const host = await LinkIndex.of(null);
    // Kernel names of every planned port (by name or altname), read in one batch.
    const names = plan.wires.flatMap((w) => [w.a, w.b]).map((p) => (host.find(p.ifname) ?? (p.altname ? host.find(p.altname) : undefined))?.name);
    const present = names.filter((n): n is string => !!n);
    const read = dp ? await dp.ports(null, present) : [];
    const byName = new Map(read.map((r) => [r.ifname, r]));
    const wires: WireStatus[] = [];
    for (const [i, w] of plan.wires.entries()) {
      const states = [names[2 * i], names[2 * i + 1]].map((n) => (n ? byName.get(n) : undefined));
      const [sa, sb] = states;
      const wired = (s: PortState | undefined, o: PortState | undefined) => !!s?.engine && !!o?.ifindex && s.config?.partner === o.ifindex;
      const both = wired(sa, sb) && wired(sb, sa);
      const any = !!(sa?.engine || sb?.engine || sa?.config || sb?.config);
      const engines = new Set(states.map((s) => s?.engine ?? null));
      const admins = new Set(states.filter((s) => s?.config).map((s) => (s!.config!.adminUp ? 'up' : 'down')));
      const cfg = sa?.config ?? sb?.config;
      wires.push({
        id: w.id,
        kind: w.kind,
        state: both ? 'active' : any ? 'partial' : 'absent',
        engine: engines.size > 1 ? 'mixed' : ([...engines][0] ?? 'none'),
        admin: admins.size === 0 ? null : admins.size > 1 ? 'mixed' : ([...admins][0] as 'up' | 'down'),
        loss: cfg ? cfg.loss : null,
        a: portStatus(w.a, sa),
        b: portStatus(w.b, sb),
      });
    }
    return { lab: plan.lab, wires };
  } finally {
    dp?.close();
  }
}
