/** The reads apply makes before it decides anything: the lab's nodes and
 * their interfaces, what is installed, and programs that are not ours. */
import { foreignAttachments, type Dataplane } from '../dataplane/dataplane.js';
import { native, type LinkInfo } from '../native/addon.js';
import type { WirePlan } from '../plan/types.js';
import type { Topology } from '../topology/model.js';
import { closeNodes, findNodes, nodeProblemsError } from './nodes.js';
import type { InstalledState } from './reconcile.js';
import { viewNodes, type LinkIndex, type NodeView, type ResolvedWire } from './resolve.js';

export function wireNodes(w: WirePlan): string[] {
  return [w.a.node?.name, w.b.node?.name].filter((n): n is string => !!n);
}

/** Reads what is installed for `ports` (empty when the lab has none; the
 * tc state of the ports is read all the same, for foreign programs). The
 * ports may still be coming (the host's links being listed): what does not
 * need them is read meanwhile. */
export async function readInstalled(dp: Dataplane | null, ports: LinkInfo[] | Promise<LinkInfo[]>): Promise<InstalledState> {
  if (dp) return dp.installed(ports);
  const ifindexes = [...new Set((await ports).map((p) => p.ifindex))];
  const tc = ifindexes.length ? await native.tcState(null, ifindexes) : [];
  return { pins: new Map(), config: new Map(), tc: new Map(ifindexes.map((i, k) => [i, tc[k] ?? null])), tcFilters: new Set() };
}

/** The host's devices of the wires' ports, those that exist. */
export function plannedPorts(wires: WirePlan[], host: LinkIndex): LinkInfo[] {
  return wires.flatMap((w) => [host.port(w.a), host.port(w.b)]).filter((l): l is LinkInfo => !!l);
}

/** Finds nodes and views their interfaces (their netns ids once `hostListed`
 * settles: see viewNodes); in --node mode, splits wires into ready and pending. */
export async function gatherNodes(topo: Topology | undefined, wires: WirePlan[], onlyNode: string | undefined, hostListed: Promise<unknown>) {
  const names = new Set(wires.flatMap(wireNodes));
  const views = new Map<string, NodeView>();
  if (!topo || names.size === 0) return { views, pending: [] as { id: string; reason: string }[], ready: wires };
  const { nodes, problems } = await findNodes(topo, names);
  const own = problems.find((p) => p.name === onlyNode);
  if ((!onlyNode && problems.length) || own) {
    closeNodes(nodes.values());
    throw nodeProblemsError(own ? [own] : problems, topo.name);
  }
  const found = await viewNodes([...nodes.values()], hostListed).catch((e: unknown) => {
    closeNodes(nodes.values());
    throw e;
  });
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
 * frames to it unasked. Read from the snapshot. */
export function foreignPrograms(wires: ResolvedWire[], installed: InstalledState): string[] {
  return wires.flatMap((w) =>
    [w.a, w.b].flatMap((p) =>
      foreignAttachments(p.link, installed).map((what) => `wire ${w.plan.id}: port ${p.ifname} already carries ${what} that clab-xconnect did not install; refusing to run beside it`),
    ),
  );
}
