/** apply: wire a running lab as its topology says. Validates everything first
 * (nodes running, ports present, peers as expected, no foreign XDP program),
 * then reconciles the installed state with the plan and reports each change. */
import { access } from 'node:fs/promises';
import { Dataplane, type Engine } from '../dataplane/dataplane.js';
import { nodeSettings } from '../dataplane/engine-policy.js';
import { applyPeerChanges, planPeerChanges, type FeatureChange } from '../dataplane/peer-tuning.js';
import { XconnectError } from '../errors.js';
import type { SkippedLink, WirePlan } from '../plan/types.js';
import type { Topology } from '../topology/model.js';
import { loadPlan } from './load-plan.js';
import { lockLab } from './lock.js';
import { native } from '../native/addon.js';
import { findNodes, nodeProblemsError, type NodeRuntime } from './nodes.js';
import { labPinDir } from './paths.js';
import { dropOriginalsOf, readOriginals, recordOriginals } from './peer-state.js';
import { mapLimit } from './pool.js';
import { requireRoot } from './privileges.js';
import { reconcile, type InstalledState, type Reconciliation, type WireAction, type WireStep } from './reconcile.js';
import { facts, LinkIndex, problemsError, readXdpFeatures, resolveWires, viewNode, type NodeView, type ResolvedPort, type ResolvedWire } from './resolve.js';

export interface ApplyOptions {
  file: string;
  /** Wire only this node's links whose other end is ready (containerlab stages hook). */
  node?: string;
  dryRun?: boolean;
  env?: Record<string, string | undefined>;
}

export interface PortReport {
  endpoint: string | null;
  port: string;
  /** The engine that carries the frames entering this port. */
  engine: Engine;
  engineReason: string;
}

export interface WireReport {
  id: string;
  kind: string;
  action: WireAction;
  detail?: string;
  /** The engine of both directions, or 'mixed'. */
  engine: Engine | 'mixed';
  admin: 'up' | 'down';
  loss: number;
  a: PortReport;
  b: PortReport;
}

export interface PeerChangeReport {
  endpoint: string;
  netns: string;
  interface: string;
  feature: string;
  from: boolean;
  to: boolean;
}

export interface ApplyReport {
  lab: string;
  dryRun: boolean;
  /** Wires added, reinstalled, updated or removed (0 on a repeated apply). */
  changes: number;
  wires: WireReport[];
  removedPorts: string[];
  /** Wires of --node's node whose other end is not ready yet. */
  pending: { id: string; reason: string }[];
  peerChanges: PeerChangeReport[];
  skipped: SkippedLink[];
}

function wireNodes(w: WirePlan): string[] {
  return [w.a.node?.name, w.b.node?.name].filter((n): n is string => !!n);
}

function report(w: ResolvedWire, action: WireAction, detail?: string): WireReport {
  const port = (p: ResolvedPort, d: ResolvedWire['engines']['a']): PortReport => ({
    endpoint: p.endpoint,
    port: p.ifname,
    engine: d.engine,
    engineReason: d.reason,
  });
  return {
    id: w.plan.id,
    kind: w.plan.kind,
    action,
    ...(detail ? { detail } : {}),
    engine: w.engines.a.engine === w.engines.b.engine ? w.engines.a.engine : 'mixed',
    admin: w.plan.options.admin,
    loss: w.plan.options.loss,
    a: port(w.a, w.engines.a),
    b: port(w.b, w.engines.b),
  };
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}

/** Reads what is installed for `ports` (empty when the lab has none). */
export async function readInstalled(dp: Dataplane | undefined, ports: number[]): Promise<InstalledState> {
  if (!dp) return { pins: new Map(), config: new Map(), tcFilters: new Set() };
  return dp.installed(null, ports);
}

