/** What must change to go from the installed state to the wanted wires.
 * Pure: the state is read before, the actions executed after. */
import { lossToThreshold, type PortConfig } from '../dataplane/layout.js';
import type { ResolvedPort, ResolvedWire } from './resolve.js';

/** Installed state of a lab, as read from its pins and maps. */
export interface InstalledState {
  /** ifname -> pinned link (ifindex 0 when its device is gone). */
  pins: Map<string, { ifindex: number; progId: number }>;
  /** ifindex -> port config. */
  config: Map<number, PortConfig>;
}

export type WireAction = 'add' | 'reinstall' | 'update' | 'unchanged';

export interface WireStep {
  wire: ResolvedWire;
  action: WireAction;
  /** Why a reinstall: what was found out of place. */
  detail?: string;
}

export interface Reconciliation {
  steps: WireStep[];
  /** Pinned ports no wanted wire uses any more. */
  removePorts: string[];
}

/** Why the port is not wired as wanted, or undefined when it is. */
function portDrift(p: ResolvedPort, partner: ResolvedPort, mode: string, s: InstalledState): string | undefined {
  const pin = s.pins.get(p.ifname);
  if (!pin) return `${p.ifname} has no link`;
  if (pin.ifindex !== p.ifindex) return `${p.ifname} was recreated`;
  if (p.link.xdp.progId !== pin.progId) return `${p.ifname} does not run our program`;
  if (p.link.xdp.mode !== mode) return `${p.ifname} runs in ${p.link.xdp.mode} mode, wanted ${mode}`;
  if (s.config.get(p.ifindex)?.partner !== partner.ifindex) return `${p.ifname} points elsewhere`;
  return undefined;
}

function optionsMatch(p: ResolvedPort, w: ResolvedWire, s: InstalledState): boolean {
  const c = s.config.get(p.ifindex);
  if (!c) return false;
  return c.adminUp === (w.plan.options.admin === 'up') && lossToThreshold(c.loss) === lossToThreshold(w.plan.options.loss);
}

export function reconcile(wanted: ResolvedWire[], s: InstalledState, opts: { removeStale: boolean }): Reconciliation {
  const steps: WireStep[] = wanted.map((w) => {
    const da = portDrift(w.a, w.b, w.mode.mode, s);
    const db = portDrift(w.b, w.a, w.mode.mode, s);
    if (!s.pins.has(w.a.ifname) && !s.pins.has(w.b.ifname)) return { wire: w, action: 'add' };
    if (da || db) return { wire: w, action: 'reinstall', detail: [da, db].filter(Boolean).join('; ') };
    if (!optionsMatch(w.a, w, s) || !optionsMatch(w.b, w, s)) return { wire: w, action: 'update' };
    return { wire: w, action: 'unchanged' };
  });
  const used = new Set(wanted.flatMap((w) => [w.a.ifname, w.b.ifname]));
  const removePorts = opts.removeStale ? [...s.pins.keys()].filter((n) => !used.has(n)).sort() : [];
  return { steps, removePorts };
}
