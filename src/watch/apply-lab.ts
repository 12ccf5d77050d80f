/** Reconciles the lab through the library's apply, and nothing else (so whatever
 * run-time state apply preserves, watch preserves too). With every node up it is
 * one whole-lab apply. With a node down a whole-lab apply would refuse, so it runs
 * apply --node for a few running nodes that together touch every wire whose nodes
 * all run; wires of stopped nodes stay pending, and ports that left the topology are
 * removed once every node is back (apply --node leaves other nodes' ports alone). */
import { apply, type ApplyReport, type WireReport } from '../runtime/apply.js';
import type { Plan } from '../plan/types.js';
import type { LoadedPlan } from '../runtime/load-plan.js';
import { byCodeUnit } from '../util/compare.js';
import { wireNodes, type LabState } from './lab-state.js';

export interface LabApplyResult {
  /** 'lab': one whole-lab apply; 'nodes': apply --node for `nodes`. */
  scope: 'lab' | 'nodes';
  nodes: string[];
  changes: number;
  /** Every wire apply reported, once (a changed action wins over `unchanged`). */
  wires: WireReport[];
  removedPorts: string[];
  /** Wires left out, with the reason (a node down, or a port not there yet). */
  pending: Map<string, string>;
}

export interface ApplyLabOptions {
  file: string;
  env: Record<string, string | undefined>;
  /** The plan as watch holds it (loaded from `file` as it is now): apply need not read it again. */
  loaded: LoadedPlan;
  state: LabState;
  /** Set for an xdp-xconnect config: no nodes, always a whole-lab apply. */
  hasNodes: boolean;
}

/** Picks running nodes so that each wire whose nodes all run has one of them (greedy cover). */
export function coverNodes(plan: Plan, state: LabState): string[] {
  let left = plan.wires.filter((w) => wireNodes(w).length > 0 && wireNodes(w).every((n) => state.isRunning(n)));
  const picked: string[] = [];
  while (left.length) {
    const count = new Map<string, number>();
    for (const w of left) for (const n of wireNodes(w)) count.set(n, (count.get(n) ?? 0) + 1);
    const [best] = [...count.entries()].sort((x, y) => y[1] - x[1] || byCodeUnit(x[0], y[0]))[0]!;
    picked.push(best);
    left = left.filter((w) => !wireNodes(w).includes(best));
  }
  return picked;
}

export async function applyLab(o: ApplyLabOptions): Promise<LabApplyResult> {
  const { loaded } = o;
  const pending = o.hasNodes ? o.state.pending(loaded.plan) : new Map<string, string>();
  if (pending.size === 0) {
    const r = await apply({ file: o.file, env: o.env, loaded });
    return { scope: 'lab', nodes: [], changes: r.changes, wires: r.wires, removedPorts: r.removedPorts, pending: toMap(r.pending) };
  }
  const nodes = coverNodes(loaded.plan, o.state);
  const reports: ApplyReport[] = [];
  for (const node of nodes) reports.push(await apply({ file: o.file, env: o.env, node, loaded }));
  const wires = new Map<string, WireReport>();
  for (const r of reports) {
    for (const w of r.wires) if (!wires.has(w.id) || wires.get(w.id)!.action === 'unchanged') wires.set(w.id, w);
    for (const p of r.pending) if (!pending.has(p.id)) pending.set(p.id, p.reason);
  }
  for (const id of wires.keys()) pending.delete(id);
  const order = new Map(loaded.plan.wires.map((w, i) => [w.id, i]));
  const list = [...wires.values()].sort((x, y) => (order.get(x.id) ?? 0) - (order.get(y.id) ?? 0));
  return { scope: 'nodes', nodes, changes: list.filter((w) => w.action !== 'unchanged').length, wires: list, removedPorts: [], pending };
}

function toMap(list: { id: string; reason: string }[]): Map<string, string> {
  return new Map(list.map((p) => [p.id, p.reason]));
}