/** Finds nodes and views their interfaces; in --node mode, splits wires into ready and pending. */
async function gatherNodes(topo: Topology | undefined, wires: WirePlan[], onlyNode: string | undefined) {
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

/** Ports carrying a program at XDP or TCX that is not one of ours: a wire
 * beside it would either never see a frame or hand frames to it unasked. */
async function foreignPrograms(wires: ResolvedWire[], installed: InstalledState): Promise<string[]> {
  const ports = wires.flatMap((w) => [w.a, w.b].map((p) => ({ w, p })));
  const tc = ports.length ? await native.tcState(null, ports.map(({ p }) => p.ifindex)) : [];
  return ports.flatMap(({ w, p }, k) => {
    const pins = installed.pins.get(p.ifname);
    const out: string[] = [];
    if (p.link.xdp.mode !== 'none' && pins?.xdp?.progId !== p.link.xdp.progId)
      out.push(
        `wire ${w.plan.id}: port ${p.ifname} already carries XDP program id ${p.link.xdp.progId} (${p.link.xdp.mode} mode) that clab-xconnect did not install; refusing to run beside it`,
      );
    for (const id of tc[k]?.tcx ?? [])
      if (id !== pins?.tcx?.progId || pins.tcx.ifindex !== p.ifindex)
        out.push(`wire ${w.plan.id}: port ${p.ifname} already carries TCX program id ${id} that clab-xconnect did not install; refusing to run beside it`);
    for (const f of tc[k]?.filters ?? [])
      if (f.kind === 'bpf' && !f.ours)
        out.push(`wire ${w.plan.id}: port ${p.ifname} already carries a tc bpf filter (pref ${f.prio}, "${f.name}") that clab-xconnect did not install; refusing to run beside it`);
    return out;
  });
}

/** Node settings each wanted wire's engines need (the XDP engines only). */
function wantedNodeSettings(steps: WireStep[]) {
  return steps.flatMap((s) =>
    (['a', 'b'] as const).flatMap((side) => {
      const port = s.wire[side];
      const partner = s.wire[side === 'a' ? 'b' : 'a'];
      return nodeSettings(s.wire.engines[side].engine, facts(port), facts(partner)).map((n) => ({
        netns: n.peer.netns,
        ifname: n.peer.ifname,
        want: n.want,
        endpoint: (n.peer === port.peer ? port.endpoint : partner.endpoint) ?? n.peer.ifname,
      }));
    }),
  );
}

function toReport(c: FeatureChange, endpoint: string): PeerChangeReport {
  return { endpoint, netns: c.netns, interface: c.ifname, feature: c.feature, from: c.from, to: c.to };
}

/** Carries out a reconciliation: stale ports out, node settings (written to
 * the lab's record before they change, so a crash cannot lose the originals),
 * then wires in, each step a batch. Returns the node settings it changed. */
async function execute(dp: Dataplane, lab: string, rec: Reconciliation, views: Map<string, NodeView>, full: boolean): Promise<PeerChangeReport[]> {
  await dp.removePorts(null, rec.removePorts);
  // Node settings are checked on every run, wired or not: a node restart or a
  // hand-made ethtool change would otherwise break an XDP wire silently.
  const peers = wantedNodeSettings(rec.steps);
  const endpointOf = new Map(peers.map((p) => [`${p.netns}\0${p.ifname}`, p.endpoint]));
  const changes = (await planPeerChanges(peers)).map((c) => toReport(c, endpointOf.get(`${c.netns}\0${c.ifname}`)!));
  await recordOriginals(lab, changes);
  await applyPeerChanges(changes.map((c) => ({ netns: c.netns, ifname: c.interface, feature: c.feature, from: c.from, to: c.to })));

  const settings = (w: ResolvedWire) => ({
    engine: { a: w.engines.a.engine, b: w.engines.b.engine },
    adminUp: w.plan.options.admin === 'up',
    loss: w.plan.options.loss,
    peerMac: { a: w.a.peerMac, b: w.b.peerMac },
  });
  const ends = (s: WireStep) => ({ a: s.wire.a.ifname, b: s.wire.b.ifname });
  await dp.installWires(
    null,
    rec.steps.filter((s) => s.action === 'add' || s.action === 'reinstall').map((s) => ({ ...ends(s), settings: settings(s.wire) })),
  );
  await dp.updateWires(null, rec.steps.filter((s) => s.action === 'update').map((s) => ({ ...ends(s), adminUp: s.wire.plan.options.admin === 'up', loss: s.wire.plan.options.loss })));
  // Settings no wire needs any more (its engine changed, or it went) are put
  // back now rather than at destroy. Only on a whole-lab run: --node sees a part.
  const restored = full ? await restoreUnneeded(lab, peers, views) : [];
  return [...changes, ...restored].sort((x, y) => x.endpoint.localeCompare(y.endpoint) || x.feature.localeCompare(y.feature));
}

/** Puts back recorded node settings that no wanted wire needs, on nodes that run. */
async function restoreUnneeded(lab: string, peers: ReturnType<typeof wantedNodeSettings>, views: Map<string, NodeView>): Promise<PeerChangeReport[]> {
  const needed = new Set(peers.flatMap((p) => Object.keys(p.want).map((f) => `${p.endpoint}\0${f}`)));
  const originals = await readOriginals(lab);
  const out: PeerChangeReport[] = [];
  for (const [endpoint, features] of Object.entries(originals)) {
    const i = endpoint.indexOf(':');
    const view = views.get(endpoint.slice(0, i));
    const link = view?.links.find(endpoint.slice(i + 1));
    if (!view || !link) continue;
    const want = Object.fromEntries(Object.entries(features).filter(([f]) => !needed.has(`${endpoint}\0${f}`)));
    if (Object.keys(want).length === 0) continue;
    const plan = await planPeerChanges([{ netns: view.runtime.netns, ifname: link.name, want }]).catch(() => []);
    await applyPeerChanges(plan);
    out.push(...plan.map((c) => toReport(c, endpoint)));
    await dropOriginalsOf(lab, endpoint, Object.keys(want));
  }
  return out;
}

/** Drops map entries of ports whose device vanished (or of a crashed run);
 * with --node, other nodes' wires are left alone. */
async function forgetStale(dp: Dataplane, keep: Set<number>, installed: InstalledState, keepOthers: boolean): Promise<void> {
  if (keepOthers) for (const k of installed.config.keys()) keep.add(k);
  await dp.forgetPortsExcept(null, keep);
}

export async function apply(opts: ApplyOptions): Promise<ApplyReport> {
  if (!opts.dryRun) requireRoot('apply');
  const { plan, topology } = await loadPlan(opts.file, opts.env);
  if (opts.node && !topology?.nodes.some((n) => n.name === opts.node))
    throw new XconnectError('USAGE', `--node ${opts.node}: no such node in ${opts.file}`, {
      hint: `nodes: ${topology?.nodes.map((n) => n.name).join(', ') || 'none'}`,
    });
  const lock = await lockLab(plan.lab);
  let dp: Dataplane | undefined;
  try {
    const candidates = opts.node ? plan.wires.filter((w) => wireNodes(w).includes(opts.node!)) : plan.wires;
    const host = await LinkIndex.of(null);
    const { views, pending, ready } = await gatherNodes(topology, candidates, opts.node);
    let wanted = ready;
    if (opts.node) {
      // The other end's port may not exist yet (containerlab creates it with that node).
      wanted = ready.filter((w) => {
        const absent = [w.a, w.b].find((p) => !host.find(p.ifname) && !(p.altname && host.find(p.altname)));
        if (absent && absent.node?.name !== opts.node) pending.push({ id: w.id, reason: `port ${absent.ifname} does not exist yet` });
        return !absent || absent.node?.name === opts.node;
      });
    }
    const { wires, problems } = resolveWires(wanted, host, views, await readXdpFeatures(wanted, host));

    const pinDir = labPinDir(plan.lab);
    if (!opts.dryRun || (await exists(pinDir))) dp = await Dataplane.open(pinDir);
    const installed = await readInstalled(dp, wires.flatMap((w) => [w.a.ifindex, w.b.ifindex]));
    const foreign = await foreignPrograms(wires, installed);
    if (problems.length) throw problemsError([...problems, ...foreign]);
    if (foreign.length) throw problemsError(foreign, 'remove that program or exclude the link; nothing was changed', 'BUSY');

    const tcAttach = dp ? await dp.tcAttach() : 'tcx';
    const rec = reconcile(wires, installed, { removeStale: !opts.node, tcAttach });
    const peerChanges = !opts.dryRun && dp ? await execute(dp, plan.lab, rec, views, !opts.node) : [];
    const keep = new Set(wires.flatMap((w) => [w.a.ifindex, w.b.ifindex]));
    if (!opts.dryRun && dp) await forgetStale(dp, keep, installed, !!opts.node);
    const changed = rec.steps.filter((s) => s.action !== 'unchanged').length + rec.removePorts.length;
    return {
      lab: plan.lab,
      dryRun: !!opts.dryRun,
      changes: changed,
      wires: rec.steps.map((s) => report(s.wire, s.action, s.detail)),
      removedPorts: rec.removePorts,
      pending,
      peerChanges,
      skipped: plan.skipped,
    };
  } finally {
    dp?.close();
    await lock.release();
  }
}
