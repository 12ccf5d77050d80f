/** What the run-time state asks of the kernel beyond the wire programs:
 * ports taken down for cut links (both nodes then see the carrier go), and
 * the fq qdiscs a delay needs. Driven from the state file, so that whatever a
 * crashed command left half done, the next run completes. */
import { native } from '../native/addon.js';
import type { ResolvedWire } from './resolve.js';
import { dropRuntimeState, readRuntimeState, type RuntimeState } from './runtime-state.js';

/** Takes the ports of cut wires down (after saving their names with
 * `persist`: the saved cut names the ports destroy must bring up again), and
 * brings those of wires being restored up again. Returns the state with
 * restored cuts gone. */
export async function enforceCuts(state: RuntimeState, wires: ResolvedWire[], persist: (s: RuntimeState) => Promise<void>): Promise<RuntimeState> {
  const next: RuntimeState = { ...state, cuts: { ...state.cuts } };
  const down = wires.filter((w) => state.cuts[w.plan.id]?.phase === 'down');
  const up = wires.filter((w) => state.cuts[w.plan.id]?.phase === 'restoring');
  const unnamed = down.filter((w) => state.cuts[w.plan.id]!.ports.length === 0);
  for (const w of unnamed) next.cuts[w.plan.id] = { ...state.cuts[w.plan.id]!, ports: [w.a.ifname, w.b.ifname] };
  if (unnamed.length) await persist(next);
  const items = [
    ...down.flatMap((w) => [w.a, w.b]).filter((p) => p.link.adminUp).map((p) => ({ ifindex: p.ifindex, up: false })),
    ...up.flatMap((w) => [w.a, w.b]).filter((p) => !p.link.adminUp).map((p) => ({ ifindex: p.ifindex, up: true })),
  ];
  if (items.length) await native.setLinkUp(null, items);
  for (const w of up) delete next.cuts[w.plan.id];
  return next;
}

/** Ports whose egress needs fq: the partners of directions with a delay. */
export function fqPortsWanted(wires: ResolvedWire[]): { ifname: string; ifindex: number }[] {
  return wires.flatMap((w) => [
    ...(w.plan.options.impair.a.delayUs > 0 ? [w.b] : []),
    ...(w.plan.options.impair.b.delayUs > 0 ? [w.a] : []),
  ]).map((p) => ({ ifname: p.ifname, ifindex: p.ifindex }));
}

/** Puts fq where a delay needs it and takes ours away where none does.
 * `wires` are the wires this run covers; ports of others are left alone. */
export async function enforceFq(state: RuntimeState, wires: ResolvedWire[], host: { find(name: string): { ifindex: number } | undefined }): Promise<RuntimeState> {
  const want = fqPortsWanted(wires);
  const covered = new Set(wires.flatMap((w) => [w.a.ifname, w.b.ifname]));
  const wantNames = new Set(want.map((p) => p.ifname));
  const drop = state.fq.filter((n) => covered.has(n) && !wantNames.has(n));
  if (want.length) await native.ensureRootFq(null, want.map((p) => p.ifindex));
  const dropIdx = drop.map((n) => host.find(n)?.ifindex).filter((i): i is number => !!i);
  if (dropIdx.length) await native.removeRootFq(null, dropIdx);
  return { ...state, fq: [...new Set([...state.fq.filter((n) => !drop.includes(n)), ...wantNames])].sort() };
}

/** Undoes what the run-time state did to ports (destroy: nothing of ours
 * stays): cut ports come up again, our fq qdiscs go, and the state file too. */
export async function undoRuntimeState(lab: string): Promise<void> {
  const state = await readRuntimeState(lab);
  const names = (list: string[]) => Promise.all(list.map((n) => native.getLink(null, n)));
  const cutPorts = (await names(Object.values(state.cuts).flatMap((c) => c.ports))).filter((l) => l && !l.adminUp);
  if (cutPorts.length) await native.setLinkUp(null, cutPorts.map((l) => ({ ifindex: l!.ifindex, up: true })));
  const fq = (await names(state.fq)).filter((l) => !!l);
  if (fq.length) await native.removeRootFq(null, fq.map((l) => l!.ifindex));
  await dropRuntimeState(lab);
}
