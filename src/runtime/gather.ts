/** The reads apply makes before it decides anything: the lab's nodes and
 * their interfaces, what is installed, and programs that are not ours. */
import type { Dataplane } from '../dataplane/dataplane.js';
import { native } from '../native/addon.js';
import type { WirePlan } from '../plan/types.js';
import type { Topology } from '../topology/model.js';
import { findNodes, nodeProblemsError, type NodeRuntime } from './nodes.js';
import { mapLimit } from './pool.js';
import type { InstalledState } from './reconcile.js';
import { viewNode, type NodeView, type ResolvedWire } from './resolve.js';

export function wireNodes(w: WirePlan): string[] {
  return [w.a.node?.name, w.b.node?.name].filter((n): n is string => !!n);
}

/** Reads what is installed for `ports` (empty when the lab has none). */
export async function readInstalled(dp: Dataplane | undefined, ports: number[]): Promise<InstalledState> {
  if (!dp) return { pins: new Map(), config: new Map(), tcFilters: new Set() };
  return dp.installed(null, ports);
}

/** Finds nodes and views their interfaces; in --node mode, splits wires into ready and pending. */
export async function gatherNodes(topo: Topology | undefined, wires: WirePlan[], onlyNode: string | undefined) {
  const names = new Set(wires.flatMap(wireNodes));
  const views = new Map<string, NodeView>();
  if (!topo || names.size === 0) return { views, pending: [] as { id: string; reason: string }[], ready: wires };
  const { nodes, problems } = await findNodes(topo, names);
  if (!onlyNode && problems.length) throw nodeProblemsError(problems, topo.name);
  const own = problems.find((p) => p.name === onlyNode);
  if (own) throw nodeProblemsError([own], topo.name);
  const found = await mapLimit([...nodes.values()], 8, (n: NodeRuntime) => viewNode(n));
  for (const v of found) views.set(v.runtime.name, v);
  const pending: { id: string; reason: string }[] = [];
  const ready = wires.filter((w) => {
    const missing = wireNodes(w).find((n) => !views.has(n));
    if (missing) pending.push({ id: w.id, reason: `node ${missing} is not ready` });
    return !missing;
  });
  return { views, pending, ready };
}

/** Ports carrying a program at XDP or TCX, or a tc bpf filter, that is not
 * one of ours: a wire beside it would either never see a frame or hand
 * frames to it unasked. */
export async function foreignPrograms(wires: ResolvedWire[], installed: InstalledState): Promise<string[]> {
  const ports = wires.flatMap((w) => [w.a, w.b].map((p) => ({ w, p })));
  const tc = ports.length ? await native.tcState(null, ports.map(({ p }) => p.ifindex)) : [];
  return ports.flatMap(({ w, p }, k) => {
    const pins = installed.pins.get(p.ifname);
    const out: string[] = [];
    const beside = 'that clab-xconnect did not install; refusing to run beside it';
    if (p.link.xdp.mode !== 'none' && pins?.xdp?.progId !== p.link.xdp.progId)
      out.push(`wire ${w.plan.id}: port ${p.ifname} already carries XDP program id ${p.link.xdp.progId} (${p.link.xdp.mode} mode) ${beside}`);
    for (const id of tc[k]?.tcx ?? [])
      if (id !== pins?.tcx?.progId || pins.tcx.ifindex !== p.ifindex) out.push(`wire ${w.plan.id}: port ${p.ifname} already carries TCX program id ${id} ${beside}`);
    for (const f of tc[k]?.filters ?? [])
      if (f.kind === 'bpf' && !f.ours) out.push(`wire ${w.plan.id}: port ${p.ifname} already carries a tc bpf filter (pref ${f.prio}, "${f.name}") ${beside}`);
    return out;
  });
}
