/** What must change to go from the installed state to the wanted wires.
 * Pure: the state is read before, the actions executed after. */
import { activeEngine, type InstalledPorts } from '../dataplane/dataplane.js';
import type { Engine } from '../dataplane/engine-policy.js';
import { sameImpairment } from '../dataplane/layout.js';
import type { TcAttach } from '../native/addon.js';
import type { ResolvedPort, ResolvedWire } from './resolve.js';

export type InstalledState = InstalledPorts;

export type WireAction = 'add' | 'reinstall' | 'update' | 'unchanged';

export interface WireStep {
  wire: ResolvedWire;
  action: WireAction;
  /** Why a reinstall: what was found out of place. */
  detail?: string;
}

export interface Reconciliation {
  steps: WireStep[];
  /** Ports with an attachment of ours that no wanted wire uses any more. */
  removePorts: string[];
}

function hasAny(p: ResolvedPort, s: InstalledState): boolean {
  return s.pins.has(p.ifname) || s.tcFilters.has(p.ifindex);
}

/** Why the port is not wired as wanted, or undefined when it is. */
function portDrift(p: ResolvedPort, partner: ResolvedPort, engine: Engine, tcAttach: TcAttach, s: InstalledState): string | undefined {
  const pins = s.pins.get(p.ifname);
  const filter = s.tcFilters.has(p.ifindex);
  if (!pins && !filter) return `${p.ifname} has no program of ours`;
  const linked = [pins?.xdp, pins?.tcx].filter((l) => !!l);
  if (linked.length && linked.every((l) => l!.ifindex !== p.ifindex) && !filter) return `${p.ifname} was recreated`;
  const active = activeEngine(p.link, pins, filter);
  if (active.engine === null) return `${p.ifname} does not run our program`;
  if (active.engine !== engine) return `${p.ifname} runs the ${active.engine} engine, wanted ${engine}`;
  if (engine === 'tc' && active.attach !== tcAttach) return `${p.ifname} is attached as ${active.attach}, wanted ${tcAttach}`;
  // Leftovers of an interrupted engine switch: harmless to frames, but state
  // that destroy would have to find.
  if (engine === 'tc' && pins?.xdp) return `${p.ifname} keeps an XDP link of ours`;
  if (engine !== 'tc' && (pins?.tcx || filter)) return `${p.ifname} keeps a tc attachment of ours`;
  if (engine === 'tc' && tcAttach === 'tcx' && filter) return `${p.ifname} keeps a legacy tc filter of ours`;
  const cfg = s.config.get(p.ifindex);
  if (cfg?.partner !== partner.ifindex) return `${p.ifname} points elsewhere`;
  if (engine === 'tc' && (cfg.peerMac ?? null) !== partner.peerMac) return `the node interface behind ${partner.ifname} has a new MAC`;
  return undefined;
}

function optionsMatch(side: 'a' | 'b', w: ResolvedWire, s: InstalledState): boolean {
  const c = s.config.get(w[side].ifindex);
  if (!c) return false;
  return c.adminUp === (w.plan.options.admin === 'up') && sameImpairment(c.impair, w.plan.options.impair[side]);
}

export function reconcile(wanted: ResolvedWire[], s: InstalledState, opts: { removeStale: boolean; tcAttach: TcAttach }): Reconciliation {
  const steps: WireStep[] = wanted.map((w) => {
    if (!hasAny(w.a, s) && !hasAny(w.b, s)) return { wire: w, action: 'add' };
    const da = portDrift(w.a, w.b, w.engines.a.engine, opts.tcAttach, s);
    const db = portDrift(w.b, w.a, w.engines.b.engine, opts.tcAttach, s);
    if (da || db) return { wire: w, action: 'reinstall', detail: [da, db].filter(Boolean).join('; ') };
    if (!optionsMatch('a', w, s) || !optionsMatch('b', w, s)) return { wire: w, action: 'update' };
    return { wire: w, action: 'unchanged' };
  });
  const used = new Set(wanted.flatMap((w) => [w.a.ifname, w.b.ifname]));
  const removePorts = opts.removeStale ? [...s.pins.keys()].filter((n) => !used.has(n)).sort() : [];
  return { steps, removePorts };
}
