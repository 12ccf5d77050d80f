/** apply: wire a running lab as its topology says. Validates everything first
 * (nodes running, ports present, peers as expected, no foreign XDP program),
 * then reconciles the installed state with the plan and reports each change. */
import { access } from 'node:fs/promises';
import { Dataplane } from '../dataplane/dataplane.js';
import { peerFeatures } from '../dataplane/mode-policy.js';
import { tunePeers } from '../dataplane/peer-tuning.js';
import { XconnectError } from '../errors.js';
import type { SkippedLink, WirePlan } from '../plan/types.js';
import type { Topology } from '../topology/model.js';
import { loadPlan } from './load-plan.js';
import { lockLab } from './lock.js';
import { findNodes, nodeProblemsError, type NodeRuntime } from './nodes.js';
import { labPinDir } from './paths.js';
import { recordOriginals } from './peer-state.js';
import { mapLimit } from './pool.js';
import { requireRoot } from './privileges.js';
import { reconcile, type InstalledState, type Reconciliation, type WireAction, type WireStep } from './reconcile.js';
import { LinkIndex, problemsError, resolveWires, viewNode, type NodeView, type ResolvedWire } from './resolve.js';

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
}

export interface WireReport {
  id: string;
  kind: string;
  action: WireAction;
  detail?: string;
  mode: 'native' | 'generic';
  modeReason: string;
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
  return {
    id: w.plan.id,
    kind: w.plan.kind,
    action,
    ...(detail ? { detail } : {}),
    mode: w.mode.mode,
    modeReason: w.mode.reason,
    admin: w.plan.options.admin,
    loss: w.plan.options.loss,
    a: { endpoint: w.a.endpoint, port: w.a.ifname },
    b: { endpoint: w.b.endpoint, port: w.b.ifname },
  };
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}

/** Reads what is installed: pins and port configs (empty when the lab has none). */
export async function readInstalled(dp: Dataplane | undefined): Promise<InstalledState> {
  if (!dp) return { pins: new Map(), config: new Map() };
  return { pins: await dp.pinnedPorts(), config: await dp.configuredPorts() };
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

/** Ports carrying an XDP program that our pinned link does not hold. */
function foreignPrograms(wires: ResolvedWire[], installed: InstalledState): string[] {
  return wires.flatMap((w) =>
    [w.a, w.b]
      .filter((p) => p.link.xdp.mode !== 'none' && installed.pins.get(p.ifname)?.progId !== p.link.xdp.progId)
      .map(
        (p) =>
          `wire ${w.plan.id}: port ${p.ifname} already carries XDP program id ${p.link.xdp.progId} (${p.link.xdp.mode} mode) that clab-xconnect did not install; refusing to replace it`,
      ),
  );
}

/** Carries out a reconciliation: stale ports out, node settings, then wires
 * in, each step a batch. Returns the node settings it changed. */
async function execute(dp: Dataplane, rec: Reconciliation): Promise<PeerChangeReport[]> {
  await dp.removePorts(null, rec.removePorts);
  // Peers are checked on every run, wired or not: a node restart or a
  // hand-made ethtool change would otherwise break a wire silently.
  const peers = rec.steps.flatMap((s) =>
    [s.wire.a, s.wire.b].flatMap((p) =>
      p.peer ? [{ netns: p.peer.netns, ifname: p.peer.ifname, want: peerFeatures(s.wire.mode.mode), endpoint: p.endpoint ?? p.ifname }] : [],
    ),
  );
  const endpointOf = new Map(peers.map((p) => [`${p.netns}\0${p.ifname}`, p.endpoint]));
  const changes = (await tunePeers(peers)).map((c) => ({
    endpoint: endpointOf.get(`${c.netns}\0${c.ifname}`)!,
    netns: c.netns,
    interface: c.ifname,
    feature: c.feature,
    from: c.from,
    to: c.to,
  }));
  const settings = (w: ResolvedWire) => ({ mode: w.mode.mode, adminUp: w.plan.options.admin === 'up', loss: w.plan.options.loss });
  const ends = (s: WireStep) => ({ a: s.wire.a.ifname, b: s.wire.b.ifname });
  await dp.installWires(
    null,
    rec.steps.filter((s) => s.action === 'add' || s.action === 'reinstall').map((s) => ({ ...ends(s), settings: settings(s.wire) })),
  );
  await dp.updateWires(null, rec.steps.filter((s) => s.action === 'update').map((s) => ({ ...ends(s), ...settings(s.wire) })));
  return changes.sort((x, y) => x.endpoint.localeCompare(y.endpoint) || x.feature.localeCompare(y.feature));
}

/** Drops map entries of ports whose device vanished (or of a crashed run);
 * with --node, other nodes' wires are left alone. */
async function forgetStale(dp: Dataplane, keep: Set<number>, installed: InstalledState, keepOthers: boolean): Promise<void> {
  if (keepOthers) for (const k of installed.config.keys()) keep.add(k);
  await dp.forgetPortsExcept(keep);
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
    const { wires, problems } = resolveWires(wanted, host, views);

    const pinDir = labPinDir(plan.lab);
    if (!opts.dryRun || (await exists(pinDir))) dp = await Dataplane.open(pinDir);
    const installed = await readInstalled(dp);
    const foreign = foreignPrograms(wires, installed);
    if (problems.length) throw problemsError([...problems, ...foreign]);
    if (foreign.length) throw problemsError(foreign, 'remove that program or exclude the link; nothing was changed', 'BUSY');

    const rec = reconcile(wires, installed, { removeStale: !opts.node });
    const peerChanges = !opts.dryRun && dp ? await execute(dp, rec) : [];
    await recordOriginals(plan.lab, peerChanges);
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
